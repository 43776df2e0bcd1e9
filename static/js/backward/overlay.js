// The backward view of the network diagram, painted on a canvas above the
// diagram (clicks pass through): each neuron shows the frame's ∂L/∂b of the
// last update (biases are not regularised, so ∂L/∂b_j = Σᵢ ∂L/∂z_ij, the
// batch mean of each sample's own ∂ℓ/∂z_j), and chevrons on
// the edges point from right to left, the way the error flows back. The edges
// themselves are recoloured by ∂L/∂W in network.js (setMode('backward')).

import { diverging, rgbString, themeColors } from '../colors.js';
import { num } from '../format.js';

// layer l of L is drawn once the sweep (0 → 1, output first) has reached it
const shown = (l, L, reveal) => reveal >= 1 || (L - 1 - l) / L < reveal;

export function createBackwardOverlay(stage, network) {
  const canvas = document.createElement('canvas');
  canvas.className = 'network-backward';
  canvas.setAttribute('aria-hidden', 'true');
  stage.append(canvas);
  const ctx = canvas.getContext('2d');
  const theme = themeColors();
  let on = false;

  function clear() {
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, canvas.width, canvas.height);
  }

  function draw(frame, reveal = 1) {
    const geo = network.geometry;
    if (!on || !geo || !frame) { clear(); return; }
    const dpr = window.devicePixelRatio || 1;
    const w = Math.round(geo.width * dpr), h = Math.round(geo.height * dpr);
    if (canvas.width !== w || canvas.height !== h) { canvas.width = w; canvas.height = h; }
    clear();
    if (frame.layers.length !== geo.sizes.length - 1) return;
    const Y = (y) => geo.height - y;                    // plot coordinates (y up) → canvas
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    // chevrons on the edges: the flow runs right to left
    let full = 0;
    for (const l of frame.layers) if (l.dW) for (const row of l.dW) for (const v of row) full = Math.max(full, Math.abs(v ?? 0));
    const few = geo.edges.length <= 160;
    if (full > 0 && few) {
      for (const e of geo.edges) {
        if (!shown(e.layer, frame.layers.length, reveal)) continue;
        const g = frame.layers[e.layer].dW[e.to][e.from] ?? 0;
        const a = Math.min(1, Math.abs(g) / full);
        const t = 0.5, u = 1 - t;
        const px = u * u * u * e.xs[0] + 3 * u * u * t * e.xs[1] + 3 * u * t * t * e.xs[2] + t * t * t * e.xs[3];
        const py = u * u * u * e.ys[0] + 3 * u * u * t * e.ys[1] + 3 * u * t * t * e.ys[2] + t * t * t * e.ys[3];
        const dx = 3 * u * u * (e.xs[1] - e.xs[0]) + 6 * u * t * (e.xs[2] - e.xs[1]) + 3 * t * t * (e.xs[3] - e.xs[2]);
        const dy = 3 * u * u * (e.ys[1] - e.ys[0]) + 6 * u * t * (e.ys[2] - e.ys[1]) + 3 * t * t * (e.ys[3] - e.ys[2]);
        const len = Math.hypot(dx, dy) || 1;
        const ux = -dx / len, uy = dy / len;            // backwards, in canvas coordinates (y down)
        const s = 3.5 + 4 * Math.sqrt(a);
        const cx = px, cy = Y(py);
        ctx.beginPath();
        ctx.moveTo(cx - ux * s - uy * s * 0.8, cy - uy * s + ux * s * 0.8);
        ctx.lineTo(cx + ux * s * 0.6, cy + uy * s * 0.6);
        ctx.lineTo(cx - ux * s + uy * s * 0.8, cy - uy * s - ux * s * 0.8);
        ctx.strokeStyle = rgbString(diverging(Math.sign(g) * (0.35 + 0.65 * Math.sqrt(a))));
        ctx.lineWidth = 1.6 + 1.2 * a;
        ctx.lineJoin = 'round';
        ctx.lineCap = 'round';
        ctx.stroke();
      }
    }
    // neurons: ∂L/∂b of the last update (the batch mean of ∂ℓ/∂z), scaled per layer (a vanishing layer stays readable)
    const tile = geo.tile;
    const showText = tile >= 30;
    const fontSize = Math.max(9, Math.min(12, tile / 4));
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    for (let l = 0; l < frame.layers.length; l++) {
      if (!shown(l, frame.layers.length, reveal)) continue;
      const db = frame.layers[l].db;
      const nodes = geo.nodes[l + 1];
      const top = db ? Math.max(...db.map((v) => Math.abs(v ?? 0))) : 0;
      nodes.forEach((n, j) => {
        const v = db ? db[j] ?? 0 : null;
        const t = v === null || top === 0 ? 0 : v / top;
        const x = n.x - tile / 2, y = Y(n.y) - tile / 2;
        ctx.fillStyle = v === null ? theme.panel : rgbString(diverging(Math.sign(t) * Math.sqrt(Math.abs(t))));
        ctx.fillRect(x, y, tile, tile);
        ctx.strokeStyle = theme.ink;
        ctx.lineWidth = 1;
        ctx.strokeRect(x + 0.5, y + 0.5, tile - 1, tile - 1);
        if (showText) {
          ctx.fillStyle = Math.abs(t) > 0.55 ? '#fff' : '#1f2937';
          ctx.fillText(fitText(ctx, v === null ? '—' : num(v, 2), tile - 4, fontSize, theme.font), n.x, Y(n.y));
        }
      });
    }
    // inputs: no δ is needed there; grey them out so the eye follows the gradients
    ctx.globalAlpha = 0.6;
    ctx.fillStyle = theme.panel;
    for (const n of geo.nodes[0]) ctx.fillRect(n.x - tile / 2, Y(n.y) - tile / 2, tile, tile);
    ctx.globalAlpha = 1;
  }

  /** After a single update: reveal the layers from the output back to the inputs, as backprop computes them. */
  let sweep = 0;
  function animate(frame, ms = 900) {
    const t0 = performance.now();
    const my = ++sweep;
    const tick = (now) => {
      if (my !== sweep || !on) return;
      const p = Math.min(1, (now - t0) / ms);
      draw(frame, p);
      if (p < 1) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  }

  function setOn(next) {
    on = next;
    canvas.hidden = !on;
  }
  setOn(false);
  return { draw: (f) => { sweep++; draw(f); }, animate, setOn };
}

/** Set ``ctx.font`` so that ``text`` fits in ``room`` pixels, and return the
 * text to write: at the size given, or smaller (down to 6 px); failing that,
 * the number with fewer digits. A number wider than its tile lost its sign and
 * last digits there (white on the page). */
function fitText(ctx, text, room, size, font) {
  ctx.font = `600 ${size}px ${font}`;
  const width = ctx.measureText(text).width;
  if (width <= room) return text;
  ctx.font = `600 ${Math.max(6, Math.floor(size * room / width))}px ${font}`;
  const v = Number(text);
  if (ctx.measureText(text).width <= room || !Number.isFinite(v)) return text;
  return v.toExponential(0).replace('e+', 'e'); // "-3e-4": the sign and the size kept
}
