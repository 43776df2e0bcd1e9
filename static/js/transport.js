// Play / pause, one step, reset: the buttons, the keys, and the play button's state.
// A diverged session has play and step off (reset on), saying why.
// While something holds the training (store.setHold: explain mode is open, or
// one's own points are being drawn) all three are off: their tooltips say why,
// and so does a notice when one of their keys is pressed.

import { bindKeys } from './keys.js';

// After training diverged, nothing trains until a reset (the engine refuses to
// step): play and step are off, saying so, and reset stays on.
const DIVERGED = 'Training diverged: press reset (r) to start again from step 0 (lower the learning rate first).';

/** Pause a session this page shows playing (explain mode opening, a lesson, a hold): shown at
 * once, and not undone by a frame sent before the server read the pause (store.askPlaying). */
export function pauseHere(store, send) {
  if (store.playing) { store.askPlaying(false); send({ type: 'pause' }); }
}

export function createTransport(store, send, { play, step, reset }, notify) {
  let diverged = false;
  const allowed = (trains = true) => {
    if (store.readonly) return false;
    // a held button cannot be clicked, so this is a key that would do nothing
    if (store.held) { notify(`Training is off. ${store.held}`, 'info'); return false; }
    if (trains && diverged && !store.playing) { notify(DIVERGED, 'info'); return false; }
    return true;
  };
  const togglePlay = () => {
    if (!allowed()) return;
    const next = !store.playing;
    if (!send({ type: next ? 'play' : 'pause' })) return; // not connected: nothing happens (main.js says so)
    store.askPlaying(next); // shown at once; a frame that says so confirms it
  };
  const stepOnce = () => {
    if (!allowed()) return;
    if (store.playing && send({ type: 'pause' })) store.askPlaying(false);
    send({ type: 'step', steps: 1 });
  };
  const resetAll = () => { if (allowed(false)) send({ type: 'reset' }); };
  play.addEventListener('click', togglePlay);
  step.addEventListener('click', stepOnce);
  reset.addEventListener('click', resetAll);
  store.on('playing', (on) => {
    // a toggle keeps its name: a screen reader says "Play, pressed" while training
    play.setAttribute('aria-pressed', String(on));
    if (diverged) sync();
  });

  // -- held: off, saying why; a session that was playing pauses -----------------
  const titles = new Map([play, step, reset].map((b) => [b, b.title]));
  function sync() {
    const held = store.held;
    for (const [b, title] of titles) {
      // (play stays on while the page still shows it playing: it is how one pauses)
      const why = held ?? (diverged && b !== reset && !(b === play && store.playing) ? DIVERGED : null);
      b.disabled = store.readonly || Boolean(why);
      b.title = why ? `${title.split(':')[0]} is off. ${why}` : title;
    }
  }
  store.on('hold', () => {
    sync();
    if (store.held) pauseHere(store, send);
  });
  store.on('frame', (frame) => {
    const now = frame.status === 'diverged';
    if (now !== diverged) { diverged = now; sync(); }
  });

  bindKeys({ togglePlay, step: stepOnce, reset: resetAll });
}
