// Speed: updates per drawn frame. "max" keeps the server's frame rate near its
// cap (30 a second) while fitting in as many updates per frame as it can run,
// by watching how many frames actually arrive.

const CHOICES = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000];
const TARGET_FPS = 30;

export function createSpeedControl(select, store, send, { initial = 20, max = 5000 } = {}) {
  for (const v of [...CHOICES.filter((c) => c <= max), 'max']) {
    const o = document.createElement('option');
    o.value = String(v);
    o.textContent = v === 'max' ? 'max' : `${v} / frame`;
    select.append(o);
  }
  let auto = false;
  let spf = initial;
  let window0 = null;
  select.value = String(initial);

  function set(value) {
    auto = value === 'max';
    select.value = String(value);
    if (auto) { spf = Math.max(spf, 200); window0 = null; } else spf = Number(value);
    send({ type: 'speed', steps_per_frame: spf });
  }

  select.addEventListener('change', () => set(select.value === 'max' ? 'max' : Number(select.value)));

  // the "max" controller: every half second, compare frames received with the cap
  setInterval(() => {
    if (!auto || !store.playing) { window0 = null; return; }
    const now = performance.now();
    if (!window0) { window0 = { t: now, frames: store.framesReceived }; return; }
    const dt = (now - window0.t) / 1000;
    if (dt < 0.95) return;
    const fps = (store.framesReceived - window0.frames) / dt;
    window0 = { t: now, frames: store.framesReceived };
    // frames at (nearly) the cap: the server has time to spare, so ask for more
    // updates per frame; clearly fewer frames: it is saturated, so ask for fewer
    let next = spf;
    if (fps >= TARGET_FPS * 0.95) next = Math.ceil(spf * 1.25);
    else if (fps >= TARGET_FPS * 0.92) next = Math.ceil(spf * 1.08);
    else if (fps < TARGET_FPS * 0.87) next = Math.floor(spf * Math.max(0.5, fps / (TARGET_FPS * 0.92)));
    next = Math.max(1, Math.min(max, next));
    if (next !== spf) {
      spf = next;
      send({ type: 'speed', steps_per_frame: spf });
    }
  }, 250);

  select.title = 'Speed: updates per drawn frame (the server draws at most 30 frames a second). “max” fits as many updates into each frame as the server can run while keeping the picture smooth.';
  return { set, get value() { return auto ? 'max' : spf; }, get stepsPerFrame() { return spf; } };
}
