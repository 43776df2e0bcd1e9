// The inspector: one sample (chosen on the output plot), one neuron or weight
// (chosen on the diagram), and the chain rule with the engine's numbers.
// Everything shown comes from a `trace` of that single sample (a batch of
// one), from the frame (the batch-mean gradient of the last update, W, b) and
// from `gradcheck` (the finite-difference estimate). Each number's full
// value sits in data-value for tests and tooltips; the text is rounded.
// A trace of one sample is a batch of N = 1: its gradients are those of the
// sample's own loss ℓ (no 1/N), written ∂ℓ/∂…; the frame's are those of the
// mini-batch's mean loss L, written ∂L/∂….
//
// The keyboard (audit, part 2): the sample is chosen with the controls above
// its line (‹ ›, the set, the point's number) as well as on the output plot; a
// neuron's view lists its incoming weights and its bias as buttons that open
// their chain rule, and a weight's view has a way back to its neuron. What
// had the focus keeps it through the re-renders that follow the frames;
// chosen from the keyboard (`choose(target, { focus: true })`), the focus goes
// to the new view's title.

import { dot, lastUpdate, num, operandDigits, product, signedNum, sub } from '../format.js';
import * as api from '../api.js';

const FUSED = { sigmoid: 'bce', softmax: 'cross_entropy' };
// a neuron's weighted sum writes out this many products, then a button for the rest
const KEEP_TERMS = 8;

