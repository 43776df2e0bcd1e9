// Speed: updates per drawn frame. "max" asks the server to fit as many
// updates into each frame period as it can while keeping ~30 frames a second.

const CHOICES = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000];

export function createSpeedControl(select, store, send, { initial = 20, max = 5000 } = {}) {
  for (const v of [...CHOICES.filter((c) => c <= max), 'max']) {
    const o = document.createElement('option');
    o.value = String(v);
    o.textContent = v === 'max' ? 'max' : `${v} / frame`;
    select.append(o);
  }
  let spf = initial;
  select.value = String(initial);

  function set(value) {
    spf = value === 'max' ? 'max' : Number(value);
    select.value = String(spf);
    send({ type: 'speed', steps_per_frame: spf });
  }

  select.addEventListener('change', () => set(select.value));

  select.title = 'Speed: updates per drawn frame (the server draws at most 30 frames a second). “max” fits as many updates into each frame as the server can run while keeping the picture smooth.';
  return { set, get value() { return spf; }, get stepsPerFrame() { return spf; } };
}
