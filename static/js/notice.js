// One line of feedback under the toolbar: what just happened, or what went wrong.

// The notice on the screen is a picture of the message; screen readers hear it
// from two live regions that are in the page from the start (a region shown
// together with its text may go unannounced): a problem interrupts, news waits.
let spoken = null, said = [], saidKind = 'info';

/** Say `text` to screen readers without showing it: an 'error' interrupts (the alert region),
 * anything else waits its turn (the polite one). What is said within the same moment is said
 * together (a lesson opened and the network it reshapes), an error first. */
export function announce(text, kind = 'info') {
  const polite = document.getElementById('announce-polite'), alert = document.getElementById('announce-alert');
  if (kind === 'error' && saidKind !== 'error') said.unshift(text); else said.push(text);
  if (kind === 'error') saidKind = 'error';
  const [region, other] = saidKind === 'error' ? [alert, polite] : [polite, alert];
  other.textContent = '';
  region.textContent = '';   // emptied first, and filled a moment later: the same message twice is heard twice
  clearTimeout(spoken);
  spoken = setTimeout(() => { region.textContent = said.join(' '); said = []; saidKind = 'info'; }, 100);
}

export function createNotice(el) {
  let timer = null;
  /** `action`, if given ({label, run}), is a button after the text (and the notice stays longer). */
  function show(text, kind = 'info', action = null) {
    el.textContent = text;
    el.className = `notice notice-${kind}`;
    announce(action ? `${text} (${action.label}: a button in the notice)` : text, kind);
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
