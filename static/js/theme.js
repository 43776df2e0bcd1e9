// Light and dark themes: follow the system setting until the visitor picks
// one with the toggle (remembered in this browser). theme-boot.js applied the
// first choice before the page painted; here the toggle and later changes.
// Listeners of "chainrule:view" redraw the charts in the new colours.

const KEY = 'chainrule-theme';

function stored() {
  try { return localStorage.getItem(KEY); } catch { return null; }
}

export function currentTheme() {
  return document.documentElement.dataset.theme === 'dark' ? 'dark' : 'light';
}

export function setTheme(theme, { remember = true } = {}) {
  if (theme === currentTheme()) return;
  document.documentElement.dataset.theme = theme;
  if (remember) { try { localStorage.setItem(KEY, theme); } catch { /* storage off */ } }
  window.dispatchEvent(new CustomEvent('chainrule:view', { detail: { theme } }));
}

/** The toggle button; it says which theme a click switches to. */
export function createThemeToggle(button) {
  const show = () => {
    const dark = currentTheme() === 'dark';
    button.setAttribute('aria-pressed', String(dark));
    button.title = dark ? 'Switch to the light theme' : 'Switch to the dark theme';
    button.querySelector('.sr-only').textContent = 'Dark theme'; // a toggle keeps its name: "Dark theme, pressed"
  };
  button.addEventListener('click', () => { setTheme(currentTheme() === 'dark' ? 'light' : 'dark'); show(); });
  // the system setting changes (sunset, or the OS toggle): follow it unless a choice was made
  window.matchMedia('(prefers-color-scheme: dark)').addEventListener('change', (ev) => {
    if (!stored() && !new URLSearchParams(location.search).get('theme')) { setTheme(ev.matches ? 'dark' : 'light', { remember: false }); show(); }
  });
  show();
}
