// Export: a PNG of any panel (plotly's own image export, with the canvases
// painted under a plot — the network's edges and tiles, the output map — laid underneath), the session as JSON (GET /export) and back
// (POST /import), and the training history as CSV (GET /history).

import * as api from './api.js';
import { openOwnSession } from './classroom/fork.js';
import { syncPlot } from './charts/live-lines.js';
import { themeColors } from './colors.js';
import { noticeAfterNavigation } from './notice.js';
import { attachPopup, pressWithKeys } from './popup.js';

/** Save a Blob under a file name (an <a download> click). */
export function download(blob, name) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

function loadImage(src) {
  return new Promise((resolve, reject) => {
    const img = new Image();
    img.onload = () => resolve(img);
    img.onerror = () => reject(new Error('the picture could not be drawn'));
    img.src = src;
  });
}

/** A PNG Blob of one plot, on the panel's own background; `under` canvases
 * (the network's edges) are drawn first, at the same place. A chart with
 * `labels` ({title, x, y}) gets them, and its legend, in the picture: away
 * from the page, train and test could not be told apart. */
export async function plotPng(el, { under = [], scale = 2, labels = null } = {}) {
  await syncPlot(el); // a live chart's plotly data may lag behind the lines on screen
  const w = Math.max(1, Math.round(el.clientWidth)), h = Math.max(1, Math.round(el.clientHeight));
  const layout = el.layout;
  const figure = labels && !under.length ? {
    data: el.data,
    layout: {
      ...layout, showlegend: true,
      title: { text: labels.title, x: 0.01, xanchor: 'left', y: 0.98, yanchor: 'top', font: { size: 13 } },
      margin: { ...layout.margin, t: Math.max(layout.margin?.t ?? 0, 44) },
      legend: { ...layout.legend, orientation: 'h', x: 1, xanchor: 'right', y: 1, yanchor: 'bottom' },
      xaxis: { ...layout.xaxis, title: { text: labels.x, font: { size: 11 } } },
      yaxis: { ...layout.yaxis, title: { text: labels.y, font: { size: 11 } } },
    },
  } : el;
  const url = await Plotly.toImage(figure, { format: 'png', width: w, height: h, scale });
  const canvas = document.createElement('canvas');
  canvas.width = w * scale;
  canvas.height = h * scale;
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = themeColors().panel;
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  const box = el.getBoundingClientRect();
  for (const c of under) {
    const r = c.getBoundingClientRect();
    // only the part the page shows: the box less its clip-path's inset (the output
    // map reaches half a grid cell past its axes, see charts/boundary.js)
    const inset = getComputedStyle(c).clipPath.match(/inset\(([^)]*)\)/)?.[1].split(/\s+/).map(parseFloat) ?? [0];
    const [t, right = t, b = t, l = right] = inset;
    ctx.save();
    ctx.beginPath();
    ctx.rect((r.left - box.left + l) * scale, (r.top - box.top + t) * scale, (r.width - l - right) * scale, (r.height - t - b) * scale);
    ctx.clip();
    ctx.drawImage(c, (r.left - box.left) * scale, (r.top - box.top) * scale, r.width * scale, r.height * scale);
    ctx.restore();
  }
  ctx.drawImage(await loadImage(url), 0, 0, canvas.width, canvas.height);
  return new Promise((resolve) => canvas.toBlob(resolve, 'image/png'));
}

/** CSV text of GET /history: one row per recorded step — every update of
 * the per-step series and every step at which the full train and test sets
 * were evaluated (step 0 among them) — with empty cells where a series has
 * no value at that step. */
export function historyCsv(h) {
  const layers = h.grad_norms.length;
  const updates = new Map(h.step.map((s, i) => [s, i]));
  const evals = new Map(h.eval_step.map((s, i) => [s, i]));
  const steps = [...new Set([...h.step, ...h.eval_step])].sort((a, b) => a - b);
  const cell = (v) => (v === null || v === undefined ? '' : String(v));
  const head = ['step', 'batch_loss', ...Array.from({ length: layers }, (_, l) => `grad_norm_W${l + 1}`),
                'train_loss', 'test_loss', 'train_accuracy', 'test_accuracy'];
  const rows = steps.map((step) => {
    const u = updates.get(step), e = evals.get(step);
    const of = (a) => (u === undefined ? '' : cell(a[u]));
    const at = (a) => (e === undefined ? '' : cell(a[e]));
    return [step, of(h.batch_loss), ...h.grad_norms.map(of),
            at(h.train_loss), at(h.test_loss), at(h.train_accuracy), at(h.test_accuracy)].join(',');
  });
  return `${head.join(',')}\n${rows.join('\n')}${rows.length ? '\n' : ''}`;
}

