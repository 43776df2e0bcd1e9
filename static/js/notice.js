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
