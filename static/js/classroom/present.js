// "Present": the watch link to hand out (with a copy button), presenter mode,
// and the controls to hide — everything a teacher sets up before class.

import { TOUCH } from '../keys.js';
import { attachPopup } from '../popup.js';
import { getView, HIDEABLE, setView, withParams, withView } from './view.js';

const LABELS = {
  dataset: 'Data sets', noise: 'Noise', train_fraction: 'Train/test split', n_samples: 'Points',
  batch_size: 'Batch size', regenerate: 'Regenerate', features: 'Features', custom: 'Your own data',
  data: 'Data panel', hidden_layers: 'Layers (+/−)', activation: 'Activation', output_activation: 'Output',
  loss: 'Loss', init: 'Initialisation', seed: 'Seed', learning_rate: 'Learning rate', optimizer: 'Optimizer',
  momentum: 'Momentum', regularization: 'Regularization', toolbar: 'Settings bar', play: 'Play',
  step: 'Step', reset: 'Reset', speed: 'Speed', share: 'Share links', gradients: 'Gradient chart',
  loss_chart: 'Loss chart', output_options: 'Output options',
};

export function watchUrl(store) {
  const url = withView(`${location.origin}/watch/${store.watchId}`, getView(), { forWatchers: true });
  return store.lesson ? withParams(url, [['lesson', store.lesson]]) : url; // the students see the lesson's card too
}

export function createPresentPanel(store, notify, { button, onFork }) {
  const panel = document.createElement('div');
  panel.className = 'classroom-panel';
  panel.id = 'present-panel';
  panel.hidden = true;
  panel.setAttribute('role', 'dialog');
  panel.setAttribute('aria-label', 'Present to a class');
  panel.dataset.pageKeys = '';   // a teacher plays and steps with it open: the page's keys act here (keys.js inPopup)
  panel.innerHTML = `
    <div class="classroom-head">
      <h2>Present to a class</h2>
      <button type="button" class="icon-btn small" data-close title="Close (Esc)" aria-label="Close">×</button>
    </div>
    <p class="hint">Students open this link on their own laptops: they follow this session live, read-only, and can fork it to play.</p>
    <div class="copy-row">
      <input type="text" readonly id="present-watch-url" data-testid="watch-url" aria-label="Watch link">
      <button type="button" class="btn btn-primary" id="present-copy" data-testid="copy-watch-url">Copy</button>
      <a class="btn" id="present-open" target="_blank" rel="noopener" title="Open the watch page in a new tab, as a student sees it">Open</a>
    </div>
    <label class="switch-row" title="Larger type and thicker lines, for a projector">
      <input type="checkbox" id="presenter-mode" data-testid="presenter-mode"> Presenter mode <span class="muted">— larger type, thicker lines</span>
    </label>
    <h3>Hide controls <span class="muted">(in this page and in the watch link)</span></h3>
    <div class="hide-grid" id="hide-grid"></div>
    <div class="btn-row classroom-foot">
      <button type="button" class="btn" id="present-fork" title="A copy of this session — weights, optimizer state, data, step — in a new tab, to try something without disturbing the class">Fork a copy</button>
      <span class="muted" id="present-note"></span>
    </div>`;
  document.body.append(panel);
  const url = panel.querySelector('#present-watch-url');
  const presenter = panel.querySelector('#presenter-mode');
  const grid = panel.querySelector('#hide-grid');
  for (const name of Object.keys(HIDEABLE)) {
    const label = document.createElement('label');
    label.innerHTML = `<input type="checkbox" value="${name}"> <span></span>`;
    label.querySelector('span').textContent = LABELS[name] ?? name;
    label.title = `hide=${name}`;
    grid.append(label);
  }

  function refresh() {
    const view = getView();
    url.value = watchUrl(store);
    panel.querySelector('#present-open').href = url.value;
    presenter.checked = view.present;
    for (const box of grid.querySelectorAll('input')) box.checked = view.hide.includes(box.value);
    panel.querySelector('#present-note').textContent = view.hide.length ? `Link: ?hide=${view.hide.join(',')}` : '';
  }

  const open = attachPopup(button, panel, { onOpen: refresh });
  panel.querySelector('[data-close]').addEventListener('click', () => open(false));

  panel.querySelector('#present-copy').addEventListener('click', async () => {
    try {
      // the focus stays on the button, not in the link box: the keys stay the page's (space plays)
      await navigator.clipboard.writeText(url.value);
      notify('Watch link copied: whoever opens it follows this session live, read-only.', 'info');
    } catch {
      url.select();  // the link selected and focused, for Ctrl+C (or a phone's Copy)
      notify(TOUCH.matches
        ? 'This page cannot copy by itself (it is not on https): the link is selected, press and hold it for Copy.'
        : 'Select the link and copy it (Ctrl+C).', 'info');
    }
  });
  presenter.addEventListener('change', () => { setView({ ...getView(), present: presenter.checked }); refresh(); });
  grid.addEventListener('change', () => {
    const hide = [...grid.querySelectorAll('input:checked')].map((b) => b.value);
    setView({ ...getView(), hide });
    refresh();
  });
  panel.querySelector('#present-fork').addEventListener('click', () => onFork());
  store.on('config', () => { if (!panel.hidden) refresh(); });
  return { open, refresh };
}
