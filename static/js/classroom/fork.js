// Fork: a session of one's own that continues from the current state
// (weights, optimizer state, data, step). On a watch page through
// POST /api/watch/{id}/fork; on one's own page through export and import,
// opened in a new tab so the original (which a class may be watching) goes on.

import * as api from '../api.js';
import { getView, withView } from './view.js';

/** The page's address for driving session `id` (main.js adopts "#session="). */
export function ownSessionUrl(id) {
  return `${withView(`${location.origin}/`, getView())}#session=${id}`;
}

/** Go to session `id` in this tab (a reload even when only the hash differs). */
export function openOwnSession(id) {
  const target = ownSessionUrl(id);
  const here = location.href.split('#')[0];
  if (target.split('#')[0] === here) {
    location.hash = `session=${id}`;
    location.reload();
  } else {
    location.href = target;
  }
}

export function createFork(store, notify) {
  return async function fork() {
    if (store.readonly) {
      try {
        const mine = await api.forkWatched(store.watchId);
        openOwnSession(mine.id);
      } catch (e) {
        notify(`Could not fork: ${e.message}`, 'error');
      }
      return;
    }
    // open the tab now, while the click still counts as the user's: pop-up blockers allow it
    const tab = window.open('', '_blank');
    try {
      const doc = await api.exportSession(store.sessionId);
      const mine = await api.importSession(doc);
      const url = ownSessionUrl(mine.id);
      if (tab) tab.location.href = url;
      else location.href = url;
      notify(`Forked at step ${mine.state.step}: your copy is open in a new tab, this session goes on unchanged.`, 'info');
    } catch (e) {
      tab?.close();
      notify(`Could not fork: ${e.message}`, 'error');
    }
  };
}
