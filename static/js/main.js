// The playground page: creates (or follows) a session, wires the controls to
// the REST API and the live socket, and draws every frame.

import * as api from './api.js';
import { setupBackfill } from './backfill.js';
import { createBoundaryView } from './charts/boundary.js';
import { createGradientChart } from './charts/gradient-chart.js';
import { createLossChart } from './charts/loss-chart.js';
import { createNetworkView } from './charts/network.js';
import { createDataPanel } from './controls/data-panel.js';
import { createFeatureToggles } from './controls/features.js';
import { createHyperControls } from './controls/hyper.js';
import { createLayerControls } from './controls/layers.js';
import { createCustomPoints } from './custom-points.js';
import { startDrawLoop } from './draw-loop.js';
import { createHovercard } from './hovercard.js';
import { decodeConfig } from './link.js';
import { LiveSocket } from './live.js';
import { createNotice, showPending } from './notice.js';
import { createReadouts } from './readouts.js';
import { createShareLinks } from './share.js';
import { createSpeedControl } from './speed.js';
import { Store } from './store.js';
import { createTransport } from './transport.js';
import { createTeaching } from './teach.js';
import { createWeightEditor } from './weight-editor.js';
import { setupClassroom } from './classroom/index.js';
import { setupBackward } from './backward/index.js';
import { openOwnSession } from './classroom/fork.js';

const $ = (id) => document.getElementById(id);

const WORDS = {
  dataset: 'data set', n_samples: 'number of points', noise: 'noise', train_fraction: 'train/test split',
  features: 'input features', points: 'points', task: 'task', hidden_layers: 'layers', activation: 'activation',
  output_activation: 'output activation', loss: 'loss', init: 'initialisation', seed: 'seed',
  optimizer: 'optimizer', learning_rate: 'learning rate', momentum: 'momentum', batch_size: 'batch size',
  l1: 'L1 rate', l2: 'L2 rate',
};