export function createInspector(el, store, { onEdit, onSample, onChange }) {
  let data = null;          // /data answer: x and y as the network sees them
  let sample = { split: 'train', index: 0 };
  let target = null;        // {kind: 'neuron'|'weight'|'bias', layer, to, from} or {kind: 'input', i}
  let focusTitle = false;   // chosen from the keyboard: the focus goes to the view's title once it is drawn
  let ticket = 0;
  let timer = null;
  let lastFrame = null;
  let lastFetch = 0;
  let view = { trace: null, check: null, frame: null, error: null };
  let allTerms = false;     // a wide layer's weighted sum written out in full (its "more terms" button was pressed)

  async function loadData() {
    data = null;
    try { data = await api.readData(api.sessionPath(store)); } catch (e) { view.error = e.message; }
    const n = data?.[sample.split]?.x.length ?? 0;
    if (sample.index >= n) sample = { split: 'train', index: 0 };
    refresh(true);
  }

  function choose(next, { focus = false } = {}) { target = next; focusTitle = focus; allTerms = false; onChange?.(); refresh(true); }
  function chooseSample(split, index) { sample = { split, index }; onSample?.(sample); onChange?.(); refresh(true); }

  // every new frame: a paused session sends one when its weights change without a
  // step (a weight typed in, PUT weights from a script), which must show here too
  function onFrame(frame) {
    if (!frame || frame === lastFrame) return;
    lastFrame = frame;
    refresh(false);
  }

  function refresh(now) {
    clearTimeout(timer);
    const wait = now ? 0 : store.playing ? Math.max(0, 1000 - (performance.now() - lastFetch)) : 120;
    timer = setTimeout(fetchAndRender, wait);
  }

  async function fetchAndRender() {
    const my = ++ticket;
    lastFetch = performance.now();
    if (!data) { render(); return; }
    const split = data[sample.split];
    const x = [split.x[sample.index]], y = [split.y[sample.index]];
    const frame = store.frame;
    try {
      const trace = await api.trace(api.sessionPath(store), x, y);
      let check = null;
      // while training runs the weights move between two requests: check only when paused
      if (target && (target.kind === 'weight' || target.kind === 'bias') && !store.playing) {
        const body = { x, y, layer: target.layer, param: target.kind === 'weight' ? 'W' : 'b', row: target.to };
        if (target.kind === 'weight') body.col = target.from;
        check = await api.gradcheck(api.sessionPath(store), body);
      }
      if (my !== ticket) return;
      view = { trace, check, frame, error: null, x: x[0], y: y[0] };
    } catch (e) {
      if (my !== ticket) return;
      view = { error: `Could not trace this sample: ${e.message}` };
    }
    render();
  }

  // -- rendering ------------------------------------------------------------
  const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
  const val = (key, v, digits = 4) => `<b class="iv" data-key="${key}" data-value="${v ?? ''}" title="${v ?? '—'}">${signedNum(v, digits)}</b>`;
  /** A number inside a written-out formula: a negative one in brackets, as explain mode writes it. */
  const fval = (key, v, digits = 4) => (typeof v === 'number' && v < 0 ? `(${val(key, v, digits)})` : val(key, v, digits));
  const row = (label, key, v, note = '', digits = 4) =>
    `<tr${note ? ` title="${esc(note)}"` : ''}><th>${label}</th><td>${val(key, v, digits)}</td></tr>`;

  function name(col, i) {
    const L = store.data.sizes.length - 1;
    if (col === 0) return store.featureLabel(store.data.features[i]);
    if (col === L) return store.data.sizes[L] > 1 ? `ŷ${sub(i + 1)}` : 'ŷ';
    return `h${sub(col)},${sub(i + 1)}`;
  }

  function activationOf(l) {
    const cfg = store.config, L = store.data.sizes.length - 1;
    if (l === L - 1) return cfg.output_activation;
    return Array.isArray(cfg.activation) ? cfg.activation[l] : cfg.activation;
  }

  function sampleText() {
    if (!store.data) return '';
    const d = store.data[sample.split];
    const p = d?.x[sample.index];
    if (!p) return '';
    const coords = p.map((v, k) => `x${sub(k + 1)} ${signedNum(v, 3)}`).join(', ');
    const lab = d.label[sample.index];
    const what = store.data.task === 'classification' ? `class ${lab}` : `y ${num(lab, 3)}`;
    return `${sample.split} point ${sample.index + 1}: ${coords} · ${what}`;
  }

  // -- the sample: its controls stay (a number being typed is not redrawn away), its line follows
  const picker = document.createElement('div');
  picker.className = 'sample-pick';
  picker.setAttribute('role', 'group');
  picker.setAttribute('aria-label', 'Sample traced');
  // view-control: a watch page keeps them (a student looks at another sample), as the mouse may (main.js)
  picker.innerHTML = '<button type="button" class="btn btn-small view-control" data-action="sample-prev" aria-label="Previous sample" title="The previous point (after the first training point: the last test point)">‹</button>'
    + '<select class="view-control" data-action="sample-split" aria-label="Set of the sample" title="Trace a point of the training set or of the test set"><option value="train">train</option><option value="test">test</option></select>'
    + '<input type="number" class="view-control" data-action="sample-index" min="1" step="1" inputmode="numeric" aria-label="Point number" title="The number of the point in its set (Enter to trace it)">'
    + '<span class="sample-of muted" aria-hidden="true"></span>'
    + '<button type="button" class="btn btn-small view-control" data-action="sample-next" aria-label="Next sample" title="The next point (after the last training point: the first test point)">›</button>';
  const line = document.createElement('div');
  line.className = 'sample-line';
  line.dataset.testid = 'inspector-sample';
  line.setAttribute('aria-live', 'polite');   // a sample chosen from the keyboard is said
  const body = document.createElement('div');
  body.className = 'insp-body';
  el.replaceChildren(picker, line, body);
  const pick = (action) => picker.querySelector(`[data-action=${action}]`);
  const count = (split) => store.data?.[split]?.x.length ?? 0;
  /** One point on (±1), from the last training point on to the first test point and round. */
  function stepSample(by) {
    let { split, index } = sample;
    index += by;
    if (index < 0 || index >= count(split)) {
      const other = split === 'train' ? 'test' : 'train';
      if (count(other)) split = other;
      index = index < 0 ? count(split) - 1 : 0;
    }
    if (count(split)) chooseSample(split, Math.max(0, index));
  }
  pick('sample-prev').addEventListener('click', () => stepSample(-1));
  pick('sample-next').addEventListener('click', () => stepSample(1));
  pick('sample-split').addEventListener('change', (ev) => {
    const split = ev.target.value;
    if (count(split)) chooseSample(split, Math.min(sample.index, count(split) - 1));
  });
  pick('sample-index').addEventListener('change', (ev) => {
    const n = count(sample.split);
    const k = Math.round(Number(ev.target.value));
    if (n && Number.isFinite(k)) chooseSample(sample.split, Math.max(1, Math.min(n, k)) - 1);
    else renderSample();
    ev.target.value = String(sample.index + 1); // the point traced (999 → the last one), not what was typed
  });

  function renderSample() {
    line.dataset.split = sample.split;
    line.dataset.index = String(sample.index);
    const text = sampleText();
    if (line.textContent !== text) line.innerHTML = `<span class="sample-dot"></span>${esc(text)}`;
    const split = pick('sample-split'), index = pick('sample-index');
    split.value = sample.split;
    for (const o of split.options) o.disabled = count(o.value) === 0;
    index.max = String(Math.max(1, count(sample.split)));
    if (document.activeElement !== index) index.value = String(sample.index + 1);
    picker.querySelector('.sample-of').textContent = `/ ${count(sample.split)}`;
  }

  function render() {
    renderSample();
    let html;
    if (view.error) html = `<p class="hint" tabindex="-1" data-fk="title">${esc(view.error)}</p>`;
    else if (!target) html = '<p class="hint inspector-empty"><span class="for-pointer">Click</span><span class="for-touch">Tap</span> a neuron or a weight in the diagram to see its numbers for this sample (from the keyboard: Tab to the diagram, arrow keys, Enter). <span class="for-pointer">Click</span><span class="for-touch">Tap</span> a point on the output plot, or use the controls above, to choose another sample.</p>';
    else if (view.trace) html = target.kind === 'neuron' ? neuronHtml() : target.kind === 'input' ? inputHtml() : weightHtml();
    else html = '<p class="hint">Tracing…</p>';
    // the focus in the view keeps its place through the redraw (a frame, a new value)
    const had = body.contains(document.activeElement) ? document.activeElement.closest('[data-fk]')?.dataset.fk : null;
    body.innerHTML = html;
    el.dataset.target = target ? JSON.stringify(target) : '';
    el.dataset.step = view.frame?.step ?? '';
    el.dataset.ready = String(Boolean(view.trace || view.error));
    body.querySelector('[data-action=edit]')?.addEventListener('click', (ev) => editTarget(ev));
    const drawn = view.error || (target && view.trace);
    if (focusTitle && drawn) {
      focusTitle = false;
      body.querySelector('[data-fk=title]')?.focus({ preventScroll: false });
    } else if (had) {
      body.querySelector(`[data-fk="${CSS.escape(had)}"]`)?.focus({ preventScroll: true });
    }
  }
  body.addEventListener('click', (ev) => {
    const b = ev.target.closest('[data-choose]');
    if (b) choose(JSON.parse(b.dataset.choose), { focus: true });
    else if (ev.target.closest('[data-action=more-terms]')) {
      allTerms = true;
      render();
      body.querySelector('[data-fk=formula]')?.focus({ preventScroll: true });
    }
  });

  /** Buttons that open another part in the inspector: `choices` are [label, target, name]. */
  function chooser(label, choices) {
    const buttons = choices.map(([text, t, aria]) => `<button type="button" class="btn btn-small insp-go" data-choose="${esc(JSON.stringify(t))}" data-fk="go-${t.kind}-${t.from ?? t.to}" aria-label="${esc(aria)}" title="${esc(aria)}: its chain rule">${esc(text)}</button>`);
    return `<div class="insp-links" role="group" aria-label="${esc(label)}"><span class="muted">${esc(label)}:</span> ${buttons.join(' ')}</div>`;
  }

  function inputHtml() {
    const v = view.trace.input[0][target.i];
    return `<h3 class="insp-title" tabindex="-1" data-fk="title">Input ${esc(name(0, target.i))}</h3><table class="insp">${row('value x', 'x', v, 'as the network sees it')}</table>`
      + '<p class="hint">Inputs are given, not learned: no gradient is needed here.</p>';
  }

  function inputsOf(l) {
    return l === 0 ? view.trace.input[0] : view.trace.layers[l - 1].a[0];
  }

  /** With mse at the output, ∂ℓ/∂ŷⱼ written out: on a batch of this one sample
   * (N = 1) the mean is over its K outputs, 2(ŷⱼ − yⱼ)/K (the engine's
   * (2 / a.size)·(a − y)); `digits` are those of ∂ℓ/∂ŷ where it is used. */
  function mseLine(tl, j, digits) {
    const K = tl.a[0].length, a = tl.a[0][j], y = view.y[j], g = tl.dL_da?.[0]?.[j];
    const p = operandDigits([a, y], (s) => (2 * (s[0] - s[1])) / K, g, { resultDigits: digits });
    const yj = K > 1 ? `ŷ${sub(j + 1)}` : 'ŷ', tj = K > 1 ? `y${sub(j + 1)}` : 'y';
    const lhs = K > 1 ? `∂ℓ/∂${yj} = 2(${yj} − ${tj})/K =` : `∂ℓ/∂ŷ = 2(ŷ − y) =`;
    return `<div class="formula" data-testid="inspector-mse"><span class="lhs">${lhs}</span> 2(${fval('mse_a', a, p)} − ${fval('mse_y', y, p)})${K > 1 ? `/${K}` : ''} = ${val('mse_grad', g, digits)}</div>`;
  }

  function neuronHtml() {
    const { layer: l, to: j } = target;
    const tl = view.trace.layers[l];
    const frameLayer = view.frame?.layers[l];
    const ain = inputsOf(l);
    // W and b the traced pass ran with: exact, and of the same step as its a and z (the frame's, while
    // training ran, were a later step's: the sum as written did not give the z beside it)
    const W = tl.W?.[j] ?? frameLayer?.W[j] ?? [], b = tl.b?.[j] ?? frameLayer?.b[j];
    const z = tl.z[0][j];
    const act = activationOf(l);
    const isOut = l === store.data.sizes.length - 2;
    // the weighted sum written with names, then with numbers: enough digits that the numbers as shown add up to z as shown
    const wName = (k) => `W${sub(l + 1)}[${j + 1},${k + 1}]`;
    const bName = `b${sub(l + 1)}[${j + 1}]`;
    const named = ain.length > 6
      ? `Σₖ W${sub(l + 1)}[${j + 1},k]·${l === 0 ? 'xₖ' : `h${sub(l)},ₖ`} + ${bName}`
      : `${ain.map((_, k) => `<span class="term">${wName(k)}·${esc(name(l, k))}</span>`).join(' + ')} + ${bName}`;
    const pz = operandDigits([...ain.flatMap((a, k) => [W[k], a]), b], dot, z);
    const terms = ain.map((a, k) => `<span class="term">${fval(`W${k}`, W[k], pz)}·${fval(`ain${k}`, a, pz)}</span>`);
    // a wide layer's sum shows its first products and a button for the rest (as explain mode does)
    const shown = allTerms || terms.length <= KEEP_TERMS + 2 ? terms : terms.slice(0, KEEP_TERMS);
    const more = shown === terms ? ''
      : ` + <button type="button" class="btn btn-small insp-more" data-action="more-terms" data-fk="more-terms" title="Write out all ${terms.length} products">${terms.length - KEEP_TERMS} more terms</button>`;
    // softmax has no one slope per unit (each ŷₖ depends on every z): its δ is shown as what it is made of
    const g = tl.dL_da?.[0]?.[j], slopeV = tl.da_dz?.[0]?.[j], delta = tl.dL_dz[0][j];
    const pd = act === 'softmax' ? 4 : operandDigits([g, slopeV], product, delta);
    const slope = act === 'softmax' ? '' : row('∂a/∂z', 'da_dz', slopeV, 'the activation’s slope at this z', pd);
    const mse = isOut && store.config.loss === 'mse' && act !== 'softmax' ? mseLine(tl, j, pd) : '';
    const prev = l === 0 ? 'the input x' : `the previous layer’s outputs ${esc(name(l, 0))}${ain.length > 1 ? `, ${esc(name(l, 1))}${ain.length > 2 ? ', …' : ''}` : ''}`;
    const to = name(l + 1, j);
    const incoming = chooser('Incoming weights', [
      ...ain.map((_, k) => [name(l, k), { kind: 'weight', layer: l, to: j, from: k }, `Weight from ${name(l, k)} to ${to}`]),
      ['b', { kind: 'bias', layer: l, to: j }, `Bias of ${to}`]]);
    return `<h3 class="insp-title" tabindex="-1" data-fk="title">${isOut ? 'Output' : 'Neuron'} ${esc(to)} <span class="muted">${esc(act)}</span></h3>`
      + `<div class="formula" data-testid="inspector-formula" tabindex="-1" data-fk="formula"><span class="lhs">z = W·a + b =</span> ${named}`
      + `<br><span class="lhs">=</span> ${shown.join(' + ')}${more} + ${fval('b', b, pz)} = ${val('z', z)}</div>`
      + `<table class="insp">${row('z (weighted sum)', 'z', z)}${row(`a = ${esc(act)}(z)`, 'a', tl.a[0][j])}`
      + `${row('∂ℓ/∂a', 'dL_da', g, 'the gradient of this sample’s own loss ℓ', pd)}${slope}`
      + `${row('δ = ∂ℓ/∂z <span class="muted">this sample</span>', 'delta', delta, 'the gradient of this sample’s own loss ℓ (a batch of just this sample: no 1/N)')}`
      + `${row(`∂L/∂b <span class="muted">${lastUpdate(view.frame)}</span>`, 'batch_delta', frameLayer?.db?.[j],
        'the gradient the last update used (after a divergence, the refused one): ∂L/∂b = Σᵢ ∂L/∂zᵢ, the mean over its mini-batch of each sample’s ∂ℓ/∂z (biases have no penalty)')}</table>`
      + mse
      + (act === 'softmax' ? softmaxDelta(tl, j) : '')
      + `<p class="hint">ℓ is this sample’s own loss; L is the mean loss of a mini-batch, so ∂L/∂b is the batch mean of each sample’s ∂ℓ/∂z. `
      + `W and b as of this step; a is ${prev} for this sample.</p>`
      + incoming;
  }

  /** δⱼ of a softmax output on this sample, written as the engine's numbers make it:
   * ŷⱼ − yⱼ with cross-entropy; otherwise Σₖ ∂ℓ/∂ŷₖ·∂ŷₖ/∂zⱼ = ŷⱼ (∂ℓ/∂ŷⱼ − Σₖ ŷₖ ∂ℓ/∂ŷₖ). */
  function softmaxDelta(tl, j) {
    const a = tl.a[0], g = tl.dL_da?.[0] ?? [], yj = `ŷ${sub(j + 1)}`, delta = tl.dL_dz[0][j];
    if (store.config.loss === 'cross_entropy') {
      const p = operandDigits([a[j], view.y[j]], (s) => s[0] - s[1], delta);
      return `<div class="formula" data-testid="inspector-softmax"><span class="lhs">δ = ∂ℓ/∂z${sub(j + 1)} = ${yj} − y${sub(j + 1)} =</span> ${fval('a', a[j], p)} − ${fval('y', view.y[j], p)} = ${val('delta', delta)}</div>`
        + '<p class="hint">Softmax with cross-entropy: the chain rule through the softmax (each ŷₖ depends on every z) collapses to this difference.</p>';
    }
    const p = operandDigits([a[j], g[j], ...a.flatMap((ak, k) => [ak, g[k]])], (s) => s[0] * (s[1] - dot(s.slice(2))), delta);
    const terms = a.map((ak, k) => `${fval(`a${k}`, ak, p)}·${fval(`g${k}`, g[k], p)}`);
    const mse = store.config.loss === 'mse' ? mseLine(tl, j, p) : '';
    return mse + `<div class="formula" data-testid="inspector-softmax"><span class="lhs">δ = ${yj}·(∂ℓ/∂${yj} − Σₖ ŷₖ·∂ℓ/∂ŷₖ) =</span> ${fval('a', a[j], p)}·(${fval('dL_da', g[j], p)} − (${terms.join(' + ')})) = ${val('delta', delta)}</div>`
      + '<p class="hint">Softmax couples the outputs: each ŷₖ depends on every z, so δ sums the chain rule over all of them, Σₖ ∂ℓ/∂ŷₖ · ∂ŷₖ/∂z, with ∂ŷₖ/∂zⱼ = ŷₖ(1[k = j] − ŷⱼ). That sum is the line above: not one slope times ∂ℓ/∂ŷ.</p>';
  }

  function weightHtml() {
    const { layer: l, to: j, from: k, kind } = target;
    const tl = view.trace.layers[l];
    const frameLayer = view.frame?.layers[l];
    const act = activationOf(l);
    const isOut = l === store.data.sizes.length - 2;
    const fused = isOut && FUSED[act] === store.config.loss;
    const isW = kind === 'weight';
    const wName = isW ? `w = W${sub(l + 1)}[${j + 1},${k + 1}]` : `b = b${sub(l + 1)}[${j + 1}]`;
    const title = isW ? `Weight ${name(l, k)} → ${name(l + 1, j)}` : `Bias of ${name(l + 1, j)}`;
    const value = isW ? (tl.W?.[j]?.[k] ?? frameLayer?.W[j][k]) : (tl.b?.[j] ?? frameLayer?.b[j]); // exact: the trace's
    const grad = isW ? tl.dW[j][k] : tl.db[j];
    const batch = isW ? frameLayer?.dW?.[j]?.[k] : frameLayer?.db?.[j];
    const dzdw = isW ? inputsOf(l)[k] : 1;
    const dzLabel = isW ? `∂z/∂w = ${esc(name(l, k))}` : '∂z/∂b';
    const v = (s) => `<span class="chain">${s}</span>`;
    const p_ = isW ? 'w' : 'b';
    // with L1/L2 the gradient is the chain rule's product plus the penalty's own term
    const pen = isW ? tl.dW_penalty?.[j]?.[k] : undefined;
    const penTerm = [store.config.l2 > 0 ? '2λ₂·w' : '', store.config.l1 > 0 ? 'λ₁·sign(w)' : ''].filter(Boolean).join(' + ');
    // the factors (and the penalty's term) with enough digits that, as shown, they give the gradient as shown
    const factors = act === 'softmax' ? [tl.dL_dz[0][j], dzdw] : [tl.dL_da?.[0]?.[j], tl.da_dz?.[0]?.[j], dzdw];
    const pd = operandDigits(pen !== undefined ? [...factors, pen] : factors,
      (s) => (pen !== undefined ? product(s.slice(0, -1)) + s[s.length - 1] : product(s)), grad);
    let rows = '';
    let note = '';
    if (act === 'softmax') {
      rows = row('∂ℓ/∂z (δ)', 'delta', tl.dL_dz[0][j], store.config.loss === 'cross_entropy' ? 'ŷ − y' : 'through the softmax: click the output neuron for its sum', pd) + row(dzLabel, 'dz_dw', dzdw, '', pd);
      note = 'Softmax mixes the outputs: ∂a/∂z is a full Jacobian, not one number per unit, so the chain goes through δ = ∂ℓ/∂z = Σᵢ ∂ℓ/∂aᵢ·∂aᵢ/∂z (with cross-entropy: ŷ − y).';
    } else {
      rows = row('∂ℓ/∂a', 'dL_da', tl.dL_da?.[0]?.[j], 'the gradient of this sample’s own loss ℓ', pd) + row(`∂a/∂z <span class="muted">${esc(act)}′</span>`, 'da_dz', tl.da_dz?.[0]?.[j], '', pd)
        + row(dzLabel, 'dz_dw', dzdw, isW ? 'input of the weight' : '', pd);
      if (fused) note = 'Sigmoid with cross-entropy: the engine computes δ = ∂ℓ/∂z = ŷ − y in one stable step; the first two factors shown multiply to it, except where ŷ is within 10⁻¹⁵ of 0 or 1: there ∂ℓ/∂ŷ is taken at ŷ held 10⁻¹⁵ away, to stay finite.';
    }
    if (pen !== undefined) rows += row(`+ penalty <span class="muted">${penTerm}</span>`, 'penalty_grad', pen, 'the gradient of the L1/L2 penalty on this weight (biases have none), computed by the engine', pd);
    const penalty = pen !== undefined
      ? `<p class="hint">The loss includes the penalty on large weights, so its gradient ${penTerm} (with λ₂ = l2${store.config.l1 > 0 ? ', λ₁ = l1' : ''}) is added to the data part.</p>` : '';
    const mse = isOut && store.config.loss === 'mse' && act !== 'softmax' ? mseLine(tl, j, pd) : '';
    const c = view.check;
    const edit = store.readonly ? '' : '<button type="button" class="btn btn-small" data-action="edit" data-fk="edit" title="Type a new value for this parameter (or shift-click it in the diagram)">Edit value…</button>';
    const lhs = pen !== undefined ? `∂(ℓ + penalty)/∂${p_}` : `∂ℓ/∂${p_}`;
    const chain = act === 'softmax' ? `∂ℓ/∂z · ∂z/∂${p_}` : `∂ℓ/∂a · ∂a/∂z · ∂z/∂${p_}`;
    const back = chooser('Back to', [[name(l + 1, j), { kind: 'neuron', layer: l, to: j }, `${isOut ? 'Output' : 'Neuron'} ${name(l + 1, j)}`]]);
    return `<h3 class="insp-title" tabindex="-1" data-fk="title">${esc(title)}</h3>`
      + `<div class="insp-value"><span>${wName} =</span> ${val('w', value, 5)} ${edit}</div>`
      + `<div class="formula chain-formula">${v(`${lhs} = ${chain}${pen !== undefined ? ` + ${penTerm}` : ''}`)}</div>`
      + `<table class="insp chain-table" data-testid="inspector-chain">${rows}`
      + `<tr class="product" title="${pen !== undefined ? 'The product of the factors above plus the penalty’s term' : 'The product of the factors above'}: backpropagation's gradient on this one sample (its own loss ℓ, no 1/N)"><th>= ${lhs} <span class="muted">this sample</span></th><td>${val('product', grad)}</td></tr>`
      + (c ? row('finite difference', 'numeric', c.numeric, `(f(${p_}+ε) − f(${p_}−ε)) / 2ε of this sample’s loss${pen !== undefined ? ' plus the penalty' : ''}, with ε = ${c.epsilon}, by the engine`)
         : '<tr class="paused-only" title="While training runs the weights change between two requests: pause to compare backprop with the finite-difference estimate"><th>finite difference</th><td><span class="muted">pause to check</span></td></tr>')
      + (c ? `<tr title="|backprop − finite difference| relative to their size"><th>relative error</th><td>${c.relative_error < 1e-5 ? '<span class="ok">✓</span> ' : ''}${val('rel_error', c.relative_error, 2)}</td></tr>` : '')
      + `<tr class="batch" title="The gradient the last update used: ∂L/∂${p_}, the mean over its mini-batch of each sample’s ∂ℓ/∂${p_}${pen !== undefined ? ', plus the penalty’s term' : ''} (the frame’s ∂L/∂${isW ? 'W' : 'b'})"><th>∂L/∂${p_} <span class="muted">${lastUpdate(view.frame)}</span></th><td>${val('batch', batch)}</td></tr></table>`
      + mse + (note ? `<p class="hint">${note}</p>` : '') + penalty + back;
  }

  function editTarget(ev) {
    if (!target || !view.frame) return;
    const frameLayer = view.frame.layers[target.layer];
    const isW = target.kind === 'weight';
    onEdit({ kind: isW ? 'weight' : 'bias', layer: target.layer, to: target.to, from: target.from,
             value: isW ? frameLayer.W[target.to][target.from] : frameLayer.b[target.to],
             label: isW ? `w from ${name(target.layer, target.from)} to ${name(target.layer + 1, target.to)}` : `the bias of ${name(target.layer + 1, target.to)}` }, ev);
  }

  /** New data (a reset, a data set, a new network): `keep`, the same network shape, keeps
   * what is inspected (a teacher following one weight from step 0 had to find it again). */
  function reset(keep = false) {
    if (!keep) target = null;
    onChange?.();
    view = { trace: null, check: null, frame: null, error: null };
    lastFrame = null;
    loadData();
  }

  render();
  return { choose, chooseSample, onFrame, reset, refresh: () => refresh(true), loadData, get sample() { return sample; }, get target() { return target; } };
}
