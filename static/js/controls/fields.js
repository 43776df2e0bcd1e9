// Small builders for labelled controls, each with a tooltip saying what it changes.

export function tooltip(store, name, text) {
  const prop = store.property(name);
  const what = text ?? (prop ? capital(prop.help) : '');
  if (!prop) return what;
  return `${what}. ${prop.live ? 'Applies at the next update, without a reset.' : 'Rebuilds the network and starts again from step 0.'}`;
}

export function capital(s) {
  return s ? s[0].toUpperCase() + s.slice(1) : s;
}

/** A labelled control; `label` is text, or a list of texts and nodes (see keepCase). */
export function field(label, control, title) {
  const wrap = document.createElement('label');
  wrap.className = 'field';
  if (title) wrap.title = title;
  const span = document.createElement('span');
  span.className = 'field-label';
  span.append(...[label].flat());
  wrap.append(span, control);
  return wrap;
}

/** Text that keeps its case inside an upper-cased label: a symbol such as μ
 * would otherwise be shown as Μ, a capital Greek letter that means nothing here. */
export function keepCase(text) {
  const span = document.createElement('span');
  span.className = 'keep-case';
  span.textContent = text;
  return span;
}

/** A <select> of [value, text] pairs; values are kept as strings. */
export function select(options, id) {
  const el = document.createElement('select');
  if (id) el.id = id;
  setOptions(el, options);
  return el;
}

export function setOptions(el, options) {
  el.replaceChildren(...options.map(([value, text]) => {
    const o = document.createElement('option');
    o.value = String(value);
    o.textContent = text ?? String(value);
    return o;
  }));
}

/** Select `value`, adding it as an option when it is not one yet. */
export function choose(el, value, text) {
  const v = String(value);
  if (![...el.options].some((o) => o.value === v)) {
    const o = document.createElement('option');
    o.value = v;
    o.textContent = text ?? v;
    el.append(o);
  }
  el.value = v;
}

export function button(text, title, cls = 'btn') {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = cls;
  b.textContent = text;
  if (title) b.title = title;
  return b;
}

export const PRETTY = {
  sigmoid: 'Sigmoid', tanh: 'Tanh', relu: 'ReLU', leaky_relu: 'Leaky ReLU', linear: 'Linear', softmax: 'Softmax',
  mse: 'Mean squared error', bce: 'Binary cross-entropy', cross_entropy: 'Cross-entropy',
  sgd: 'SGD', momentum: 'Momentum', adam: 'Adam',
  xavier: 'Xavier', he: 'He', uniform: 'Uniform', zeros: 'Zeros',
};
export const pretty = (name) => PRETTY[name] ?? name;