async function boot() {
  const store = new Store();
  const notify = createNotice($('notice'));
  const hook = (window.__chainrule = {
    ready: false, framesDrawn: 0, get framesReceived() { return store.framesReceived; },
    get sessionId() { return store.sessionId; }, get watchId() { return store.watchId; },
    get config() { return store.config; }, get frame() { return store.frame; }, get data() { return store.data; },
    get playing() { return store.playing; }, store,
  });

  try {
    store.catalog = await api.catalog();
  } catch (e) {
    stopPage(`Cannot reach the chainrule server: ${e.message} Reload the page to try again.`);
    return;
  }

  // -- which session ----------------------------------------------------------
  const watchId = document.body.dataset.watchId || null;
  let session;
  let previous = [];
  if (watchId) {
    store.readonly = true;
    store.watchId = watchId;
    try {
      session = await api.readWatched(watchId);
    } catch (e) {
      stopPage(e.status === 404 ? `This watch link does not work any more: ${e.message}`
        : `Cannot follow this session now: ${e.message} Reload the page to try again.`);
      return;
    }
  } else {
    previous = lastSessions(); // before this page's session joins them
    try {
      session = await openSession(store, notify);
    } catch (e) {
      stopPage(`Could not start a session: ${e.message} Reload the page to try again.`);
      return;
    }
    store.sessionId = session.id;
    store.watchId = session.watch_id;
  }
  store.setConfig(session.config);
  document.body.classList.toggle('readonly', store.readonly);

  // -- views ------------------------------------------------------------------
  const hovercard = createHovercard($('hovercard'));
  const editor = createWeightEditor($('weight-editor'));
  const readouts = createReadouts(store, {
    step: $('step-count'), epoch: $('epoch-count'), lossTrain: $('loss-train'), lossTest: $('loss-test'),
    accuracyTrain: $('accuracy-train'), accuracyTest: $('accuracy-test'), status: $('status'),
    accuracyCells: [$('accuracy-head'), $('accuracy-train'), $('accuracy-test')],
  });
  let backward = null; // issue 4: a click on the diagram goes to the inspector (shift-click edits)
  let viewAdopted = false; // whether the first frame has brought the view the server keeps (see below)
  const network = createNetworkView($('network'), $('network-edges'), store, { hovercard, onEdit: (edit, ev) => editParameter(edit, ev), onInspect: (point, ev) => backward?.inspect(point, ev) });
  let custom = null;
  const boundary = createBoundaryView($('boundary'), $('boundary-image'), store, { onPlaneClick: (x1, x2, ev) => { if (!backward?.tookClick()) custom.onPlaneClick(x1, x2, ev); } }); // a click on a point picks the inspector's sample
  const lossChart = createLossChart($('loss-chart'), store);
  const gradientChart = createGradientChart($('gradient-chart'), store);
  setupBackfill(store);

  // -- changing the configuration ---------------------------------------------
  let wantedBatch = session.config.batch_size;
  async function apply(partial, { quiet = false, failure = null } = {}) {
    if (store.readonly) return false;
    if (partial.dataset && partial.dataset !== 'custom') custom?.cancelDraft();
    if (Object.entries(partial).every(([k, v]) => JSON.stringify(store.config[k]) === JSON.stringify(v))) return true;
    if ('batch_size' in partial) wantedBatch = partial.batch_size; // the user's own choice, kept across data sets
    partial = fitBatch(partial, store.config, wantedBatch);
    try {
      const before = store.config;
      store.expect('config', Infinity); // frames' config waits (classroom/index.js)
      const answer = await api.patchSession(store.sessionId, partial);
      store.expect('config');
      store.setConfig(answer.config);
      // what changed, as the engine's answer has it: a new output can bring its loss
      // with it (linear → mse), and a regularisation choice sends both rates
      const differs = (k) => k !== 'task' && JSON.stringify(before[k]) !== JSON.stringify(answer.config[k]);
      const asked = Object.keys(partial).filter(differs);
      const changed = [...asked, ...Object.keys(WORDS).filter((k) => differs(k) && !asked.includes(k))];
      const names = (changed.length ? changed : Object.keys(partial).filter((k) => k !== 'task')).map((k) => WORDS[k] ?? k);
      const what = [names.slice(0, -1).join(', '), names.at(-1)].filter(Boolean).join(' and ');
      if (!quiet) {
        if (answer.reset) notify(`Rebuilt with the new ${what}: training starts again from step 0.`, 'info');
        else if (answer.state.status === 'diverged') { // the engine trains no more until a reset
          notify(`New ${what} applied. Training stopped at step ${answer.state.step} when it diverged: press reset (r) to start again from step 0 with it.`, 'info');
        } else notify(`New ${what} applied live — training goes on from step ${answer.state.step}.`, 'info');
      }
      return true;
    } catch (e) {
      store.expect('config');
      notify(failure ? failure(e.message) : `Not changed: ${e.message}`, 'error');
      store.setConfig(store.config); // put the controls back
      return false;
    }
  }

  async function editParameter(edit, mouse) {
    const wasPlaying = store.playing;
    if (wasPlaying) send({ type: 'pause' });
    const value = await editor.open({ text: edit.label, value: edit.value }, mouse);
    if (value !== null) {
      try {
        const current = await api.readSession(store.sessionId);
        const layers = current.state.layers.map((l) => ({ W: l.W, b: l.b }));
        if (edit.kind === 'weight') layers[edit.layer].W[edit.to][edit.from] = value;
        else layers[edit.layer].b[edit.to] = value;
        await api.putWeights(store.sessionId, layers);
        notify(`Set ${edit.label} to ${value}. The engine uses it from the next update on.`, 'info');
      } catch (e) {
        notify(`Not changed: ${e.message}`, 'error');
      }
    }
    if (wasPlaying) send({ type: 'play' });
  }

  // -- controls ---------------------------------------------------------------
  createHyperControls($('hyper'), store, apply, notify);
  createLayerControls({ count: $('layer-count'), strip: $('layer-strip') }, store, apply);
  createDataPanel({ grid: $('datasets'), controls: $('data-controls'), titleRow: document.querySelector('.panel-data .panel-title-row') }, store, apply, { onCustom: () => custom.start() });
  createFeatureToggles($('features'), store, apply, notify);
  custom = createCustomPoints(store, {
    apply, boundary, notify, readouts,
    els: { input: $('csv-input'), clear: $('custom-clear'), overlay: $('drop-overlay'), chooser: $('class-chooser') },
  });
  $('show-test').addEventListener('change', (ev) => boundary.setShowTest(ev.target.checked));
  $('discretize').addEventListener('change', (ev) => boundary.setDiscretize(ev.target.checked));
  // one input: the output is a curve over x₁, with no plane of classes to colour
  const discretizeTitle = $('discretize').parentElement.title;
  store.on('data', (msg) => {
    const box = $('discretize');
    box.disabled = msg.inputs === 1;
    box.parentElement.title = box.disabled ? 'One input: the output is drawn as a curve, with no plane to colour by class.' : discretizeTitle;
  });

  // -- links ----------------------------------------------------------------------
  createShareLinks(store, notify, { share: $('share-link'), watch: $('watch-link'), fork: $('fork') });
  if (!store.readonly) { // after the share links: they write the address this remembers
    rememberTabSession(store.sessionId, session.state.step);
    answerForThisTab(store);
    for (const event of ['config', 'lesson']) store.on(event, () => rememberTabSession(store.sessionId));
    // and as it trains (every few seconds at most): the session offered after a tab
    // closed by mistake is the one trained last, not the one last opened
    let rememberedStep = session.state.step, rememberedAt = performance.now();
    store.on('frame', (f) => {
      if (f.step === rememberedStep || performance.now() - rememberedAt < 3000) return;
      rememberedStep = f.step;
      rememberedAt = performance.now();
      rememberTabSession(store.sessionId);
    });
  }
  // classroom: present, fork, export, themes (a theme or presenter-mode change redraws the charts)
  setupClassroom(store, notify, { redraw: () => { network.rebuild(); boundary.rebuild(); lossChart.rebuild(); gradientChart.rebuild(); } });

  // -- the live socket ----------------------------------------------------------
  let socket = null;
  // A command the socket cannot send now (the connection is lost) is not sent
  // later either: the page says so, and send answers false.
  let saidLost = 0;
  const send = (cmd) => {
    if (store.readonly || !socket) return false;
    if (socket.send(cmd)) return true;
    if (performance.now() - saidLost > 3000) {
      saidLost = performance.now();
      notify('Not done: the connection to the server is lost. The page is reconnecting — try again in a moment.', 'error');
    }
    return false;
  };
  const speed = createSpeedControl($('speed'), store, send, { initial: 20, max: store.catalog.limits.steps_per_frame[1] });
  function connect() {
    const path = store.readonly ? `/api/watch/${watchId}/live` : `/api/sessions/${store.sessionId}/live`;
    socket?.close();
    socket = new LiveSocket(path, {
      onData: (msg) => {
        // your own points: show the held-out ones too, or half of your clicks would vanish
        if (msg.config.dataset === 'custom' && store.data?.config.dataset !== 'custom' && !$('show-test').checked) {
          $('show-test').checked = true;
          boundary.setShowTest(true);
        }
        store.setData(msg);
        network.rebuild();
        boundary.rebuild();
        lossChart.rebuild();
        gradientChart.rebuild();
      },
      onFrame: (frame) => store.setFrame(frame),
      onError: (message) => notify(message, 'error'),
      onState: (state) => {
        store.setLost(state === 'closed');
        if (state === 'open' && !store.readonly) {
          send({ type: 'speed', steps_per_frame: speed.stepsPerFrame });
          if (backward && viewAdopted) send({ type: 'view', ...backward.viewState() });   // a first frame brings the server's
        }
        else if (state === 'gone') restart();
      },
    }, () => store.playing);
  }
  /** The session is gone (the server restarted, or it timed out): start the same setup again. */
  async function restart() {
    if (store.readonly) {
      store.setPlaying(false);
      readouts.setOverride('The session you were watching has ended (it was closed, or the server restarted): ask for a new watch link.');
      return;
    }
    try {
      const fresh = await api.createSession(store.config);
      store.sessionId = fresh.id;
      store.watchId = fresh.watch_id;
      rememberTabSession(fresh.id, 0);
      store.setPlaying(false);
      connect();
      notify('The server had lost this session, so the same setup was started again from step 0. '
        + 'It has a new watch link: a class watching needs the one Present shows now.', 'info');
    } catch (e) {
      readouts.setOverride(`This session has ended and a new one could not be started: ${e.message}`);
    }
  }
  connect();

  // -- transport: buttons and keys --------------------------------------------------
  createTransport(store, send, { play: $('play'), step: $('step'), reset: $('reset') }, notify);
  // explain mode, lessons and the (?) help of every panel (teach.js)
  const teaching = createTeaching(store, { network, notify, send, apply });
  // the backward pass: forward/backward switch, gradient instruments, inspector, insights (backward/)
  backward = setupBackward(store, { network, editParameter });
  if (store.readonly) {
    // watchers follow the teacher's forward/backward switch and inspector each
    // time they change; in between, a watcher may look where it likes
    let teacherView = null;
    store.on('frame', (frame) => {
      const key = frame.view && JSON.stringify(frame.view);
      if (key && key !== teacherView) { teacherView = key; backward.follow(frame.view); }
    });
  } else {
    // a reload takes back what the page showed, which the server keeps in every frame
    // (F5 flipped the teacher's page to Forward, and with it every watching student's);
    // until then the page says nothing of its own view, which is only its default
    store.on('frame', (frame) => {
      if (viewAdopted) return;
      if (frame.view) backward.follow(frame.view);   // the server has it: its steps are not sent back
      viewAdopted = true;
    });
    // not through send(): showing is no command, and while the connection is lost
    // there is nothing to say; the page says it all again when the socket reopens
    store.on('view', (view) => { if (viewAdopted) socket?.send({ type: 'view', ...view }); });
  }

  // -- read-only (watch) pages: every control off ------------------------------------
  if (store.readonly) {
    const disableAll = () => disableControls((el) => ['fork', 'show-test', 'discretize'].includes(el.id) || el.classList.contains('view-control')); // view options stay
    store.on('config', disableAll);
    disableAll();
    // live changes (learning rate, …) arrive with the frames' config: classroom/index.js follows them
  }

  // -- drawing --------------------------------------------------------------------
  const stats = startDrawLoop(store, {
    every: { network, boundary, readouts },
    charts: [{ name: 'lossChart', view: lossChart, interval: 150 }, { name: 'gradientChart', view: gradientChart, interval: 150 }, { name: 'backward', view: backward.view, interval: 300 }],
    onDrawn: () => {
      hook.framesDrawn = stats.framesDrawn;
      if (!hook.ready) {
        showPending(notify); // what the previous page had to say (a session loaded from a file)
        if (session.fresh && !store.readonly) offerLastSession(store, notify, previous);
      }
      hook.ready = true;
    },
  });
  Object.assign(hook, { speed, network, boundary, send, drawStats: stats });
  hook.teaching = teaching;
  hook.backward = backward;
}

