// Issue 5's parts of the page, wired in one place: explain mode, lessons, help.

import { createExplain } from './explain/explain.js';
import { createHelp } from './help.js';
import { createLessons } from './lessons.js';

export function createTeaching(store, { network, notify, send, apply }) {
  const openButton = document.createElement('button');
  Object.assign(openButton, {
    type: 'button', className: 'btn btn-explain', textContent: 'Explain this step',
    title: 'Explain this step: the next update played slowly — forward, loss, backward, update — with every number',
  });
  openButton.dataset.testid = 'explain-open';
  // beside the diagram it explains (the top bar is full)
  const head = document.querySelector('.network-head');
  head.insertBefore(openButton, head.querySelector('.network-legend'));
  const explain = createExplain(store, { network, notify, send, workspace: document.querySelector('.workspace'), openButton });
  const lessons = createLessons(store, { statusbar: document.querySelector('.statusbar'), apply, send, notify });
  const help = createHelp(store);
  // nothing to explain on a watch page, nor while one's own points are drawn (the session is the old data's)
  const title = openButton.title;
  let diverged = false;
  const usable = () => {
    openButton.disabled = store.readonly || Boolean(store.draft) || diverged;
    openButton.title = store.draft ? `${title}. Off while you draw your own points: it explains updates on them once there are enough.`
      : diverged ? `${title}. Off: training diverged, and the engine applies no update until a reset (r).` : title;
  };
  store.on('config', usable);
  store.on('draft', usable);
  store.on('frame', (frame) => {
    if ((frame.status === 'diverged') !== diverged) { diverged = !diverged; usable(); }
  });
  usable();
  return { explain, lessons, help };
}
