// The API reference at /docs, drawn from the server's own /openapi.json (so it
// is always the running server's contract, and needs nothing from the
// internet): the description (with the live WebSocket protocol), a curl
// example, every operation — parameters, request body, responses — and the
// component schemas they refer to, listed at the end.

import { createThemeToggle } from './theme.js';

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];
const REF = '#/components/schemas/';

/** An element: h('p', {class: 'x'}, 'text', child, [more children]). */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

// -- a little markdown: what our descriptions and docstrings use ------------------

/** `code` (or ``code``), **bold**, *emphasis*, as nodes. */
function inline(text) {
  const out = [];
  const pattern = /``(.+?)``|`([^`]+)`|\*\*(.+?)\*\*|\*([^*\s][^*]*)\*/g;
  let last = 0;
  for (const m of text.matchAll(pattern)) {
    if (m.index > last) out.push(text.slice(last, m.index));
    if (m[1] !== undefined || m[2] !== undefined) out.push(h('code', {}, m[1] ?? m[2]));
    else if (m[3] !== undefined) out.push(h('strong', {}, m[3]));
    else out.push(h('em', {}, m[4]));
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

/** Paragraphs, "- " lists, "#" headings and ``` blocks (text set as text: never parsed as HTML). */
function markdown(text, { headingLevel = 3 } = {}) {
  const box = h('div', { class: 'md' });
  if (!text) return box;
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  let para = [];
  let list = null;
  const flush = () => {
    if (para.length) box.append(h('p', {}, inline(para.join(' '))));
    para = [];
    list = null;
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const trimmed = line.trim();
    if (trimmed.startsWith('```')) {
      flush();
      const code = [];
      for (i++; i < lines.length && !lines[i].trim().startsWith('```'); i++) code.push(lines[i]);
      box.append(h('pre', {}, h('code', {}, code.join('\n'))));
      continue;
    }
    if (!trimmed) { flush(); continue; }
    const heading = /^(#{1,4})\s+(.*)$/.exec(trimmed);
    if (heading) {
      flush();
      const level = Math.min(6, Math.max(2, headingLevel + heading[1].length - 2)); // "##" is headingLevel
      box.append(h(`h${level}`, { class: 'md-heading' }, inline(heading[2])));
      continue;
    }
    const item = /^[-*]\s+(.*)$/.exec(trimmed);
    if (item) {
      if (para.length) { box.append(h('p', {}, inline(para.join(' ')))); para = []; }
      if (!list) { list = h('ul'); box.append(list); }
      list.append(h('li', {}, inline(item[1])));
      continue;
    }
    if (list && /^\s/.test(line)) { // a list item's continuation line
      append(list.lastElementChild, [' ', inline(trimmed)]);
      continue;
    }
    list = null;
    para.push(trimmed);
  }
  flush();
  return box;
}

// -- schemas -----------------------------------------------------------------------

function refName(schema) {
  return schema && typeof schema.$ref === 'string' && schema.$ref.startsWith(REF) ? schema.$ref.slice(REF.length) : null;
}

function schemaLink(name) {
  return h('a', { href: `#schema-${name}`, class: 'schema-link' }, name);
}

function alternatives(schema) {
  return schema.anyOf || schema.oneOf || null;
}

/** The type, as text and links: "number | null", "array of array of number", a link to a component. */
function typeOf(schema) {
  if (!schema || typeof schema !== 'object') return ['any'];
  const name = refName(schema);
  if (name) return [schemaLink(name)];
  const alts = alternatives(schema);
  if (alts) {
    const out = [];
    alts.forEach((alt, i) => { if (i) out.push(' | '); out.push(...typeOf(alt)); });
    return out;
  }
  if ('const' in schema) return [h('code', {}, JSON.stringify(schema.const))];
  const type = Array.isArray(schema.type) ? schema.type.join(' | ') : schema.type;
  if (type === 'array') return schema.items ? ['array of ', ...typeOf(schema.items)] : ['array'];
  if (type === 'object') {
    const extra = schema.additionalProperties;
    if (extra && typeof extra === 'object' && Object.keys(extra).length) return ['object of ', ...typeOf(extra)];
    return ['object'];
  }
  if (type) return [type];
  if (schema.enum) return ['string'];
  return ['any'];
}

function num(v) {
  return typeof v === 'number' ? v.toLocaleString('en-US', { maximumFractionDigits: 12 }) : String(v);
}

/** What values are allowed: a range, a choice, a number of items. */
function allowedOf(schema, out = [], seen = new Set(), prefix = '') {
  if (!schema || typeof schema !== 'object') return out;
  const add = (text) => { if (!seen.has(text)) { seen.add(text); out.push(prefix + text); } };
  if (Array.isArray(schema.enum)) {
    const key = `one of ${schema.enum.map((v) => JSON.stringify(v)).join(', ')}`;
    if (!seen.has(key)) { seen.add(key); out.push([prefix, 'one of ', schema.enum.flatMap((v, i) => [i ? ', ' : '', h('code', {}, typeof v === 'string' ? v : JSON.stringify(v))])]); }
  }
  const lo = schema.exclusiveMinimum ?? schema.minimum;
  const hi = schema.exclusiveMaximum ?? schema.maximum;
  if (lo !== undefined && hi !== undefined) {
    add(`${schema.exclusiveMinimum !== undefined ? '(' : '['}${num(lo)}, ${num(hi)}${schema.exclusiveMaximum !== undefined ? ')' : ']'}`);
  } else if (lo !== undefined) {
    add(`${schema.exclusiveMinimum !== undefined ? '>' : '≥'} ${num(lo)}`);
  } else if (hi !== undefined) {
    add(`${schema.exclusiveMaximum !== undefined ? '<' : '≤'} ${num(hi)}`);
  }
  const items = (a, b, what) => {
    if (a !== undefined && b !== undefined) add(`${num(a)} to ${num(b)} ${what}`);
    else if (a !== undefined) add(`at least ${num(a)} ${what}`);
    else if (b !== undefined) add(`at most ${num(b)} ${what}`);
  };
  items(schema.minItems, schema.maxItems, 'items');
  items(schema.minLength, schema.maxLength, 'characters');
  for (const alt of alternatives(schema) || []) allowedOf(alt, out, seen, prefix);
  if (schema.items) allowedOf(schema.items, out, seen, prefix || 'each: ');
  return out;
}

/** A table of an object schema's fields (one level: nested schemas are links). */
function fieldsTable(schema, spec, { showDefaults = true, showRequired = true } = {}) {
  const target = resolve(schema, spec);
  const props = target && target.properties;
  if (!props || !Object.keys(props).length) return null;
  const required = new Set(target.required || []);
  const entries = Object.entries(props).map(([name, p]) => [name, p, allowedOf(p)]);
  // a column only when some field has something to say in it
  const hasAllowed = entries.some(([, , allowed]) => allowed.length);
  const hasDefaults = showDefaults && entries.some(([, p]) => 'default' in p);
  const hasDescriptions = entries.some(([, p]) => p.description);
  const head = h('tr', {}, h('th', {}, 'Field'), h('th', {}, 'Type'), hasAllowed ? h('th', {}, 'Allowed') : null,
    hasDefaults ? h('th', {}, 'Default') : null, hasDescriptions ? h('th', {}, 'Description') : null);
  const rows = entries.map(([name, p, allowed]) => h('tr', { dataset: { field: name } },
    h('td', { class: 'field-name' }, h('code', {}, name),
      showRequired && required.has(name) ? h('span', { class: 'req', title: 'required' }, 'required') : null),
    h('td', { class: 'field-type', 'data-label': 'type' }, typeOf(p)),
    hasAllowed ? h('td', { class: 'field-allowed', 'data-label': 'allowed' }, allowed.length ? allowed.flatMap((a, i) => [i ? h('br') : null, a]) : '—') : null,
    hasDefaults ? h('td', { class: 'field-default', 'data-label': 'default' }, 'default' in p ? h('code', {}, JSON.stringify(p.default)) : '—') : null,
    hasDescriptions ? h('td', { class: 'field-desc' }, p.description ? inline(p.description) : '') : null));
  return h('div', { class: 'table-wrap' }, h('table', { class: 'fields' }, h('thead', {}, head), h('tbody', {}, rows)));
}

/** A component schema for a $ref, the schema itself otherwise. */
function resolve(schema, spec) {
  const name = refName(schema);
  return name ? (spec.components?.schemas?.[name] ?? null) : schema;
}

/** The schema a body carries, and whether it may be null: ``A | null`` is A, optional. */
function unwrapNullable(schema) {
  const alts = schema && alternatives(schema);
  if (alts) {
    const real = alts.filter((a) => a.type !== 'null');
    if (real.length === 1 && real.length < alts.length) return { schema: real[0], nullable: true };
  }
  return { schema, nullable: false };
}

// -- operations ----------------------------------------------------------------------

function opId(method, path) {
  return `op-${method}-${path.replace(/[^A-Za-z0-9_]+/g, '-').replace(/^-|-$/g, '')}`;
}

function curlCreate(spec) {
  const config = spec.components?.schemas?.SessionConfig;
  const example = config?.examples?.[0] ?? { dataset: 'xor', hidden_layers: [4, 4] };
  return `curl -s -X POST ${location.origin}/api/sessions \\\n     -H 'content-type: application/json' \\\n     -d '${JSON.stringify(example)}'`;
}

function codeBlock(text, testid) {
  const pre = h('pre', { class: 'curl', 'data-testid': testid }, h('code', {}, text));
  const copy = h('button', { type: 'button', class: 'btn copy', title: 'Copy to the clipboard' }, 'Copy');
  copy.addEventListener('click', async () => {
    try { await navigator.clipboard.writeText(text); copy.textContent = 'Copied'; } catch { copy.textContent = 'Select and copy'; }
    setTimeout(() => { copy.textContent = 'Copy'; }, 1500);
  });
  return h('div', { class: 'code-box' }, pre, copy);
}

function parametersBlock(op) {
  const params = op.parameters || [];
  if (!params.length) return null;
  const rows = params.map((p) => h('tr', { dataset: { field: p.name } },
    h('td', { class: 'field-name' }, h('code', {}, p.name), p.required ? h('span', { class: 'req' }, 'required') : null),
    h('td', {}, p.in),
    h('td', { class: 'field-type' }, typeOf(p.schema)),
    h('td', { class: 'field-desc' }, p.description ? inline(p.description) : '')));
  return h('div', { class: 'block', 'data-testid': 'parameters' }, h('h4', {}, 'Parameters'),
    h('div', { class: 'table-wrap' }, h('table', { class: 'fields' },
      h('thead', {}, h('tr', {}, h('th', {}, 'Name'), h('th', {}, 'In'), h('th', {}, 'Type'), h('th', {}, 'Description'))),
      h('tbody', {}, rows))));
}

function bodyBlock(op, spec) {
  const body = op.requestBody;
  if (!body) return null;
  const [type, media] = Object.entries(body.content || {})[0] || ['application/json', {}];
  const { schema, nullable } = unwrapNullable(media.schema);
  const optional = !body.required || nullable;
  const name = refName(schema);
  const title = h('p', { class: 'body-type' }, h('code', {}, type), ' — ', typeOf(schema),
    optional ? h('span', { class: 'opt' }, ' (optional: the body may be left out)') : h('span', { class: 'req' }, 'required'));
  const target = resolve(schema, spec);
  return h('div', { class: 'block', 'data-testid': 'request-body' }, h('h4', {}, 'Request body'), title,
    target?.description && name ? h('div', { class: 'schema-desc' }, markdown(target.description)) : null,
    fieldsTable(schema, spec));
}

function responsesBlock(op, spec) {
  const list = h('div', { class: 'responses' });
  for (const [status, answer] of Object.entries(op.responses || {})) {
    const media = Object.values(answer.content || {})[0];
    const schema = media?.schema;
    const error = Number(status) >= 400;
    const head = h('div', { class: 'response-head' },
      h('span', { class: `http-status s${status[0]}xx` }, status),
      h('span', { class: 'response-desc' }, inline(answer.description || '')),
      schema ? h('span', { class: 'response-type' }, ' → ', typeOf(schema)) : h('span', { class: 'muted' }, ' (no body)'));
    let detail = null;
    if (schema) {
      const target = resolve(schema, spec);
      if (error && target?.properties) { // the same small Problem everywhere: its fields in one line
        detail = h('p', { class: 'response-fields' }, Object.entries(target.properties).flatMap(([k, p], i) =>
          [i ? ', ' : '', h('code', {}, k), ' ', h('span', { class: 'muted' }, typeOf(p))]));
      } else {
        detail = fieldsTable(schema, spec, { showDefaults: false, showRequired: false });
      }
    }
    list.append(h('div', { class: `response${error ? ' response-error' : ''}`, 'data-status': status }, head, detail));
  }
  return h('div', { class: 'block' }, h('h4', {}, 'Responses'), list);
}

function operationSection(method, path, op, spec) {
  const id = opId(method, path);
  return h('section', { class: 'op', id, 'data-testid': 'operation', 'data-method': method.toUpperCase(), 'data-path': path },
    h('h3', { class: 'op-title' },
      h('span', { class: `method m-${method}` }, method.toUpperCase()), ' ',
      h('code', { class: 'op-path' }, path),
      h('a', { class: 'anchor', href: `#${id}`, title: 'Link to this operation' }, '#')),
    op.summary ? h('p', { class: 'op-summary' }, op.summary) : null,
    op.description ? markdown(op.description) : null,
    parametersBlock(op),
    bodyBlock(op, spec),
    responsesBlock(op, spec),
    method === 'post' && path === '/api/sessions'
      ? h('div', { class: 'block' }, h('h4', {}, 'Example'), codeBlock(curlCreate(spec), 'curl-create')) : null);
}

function schemaSection(name, schema, spec) {
  const examples = schema.examples || (schema.example !== undefined ? [schema.example] : []);
  return h('section', { class: 'schema', id: `schema-${name}`, 'data-testid': 'schema' },
    h('h3', {}, h('code', {}, name), h('a', { class: 'anchor', href: `#schema-${name}`, title: 'Link to this schema' }, '#')),
    schema.description ? markdown(schema.description) : null,
    fieldsTable(schema, spec) || h('p', { class: 'muted' }, typeOf(schema)),
    examples.length ? h('div', { class: 'block' }, h('h4', {}, examples.length > 1 ? 'Examples' : 'Example'),
      examples.map((e) => h('pre', {}, h('code', {}, JSON.stringify(e))))) : null);
}

// -- the page ------------------------------------------------------------------------

function operationsByTag(spec) {
  const groups = new Map((spec.tags || []).map((t) => [t.name, { tag: t, ops: [] }]));
  for (const [path, item] of Object.entries(spec.paths || {})) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const tag = (op.tags && op.tags[0]) || 'other';
      if (!groups.has(tag)) groups.set(tag, { tag: { name: tag }, ops: [] });
      groups.get(tag).ops.push({ method, path, op });
    }
  }
  return [...groups.values()].filter((g) => g.ops.length);
}

