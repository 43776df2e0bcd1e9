// The stages of one explained update, each rendered as HTML from the engine's
// numbers: the snapshot before (W, b), the next mini-batch, its trace, the
// chosen sample's own trace, and — once it happened — the snapshot after.

import { dot, operandDigits, product } from '../format.js';
import { d, eq, esc, frac, matrix, n, note, op, sub, sumOf, v } from './tex.js';

const F = { sigmoid: 'σ', tanh: 'tanh', relu: 'ReLU', leaky_relu: 'leaky ReLU', linear: 'linear', softmax: 'softmax' };
const DERIV = {
  sigmoid: 'σ′(z) = σ(z)(1 − σ(z))', tanh: 'tanh′(z) = 1 − tanh²(z)', relu: 'ReLU′(z) = 1 if z > 0, else 0',
  leaky_relu: 'leaky ReLU′(z) = 1 if z > 0, else 0.01', linear: 'linear′(z) = 1', softmax: 'ŷⱼ(1 − ŷⱼ) on the diagonal',
};
// The elementwise activations, only to choose how many digits make "f(z) = a" check out on the page
const FN = {
  sigmoid: (z) => 1 / (1 + Math.exp(-z)), tanh: Math.tanh, relu: (z) => Math.max(z, 0),
  leaky_relu: (z) => (z > 0 ? z : 0.01 * z), linear: (z) => z,
};
const sumAll = (s) => s.reduce((t, x) => t + x, 0);
const SHOW_UNITS = 8;   // units listed before "show all"

/** The list of stages for a network of L weight layers. */
export function stageList(L, optimizer = 'sgd') {
  const s = [{ id: 'intro', title: 'The next update' }];
  for (let l = 0; l < L; l++) s.push({ id: `forward-${l + 1}`, kind: 'forward', l, title: `Forward: layer ${l + 1} of ${L}` });
  s.push({ id: 'loss-sample', kind: 'loss', title: 'The loss of this sample' });
  s.push({ id: 'loss-batch', kind: 'batch', title: 'The loss of the whole mini-batch' });
  for (let l = L - 1; l >= 0; l--) s.push({ id: `backward-${l + 1}`, kind: 'backward', l, title: `Backward: layer ${l + 1} of ${L}` });
  const update = { sgd: 'The update W ← W − η∇W', momentum: 'The update (momentum)', adam: 'The update (Adam)' }[optimizer] ?? 'The update';
  s.push({ id: 'update', kind: 'update', title: update });
  return s;
}

export function layerActivation(config, l, L) {
  if (l === L - 1) return config.output_activation;
  return Array.isArray(config.activation) ? config.activation[l] : config.activation;
}

function unitName(l, L, j) {
  return l === L - 1 ? (j === null ? 'the output' : `output ${j + 1}`) : `neuron ${j + 1} of hidden layer ${l + 1}`;
}

/** Rows of a layer table, the selected unit highlighted and clickable. */
function unitTable(head, count, cells, selected, l) {
  const rows = [];
  for (let j = 0; j < count; j++) {
    // a button to the keyboard too (explain.js: Enter or Space chooses it)
    rows.push(`<tr class="x-unit${j === selected ? ' x-hl' : ''}${j >= SHOW_UNITS && j !== selected ? ' x-extra' : ''}" data-unit="${j}" data-layer="${l}" title="Explain this unit"`
      + ` tabindex="0" role="button" aria-pressed="${j === selected}">` +
      `<th>${j + 1}</th>${cells(j).map((c) => `<td>${c}</td>`).join('')}</tr>`);
  }
  const more = count > SHOW_UNITS
    ? `<button type="button" class="btn btn-small x-show-all" title="List every unit of this layer">show all ${count}</button>` : '';
  return `<table class="x-table"><thead><tr><th>unit</th>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>${more}`;
}

function inputVector(ctx, l, r) {
  return l === 0 ? ctx.trace.input[r] : ctx.trace.layers[l - 1].a[r];
}

function inputSymbol(l, k) {
  return l === 0 ? v('x', sub(k + 1)) : v('a', sub(k + 1), l);
}

