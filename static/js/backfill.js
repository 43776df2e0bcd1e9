// A session trained before this page opened (a shared link, a reload, a
// fork): its loss and gradient charts start with the steps the engine had
// already recorded (GET /history) instead of at the page's first frame.

import { readHistory } from './api.js';

export function setupBackfill(store) {
  let due = true;
  store.on('data', () => { due = true; });
  store.on('frame', async (frame) => {
    if (!due) return;
    due = false;
    if (!store.sessionId || frame.step === 0) return;
    const series = store.series;
    let h;
    try { h = await readHistory(store.sessionId); } catch { return; } // the charts simply start here
    if (store.series === series) store.prependHistory(h); // not if a reset or new data came meanwhile
  });
}
