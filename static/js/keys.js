// Keys: space plays/pauses, → steps once, r resets (not while typing, nor in a dialog or menu).
//
// Space is also how a keyboard user presses the button they tabbed to: on a
// control that has keyboard focus it does that, not play (a link is not
// pressed by space: there it plays). After a mouse click
// the button keeps focus without the user meaning it, and space plays.

function typing(target) {
  if (!(target instanceof Element)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  return tag === 'INPUT' || tag === 'SELECT' || tag === 'TEXTAREA';
}

/** Whether the target is inside an open dialog or menu (the weight editor, a help, the
 * Lessons or Export menu): there the page's keys do not act, as while typing (r reset the
 * class's session under an open weight editor, → trained a step). A panel marked
 * data-page-keys (Present, which stays open while the teacher plays) lets them through. */
export function inPopup(target) {
  return target instanceof Element && target.closest('[role=dialog]:not([data-page-keys]), [role=menu]') !== null;
}

const PRESSABLE = 'button, summary, [role=button], [role=menuitem], [role=tab], [role=option], [tabindex]:not([tabindex="-1"])';

// How the focus last moved: with Tab (the keyboard), or by the pointer. Only
// Tab counts: a key pressed on a control the mouse put the focus on (an arrow
// on a clicked slider) leaves it a mouse focus, which gives the keys back.
// (Not `:focus-visible`: Chromium starts to match it on a clicked element once
// any key is pressed.)
let byKeyboard = false;
document.addEventListener('pointerdown', () => { byKeyboard = false; }, true);
document.addEventListener('keydown', (ev) => { if (ev.key === 'Tab') byKeyboard = true; }, true);

/** A touch screen: no hover and no shift key, so its words are "tap" (touch.css switches the page's). */
export const TOUCH = window.matchMedia('(hover: none)');

/** Whether the focus got where it is by the keyboard (Tab), not by a click. */
export function usingKeyboard() {
  return byKeyboard;
}

export function bindKeys({ togglePlay, step, reset }) {
  const pressedByKey = (target) => byKeyboard && target instanceof Element && target !== document.body && target.matches(PRESSABLE);

  document.addEventListener('keydown', (ev) => {
    if (ev.ctrlKey || ev.metaKey || ev.altKey || typing(ev.target) || inPopup(ev.target)) return;
    if (ev.key === ' ' || ev.code === 'Space') {
      if (pressedByKey(ev.target)) return; // the browser presses the focused control
      ev.preventDefault(); // no page scroll, and no second "click" on a button focused by the mouse
      if (!ev.repeat) togglePlay();
    } else if (ev.key === 'ArrowRight') {
      ev.preventDefault();
      step();
    } else if (ev.key === 'r' || ev.key === 'R') {
      if (!ev.repeat) reset();
    }
  });
  // once a menu, slider or box has been changed with the mouse, give the keys back
  // to the page; changed from the keyboard, it keeps the focus (the next ↓ moves it on)
  document.addEventListener('change', (ev) => {
    const t = ev.target;
    if (byKeyboard) return;
    if (t instanceof HTMLSelectElement || (t instanceof HTMLInputElement && ['range', 'checkbox'].includes(t.type))) t.blur();
  });
  document.addEventListener('keyup', (ev) => {
    if ((ev.key === ' ' || ev.code === 'Space') && !typing(ev.target) && !inPopup(ev.target) && !pressedByKey(ev.target)) ev.preventDefault();
  });
}
