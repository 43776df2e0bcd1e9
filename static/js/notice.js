// One line of feedback under the toolbar: what just happened, or what went wrong.

export function createNotice(el) {
  let timer = null;
  /** `action`, if given ({label, run}), is a button after the text (and the notice stays longer). */
  function show(text, kind = 'info', action = null) {
    el.textContent = text;
    el.className = `notice notice-${kind}`;
    el.setAttribute('role', kind === 'error' ? 'alert' : 'status'); // only a problem interrupts a screen reader
    if (action) {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'btn btn-small notice-action';
      b.dataset.testid = 'notice-action';
      b.textContent = action.label;
      b.addEventListener('click', (ev) => { ev.stopPropagation(); el.hidden = true; action.run(); });
      el.append(' ', b);
    }
    el.hidden = false;
    clearTimeout(timer);
    timer = setTimeout(() => { el.hidden = true; }, action ? 20000 : kind === 'error' ? 12000 : 5000);
  }
  el.addEventListener('click', () => { el.hidden = true; });
  /** Resolves once no error notice shows: a notice nobody asked for (an offer)
   * waits rather than push a problem off the screen. */
  show.afterErrors = () => new Promise((resolve) => {
    const observer = new MutationObserver(() => check());
    function check() {
      if (el.hidden || !el.classList.contains('notice-error')) { observer.disconnect(); resolve(); }
    }
    observer.observe(el, { attributes: true, attributeFilter: ['hidden', 'class'] });
    check();
  });
  return show;
}

// A notice for the page that comes next (this one is about to navigate): shown once, by `showPending`.
const PENDING = 'chainrule-pending-notice';
export function noticeAfterNavigation(text, kind = 'info') {
  try { sessionStorage.setItem(PENDING, JSON.stringify({ text, kind })); } catch { /* storage off: no notice */ }
}
export function showPending(notify) {
  try {
    const pending = JSON.parse(sessionStorage.getItem(PENDING));
    sessionStorage.removeItem(PENDING);
    if (pending?.text) notify(pending.text, pending.kind);
  } catch { /* nothing pending */ }
}