/** The page cannot go on (no server, no session): say why, and turn every
 * control off rather than leave buttons that do nothing. */
function stopPage(message) {
  const status = $('status');
  if (status) status.textContent = message;
  disableControls();
}

/** Turn the page's controls off, but those ``keep`` says stay. */
function disableControls(keep = () => false) {
  document.querySelectorAll('.app button, .app select, .app input').forEach((el) => { if (!keep(el)) el.disabled = true; });
}

/** ``read(id)``, patient with a server that cannot be reached for a moment (a
 * reload during a network glitch): null only when the session is gone (404). */
async function readIfThere(read, id) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await read(id);
    } catch (e) {
      if (e.status === 404) return null;
      if (attempt >= 4) throw e; // about 8 s of trying
      await new Promise((resolve) => setTimeout(resolve, 500 * 2 ** attempt));
    }
  }
}

/** A smaller data set may hold fewer training points than the batch size:
 * then the batch becomes the whole (smaller) training set instead of a refusal;
 * on a larger one the batch size the user chose (``wanted``) comes back. */
function fitBatch(partial, config, wanted) {
  if (!('points' in partial || 'n_samples' in partial || 'train_fraction' in partial || 'dataset' in partial)) return partial;
  const merged = { ...config, ...partial };
  const n = merged.dataset === 'custom' ? merged.points?.x?.length ?? 0 : merged.n_samples;
  // a lower bound of the engine's training-set size (it rounds n·fraction)
  const train = Math.max(1, Math.min(Math.floor(n * merged.train_fraction), n - 1));
  const batch = Math.min(partial.batch_size ?? wanted ?? merged.batch_size, train);
  return batch !== merged.batch_size ? { ...partial, batch_size: batch } : partial;
}

