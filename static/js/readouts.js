// The numbers and words around the plots: step, epoch, losses, accuracy, and
// the status line (which says in plain words when training diverged).

import { epoch, num, percent } from './format.js';
import { announce } from './notice.js';

const NONE = '—';

export function createReadouts(store, els) {
  function update(frame) {
    if (store.draft) { blank(); return; }
    els.step.textContent = String(frame.step);
    els.epoch.textContent = epoch(frame.epoch);
    els.lossTrain.textContent = num(frame.loss?.train);
    els.lossTest.textContent = num(frame.loss?.test);
    const acc = frame.accuracy;
    for (const el of els.accuracyCells) el.hidden = !acc;
    if (acc) {
      els.accuracyTrain.textContent = percent(acc.train);
      els.accuracyTest.textContent = percent(acc.test);
    }
    status(frame);
  }

  /** Points of one's own being drawn: the session's numbers are about data that is
   * gone, and there is no session for the new points yet. */
  function blank() {
    for (const el of [els.step, els.epoch, els.lossTrain, els.lossTest, els.accuracyTrain, els.accuracyTest]) el.textContent = NONE;
    status();
  }

  let override = null;   // a message that wins over the usual words (e.g. drawing points)
  let saidDiverged = false;
  function status(frame = store.frame) {
    const el = els.status;
    const prefix = store.readonly ? 'Watching, read-only — ' : '';
    const diverged = Boolean(frame) && frame.status === 'diverged' && !store.draft; // a draft is about new points, not this session
    el.classList.toggle('status-bad', diverged);
    el.classList.toggle('status-live', Boolean(frame) && store.playing && !diverged && !store.lost);
    const text = prefix + words(frame, diverged);
    // a live region: written only when its words change (not on every frame while training)
    if (el.textContent !== text) el.textContent = text;
    // a problem interrupts (the status waits its turn): training stopping is one
    if (diverged && !saidDiverged) announce(text, 'error');
    saidDiverged = diverged;
  }

  function words(frame, diverged) {
    if (store.lost) return 'Connection lost — reconnecting…';
    if (!frame) return 'Connecting…';
    if (diverged) return frame.message || 'Training diverged: the numbers grew too large. Lower the learning rate and press reset.';
    if (override) return override;
    if (store.held && !store.readonly) return store.held; // explain mode: why play is off, not "press play"
    if (store.playing) return `Training… ${store.readonly ? '' : 'Space pauses, → steps once.'}`;
    if (frame.step === 0) {
      return `Ready at step 0. ${store.readonly ? 'Waiting for the teacher to press play.' : 'Press play (space) to train, or step once (→).'}`;
    }
    const loss = frame.loss?.test ?? frame.loss?.train;
    return `Paused at step ${frame.step}${loss !== null && loss !== undefined ? ` — test loss ${num(loss)}` : ''}.`;
  }

  function setOverride(text) {
    override = text;
    status();
  }

  store.on('playing', () => status());
  store.on('connection', () => status());
  store.on('hold', () => status());
  store.on('draft', () => { if (store.draft) blank(); else if (store.frame) update(store.frame); });
  return { update, status, setOverride };
}
