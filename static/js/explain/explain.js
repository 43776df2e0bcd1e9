// Explain mode: the next update played slowly. It reads the engine's state
// (weights before), the next mini-batch (without using it up) and its trace;
// walks forward layer by layer, the loss, backward layer by layer; and when
// the update stage is reached it really performs that update (POST /step)
// and shows the engine's weights after it.
//
// The keyboard (audit, part 2): opened with Enter or Space, the focus moves
// into the panel (its heading); closing gives it back to "Explain this step"; a sample chip or a
// unit row chosen keeps the focus through the re-render; the unit rows are in
// the Tab order, Enter or Space chooses one.

import { CLASS_COLORS } from '../colors.js';
import { inPopup } from '../keys.js';
import { createHighlight } from './highlight.js';
import { renderBackward, renderBatchLoss, renderForward, renderIntro, renderLoss, renderUpdate, stageList } from './stages.js';
import { unbracket } from './tex.js';
import { pauseHere } from '../transport.js';

const AUTOPLAY_MS = 3500;
// While the panel is open nothing else may train the session: another update
// would slip in between the stages read and the update applied.
const HOLD = 'Close Explain (✕ or Esc) to train again: explain mode follows one update, and training meanwhile would mix others into it.';

async function call(method, path, body) {
  const res = await fetch(path, {
    method, headers: body ? { 'Content-Type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined,
  });
  const payload = await res.json().catch(() => null);
  if (!res.ok) throw new Error(payload?.detail ?? `${method} ${path} failed (${res.status})`);
  return payload;
}

export function createExplain(store, { network, notify, send, workspace, openButton }) {
  const panel = document.createElement('section');
  panel.className = 'panel panel-explain';
  panel.id = 'explain';
  panel.dataset.testid = 'explain';
  panel.setAttribute('aria-label', 'Explain this step');
  panel.hidden = true;
  panel.innerHTML = `
    <div class="x-head">
      <h2 class="x-title" data-testid="explain-title" tabindex="-1">Explain this step</h2>
      <span class="x-progress" data-testid="explain-progress"></span>
      <button type="button" class="btn x-close" data-testid="explain-close" title="Close explain mode (Esc)">✕ Close</button>
    </div>
    <div class="x-samples" data-testid="explain-samples"></div>
    <div class="x-stage" data-testid="explain-stage" aria-live="polite"></div>
    <div class="x-nav">
      <button type="button" class="btn" data-testid="explain-prev" title="The previous stage (←)">◀ Previous</button>
      <button type="button" class="btn btn-primary" data-testid="explain-next" title="The next stage (→); at the last stage the update really happens">Next ▶</button>
      <button type="button" class="btn" data-testid="explain-autoplay" aria-pressed="false" title="Go through the stages by themselves, a few seconds each">Autoplay</button>
      <span class="x-dots" data-testid="explain-dots"></span>
    </div>`;
  workspace.append(panel);
  const $ = (t) => panel.querySelector(`[data-testid=${t}]`);
  const highlight = createHighlight(network);

  let ctx = null;         // everything one explanation is made of
  let stages = [];
  let index = 0;
  let timer = null;
  let busy = false;

  function isOpen() { return !panel.hidden; }

  /** `inside`: the focus goes into the panel (opened from the keyboard). */
  async function open(inside = false) {
    if (store.readonly || store.draft || busy) return;
    busy = true;
    pauseHere(store, send);
    store.setHold('explain', HOLD);
    stopAutoplay();
    panel.hidden = false;
    document.body.classList.add('explaining');
    $('explain-stage').innerHTML = '<p class="x-note">Reading the next mini-batch…</p>';
    try {
      await load();
      index = 0;
      render();
    } catch (e) {
      $('explain-stage').innerHTML = `<p class="x-note x-bad">Could not read the next update: ${e.message}</p>`;
    } finally {
      busy = false;
      window.dispatchEvent(new Event('resize'));
      // below the fold (a narrow window stacks it under the network: at 1024×768 it began at
      // y = 918, and the class saw nothing happen): brought into view
      const box = panel.getBoundingClientRect();
      if (box.top > innerHeight - 120 || box.bottom < 0) panel.scrollIntoView({ block: 'start' });
      // into the panel (a keyboard user found it far away at the end of the page);
      // "Explain the next update" pressed inside it keeps its focus
      if (inside && isOpen() && !panel.contains(document.activeElement)) $('explain-title').focus({ preventScroll: true });
    }
  }

  async function load(sample = 0) {
    const id = store.sessionId;
    // wait for a pause to settle: the snapshot and the batch must belong to the same step
    let session, batch;
    for (let attempt = 0; attempt < 20; attempt++) {
      session = await call('GET', `/api/sessions/${id}`);
      batch = await call('GET', `/api/sessions/${id}/batch`);
      if (batch.step === session.state.step + 1) break;
    }
    const trace = await call('POST', `/api/sessions/${id}/trace`, { x: batch.x, y: batch.y });
    const L = session.state.layers.length;
    ctx = {
      snap: session.state, config: session.config, batch, trace, L, after: null, r: 0, sampleTrace: null,
      picks: new Map(), featureNames: (store.data?.features ?? []).map((f) => store.featureLabel(f)),
      selected(l) { return this.picks.get(l) ?? 0; },
    };
    stages = stageList(L, session.config.optimizer);
    await pickSample(sample);
  }

  async function pickSample(r) {
    ctx.r = r;
    ctx.sampleTrace = await call('POST', `/api/sessions/${store.sessionId}/trace`, { x: [ctx.batch.x[r]], y: [ctx.batch.y[r]] });
  }

  function renderSamples() {
    const { batch, r } = ctx;
    const buttons = batch.x.slice(0, 40).map((x, i) => {
      const label = batch.y[i].length > 1 ? `class ${batch.y[i].indexOf(Math.max(...batch.y[i]))}` : `y = ${+batch.y[i][0].toPrecision(3)}`;
      return `<button type="button" class="chip${i === r ? ' on' : ''}" data-sample="${i}" aria-pressed="${i === r}" aria-label="Sample ${i + 1}" title="Follow sample ${i + 1}: training point #${batch.indices[i] + 1}, ${label}">${i + 1}</button>`;
    }).join('');
    $('explain-samples').innerHTML = `<span class="x-label">Sample of this batch:</span>${buttons}${batch.x.length > 40 ? `<span class="x-label">… ${batch.x.length} in all</span>` : ''}`;
  }

  function render() {
    if (!ctx) return;
    const s = stages[index];
    $('explain-title').textContent = s.title;
    $('explain-progress').textContent = `stage ${index + 1} of ${stages.length} · update ${ctx.batch.step} · sample ${ctx.r + 1} of ${ctx.batch.x.length}`;
    renderSamples();
    let html;
    if (s.id === 'intro') html = renderIntro(ctx);
    else if (s.kind === 'forward') html = renderForward(ctx, s.l);
    else if (s.kind === 'loss') html = renderLoss(ctx);
    else if (s.kind === 'batch') html = renderBatchLoss(ctx);
    else if (s.kind === 'backward') html = renderBackward(ctx, s.l);
    else html = renderUpdate(ctx);
    const stage = $('explain-stage');
    stage.innerHTML = html;
    unbracket(stage);
    stage.dataset.stage = s.id;
    stage.dataset.sample = String(ctx.r);
    stage.dataset.updateStep = String(ctx.batch.step);
    stage.dataset.done = String(Boolean(ctx.after));
    $('explain-dots').innerHTML = stages.map((st, i) => `<span class="x-dot${i === index ? ' on' : ''}${i < index ? ' past' : ''}" title="${st.title}"></span>`).join('');
    $('explain-prev').disabled = index === 0;
    $('explain-next').textContent = ctx.after && index === stages.length - 1 ? 'Explain the next update ▶'
      : index === stages.length - 2 ? 'Apply the update ▶' : 'Next ▶';
    $('explain-samples').hidden = s.kind === 'update';
    highlight.show(s, ctx);
    if (s.id === 'intro') drawBatchPlot(stage.querySelector('.x-batch-plot'));
  }

  /** The mini-batch's points on the input plane (over the current output map); a click picks one. */
  function drawBatchPlot(el) {
    const data = store.data;
    if (!el || !data || !window.Plotly) return;
    const pts = ctx.batch.indices.map((i) => data.train.x[i]);
    const labels = ctx.batch.indices.map((i) => data.train.label[i]);
    const two = data.inputs === 2;
    const colour = (y) => (data.task === 'classification' ? CLASS_COLORS[y] ?? '#666' : '#374151');
    const map = document.getElementById('boundary-image'); // the output map, painted under the boundary plot
    const background = map && !map.hidden ? map.toDataURL() : null;
    Plotly.react(el, [{
      type: 'scatter', mode: 'markers', x: pts.map((p) => p[0]), y: two ? pts.map((p) => p[1]) : labels,
      text: pts.map((_, i) => `sample ${i + 1}`), hovertemplate: '%{text}<extra></extra>',
      marker: { size: pts.map((_, i) => (i === ctx.r ? 16 : 10)), color: labels.map(colour),
                line: { color: pts.map((_, i) => (i === ctx.r ? '#111' : '#fff')), width: pts.map((_, i) => (i === ctx.r ? 3 : 1)) } },
    }], {
      width: 190, height: 190, margin: { l: 4, r: 4, t: 4, b: 4 }, showlegend: false, dragmode: false,
      paper_bgcolor: 'rgba(0,0,0,0)', plot_bgcolor: 'rgba(0,0,0,0)',
      xaxis: { range: [-6, 6], visible: false, fixedrange: true }, yaxis: { range: two ? [-6, 6] : undefined, visible: false, fixedrange: true },
      images: two && background ? [{ source: background, xref: 'x', yref: 'y', x: -6, y: 6, sizex: 12, sizey: 12, sizing: 'stretch', layer: 'below' }] : [],
    }, { displayModeBar: false, staticPlot: false });
    el.on('plotly_click', async (ev) => {
      const i = ev.points?.[0]?.pointIndex;
      if (i === undefined || i === ctx.r) return;
      await pickSample(i);
      render();
    });
  }

  async function next() {
    if (!ctx || busy) return;
    if (index === stages.length - 1) {
      if (ctx.after) await open();
      return;
    }
    index++;
    if (stages[index].kind === 'update' && !ctx.after) await applyUpdate();
    render();
  }

  function prev() {
    if (!ctx || busy || index === 0) return;
    index--;
    render();
  }

  async function applyUpdate() {
    busy = true;
    try {
      const now = await call('GET', `/api/sessions/${store.sessionId}`);
      // another step, or a changed learning rate (…), since reading: the explanation no longer describes it
      if (now.state.step !== ctx.snap.step || JSON.stringify(now.config) !== JSON.stringify(ctx.config)) {
        notify('The session moved on while you were reading, so this explanation is out of date: reading the new next update.', 'info');
        busy = false;
        await open();
        return;
      }
      pauseHere(store, send);
      ctx.after = await call('POST', `/api/sessions/${store.sessionId}/step`, { steps: 1 });
    } catch (e) {
      notify(`The update could not be applied: ${e.message}`, 'error');
    } finally {
      busy = false;
    }
  }

  function close() {
    if (!isOpen()) return;
    // the focus in the panel (✕, Esc) or nowhere goes back to the button that opened it
    const active = document.activeElement;
    const refocus = panel.contains(active) || active === document.body || active === null || active === openButton;
    stopAutoplay();
    store.setHold('explain', null);
    panel.hidden = true;
    if (refocus && !openButton.disabled) openButton.focus({ preventScroll: true });
    document.body.classList.remove('explaining');
    highlight.hide();
    window.dispatchEvent(new Event('resize'));
  }

  function stopAutoplay() {
    clearInterval(timer);
    timer = null;
    $('explain-autoplay').setAttribute('aria-pressed', 'false');
  }

  function toggleAutoplay() {
    if (timer) { stopAutoplay(); return; }
    $('explain-autoplay').setAttribute('aria-pressed', 'true');
    timer = setInterval(async () => {
      if (busy) return;
      if (index < stages.length - 1) await next();
      if (index >= stages.length - 1) stopAutoplay();   // the update is where it ends
    }, AUTOPLAY_MS);
  }

  /** After a re-render, the focus on the element `selector` matches (if it had been on its predecessor). */
  function keepFocus(had, selector) {
    if (had) panel.querySelector(selector)?.focus({ preventScroll: true });
  }
  function chooseUnit(row) {
    const had = row.contains(document.activeElement);
    const { layer, unit } = row.dataset;
    ctx.picks.set(Number(layer), Number(unit));
    render();
    keepFocus(had, `tr[data-unit="${unit}"][data-layer="${layer}"]`);
  }
  panel.addEventListener('click', async (ev) => {
    const t = ev.target.closest('button, tr[data-unit]');
    if (!t || !ctx) return;
    if (t.dataset.sample !== undefined) {
      const had = t.contains(document.activeElement);
      await pickSample(Number(t.dataset.sample));
      render();
      keepFocus(had, `[data-sample="${ctx.r}"]`);
    } else if (t.dataset.unit !== undefined) {
      chooseUnit(t);
    } else if (t.classList.contains('x-expand')) {
      t.hidden = true;
      t.nextElementSibling.hidden = false;
    } else if (t.classList.contains('x-show-all')) {
      t.previousElementSibling.classList.add('x-all');
      t.hidden = true;
    }
  });
  // a unit row is a button to the keyboard: Enter or Space chooses it (not play: the page's space)
  panel.addEventListener('keydown', (ev) => {
    const row = ev.target.closest?.('tr[data-unit]');
    if (!row || !ctx || ev.ctrlKey || ev.metaKey || ev.altKey || (ev.key !== 'Enter' && ev.key !== ' ')) return;
    ev.preventDefault();
    ev.stopPropagation();
    if (!ev.repeat) chooseUnit(row);
  });
  $('explain-next').addEventListener('click', () => { stopAutoplay(); next(); });
  $('explain-prev').addEventListener('click', () => { stopAutoplay(); prev(); });
  $('explain-autoplay').addEventListener('click', toggleAutoplay);
  $('explain-close').addEventListener('click', close);
  // a click from Enter or Space has no pointer (detail 0): then the focus goes into the panel
  openButton.addEventListener('click', (ev) => (isOpen() && !ctx?.after ? close() : open(ev.detail === 0)));
  // keys while open: ← → walk the stages (capture: before the page's own → = step);
  // space and r reach the transport, which is held (HOLD) and says why
  document.addEventListener('keydown', (ev) => {
    if (!isOpen() || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (['INPUT', 'SELECT', 'TEXTAREA'].includes(ev.target?.tagName) || inPopup(ev.target)) return;
    // the diagram moves its keyboard highlight with the arrows (network.js); a dialog over the page closes first
    if (ev.key.startsWith('Arrow') && ev.target.closest?.('[data-arrow-keys]')) return;
    if (ev.key === 'Escape' && (ev.target.closest?.('.help-pop, .popover') || document.querySelector('.help-pop:not([hidden])'))) return;
    if (ev.key === 'ArrowRight') { ev.preventDefault(); ev.stopImmediatePropagation(); stopAutoplay(); next(); }
    else if (ev.key === 'ArrowLeft') { ev.preventDefault(); ev.stopImmediatePropagation(); stopAutoplay(); prev(); }
    else if (ev.key === 'Escape') close();
  }, true);
  // a rebuilt network (new shape) makes the explanation meaningless; so do points being drawn
  store.on('data', () => { if (isOpen()) close(); });
  store.on('draft', (points) => { if (points && isOpen()) close(); });

  return { open, close, next, prev, get stage() { return stages[index]?.id; }, get context() { return ctx; } };
}
