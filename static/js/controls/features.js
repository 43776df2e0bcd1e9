// Input-feature toggles: which transforms of (x1, x2) the network is given.

export function createFeatureToggles(root, store, apply, notify) {
  const chips = new Map();
  for (const f of store.catalog.features) {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'chip';
    b.dataset.feature = f.name;
    b.textContent = f.label;
    b.setAttribute('aria-pressed', 'false');
    b.title = `Feature ${f.label}: give the network ${f.label} of every point as an input. Rebuilds the network and starts again from step 0.`;
    b.addEventListener('click', () => toggle(f.name));
    root.append(b);
    chips.set(f.name, b);
  }

  function toggle(name) {
    const current = store.config.features;
    const on = current.includes(name);
    if (on && current.length === 1) {
      notify('The network needs at least one input feature.', 'error');
      return;
    }
    const order = store.catalog.features.map((f) => f.name);
    const next = on ? current.filter((f) => f !== name) : [...current, name].sort((a, b) => order.indexOf(a) - order.indexOf(b));
    apply({ features: next });
  }

  function render(cfg) {
    const inputs = store.data?.inputs ?? 2;
    for (const f of store.catalog.features) {
      const b = chips.get(f.name);
      const on = cfg.features.includes(f.name);
      b.classList.toggle('on', on);
      b.setAttribute('aria-pressed', String(on));
      b.disabled = store.readonly || f.needs_inputs > inputs;
    }
  }

  store.on('config', render);
  store.on('data', () => render(store.config));
  if (store.config) render(store.config);
}
