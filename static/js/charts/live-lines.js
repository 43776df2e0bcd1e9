// Line charts that follow training live without redrawing plotly.
//
// A plotly redraw of even a small line chart costs 8–20 ms (axes, ticks and
// labels are laid out again every time), far too much to repeat several
// times a second beside the network and the output map. So the work is
// split: plotly draws the axes, the legend and the hover labels, with axis
// ranges that change only now and then (they grow in steps, with headroom);
// the lines themselves are painted on a canvas laid under the plot, which
// costs well under a millisecond. Plotly's own copy of the lines is hidden
// (live-lines.css) and its data, used for hover labels and exports, is
// brought up to date when training pauses, while the pointer is over the
// chart (at most once a second) and before an export.

import { PLOT_CONFIG } from './plot-theme.js';

const SYNCED = new WeakMap(); // plot element → async () => its plotly data brought up to date

/** Bring a live chart's plotly data up to date (e.g. before exporting it). */
export function syncPlot(el) {
  return SYNCED.get(el)?.() ?? Promise.resolve();
}

const NICE = [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10];

/** The smallest "round" number (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 × 10^k) ≥ v. */
export function niceCeil(v) {
  if (!(v > 0) || !Number.isFinite(v)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of NICE) if (m * p >= v * (1 - 1e-12)) return m * p;
  return 10 * p;
}

