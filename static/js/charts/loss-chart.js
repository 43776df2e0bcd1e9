// Loss over updates: train and test, as the engine reported them in each frame.

import { themeColors } from '../colors.js';
import { axis, baseLayout, lineScale, PLOT_CONFIG } from './plot-theme.js';

/** Dots while there are few points (one step at a time), plain lines after. */
export function modeFor(n) {
  return n < 40 ? 'lines+markers' : 'lines';
}

export function createLossChart(el, store) {
  const t = themeColors();
  let drawnRevision = -1;

  function rebuild() {
    const s = store.series;
    const mode = modeFor(s.step.length);
    Plotly.react(el, [
      { type: 'scatter', mode, marker: { size: 5 }, name: 'train', x: s.step, y: s.train,
        line: { color: t.train, width: 2 * lineScale() }, hovertemplate: 'step %{x}<br>train loss %{y:.4g}<extra></extra>' },
      { type: 'scatter', mode, marker: { size: 5 }, name: 'test', x: s.step, y: s.test,
        line: { color: t.test, width: 2 * lineScale(), dash: 'dash' }, hovertemplate: 'step %{x}<br>test loss %{y:.4g}<extra></extra>' },
    ], baseLayout({
      margin: { l: 44, r: 8, t: 4, b: 26 },
      xaxis: axis({ title: { text: '' }, rangemode: 'tozero', nticks: 6 }),
      yaxis: axis({ rangemode: 'tozero', nticks: 5 }),
      hovermode: 'x',
    }), PLOT_CONFIG);
    drawnRevision = s.revision;
  }

  function update() {
    const s = store.series;
    if (drawnRevision < 0 || s.revision === drawnRevision) return;
    drawnRevision = s.revision;
    const mode = modeFor(s.step.length);
    Plotly.restyle(el, { x: [s.step, s.step], y: [s.train, s.test], mode: [mode, mode] }, [0, 1]);
  }

  return { rebuild, update };
}
