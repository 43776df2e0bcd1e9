// Text for numbers the engine computed: rounding for display, never recomputing.

export function num(v, digits = 4) {
  if (v === null || v === undefined || Number.isNaN(v)) return '—';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-4) return v.toExponential(digits - 1).replace('e+', 'e');
  const t = v.toPrecision(digits);
  // A rounded number keeps its trailing zeros: dropped, they would make it
  // look exact (0.99997 as "1", so that "0.001644 · 1 = 0.001643" read as a
  // mistake); "1.000" says it is 1 to four digits. Exact values stay short (0.03, 1.5).
  // (a frame's float32 number counts as exact when it is the float32 of the short one: 0.3 typed is 0.30000001192…)
  if (Number(t) === v || Math.fround(Number(t)) === v || t.includes('e')) return String(Number(t));
  return t;
}

/** `num` with a true minus sign (−), as written formulas show numbers. */
export function signedNum(v, digits = 4) {
  return num(v, digits).replace(/-/g, '−');
}

// Combiners for operandDigits: the product of the values; Σ s[2i]·s[2i+1] plus
// the last value when the list is odd (a weighted sum and its bias).
export const product = (s) => s.reduce((p, x) => p * x, 1);
export const dot = (s) => {
  let t = s.length % 2 ? s[s.length - 1] : 0;
  for (let i = 0; i + 1 < s.length; i += 2) t += s[i] * s[i + 1];
  return t;
};

/**
 * Significant digits for the operands of an equation shown with its result
 * (`a · b = c`, `Σ w·a + b = z`): the fewest, from `digits` up to `max`, with
 * which the operands as displayed, combined (`combine` gets their displayed
 * values, in order), give the result as displayed with `resultDigits`. So a
 * reader who redoes the arithmetic on the page finds the page's answer. It
 * only chooses how to round the engine's numbers: the page shows the engine's
 * result, never this recomputation.
 */
export function operandDigits(values, combine, result, { digits = 4, resultDigits = 4, max = 8 } = {}) {
  if (result === null || result === undefined || values.some((x) => typeof x !== 'number' || !Number.isFinite(x))) return digits;
  const want = num(result, resultDigits);
  for (let p = digits; p < max; p++) {
    if (num(combine(values.map((x) => Number(num(x, p)))), resultDigits) === want) return p;
  }
  return max;
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

/** What a frame's gradients belong to: the last update, or after a divergence the
 * refused one (the engine keeps the gradients that overflowed, at the step after). */
export function lastUpdate(frame) {
  return frame?.status === 'diverged' ? `update ${frame.step + 1}, refused` : 'last update';
}
