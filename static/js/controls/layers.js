// + / − for hidden layers and for the neurons of each, and the activation of
// each layer — in a strip whose columns line up with the network diagram's.

import { button, pretty } from './fields.js';

// A menu shows its option's name beside an arrow: in the narrow columns of ten
// layers "Leaky ReLU" read "Leak" and "Tanh" "Tanl". A name that does not fit
// its menu gives way to a short one (the full name stays in the menu's title).
const SHORT = { sigmoid: 'σ', tanh: 'tanh', relu: 'ReLU', leaky_relu: 'Leaky', linear: 'Lin' };
const ARROW_PX = 20; // the room of the browser's own arrow (narrow columns draw a smaller one: app.css)

/** Each activation menu's options: the full name where it fits, else the short one. */
export function fitActivationNames(strip, measure) {
  for (const sel of strip.querySelectorAll('.layer-activation')) {
    const cs = getComputedStyle(sel);
    measure.font = cs.font;
    const room = sel.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight) - (cs.appearance === 'none' ? 0 : ARROW_PX);
    for (const o of sel.options) {
      const text = measure.measureText(pretty(o.value)).width <= room ? pretty(o.value) : (SHORT[o.value] ?? pretty(o.value));
      if (o.textContent !== text) o.textContent = text;
    }
  }
}