function extent(traces, logY) {
  let xmax = 0, lo = Infinity, hi = -Infinity;
  for (const t of traces) {
    if (t.x.length) xmax = Math.max(xmax, t.x[t.x.length - 1]);
    for (const v of t.y) {
      if (v === null || !Number.isFinite(v) || (logY && v <= 0)) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  return { xmax, lo, hi };
}

/** Axis ranges for the data, keeping `current` while it still fits well:
 * x runs from 0 to a round number with room to grow; a linear y from 0, a
 * log y over whole half-decades (two decades at least). */
export function rangesFor(traces, logY, current = null) {
  const { xmax, lo, hi } = extent(traces, logY);
  let x = current?.x;
  if (!x || xmax > x[1] || xmax < x[1] / 5) x = [0, niceCeil(Math.max(xmax * 1.25, 4))];
  let y = current?.y;
  if (!Number.isFinite(hi)) {
    y = y ?? (logY ? [-2, 0] : [0, 1]);
  } else if (logY) {
    const a = Math.log10(lo), b = Math.log10(hi);
    const fits = y && a >= y[0] && b <= y[1] && (y[1] - y[0]) <= Math.max(b - a, 1) + 2;
    if (!fits) {
      let r0 = Math.floor(a * 2) / 2 - 0.25, r1 = Math.ceil(b * 2) / 2 + 0.25;
      if (r1 - r0 < 2) { const mid = (r0 + r1) / 2; r0 = mid - 1; r1 = mid + 1; } // two labelled decades at least
      y = [r0, r1];
    }
  } else if (!y || hi > y[1] || hi < y[1] * 0.45) {
    y = [0, niceCeil(hi * 1.08)];
  }
  return { x, y };
}

const LOG_STEPS = [1, 2, 3, 5];

/** Decades between labels of a log axis spanning `decades` over `pixels`, so
 * labels `gap` px tall never run into each other: 1, 2, 3, 5, 10, 20, … (a
 * diverging run spans dozens of decades in a chart under 100 px tall). */
export function logDtick(decades, pixels, gap) {
  const need = (decades * gap) / Math.max(pixels, 1);
  for (let p = 1; ; p *= 10) {
    for (const m of LOG_STEPS) if (m * p >= need) return m * p;
  }
}

function dashFor(dash, width) {
  const d = Math.max(width, 3); // plotly's own dash lengths
  if (dash === 'dash') return [3 * d, 3 * d];
  if (dash === 'dot') return [d, 2 * d];
  return [];
}

/**
 * Live lines for the plot `el`. `render(traces, layout)` builds the chart
 * (plotly traces as usual; the axis ranges are set here); `refresh(data)`
 * follows new numbers for the same traces: `data[i] = {x, y, mode}`.
 */
export function createLiveLines(el, { logY = false, isPlaying = () => false }) {
  const canvas = document.createElement('canvas');
  canvas.className = 'live-lines';
  canvas.id = `${el.id}-lines`;
  canvas.setAttribute('aria-hidden', 'true');
  el.classList.add('live-lines-host');
  let shown = [];        // what the canvas draws: [{x, y, mode, line, marker, visible}]
  let ranges = null;
  let stale = false;     // plotly's data lags behind `shown`
  let syncedAt = -1e9;
  let hovering = false;
  let built = false;
  let margin = { t: 0, b: 0 };
  let labelGap = 18;      // px between log-axis labels (their height and a little air)
  let dtick = 1;

  /** The y axis's label spacing for the current range and plot height (log axes only). */
  function yTicks() {
    if (!logY) return {};
    const h = el._fullLayout?.yaxis?._length ?? el.clientHeight - margin.t - margin.b;
    dtick = logDtick(ranges.y[1] - ranges.y[0], h, labelGap);
    return { dtick };
  }

  /** After a resize the plot may be too short for the labels it has: space them again.
   * The spacing depends on the axis's length, and the length on the labels (plotly's
   * automargin makes room for one at the top): a spacing can shorten the axis enough to call
   * for the other, which lengthens it again. On a diverged run's loss chart that went on for
   * ever (20 and 30 decades, 78 and 80 px) and froze the tab. So a flip back to the spacing
   * just left keeps the sparser of the two, and an axis is spaced again at most twice for
   * the same range. */
  let respaced = 0, left = null;
  function afterPlot() {
    if (logY && ranges) {
      const drawn = dtick;
      let next = yTicks().dtick;
      if (next === left) next = Math.max(next, drawn);
      dtick = drawn;
      if (next !== drawn && respaced < 2) {
        respaced += 1;
        left = drawn;
        dtick = next;
        Plotly.relayout(el, { 'yaxis.dtick': next });
      }
    }
    paint();
  }

  function render(traces, layout) {
    shown = traces.map((t) => ({ x: t.x, y: t.y, mode: t.mode ?? 'lines', line: t.line ?? {}, marker: t.marker ?? {},
                                 visible: t.visible !== false }));
    ranges = rangesFor(shown, logY);
    respaced = 0; left = null;
    margin = { t: layout.margin?.t ?? 0, b: layout.margin?.b ?? 0 };
    labelGap = 1.6 * (layout.yaxis?.tickfont?.size ?? 11);
    layout.xaxis = { ...layout.xaxis, range: ranges.x, autorange: false };
    layout.yaxis = { ...layout.yaxis, range: ranges.y, autorange: false, ...yTicks() };
    Plotly.react(el, traces, layout, PLOT_CONFIG);
    stale = false;
    if (!built) {
      built = true;
      el.on('plotly_afterplot', afterPlot); // a resize moves the axes
      new ResizeObserver(() => paint()).observe(el); // e.g. shown again after being hidden
      el.addEventListener('mouseenter', () => { hovering = true; sync(); });
      el.addEventListener('mouseleave', () => { hovering = false; });
      SYNCED.set(el, sync);
    }
    if (!canvas.isConnected) el.append(canvas);
    paint();
  }

  function refresh(data) {
    if (!built) return;
    data.forEach((d, i) => { if (shown[i]) Object.assign(shown[i], d); });
    stale = true;
    const next = rangesFor(shown, logY, ranges);
    if (next.x !== ranges.x || next.y !== ranges.y) {
      // new axis ranges: one plotly update, which also brings the hover data up to date
      ranges = next;
      respaced = 0; left = null;
      stale = false;
      syncedAt = performance.now();
      const ticks = logY ? { 'yaxis.dtick': yTicks().dtick } : {};
      Plotly.update(el, plotlyData(), { 'xaxis.range': ranges.x, 'yaxis.range': ranges.y, ...ticks });
    } else if (!isPlaying() || (hovering && performance.now() - syncedAt > 1000)) {
      sync();
    }
    paint();
  }

  function plotlyData() {
    return { x: shown.map((s) => s.x), y: shown.map((s) => s.y), mode: shown.map((s) => s.mode) };
  }

  function sync() {
    if (!built || !stale) return Promise.resolve();
    stale = false;
    syncedAt = performance.now();
    return Plotly.restyle(el, plotlyData());
  }

  function paint() {
    const full = el._fullLayout;
    if (!full?.xaxis || !ranges) return;
    const dpr = window.devicePixelRatio || 1;
    const W = el.clientWidth, H = el.clientHeight;
    if (!W || !H) return; // hidden: keep the picture for when it shows again
    if (canvas.width !== Math.round(W * dpr) || canvas.height !== Math.round(H * dpr)) {
      canvas.width = Math.round(W * dpr);
      canvas.height = Math.round(H * dpr);
    }
    const ctx = canvas.getContext('2d');
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, W, H);
    const xa = full.xaxis, ya = full.yaxis;
    const ox = xa._offset, oy = ya._offset, w = xa._length, h = ya._length;
    const [x0, x1] = ranges.x, [y0, y1] = ranges.y;
    const px = (x) => ox + ((x - x0) / (x1 - x0)) * w;
    const py = (y) => oy + h - (((logY ? Math.log10(y) : y) - y0) / (y1 - y0)) * h;
    const ok = (y) => y !== null && Number.isFinite(y) && (!logY || y > 0);
    ctx.save();
    ctx.beginPath();
    ctx.rect(ox - 4, oy - 4, w + 8, h + 8); // markers at the edge stay whole
    ctx.clip();
    ctx.lineJoin = 'round';
    for (const s of shown) {
      if (!s.visible || !s.x.length) continue;
      const width = s.line.width ?? 2;
      ctx.strokeStyle = s.line.color ?? '#333';
      ctx.lineWidth = width;
      ctx.setLineDash(dashFor(s.line.dash, width));
      ctx.beginPath();
      let pen = false;
      for (let i = 0; i < s.x.length; i++) {
        const y = s.y[i];
        if (!ok(y)) { pen = false; continue; }
        if (pen) ctx.lineTo(px(s.x[i]), py(y)); else ctx.moveTo(px(s.x[i]), py(y));
        pen = true;
      }
      ctx.stroke();
      if (s.mode.includes('markers')) {
        ctx.setLineDash([]);
        ctx.fillStyle = s.marker.color ?? s.line.color ?? '#333';
        const r = (s.marker.size ?? 6) / 2;
        for (let i = 0; i < s.x.length; i++) {
          if (!ok(s.y[i])) continue;
          ctx.beginPath();
          ctx.arc(px(s.x[i]), py(s.y[i]), r, 0, 2 * Math.PI);
          ctx.fill();
        }
      }
    }
    ctx.restore();
  }

  /** Switch the y axis between linear and log (the caller renders again). */
  function setLogY(on) { logY = on; ranges = null; }

  return { render, refresh, sync, paint, setLogY, get logY() { return logY; } };
}