export function renderIntro(ctx) {
  const { batch, snap, config, r } = ctx;
  const N = batch.x.length;
  const names = ctx.featureNames;
  const x = ctx.trace.input[r];
  return [
    note(`Update number <b>${batch.step}</b> trains on a mini-batch of <b>${N}</b> training point${N === 1 ? '' : 's'} — the very batch the engine takes next. `
      + `We follow one sample through the network, then see how the batch's gradient moves every weight. `
      + `Optimizer: <b>${esc(config.optimizer)}</b>, learning rate η = ${n(config.learning_rate, 'lr')}, loss: <b>${esc(config.loss)}</b>.`),
    eq(`${v('x')} ${op('=')} (${x.map((xi, k) => `${esc(names[k] ?? `x${sub(k + 1)}`)} ${op('=')} ${n(xi, 'x', { r, k })}`).join(', ')})`,
      `&nbsp;&nbsp;&nbsp;target ${v('y')} ${op('=')} (${batch.y[r].map((yk, k) => n(yk, 'y', { r, k })).join(', ')})`),
    `<div class="x-intro-row"><div class="x-batch-plot" data-testid="explain-batch-plot" title="The points of this mini-batch: click one to follow it"></div>`
      + note(`The weights are those of step ${snap.step}. Click a point of the batch (left) or a number above to follow another sample; press Next (→) to start the forward pass.`) + '</div>',
  ].join('');
}

export function renderForward(ctx, l) {
  const { trace, snap, r, L, config } = ctx;
  const j = ctx.selected(l);
  const layer = trace.layers[l];
  const W = snap.layers[l].W, b = snap.layers[l].b;
  const a0 = inputVector(ctx, l, r);
  const act = layerActivation(config, l, L);
  // enough digits that the products and the bias, as shown, add up to z as shown
  const p = operandDigits([...W[j].flatMap((w, k) => [w, a0[k]]), b[j]], dot, layer.z[r][j]);
  const terms = W[j].map((w, k) => `${n(w, 'W', { l, j, k }, p)}${op('·')}${n(a0[k], l === 0 ? 'x' : 'a', { l: l - 1, r, k }, p)}`);
  const lp = l + 1;
  const pz = FN[act] ? operandDigits([layer.z[r][j]], (s) => FN[act](s[0]), layer.a[r][j]) : 4;
  const fz = act === 'softmax'
    ? `${frac(`e<sup>${v('z', sub(j + 1))}</sup>`, `Σ<sub>m</sub> e<sup>${v('z', 'm')}</sup>`)}`
    : `${F[act]}(${n(layer.z[r][j], 'z', { l, r, j }, pz)})`;
  const parts = [
    eq(`${v('z', '', lp)} ${op('=')} ${v('W', '', lp)} ${op('·')} ${v('a', '', lp - 1)} ${op('+')} ${v('b', '', lp)}`,
      `&nbsp;&nbsp;&nbsp;${v('a', '', lp)} ${op('=')} ${esc(F[act])}(${v('z', '', lp)})`),
    note(`${esc(unitName(l, L, j))} (click a row below for another): its weights times the ${l === 0 ? 'inputs' : 'previous layer’s activations'}, plus its bias.`),
    eq(`${v('z', sub(j + 1), lp)} ${op('=')} ${sumOf(terms.concat([n(b[j], 'b', { l, j }, p)]))} ${op('=')} ${n(layer.z[r][j], 'z', { l, r, j })}`),
    eq(`${v('a', sub(j + 1), lp)} ${op('=')} ${fz} ${op('=')} ${n(layer.a[r][j], 'a', { l, r, j })}`),
    unitTable(['z', 'a = f(z)'], W.length,
      (u) => [n(layer.z[r][u], 'z', { l, r, j: u }), n(layer.a[r][u], 'a', { l, r, j: u })], j, l),
    matrix(`The whole ${v('W', '', lp)} (${W.length} × ${W[0].length}) and ${v('b', '', lp)}`, W.map((row, u) => [...row, b[u]]), 'Wb', l, { highlightRow: j }),
    batchColumn(ctx, l, j, [['z', layer.z], ['a', layer.a]]),
  ];
  return parts.join('');
}

/** The selected unit's values for every sample of the mini-batch. */
function batchColumn(ctx, l, j, series) {
  const N = ctx.batch.x.length;
  const rows = Array.from({ length: N }, (_, i) => `<tr${i === ctx.r ? ' class="x-hl"' : ''}><th>${i + 1}</th>${
    series.map(([q, m]) => `<td>${n(m[i][j], q, { l, r: i, j })}</td>`).join('')}</tr>`).join('');
  return `<details class="x-matrix"><summary title="The same unit for every sample of the mini-batch">The whole mini-batch (${N} samples), unit ${j + 1}</summary>`
    + `<div class="x-scroll"><table><thead><tr><th>sample</th>${series.map(([q]) => `<th>${q}</th>`).join('')}</tr></thead><tbody>${rows}</tbody></table></div></details>`;
}

