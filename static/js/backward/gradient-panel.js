// The per-layer instruments beside the gradient-norm chart: for each weight
// layer the frame's ‖∂L/∂W‖, share of dead ReLUs or saturated sigmoid/tanh
// units, and update ratio ‖ΔW‖/‖W‖ (all from the frame's `stats`, computed by
// the engine); and, on a second tab, histograms of W and ∂L/∂W per layer at
// the current step (plotly bins the engine's numbers, nothing is derived).

import { layerColor, themeColors } from '../colors.js';
import { num, percent } from '../format.js';
import { axis, baseLayout, PLOT_CONFIG } from '../charts/plot-theme.js';

export function createGradientPanel(box, store) {
  box.classList.add('gradient-box-backward');
  const chart = box.querySelector('#gradient-chart');
  const tabs = document.createElement('div');
  tabs.className = 'grad-tabs';
  tabs.setAttribute('role', 'tablist');
  tabs.setAttribute('aria-label', 'Gradients shown');
  const tab = (name, text, title) => {
    const b = document.createElement('button');
    Object.assign(b, { type: 'button', className: 'grad-tab view-control', textContent: text, title });
    b.dataset.view = name;
    b.dataset.testid = `grad-tab-${name}`;
    b.setAttribute('role', 'tab');
    tabs.append(b);
    return b;
  };
  tab('norms', 'Over time', 'The size of each layer’s gradient after every update, on a log scale');
  tab('histograms', 'Histograms', 'How the weights W and their gradients ∂L/∂W of each layer are spread at the current step');
  const hist = document.createElement('div');
  hist.className = 'plot plot-chart plot-histograms';
  hist.dataset.testid = 'gradient-histograms';
  hist.hidden = true;
  chart.after(hist);
  box.querySelector('.chart-title').after(tabs);

  const table = document.createElement('div');
  table.className = 'layer-stats';
  table.dataset.testid = 'layer-stats';
  table.title = 'Per weight layer, at the current step: the gradient size ‖∂L/∂W‖, the share of dead ReLU units (zero for every training point) or of saturated sigmoid/tanh units (in the flat tails), and the update ratio ‖ΔW‖/‖W‖ (about 0.001 is healthy)';
  box.append(table);
  // the chart's column changes with the table and the backward view's wider left column: follow it
  let sizes = '';
  new ResizeObserver(() => {
    const now = `${chart.clientWidth}x${chart.clientHeight},${hist.clientWidth}`;
    if (now === sizes) return;
    sizes = now;
    for (const el of [chart, hist]) if (el._fullLayout && !el.hidden) fitNow(el);
  }).observe(box);

  let view = 'norms';
  let lastDrawn = null;

  // the heading's tail says how the view shows them: "log scale" was left on the histograms
  const tail = box.querySelector('.chart-title .title-tail .muted');
  function setView(next) {
    view = next;
    if (tail) tail.textContent = view === 'norms' ? 'log scale' : 'and W, at this step';
    for (const b of tabs.children) b.setAttribute('aria-selected', String(b.dataset.view === view));
    chart.hidden = view !== 'norms';
    hist.hidden = view !== 'histograms';
    if (view === 'norms' && chart._fullLayout) fitNow(chart);
    lastDrawn = null;
    update(true);
  }
  tabs.addEventListener('click', (ev) => { const b = ev.target.closest('.grad-tab'); if (b) setView(b.dataset.view); });

  function activationOf(l) {
    const cfg = store.config, L = store.data.sizes.length - 1;
    if (l === L - 1) return cfg.output_activation;
    return Array.isArray(cfg.activation) ? cfg.activation[l] : cfg.activation;
  }
  const layerName = (l, L) => (l === L - 1 ? `W${l + 1}→ŷ` : `W${l + 1}`);

  function drawTable(frame) {
    const L = frame.layers.length;
    const head = '<div class="ls-row ls-head"><span></span><span title="‖∂L/∂W‖ of the last update">‖∂L/∂W‖</span>'
      + '<span title="Dead ReLUs or saturated sigmoid/tanh units">idle units</span>'
      + '<span title="Update ratio ‖ΔW‖/‖W‖ of the last update">‖ΔW‖/‖W‖</span></div>';
    const rows = frame.stats.map((s, l) => {
      const act = activationOf(l);
      let idle = '—', idleTitle = 'Only ReLU (dead) and sigmoid/tanh (saturated) units are counted';
      if (act === 'relu' && s.dead !== null) { idle = `${percent(s.dead)} dead`; idleTitle = 'Share of units that output 0 for every training point'; }
      else if ((act === 'sigmoid' || act === 'tanh') && s.saturated !== null) { idle = `${percent(s.saturated)} sat.`; idleTitle = 'Share of units in the flat tails of their activation: slope f′(z) under a tenth of its peak on at least 90 % of the training points'; }
      const warn = (s.dead ?? 0) > 0.5 || (s.saturated ?? 0) > 0.5 ? ' warn' : '';
      return `<div class="ls-row" data-layer="${l}" data-grad-norm="${s.grad_norm ?? ''}" data-dead="${s.dead ?? ''}"`
        + ` data-saturated="${s.saturated ?? ''}" data-update-ratio="${s.update_ratio ?? ''}">`
        + `<span class="ls-name"><i style="background:${layerColor(l, L)}"></i>${layerName(l, L)}</span>`
        + `<span>${num(s.grad_norm, 3)}</span><span class="ls-idle${warn}" title="${idleTitle}">${idle}</span>`
        + `<span>${num(s.update_ratio, 2)}</span></div>`;
    });
    table.innerHTML = head + rows.join('');
  }

  function drawHistograms(frame) {
    const L = frame.layers.length;
    const t = themeColors();
    const traces = [];
    frame.layers.forEach((layer, l) => {
      traces.push({ type: 'histogram', x: layer.W.flat(), xaxis: `x${l + 1}`, yaxis: `y${l + 1}`, nbinsx: 16,
        marker: { color: layerColor(l, L) }, hovertemplate: `W${l + 1}: %{x}<br>%{y} weights<extra></extra>` });
    });
    frame.layers.forEach((layer, l) => {
      traces.push({ type: 'histogram', x: layer.dW ? layer.dW.flat() : [], xaxis: `x${L + l + 1}`, yaxis: `y${L + l + 1}`,
        nbinsx: 16, marker: { color: '#d9730d' }, hovertemplate: `∂L/∂W${l + 1}: %{x}<br>%{y} weights<extra></extra>` });
    });
    const layout = baseLayout({
      grid: { rows: 2, columns: L, pattern: 'independent', xgap: 0.18, ygap: 0.38 },
      margin: { l: 30, r: 6, t: 16, b: 18 }, bargap: 0.05, hovermode: 'closest',
      annotations: [
        ...frame.layers.map((_, l) => ({ text: layerName(l, L), xref: `x${l + 1} domain`, yref: 'paper', x: 0.5, y: 1.02,
                                          yanchor: 'bottom', showarrow: false, font: { size: 11, color: t.ink } })),
        { text: 'W', xref: 'paper', yref: 'paper', x: -0.045, y: 0.8, showarrow: false, font: { size: 11, color: t.muted }, textangle: -90 },
        { text: '∂L/∂W', xref: 'paper', yref: 'paper', x: -0.045, y: 0.15, showarrow: false, font: { size: 11, color: t.muted }, textangle: -90 },
      ],
    });
    for (let k = 1; k <= 2 * L; k++) {
      layout[`xaxis${k === 1 ? '' : k}`] = axis({ nticks: 3, tickfont: { size: 9, color: t.muted }, exponentformat: 'e', showgrid: false });
      layout[`yaxis${k === 1 ? '' : k}`] = axis({ nticks: 2, tickfont: { size: 9, color: t.muted }, showgrid: false, showticklabels: false });
    }
    Plotly.react(hist, traces, layout, PLOT_CONFIG);
  }

  /** Fit `el` to its box at once, as Plotly.Plots.resize does only after a 100 ms
   * delay — during which a chart still as wide as before overlapped the table. */
  function fitNow(el) {
    Plotly.relayout(el, { autosize: true }).catch(() => {});
  }

  function fitWidths() {
    // plotly sizes a chart once, when it is drawn: keep it to its grid column (the table takes the rest)
    for (const el of [chart, hist]) {
      if (el.hidden || !el._fullLayout || el.clientWidth === 0) continue;
      if (Math.abs(el._fullLayout.width - el.clientWidth) <= 2) continue;
      fitNow(el);
    }
  }

  function update(force = false) {
    fitWidths();
    const frame = store.frame;
    if (!frame || !store.data || !frame.stats) return;
    if (!force && frame === lastDrawn) return;
    lastDrawn = frame;
    drawTable(frame);
    if (view === 'histograms' && !hist.hidden) drawHistograms(frame);
  }

  setView('norms');
  return { update: () => update(false), fitWidths, rebuild: () => { lastDrawn = null; update(true); }, get view() { return view; }, setView };
}
