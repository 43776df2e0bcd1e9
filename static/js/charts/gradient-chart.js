// Gradient size per layer, ‖∂L/∂W_l‖ after each update, on a log scale:
// lines sinking towards zero mean vanishing gradients, lines shooting up
// exploding ones. The numbers are the frames' grad_norms.

import { layerColor, themeColors } from '../colors.js';
import { num } from '../format.js';
import { chartLabel } from '../popup.js';
import { createLiveLines } from './live-lines.js';
import { modeFor } from './loss-chart.js';
import { axis, baseLayout, lineScale } from './plot-theme.js';

const EMPTY = 'No update yet: gradients appear after the first step.';
const ZERO = 'Every ‖∂L/∂W‖ is exactly 0, so no weight changes (and a log scale has no place for 0): Insights, in the Backward view, say why.';
const EMPTY_SIZE = 12;
const MARGIN = { l: 44, r: 8, t: 18, b: 26 };
let measure = null;

function greedyLines(words, width) {
  const lines = [];
  for (const word of words) {
    const line = lines.length ? `${lines[lines.length - 1]} ${word}` : word;
    if (lines.length && measure.measureText(line).width <= width) lines[lines.length - 1] = line;
    else lines.push(word);
  }
  return lines;
}

/** `text` broken into lines (joined by <br>) no wider than `width` px, as even
 * as the same number of lines allows: plotly never wraps an annotation, and
 * one line is cut off in a narrow chart. */
export function wrapLines(text, width, font) {
  measure ??= document.createElement('canvas').getContext('2d');
  measure.font = font;
  const words = text.split(' ');
  const n = greedyLines(words, width).length;
  let lo = 0, hi = width; // the narrowest width that still needs only n lines
  while (hi - lo > 1) {
    const mid = (lo + hi) / 2;
    if (greedyLines(words, mid).length <= n) hi = mid; else lo = mid;
  }
  return greedyLines(words, hi).join('<br>');
}

export function createGradientChart(el, store) {
  const lines = createLiveLines(el, { logY: true, isPlaying: () => store.playing });
  let drawnRevision = -1;
  let layers = 0;
  let shownNote = 'empty'; // the note the chart shows: 'empty' (no update yet), 'zero' (all exactly 0) or null
  // its text alternative: each layer's newest gradient size, at most once a second while training runs
  const say = chartLabel(el);
  const words = () => {
    const s = store.series, n = s.gradStep.length;
    if (!n) return `Gradient size per layer: ${EMPTY}`;
    const sizes = Array.from({ length: layers }, (_, l) => `${name(l)} ${num(s.grad[l]?.[n - 1])}`);
    return `Gradient size per layer ‖∂L/∂W‖, log scale, at update ${s.gradStep[n - 1]}: ${sizes.join(', ')}.`;
  };

  /** The empty chart's note, wrapped to the plot's width (a little air on both sides). */
  function emptyText() {
    const width = el.clientWidth - MARGIN.l - MARGIN.r - 8;
    return wrapLines(noteFor() === 'zero' ? ZERO : EMPTY, width, `${EMPTY_SIZE}px ${themeColors().font}`);
  }
  // every gradient so far exactly 0 (zero initialisation, a dead output): a log axis has no
  // place for 0, and an empty chart with no word looked broken
  const allZero = () => store.series.gradStep.length > 0 && store.series.grad.every((g) => g.every((v) => v === 0));
  const noteFor = () => (store.series.gradStep.length === 0 ? 'empty' : allZero() ? 'zero' : null);
  // the chart's width follows the table beside it and the page: wrap the note again
  new ResizeObserver(() => {
    const note = el._fullLayout?.annotations?.[0];
    if (!shownNote || !note || !el.clientWidth) return;
    const text = emptyText();
    if (text !== note.text) Plotly.relayout(el, { 'annotations[0].text': text });
  }).observe(el);

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
    shownNote = noteFor();
    const empty = shownNote !== null;
    lines.render(traces, baseLayout({
      annotations: empty ? [{ text: emptyText(), showarrow: false,
                              xref: 'paper', yref: 'paper', x: 0.5, y: 0.5, font: { size: EMPTY_SIZE, color: '#6b7280' } }] : [],
      margin: { ...MARGIN },
      // decades between labels: live-lines.js spaces them for the plot's height
      yaxis: axis({ type: 'log', exponentformat: 'power', showticklabels: !empty, showgrid: !empty, automargin: true }),
      xaxis: axis({ nticks: 6, showticklabels: !empty }),
      showlegend: layers <= 3, // deeper: the per-layer table beside the chart (backward/gradient-panel.js) is the key
      legend: { orientation: 'h', x: 1, xanchor: 'right', y: 1, yanchor: 'bottom', font: { size: 11 },
                bgcolor: 'rgba(0,0,0,0)' },
      hovermode: 'x',
    }));
    drawnRevision = s.revision;
    say(words, true);
  }

  function update() {
    const s = store.series;
    if (drawnRevision < 0 || s.revision === drawnRevision) return;
    drawnRevision = s.revision;
    // a new note too: "no update yet" becomes "all exactly 0" after the first update of a zero-initialised network
    if (s.grad.length !== layers || shownNote !== noteFor()) { rebuild(); return; }
    const mode = modeFor(s.gradStep.length);
    lines.refresh(s.grad.map((y) => ({ x: s.gradStep, y, mode })));
    say(words, !store.playing);
  }

  return { rebuild, update };
}
