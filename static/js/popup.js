// A panel that drops down under its button (the Export menu, the Present
// panel): the button toggles it; Escape or a pointer down elsewhere closes
// it; it follows the button when the window is resized. Returns
// open(show = toggle).

export function attachPopup(button, panel, { onOpen } = {}) {
  function place() {
    const r = button.getBoundingClientRect();
    panel.style.top = `${Math.round(r.bottom + 8)}px`;
    panel.style.right = `${Math.max(8, Math.round(window.innerWidth - r.right))}px`;
  }

  function open(show = panel.hidden) {
    panel.hidden = !show;
    button.setAttribute('aria-expanded', String(show));
    if (show) { onOpen?.(); place(); }
  }

  button.addEventListener('click', () => open());
  document.addEventListener('keydown', (ev) => { if (ev.key === 'Escape' && !panel.hidden) open(false); });
  document.addEventListener('pointerdown', (ev) => {
    if (!panel.hidden && !panel.contains(ev.target) && !button.contains(ev.target)) open(false);
  });
  window.addEventListener('resize', () => { if (!panel.hidden) place(); });
  return open;
}