function lossOfSample(ctx) {
  const { trace, batch, r, L, config } = ctx;
  const yhat = trace.layers[L - 1].a[r];
  const y = batch.y[r];
  const loss = ctx.sampleTrace.data_loss;
  const K = y.length;
  // y and ŷ pairwise, for choosing digits with which the line as shown gives ℓ as shown
  const pairs = y.flatMap((yk, k) => [yk, yhat[k]]);
  const each = (f) => (s) => { let t = 0; for (let i = 0; i + 1 < s.length; i += 2) t += f(s[i], s[i + 1]); return t; };
  const digits = {
    mse: operandDigits(pairs, (s) => each((a, b) => (a - b) ** 2)(s) / K, loss),
    bce: operandDigits(pairs, each((a, b) => -(a * Math.log(b) + (1 - a) * Math.log(1 - b))), loss),
    cross_entropy: operandDigits(pairs, each((a, b) => (a ? -a * Math.log(b) : 0)), loss),
  }[config.loss] ?? 4;
  const yh = (k) => n(yhat[k], 'a', { l: L - 1, r, j: k }, digits);
  const yy = (k) => n(y[k], 'y', { r, k }, digits);
  if (config.loss === 'mse') {
    const terms = y.map((_, k) => `(${yy(k)} ${op('−')} ${yh(k)})<sup>2</sup>`);
    // several outputs: the mean of the K squared errors, the sum in brackets
    const general = K === 1 ? `(${v('y')} ${op('−')} ${v('ŷ')})<sup>2</sup>` : `${frac('1', String(K))} Σ<sub>k</sub>(${v('y', 'k')} ${op('−')} ${v('ŷ', 'k')})<sup>2</sup>`;
    const numeric = K === 1 ? terms[0] : `${frac('1', String(K))} [${terms.join(` ${op('+')} `)}]`;
    return eq(`ℓ ${op('=')} ${general} ${op('=')} ${numeric} ${op('=')} ${n(loss, 'sample_loss')}`);
  }
  if (config.loss === 'bce') {
    return eq(`ℓ ${op('=')} −[${v('y')} log ${v('ŷ')} ${op('+')} (1 ${op('−')} ${v('y')}) log(1 ${op('−')} ${v('ŷ')})]`)
      + eq(`${op('=')} −[${yy(0)} ${op('·')} log ${yh(0)} ${op('+')} (1 ${op('−')} ${yy(0)}) ${op('·')} log(1 ${op('−')} ${yh(0)})] ${op('=')} ${n(loss, 'sample_loss')}`);
  }
  const terms = y.map((_, k) => `${yy(k)} ${op('·')} log ${yh(k)}`);
  return eq(`ℓ ${op('=')} −Σ<sub>k</sub> ${v('y', 'k')} log ${v('ŷ', 'k')}`)
    + eq(`${op('=')} −(${terms.join(` ${op('+')} `)}) ${op('=')} ${n(loss, 'sample_loss')}`);
}

export function renderLoss(ctx) {
  const { config } = ctx;
  const what = { mse: 'squared error', bce: 'binary cross-entropy', cross_entropy: 'cross-entropy' }[config.loss];
  return [
    note(`The network’s answer ŷ is the last layer’s activation. The ${esc(what)} says how far it is from the target y: it is 0 for a perfect answer and grows with the mistake.`),
    lossOfSample(ctx),
    note('This is the loss of this one sample alone, as the engine computes it for a batch of just this sample.'),
  ].join('');
}