// This tab's session, so that a reload (F5) goes on with it — the same weights,
// the same step, and the watch link the class already has — instead of
// starting a new one. Kept per tab (sessionStorage), never in the address, with
// the address it had: another address in the same tab (a lesson from the menu,
// a link typed in) starts its own session as before.
const TAB_SESSION = 'chainrule-session';

/** The part of an address that names the setup (view options aside). */
function setupPart(search) {
  const params = new URLSearchParams(search);
  for (const k of ['present', 'hide', 'theme']) params.delete(k);
  params.sort();
  return params.toString();
}

/** Remember session `id` for this tab and among the browser's recent ones.
 * `step` is where this browser took it up (0, or a fork's step): the offer of
 * offerLastSession is for a session trained here, not for a fork left as it came. */
function rememberTabSession(id, step = 0) {
  try { sessionStorage.setItem(TAB_SESSION, JSON.stringify({ id, setup: setupPart(location.search) })); } catch { /* storage off: a reload starts anew */ }
  try {
    const kept = lastSessions();
    const known = kept.find((r) => r.id === id);
    const from = Number.isFinite(known?.from) ? known.from : step; // a reload keeps where it began
    const recent = [{ id, at: Date.now(), from }, ...kept.filter((r) => r.id !== id)].slice(0, 5);
    localStorage.setItem(LAST_SESSION, JSON.stringify(recent));
  } catch { /* storage off */ }
}

