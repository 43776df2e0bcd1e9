// The share link: the whole configuration as a query string, driven by the
// catalog's declarative table of typed properties (GET /api/catalog → config).
// Only values that differ from their defaults are written, so links stay short;
// decoding turns each parameter back into its typed value.

const LIST_SEP = ',';

/** Defaults that follow the data (the table's default is null for them). */
function derivedDefault(name, config, catalog) {
  const ds = catalog.datasets.find((d) => d.name === config.dataset);
  const custom = config.dataset === 'custom';
  const inputs = custom ? (config.points?.x?.[0]?.length ?? 2) : (ds?.inputs ?? 2);
  const task = custom ? config.task : ds?.task;
  const classes = custom
    ? (task === 'classification' ? Math.max(...config.points.y) + 1 : null)
    : ds?.classes;
  if (name === 'features') return inputs === 2 ? ['x1', 'x2'] : ['x1'];
  if (name === 'loss') return task === 'regression' ? 'mse' : classes === 2 ? 'bce' : 'cross_entropy';
  if (name === 'output_activation') {
    const loss = config.loss;
    if (loss === 'bce') return 'sigmoid';
    if (loss === 'cross_entropy') return 'softmax';
    return task === 'regression' ? 'linear' : classes === 2 ? 'sigmoid' : 'softmax';
  }
  return null;
}

function same(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}

function encodeValue(prop, value) {
  switch (prop.type) {
    case 'list[int]':
    case 'list[str]':
      return value.length ? value.join(LIST_SEP) : '-';
    case 'activation':
      if (Array.isArray(value)) {
        return value.every((v) => v === value[0]) && value.length ? value[0] : value.join(LIST_SEP);
      }
      return value;
    case 'points':
      // rows "x1,x2,y" (or "x1,y") joined by ";" — numbers in their shortest exact form
      return value.x.map((row, i) => [...row, value.y[i]].join(LIST_SEP)).join(';');
    default:
      return String(value);
  }
}

function decodeValue(prop, text) {
  const number = (s) => {
    const v = Number(s);
    if (s.trim() === '' || !Number.isFinite(v)) throw new Error(`${prop.name}: “${s}” is not a number`);
    return v;
  };
  switch (prop.type) {
    case 'int':
    case 'float':
      return number(text);
    case 'list[int]':
      return text === '-' || text === '' ? [] : text.split(LIST_SEP).map(number);
    case 'list[str]':
      return text === '-' || text === '' ? [] : text.split(LIST_SEP);
    case 'activation':
      return text.includes(LIST_SEP) ? text.split(LIST_SEP) : text;
    case 'points': {
      const rows = text.split(';').map((r) => r.split(LIST_SEP).map(number));
      return { x: rows.map((r) => r.slice(0, -1)), y: rows.map((r) => r[r.length - 1]) };
    }
    default:
      return text;
  }
}

/** The query string (without "?") of a full configuration. */
export function encodeConfig(config, catalog, base = {}) {
  const parts = [];
  for (const prop of catalog.config) {
    const value = config[prop.name];
    if (value === null || value === undefined) continue;
    // `base`: what the link starts from besides the defaults (a lesson's setup, which ?lesson= reapplies)
    const dflt = prop.name in base ? base[prop.name] : prop.default ?? derivedDefault(prop.name, config, catalog);
    let v = value;
    if (prop.type === 'activation' && Array.isArray(v) && v.length && v.every((a) => a === v[0])) v = v[0];
    if (same(v, dflt)) continue;
    const text = encodeURIComponent(encodeValue(prop, value))
      .replace(/%2C/g, ',').replace(/%3B/g, ';');
    parts.push(`${prop.name}=${text}`);
  }
  return parts.join('&');
}

/** A partial configuration from a query string; unknown keys are ignored,
 * and values that do not parse are reported in `errors`. */
export function decodeConfig(search, catalog) {
  const params = new URLSearchParams(search);
  const partial = {};
  const errors = [];
  for (const prop of catalog.config) {
    if (!params.has(prop.name)) continue;
    try {
      partial[prop.name] = decodeValue(prop, params.get(prop.name));
    } catch (e) {
      errors.push(e.message);
    }
  }
  // a lesson link (?lesson=<id>) starts from the lesson's setup; other parameters win over it
  const lesson = lessonFromLink(search, catalog);
  if (params.has('lesson') && !lesson) errors.push(`there is no lesson “${params.get('lesson')}”`);
  return { partial: lesson ? { ...lesson.config, ...partial } : partial, errors, lesson };
}

/** The lesson (a catalog preset) a link names with ?lesson=<id>, or null. */
export function lessonFromLink(search, catalog) {
  return lessonById(catalog, new URLSearchParams(search).get('lesson'));
}

/** The lesson (a catalog preset) called `id`, or null. */
export function lessonById(catalog, id) {
  return id ? (catalog.presets ?? []).find((p) => p.id === id) ?? null : null;
}

export function shareUrl(config, catalog, base = {}) {
  const q = encodeConfig(config, catalog, base);
  return `${location.origin}/${q ? `?${q}` : ''}`;
}