export function renderBatchLoss(ctx) {
  const { trace, batch, L, config } = ctx;
  const N = batch.x.length;
  const out = trace.layers[L - 1].a;
  const rows = batch.y.map((y, i) => `<tr${i === ctx.r ? ' class="x-hl"' : ''}><th>${i + 1}</th><td>${y.map((yk, k) => n(yk, 'y', { r: i, k })).join(', ')}</td>`
    + `<td>${out[i].map((a, k) => n(a, 'a', { l: L - 1, r: i, j: k })).join(', ')}</td></tr>`).join('');
  const pen = [];
  if (config.l2) pen.push(`${n(config.l2, 'l2')} ${op('·')} Σ‖W‖²`);
  if (config.l1) pen.push(`${n(config.l1, 'l1')} ${op('·')} Σ|W|`);
  const pl = operandDigits([trace.data_loss, trace.penalty], sumAll, trace.loss);
  return [
    note(`The loss the update minimises is the mean over all ${N} samples of the mini-batch${pen.length ? ', plus the penalty on large weights' : ''}.`),
    eq(`L ${op('=')} ${frac('1', v('N'))} Σ<sub>i</sub> ℓ<sub>i</sub> ${op('+')} penalty ${op('=')} ${n(trace.data_loss, 'data_loss', {}, pl)} ${op('+')} ${n(trace.penalty, 'penalty', {}, pl)} ${op('=')} ${n(trace.loss, 'loss')}`),
    pen.length ? eq(`penalty ${op('=')} ${pen.join(` ${op('+')} `)} ${op('=')} ${n(trace.penalty, 'penalty')}`) : note('No L1 or L2 penalty is set, so the penalty is 0.'),
    `<div class="x-scroll x-short"><table class="x-table"><thead><tr><th>sample</th><th>target y</th><th>answer ŷ</th></tr></thead><tbody>${rows}</tbody></table></div>`,
  ].join('');
}

/** With mse, the output's ∂L/∂ŷⱼ written out: the mean over all N·K squared
 * errors gives 2(ŷⱼ − yⱼ)/(N·K) (the engine's (2 / a.size)·(a − y)); its
 * result shown with `digits`, as in the line that uses it. */
function mseGradient(ctx, l, j, digits) {
  const { trace, batch, r } = ctx;
  const layer = trace.layers[l];
  const N = batch.x.length, K = layer.a[r].length;
  const pm = operandDigits([layer.a[r][j], batch.y[r][j]], (s) => (2 * (s[0] - s[1])) / (N * K), layer.dL_da[r][j], { resultDigits: digits });
  const yj = v('ŷ', sub(j + 1)), tj = v('y', sub(j + 1));
  const den = K === 1 ? v('N') : `${v('N')}${op('·')}${v('K')}`;
  const denNum = K === 1 ? String(N) : `${N}${op('·')}${K}`;
  return eq(`${d('L', yj)} ${op('=')} ${frac(`2(${yj} ${op('−')} ${tj})`, den)} ${op('=')} `
    + `${frac(`2(${n(layer.a[r][j], 'a', { l, r, j }, pm)} ${op('−')} ${n(batch.y[r][j], 'y', { r, k: j }, pm)})`, denNum)} ${op('=')} ${n(layer.dL_da[r][j], 'dL_da', { l, r, j }, digits)}`);
}

