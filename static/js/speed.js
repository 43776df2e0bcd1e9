// Speed: updates per frame. The server sends the frames (at most its frame-rate
// limit a second, a server setting) and the page draws them; "max" asks the
// server to fit as many updates into each frame period as it can.

const CHOICES = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000];

export function createSpeedControl(select, store, send, { initial = 20, max = 5000 } = {}) {
  for (const v of [...CHOICES.filter((c) => c <= max), 'max']) {
    const o = document.createElement('option');
    o.value = String(v);
    o.textContent = v === 'max' ? 'max' : `${v} / frame`;
    select.append(o);
  }
  const parse = (value) => (value === 'max' ? 'max' : Number(value));
  const show = (value) => {
    if (![...select.options].some((o) => o.value === String(value))) { // a speed a script set: list it
      const o = document.createElement('option');
      o.value = String(value);
      o.textContent = `${value} / frame`;
      select.append(o);
    }
    select.value = String(value);
  };
  // a reload keeps the speed this tab chose (it is sent again on connecting), also
  // when the tab's session was replaced by a fresh one (a server restart)
  const key = 'chainrule-speed';
  let spf = initial;
  try { const kept = sessionStorage.getItem(key); if (kept) spf = parse(kept); } catch { /* storage off */ }
  show(spf);

  function set(value) {
    spf = parse(value);
    show(spf);
    try { sessionStorage.setItem(key, String(spf)); } catch { /* storage off */ }
    send({ type: 'speed', steps_per_frame: spf });
  }

  select.addEventListener('change', () => set(select.value));
  // a watch page shows the speed the session runs at (frames carry it)
  store.on('frame', (frame) => {
    if (store.readonly && frame.steps_per_frame !== undefined && String(frame.steps_per_frame) !== select.value) {
      spf = frame.steps_per_frame;
      show(spf);
    }
  });

  select.title = 'Speed: updates per frame. The server runs the updates and sends a frame after each batch of them, at most as many frames a second as its frame-rate limit allows; the page draws each frame it receives. “max” fits as many updates into each frame as the server can run between two frames, keeping the picture smooth.';
  return { set, get value() { return spf; }, get stepsPerFrame() { return spf; } };
}
