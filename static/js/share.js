// The share link (the whole setup as an address), the watch link, and — on a
// watch page — forking the watched session into one of your own.

import * as api from './api.js';
import { getView, withParams, withView } from './classroom/view.js';
import { openOwnSession } from './classroom/fork.js';
import { watchUrl } from './classroom/present.js';
import { TOUCH } from './keys.js';
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

  async function copy(text, message, opener, name) {
    try {
      await navigator.clipboard.writeText(text);
      notify(message, 'info');
    } catch {
      showToCopy(text, opener, name);
    }
  }

  // Where the browser does not copy (a classroom server on plain http is no secure context:
  // no navigator.clipboard), the link stays on the screen, selected, until it is closed. (It was
  // a notice that went after 5 s, or at the first tap anywhere: on a phone, too soon to copy it.)
  let box = null, boxOpener = null;
  function showToCopy(text, opener, name) {
    if (!box) {
      box = document.createElement('div');
      box.className = 'copy-fallback';
      box.dataset.testid = 'copy-fallback';
      box.setAttribute('role', 'dialog');
      box.setAttribute('aria-labelledby', 'copy-fallback-text');
      box.innerHTML = `<div class="copy-fallback-head"><p id="copy-fallback-text"></p>
          <button type="button" class="icon-btn small" data-testid="copy-fallback-close" title="Close" aria-label="Close">×</button></div>
        <input type="text" readonly data-testid="copy-fallback-url" aria-label="Link to copy">`;
      document.body.append(box);
      box.querySelector('button').addEventListener('click', () => hideToCopy());
      box.addEventListener('keydown', (ev) => { if (ev.key === 'Escape') { ev.stopPropagation(); hideToCopy(); } });
      box.querySelector('input').addEventListener('focus', (ev) => ev.target.select());
    }
    const touch = TOUCH.matches;
    box.querySelector('p').textContent = `${name}: this page cannot copy it by itself here (it is not on https). `
      + `The link is selected: copy it${touch ? ' (press and hold it for Copy)' : ' (Ctrl+C, or ⌘C)'}, then close this.`;
    const input = box.querySelector('input');
    input.value = text;
    box.hidden = false;
    boxOpener = opener ?? null;
    input.focus({ preventScroll: true });
    input.setSelectionRange(0, text.length);
  }
  function hideToCopy() {
    if (!box || box.hidden) return;
    box.hidden = true;
    boxOpener?.focus({ preventScroll: true });
  }

  share.addEventListener('click', (ev) => {
    if (ev.button !== 0 || ev.ctrlKey || ev.metaKey || ev.shiftKey) return; // let "open in new tab" work
    ev.preventDefault();
    copy(share.href, 'Share link copied: it opens this exact setup — same data, same initial weights.', share, 'Share link');
  });
  watch.hidden = store.readonly;
  watch.addEventListener('click', () => copy(watchUrl(store),
    'Watch link copied: whoever opens it follows this session live, read-only.', watch, 'Watch link'));
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
