// Colours of the page, in one place. Data semantics use a colour-blind-safe
// blue–white–orange diverging scale: low / negative / class 0 is blue,
// high / positive / class 1 is orange; a third class is bluish green.

const NEG = [29, 95, 168];     // #1d5fa8
const MID = [247, 247, 247];   // #f7f7f7
const POS = [217, 115, 13];    // #d9730d
const GREEN = [0, 140, 110];   // #008c6e

export const CLASS_RGB = [NEG, POS, GREEN];
export const CLASS_COLORS = CLASS_RGB.map(rgbString);

export function rgbString([r, g, b]) {
  return `rgb(${r | 0},${g | 0},${b | 0})`;
}

function mix(a, b, t) {
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
}

/** The diverging scale at t ∈ [−1, 1] (clamped), as [r, g, b]. */
export function diverging(t) {
  if (!(t === t)) return MID; // NaN
  if (t > 1) t = 1; else if (t < -1) t = -1;
  return t < 0 ? mix(MID, NEG, -t) : mix(MID, POS, t);
}

/** A lighter version of a colour, for backgrounds behind points. */
export function lighten(rgb, amount) {
  return mix(rgb, [255, 255, 255], amount);
}

/** Plotly colourscale of the diverging scale. */
export const DIVERGING_SCALE = [
  [0, rgbString(NEG)], [0.5, rgbString(MID)], [1, rgbString(POS)],
];

/** Colours of the page chrome, read from the CSS variables (a dark theme
 * only has to change the variables). */
export function themeColors() {
  const css = getComputedStyle(document.documentElement); // live: it follows a theme switch
  const v = (name, fallback) => ({ enumerable: true, get: () => css.getPropertyValue(name).trim() || fallback });
  // getters, so a view that keeps this object draws in the current theme's colours
  return Object.defineProperties({}, {
    ink: v('--ink', '#1f2937'),
    muted: v('--muted', '#6b7280'),
    grid: v('--grid', '#eceef1'),
    line: v('--line', '#d8dce2'),
    panel: v('--panel', '#ffffff'),
    train: v('--train-line', '#374151'),
    test: v('--test-line', '#9b59b6'),
    font: v('--font', 'system-ui, sans-serif'),
  });
}

function hexRgb(hex) {
  const v = parseInt(hex.slice(1), 16);
  return [v >> 16, (v >> 8) & 255, v & 255];
}

/** Distinct colours for layers (viridis samples: ordered, colour-blind safe; in
 * the dark theme lighter ones, as the darkest viridis blues vanish on a dark page). */
export function layerColor(i, n) {
  const stops = document.documentElement.dataset.theme === 'dark'
    ? ['#b08be8', '#7f95e8', '#3aa6c0', '#22a884', '#7ad151', '#d9c400']
    : ['#440154', '#414487', '#2a788e', '#1e9a78', '#4f9a2e', '#958800'];
  if (n <= 1) return stops[1];
  if (n <= stops.length) return stops[Math.round(i * (stops.length - 1) / (n - 1))];
  // more layers than stops: between them (cycling viridis put its darkest blue, the
  // first layer's, on a dark page at a contrast of 1.08 : 1)
  const at = i * (stops.length - 1) / (n - 1), k = Math.min(stops.length - 2, Math.floor(at));
  return rgbString(mix(hexRgb(stops[k]), hexRgb(stops[k + 1]), at - k));
}
