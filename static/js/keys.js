// Keys: space plays/pauses, → steps once, r resets (not while typing).

function typing(target) {
  if (!(target instanceof Element)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  return tag === 'INPUT' || tag === 'SELECT' || tag === 'TEXTAREA';
}

export function bindKeys({ togglePlay, step, reset }) {
  document.addEventListener('keydown', (ev) => {
    if (ev.ctrlKey || ev.metaKey || ev.altKey || typing(ev.target)) return;
    if (ev.key === ' ' || ev.code === 'Space') {
      ev.preventDefault(); // no page scroll, and no second "click" on a focused button
      if (!ev.repeat) togglePlay();
    } else if (ev.key === 'ArrowRight') {
      ev.preventDefault();
      step();
    } else if (ev.key === 'r' || ev.key === 'R') {
      if (!ev.repeat) reset();
    }
  });
  // once a menu, slider or box has been changed, give the keys back to the page
  document.addEventListener('change', (ev) => {
    const t = ev.target;
    if (t instanceof HTMLSelectElement || (t instanceof HTMLInputElement && ['range', 'checkbox'].includes(t.type))) t.blur();
  });
  document.addEventListener('keyup', (ev) => {
    if ((ev.key === ' ' || ev.code === 'Space') && !typing(ev.target)) ev.preventDefault();
  });
}
