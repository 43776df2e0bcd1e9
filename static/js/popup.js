// A panel that drops down under its button (the Export menu, the Present
// panel): the button toggles it; Escape or a pointer down elsewhere closes
// it; it follows the button when the window is resized. Returns
// open(show = toggle).
//
// The keyboard (issue: a keyboard user found the menu 59 Tab stops away, at
// the end of the page): opening it with Enter or Space moves the focus to the panel's first control;
// Escape, or Tab past either end, closes it and gives the focus back to the
// button, so the Tab order goes on from there. In a menu (role=menu), ↑ and ↓
// move between its items.

import { usingKeyboard } from './keys.js';

const FOCUSABLE = 'button:not(:disabled), [href], input:not([type=hidden]):not(:disabled), select:not(:disabled), textarea:not(:disabled), [tabindex]:not([tabindex="-1"])';

/** The controls of `panel` a keyboard can reach, in order. */
export function focusables(panel) {
  return [...panel.querySelectorAll(FOCUSABLE)].filter((el) => !el.closest('[hidden]') && el.getClientRects().length);
}

/** Keyboard use of an open panel: ↑/↓ in a menu, Tab past the ends and Escape close it. */
export function keyboardPanel(panel, close) {
  panel.addEventListener('keydown', (ev) => {
    const items = focusables(panel);
    const at = items.indexOf(document.activeElement);
    if (ev.key === 'Escape') {
      ev.preventDefault();
      ev.stopPropagation();
      close(true);
    } else if (ev.key === 'Tab' && ((ev.shiftKey && at <= 0) || (!ev.shiftKey && at === items.length - 1))) {
      ev.preventDefault();
      close(true);
    } else if (panel.getAttribute('role') === 'menu' && (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') && items.length) {
      ev.preventDefault();
      const next = ev.key === 'ArrowDown' ? (at + 1) % items.length : (at <= 0 ? items.length - 1 : at - 1);
      items[next].focus();
    }
  });
}

/** A label that opens a file picker ("Load CSV…", "Load session…") is no
 * button: in the Tab order, Enter and Space press it as they would a button. */
export function pressWithKeys(el, press) {
  el.tabIndex = 0;
  if (!el.getAttribute('role')) el.setAttribute('role', 'button');
  el.addEventListener('keydown', (ev) => {
    // clicked, it keeps a focus the user did not give it: space plays (keys.js), as before
    if ((ev.key === 'Enter' || ev.key === ' ') && usingKeyboard()) { ev.preventDefault(); ev.stopPropagation(); press(); }
  });
}

const EDGE = 8; // a popup keeps this far from every edge of the window

/** Lay a fixed popup by its button (`r`, the button's rectangle) and inside the
 * window: `gap` px under it, or over it when only there is it whole; no nearer
 * than 8 px to any edge, and no taller than the window (it scrolls in itself).
 * Its right edge (`align` 'right') or left edge ('left') goes on the button's
 * where the window has room. (The Present panel's right edge went on its
 * button's: on a phone, where the button starts a line, the panel spanned
 * x = −268…91 of a 375 px screen, and scrolling could not bring it back.)
 * Answers whether it is whole, its own height and the height it got. */
export function placeInWindow(panel, r, { gap = 8, align = 'right' } = {}) {
  const vw = document.documentElement.clientWidth || innerWidth, vh = innerHeight;
  Object.assign(panel.style, { right: 'auto', bottom: 'auto', maxWidth: `${vw - 2 * EDGE}px`, maxHeight: 'none' });
  const w = panel.offsetWidth, h = panel.offsetHeight;
  const left = align === 'right' ? r.right - w : r.left;
  panel.style.left = `${Math.round(Math.max(EDGE, Math.min(vw - EDGE - w, left)))}px`;
  const below = vh - EDGE - (r.bottom + gap), above = r.top - gap - EDGE;
  let top, room;
  if (h <= below) [top, room] = [r.bottom + gap, below];
  else if (h <= above) [top, room] = [r.top - gap - h, above];
  else if (Math.max(below, above) < 160) [top, room] = [EDGE, vh - 2 * EDGE]; // a short window: over the button, all of it usable
  else if (below >= above) [top, room] = [r.bottom + gap, below];
  else [top, room] = [EDGE, above];
  panel.style.top = `${Math.round(top)}px`;
  panel.style.maxHeight = `${Math.floor(Math.max(0, room))}px`;
  panel.style.overflowY = 'auto';
  return { whole: room >= h, height: h, room };
}

export function attachPopup(button, panel, { onOpen } = {}) {
  function place() {
    placeInWindow(panel, button.getBoundingClientRect());
  }

  /** `refocus`: give the focus back to the button (a keyboard close);
   * `inside`: opened from the keyboard, the focus moves to the first control. */
  function open(show = panel.hidden, refocus = false, inside = false) {
    panel.hidden = !show;
    button.setAttribute('aria-expanded', String(show));
    if (show) {
      onOpen?.();
      place();
      if (inside) focusables(panel)[0]?.focus({ preventScroll: true });
    } else if (refocus || panel.contains(document.activeElement)) {
      button.focus({ preventScroll: true });
    }
  }

  button.setAttribute('aria-haspopup', panel.getAttribute('role') === 'menu' ? 'menu' : 'dialog');
  button.setAttribute('aria-expanded', 'false');
  // a click from Enter or Space has no pointer (detail 0): a mouse user keeps the keys
  // for the page (space plays), a keyboard user lands in the panel
  button.addEventListener('click', (ev) => open(panel.hidden, false, ev.detail === 0));
  keyboardPanel(panel, (refocus) => open(false, refocus));
  document.addEventListener('keydown', (ev) => { if (ev.key === 'Escape' && !panel.hidden) open(false); });
  document.addEventListener('pointerdown', (ev) => {
    if (!panel.hidden && !panel.contains(ev.target) && !button.contains(ev.target)) open(false);
  });
  window.addEventListener('resize', () => { if (!panel.hidden) place(); });
  return open;
}

/** A chart's text alternative: `el` becomes role `role` (an image by default)
 * and the returned `say(text, now)` writes its aria-label — at most once every
 * `every` ms while training runs (the newest words win, a second at the
 * latest), at once when `now` (paused). `text` may be a function, asked only
 * when the label is written. Not a live region: read when the chart is. */
export function chartLabel(el, { role = 'img', every = 1000 } = {}) {
  if (role) el.setAttribute('role', role);
  let last = -Infinity, timer = null, pending = null;
  function write() {
    clearTimeout(timer);
    timer = null;
    last = performance.now();
    const text = typeof pending === 'function' ? pending() : pending;
    pending = null;
    if (text && el.getAttribute('aria-label') !== text) el.setAttribute('aria-label', text);
  }
  return function say(text, now = false) {
    pending = text;
    const since = performance.now() - last;
    if (now || since >= every) write();
    else timer ??= setTimeout(write, every - since);
  };
}