function render(spec) {
  const main = document.getElementById('docs');
  const nav = document.getElementById('docs-nav');
  const info = spec.info || {};
  const groups = operationsByTag(spec);
  const schemas = Object.entries(spec.components?.schemas || {}).sort(([a], [b]) => a.localeCompare(b));

  const content = [
    h('section', { class: 'intro', id: 'overview' },
      h('h1', {}, `${info.title || 'API'} `, h('span', { class: 'muted' }, info.version || '')),
      info.summary ? h('p', { class: 'lead' }, info.summary) : null,
      markdown(info.description || '', { headingLevel: 2 }),
      h('h2', { id: 'quick-start' }, 'Quick start'),
      h('p', {}, 'Create a session (every field is optional: missing ones take their defaults, listed under ',
        schemaLink('SessionConfig'), '); the answer holds its ', h('code', {}, 'id'), ' for the other calls.'),
      codeBlock(curlCreate(spec), 'curl'),
      h('p', {}, 'The whole document is ', h('a', { href: '/openapi.json' }, '/openapi.json'), ' (OpenAPI ', spec.openapi || '3', ').')),
  ];
  for (const { tag, ops } of groups) {
    content.push(h('section', { class: 'tag', id: `tag-${tag.name}` },
      h('h2', {}, tag.name),
      tag.description ? markdown(tag.description) : null,
      ops.map(({ method, path, op }) => operationSection(method, path, op, spec))));
  }
  content.push(h('section', { class: 'schemas', id: 'schemas' },
    h('h2', {}, 'Schemas'),
    h('p', { class: 'muted' }, 'The objects the operations above take and answer.'),
    schemas.map(([name, schema]) => schemaSection(name, schema, spec))));

  main.replaceChildren(...content);
  main.removeAttribute('aria-busy');

  nav.replaceChildren();
  append(nav, [
    h('a', { class: 'nav-top', href: '#overview' }, 'Overview'),
    h('a', { class: 'nav-top', href: '#live-protocol-websocket' }, 'Live protocol'),
    h('a', { class: 'nav-top', href: '#quick-start' }, 'Quick start'),
    groups.map(({ tag, ops }) => [
      h('a', { class: 'nav-tag', href: `#tag-${tag.name}` }, tag.name),
      h('ul', {}, ops.map(({ method, path, op }) => h('li', {},
        h('a', { href: `#${opId(method, path)}`, title: `${method.toUpperCase()} ${path}` },
          h('span', { class: `method small m-${method}` }, method.toUpperCase()), ' ', op.summary || path)))),
    ]),
    h('a', { class: 'nav-tag', href: '#schemas' }, 'Schemas'),
    h('ul', {}, schemas.map(([name]) => h('li', {}, h('a', { href: `#schema-${name}` }, name)))),
  ]);
  // headings of the description get anchors too (the nav links the live protocol)
  for (const heading of main.querySelectorAll('.md-heading')) {
    heading.id ||= heading.textContent.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
  }
  if (!main.querySelector('#live-protocol-websocket')) nav.querySelector('[href="#live-protocol-websocket"]').remove();
  if (location.hash) document.getElementById(decodeURIComponent(location.hash.slice(1)))?.scrollIntoView();
}

async function start() {
  createThemeToggle(document.getElementById('theme-toggle'));
  try {
    const answer = await fetch('/openapi.json', { headers: { accept: 'application/json' } });
    if (!answer.ok) throw new Error(`GET /openapi.json answered ${answer.status}`);
    render(await answer.json());
    document.body.dataset.ready = 'true';
  } catch (e) {
    const status = document.getElementById('docs-status');
    status.textContent = `The reference could not be drawn (${e.message}); the raw document is at `;
    status.append(h('a', { href: '/openapi.json' }, '/openapi.json'), '.');
    status.classList.add('docs-error');
    document.body.dataset.ready = 'error';
  }
}

start();
