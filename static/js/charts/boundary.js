// The output plot: the decision boundary (or regression surface) over the
// input plane with the train and, optionally, test points; for one-input data
// a curve of the output. Colours follow the engine's output map exactly; the
// page only maps its numbers to colours.
//
// Live updates: for two-input data the map is painted on a canvas laid under
// the (transparent) plotly plot, exactly over its axes, so a frame is one
// putImageData: no plotly call, no PNG encoding, no SVG relayout. For
// one-input data a frame is one restyle of the curve.

import { CLASS_RGB, diverging, lighten, rgbString, themeColors } from '../colors.js';
import { num, percent } from '../format.js';
import { decodeBytes } from '../maps.js';
import { chartLabel } from '../popup.js';
import { axis, baseLayout, fontScale, PLOT_CONFIG } from './plot-theme.js';

const DOMAIN = 6;
const BACKGROUND_LIGHTEN = 0.3;

export function createBoundaryView(el, canvas, store, { onPlaneClick }) {
  const ctx = canvas.getContext('2d');
  let image = null;
  let shape = null;            // {inputs, task, classes, outputs, span}
  let showTest = false;
  let discretize = false;
  let draft = null;            // pending custom points {x, y} not yet on the server
  let built = false;
  const theme = themeColors();
  // its text alternative: what the plot shows and the newest accuracy and loss (at most once a second while training runs)
  const say = chartLabel(el);
  function words() {
    const data = store.data, frame = store.frame;
    if (!data || !shape) return 'Output';
    const names = data.features.slice(0, 2).map((f) => store.featureLabel(f));
    const over = shape.inputs === 2 ? `over the input plane ${names.join(', ')}` : `along ${names[0] ?? 'x₁'}`;
    const what = shape.inputs === 2
      ? (shape.task === 'classification' ? `decision boundary of ${shape.classes} classes` : 'regression surface')
      : (shape.task === 'classification' ? 'class probability curve' : 'regression curve');
    const points = draft ? `${draft.x.length} points of your own, not trained yet`
      : `${data.train.x.length} train points${showTest ? ` and ${data.test.x.length} test points` : ''}`;
    let now = '';
    if (frame && !draft) {
      const acc = frame.accuracy ? `accuracy train ${percent(frame.accuracy.train)}, test ${percent(frame.accuracy.test)}; ` : '';
      now = ` At update ${frame.step}: ${acc}loss train ${num(frame.loss?.train)}, test ${num(frame.loss?.test)}.`;
    }
    return `Output: ${what} ${over}, with ${points}.${now}`;
  }

  function classColor(label) {
    return rgbString(CLASS_RGB[label] ?? CLASS_RGB[0]);
  }

  function pointColors(labels) {
    if (shape.task === 'classification') return labels.map(classColor);
    return labels.map((v) => rgbString(diverging(v / shape.span)));
  }

  function pointTrace(split, isTest) {
    const xs = split.x;
    const two = shape.inputs === 2;
    return {
      type: 'scatter', mode: 'markers', name: isTest ? 'test' : 'train',
      x: xs.map((p) => p[0]), y: two ? xs.map((p) => p[1]) : split.label,
      visible: isTest ? showTest : true,
      hovertemplate: two
        ? `${isTest ? 'test' : 'train'} point<br>x₁ %{x:.2f}, x₂ %{y:.2f}<br>${shape.task === 'classification' ? 'class' : 'y'} %{text}<extra></extra>`
        : `${isTest ? 'test' : 'train'} point<br>x₁ %{x:.2f}, y %{y:.3f}<extra></extra>`,
      text: split.label.map((v) => (Number.isInteger(v) ? String(v) : v.toFixed(3))),
      marker: {
        size: Math.max(4, Math.min(8, 1300 / Math.sqrt(xs.length + 1) / 20)), color: pointColors(split.label),
        line: { color: isTest ? '#111' : '#fff', width: isTest ? 1.2 : 0.8 },
        symbol: 'circle',
      },
    };
  }

  /** Margins that hold the tick labels and axis titles, which presenter mode enlarges. */
  function margins(l) {
    const k = fontScale();
    return { l: Math.round(l * k), r: 8, t: 6, b: Math.round(30 * k) };
  }

  function rebuild() {
    const data = store.data;
    if (!data) return;
    const labels = [...data.train.label, ...data.test.label];
    const span = Math.max(1e-9, ...labels.map((v) => Math.abs(v)));
    const outputs = data.sizes[data.sizes.length - 1];
    shape = { inputs: data.inputs, task: data.task, classes: data.classes, outputs, span };
    const traces = [pointTrace(data.train, false), pointTrace(data.test, true), draftTrace()];
    let layout;
    if (data.inputs === 2) {
      const R = store.frame?.output?.resolution ?? 50;
      if (canvas.width !== R || canvas.height !== R || !image) {
        canvas.width = R; canvas.height = R;
        image = ctx.createImageData(R, R);
      }
      layout = baseLayout({
        margin: margins(34),
        xaxis: axis({ range: [-DOMAIN, DOMAIN], tickvals: [-6, -3, 0, 3, 6], zeroline: false, showgrid: false,
                      title: { text: 'x₁', standoff: 2 }, constrain: 'domain' }),
        yaxis: axis({ range: [-DOMAIN, DOMAIN], tickvals: [-6, -3, 0, 3, 6], zeroline: false, showgrid: false,
                      title: { text: 'x₂', standoff: 2 }, scaleanchor: 'x', scaleratio: 1, constrain: 'domain' }),
      });
    } else {
      for (let k = 0; k < outputs; k++) {
        traces.push({
          type: 'scatter', mode: 'lines', x: [], y: [], name: 'network output',
          line: { color: outputs > 1 ? classColor(k) : theme.ink, width: 2.5 },
          hovertemplate: 'x₁ %{x:.2f}<br>ŷ ≈ %{y:.2f}<extra>network</extra>', // drawn from the frame's byte map (1/255 of its range)
        });
      }
      const lo = Math.min(...labels), hi = Math.max(...labels);
      const padY = (hi - lo) * 0.15 || 0.5;
      layout = baseLayout({
        margin: margins(40),
        xaxis: axis({ range: [-DOMAIN, DOMAIN], tickvals: [-6, -3, 0, 3, 6], title: { text: 'x₁', standoff: 2 } }),
        yaxis: axis({ range: [lo - padY, hi + padY], title: { text: data.task === 'classification' ? 'class / p' : 'y', standoff: 2 } }),
      });
    }
    Plotly.react(el, traces, layout, PLOT_CONFIG);
    if (!built) { attachEvents(); built = true; }
    placeCanvas();
    el.dataset.inputs = String(data.inputs);
    if (store.frame) update(store.frame);
    say(words, true);
  }

  function draftTrace() {
    const d = draft ?? { x: [], y: [] };
    return {
      type: 'scatter', mode: 'markers', name: 'your points', x: d.x.map((p) => p[0]), y: d.x.map((p) => p[1]),
      hovertemplate: 'your point<br>x₁ %{x:.2f}, x₂ %{y:.2f}<extra></extra>',
      marker: { size: 9, color: d.y.map(classColor), line: { color: '#fff', width: 1.5 } },
    };
  }

  function update(frame) {
    if (shape) say(words, !store.playing);
    if (!shape || !frame.output) return;
    const maps = frame.output.maps;
    const R = frame.output.resolution;
    if (maps.length !== shape.outputs) return;
    if (shape.inputs === 2 && R !== canvas.width) return;
    if (shape.inputs === 2) {
      paintOutput(maps);
    } else {
      const xs = Array.from({ length: R }, (_, i) => -DOMAIN + (2 * DOMAIN * i) / (R - 1));
      const ys = maps.map((m) => {
        const b = decodeBytes(m.data);
        return Array.from(b, (v) => m.lo + (v / 255) * (m.hi - m.lo));
      });
      const idx = maps.map((_, k) => 3 + k);
      Plotly.restyle(el, { x: maps.map(() => xs), y: ys }, idx);
    }
  }

  function paintOutput(maps) {
    const R = canvas.width;
    const bytes = maps.map((m) => decodeBytes(m.data));
    const value = (k, cell) => maps[k].lo + (bytes[k][cell] / 255) * (maps[k].hi - maps[k].lo);
    const px = image.data;
    for (let r = 0; r < R; r++) {
      const row = R - 1 - r; // canvas rows go down, the map's rows go up
      for (let c = 0; c < R; c++) {
        const cell = r * R + c;
        let rgb;
        if (shape.task === 'regression') {
          rgb = diverging(value(0, cell) / shape.span);
          if (discretize) rgb = diverging(Math.sign(value(0, cell)));
        } else if (shape.outputs === 1 || shape.outputs === 2) {
          const p = value(shape.outputs - 1, cell);
          rgb = diverging(discretize ? (p >= 0.5 ? 1 : -1) : 2 * p - 1);
        } else {
          rgb = blendClasses(maps.length, (k) => value(k, cell));
        }
        rgb = lighten(rgb, BACKGROUND_LIGHTEN);
        const o = (row * R + c) * 4;
        px[o] = rgb[0]; px[o + 1] = rgb[1]; px[o + 2] = rgb[2]; px[o + 3] = 255;
      }
    }
    ctx.putImageData(image, 0, 0);
  }

  function blendClasses(k, p) {
    let best = 0, bestP = -1, r = 0, g = 0, b = 0;
    for (let j = 0; j < k; j++) {
      const v = p(j);
      const c = CLASS_RGB[j] ?? [128, 128, 128];
      r += v * c[0]; g += v * c[1]; b += v * c[2];
      if (v > bestP) { bestP = v; best = j; }
    }
    if (discretize) return CLASS_RGB[best] ?? [128, 128, 128];
    const confidence = Math.max(0, Math.min(1, (bestP - 1 / k) / (1 - 1 / k)));
    return lighten([r, g, b], 1 - confidence);
  }

  /** Lay the map canvas exactly over the plot's axes (after every redraw:
   * a resize or a new layout moves them). */
  function placeCanvas() {
    const full = el._fullLayout;
    const show = Boolean(shape && shape.inputs === 2 && full?.xaxis && !draft);
    canvas.hidden = !show;
    if (!show) return;
    const xa = full.xaxis, ya = full.yaxis;
    const R = canvas.width;
    const box = `${R} ${Math.round(xa._offset)}px ${Math.round(ya._offset)}px ${Math.round(xa._length)}px ${Math.round(ya._length)}px`;
    if (canvas.dataset.box === box) return;
    canvas.dataset.box = box;
    // The engine's R values lie at linspace(−6, 6, R): the first and the last on
    // the axes' edges. Pixel c's centre must lie on value c, so the canvas
    // reaches half a spacing past the axes on every side, and that half is cut
    // off. (Laid edge to edge instead, a boundary at x₁ = 5 showed at 4.88.)
    const hx = xa._length / (2 * (R - 1)), hy = ya._length / (2 * (R - 1));
    Object.assign(canvas.style, {
      left: `${xa._offset - hx}px`, top: `${ya._offset - hy}px`,
      width: `${xa._length + 2 * hx}px`, height: `${ya._length + 2 * hy}px`,
      clipPath: `inset(${hy}px ${hx}px)`,
    });
  }

  function attachEvents() {
    el.on('plotly_afterplot', placeCanvas);
    // plotly follows the window's size only; the plot's box also changes without
    // it (presenter mode shrinks it): a plot left at its old size spills its
    // axis labels over the check boxes below
    new ResizeObserver(fitSize).observe(el);
    // Clicks on the plane (not only on points) become data coordinates.
    // A mouse click reaches here once: plotly's own click (untrusted: the
    // browser's lands on plotly's drag cover). A tap reached here twice and
    // added two points: plotly's click, then the browser's (trusted) one at the
    // same place. The second of such a pair is the same tap; two clicks of the
    // same kind (a mouse double-click, two quick taps) stay two.
    let last = null;   // the click that last reached the plane: {t, x, y, trusted}
    el.addEventListener('click', (ev) => {
      if (!shape || shape.inputs !== 2) return;
      const full = el._fullLayout;
      if (!full) return;
      const xa = full.xaxis, ya = full.yaxis;
      const box = el.getBoundingClientRect();
      const px = ev.clientX - box.left - xa._offset;
      const py = ev.clientY - box.top - ya._offset;
      if (px < 0 || py < 0 || px > xa._length || py > ya._length) return;
      const now = performance.now();
      const twin = last && last.trusted !== ev.isTrusted && now - last.t < 800
        && Math.abs(ev.clientX - last.x) <= 12 && Math.abs(ev.clientY - last.y) <= 12;
      last = twin ? null : { t: now, x: ev.clientX, y: ev.clientY, trusted: ev.isTrusted };
      if (twin) return;
      const x1 = xa.p2d(px), x2 = ya.p2d(py);
      if (Math.abs(x1) <= DOMAIN && Math.abs(x2) <= DOMAIN) onPlaneClick(x1, x2, ev);
    });
  }

  let resizing = false;
  function fitSize() {
    const full = el._fullLayout;
    if (resizing || !full || !el.clientWidth || !el.clientHeight) return;
    if (Math.abs(full.width - el.clientWidth) <= 1 && Math.abs(full.height - el.clientHeight) <= 1) return;
    resizing = true; // plotly debounces resize: a second call before it ran would postpone it again
    Plotly.Plots.resize(el).catch(() => {}).finally(() => { resizing = false; fitSize(); });
  }

  function setShowTest(on) {
    showTest = on;
    if (shape) say(words, true);
    if (shape) Plotly.restyle(el, { visible: draft ? false : on }, [1]);
  }

  function setDiscretize(on) {
    discretize = on;
    if (store.frame) update(store.frame);
  }

  /** Show pending points of the user's own (null: show the session's data). */
  function setDraft(points) {
    draft = points;
    if (!shape) return;
    say(words, true);
    const t = draftTrace();
    Plotly.restyle(el, { x: [t.x], y: [t.y], 'marker.color': [t.marker.color] }, [2]);
    Plotly.restyle(el, { visible: [!draft, draft ? false : showTest] }, [0, 1]);
    placeCanvas();
  }

  return { rebuild, update, setShowTest, setDiscretize, setDraft };
}