const PANELS = [
  { key: 'network', text: 'Network diagram', el: 'network', under: ['network-edges'] },
  { key: 'boundary', text: 'Output', el: 'boundary', under: ['boundary-image'] },
  { key: 'loss', text: 'Loss chart', el: 'loss-chart', labels: { title: 'Loss, train and test', x: 'update', y: 'loss' } },
  { key: 'gradients', text: 'Gradient chart', el: 'gradient-chart',
    labels: { title: 'Gradient size per layer (log scale)', x: 'update', y: '‖∂L/∂W‖' } },
];

export function createExportMenu(store, notify, { button, onFork }) {
  const $ = (id) => document.getElementById(id);
  const menu = document.createElement('div');
  menu.className = 'classroom-panel export-menu';
  menu.id = 'export-menu';
  menu.hidden = true;
  menu.setAttribute('role', 'menu');
  const own = !store.readonly;
  menu.innerHTML = `
    <h3>Picture (PNG)</h3>
    ${PANELS.map((p) => `<button type="button" role="menuitem" class="menu-item" data-testid="export-png-${p.key}" data-png="${p.key}">${p.text}</button>`).join('')}
    <h3>Session</h3>
    <button type="button" role="menuitem" class="menu-item" data-testid="export-json" ${own ? '' : 'disabled title="Fork first: a watch link cannot export"'}>Save session (.json)</button>
    <label role="menuitem" tabindex="0" class="menu-item" title="Open a saved session (.json) and continue training from where it was saved">Load session…<input type="file" accept=".json,application/json" data-testid="load-session" hidden></label>
    <button type="button" role="menuitem" class="menu-item" data-testid="export-csv" title="Every recorded update's loss and gradient norms, and the sampled train/test loss and accuracy">History (.csv)</button>
    <button type="button" role="menuitem" class="menu-item" data-testid="fork-copy" title="A copy of this session — weights, optimizer state, data, step — that you drive yourself">Fork a copy</button>`;
  document.body.append(menu);

  const open = attachPopup(button, menu);

  const stepName = () => `step${store.frame?.step ?? 0}`;

  async function png(key) {
    const p = PANELS.find((q) => q.key === key);
    try {
      const labels = p.labels && { ...p.labels, title: `${p.labels.title}, step ${store.frame?.step ?? 0}` };
      const blob = await plotPng($(p.el), { under: (p.under ?? []).map($), labels });
      download(blob, `chainrule-${key}-${stepName()}.png`);
    } catch (e) {
      notify(`No picture: ${e.message}`, 'error');
    }
  }
  async function saveJson() {
    try {
      const doc = await api.exportSession(store.sessionId);
      download(new Blob([JSON.stringify(doc)], { type: 'application/json' }), `chainrule-session-${stepName()}.json`);
      notify('Session saved: “Load session…” opens it again and training goes on from the same step.', 'info');
    } catch (e) {
      notify(`Not saved: ${e.message}`, 'error');
    }
  }
  async function saveCsv() {
    try {
      // a watcher may take the history too (it is read-only): GET /api/watch/{id}/history
      const h = await (store.readonly ? api.readWatchedHistory(store.watchId) : api.readHistory(store.sessionId));
      download(new Blob([historyCsv(h)], { type: 'text/csv' }), `chainrule-history-${stepName()}.csv`);
    } catch (e) {
      notify(`No history: ${e.message}`, 'error');
    }
  }
  async function load(file) {
    let doc;
    try {
      doc = JSON.parse(await file.text());
    } catch {
      notify(`${file.name} is not a saved chainrule session (not JSON).`, 'error');
      return;
    }
    try {
      const session = await api.importSession(doc);
      // a loaded session is a new one, with its own watch link: a class watching this one stays here
      noticeAfterNavigation(`${file.name} is loaded, at step ${session.state.step}, as a new session: it has a new watch link. A class watching the previous session stays on it — share the new Watch link.`);
      openOwnSession(session.id);
    } catch (e) {
      notify(`${file.name} could not be loaded: ${e.message}`, 'error');
    }
  }

  menu.addEventListener('click', (ev) => {
    const item = ev.target.closest('button.menu-item');
    if (!item || item.disabled) return;
    open(false);
    if (item.dataset.png) png(item.dataset.png);
    else if (item.dataset.testid === 'export-json') saveJson();
    else if (item.dataset.testid === 'export-csv') saveCsv();
    else if (item.dataset.testid === 'fork-copy') onFork();
  });
  const input = menu.querySelector('[data-testid=load-session]');
  pressWithKeys(input.closest('label'), () => input.click());
  input.addEventListener('change', () => {
    open(false);
    if (input.files[0]) load(input.files[0]);
    input.value = '';
  });
  return { open, png, load };
}
