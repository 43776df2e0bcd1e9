// The network diagram: inputs → hidden layers → output. Each neuron is a small
// heat-map of its activation over the input plane, each weight an edge
// coloured by sign and sized by magnitude, each bias a small square. Hover
// shows the values; clicking a weight or a bias lets the user type a new one
// (handled by the caller through `onEdit`).
//
// The figure is a transparent plotly plot: its (static) marker traces are the
// hover and click targets, its annotations the labels. The edges and the
// neuron heat-maps, which change every frame, are painted on a canvas right
// beneath it — redrawing hundreds of plotly line traces (or re-encoding
// layout images) 30 times a second would cost more than the frame. A live
// update is therefore one canvas repaint.
// `setMode("backward")` recolours the edges by ∂L/∂W instead of W.
//
// The keyboard and screen readers (audit, part 2): the diagram is in the Tab
// order, named by a summary of the network (its text alternative). Reached by
// the keyboard, a ring marks one neuron: ← → move between layers (to the
// nearest neuron), ↑ ↓ within one, Home and End to its ends; Enter or Space
// opens that neuron in the inspector, as a click does. The hover card shows
// beside the ring and a polite status says what it shows. Reached by the
// pointer, the keys stay the page's (space plays, → steps) as before.

import { diverging, rgbString, themeColors } from '../colors.js';
import { lastUpdate, num, signedNum, sub } from '../format.js';
import { usingKeyboard } from '../keys.js';
import { centreOf, decodeBytes, lutFor, mapRange, paintMap } from '../maps.js';
import { biasPosition, edgeAt, layoutNetwork } from './network-layout.js';
import { lineScale } from './plot-theme.js';

const WEIGHT_FULL = 2;   // |w| at which an edge reaches full colour and width
// a watch page's inspector cannot trace the session (it is the teacher's): say so before the click
const READONLY_FOOT = 'Click for the chain rule · to change a weight, Fork and play for a copy of your own.';
const EDGE_BUDGET = 6000; // edges stroked per frame at most (2-64-64-1 has 4,288: all drawn)
const EDGE_PICK = 6;      // pixels from an edge's centre line within which the pointer is on it
// steps of |w| (of ∂L/∂w backward) an edge's colour and width take: 0.17 px of width a step
const STROKE_LEVELS = 32;

// activations whose maps the server quantises over a fixed range (app/frames.py FIXED_RANGES)
const FIXED_RANGE = new Set(['tanh', 'sigmoid', 'softmax']);

