// Shared plotly settings, so every chart looks the same.

import { themeColors } from '../colors.js';

export const PLOT_CONFIG = { displayModeBar: false, responsive: true, doubleClick: false, scrollZoom: false };

function cssScale(name) {
  const v = parseFloat(getComputedStyle(document.documentElement).getPropertyValue(name));
  return Number.isFinite(v) && v > 0 ? v : 1;
}
/** Presenter mode (classroom.css) scales the charts' type and lines. */
export const fontScale = () => cssScale('--plot-font-scale');
export const lineScale = () => cssScale('--plot-line-scale');

export function axis(extra = {}) {
  const t = themeColors();
  return {
    color: t.muted, gridcolor: t.grid, zerolinecolor: t.line, linecolor: t.line,
    tickfont: { size: 11 * fontScale(), color: t.muted }, title: { font: { size: 12 * fontScale(), color: t.muted } },
    fixedrange: true, automargin: false, ...extra,
  };
}

export function baseLayout(extra = {}) {
  const t = themeColors();
  return {
    paper_bgcolor: 'rgba(0,0,0,0)', plot_bgcolor: 'rgba(0,0,0,0)',
    font: { family: t.font, size: 12 * fontScale(), color: t.ink },
    dragmode: false, showlegend: false, hovermode: 'closest',
    hoverlabel: { font: { family: t.font, size: 12 } },
    ...extra,
  };
}