// The last sessions this browser drove, in any tab: a tab closed by mistake (the
// class still watching its session) leaves a way back from a new one.
const LAST_SESSION = 'chainrule-recent-sessions';
const OFFER_WITHIN_MS = 12 * 3600 * 1000;
const OFFER_ANSWER_MS = 1000;

function lastSessions() {
  try { const r = JSON.parse(localStorage.getItem(LAST_SESSION)); return Array.isArray(r) ? r : []; } catch { return []; }
}

/** Offer to go back to the browser's most recent session that trained here
 * (beyond the step it was taken up at), is not this one, still exists, is
 * recent, and that no other tab drives. An error notice showing (a link that
 * could not be read) stays until it goes: the offer comes after it. */
async function offerLastSession(store, notify, recent) {
  for (const last of recent) {
    if (!last?.id || last.id === store.sessionId || !(Date.now() - last.at < OFFER_WITHIN_MS)) continue;
    try {
      // nothing waits on this answer: a busy tab (a slow machine, a big network) gets a second
      const [elsewhere, session] = await Promise.all([drivenElsewhere(last.id, OFFER_ANSWER_MS), api.readSession(last.id)]);
      if (elsewhere || !(session.state.step > (Number.isFinite(last.from) ? last.from : 0))) continue;
      await notify.afterErrors();
      notify(`This is a new session. Your previous one (${session.config.dataset}, step ${session.state.step}) is still there, with its watch link.`,
        'info', { label: 'Go back to it', run: () => openOwnSession(last.id) });
      return;
    } catch { /* gone */ }
  }
}

