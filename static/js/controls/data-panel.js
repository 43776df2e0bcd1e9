// The data controls: data-set pictures to click, train/test ratio, noise,
// number of points, batch size, regenerate.

import { drawThumbnail } from './thumbnails.js';
import { button, capital, tooltip } from './fields.js';

const BATCHES = [1, 2, 4, 5, 8, 10, 16, 20, 25, 32, 50, 64, 100, 128, 200, 256, 500, 1000, 2000, 5000];
const SAMPLES = [50, 100, 200, 300, 500, 750, 1000, 1500, 2000, 3000, 5000];

export function createDataPanel({ grid, controls, titleRow }, store, apply, { onCustom }) {
  const cat = store.catalog;

  // -- data-set pictures ------------------------------------------------------
  const tiles = new Map();
  for (const name of [...cat.datasets.map((d) => d.name), 'custom']) {
    const info = cat.datasets.find((d) => d.name === name);
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'dataset';
    b.dataset.dataset = name;
    b.setAttribute('role', 'radio');
    const label = name === 'custom' ? 'your own points' : `${name}: ${info.description}`;
    const kind = info ? `${info.task}${info.classes ? `, ${info.classes} classes` : ''}` : 'draw points or load a CSV';
    b.title = `Data set — ${capital(label)} (${kind}). Picking one rebuilds the network and starts again from step 0.`;
    b.setAttribute('aria-label', name);
    const c = document.createElement('canvas');
    c.width = 56; c.height = 56;
    drawThumbnail(c, name);
    b.append(c);
    b.addEventListener('click', () => (name === 'custom' ? onCustom() : apply({ dataset: name })));
    grid.append(b);
    tiles.set(name, b);
  }

  // -- sliders --------------------------------------------------------------
  const ratio = slider('Training data', 'train-fraction', 10, 90, 10, (v) => `${v}%`,
    tooltip(store, 'train_fraction', 'Share of the points used for training; the rest are held out to test the network'));
  const noise = slider('Noise', 'noise', 0, 100, 5, (v) => `${v}%`,
    tooltip(store, 'noise', 'How much the points are blurred across the boundary (0 = clean)'));
  const samples = slider('Points', 'n-samples', 0, SAMPLES.length - 1, 1, (i) => String(SAMPLES[i]),
    tooltip(store, 'n_samples', 'How many points the data set has, train and test together'));
  const batch = slider('Batch size', 'batch-size', 0, BATCHES.length - 1, 1, () => '',
    tooltip(store, 'batch_size', 'How many training points each update averages its gradient over (at most the training-set size)'));
  const regen = button('↻ Regenerate', 'New random data and new initial weights (a new seed). Rebuilds and starts again from step 0.', 'btn btn-small');
  regen.id = 'regenerate';
  regen.addEventListener('click', () => apply({ seed: Math.floor(Math.random() * 100000) }));
  controls.append(ratio.row, noise.row, samples.row, batch.row);
  titleRow.append(regen);

  ratio.input.addEventListener('change', () => apply({ train_fraction: Number(ratio.input.value) / 100 }));
  noise.input.addEventListener('change', () => apply({ noise: Number(noise.input.value) / 100 }));
  samples.input.addEventListener('change', () => apply({ n_samples: SAMPLES[Number(samples.input.value)] }));
  batch.input.addEventListener('input', () => batch.show(batchText(batchChoices()[batch.input.value])));
  batch.input.addEventListener('change', () => apply({ batch_size: batchChoices()[Number(batch.input.value)] }));

  function trainSize() {
    return store.data?.train?.x?.length ?? 250;
  }

  function batchChoices() {
    const n = trainSize();
    const list = BATCHES.filter((b) => b < n);
    const cfg = store.config;
    if (cfg && cfg.batch_size < n && !list.includes(cfg.batch_size)) list.push(cfg.batch_size);
    list.sort((a, b) => a - b);
    list.push(n);
    return list;
  }

  function batchText(b) {
    return b === trainSize() ? `${b} (all)` : String(b);
  }

  function render(cfg) {
    const drawing = store.draft; // one's own points being drawn: they are the data set shown
    for (const [name, b] of tiles) {
      const on = (drawing ? 'custom' : cfg.dataset) === name;
      b.classList.toggle('selected', on);
      b.setAttribute('aria-checked', String(on));
    }
    ratio.set(Math.round(cfg.train_fraction * 100));
    noise.set(Math.round(cfg.noise * 100));
    const custom = cfg.dataset === 'custom' || Boolean(drawing);
    noise.input.disabled = custom || store.readonly;
    samples.input.disabled = custom || store.readonly;
    let si = SAMPLES.indexOf(cfg.n_samples);
    if (si < 0) si = SAMPLES.findIndex((s) => s >= cfg.n_samples);
    samples.input.value = String(si < 0 ? SAMPLES.length - 1 : si);
    samples.show(String(drawing ? drawing.x.length : custom ? cfg.points?.x?.length ?? '' : cfg.n_samples));
    const choices = batchChoices();
    const bi = Math.max(0, choices.indexOf(Math.min(cfg.batch_size, trainSize())));
    batch.input.max = String(choices.length - 1);
    batch.input.value = String(bi);
    batch.show(batchText(choices[bi]));
  }

  store.on('config', render);
  store.on('data', () => render(store.config));
  store.on('draft', () => { if (store.config) render(store.config); });
  if (store.config) render(store.config);
  return { render };
}

function slider(label, id, min, max, step, text, title) {
  const row = document.createElement('label');
  row.className = 'slider';
  row.title = title;
  const head = document.createElement('span');
  head.className = 'slider-head';
  const name = document.createElement('span');
  name.className = 'field-label';
  name.textContent = label;
  name.id = `${id}-name`;
  // the slider says its value itself (aria-valuetext: its position may be an index
  // into a list, "500" not "4"); the <output> is for the eye, not a live region
  // announced on every change, nor the slider's name
  const out = document.createElement('output');
  out.className = 'slider-value';
  out.setAttribute('aria-hidden', 'true');
  out.setAttribute('aria-live', 'off');
  head.append(name, out);
  const input = document.createElement('input');
  Object.assign(input, { type: 'range', id, min, max, step });
  input.setAttribute('aria-labelledby', name.id);
  const show = (t) => {
    if (!t) return;
    if (out.textContent !== t) out.textContent = t;
    input.setAttribute('aria-valuetext', t);
  };
  input.addEventListener('input', () => show(text(Number(input.value))));
  row.append(head, input);
  return { row, input, out, show, set(v) { input.value = String(v); show(text(v)); } };
}
