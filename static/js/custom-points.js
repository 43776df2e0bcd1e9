// Your own data: click or tap the output plot to add points of the class
// chosen under it (blue, orange or green; with a mouse, shift-click adds an
// orange one and alt-click a green one too), clear them, or load a CSV file (picked
// or dropped). Points are sent to the engine as dataset "custom"; until there
// are enough of them (ten, API.md's fewest samples, with both classes) they wait here as a draft.
// A bad file or a refused set of points changes nothing.
//
// While a draft is drawn the session underneath still holds the old data:
// the draft holds the training (store.setHold), so nothing trains on data
// the user has just thrown away, and the readouts stop showing its numbers.

import { CLASS_COLORS } from './colors.js';
import { MIN_POINTS, parsePointsCsv } from './csv.js';
import { TOUCH as touch } from './keys.js';
import { pressWithKeys } from './popup.js';

const round2 = (v) => Math.round(v * 100) / 100;
const CLASS_NAMES = ['blue', 'orange', 'green'];
// a touch screen has no shift key either: its words are "tap" and the class chooser
const tap = () => (touch.matches ? 'tap' : 'click');
const HOLD = `Training waits for your own points: at least ${MIN_POINTS}, of both classes (or pick another data set).`;
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
const capital = (t) => t[0].toUpperCase() + t.slice(1);

