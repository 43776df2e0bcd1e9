// The classroom features, wired into the page by one call from main.js:
// Present (watch link, presenter mode, hidden controls), Fork from any page,
// Export (PNG, JSON, CSV) and Load, the theme toggle, and — on watch pages —
// following the teacher's live hyper-parameter changes from the frames.

import { createExportMenu } from '../export.js';
import { announce } from '../notice.js';
import { createThemeToggle } from '../theme.js';
import { createFork } from './fork.js';
import { createPresentPanel } from './present.js';
import { applyView, getView } from './view.js';

function iconButton(id, text, title, cls = 'btn btn-ghost') {
  const b = document.createElement('button');
  b.type = 'button';
  b.id = id;
  b.className = cls;
  b.dataset.testid = id;
  b.title = title;
  b.innerHTML = text;
  return b;
}

const MOON = '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M21 12.8A9 9 0 1 1 11.2 3a7 7 0 0 0 9.8 9.8z"/></svg>';

/**
 * @param store   the page's Store
 * @param notify  the notice line
 * @param redraw  rebuilds every chart (after a theme or presenter-mode change)
 */
export function setupClassroom(store, notify, { redraw }) {
  const view = getView();
  applyView(view);
  if (view.unknown.length) notify(`The link hides controls this page does not know: ${view.unknown.join(', ')}.`, 'error');

  const bar = document.querySelector('.share');
  const fork = createFork(store, notify);
  const present = iconButton('present', 'Present', 'Present to a class: the watch link to hand out, presenter mode, and controls to hide', 'btn btn-primary');
  present.setAttribute('aria-haspopup', 'dialog');
  const exporter = iconButton('export', 'Export ▾', 'Export a picture, the session or the history; load a saved session; fork a copy');
  exporter.setAttribute('aria-haspopup', 'menu');
  const theme = iconButton('theme-toggle', `${MOON}<span class="sr-only">Theme</span>`, '', 'icon-btn theme-toggle');
  const watchFork = document.getElementById('fork');
  bar.insertBefore(exporter, watchFork);
  if (!store.readonly) bar.insertBefore(present, watchFork);
  bar.append(theme);
  createThemeToggle(theme);
  if (!store.readonly) createPresentPanel(store, notify, { button: present, onFork: fork });
  createExportMenu(store, notify, { button: exporter, onFork: fork });

  // every control of a watch page is off; these are views and copies, not controls
  for (const el of [exporter, theme]) el.classList.add('view-control');

  // redraw the charts in the new colours or sizes (once per animation frame)
  let pending = false;
  window.addEventListener('chainrule:view', () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => { pending = false; redraw(); });
  });

  // a watcher on a screen reader hears the teacher reshape the network (the diagram says it to the eye)
  if (store.readonly) {
    let shape = null;
    store.on('data', (msg) => {
      const now = msg.sizes.join('-');
      if (shape && now !== shape) {
        const hidden = msg.sizes.slice(1, -1);
        announce(`The teacher changed the network: ${hidden.length ? `${hidden.length} hidden layer${hidden.length > 1 ? 's' : ''} of ${hidden.join(', ')} neurons` : 'no hidden layer'}, from step 0.`);
      }
      shape = now;
    });
  }

  // live changes (learning rate, …) made elsewhere arrive with the frames' config: a watch page
  // follows the teacher's, and a session's own page a script's PATCH (it kept showing the old
  // learning rate and no L2 while the loss already held the penalty). While the page's own change
  // is on its way, frames sent before the server had it would put the old setup back: they wait
  // for one that agrees (store.stale; main.js's apply expects the change), or two seconds.
  store.on('frame', (frame) => {
    const c = frame.config;
    if (!c || !store.config) return;
    const differs = Object.keys(c).some((k) => JSON.stringify(c[k]) !== JSON.stringify(store.config[k]));
    if (!store.stale('config', !differs) && differs) store.setConfig({ ...store.config, ...c });
  });
  return { fork };
}