export function createLayerControls({ count, strip }, store, apply) {
  const cat = store.catalog;
  const hidden = cat.activations.filter((a) => a.hidden).map((a) => a.name);
  const limits = cat.limits;
  const STRUCT = 'Rebuilds the network and starts again from step 0.';

  function activations(cfg) {
    const n = cfg.hidden_layers.length;
    return Array.isArray(cfg.activation) ? cfg.activation : Array(n).fill(cfg.activation);
  }

  /** A list of activations becomes one name when they are all equal. */
  function compact(list) {
    return list.length && list.every((a) => a === list[0]) ? list[0] : list;
  }

  function setLayers(layers, acts) {
    const cfg = store.config;
    const partial = { hidden_layers: layers };
    // one activation for all stays one; a per-layer list must keep one entry per layer
    if (Array.isArray(cfg.activation)) {
      const list = acts ?? activations(cfg);
      partial.activation = list.length === 0 ? (cfg.activation[0] ?? 'tanh') : compact(list);
    }
    apply(partial);
  }

  /** Where the keyboard focus is among these controls (a re-render replaces them). */
  function focusKey() {
    const el = document.activeElement;
    if (!el || !(count.contains(el) || strip.contains(el))) return null;
    const col = el.closest('.layer-col');
    return { id: el.id, layer: col?.dataset.layer, action: el.dataset.action, menu: el.classList.contains('layer-activation') };
  }

  /** Focus the control that stands where the focused one stood (or its enabled neighbour). */
  function refocus(key) {
    if (!key) return;
    let target = null;
    if (key.id) target = document.getElementById(key.id);
    else if (key.layer !== undefined) {
      const col = strip.querySelector(`.layer-col[data-layer="${key.layer}"]`);
      target = key.menu ? col?.querySelector('.layer-activation') : col?.querySelector(`[data-action="${key.action}"]`);
    }
    if (target?.disabled) { // "+" at the limit: its partner; a removed layer's control: the layer buttons
      target = key.id ? count.querySelector('button:not(:disabled)') : target.parentElement.querySelector('button:not(:disabled)');
    }
    (target ?? count.querySelector('button:not(:disabled)'))?.focus();
  }

  function render(cfg) {
    const focused = focusKey();
    const layers = cfg.hidden_layers;
    const acts = activations(cfg);
    const ro = store.readonly;
    // hidden-layer count
    const minus = button('−', `Remove the last hidden layer. ${STRUCT}`, 'icon-btn small');
    const plus = button('+', `Add a hidden layer. ${STRUCT}`, 'icon-btn small');
    minus.id = 'remove-layer'; plus.id = 'add-layer';
    minus.setAttribute('aria-label', 'Remove the last hidden layer');
    plus.setAttribute('aria-label', 'Add a hidden layer');
    minus.disabled = ro || layers.length <= limits.hidden_layers[0];
    plus.disabled = ro || layers.length >= limits.hidden_layers[1];
    minus.addEventListener('click', () => setLayers(layers.slice(0, -1), acts.slice(0, -1)));
    // a first hidden layer gets four neurons, as the default network's (and the XOR lesson says)
    plus.addEventListener('click', () => setLayers([...layers, layers.at(-1) ?? 4], [...acts, acts.at(-1) ?? (typeof cfg.activation === 'string' ? cfg.activation : 'tanh')]));
    const label = document.createElement('span');
    label.className = 'layer-count-label';
    label.textContent = `${layers.length} hidden layer${layers.length === 1 ? '' : 's'}`;
    count.replaceChildren(minus, plus, label);

    // one column per layer: inputs, hidden…, output
    const cols = [];
    const inputCol = document.createElement('div');
    inputCol.className = 'layer-col';
    inputCol.innerHTML = '<span class="layer-name">Inputs</span>';
    cols.push(inputCol);
    layers.forEach((n, l) => {
      const col = document.createElement('div');
      col.className = 'layer-col';
      col.dataset.layer = String(l);
      // "Layer 3", or "L3" when ten layers share the strip (app.css: narrow columns)
      const name = document.createElement('span');
      name.className = 'layer-name';
      name.title = `Hidden layer ${l + 1}`;
      name.innerHTML = `<span class="layer-name-long">Layer ${l + 1}</span><span class="layer-name-short">L${l + 1}</span>`;
      const row = document.createElement('span');
      row.className = 'neuron-row';
      const less = button('−', `One neuron fewer in hidden layer ${l + 1}. ${STRUCT}`, 'icon-btn tiny');
      const more = button('+', `One neuron more in hidden layer ${l + 1}. ${STRUCT}`, 'icon-btn tiny');
      less.dataset.action = 'remove-neuron'; more.dataset.action = 'add-neuron';
      less.setAttribute('aria-label', `One neuron fewer in hidden layer ${l + 1}`);
      more.setAttribute('aria-label', `One neuron more in hidden layer ${l + 1}`);
      less.disabled = ro || n <= limits.neurons[0];
      more.disabled = ro || n >= limits.neurons[1];
      less.addEventListener('click', () => setLayers(layers.map((v, i) => (i === l ? v - 1 : v))));
      more.addEventListener('click', () => setLayers(layers.map((v, i) => (i === l ? v + 1 : v))));
      const count = document.createElement('span');
      count.className = 'neuron-count';
      count.textContent = `${n}`;
      count.title = `${n} neuron${n === 1 ? '' : 's'}`;
      row.append(less, count, more);
      const sel = document.createElement('select');
      sel.className = 'layer-activation';
      sel.title = `Activation of hidden layer ${l + 1} only (${pretty(acts[l])}). ${STRUCT}`;
      sel.setAttribute('aria-label', `Activation of hidden layer ${l + 1}`);
      for (const a of hidden) {
        const o = document.createElement('option');
        o.value = a; o.textContent = pretty(a);
        sel.append(o);
      }
      sel.value = acts[l];
      sel.disabled = ro;
      sel.addEventListener('change', () => {
        const next = acts.slice();
        next[l] = sel.value;
        apply({ activation: compact(next) });
      });
      col.append(name, row, sel);
      cols.push(col);
    });
    const outCol = document.createElement('div');
    outCol.className = 'layer-col';
    outCol.innerHTML = `<span class="layer-name">Output</span><span class="layer-note">${pretty(cfg.output_activation)}</span>`;
    cols.push(outCol);
    strip.style.gridTemplateColumns = `repeat(${cols.length}, minmax(0, 1fr))`;
    strip.replaceChildren(...cols);
    fitActivationNames(strip, measure);
    refocus(focused);
  }

  const measure = document.createElement('canvas').getContext('2d');
  new ResizeObserver(() => fitActivationNames(strip, measure)).observe(strip);

  store.on('config', render);
  if (store.config) render(store.config);
}
