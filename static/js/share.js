// The share link (the whole setup as an address), the watch link, and — on a
// watch page — forking the watched session into one of your own.

import * as api from './api.js';
import { getView, withParams, withView } from './classroom/view.js';
import { openOwnSession } from './classroom/fork.js';
import { watchUrl } from './classroom/present.js';
import { lessonById, shareUrl } from './link.js';

export function createShareLinks(store, notify, { share, watch, fork }) {
  function update() {
    // a lesson's link writes what differs from the lesson's own setup, which it reapplies
    const lesson = lessonById(store.catalog, store.lesson);
    let url = withView(shareUrl(store.config, store.catalog, lesson?.config), getView()); // presenter mode and hidden controls ride along
    if (lesson) url = withParams(url, [['lesson', lesson.id]]); // the lesson's card and setup come along
    share.href = url;
    // the address bar follows too, so a reload reproduces the setup
    if (!store.readonly) history.replaceState(null, '', `/${url.slice(location.origin.length + 1)}`);
  }
  store.on('config', update);
  store.on('lesson', update);
  update();

  async function copy(text, message) {
    try {
      await navigator.clipboard.writeText(text);
      notify(message, 'info');
    } catch {
      notify(`Copy this link: ${text}`, 'info');
    }
  }

  share.addEventListener('click', (ev) => {
    if (ev.button !== 0 || ev.ctrlKey || ev.metaKey || ev.shiftKey) return; // let "open in new tab" work
    ev.preventDefault();
    copy(share.href, 'Share link copied: it opens this exact setup — same data, same initial weights.');
  });
  watch.hidden = store.readonly;
  watch.addEventListener('click', () => copy(watchUrl(store),
    'Watch link copied: whoever opens it follows this session live, read-only.'));
  fork.hidden = !store.readonly;
  fork.addEventListener('click', async () => {
    try {
      const mine = await api.forkWatched(store.watchId);
      openOwnSession(mine.id); // with the view options (hidden controls) of this page, as Export ▾ → Fork does
    } catch (e) {
      notify(`Could not fork: ${e.message}`, 'error');
    }
  });
}