export function renderBackward(ctx, l) {
  const { trace, snap, r, L, config, batch } = ctx;
  const j = ctx.selected(l);
  const lp = l + 1;
  const layer = trace.layers[l];
  const act = layerActivation(config, l, L);
  const N = batch.x.length;
  const dzv = layer.dL_dz[r][j];
  const dz = n(dzv, 'dL_dz', { l, r, j });
  const parts = [];
  if (l === L - 1) {
    const fused = (config.loss === 'bce' && act === 'sigmoid') || (config.loss === 'cross_entropy' && act === 'softmax');
    const K = layer.a[r].length;
    const mse = config.loss === 'mse';
    parts.push(note(mse
      ? `The error signal δ = ∂L/∂z starts at the output. It carries the ${K === 1 ? `1/N of the mean (N = ${N})` : `1/(N·K) of the mean (N = ${N} samples, K = ${K} outputs)`}: mse averages the squared error over all ${K === 1 ? `${N} samples` : `N·K = ${N * K} outputs of the batch`}, so ∂L/∂ŷ is 2(ŷ − y) divided by ${K === 1 ? 'N' : 'N·K'}.`
      : `The error signal δ = ∂L/∂z starts at the output. It carries the 1/N of the mean (N = ${N}), because every sample contributes 1/N of the loss.`));
    if (fused) {
      const pf = operandDigits([layer.a[r][j], batch.y[r][j]], (s) => (s[0] - s[1]) / N, dzv);
      const pp = operandDigits([layer.dL_da[r][j], layer.da_dz[r][j]], (s) => s[0] * s[1], dzv); // the note's product
      parts.push(eq(`${v('δ', sub(j + 1), lp)} ${op('=')} ${d('L', v('z', sub(j + 1)))} ${op('=')} ${frac(`${v('ŷ', sub(j + 1))} ${op('−')} ${v('y', sub(j + 1))}`, v('N'))} ${op('=')} ${frac(`${n(layer.a[r][j], 'a', { l, r, j }, pf)} ${op('−')} ${n(batch.y[r][j], 'y', { r, k: j }, pf)}`, String(N))} ${op('=')} ${dz}`));
      parts.push(note(act === 'softmax'
        ? 'With softmax and cross-entropy the chain rule through the softmax (whose outputs depend on every z) collapses to this simple difference.'
        : `With a sigmoid output and binary cross-entropy the factors ∂L/∂ŷ = ${n(layer.dL_da[r][j], 'dL_da', { l, r, j }, pp)} and σ′(z) = ${n(layer.da_dz[r][j], 'da_dz', { l, r, j }, pp)} multiply to this difference (except where ŷ is within 10⁻¹⁵ of 0 or 1: there ∂L/∂ŷ is taken at ŷ held 10⁻¹⁵ away, to stay finite).`));
    } else if (act === 'softmax') {
      // every ŷₖ depends on zⱼ: δⱼ = Σₖ ∂L/∂ŷₖ · ŷₖ(1[k=j] − ŷⱼ) = ŷⱼ (∂L/∂ŷⱼ − Σₖ ŷₖ ∂L/∂ŷₖ)
      const yj = v('ŷ', sub(j + 1));
      const ps = operandDigits([layer.a[r][j], layer.dL_da[r][j], ...layer.a[r].flatMap((ak, k) => [ak, layer.dL_da[r][k]])],
        (s) => s[0] * (s[1] - dot(s.slice(2))), dzv);
      const terms = Array.from({ length: K }, (_, k) => `${n(layer.a[r][k], 'a', { l, r, j: k }, ps)}${op('·')}${n(layer.dL_da[r][k], 'dL_da', { l, r, j: k }, ps)}`);
      if (mse) parts.push(mseGradient(ctx, l, j, ps));
      parts.push(eq(`${v('δ', sub(j + 1), lp)} ${op('=')} ${yj} ${op('·')} (${d('L', yj)} ${op('−')} Σ<sub>k</sub> ${v('ŷ', 'k')} ${d('L', v('ŷ', 'k'))}) ${op('=')} ${n(layer.a[r][j], 'a', { l, r, j }, ps)} ${op('·')} (${n(layer.dL_da[r][j], 'dL_da', { l, r, j }, ps)} ${op('−')} (${terms.join(` ${op('+')} `)})) ${op('=')} ${dz}`));
      parts.push(note(`Softmax couples the outputs: every ŷₖ depends on z${sub(j + 1)}, with ∂ŷₖ/∂z${sub(j + 1)} = ŷₖ(1 − ŷ${sub(j + 1)}) for k = ${j + 1} and −ŷₖŷ${sub(j + 1)} otherwise. The chain rule sums over all of them, Σₖ ∂L/∂ŷₖ · ∂ŷₖ/∂z${sub(j + 1)}, which is the line above: not one slope times ∂L/∂ŷ${sub(j + 1)}.`));
    } else {
      const pd = operandDigits([layer.dL_da[r][j], layer.da_dz[r][j]], product, dzv);
      if (mse) parts.push(mseGradient(ctx, l, j, pd));
      parts.push(eq(`${v('δ', sub(j + 1), lp)} ${op('=')} ${d('L', v('ŷ', sub(j + 1)))} ${op('·')} ${d(v('ŷ', sub(j + 1)), v('z', sub(j + 1)))} ${op('=')} ${n(layer.dL_da[r][j], 'dL_da', { l, r, j }, pd)} ${op('·')} ${n(layer.da_dz[r][j], 'da_dz', { l, r, j }, pd)} ${op('=')} ${dz}`));
      if (DERIV[act]) parts.push(note(`The second factor is the output activation’s slope at this sample’s z: ${esc(DERIV[act])}.`));
    }
  } else {
    const next = trace.layers[l + 1];
    const Wn = snap.layers[l + 1].W;
    // digits: first for δ = ∂L/∂a · f′(z), then for the sum that gives ∂L/∂a as that line shows it
    const pd = operandDigits([layer.dL_da[r][j], layer.da_dz[r][j]], product, dzv);
    const ps = operandDigits(Wn.flatMap((row, m) => [row[j], next.dL_dz[r][m]]), dot, layer.dL_da[r][j], { resultDigits: pd });
    const terms = Wn.map((row, m) => `${n(row[j], 'W', { l: l + 1, j: m, k: j }, ps)}${op('·')}${n(next.dL_dz[r][m], 'dL_dz', { l: l + 1, r, j: m }, ps)}`);
    parts.push(note(`The error flows back along the weights: unit ${j + 1} of layer ${lp} takes a share of the error δ<sub>m</sub> of each unit m of layer ${lp + 1} it feeds, `
      + `in proportion to W<sub>m${j + 1}</sub> · δ<sub>m</sub>, the weight between them times that unit’s error: a large error passed back through a large weight counts most.`));
    parts.push(eq(`${d('L', v('a', sub(j + 1), lp))} ${op('=')} Σ<sub>m</sub> ${v('W', `m${sub(j + 1)}`, lp + 1)} ${v('δ', 'm', lp + 1)} ${op('=')} ${sumOf(terms)} ${op('=')} ${n(layer.dL_da[r][j], 'dL_da', { l, r, j }, pd)}`));
    parts.push(eq(`${v('δ', sub(j + 1), lp)} ${op('=')} ${d('L', v('a', sub(j + 1)))} ${op('·')} ${esc(F[act])}′(${v('z', sub(j + 1))}) ${op('=')} ${n(layer.dL_da[r][j], 'dL_da', { l, r, j }, pd)} ${op('·')} ${n(layer.da_dz[r][j], 'da_dz', { l, r, j }, pd)} ${op('=')} ${dz}`));
    if (DERIV[act]) parts.push(note(`The second factor is the activation’s slope at this sample’s z: ${esc(DERIV[act])}.`));
  }
  // the gradient of this unit's weights
  const a0 = inputVector(ctx, l, r);
  const dW = layer.dW[j];
  const reg = [];
  if (config.l2) reg.push(`2${op('·')}${n(config.l2, 'l2')}${op('·')}${v('W', `${sub(j + 1)}k`)}`);
  if (config.l1) reg.push(`${n(config.l1, 'l1')}${op('·')}sign(${v('W', `${sub(j + 1)}k`)})`);
  // a weight acts on every sample of the batch: the chain rule sums over them
  parts.push(eq(`${d('L', v('W', `${sub(j + 1)}k`, lp))} ${op('=')} Σ<sub>i</sub> ${d('L', v('z', `i${sub(j + 1)}`))} ${op('·')} ${d(v('z', `i${sub(j + 1)}`), v('W', `${sub(j + 1)}k`))} ${op('=')} Σ<sub>i</sub> ${v('δ', `i${sub(j + 1)}`)} ${op('·')} ${v('a', 'ik', lp - 1)}${reg.length ? ` ${op('+')} ${reg.join(` ${op('+')} `)}` : ''}`));
  parts.push(note(`This sample adds δ ${op('·')} a for each input k: ${a0.map((ak, k) => `${dz}${op('·')}${n(ak, l === 0 ? 'x' : 'a', { l: l - 1, r, k })}`).slice(0, 8).join(', ')}${a0.length > 8 ? ', …' : ''}. Summed over the whole mini-batch${reg.length ? ', with the penalty’s gradient' : ''}, the engine gets:`));
  parts.push(eq(`${d('L', v('W', `${sub(j + 1)}·`, lp))} ${op('=')} (${dW.map((g, k) => n(g, 'dW', { l, j, k })).join(', ')})&nbsp;&nbsp; ${d('L', v('b', sub(j + 1), lp))} ${op('=')} Σ<sub>i</sub> ${v('δ', `i${sub(j + 1)}`)} ${op('=')} ${n(layer.db[j], 'db', { l, j })}`));
  // (softmax has no one slope per unit: its table shows ŷ, which its δ is made of)
  const slope = act === 'softmax' ? ['ŷ', 'a'] : ['f′(z)', 'da_dz'];
  parts.push(unitTable(['∂L/∂a', slope[0], 'δ = ∂L/∂z'], layer.dW.length,
    (u) => [n(layer.dL_da[r][u], 'dL_da', { l, r, j: u }), n(layer[slope[1]][r][u], slope[1], { l, r, j: u }), n(layer.dL_dz[r][u], 'dL_dz', { l, r, j: u })], j, l));
  parts.push(matrix(`The whole ${d('L', v('W', '', lp))} (${layer.dW.length} × ${layer.dW[0].length}) and ${d('L', v('b', '', lp))}`, layer.dW.map((row, u) => [...row, layer.db[u]]), 'dWb', l, { highlightRow: j }));
  parts.push(batchColumn(ctx, l, j, [['dL_dz', layer.dL_dz]]));
  return parts.join('');
}

