// One line of feedback under the toolbar: what just happened, or what went wrong.
// One element has one notice: every module that asks for it gets the same
// function, so a newer message is never hidden by an older one's timer.

const made = new WeakMap();

export function createNotice(el) {
  if (made.has(el)) return made.get(el);
  let timer = null;
  function show(text, kind = 'info') {
    el.textContent = text;
    el.className = `notice notice-${kind}`;
    el.hidden = false;
    clearTimeout(timer);
    timer = setTimeout(() => { el.hidden = true; }, kind === 'error' ? 12000 : 5000);
  }
  el.addEventListener('click', () => { el.hidden = true; });
  made.set(el, show);
  return show;
}
