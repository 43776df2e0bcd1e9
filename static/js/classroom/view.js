// The classroom view, set through the link (TensorFlow Playground's idea):
//   ?present=1             presenter mode: larger type and thicker lines for a projector
//   ?hide=noise,batch_size controls a lesson does not need, by the names of HIDEABLE
//   ?theme=dark            the theme, whatever the viewer's system says
// These ride along with the configuration in the share link and the address
// bar, and the hidden controls in the watch link, so students see what the
// teacher shows. Hiding is by a stylesheet, so controls that are rebuilt later
// stay hidden.

/** Names that `hide=` accepts → what they hide. Most are SessionConfig fields. */
export const HIDEABLE = {
  // data
  dataset: ['#datasets'],
  noise: [':is(.slider, .field):has(#noise)'],
  train_fraction: [':is(.slider, .field):has(#train-fraction)'],
  n_samples: [':is(.slider, .field):has(#n-samples)'],
  batch_size: [':is(.slider, .field):has(#batch-size)'],
  regenerate: ['#regenerate'],
  features: ['#features', '.panel-data .panel-title:has(+ #features)'],
  custom: ['#custom-tools', '#class-chooser'],
  data: ['.panel-data'],
  // network
  hidden_layers: ['#layer-count', '#layer-strip'],
  activation: [':is(.slider, .field):has(#activation)', '.layer-activation'],
  output_activation: [':is(.slider, .field):has(#output-activation)'],
  loss: [':is(.slider, .field):has(#loss)'],
  init: [':is(.slider, .field):has(#init)'],
  seed: [':is(.slider, .field):has(#seed)'],
  // training
  learning_rate: [':is(.slider, .field):has(#learning-rate)'],
  optimizer: [':is(.slider, .field):has(#optimizer)'],
  momentum: [':is(.slider, .field):has(#momentum)'],
  regularization: [':is(.slider, .field):has(#regularization)', ':is(.slider, .field):has(#reg-rate)'],
  toolbar: ['#hyper'],
  // transport and panels
  play: ['#play'],
  step: ['#step'],
  reset: ['#reset'],
  speed: ['.speed-field'],
  share: ['#share-link', '#watch-link'],
  gradients: ['.gradient-box'],
  loss_chart: ['.panel-output .chart-title:has(+ #loss-chart)', '#loss-chart'],
  output_options: ['.output-options'],
};

/** {present, hide, theme, unknown} from a query string. */
export function readView(search = location.search) {
  const params = new URLSearchParams(search);
  const asked = (params.get('hide') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const theme = ['light', 'dark'].includes(params.get('theme')) ? params.get('theme') : null;
  return {
    present: params.get('present') === '1',
    hide: asked.filter((n) => n in HIDEABLE),
    unknown: asked.filter((n) => !(n in HIDEABLE)),
    theme,
  };
}

/** The query-string part (without "?" or "&") that carries a view; '' for the plain one. */
export function viewQuery(view, { forWatchers = false } = {}) {
  const parts = [];
  if (view.present && !forWatchers) parts.push('present=1');
  if (view.hide.length) parts.push(`hide=${view.hide.join(',')}`);
  if (view.theme && !forWatchers) parts.push(`theme=${view.theme}`);
  return parts.join('&');
}

/** Add the view's parameters to a URL (keeping its own query and hash). */
export function withView(url, view, options) {
  const q = viewQuery(view, options);
  return q ? withParams(url, new URLSearchParams(q)) : url;
}

/** Set these query parameters (an iterable of [name, value]) on a URL, keeping its others and its hash. */
export function withParams(url, params) {
  const u = new URL(url, location.origin);
  for (const [k, v] of params) u.searchParams.set(k, v);
  // keep commas readable in the address
  return u.toString().replace(/%2C/g, ',');
}

let styleEl = null;
let current = readView();

/** The view the page shows now. */
export function getView() {
  return current;
}

/** Show another view, and put it in the address bar (the configuration part stays). */
export function setView(view) {
  current = view;
  applyView(view);
  const u = new URL(location.href);
  for (const k of ['present', 'hide', 'theme']) u.searchParams.delete(k);
  history.replaceState(null, '', withView(u.toString(), view));
}

/** Apply a view to the page: the presenting class and the stylesheet of hidden controls. */
export function applyView(view) {
  document.documentElement.classList.toggle('presenting', view.present);
  if (!styleEl) {
    styleEl = document.createElement('style');
    styleEl.id = 'hidden-controls';
    document.head.append(styleEl);
  }
  const selectors = view.hide.flatMap((n) => HIDEABLE[n]);
  styleEl.textContent = selectors.length ? `${selectors.join(',\n')} { display: none !important; }` : '';
  for (const n of Object.keys(HIDEABLE)) document.documentElement.classList.toggle(`hide-${n}`, view.hide.includes(n));
  window.dispatchEvent(new CustomEvent('chainrule:view', { detail: { present: view.present } }));
}