/** This tab's session id if the address still names its setup, else null. */
function tabSession() {
  try {
    const kept = JSON.parse(sessionStorage.getItem(TAB_SESSION));
    return kept?.setup === setupPart(location.search) ? kept.id : null;
  } catch { return null; }
}

// A duplicated browser tab inherits sessionStorage, hence the tab's session:
// before going on with it, a page asks the other tabs whether one of them
// drives it still (a reload's old page is gone by then, so nobody answers).
const TAB_CHANNEL = 'chainrule-tabs';
const ANSWER_WITHIN_MS = 150; // measured: a tab playing 6×8 at top speed answers within 30 ms

/** Whether another open tab of this browser drives session `id`. */
function drivenElsewhere(id, within = ANSWER_WITHIN_MS) {
  if (typeof BroadcastChannel === 'undefined') return Promise.resolve(false);
  return new Promise((resolve) => {
    const channel = new BroadcastChannel(TAB_CHANNEL);
    const settle = (answer) => { channel.close(); resolve(answer); };
    const timer = setTimeout(() => settle(false), within);
    channel.onmessage = (ev) => { if (ev.data?.drives === id) { clearTimeout(timer); settle(true); } };
    channel.postMessage({ asks: id });
  });
}

/** Answer the question of drivenElsewhere for the session this page drives. */
function answerForThisTab(store) {
  if (typeof BroadcastChannel === 'undefined') return;
  const channel = new BroadcastChannel(TAB_CHANNEL);
  channel.onmessage = (ev) => {
    if (ev.data?.asks && ev.data.asks === store.sessionId) channel.postMessage({ drives: store.sessionId });
  };
}

/** The session this page drives: adopted from "#session=", this tab's own
 * after a reload (or a copy of it, in a duplicated tab), or created from the link. */
async function openSession(store, notify) {
  const hash = new URLSearchParams(location.hash.slice(1));
  const adopt = hash.get('session');
  // Only a session the server says is gone (404) gives way to a new one: an
  // error of the network is waited out, then said (a glitch during a reload
  // must not leave the class's session for a new one at step 0).
  if (adopt) {
    history.replaceState(null, '', location.pathname + location.search); // keep the capability out of copied links
    const adopted = await readIfThere(api.readSession, adopt);
    if (adopted) return adopted;
  } else if (tabSession()) {
    const id = tabSession();
    const [elsewhere, session] = await Promise.all([drivenElsewhere(id), readIfThere(api.readSession, id)]);
    if (session && !elsewhere) return session; // a reload: go on
    if (session) {
      // a duplicated tab (it inherits the original's storage): the original goes on
      // driving that session, which a class may be watching; this tab gets a copy
      const copy = await api.importSession(await api.exportSession(id));
      notify(`This tab is a copy of another one, which still drives its session: this one goes on from a copy of it, at step ${copy.state.step}.`, 'info');
      return copy;
    }
  }
  const { partial, errors } = decodeConfig(location.search, store.catalog);
  if (errors.length) notify(`Some of the link could not be read: ${errors.join('; ')}`, 'error');
  let made;
  try {
    made = await api.createSession(partial);
  } catch (e) {
    if (e.status !== 422) throw e; // the server could not make one (503: too many sessions): said by boot
    notify(`The link's setup was refused (${e.message}); starting from the defaults instead.`, 'error');
    made = await api.createSession({});
  }
  return { ...made, fresh: true }; // not a session this tab had: the browser's last one may be offered
}

boot().catch((e) => {
  console.error(e);
  const status = document.getElementById('status');
  if (status) status.textContent = `Something went wrong starting the page: ${e.message}`;
});
