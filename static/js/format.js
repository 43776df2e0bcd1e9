// Text for numbers the engine computed: rounding for display, never recomputing.

export function num(v, digits = 4) {
  if (v === null || v === undefined || Number.isNaN(v)) return '—';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-4) return v.toExponential(digits - 1).replace('e+', 'e');
  return String(Number(v.toPrecision(digits)));
}

export function percent(v) {
  if (v === null || v === undefined) return '—';
  return `${(v * 100).toFixed(1)}%`;
}

export function epoch(v) {
  if (v === null || v === undefined) return '0';
  return v < 10 ? v.toFixed(2) : v < 1000 ? v.toFixed(1) : v.toFixed(0);
}

const SUB = '₀₁₂₃₄₅₆₇₈₉';
export function sub(n) {
  return String(n).split('').map((d) => SUB[+d] ?? d).join('');
}
