// Play / pause, one step, reset: the buttons, the keys, and the play button's state.

import { bindKeys } from './keys.js';

export function createTransport(store, send, { play, step, reset }) {
  const togglePlay = () => {
    if (store.readonly) return;
    const next = !store.playing;
    store.setPlaying(next); // shown at once; the next frame confirms it
    send({ type: next ? 'play' : 'pause' });
  };
  const stepOnce = () => {
    if (store.readonly) return;
    if (store.playing) { store.setPlaying(false); send({ type: 'pause' }); }
    send({ type: 'step', steps: 1 });
  };
  const resetAll = () => { if (!store.readonly) send({ type: 'reset' }); };
  play.addEventListener('click', togglePlay);
  step.addEventListener('click', stepOnce);
  reset.addEventListener('click', resetAll);
  store.on('playing', (on) => {
    play.setAttribute('aria-pressed', String(on));
    play.querySelector('.sr-only').textContent = on ? 'Pause' : 'Play';
  });
  bindKeys({ togglePlay, step: stepOnce, reset: resetAll });
}
