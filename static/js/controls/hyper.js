// The training toolbar: learning rate, activation, loss, output, optimizer,
// regularisation and its rate, initialisation, seed.

import { choose, field, keepCase, pretty, select, tooltip } from './fields.js';

const RATES = [0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];
const REG_RATES = [0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];
const MOMENTA = [0.5, 0.8, 0.9, 0.95, 0.99];
const MIXED = 'mixed'; // the activation menu's value while the hidden layers differ

export function createHyperControls(root, store, apply, notify) {
  const cat = store.catalog;
  const hidden = cat.activations.filter((a) => a.hidden).map((a) => a.name);
  const formula = (name) => cat.activations.find((a) => a.name === name)?.formula ?? '';
  const lossFormula = (name) => cat.losses.find((l) => l.name === name)?.formula ?? '';

  const lr = select(RATES.map((r) => [r, String(r)]), 'learning-rate');
  const activation = select(hidden.map((a) => [a, pretty(a)]), 'activation');
  const loss = select(cat.losses.map((l) => [l.name, pretty(l.name)]), 'loss');
  const output = select(cat.activations.map((a) => [a.name, pretty(a.name)]), 'output-activation');
  const optimizer = select(cat.optimizers.map((o) => [o, pretty(o)]), 'optimizer');
  const momentum = select(MOMENTA.map((m) => [m, String(m)]), 'momentum');
  const reg = select([['none', 'None'], ['l1', 'L1'], ['l2', 'L2'], ['both', 'L1 + L2']], 'regularization');
  const regRate = select(REG_RATES.map((r) => [r, String(r)]), 'reg-rate');
  const init = select(cat.inits.map((i) => [i, pretty(i)]), 'init');
  const seedProp = store.property('seed'); // the engine's range (a 32-bit unsigned integer)
  const seedRange = [seedProp?.minimum ?? 0, seedProp?.maximum ?? 4294967295];
  const seed = document.createElement('input');
  Object.assign(seed, { type: 'number', id: 'seed', min: seedRange[0], max: seedRange[1], step: 1 });
  seed.setAttribute('aria-label', 'Seed'); // its label also holds the dice
  const dice = document.createElement('button');
  Object.assign(dice, { type: 'button', className: 'icon-btn small', id: 'new-seed', textContent: '⚄',
                        title: 'A new random seed: new data, new initial weights (rebuilds, starts again from step 0)' });
  dice.setAttribute('aria-label', 'New random seed');
  const seedBox = document.createElement('span');
  seedBox.className = 'seed-box';
  seedBox.append(seed, dice);
  let lastRegRate = 0.001;

  const momentumField = field(['Momentum ', keepCase('μ')], momentum, tooltip(store, 'momentum', 'μ, how much of the previous update the momentum optimizer keeps'));
  root.append(
    field('Learning rate', lr, tooltip(store, 'learning_rate', 'Learning rate η: how far each update moves the weights against the gradient')),
    field('Activation', activation, tooltip(store, 'activation', 'Activation of every hidden layer (per-layer choices sit above the diagram)')),
    field('Loss', loss, tooltip(store, 'loss', 'The loss L the network minimises')),
    field('Output', output, tooltip(store, 'output_activation', 'Activation of the output layer')),
    field('Optimizer', optimizer, tooltip(store, 'optimizer', 'The update rule: SGD W ← W − ηg, momentum, or Adam')),
    momentumField,
    field('Regularization', reg, 'Regularization: a penalty on large weights added to the loss (L1: l1·Σ|W|, L2: l2·Σ‖W‖²). Applies at the next update, without a reset.'),
    field('Reg. rate', regRate, tooltip(store, 'l2', 'How strong the penalty is (l1 or l2 above)')),
    field('Initialisation', init, tooltip(store, 'init', 'How the weights are drawn at the start (Xavier: also called Glorot)')),
    field('Seed', seedBox, tooltip(store, 'seed', 'The seed of the data, the initial weights and the shuffling: the same seed gives the same start')),
  );

  lr.addEventListener('change', () => apply({ learning_rate: Number(lr.value) }));
  activation.addEventListener('change', () => {
    if (activation.value === MIXED) { render(store.config); return; } // a state shown, not a choice
    apply({ activation: activation.value });
  });
  loss.addEventListener('change', () => {
    // bce needs a sigmoid output and cross-entropy a softmax one: switch it along
    const fused = cat.losses.find((l) => l.name === loss.value)?.output_activation;
    apply(fused ? { loss: loss.value, output_activation: fused } : { loss: loss.value });
  });
  output.addEventListener('change', () => apply({ output_activation: output.value }));
  optimizer.addEventListener('change', () => apply({ optimizer: optimizer.value }));
  momentum.addEventListener('change', () => apply({ momentum: Number(momentum.value) }));
  reg.addEventListener('change', () => applyReg());
  regRate.addEventListener('change', () => { lastRegRate = Number(regRate.value); applyReg(); });
  init.addEventListener('change', () => apply({ init: init.value }));
  seed.addEventListener('change', () => {
    const typed = seed.value.trim(); // '' also when the box holds no number at all
    const v = Number(typed);
    if (typed !== '' && Number.isInteger(v) && v >= seedRange[0] && v <= seedRange[1]) { apply({ seed: v }); return; }
    notify(`Not changed: seed must be an integer in [${seedRange.join(', ')}]${typed ? `, not ${typed}` : ''}. The seed stays ${store.config.seed}.`, 'error');
    render(store.config);
  });
  dice.addEventListener('click', () => apply({ seed: Math.floor(Math.random() * 100000) }));

  function applyReg() {
    const r = Number(regRate.value);
    const mode = reg.value;
    apply({ l1: mode === 'l1' || mode === 'both' ? r : 0, l2: mode === 'l2' || mode === 'both' ? r : 0 });
  }

  function render(cfg) {
    choose(lr, cfg.learning_rate);
    const acts = Array.isArray(cfg.activation) ? cfg.activation : [cfg.activation];
    const mixed = acts.length > 1 && acts.some((a) => a !== acts[0]);
    if (mixed) choose(activation, MIXED, 'Per layer');
    else choose(activation, acts[0] ?? 'tanh', pretty(acts[0]));
    [...activation.options].forEach((o) => { if (o.value === MIXED && !mixed) o.remove(); });
    // "Per layer" only says the layers differ (they are set above the diagram): it cannot be picked
    const perLayer = activation.querySelector(`option[value=${MIXED}]`);
    if (perLayer) { perLayer.disabled = true; perLayer.title = 'The hidden layers have different activations, set above the diagram; pick one here to give it to every layer.'; }
    activation.title = `${activation.parentElement.title}\n${hidden.map((a) => `${pretty(a)}: ${formula(a)}`).join('\n')}`;
    choose(loss, cfg.loss, pretty(cfg.loss));
    loss.title = `${loss.parentElement.title}\n${lossFormula(cfg.loss)}`;
    // a loss the data cannot have is not offered (the engine would refuse it), and says why
    for (const o of loss.options) {
      const why = store.data?.task === 'regression' && o.value !== 'mse'
        ? 'Regression data (real-valued targets) is fitted with mse: this loss is for classes.'
        : store.data?.task === 'classification' && store.data.classes > 2 && o.value === 'bce'
          ? `Binary cross-entropy is for two classes; this data has ${store.data.classes}: use cross-entropy.` : '';
      o.disabled = Boolean(why) && o.value !== cfg.loss;
      o.title = why;
    }
    choose(output, cfg.output_activation, pretty(cfg.output_activation));
    // regression has one output unit, and a softmax over one unit is always 1: not offered
    const softmax = output.querySelector('option[value=softmax]');
    if (softmax) {
      softmax.disabled = store.data?.task === 'regression';
      softmax.title = softmax.disabled ? 'Regression has one output unit, and a softmax over a single unit is always 1: nothing could be learned.' : '';
    }
    output.title = `${output.parentElement.title}\n${pretty(cfg.output_activation)}: ${formula(cfg.output_activation)}`;
    choose(optimizer, cfg.optimizer, pretty(cfg.optimizer));
    choose(momentum, cfg.momentum);
    momentumField.hidden = cfg.optimizer !== 'momentum';
    const mode = cfg.l1 > 0 && cfg.l2 > 0 ? 'both' : cfg.l1 > 0 ? 'l1' : cfg.l2 > 0 ? 'l2' : 'none';
    reg.value = mode;
    const rate = Math.max(cfg.l1, cfg.l2);
    if (rate > 0) lastRegRate = rate;
    choose(regRate, lastRegRate);
    // no penalty, no rate to choose (it would change nothing): chosen again with L1 or L2
    regRate.disabled = store.readonly || mode === 'none';
    regRate.title = mode === 'none' ? 'Choose L1 or L2 under Regularization first: with none, there is no penalty to weigh.' : '';
    choose(init, cfg.init, pretty(cfg.init));
    seed.value = String(cfg.seed);
  }

  store.on('config', render);
  if (store.config) render(store.config);
  return { render };
}
