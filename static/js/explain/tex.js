// Equations typeset with plain HTML: numbers carry their full-precision value
// in data-v (and what they are in data-q, data-l, data-r, data-j, data-k), so
// tests can compare them with the engine exactly while the text stays short.
// Nothing here computes: it only writes down numbers the engine gave.

import { signedNum } from '../format.js';

export const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]));

/** An engine number: rounded text, exact value in data-v. */
export function n(value, q, where = {}, digits = 4) {
  const attrs = Object.entries(where).filter(([, v]) => v !== undefined && v !== null)
    .map(([k, v]) => ` data-${k}="${v}"`).join('');
  const neg = typeof value === 'number' && value < 0;
  const text = signedNum(value, digits);
  return `<span class="x-num${neg ? ' x-neg' : ''}" data-q="${q}" data-v="${value === null ? '' : String(value)}"${attrs}>${neg ? '(' : ''}${esc(text)}${neg ? ')' : ''}</span>`;
}

/**
 * Negative numbers are written in brackets so that "· (−0.5)" reads as one
 * factor; where one stands alone (a function's argument, a value after "=",
 * in a list, a table cell) the brackets only clutter: "tanh((−1.389))". Call
 * on a rendered stage: drops them there, keeps them where an operator is next.
 */
export function unbracket(root) {
  // the text next to a node, on one side: its siblings', or, at the end of an inline wrapper, the wrapper's
  const side = (node, dir) => {
    const sib = dir < 0 ? node.previousSibling : node.nextSibling;
    if (!sib) {
      const up = node.parentElement;
      return up && up !== root && /^(SPAN|B|I|EM|STRONG|SUB|SUP)$/.test(up.tagName) ? side(up, dir) : '';
    }
    const t = sib.textContent.trim();
    return t === '' ? side(sib, dir) : t;
  };
  for (const el of root.querySelectorAll('.x-num.x-neg')) {
    const text = el.textContent;
    if (!text.startsWith('(') || !text.endsWith(')')) continue;
    const before = side(el, -1), after = side(el, 1);
    const alone = (before === '' || /[(=,≈:]$/.test(before)) && (after === '' || /^[),=]/.test(after));
    if (alone) el.textContent = text.slice(1, -1);
  }
}

/** A symbol with an optional subscript and a layer superscript: v('z', 'j', 2) → z⁽²⁾ⱼ */
export function v(name, subscript = '', layer = null) {
  const sup = layer === null ? '' : `<sup>(${layer})</sup>`;
  const s = subscript === '' ? '' : `<sub>${subscript}</sub>`;
  return `<span class="x-var"><i>${name}</i>${sup}${s}</span>`;
}

export const frac = (top, bottom) => `<span class="x-frac"><span>${top}</span><span>${bottom}</span></span>`;
export const op = (s) => `<span class="x-op">${s}</span>`;
export const eq = (...parts) => `<div class="x-eq">${parts.join(' ')}</div>`;
export const note = (text) => `<p class="x-note">${text}</p>`;
export const d = (top, bottom) => frac(`∂${top}`, `∂${bottom}`);
/** Subscript text: plain digits, since <sub> already lowers and shrinks them. */
export const sub = (i) => String(i);

/** A sum of products written out; long ones show `keep` terms and an "all terms" switch. */
export function sumOf(terms, keep = 8) {
  if (terms.length <= keep + 2) return terms.join(` ${op('+')} `);
  const head = terms.slice(0, keep).join(` ${op('+')} `);
  const rest = terms.slice(keep).join(` ${op('+')} `);
  return `${head} <span class="x-more"><button type="button" class="x-expand" title="Show all ${terms.length} terms">+ ${terms.length - keep} more terms</button><span class="x-rest" hidden> ${op('+')} ${rest}</span></span>`;
}

/** A matrix (rows of engine numbers) as a table, inside a <details>. */
export function matrix(title, rows, q, l, { highlightRow = null } = {}) {
  const body = rows.map((row, j) => `<tr${j === highlightRow ? ' class="x-hl"' : ''}><th>${j + 1}</th>${
    (Array.isArray(row) ? row : [row]).map((x, k) => `<td>${n(x, q, { l, j, k: Array.isArray(row) ? k : undefined })}</td>`).join('')}</tr>`).join('');
  return `<details class="x-matrix"><summary title="Show every entry">${title}</summary><div class="x-scroll"><table>${body}</table></div></details>`;
}
