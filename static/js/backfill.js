// A session trained before this page opened (a shared link, a reload, a
// fork, a watch link opened mid-lesson): its loss and gradient charts start with the steps the engine had
// already recorded (GET /history) instead of at the page's first frame.

import { readHistory, readWatchedHistory } from './api.js';

export function setupBackfill(store) {
  let due = true;
  store.on('data', () => { due = true; });
  store.on('frame', async (frame) => {
    if (!due) return;
    due = false;
    const read = store.readonly ? store.watchId && (() => readWatchedHistory(store.watchId))
      : store.sessionId && (() => readHistory(store.sessionId));
    if (!read || frame.step === 0) return;
    const series = store.series;
    let h;
    try { h = await read(); } catch { return; } // the charts simply start here
    if (store.series === series) store.prependHistory(h); // not if a reset or new data came meanwhile
  });
}
