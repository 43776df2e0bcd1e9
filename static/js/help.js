// A (?) on every panel: a short explanation, in our own words, with the
// formula the panel shows. Formulas of activations and losses come from the
// catalog, so they are the engine's own definitions.
//
// The keyboard (audit, part 2): each (?) is named after its panel ("Help:
// Output"); the popover is a dialog named by its title; opened with Enter or
// Space it takes the focus (opened with the mouse, the keys stay the page's,
// as popup.js does), and Escape or Tab past either end closes it and gives the
// focus back to its (?) (keyboardPanel, as the Export menu does).

import { keyboardPanel, placeInWindow } from './popup.js';

export function createHelp(store) {
  const cat = store.catalog;
  const act = cat.activations.map((a) => `${a.name}: ${a.formula}`).join('<br>');
  const loss = cat.losses.map((l) => `${l.name}: ${l.formula}`).join('<br>');
  // each optimizer's rule (API.md), g the gradient ∂L/∂W of the mini-batch; biases follow the same rule
  const RULES = { sgd: 'W ← W − η·g', momentum: 'v ← μv + g, W ← W − η·v', adam: 'W ← W − η·m̂/(√v̂ + ε)' };
  const TOPICS = {
    data: ['Data', 'The points the network learns from. Half (or the split you choose) train it; the rest are held out as a test of what it learned. Noise blurs the classes.', 'train: used for the updates · test: only measured'],
    features: ['Input features', 'What the network is given of each point (x₁, x₂) on its input layer. Extra features such as x₁² or sin x₁ are computed from the point before the network sees it.', 'a⁽⁰⁾ = (features of the point)'],
    network: ['Network', 'Each square is a neuron, painted with its activation over the whole input plane. Each line is a weight: orange positive, blue negative, thicker is larger. A neuron adds its weighted inputs and its bias, then applies its activation.', `z = W·a + b,  a = f(z)<br>${act}`],
    output: ['Output', 'The network’s answer at every point of the plane: the colour is the predicted class (or value), its strength the confidence. Train points are filled, test points outlined. Loss and accuracy are the engine’s, on all train and test points.', 'accuracy = share of points whose most probable class is right'],
    'loss-chart': ['Loss over updates', 'The loss on the training and the test set after each drawn frame. Both should fall; a test loss that turns and climbs while the training loss keeps falling means overfitting.', `${loss}<br>L_total = L + l2·Σ‖W‖² + l1·Σ|W|`],
    'gradient-chart': ['Gradient size per layer', 'How large the gradient of the loss with respect to each layer’s weights is, after each update, on a log scale. Lines sinking far below the others mean vanishing gradients; lines shooting up mean exploding ones.', '‖∂L/∂W⁽ˡ⁾‖ = √(Σ (∂L/∂Wⱼₖ)²)'],
    training: ['Training controls', 'The round buttons at the top: play trains continuously, the step button makes exactly one update on one mini-batch, reset goes back to step 0 with the same seed. “Explain this step” plays the next update slowly, equation by equation.', () => {
      const opt = store.config?.optimizer ?? 'sgd';
      return `one step: one update on one mini-batch, g = ∂L/∂W of that batch<br>now ${opt}: ${RULES[opt] ?? ''}`
        + `<br>(${Object.keys(RULES).filter((o) => o !== opt).map((o) => `${o}: ${RULES[o]}`).join('; ')}; see Training settings)`;
    }],
    settings: ['Training settings', 'The learning rate η scales every step. The optimizer chooses the rule; activation and loss the functions the network is made of; regularization adds a penalty on large weights; the seed fixes data and initial weights.',
      `${Object.entries(RULES).map(([o, rule]) => `${o}: ${rule}`).join('<br>')}<br>penalty: l2·Σ‖W‖² + l1·Σ|W|<br>${loss}`],
  };

  const pop = document.createElement('div');
  pop.className = 'help-pop';
  pop.dataset.testid = 'help-popover';
  pop.setAttribute('role', 'dialog');
  pop.setAttribute('aria-labelledby', 'help-title');
  pop.setAttribute('aria-describedby', 'help-text help-formula');
  pop.hidden = true;
  document.body.append(pop);
  let openFor = null;

  /** `inside`: opened from the keyboard, the focus goes into the popover. */
  function show(key, button, inside = false) {
    const [title, text, f] = TOPICS[key];
    const formula = typeof f === 'function' ? f() : f;   // some follow the current settings
    pop.innerHTML = `<div class="help-title" id="help-title"></div><p class="help-text" id="help-text"></p><div class="help-formula" id="help-formula">${formula}</div>
      <button type="button" class="icon-btn tiny help-close" title="Close" aria-label="Close help">✕</button>`;
    pop.querySelector('.help-title').textContent = title;
    pop.querySelector('.help-text').textContent = text;
    pop.dataset.topic = key;
    pop.hidden = false;
    // inside the window, scrolling in itself when the window is shorter than it (400 % zoom)
    placeInWindow(pop, button.getBoundingClientRect(), { gap: 6, align: 'left' });
    openFor?.setAttribute('aria-expanded', 'false');
    openFor = button;
    button.setAttribute('aria-expanded', 'true');
    if (inside) pop.querySelector('.help-close').focus({ preventScroll: true });
  }
  /** `refocus`: give the focus back to the (?) (a close from the keyboard or
   * the ✕); it goes back anyway when it was in the popover. */
  function hide(refocus = false) {
    if (pop.hidden) return;
    const back = openFor;
    const inside = pop.contains(document.activeElement);
    pop.hidden = true;
    openFor = null;
    back?.setAttribute('aria-expanded', 'false');
    if ((refocus || inside) && back?.isConnected) back.focus({ preventScroll: true });
  }
  pop.addEventListener('click', (ev) => { if (ev.target.closest('.help-close')) hide(true); });
  keyboardPanel(pop, (refocus) => hide(refocus));   // Escape, Tab past the ends
  document.addEventListener('click', (ev) => {
    const b = ev.target.closest?.('[data-testid=help]');
    // a click from Enter or Space has no pointer (detail 0)
    if (b) { if (openFor === b) hide(true); else show(b.dataset.help, b, ev.detail === 0); return; }
    if (!pop.contains(ev.target)) hide();
  });
  document.addEventListener('keydown', (ev) => { if (ev.key === 'Escape') hide(); });   // the focus elsewhere

  function button(key) {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'help-btn view-control';   // stays usable on read-only watch pages
    b.dataset.testid = 'help';
    b.dataset.help = key;
    b.title = `What is this? (${TOPICS[key][0]})`;
    b.setAttribute('aria-label', `Help: ${TOPICS[key][0]}`);
    b.setAttribute('aria-haspopup', 'dialog');
    b.setAttribute('aria-expanded', 'false');
    b.textContent = '?';
    return b;
  }
  const place = [
    ['data', '.panel-data .panel-title-row .panel-title', 'append'],
    ['features', '#features', 'before-title'],
    ['network', '.network-head .btn-explain', 'before'],
    ['gradient-chart', '.gradient-box .chart-title .title-tail', 'append'],   // with "log scale", never alone on a line
    ['output', '.output-head .panel-title', 'append'],
    ['loss-chart', '#loss-chart', 'before-title'],
    ['training', '.counters .counter-label', 'append'],
    ['settings', '#hyper', 'append'],   // placed in the toolbar's corner (explain.css)
  ];
  for (const [key, selector, how] of place) {
    const target = document.querySelector(selector);
    if (!target) continue;
    const b = button(key);
    if (how === 'append') target.append(b);
    else if (how === 'prepend') target.prepend(b);
    else if (how === 'before') target.before(b);
    else target.previousElementSibling?.append(b);   // the title just above
  }
  return { show, hide, topics: Object.keys(TOPICS) };
}
