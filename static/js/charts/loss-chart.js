// Loss over updates: train and test, as the engine reported them in each frame.

import { themeColors } from '../colors.js';
import { num } from '../format.js';
import { chartLabel } from '../popup.js';
import { createLiveLines } from './live-lines.js';
import { axis, baseLayout, lineScale } from './plot-theme.js';

/** Dots while there are few points (one step at a time), plain lines after. */
export function modeFor(n) {
  return n < 40 ? 'lines+markers' : 'lines';
}

/** Whether losses spanning this many decades need a log axis: a diverging run
 * climbs to 10³⁰⁰, and on a linear axis every earlier loss lies flat at 0. */
const LOG_ABOVE = 1e4;
export function wantsLog(series) {
  let lo = Infinity, hi = 0;
  for (const ys of [series.train, series.test]) {
    for (const v of ys) if (v !== null && v > 0 && Number.isFinite(v)) { if (v < lo) lo = v; if (v > hi) hi = v; }
  }
  return hi / lo >= LOG_ABOVE;
}

export function createLossChart(el, store) {
  const lines = createLiveLines(el, { isPlaying: () => store.playing });
  let drawnRevision = -1;
  // its text alternative: the newest losses, written at most once a second while training runs
  const say = chartLabel(el);
  const words = () => {
    const s = store.series, n = s.step.length;
    if (!n) return 'Loss over updates: no loss yet.';
    return `Loss over updates${lines.logY ? ' (log scale)' : ''}: train ${num(s.train[n - 1])}, test ${num(s.test[n - 1])} at update ${s.step[n - 1]}.`;
  };

  function rebuild() {
    const t = themeColors();
    const s = store.series;
    lines.setLogY(wantsLog(s));
    const mode = modeFor(s.step.length);
    lines.render([
      { type: 'scatter', mode, marker: { size: 5 }, name: 'train', x: s.step, y: s.train,
        line: { color: t.train, width: 2 * lineScale() }, hovertemplate: 'step %{x}<br>train loss %{y:.4g}<extra></extra>' },
      { type: 'scatter', mode, marker: { size: 5 }, name: 'test', x: s.step, y: s.test,
        line: { color: t.test, width: 2 * lineScale(), dash: 'dash' }, hovertemplate: 'step %{x}<br>test loss %{y:.4g}<extra></extra>' },
    ], baseLayout({
      margin: { l: 44, r: 8, t: 4, b: 26 },
      // a diverging run's losses read "1.5×10²⁸⁴": the left margin grows to fit, labels are never cut
      xaxis: axis({ title: { text: '' }, nticks: 6 }),
      yaxis: axis({ nticks: 5, automargin: true, ...(lines.logY ? { type: 'log', exponentformat: 'power' } : {}) }),
      hovermode: 'x',
    }));
    drawnRevision = s.revision;
    say(words, true);
  }

  function update() {
    const s = store.series;
    if (drawnRevision < 0 || s.revision === drawnRevision) return;
    if (wantsLog(s) !== lines.logY) { rebuild(); return; } // the losses now span too many decades (or no longer do)
    drawnRevision = s.revision;
    const mode = modeFor(s.step.length);
    lines.refresh([{ x: s.step, y: s.train, mode }, { x: s.step, y: s.test, mode }]);
    say(words, !store.playing);
  }

  return { rebuild, update };
}
