// Lights up, over the network diagram, the layer an explain stage talks about
// (a band over its column and the weights into it) and the chosen unit.

export function createHighlight(network) {
  const plot = document.querySelector('[data-testid=network]');
  const layer = document.createElement('div');
  layer.className = 'x-highlight';
  layer.setAttribute('aria-hidden', 'true');
  plot.parentElement.append(layer);
  let last = null;

  function box(cls, x, top, w, h, text = '') {
    const el = document.createElement('div');
    el.className = cls;
    Object.assign(el.style, { left: `${x}px`, top: `${top}px`, width: `${w}px`, height: `${h}px` });
    if (text) { const t = document.createElement('span'); t.textContent = text; el.append(t); }
    return el;
  }

  function show(stage, ctx) {
    last = [stage, ctx];
    const geo = network.geometry;
    layer.replaceChildren();
    layer.hidden = false;
    if (!geo) return;
    const H = geo.height;
    const col = (c) => {
      const nodes = geo.nodes[c];
      const top = H - nodes[0].y - geo.tile / 2 - 8;
      const bottom = H - nodes[nodes.length - 1].y + geo.tile / 2 + 8;
      return { x: nodes[0].x - geo.tile / 2 - 8, top, w: geo.tile + 16, h: bottom - top };
    };
    const L = geo.sizes.length - 1;
    const mark = (c, j, cls) => {
      const nd = geo.nodes[c][j];
      if (nd) layer.append(box(cls, nd.x - geo.tile / 2 - 4, H - nd.y - geo.tile / 2 - 4, geo.tile + 8, geo.tile + 8));
    };
    let cols = [];
    let label = '';
    if (stage.kind === 'forward' || stage.kind === 'backward') {
      const l = stage.l;
      cols = [l + 1];
      const a = col(l), b = col(l + 1);
      layer.append(box(`x-band ${stage.kind}`, a.x + a.w, Math.min(a.top, b.top), b.x - a.x - a.w, Math.max(a.top + a.h, b.top + b.h) - Math.min(a.top, b.top)));
      label = stage.kind === 'forward' ? '→ forward' : '← backward';
      mark(l + 1, ctx.selected(l), `x-unit-mark ${stage.kind}`);
    } else if (stage.kind === 'loss' || stage.kind === 'batch') {
      cols = [L];
      label = 'loss';
    } else if (stage.kind === 'update') {
      cols = Array.from({ length: L }, (_, i) => i + 1);
      label = 'update';
    } else {
      cols = [0];
      label = 'input';
    }
    cols.forEach((c, i) => {
      const r = col(c);
      layer.append(box(`x-col ${stage.kind ?? 'intro'}`, r.x, r.top, r.w, r.h, i === 0 ? label : ''));
    });
  }

  function hide() {
    layer.hidden = true;
    last = null;
  }

  new ResizeObserver(() => { if (last) requestAnimationFrame(() => last && show(...last)); }).observe(plot);
  hide();
  return { show, hide };
}
