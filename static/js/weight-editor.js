// The little form that opens when a weight or bias is clicked.
//
// The keyboard (audit, part 2): it is a dialog named by its label. While it is
// open, Tab and Shift+Tab go round its own controls (they never leave it open
// behind), Escape closes it wherever the focus is, and the focus goes back to
// what opened it (the inspector's "Edit value…" button, or the diagram).

import { usingKeyboard } from './keys.js';
import { focusables } from './popup.js';

export function createWeightEditor(root) {
  const form = root.querySelector('#weight-form');
  const input = root.querySelector('#weight-value');
  const label = root.querySelector('#weight-label');
  const cancel = root.querySelector('#weight-cancel');
  root.setAttribute('role', 'dialog');
  root.setAttribute('aria-labelledby', label.id);
  if (root.querySelector('#weight-hint')) root.setAttribute('aria-describedby', 'weight-hint');
  let pending = null;
  // what had the focus when it opened; if that was re-rendered meanwhile (the
  // inspector redraws itself), its successor: the same data-action in the same home
  let opener = null, openerHome = null, openerAction = null;

  let shown = '';   // the value the box opened with
  function open({ text, value }, mouse) {
    const active = document.activeElement;
    // reached from the keyboard only: after a click the focus went to body, as it always did
    opener = active && active !== document.body && !root.contains(active) && usingKeyboard() ? active : null;
    openerHome = opener?.parentElement?.closest('[id]') ?? null;
    openerAction = opener?.dataset?.action ?? null;
    label.textContent = `New value of ${text}`;
    // the frame's value, to the 7 digits it carries (float32: 0.3 arrives as 0.30000001192…)
    input.value = value === null || value === undefined ? '' : String(Number(value.toPrecision(7)));
    shown = input.value;
    root.hidden = false;
    const w = root.offsetWidth, h = root.offsetHeight;
    // opened from the keyboard (no pointer: Enter's click has detail 0 and no position): beside the control that opened it
    const at = mouse && mouse.detail !== 0 && Number.isFinite(mouse.clientX) ? mouse : centreOf(opener);
    const x = Math.min(innerWidth - w - 8, Math.max(8, (at?.clientX ?? innerWidth / 2) - w / 2));
    const y = Math.min(innerHeight - h - 8, Math.max(8, (at?.clientY ?? innerHeight / 2) + 12));
    root.style.left = `${x}px`;
    root.style.top = `${y}px`;
    input.focus();
    input.select();
    return new Promise((resolve) => { pending = resolve; });
  }

  function centreOf(el) {
    if (!el?.getBoundingClientRect) return null;
    const r = el.getBoundingClientRect();
    return r.width || r.height ? { clientX: r.left + r.width / 2, clientY: r.bottom } : null;
  }

  function restoreFocus() {
    let target = opener;
    if (target && !target.isConnected && openerHome?.isConnected && openerAction) {
      target = openerHome.querySelector(`[data-action="${CSS.escape(openerAction)}"]`);
    }
    opener = openerHome = openerAction = null;
    if (target?.isConnected && !target.closest('[hidden]')) target.focus({ preventScroll: true });
  }

  function close(result) {
    if (root.hidden) return;
    const hadFocus = root.contains(document.activeElement) || document.activeElement === document.body;
    root.hidden = true;
    const done = pending;
    pending = null;
    if (hadFocus) restoreFocus();
    else opener = openerHome = openerAction = null;
    done?.(result);
  }

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    // the value as shown (7 digits of the engine's), not changed: nothing to set (Set wrote
    // the rounded value over the exact one, up to 1e-8 away, and said it was set)
    if (shown !== '' && input.value.trim() === shown) { close(null); return; }
    const v = Number(input.value);
    if (input.value.trim() === '' || !Number.isFinite(v)) { input.setCustomValidity('a finite number'); input.reportValidity(); return; }
    input.setCustomValidity('');
    close(v);
  });
  cancel.addEventListener('click', () => close(null));
  // on the window, in the capture phase: before the page's own keys (explain
  // mode's Escape, the help's), which must not act while the editor is open
  window.addEventListener('keydown', (ev) => {
    if (root.hidden) return;
    if (ev.key === 'Escape') {
      ev.preventDefault();
      ev.stopImmediatePropagation();
      close(null);
    } else if (ev.key === 'Tab') {
      const items = focusables(root);
      if (!items.length) return;
      const at = items.indexOf(document.activeElement);
      const next = at < 0 ? (ev.shiftKey ? items.length - 1 : 0)
        : ev.shiftKey ? (at === 0 ? items.length - 1 : -1) : (at === items.length - 1 ? 0 : -1);
      if (next >= 0) {   // round the ends (or back in from outside); inside, the browser moves on
        ev.preventDefault();
        items[next].focus();
      }
    }
  }, true);
  return { open, get isOpen() { return !root.hidden; } };
}
