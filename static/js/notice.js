// One line of feedback under the toolbar: what just happened, or what went wrong.

export function createNotice(el) {
  let timer = null;
  function show(text, kind = 'info') {
    el.textContent = text;
    el.className = `notice notice-${kind}`;
    el.hidden = false;
    clearTimeout(timer);
    timer = setTimeout(() => { el.hidden = true; }, kind === 'error' ? 12000 : 5000);
  }
  el.addEventListener('click', () => { el.hidden = true; });
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