export function renderUpdate(ctx) {
  const { snap, after, trace, config, L } = ctx;
  if (!after) return note('Applying the update…');
  if (after.step === snap.step) { // refused: the engine applies no update that would overflow
    return note(`The engine did not apply this update: ${esc(after.message ?? 'training diverged')}`)
      + note('The weights stay as they were, at step ' + after.step + '. Close this explanation and press reset (r).');
  }
  const eta = n(config.learning_rate, 'lr');
  const rule = {
    sgd: `${v('W')} ${op('←')} ${v('W')} ${op('−')} η ${op('·')} ${d('L', v('W'))}`,
    momentum: `${v('v')} ${op('←')} μ${v('v')} ${op('+')} ${d('L', v('W'))},&nbsp; ${v('W')} ${op('←')} ${v('W')} ${op('−')} η${v('v')}&nbsp; (μ = ${n(config.momentum, 'momentum')})`,
    adam: `${v('W')} ${op('←')} ${v('W')} ${op('−')} η ${op('·')} ${frac(v('m̂'), `√${v('v̂')} ${op('+')} ε`)}&nbsp; (Adam: running means m, v of the gradient and its square)`,
  }[config.optimizer];
  const sgd = config.optimizer === 'sgd';
  const parts = [
    note(sgd
      ? `The update has happened: the engine took step ${after.step}. With sgd every weight and bias moved against its gradient, scaled by the learning rate η = ${eta}:`
      : `The update has happened: the engine took step ${after.step}. Every weight and bias moved by the ${esc(config.optimizer)} step, with learning rate η = ${eta}, by this rule:`),
    eq(rule),
  ];
  if (!sgd) parts.push(note(`With ${esc(config.optimizer)} the step is not simply η times this batch's gradient: it also remembers earlier gradients. Below are the engine's weights before and after.`));
  for (let l = 0; l < L; l++) {
    const j = ctx.selected(l);
    const before = snap.layers[l], now = after.layers[l], g = trace.layers[l];
    // with sgd, digits with which before − η·gradient, as shown, gives after as shown
    const pu = (w, gr, a) => (sgd ? operandDigits([w, gr], (s) => s[0] - config.learning_rate * s[1], a, { resultDigits: 6 }) : 4);
    const rows = before.W[j].map((w, k) => {
      const p = pu(w, g.dW[j][k], now.W[j][k]);
      return [`${v('W', `${sub(j + 1)}${sub(k + 1)}`, l + 1)}`, n(w, 'W', { l, j, k }, p), n(g.dW[j][k], 'dW', { l, j, k }, p), n(now.W[j][k], 'W_after', { l, j, k }, 6)];
    });
    const pb = pu(before.b[j], g.db[j], now.b[j]);
    rows.push([`${v('b', sub(j + 1), l + 1)}`, n(before.b[j], 'b', { l, j }, pb), n(g.db[j], 'db', { l, j }, pb), n(now.b[j], 'b_after', { l, j }, 6)]);
    parts.push(`<div class="x-update"><div class="x-update-head">Layer ${l + 1}, ${esc(unitName(l, L, j))}</div>`
      + `<table class="x-table"><thead><tr><th></th><th>before</th><th>gradient ∂L/∂W, ∂L/∂b</th><th>${sgd ? 'after = before − η · gradient' : `after (${esc(config.optimizer)} step)`}</th></tr></thead><tbody>`
      + rows.slice(0, 10).map((c) => `<tr><th>${c[0]}</th><td>${c[1]}</td><td>${c[2]}</td><td>${c[3]}</td></tr>`).join('')
      + (rows.length > 10 ? `<tr><td colspan="4">… and ${rows.length - 10} more: see the whole matrix</td></tr>` : '')
      + `</tbody></table>${matrix(`All of ${v('W', '', l + 1)} after the update`, now.W, 'W_after', l, { highlightRow: j })}</div>`);
  }
  parts.push(note(`Loss on this batch before the update: ${n(trace.loss, 'loss')}. Press “Explain the next update” to follow step ${after.step + 1}.`));
  return parts.join('');
}