export function createNetworkView(el, edgeCanvas, store, { onEdit, hovercard, onInspect }) {
  let geo = null;
  let columns = [], scale = 1;
  let edgeCtx = null, dpr = 1;
  let mode = 'forward';
  let inputLuts = null;
  let built = false;
  const theme = themeColors();

  // -- the keyboard route (see the top) ---------------------------------------------
  el.tabIndex = 0;
  el.setAttribute('role', 'application');
  el.setAttribute('aria-roledescription', 'network diagram');
  el.setAttribute('aria-label', 'Network');
  const keysHelp = document.createElement('p');
  keysHelp.id = 'network-keys';
  keysHelp.className = 'sr-only';
  keysHelp.textContent = 'Arrow keys move between the neurons: left and right between layers, up and down within a layer. '
    + 'Enter opens the neuron in the inspector, with its incoming weights.';
  const said = document.createElement('div');   // what the ring marks, said once per move
  said.className = 'sr-only';
  said.setAttribute('role', 'status');
  said.setAttribute('aria-live', 'polite');
  said.dataset.testid = 'network-said';
  const ring = document.createElement('div');
  ring.className = 'network-ring';
  ring.dataset.testid = 'network-ring';
  ring.setAttribute('aria-hidden', 'true');
  ring.hidden = true;
  el.after(ring, said, keysHelp);
  el.setAttribute('aria-describedby', keysHelp.id);
  let cursor = { col: 1, i: 0 };   // the neuron the ring marks
  let byKeys = false;              // the diagram has the focus from the keyboard: the arrows are its own
  let cardByKeys = false;          // the hover card shows the ring's neuron

  function activationOf(layer) {           // layer: weight-layer index
    const cfg = store.config;
    const L = store.data.sizes.length - 1;
    if (layer === L - 1) return cfg.output_activation;
    return Array.isArray(cfg.activation) ? cfg.activation[layer] : cfg.activation;
  }

  function nodeName(col, i) {
    const data = store.data;
    const L = data.sizes.length - 1;
    if (col === 0) return store.featureLabel(data.features[i]);
    if (col === L) return data.sizes[L] > 1 ? `ŷ${sub(i + 1)}` : 'ŷ';
    return `h${sub(col)},${sub(i + 1)}`;
  }

  // The edge under the pointer. Edges have no plotly targets: a marker at each
  // edge's middle made two edges through the same middle (x₂ → h₁ and x₁ → h₂
  // cross there) one target, so a third of a small network's weights and most
  // of a wide one's could not be pointed at; and 163,840 of them took 4.6 s to
  // build. The pointer is on an edge anywhere along its stroke instead: the one
  // drawn on top there, or failing that the nearest within EDGE_PICK pixels.
  // per edge of geo.edges, its stroke in the last frame (drawEdges): half its width (0: not drawn), and its bucket
  let strokeHalf = new Float32Array(0), strokeOrder = new Int16Array(0);
  const strokeOf = (i) => (strokeHalf[i] > 0 ? { half: strokeHalf[i], order: strokeOrder[i] } : null);
  function edgeUnder(ev) {
    if (!geo || strokeHalf.length !== geo.edges.length || !fits(store.frame)) return null;
    const r = el.getBoundingClientRect();
    const k = edgeAt(geo, ev.clientX - r.left, geo.height - (ev.clientY - r.top), strokeOf, EDGE_PICK);
    return k === null ? null : geo.edges[k];
  }
  const edgePoint = (edge) => ({ data: { meta: 'edge' }, edge });
  const edgeOf = (point) => point.edge;

  function traces() {
    const nx = [], ny = [], bx = [], by = [];
    geo.nodes.forEach((col, c) => col.forEach((n) => {
      nx.push(n.x); ny.push(n.y);
      if (c > 0) { const b = biasPosition(geo, n); bx.push(b.x); by.push(b.y); }
    }));
    return [
      { // neuron outlines and targets
        type: 'scatter', mode: 'markers', x: nx, y: ny, hoverinfo: 'none', showlegend: false, meta: 'neuron',
        marker: { symbol: 'square', size: geo.tile, color: 'rgba(0,0,0,0)', line: { color: theme.line, width: 1 } },
      },
      { // bias targets (the squares themselves are painted with the edges)
        type: 'scatter', mode: 'markers', x: bx, y: by, hoverinfo: 'none', showlegend: false, meta: 'bias',
        marker: { symbol: 'square', size: geo.bias + 4, color: 'rgba(0,0,0,0)' },
      },
    ];
  }

  const labelSize = (tile) => Math.max(11, Math.min(15, tile * 0.4));
  const measure = document.createElement('canvas').getContext('2d'); // for the labels' widths

  /** The layout, with room kept at the sides when the input or output labels
   * would not fit beside their tiles (many narrow columns), and the layer strip
   * above told the same margins so that its columns stay over the diagram's. */
  function fitLayout(sizes, width, height) {
    const L = sizes.length - 1;
    const widest = (col, size) => {
      measure.font = `${size}px ${theme.font}`;
      return Math.max(...Array.from({ length: sizes[col] }, (_, i) => measure.measureText(nodeName(col, i)).width));
    };
    let g = layoutNetwork(sizes, width, height);
    let left = 0, right = 0;
    for (let k = 0; k < 3; k++) { // a margin narrows the columns a little: check again
      const l = Math.ceil(widest(0, labelSize(g.tile)) + 7 - (g.nodes[0][0].x - g.tile / 2));
      const r = Math.ceil(widest(L, labelSize(g.tile)) + 7 - (width - g.nodes[L][0].x - g.tile / 2));
      if (l <= 0 && r <= 0) break;
      left += Math.max(0, l);
      right += Math.max(0, r);
      g = layoutNetwork(sizes, width, height, left, right);
    }
    const strip = el.closest('.panel')?.querySelector('.layer-strip');
    strip?.style.setProperty('--diagram-left', `${g.left}px`); // see .layer-strip in app.css
    strip?.style.setProperty('--diagram-right', `${g.right}px`);
    return g;
  }

  function annotations() {
    const L = store.data.sizes.length - 1;
    const size = labelSize(geo.tile);
    const label = (n, text, left) => ({
      x: left ? n.x - geo.tile / 2 - 5 : n.x + geo.tile / 2 + 5, y: n.y, xref: 'x', yref: 'y', text,
      showarrow: false, xanchor: left ? 'right' : 'left', font: { size, color: theme.ink },
    });
    const notes = [];
    const share = edgeShare(geo.sizes), widest = Math.max(...geo.sizes.slice(1).map((n, l) => n * geo.sizes[l]));
    if (widest > share) { // say so: a missing edge is not a zero weight
      notes.push({ x: 4, y: 2, xref: 'x', yref: 'y', xanchor: 'left', yanchor: 'bottom', showarrow: false,
        text: `Showing the ${share.toLocaleString('en')} strongest of ${widest.toLocaleString('en')} edges in each dense layer`,
        font: { size: 11, color: theme.muted }, name: 'edge-sample' });
    }
    return [...geo.nodes[0].map((n, i) => label(n, nodeName(0, i), true)),
            ...geo.nodes[L].map((n, i) => label(n, nodeName(L, i), false)), ...notes];
  }

  function rebuild() {
    const data = store.data;
    if (!data) return;
    hovered = null; // its index was into the targets of the old layout
    const width = Math.max(200, el.clientWidth), height = Math.max(100, el.clientHeight);  // the stage's smallest (classroom.css)
    geo = fitLayout(data.sizes, width, height);
    // neuron tiles: one narrow image per layer (small to encode), at most one
    // pixel per map cell
    // the finest map a frame brings (wide layers' come coarser: app/frames.py neuron_resolution)
    const res = Math.max(data.input_maps.resolution, store.frame?.neurons?.resolution ?? 0);
    scale = Math.min(1, res / geo.tile);
    columns = geo.nodes.map((nodes) => {
      const top = nodes[0].y + geo.tile / 2, bottom = nodes[nodes.length - 1].y - geo.tile / 2;
      const canvas = document.createElement('canvas');
      canvas.width = Math.max(1, Math.round(geo.tile * scale));
      canvas.height = Math.max(1, Math.ceil((top - bottom) * scale));
      const ctx = canvas.getContext('2d');
      return { canvas, ctx, image: ctx.createImageData(canvas.width, canvas.height), top, bottom, x: nodes[0].x };
    });
    // edges: a canvas the size of the plot, sharp on high-density screens
    dpr = window.devicePixelRatio || 1;
    edgeCanvas.width = Math.round(width * dpr);
    edgeCanvas.height = Math.round(height * dpr);
    edgeCtx = edgeCanvas.getContext('2d');
    inputLuts = data.input_maps.maps.map((m) => {
      const { centre, half } = centreOf('linear', m);
      return { bytes: decodeBytes(m.data), lut: lutFor(m, centre, half) };
    });
    const layout = {
      width, height, margin: { l: 0, r: 0, t: 0, b: 0 },
      paper_bgcolor: 'rgba(0,0,0,0)', plot_bgcolor: 'rgba(0,0,0,0)',
      xaxis: { range: [0, width], visible: false, fixedrange: true },
      yaxis: { range: [0, height], visible: false, fixedrange: true },
      dragmode: false, hovermode: 'closest', hoverdistance: 14, showlegend: false,
      annotations: annotations(),
      font: { family: theme.font },
    };
    Plotly.react(el, traces(), layout, { displayModeBar: false, responsive: false, doubleClick: false });
    el.dataset.sizes = data.sizes.join(',');
    el.setAttribute('aria-label', summary());
    if (byKeys) showCursor(false);   // the ring follows the new layout
    if (!built) { attachEvents(); built = true; }
    if (fits(store.frame)) update(store.frame);
    else edgeCtx.clearRect(0, 0, edgeCanvas.width, edgeCanvas.height);
  }

  /** Whether a frame has the shape the diagram was built for. */
  function fits(frame) {
    if (!geo || !frame || frame.layers.length !== geo.sizes.length - 1) return false;
    return frame.layers.every((l, i) => l.W.length === geo.sizes[i + 1] && l.W[0].length === geo.sizes[i]);
  }

  function edgeMatrix(frame, layer) {
    const l = frame.layers[layer];
    return mode === 'backward' ? l.dW : l.W;
  }

  /** Per weight layer, which edges are stroked: all of them, unless the layer
   * has more than its share of EDGE_BUDGET; then only its `share` strongest
   * (|w|, or |∂L/∂w| backward), those equal to the weakest kept taken in order
   * up to the share. One stroke costs ~5 µs: all 163,840 edges of ten layers of
   * 128 took 750 ms a frame. */
  let sampled = [];
  const edgeShare = (sizes) => Math.ceil(EDGE_BUDGET / (sizes.length - 1));
  function edgeFilters(frame) {
    const share = edgeShare(geo.sizes);
    sampled = frame.layers.map((_, l) => {
      const m = edgeMatrix(frame, l);
      const total = geo.sizes[l] * geo.sizes[l + 1];
      if (!m || total <= share) return { shown: total, total, floor: 0, ties: Infinity };
      const mags = new Float64Array(total);
      let k = 0;
      for (const row of m) for (const v of row) mags[k++] = Math.abs(v ?? 0);
      const floor = kthSmallest(mags, total - share);  // the share-th largest (sorting took 12 ms a frame at 10×128)
      let above = 0;
      for (let i = 0; i < total; i++) if (mags[i] > floor) above += 1;
      return { shown: share, total, floor, ties: share - above };
    });
    return sampled.map(({ floor, ties }) => ({ floor, ties }));
  }

  const strokeWidth = (a, widthScale) => (0.5 + 5 * a) * widthScale;   // a: |w| as a share of full, in steps
  let hovered = null; // the point under the pointer: its card follows the frames (a value just edited, training)
  function update(frame) {
    if (!fits(frame)) return;
    if (hovered && hovercard.visible) {
      const info = describe(hovered);
      if (info) hovercard.show(cardByKeys ? keyCard(info) : info);
    }
    drawEdges(frame);
    paintTiles(frame);
    // The tiles go on the same canvas, over the edges: far cheaper per frame
    // than re-encoding them as plotly layout images (and exports include them).
    const ctx = edgeCtx;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    for (const c of columns) {
      ctx.drawImage(c.canvas, (c.x - geo.tile / 2) * dpr, (geo.height - c.top) * dpr,
        geo.tile * dpr, (c.top - c.bottom) * dpr);
    }
  }

  function drawEdges(frame) {
    const ctx = edgeCtx;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, edgeCanvas.width, edgeCanvas.height);
    ctx.setTransform(dpr, 0, 0, -dpr, 0, geo.height * dpr);  // plot coordinates, y up
    let full = WEIGHT_FULL;
    if (mode === 'backward') {
      full = 0;
      for (let l = 0; l < frame.layers.length; l++) {
        const m = edgeMatrix(frame, l);
        if (m) for (const row of m) for (const v of row) full = Math.max(full, Math.abs(v ?? 0));
      }
      full = full || 1;
    }
    const widthScale = Math.max(0.5, Math.min(1, geo.tile / 36)) * lineScale(); // presenter mode: thicker
    ctx.lineCap = 'round';
    const keep = edgeFilters(frame);
    // Edges go in buckets of one colour and width (sign × STROKE_LEVELS steps of
    // |w|), each stroked as one path: one stroke a bucket instead of one an edge
    // (a stroke call costs microseconds of its own), the weak buckets first so the
    // strong edges lie on top.
    const buckets = Array.from({ length: 3 * (STROKE_LEVELS + 1) }, () => []);
    if (strokeHalf.length !== geo.edges.length) {
      strokeHalf = new Float32Array(geo.edges.length);
      strokeOrder = new Int16Array(geo.edges.length);
    } else strokeHalf.fill(0);
    for (let i = 0; i < geo.edges.length; i++) {
      const e = geo.edges[i];
      const m = edgeMatrix(frame, e.layer);
      const w = m ? (m[e.to][e.from] ?? 0) : 0;
      const k = keep[e.layer];
      if (Math.abs(w) < k.floor || (Math.abs(w) === k.floor && k.ties-- <= 0)) continue;
      const level = Math.round(Math.min(1, Math.abs(w) / full) * STROKE_LEVELS) || 0;  // 0 for NaN
      const bucket = level * 3 + (w > 0 ? 2 : w < 0 ? 0 : 1);
      buckets[bucket].push(e);
      strokeHalf[i] = strokeWidth(level / STROKE_LEVELS, widthScale) / 2;
      strokeOrder[i] = bucket;
    }
    buckets.forEach((edges, i) => {
      if (!edges.length) return;
      const a = Math.floor(i / 3) / STROKE_LEVELS, sign = (i % 3) - 1;
      ctx.strokeStyle = rgbString(diverging(sign * (0.22 + 0.78 * Math.sqrt(a))));
      ctx.lineWidth = strokeWidth(a, widthScale);
      ctx.beginPath();
      for (const e of edges) {
        ctx.moveTo(e.xs[0], e.ys[0]);
        ctx.bezierCurveTo(e.xs[1], e.ys[1], e.xs[2], e.ys[2], e.xs[3], e.ys[3]);
      }
      ctx.stroke();
    });
    // biases: small squares beside each neuron, coloured like the edges
    ctx.lineWidth = 1;
    ctx.strokeStyle = theme.muted;
    for (let l = 0; l < frame.layers.length; l++) {
      const b = frame.layers[l].b;
      geo.nodes[l + 1].forEach((n, j) => {
        const p = biasPosition(geo, n);
        const v = b[j] ?? 0;
        ctx.fillStyle = rgbString(diverging(Math.sign(v) * Math.sqrt(Math.min(1, Math.abs(v) / WEIGHT_FULL))));
        ctx.fillRect(p.x - geo.bias / 2, p.y - geo.bias / 2, geo.bias, geo.bias);
        ctx.strokeRect(p.x - geo.bias / 2, p.y - geo.bias / 2, geo.bias, geo.bias);
      });
    }
  }

  function paintTiles(frame) {
    const data = store.data;
    const twoD = data.inputs === 2;
    const t = Math.round(geo.tile * scale);
    const put = (c, node, bytes, lut) => {
      const oy = Math.round((c.top - node.y - geo.tile / 2) * scale);
      paintMap(c.image, 0, oy, t, bytes, lut, twoD);
    };
    geo.nodes[0].forEach((n, i) => put(columns[0], n, inputLuts[i].bytes, inputLuts[i].lut));
    const maps = frame.neurons.maps;
    for (let l = 0; l < maps.length; l++) {
      const act = activationOf(l);
      const c = columns[l + 1];
      maps[l].forEach((m, j) => {
        const { centre, half } = centreOf(act, m);
        put(c, geo.nodes[l + 1][j], decodeBytes(m.data), lutFor(m, centre, half));
      });
    }
    for (const c of columns) c.ctx.putImageData(c.image, 0, 0);
  }

  // -- hover and click ------------------------------------------------------
  function describe(point) {
    const frame = store.frame, data = store.data;
    if (!data || !fits(frame)) return null;
    const kind = point.data.meta;
    const L = data.sizes.length - 1;
    if (kind === 'edge') {
      const e = edgeOf(point);
      const layer = frame.layers[e.layer];
      const grad = layer.dW ? layer.dW[e.to][e.from] : null;
      return {
        title: `Weight ${nodeName(e.layer, e.from)} → ${nodeName(e.layer + 1, e.to)}`,
        rows: [[`w = W${sub(e.layer + 1)}[${e.to + 1}, ${e.from + 1}]`, num(layer.W[e.to][e.from], 4)],
               [`∂L/∂w (${lastUpdate(frame)})`, grad === null ? '— (no update yet)' : num(grad, 4)]],
        foot: store.readonly ? READONLY_FOOT : 'Click for the chain rule · shift-click to type a new value.',
        edit: { kind: 'weight', layer: e.layer, to: e.to, from: e.from, value: layer.W[e.to][e.from],
                label: `w from ${nodeName(e.layer, e.from)} to ${nodeName(e.layer + 1, e.to)}` },
      };
    }
    if (kind === 'bias') {
      const { col, i } = flatToNode(point.pointIndex, 1);
      const layer = frame.layers[col - 1];
      return {
        title: `Bias of ${nodeName(col, i)}`,
        rows: [['b', num(layer.b[i], 4)], [`∂L/∂b (${lastUpdate(frame)})`, layer.db ? num(layer.db[i], 4) : '— (no update yet)']],
        foot: store.readonly ? READONLY_FOOT : 'Click for the chain rule · shift-click to type a new value.',
        edit: { kind: 'bias', layer: col - 1, to: i, value: layer.b[i], label: `the bias of ${nodeName(col, i)}` },
      };
    }
    if (kind === 'neuron') {
      const { col, i } = flatToNode(point.pointIndex, 0);
      if (col === 0) {
        const m = data.input_maps.maps[i];
        return { title: `Input ${nodeName(0, i)}`, rows: [['range over the plane', `${num(m.lo, 3)} … ${num(m.hi, 3)}`]],
                 foot: 'What the network is given of each point.' };
      }
      const m = frame.neurons.maps[col - 1][i];
      return {
        title: `${col === L ? 'Output' : 'Neuron'} ${nodeName(col, i)}`,
        rows: [['activation', activationOf(col - 1)], ['bias b', num(frame.layers[col - 1].b[i], 6)],
               ['a over the input plane', spanText(m, activationOf(col - 1))]],
        foot: `The picture: this neuron’s activation ${layerFormula(col)} at every point of the plane. Click for its z, a and δ on the chosen sample.`,
      };
    }
    return null;
  }

  /** "lo … hi" of what a neuron's picture holds (≈ where it is read off a map quantised over a fixed range). */
  function spanText(m, activation) {
    const [lo, hi, exact] = mapRange(m, FIXED_RANGE.has(activation)); // tanh, σ, softmax: quantised over −1…1 or 0…1
    return `${exact ? '' : '≈ '}${signedNum(lo, 3)} … ${signedNum(hi, 3)}`;
  }

  /** a⁽ˡ⁾ = f(W⁽ˡ⁾·a⁽ˡ⁻¹⁾ + b⁽ˡ⁾) for layer l, as explain mode writes it (a⁽⁰⁾ is the input). */
  function layerFormula(l) {
    const up = (i) => `⁽${String(i).split('').map((c) => '⁰¹²³⁴⁵⁶⁷⁸⁹'[+c]).join('')}⁾`;
    return `a${up(l)} = f(W${up(l)}·a${up(l - 1)} + b${up(l)})`;
  }

  function flatToNode(index, firstCol) {
    const sizes = store.data.sizes;
    let k = index;
    for (let c = firstCol; c < sizes.length; c++) {
      if (k < sizes[c]) return { col: c, i: k };
      k -= sizes[c];
    }
    return { col: sizes.length - 1, i: 0 };
  }

  function attachEvents() {
    // neurons and biases: plotly's targets; while one is under the pointer, it is what is hovered
    el.on('plotly_hover', (ev) => {
      hovered = ev.points[0];
      cardByKeys = false;
      const info = describe(hovered);
      if (info) hovercard.show(info, ev.event);
    });
    el.on('plotly_unhover', () => { hovered = null; hovercard.hide(); });
    el.on('plotly_click', (ev) => clickPoint(ev.points[0], ev.event));
    // edges: found along their curves (see edgeUnder)
    el.addEventListener('mousemove', (ev) => {
      if (hovered && !hovered.edge) return;   // a neuron or a bias (or the keyboard's card)
      const edge = edgeUnder(ev);
      if (edge === (hovered?.edge ?? null)) return;
      hovered = edge ? edgePoint(edge) : null;
      const info = edge && describe(hovered);
      if (info) hovercard.show(info, ev);
      else hovercard.hide();
    });
    el.addEventListener('mouseleave', () => { if (hovered?.edge) { hovered = null; hovercard.hide(); } });
    el.addEventListener('click', (ev) => {
      if (hovered && !hovered.edge) return;   // plotly's click (plotly_click) has it
      const edge = edgeUnder(ev);
      if (edge) clickPoint(edgePoint(edge), ev);
    });
  }

  function clickPoint(point, event) {
    const info = describe(point);
    // a plain click opens the inspector (issue 4); shift-click types a new value
    if (!event?.shiftKey && onInspect?.(point, event)) { hovercard.hide(); return; }
    if (info?.edit && !store.readonly) { hovercard.hide(); onEdit(info.edit, event); }
  }

  function setMode(next) {
    mode = next === 'backward' ? 'backward' : 'forward';
    if (store.data) el.setAttribute('aria-label', summary());
    if (store.frame) update(store.frame);
  }

  // -- the keyboard and the text alternative ------------------------------------------
  const and = (items) => (items.length > 1 ? `${items.slice(0, -1).join(', ')} and ${items.at(-1)}` : items.join(''));
  const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;

  /** "Network: 2 inputs (x₁, x₂), hidden layers 4 and 2, 1 output. Forward pass: …" */
  function summary() {
    const sizes = store.data.sizes, L = sizes.length - 1;
    const hidden = sizes.slice(1, L);
    const inputs = sizes[0] <= 8 ? ` (${Array.from({ length: sizes[0] }, (_, i) => nodeName(0, i)).join(', ')})` : '';
    const layers = hidden.length ? `hidden layer${hidden.length > 1 ? 's' : ''} ${and(hidden.map(String))}` : 'no hidden layer';
    const pass = mode === 'backward'
      ? 'Backward pass: edges show ∂L/∂W of the last update, neurons ∂L/∂b.'
      : 'Forward pass: edges show the weights, neurons their activation over the input plane.';
    return `Network: ${plural(sizes[0], 'input')}${inputs}, ${layers}, ${plural(sizes[L], 'output')}. ${pass}`;
  }

  /** Where neuron i of column col stands, in words. */
  function placeOf(col, i) {
    const L = geo.sizes.length - 1, n = geo.sizes[col];
    const where = col === 0 ? 'input' : col === L ? 'output' : `hidden layer ${col}, neuron`;
    return `${where} ${i + 1} of ${n}`;
  }

  const cursorPoint = () => ({ data: { meta: 'neuron' }, pointIndex: geo.sizes.slice(0, cursor.col).reduce((a, b) => a + b, 0) + cursor.i });
  /** The hover card of a neuron reached from the keyboard: its foot names the keys, not the click. */
  const keyCard = (info) => ({ ...info, foot: cursor.col === 0 ? info.foot : 'Enter: its z, a and δ on the chosen sample, in the inspector.' });

  function showCursor(say) {
    if (!byKeys || !geo) { ring.hidden = true; return; }
    const L = geo.sizes.length - 1;
    cursor.col = Math.max(0, Math.min(L, cursor.col));
    cursor.i = Math.max(0, Math.min(geo.sizes[cursor.col] - 1, cursor.i));
    const n = geo.nodes[cursor.col][cursor.i];
    const pad = 5, top = geo.height - n.y - geo.tile / 2;
    Object.assign(ring.style, { left: `${n.x - geo.tile / 2 - pad}px`, top: `${top - pad}px`,
                                width: `${geo.tile + 2 * pad}px`, height: `${geo.tile + 2 * pad}px` });
    ring.hidden = false;
    ring.dataset.col = String(cursor.col);
    ring.dataset.index = String(cursor.i);
    const info = describe(cursorPoint());
    if (info) {
      const box = el.getBoundingClientRect();
      hovered = cursorPoint();
      cardByKeys = true;
      hovercard.show(keyCard(info), { clientX: box.left + n.x + geo.tile / 2 + pad, clientY: box.top + top - 14 });
    }
    if (say) {
      const rows = info ? info.rows.map(([k, v]) => `${k} ${v}`).join(', ') : '';
      const name = nodeName(cursor.col, cursor.i);
      said.textContent = `${cursor.col === 0 ? 'Input' : cursor.col === L ? 'Output' : 'Neuron'} ${name}, ${placeOf(cursor.col, cursor.i)}${rows ? `: ${rows}` : ''}.`;
    }
  }

  function leaveKeys() {
    byKeys = false;
    el.removeAttribute('data-arrow-keys');
    ring.hidden = true;
    if (cardByKeys) { hovered = null; cardByKeys = false; hovercard.hide(); }
  }

  el.addEventListener('focus', () => {
    // from the keyboard (Tab, or the focus given back by the inspector): the ring; from a click: nothing changes
    if (!usingKeyboard() || !geo) return;
    byKeys = true;
    el.setAttribute('data-arrow-keys', '');   // explain mode's ← → leave them to the diagram
    showCursor(true);
  });
  el.addEventListener('blur', leaveKeys);
  el.addEventListener('pointerdown', () => { if (byKeys) leaveKeys(); }, true);
  el.addEventListener('keydown', (ev) => {
    if (!byKeys || !geo || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    const L = geo.sizes.length - 1;
    const { col, i } = cursor;
    let next = null;
    if (ev.key === 'ArrowUp') next = { col, i: i - 1 };
    else if (ev.key === 'ArrowDown') next = { col, i: i + 1 };
    else if (ev.key === 'Home') next = { col, i: 0 };
    else if (ev.key === 'End') next = { col, i: geo.sizes[col] - 1 };
    else if (ev.key === 'ArrowLeft' || ev.key === 'ArrowRight') {
      const c = Math.max(0, Math.min(L, col + (ev.key === 'ArrowLeft' ? -1 : 1)));
      const y = geo.nodes[col][i].y;   // the neuron nearest in height: the ring moves across, not to the top
      let best = 0;
      geo.nodes[c].forEach((n, k) => { if (Math.abs(n.y - y) < Math.abs(geo.nodes[c][best].y - y)) best = k; });
      next = { col: c, i: best };
    } else if (ev.key === 'Enter' || ev.key === ' ') {
      ev.preventDefault();
      ev.stopPropagation();   // not play (space), not the page's own keys
      if (!ev.repeat && onInspect?.(cursorPoint(), { keyboard: true, clientX: NaN, clientY: NaN })) {
        said.textContent = `${nodeName(cursor.col, cursor.i)} opened in the inspector.`;
      }
      return;
    } else if (ev.key === 'Escape' && cardByKeys) {
      ev.preventDefault();
      ev.stopPropagation();   // the ring's card goes first; the next Escape is the page's
      hovered = null; cardByKeys = false; hovercard.hide();
      return;
    } else {
      return;   // b, r, Tab, Escape: the page's
    }
    ev.preventDefault();
    ev.stopPropagation();   // → moves the ring: it does not step the training
    next.i = Math.max(0, Math.min(geo.sizes[next.col] - 1, next.i));
    const moved = next.col !== col || next.i !== i;
    cursor = next;
    showCursor(moved);
  });

  const resize = new ResizeObserver(() => {
    if (!geo) return;
    if (Math.abs(el.clientWidth - geo.width) > 2 || Math.abs(el.clientHeight - geo.height) > 2) rebuild();
  });
  resize.observe(el);

  return { rebuild, update, setMode, edgeOf, get geometry() { return geo; }, get sampled() { return sampled; }, get strokes() { return Array.from(strokeHalf, (_, i) => strokeOf(i)); } };
}

/** The k-th smallest value of `a` (0-based), by quickselect: `a` is reordered. */
export function kthSmallest(a, k) {
  let lo = 0, hi = a.length - 1;
  while (lo < hi) {
    // median of three as the pivot, then Hoare's partition
    const mid = (lo + hi) >> 1;
    const x = a[lo], y = a[mid], z = a[hi];
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : (x < z ? x : y < z ? z : y);
    let i = lo, j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) { const t = a[i]; a[i] = a[j]; a[j] = t; i++; j--; }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k];
  }
  return a[k];
}
