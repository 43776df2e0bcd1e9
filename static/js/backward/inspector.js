// The inspector: one sample (chosen on the output plot), one neuron or weight
// (chosen on the diagram), and the chain rule with the engine's numbers.
// Everything shown comes from a `trace` of that single sample (a batch of
// one), from the frame (the batch-mean gradient of the last update, W, b) and
// from `gradcheck` (the finite-difference estimate). Each number's full
// value sits in data-value for tests and tooltips; the text is rounded.

import { num, sub } from '../format.js';
import * as api from '../api.js';

const FUSED = { sigmoid: 'bce', softmax: 'cross_entropy' };

export function createInspector(el, store, { onEdit, onSample }) {
  let data = null;          // /data answer: x and y as the network sees them
  let sample = { split: 'train', index: 0 };
  let target = null;        // {kind: 'neuron'|'weight'|'bias', layer, to, from} or {kind: 'input', i}
  let ticket = 0;
  let timer = null;
  let lastStep = -1;
  let lastFetch = 0;
  let view = { trace: null, check: null, frame: null, error: null };

  async function loadData() {
    data = null;
    if (!store.sessionId) return;
    try { data = await api.readData(store.sessionId); } catch (e) { view.error = e.message; }
    const n = data?.[sample.split]?.x.length ?? 0;
    if (sample.index >= n) sample = { split: 'train', index: 0 };
    refresh(true);
  }

  function choose(next) { target = next; refresh(true); }
  function chooseSample(split, index) { sample = { split, index }; onSample?.(sample); refresh(true); }

  function onFrame(frame) {
    if (!frame || frame.step === lastStep) return;
    lastStep = frame.step;
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
    if (!store.sessionId) { view = { error: 'The inspector traces your own session: fork this one to inspect it.' }; render(); return; }
    if (!data) { render(); return; }
    const split = data[sample.split];
    const x = [split.x[sample.index]], y = [split.y[sample.index]];
    const frame = store.frame;
    try {
      const trace = await api.trace(store.sessionId, x, y);
      let check = null;
      // while training runs the weights move between two requests: check only when paused
      if (target && (target.kind === 'weight' || target.kind === 'bias') && !store.playing) {
        const body = { x, y, layer: target.layer, param: target.kind === 'weight' ? 'W' : 'b', row: target.to };
        if (target.kind === 'weight') body.col = target.from;
        check = await api.gradcheck(store.sessionId, body);
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
  const val = (key, v, digits = 4) => `<b class="iv" data-key="${key}" data-value="${v ?? ''}" title="${v ?? '—'}">${num(v, digits)}</b>`;
  const row = (label, key, v, note = '') =>
    `<tr${note ? ` title="${esc(note)}"` : ''}><th>${label}</th><td>${val(key, v)}</td></tr>`;

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
    const coords = p.map((v, k) => `x${sub(k + 1)} ${num(v, 3)}`).join(', ');
    const lab = d.label[sample.index];
    const what = store.data.task === 'classification' ? `class ${lab}` : `y ${num(lab, 3)}`;
    return `${sample.split} point ${sample.index + 1}: ${coords} · ${what}`;
  }

  function render() {
    const parts = [`<div class="sample-line" data-testid="inspector-sample" data-split="${sample.split}" data-index="${sample.index}">`
      + `<span class="sample-dot"></span>${esc(sampleText())}</div>`];
    if (view.error) parts.push(`<p class="hint">${esc(view.error)}</p>`);
    else if (!target) parts.push('<p class="hint inspector-empty">Click a neuron or a weight in the diagram to see its numbers for this sample. Click a point on the output plot to choose another sample.</p>');
    else if (view.trace) parts.push(target.kind === 'neuron' ? neuronHtml() : target.kind === 'input' ? inputHtml() : weightHtml());
    else parts.push('<p class="hint">Tracing…</p>');
    el.innerHTML = parts.join('');
    el.dataset.target = target ? JSON.stringify(target) : '';
    el.dataset.step = view.frame?.step ?? '';
    el.dataset.ready = String(Boolean(view.trace || view.error));
    el.querySelector('[data-action=edit]')?.addEventListener('click', (ev) => editTarget(ev));
  }

  function inputHtml() {
    const v = view.trace.input[0][target.i];
    return `<h3 class="insp-title">Input ${esc(name(0, target.i))}</h3><table class="insp">${row('value x', 'x', v, 'as the network sees it')}</table>`
      + '<p class="hint">Inputs are given, not learned: no gradient is needed here.</p>';
  }

  function inputsOf(l) {
    return l === 0 ? view.trace.input[0] : view.trace.layers[l - 1].a[0];
  }

  function neuronHtml() {
    const { layer: l, to: j } = target;
    const tl = view.trace.layers[l];
    const frameLayer = view.frame?.layers[l];
    const ain = inputsOf(l);
    const W = frameLayer?.W[j] ?? [], b = frameLayer?.b[j];
    const inName = (k) => (l === 0 ? name(0, k) : `a${sub(l)},${sub(k + 1)}`);
    const terms = ain.map((a, k) => `<span class="term">${val(`W${k}`, W[k], 3)}·${val(`ain${k}`, a, 3)}<i>${esc(inName(k))}</i></span>`);
    const act = activationOf(l);
    // softmax has no one slope per unit (each ŷₖ depends on every z): its δ is shown as what it is made of
    const slope = act === 'softmax' ? '' : row('∂a/∂z', 'da_dz', tl.da_dz?.[0]?.[j]);
    return `<h3 class="insp-title">${l === store.data.sizes.length - 2 ? 'Output' : 'Neuron'} ${esc(name(l + 1, j))} <span class="muted">${esc(act)}</span></h3>`
      + `<div class="formula" data-testid="inspector-formula"><span class="lhs">z = W·a + b =</span> ${terms.join(' + ')} + ${val('b', b, 3)}<i>b</i> = ${val('z', tl.z[0][j])}</div>`
      + `<table class="insp">${row('z (weighted sum)', 'z', tl.z[0][j])}${row(`a = ${esc(act)}(z)`, 'a', tl.a[0][j])}`
      + `${row('∂L/∂a', 'dL_da', tl.dL_da?.[0]?.[j])}${slope}`
      + `${row('δ = ∂L/∂z', 'delta', tl.dL_dz[0][j], 'this sample')}`
      + `${row('mean δ, last batch', 'batch_delta', frameLayer?.db?.[j], '= ∂L/∂b of the update')}</table>`
      + (act === 'softmax' ? softmaxDelta(tl, j) : '')
      + '<p class="hint">W and b as of this step; a is the previous layer’s output for this sample (the input x for layer 1).</p>';
  }

  /** δⱼ of a softmax output on this sample, written as the engine's numbers make it:
   * ŷⱼ − yⱼ with cross-entropy; otherwise Σₖ ∂L/∂ŷₖ·∂ŷₖ/∂zⱼ = ŷⱼ (∂L/∂ŷⱼ − Σₖ ŷₖ ∂L/∂ŷₖ). */
  function softmaxDelta(tl, j) {
    const a = tl.a[0], g = tl.dL_da?.[0] ?? [], yj = `ŷ${sub(j + 1)}`;
    if (store.config.loss === 'cross_entropy') {
      return `<div class="formula" data-testid="inspector-softmax"><span class="lhs">δ = ${yj} − y${sub(j + 1)} =</span> ${val('a', a[j], 4)} − ${val('y', view.y[j], 4)} = ${val('delta', tl.dL_dz[0][j])}</div>`
        + '<p class="hint">Softmax with cross-entropy: the chain rule through the softmax (each ŷₖ depends on every z) collapses to this difference.</p>';
    }
    const terms = a.map((ak, k) => `${val(`a${k}`, ak, 3)}·${val(`g${k}`, g[k], 3)}`);
    return `<div class="formula" data-testid="inspector-softmax"><span class="lhs">δ = ${yj}·(∂L/∂${yj} − Σₖ ŷₖ·∂L/∂ŷₖ) =</span> ${val('a', a[j], 4)}·(${val('dL_da', g[j], 4)} − (${terms.join(' + ')})) = ${val('delta', tl.dL_dz[0][j])}</div>`
      + '<p class="hint">Softmax couples the outputs: each ŷₖ depends on every z, so δ sums the chain rule over all of them, Σₖ ∂L/∂ŷₖ · ∂ŷₖ/∂z, with ∂ŷₖ/∂zⱼ = ŷₖ(1[k = j] − ŷⱼ). That sum is the line above: not one slope times ∂L/∂ŷ.</p>';
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
    const value = isW ? frameLayer?.W[j][k] : frameLayer?.b[j];
    const grad = isW ? tl.dW[j][k] : tl.db[j];
    const batch = isW ? frameLayer?.dW?.[j]?.[k] : frameLayer?.db?.[j];
    const dzdw = isW ? inputsOf(l)[k] : 1;
    const dzLabel = isW ? `∂z/∂w = ${l === 0 ? name(0, k) : `a${sub(l)},${sub(k + 1)}`}` : '∂z/∂b';
    const v = (s) => `<span class="chain">${s}</span>`;
    let rows = '';
    let note = '';
    if (act === 'softmax') {
      rows = row('∂L/∂z (δ)', 'delta', tl.dL_dz[0][j], store.config.loss === 'cross_entropy' ? 'ŷ − y' : 'through the softmax: click the output neuron for its sum') + row(dzLabel, 'dz_dw', dzdw);
      note = 'Softmax mixes the outputs: ∂a/∂z is a full Jacobian, not one number per unit, so the chain goes through δ = ∂L/∂z = Σᵢ ∂L/∂aᵢ·∂aᵢ/∂z (with cross-entropy: ŷ − y).';
    } else {
      rows = row('∂L/∂a', 'dL_da', tl.dL_da?.[0]?.[j]) + row(`∂a/∂z <span class="muted">${esc(act)}′</span>`, 'da_dz', tl.da_dz?.[0]?.[j])
        + row(dzLabel, 'dz_dw', dzdw, isW ? 'input of the weight' : '');
      if (fused) note = 'Sigmoid with cross-entropy: the engine computes δ = ∂L/∂z = ŷ − y in one stable step; the first two factors shown multiply to it, except where ŷ is within 10⁻¹⁵ of 0 or 1: there ∂L/∂ŷ is taken at ŷ held 10⁻¹⁵ away, to stay finite.';
    }
    // with L1/L2 the gradient is the chain rule's product plus the penalty's own term
    const pen = isW ? tl.dW_penalty?.[j]?.[k] : undefined;
    const penTerm = [store.config.l2 > 0 ? '2λ₂·w' : '', store.config.l1 > 0 ? 'λ₁·sign(w)' : ''].filter(Boolean).join(' + ');
    if (pen !== undefined) rows += row(`+ penalty <span class="muted">${penTerm}</span>`, 'penalty_grad', pen, 'the gradient of the L1/L2 penalty on this weight (biases have none), computed by the engine');
    const penalty = pen !== undefined
      ? `<p class="hint">The loss includes the penalty on large weights, so its gradient ${penTerm} (with λ₂ = l2${store.config.l1 > 0 ? ', λ₁ = l1' : ''}) is added to the data part.</p>` : '';
    const c = view.check;
    const edit = store.readonly ? '' : '<button type="button" class="btn btn-small" data-action="edit" title="Type a new value for this parameter (or shift-click it in the diagram)">Edit value…</button>';
    return `<h3 class="insp-title">${esc(title)}</h3>`
      + `<div class="insp-value"><span>${wName} =</span> ${val('w', value, 5)} ${edit}</div>`
      + `<div class="formula chain-formula">${v((act === 'softmax' ? '∂L/∂w = ∂L/∂z · ∂z/∂w' : `∂L/∂${isW ? 'w' : 'b'} = ∂L/∂a · ∂a/∂z · ∂z/∂${isW ? 'w' : 'b'}`) + (pen !== undefined ? ` + ${penTerm}` : ''))}</div>`
      + `<table class="insp chain-table" data-testid="inspector-chain">${rows}`
      + `<tr class="product" title="${pen !== undefined ? 'The product of the factors above plus the penalty’s term' : 'The product of the factors above'}: backpropagation's gradient on this one sample"><th>= ∂L/∂${isW ? 'w' : 'b'} <span class="muted">this sample</span></th><td>${val('product', grad)}</td></tr>`
      + (c ? row('finite difference', 'numeric', c.numeric, `(L(w+ε) − L(w−ε)) / 2ε with ε = ${c.epsilon}, by the engine`)
         : '<tr class="paused-only" title="While training runs the weights change between two requests: pause to compare backprop with the finite-difference estimate"><th>finite difference</th><td><span class="muted">pause to check</span></td></tr>')
      + (c ? `<tr title="|backprop − finite difference| relative to their size"><th>relative error</th><td>${c.relative_error < 1e-5 ? '<span class="ok">✓</span> ' : ''}${val('rel_error', c.relative_error, 2)}</td></tr>` : '')
      + `<tr class="batch" title="The gradient the last update used: the mean over its mini-batch (the frame's ∂L/∂W)"><th>mean, last batch</th><td>${val('batch', batch)}</td></tr></table>`
      + (note ? `<p class="hint">${note}</p>` : '') + penalty;
  }

  function editTarget(ev) {
    if (!target || !view.frame) return;
    const frameLayer = view.frame.layers[target.layer];
    const isW = target.kind === 'weight';
    onEdit({ kind: isW ? 'weight' : 'bias', layer: target.layer, to: target.to, from: target.from,
             value: isW ? frameLayer.W[target.to][target.from] : frameLayer.b[target.to],
             label: isW ? `w from ${name(target.layer, target.from)} to ${name(target.layer + 1, target.to)}` : `the bias of ${name(target.layer + 1, target.to)}` }, ev);
  }

  function reset() {
    target = null;
    view = { trace: null, check: null, frame: null, error: null };
    lastStep = -1;
    loadData();
  }

  render();
  return { choose, chooseSample, onFrame, reset, refresh: () => refresh(true), loadData, get sample() { return sample; }, get target() { return target; } };
}
