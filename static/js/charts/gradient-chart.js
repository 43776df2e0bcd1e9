// Gradient size per layer, ‖∂L/∂W_l‖ after each update, on a log scale:
// lines sinking towards zero mean vanishing gradients, lines shooting up
// exploding ones. The numbers are the frames' grad_norms.

import { layerColor } from '../colors.js';
import { createLiveLines } from './live-lines.js';
import { modeFor } from './loss-chart.js';
import { axis, baseLayout, lineScale } from './plot-theme.js';

export function createGradientChart(el, store) {
  const lines = createLiveLines(el, { logY: true, isPlaying: () => store.playing });
  let drawnRevision = -1;
  let layers = 0;
  let shownEmpty = true;

  function name(l) {
    return l === layers - 1 ? `W${l + 1} → ŷ` : `W${l + 1}`;
  }

  function rebuild() {
    const s = store.series;
    layers = store.data ? store.data.sizes.length - 1 : s.grad.length;
    const traces = Array.from({ length: layers }, (_, l) => ({
      type: 'scatter', mode: modeFor(s.gradStep.length), marker: { size: 4 }, name: name(l), x: s.gradStep, y: s.grad[l] ?? [],
      line: { color: layerColor(l, layers), width: 1.8 * lineScale() },
      hovertemplate: `step %{x}<br>‖∂L/∂W${l + 1}‖ %{y:.3g}<extra>${name(l)}</extra>`,
    }));
    const empty = s.gradStep.length === 0;
    shownEmpty = empty;
    lines.render(traces, baseLayout({
      annotations: empty ? [{ text: 'No update yet: gradients appear after the first step.', showarrow: false,
                              xref: 'paper', yref: 'paper', x: 0.5, y: 0.5, font: { size: 12, color: '#6b7280' } }] : [],
      margin: { l: 44, r: 8, t: 18, b: 26 },
      yaxis: axis({ type: 'log', exponentformat: 'power', dtick: 1, showticklabels: !empty, showgrid: !empty }),
      xaxis: axis({ nticks: 6, showticklabels: !empty }),
      showlegend: layers <= 3, // deeper: the per-layer table beside the chart (backward/gradient-panel.js) is the key
      legend: { orientation: 'h', x: 1, xanchor: 'right', y: 1, yanchor: 'bottom', font: { size: 11 },
                bgcolor: 'rgba(0,0,0,0)' },
      hovermode: 'x',
    }));
    drawnRevision = s.revision;
  }

  function update() {
    const s = store.series;
    if (drawnRevision < 0 || s.revision === drawnRevision) return;
    drawnRevision = s.revision;
    if (s.grad.length !== layers || shownEmpty !== (s.gradStep.length === 0)) { rebuild(); return; }
    const mode = modeFor(s.gradStep.length);
    lines.refresh(s.grad.map((y) => ({ x: s.gradStep, y, mode })));
  }

  return { rebuild, update };
}
