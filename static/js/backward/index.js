// Issue 4's parts of the page, wired in one place: the forward/backward switch
// of the diagram, the backward overlay, the per-layer gradient instruments,
// the inspector (sample, neuron, weight) and the insights feed.

import { inPopup } from '../keys.js';
import { createBackwardOverlay } from './overlay.js';
import { createGradientPanel } from './gradient-panel.js';
import { createInsightsFeed } from './insights.js';
import { createInspector } from './inspector.js';

const SAMPLE_SHAPE = 'chainrule-sample';

export function setupBackward(store, { network, editParameter }) {
  const $ = (id) => document.getElementById(id);
  const workspace = document.querySelector('.workspace');
  const head = document.querySelector('.network-head');
  const legend = head.querySelector('.network-legend');

  // -- the switch ---------------------------------------------------------------
  const toggle = document.createElement('div');
  toggle.className = 'view-switch';
  toggle.setAttribute('role', 'group');
  toggle.setAttribute('aria-label', 'Pass shown on the diagram');
  toggle.innerHTML = '<button type="button" class="view-control" data-mode="forward" data-testid="view-forward" '
    + 'title="Forward pass: edges are the weights W, neurons show their activation over the input plane (key b toggles)">Forward</button>'
    + '<button type="button" class="view-control" data-mode="backward" data-testid="view-backward" '
    + 'title="Backward pass: edges are ∂L/∂W of the last update, neurons its ∂L/∂b (the batch mean of each sample’s ∂ℓ/∂z); the left column shows the inspector and the insights (key b toggles)">'
    + 'Backward <span class="insight-badge" hidden></span></button>';
  head.insertBefore(toggle, legend);
  const backLegend = document.createElement('div');
  backLegend.className = 'network-legend backward-legend';
  backLegend.hidden = true;
  backLegend.title = 'Backward view. Edges: ∂L/∂W of the last update, blue negative, orange positive, thicker = larger (scaled to the largest), chevrons point the way the gradient flows, from the loss back to the inputs. Neurons: ∂L/∂b of the last update, which is Σᵢ ∂L/∂zᵢ over its mini-batch: the batch mean of each sample’s own ∂ℓ/∂z (ℓ the sample’s loss, L the batch’s mean loss), coloured per layer. Click a neuron or a weight for the chain rule on one sample; shift-click a weight to type a new value.';
  backLegend.innerHTML = '<span class="legend-item"><span class="flow-arrow">◀</span> flows back ·</span> '
    + '<span class="legend-item"><span class="legend-swatch neg"></span>−<span class="legend-swatch pos"></span>+ ∂L/∂W</span>'
    + '<span class="legend-note" title="∂L/∂b of the last update: the batch mean of each sample’s ∂ℓ/∂z">· neurons: ∂L/∂b</span>';
  legend.after(backLegend);

  // -- the left column: inspector and insights ------------------------------------
  const panel = document.createElement('aside');
  panel.className = 'panel panel-backward';
  panel.setAttribute('aria-label', 'Backward pass');
  panel.dataset.testid = 'backward-panel';
  panel.hidden = true;
  panel.innerHTML = `
    <div class="panel-title-row"><h2 class="panel-title">Inspector</h2>
      <button type="button" class="btn btn-small view-control insp-to-diagram" data-action="diagram" data-testid="inspector-to-diagram" title="Up to the network diagram, to tap another neuron or weight">↑ Diagram</button>
      <button type="button" class="btn btn-small view-control" data-action="data" title="Back to the data settings (the forward view)">Data ▸</button></div>
    <div class="inspector" id="inspector" data-testid="inspector"></div>
    <h2 class="panel-title insights-title" title="Plain-language diagnoses of the training as it happens">Insights</h2>
    <div class="insights" id="insights" data-testid="insights"></div>`;
  $('datasets').closest('.panel').after(panel);

  const badge = toggle.querySelector('.insight-badge');
  const feed = createInsightsFeed(panel.querySelector('#insights'), {
    onCount: (list) => {
      badge.hidden = list.length === 0;
      badge.textContent = list.length ? `⚠ ${list.length}` : '';
      badge.className = `insight-badge ${list.some((i) => i.severity === 'error') ? 'bad' : ''}`;
      badge.title = list.map((i) => i.title).join(' · ');
    },
  });
  const inspector = createInspector(panel.querySelector('#inspector'), store, {
    onEdit: editParameter,
    onSample: () => markSample(true),
    onChange: () => tell(),
  });
  const overlay = createBackwardOverlay(document.querySelector('.network-stage'), network);
  const gradientPanel = createGradientPanel(document.querySelector('.gradient-box'), store);

  let mode = 'forward';
  function setMode(next) {
    mode = next === 'backward' ? 'backward' : 'forward';
    for (const b of toggle.querySelectorAll('button')) b.setAttribute('aria-pressed', String(b.dataset.mode === mode));
    const back = mode === 'backward';
    document.body.classList.toggle('backward-view', back);
    legend.hidden = back;
    backLegend.hidden = !back;
    panel.hidden = !back;
    $('datasets').closest('.panel').hidden = back;
    network.setMode(mode);
    overlay.setOn(back);
    overlay.draw(store.frame);
    markSample(true); // ringed in the backward view only (a forward view, or drawing points, has no sample)
    document.querySelector('[data-testid=network]').dataset.mode = mode;
    tell();
  }

  // -- what this page shows, for watch pages to follow (the socket's "view": main.js) --
  // a target as the server takes it: exactly the fields of its kind (app/socket.py)
  const TARGET_FIELDS = { neuron: ['layer', 'to'], bias: ['layer', 'to'], weight: ['layer', 'to', 'from'], input: ['i'] };
  const plainTarget = (t) => (t && TARGET_FIELDS[t.kind]
    ? Object.fromEntries([['kind', t.kind], ...TARGET_FIELDS[t.kind].map((k) => [k, t[k]])]) : null);
  function viewState() {
    const s = inspector.sample;
    return { mode, inspect: plainTarget(inspector.target), sample: s ? { split: s.split, index: s.index } : null };
  }
  function tell() { store.emit('view', viewState()); }
  /** A watch page: show what the teacher's page shows (each time that changes). */
  function follow(view) {
    if (view.sample && (view.sample.split !== inspector.sample.split || view.sample.index !== inspector.sample.index)) {
      inspector.chooseSample(view.sample.split, view.sample.index);
    }
    if (JSON.stringify(plainTarget(inspector.target)) !== JSON.stringify(view.inspect ?? null)) inspector.choose(view.inspect ?? null);
    setMode(view.mode);
  }
  toggle.addEventListener('click', (ev) => { const b = ev.target.closest('button'); if (b) setMode(b.dataset.mode); });
  panel.querySelector('[data-action=data]').addEventListener('click', () => setMode('forward'));
  panel.querySelector('[data-action=diagram]').addEventListener('click', () => {
    document.querySelector('.panel-network').scrollIntoView({ block: 'start', behavior: motion() });
  });
  document.addEventListener('keydown', (ev) => {
    if (ev.ctrlKey || ev.metaKey || ev.altKey || ev.target.closest?.('input, select, textarea') || inPopup(ev.target)) return;
    if (ev.key === 'b' || ev.key === 'B') setMode(mode === 'backward' ? 'forward' : 'backward'); // as r and R reset
  });

  // -- clicks on the diagram (network.js hands them over; shift-click edits) -------
  // Enter on the diagram's keyboard ring comes the same way, with `ev.keyboard`:
  // then the focus goes to the inspector's view, and Escape there gives it back.
  let fromKeys = false;
  function inspect(point, ev) {
    const geo = network.geometry;
    if (!geo || !store.data) return false;
    const kind = point.data.meta;
    const sizes = store.data.sizes;
    const nodeAt = (index, first) => {
      let k = index;
      for (let c = first; c < sizes.length; c++) { if (k < sizes[c]) return { col: c, i: k }; k -= sizes[c]; }
      return null;
    };
    let target = null;
    if (kind === 'edge') {
      const e = network.edgeOf(point);
      target = { kind: 'weight', layer: e.layer, to: e.to, from: e.from };
    } else if (kind === 'bias') {
      const n = nodeAt(point.pointIndex, 1);
      if (n) target = { kind: 'bias', layer: n.col - 1, to: n.i };
    } else if (kind === 'neuron') {
      const n = nodeAt(point.pointIndex, 0);
      if (n) target = n.col === 0 ? { kind: 'input', i: n.i } : { kind: 'neuron', layer: n.col - 1, to: n.i };
    }
    if (!target) return false;
    if (mode !== 'backward') setMode('backward');
    fromKeys = Boolean(ev?.keyboard);
    inspector.choose(target, { focus: fromKeys }); // from the keys, the focus takes the inspector into view
    if (!fromKeys) reveal(ev);
    return true;
  }

  // -- a tap on a stacked page (a phone, a tablet): the inspector is far below ------
  const motion = () => (matchMedia('(prefers-reduced-motion: reduce)').matches ? 'instant' : 'smooth');
  /** After a click or a tap on the diagram, an inspector whose heading is out of
   * the window (the panels stacked: it lies under the output, 1200–1600 px down
   * on a phone or a tablet, and the only sign of the tap was the diagram's new
   * colours) scrolls into it: at the window's top, or lower where that keeps
   * the tapped neuron or weight in view with at least 320 px (half the window)
   * of the inspector. Beside the diagram (a desktop) nothing moves. */
  function reveal(ev) {
    const head = panel.querySelector('.panel-title-row').getBoundingClientRect();
    const vh = innerHeight;
    if (head.top >= 0 && head.bottom <= vh) return;
    const top = panel.getBoundingClientRect().top;
    let by = top - 8;
    // where the tap is now (a tap reaches here twice, plotly's click and the browser's: the second may come mid-scroll)
    const tapY = Number.isFinite(ev?.pageY) ? ev.pageY - scrollY : ev?.clientY;
    if (Number.isFinite(tapY) && tapY >= 0 && tapY <= vh) {
      const keepTap = tapY - 32;                        // the tapped point stays this far from the top
      const enough = top + Math.min(320, vh / 2) - vh;  // the least scroll that shows that much of the inspector
      if (enough <= keepTap) by = Math.min(by, keepTap);
    }
    if (Math.abs(by) >= 1) window.scrollBy({ top: by, behavior: motion() });
  }
  panel.querySelector('#inspector').addEventListener('keydown', (ev) => {
    if (ev.key !== 'Escape' || !fromKeys || ev.target.closest?.('input, select, textarea')) return;
    ev.preventDefault();
    ev.stopPropagation();
    document.querySelector('[data-testid=network]').focus();   // the ring where it was
  });

  // -- choosing a sample on the output plot -------------------------------------------
  const boundaryEl = $('boundary');
  let boundaryHooked = false;
  let pickedAt = -1e9;
  /** Whether the click the output plot is handling just picked a sample (then it adds no point of your own). */
  const tookClick = () => performance.now() - pickedAt < 400;
  function onBoundaryClick(ev) {
    const p = ev.points?.[0];
    if (!p || (p.curveNumber !== 0 && p.curveNumber !== 1)) return;
    if (store.config?.dataset === 'custom' && mode === 'forward') return; // drawing your own points wins
    pickedAt = performance.now();
    inspector.chooseSample(p.curveNumber === 0 ? 'train' : 'test', p.pointNumber);
    if (mode !== 'backward') setMode('backward');
  }
  /** Listen to clicks on the output plot. After a rebuild plotly may keep its
   * listeners (Plotly.react) or drop them (a new plot): take ours off first, so
   * it is there exactly once either way. */
  function hookBoundary() {
    if (boundaryHooked || typeof boundaryEl.on !== 'function') return;
    boundaryHooked = true;
    boundaryEl.removeListener('plotly_click', onBoundaryClick);
    boundaryEl.on('plotly_click', onBoundaryClick);
  }
  function markSample(force) {
    if (!store.data || !boundaryEl.layout) return;
    const s = inspector.sample;
    const d = store.data[s.split];
    const p = d?.x[s.index];
    const shapes = (boundaryEl.layout.shapes ?? []).filter((sh) => sh.name !== SAMPLE_SHAPE);
    const has = (boundaryEl.layout.shapes ?? []).some((sh) => sh.name === SAMPLE_SHAPE);
    if (!force && has === (mode === 'backward')) return;
    if (mode === 'backward' && p) {
      const x = p[0], y = store.data.inputs === 2 ? p[1] : d.label[s.index];
      const r = 0.42;
      const ry = store.data.inputs === 2 ? r : r * 0.25;
      shapes.push({ name: SAMPLE_SHAPE, type: 'circle', xref: 'x', yref: 'y', x0: x - r, x1: x + r, y0: y - ry, y1: y + ry,
                    line: { color: '#111827', width: 2.5 }, layer: 'above' });
    }
    Plotly.relayout(boundaryEl, { shapes });
  }

  // -- following the store -----------------------------------------------------------
  let shape = null;   // the network's sizes the last data came with
  store.on('data', (msg) => {
    const same = shape !== null && shape === msg.sizes.join(',');
    shape = msg.sizes.join(',');
    inspector.reset(same); boundaryHooked = false;
    setTimeout(() => { hookBoundary(); markSample(true); }, 0);
  });
  store.on('playing', (on) => { if (!on && mode === 'backward' && inspector.target) inspector.refresh(); });
  store.on('frame', (frame) => {
    hookBoundary();
    feed.update(frame);
    if (mode === 'backward') inspector.onFrame(frame);
  });
  let drawn = null;
  let lastSwept = null;
  const view = {
    // the draw loop calls this at most a few times a second while playing
    update() {
      gradientPanel.fitWidths();
      const f = store.frame;
      if (!f || f === drawn) return;
      drawn = f;
      gradientPanel.update();
      if (mode === 'backward') {
        // one update while paused: replay the backward sweep, output layer first
        const single = !store.playing && lastSwept !== null && f.step === lastSwept + 1;
        if (single) overlay.animate(f); else overlay.draw(f);
        lastSwept = f.step;
        markSample(false);
      }
    },
    rebuild() { drawn = null; gradientPanel.rebuild(); overlay.draw(store.frame); markSample(true); },
  };
  // the diagram is rebuilt on resize and new shapes: repaint the overlay with it
  new ResizeObserver(() => overlay.draw(store.frame)).observe(document.querySelector('.network-stage'));

  setMode('forward');
  return { inspect, tookClick, setMode, viewState, follow, get mode() { return mode; }, view, inspector, feed, gradientPanel, overlay };
}