export function createCustomPoints(store, { apply, boundary, notify, readouts, els }) {
  let draft = null;       // {x, y} while drawing and not yet on the server
  let queued = null;      // points waiting to be sent (clicks come faster than answers)
  let latest = null;      // the newest points sent or waiting: what the next click adds to
  let sending = false;
  let chosen = 0;         // the class a plain click or a tap adds (the chooser under the plot)

  function inCustomMode() {
    return draft !== null || store.config?.dataset === 'custom';
  }

  function valid(points) {
    if (points.x.length < MIN_POINTS) return false;
    const k = Math.max(...points.y) + 1;
    if (k < 2) return false;
    for (let c = 0; c < k; c++) if (!points.y.includes(c)) return false;
    return true;
  }

  function explainDraft() {
    if (!draft) { readouts.setOverride(null); return; }
    const n = draft.x.length;
    const classes = new Set(draft.y).size;
    const need = [];
    if (n < MIN_POINTS) need.push(`${MIN_POINTS - n} more point${MIN_POINTS - n === 1 ? '' : 's'}`);
    if (classes < 2) need.push('points of both classes');
    else { // green without orange: every class up to the highest needs points
      const missing = CLASS_NAMES.slice(0, Math.max(...draft.y) + 1).filter((_, c) => !draft.y.includes(c));
      if (missing.length) need.push(`${missing.join(' and ')} points`);
    }
    const still = need.length ? `Still needed: ${need.join(' and ')}. Training waits until then.` : 'Sending your points…';
    readouts.setOverride(`Drawing your own data: ${tap()} the output plot to add ${CLASS_NAMES[chosen]} points (the class is chosen under the plot). ${still}`);
  }

  // -- the class chooser ---------------------------------------------------------
  const radios = [...els.chooser.querySelectorAll('[data-class]')];
  radios.forEach((b, c) => { b.querySelector('.class-dot').style.background = CLASS_COLORS[c]; });
  function choose(c, focus = false) {
    chosen = c;
    radios.forEach((b, i) => {
      b.setAttribute('aria-checked', String(i === c));
      b.tabIndex = i === c ? 0 : -1; // one Tab stop for the group; arrows move within it
    });
    if (focus) radios[c].focus();
    explainDraft();
  }
  radios.forEach((b, c) => b.addEventListener('click', () => choose(c)));
  els.chooser.addEventListener('keydown', (ev) => {
    const moves = { ArrowLeft: -1, ArrowUp: -1, ArrowRight: 1, ArrowDown: 1 };
    let c = null;
    if (ev.key in moves) c = (chosen + moves[ev.key] + radios.length) % radios.length;
    else if (ev.key === 'Home') c = 0;
    else if (ev.key === 'End') c = radios.length - 1;
    if (c === null || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    ev.preventDefault();
    ev.stopPropagation(); // → is the page's "one update" (keys.js): here it picks the next class
    choose(c, true);
  });
  /** Shown while one's own class points are drawn (or trained on), not on a watch page. */
  function syncChooser() {
    const cfg = store.config;
    const drawable = draft !== null
      || (cfg?.dataset === 'custom' && cfg.task === 'classification' && cfg.points?.x?.[0]?.length === 2);
    els.chooser.hidden = store.readonly || !drawable;
  }

  function showDraft() {
    boundary.setDraft(draft);
    document.body.classList.toggle('drawing', Boolean(draft)); // the old session's pictures fade (app.css)
    store.setDraft(draft);
    store.setHold('draft', draft ? HOLD : null);
    explainDraft();
    syncChooser();
  }

  /** The ✎ picture: start drawing (keeping your points if you already have some). */
  function start() {
    if (store.readonly) return;
    const cfg = store.config;
    if (cfg.dataset === 'custom' && cfg.task === 'classification' && cfg.points.x[0].length === 2) {
      notify(`${capital(tap())} the output plot to add points of the class chosen under it${touch.matches ? '' : ' (or shift-click: orange, alt-click: green)'}.`, 'info');
      return;
    }
    draft = { x: [], y: [] };
    showDraft();
    notify(`${capital(tap())} the output plot to add points: the class chosen under it (blue, orange or green) is the one added${touch.matches ? '' : '; shift-click adds orange, alt-click green'}.`, 'info');
  }

  function clear() {
    if (store.readonly) return;
    draft = { x: [], y: [] };
    queued = null;
    latest = null;
    showDraft();
  }

  async function send(points) {
    queued = points;
    latest = points;
    if (sending) return;
    sending = true;
    while (queued) {
      const next = queued;
      queued = null;
      const ok = await apply({ dataset: 'custom', task: 'classification', points: next }, { quiet: true });
      if (ok && draft && draft.x.length <= next.x.length) { draft = null; showDraft(); }
      if (!ok && latest === next) latest = null; // refused: the next click adds to what the engine has
    }
    sending = false;
    latest = null; // store.config holds the points now
  }

  function onPlaneClick(x1, x2, ev) {
    if (store.readonly) return;
    if (!inCustomMode()) {
      notify(`To draw your own data, pick ✎ (the last data set) first, then ${tap()} here.`, 'info');
      return;
    }
    const label = ev.altKey ? 2 : ev.shiftKey ? 1 : chosen;
    const point = [round2(x1), round2(x2)];
    if (draft) {
      draft.x.push(point);
      draft.y.push(label);
      showDraft();
      if (valid(draft)) send({ x: draft.x.slice(), y: draft.y.slice() });
      return;
    }
    const cfg = store.config;
    if (cfg.task !== 'classification' || cfg.points.x[0].length !== 2) {
      notify(`These points came from a file as a regression; ${touch.matches ? 'tapping' : 'clicking'} adds class points. Press “Clear points” to start drawing.`, 'error');
      return;
    }
    const base = latest ?? cfg.points; // not cfg.points alone: a set may still be on its way
    const next = { x: [...base.x, point], y: [...base.y, label] };
    if (valid(next)) { send(next); return; }
    // a session saved when fewer points were allowed: the engine would refuse
    // them as they are, so they become a draft that says what is still needed
    draft = next;
    showDraft();
  }

  async function loadFile(file) {
    if (store.readonly || !file) return;
    let parsed;
    try {
      if (file.size > 2_000_000) throw new Error('the file is larger than 2 MB');
      parsed = parsePointsCsv(await file.text());
    } catch (e) {
      notify(`Could not use “${file.name}”: ${e.message}. Nothing was changed.`, 'error');
      return;
    }
    const ok = await apply({ dataset: 'custom', task: parsed.task, points: parsed.points },
                          { quiet: true, failure: (m) => `Could not use “${file.name}”: ${m}. Nothing was changed.` });
    if (ok) {
      draft = null;
      showDraft();
      notify(`Loaded ${parsed.points.x.length} points from “${file.name}” (${parsed.task}). Training starts again from step 0.`, 'info');
    }
  }

  // the engine has the drawn points (its data message can come before the PATCH's answer): drawing is over
  store.on('data', (msg) => {
    if (draft && msg.config.dataset === 'custom' && same(msg.config.points, draft)) { draft = null; showDraft(); }
  });

  // file picker and drag-and-drop anywhere on the page
  els.input.addEventListener('change', () => {
    const f = els.input.files?.[0];
    els.input.value = '';
    loadFile(f);
  });
  els.clear.addEventListener('click', clear);
  pressWithKeys(els.input.closest('label'), () => els.input.click());
  // nothing to clear on a built-in data set (it used to start drawing, silently)
  const syncClear = () => { els.clear.disabled = store.readonly || !(draft?.x.length || store.config?.dataset === 'custom'); };
  store.on('config', syncClear);
  store.on('draft', syncClear);
  syncClear();
  store.on('config', syncChooser);
  syncChooser();
  touch.addEventListener?.('change', explainDraft); // a tablet's keyboard and trackpad attached or taken off
  let depth = 0;
  const hasFiles = (ev) => [...(ev.dataTransfer?.types ?? [])].includes('Files');
  document.addEventListener('dragenter', (ev) => {
    if (!hasFiles(ev) || store.readonly) return;
    depth++;
    els.overlay.hidden = false;
  });
  document.addEventListener('dragleave', () => { depth = Math.max(0, depth - 1); if (!depth) els.overlay.hidden = true; });
  document.addEventListener('dragover', (ev) => { if (hasFiles(ev)) ev.preventDefault(); });
  document.addEventListener('drop', (ev) => {
    if (!hasFiles(ev)) return;
    ev.preventDefault();
    depth = 0;
    els.overlay.hidden = true;
    loadFile(ev.dataTransfer.files[0]);
  });

  return { start, clear, onPlaneClick, loadFile, cancelDraft() { draft = null; showDraft(); } };
}
