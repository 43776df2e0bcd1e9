// The one place that holds the page's state. Modules read it and listen to
// its events; only main.js and the controllers it wires change it.
//
// Events: "config" (the configuration changed), "data" (new data message:
// the shape of what is drawn), "frame" (a frame arrived), "playing",
// "lesson" (a lesson's card was shown or dismissed), "draft" (points of
// one's own being drawn, not yet a data set), "hold" (play, step and reset
// are off for now, and why), "connection" (the live connection was lost or
// is back: store.lost), "view" (what the page shows — Forward/Backward, the
// inspector's target and sample — for watch pages to follow: backward/index.js).

const MAX_POINTS = 400; // chart series are halved when they grow past this (drawing cost grows with points)

export class Store {
  constructor() {
    this.catalog = null;
    this.sessionId = null;
    this.watchId = null;
    this.readonly = false;
    this.config = null;
    this.data = null;          // last "data" message
    this.frame = null;         // newest "frame" message
    this.playing = false;
    this.expected = new Map(); // what this page changed and shows before the server confirms it ('playing', 'config') → until when
    this.lost = false;         // the live connection is lost (and being made again)
    this.series = emptySeries(0);
    this.framesReceived = 0;
    this.lesson = null;        // the lesson whose card is shown (its id rides along in links)
    this.draft = null;         // {x, y} of one's own points while too few to be a data set
    this.holds = new Map();    // who holds the training (explain mode, drawing) → why, in a sentence
    this.listeners = new Map();
  }

  on(name, fn) {
    if (!this.listeners.has(name)) this.listeners.set(name, []);
    this.listeners.get(name).push(fn);
  }

  emit(name, payload) {
    for (const fn of this.listeners.get(name) ?? []) fn(payload);
  }

  setConfig(config) {
    this.config = config;
    this.emit('config', config);
  }

  setData(msg) {
    this.data = msg;
    this.frame = null;  // frames of the old shape are of no use now
    this.config = msg.config;
    this.series = emptySeries(msg.sizes.length - 1);
    this.emit('config', this.config);
    this.emit('data', msg);
  }

  setFrame(frame) {
    const last = this.frame;
    if (last && frame.step < last.step) this.series = emptySeries(frame.layers.length);
    this.frame = frame;
    this.framesReceived++;
    record(this.series, frame);
    // (asked first: a frame that agrees ends the wait; while it lasts this.playing is what was asked)
    const stale = this.stale('playing', frame.playing === this.playing || frame.status === 'diverged');
    if (frame.playing !== undefined && frame.playing !== this.playing && !stale) this.setPlaying(frame.playing);
    this.emit('frame', frame);
  }

  /** Put the steps the engine recorded before this page's first frame
   * (GET /history) in front of the chart series. */
  prependHistory(h) {
    const s = this.series;
    const firstLoss = s.step[0] ?? Infinity, firstGrad = s.gradStep[0] ?? Infinity;
    const ev = h.eval_step.map((_, i) => i).filter((i) => h.eval_step[i] < firstLoss);
    if (ev.length) {
      s.step = [...ev.map((i) => h.eval_step[i]), ...s.step];
      s.train = [...ev.map((i) => h.train_loss[i]), ...s.train];
      s.test = [...ev.map((i) => h.test_loss[i]), ...s.test];
    }
    const up = h.step.map((_, i) => i).filter((i) => h.step[i] < firstGrad && h.grad_norms.every((g) => g[i] !== null));
    if (up.length && h.grad_norms.length === s.grad.length) {
      s.gradStep = [...up.map((i) => h.step[i]), ...s.gradStep];
      s.grad = s.grad.map((line, l) => [...up.map((i) => h.grad_norms[l][i]), ...line]);
    }
    while (s.step.length > MAX_POINTS) thinLoss(s);
    while (s.gradStep.length > MAX_POINTS) thinGrad(s);
    s.revision++;
  }

  setLesson(id) {
    this.lesson = id;
    this.emit('lesson', id);
  }

  setDraft(points) {
    this.draft = points;
    this.emit('draft', points);
  }

  /** Hold the training (play, step, reset) for a reason, or let go (why = null).
   * While anything holds it, the session must stay at the step it is at. */
  setHold(who, why) {
    if (why) this.holds.set(who, why);
    else if (!this.holds.delete(who)) return;
    this.emit('hold', this.holds);
  }

  /** Why the training is held (the first reason), or null. */
  get held() {
    return this.holds.values().next().value ?? null;
  }

  setLost(lost) {
    if (lost === this.lost) return;
    this.lost = lost;
    this.emit('connection', lost);
  }

  setPlaying(on) {
    this.playing = on;
    this.emit('playing', on);
  }

  /** Show a play or pause this page just sent: frames the server sent before it read it
   * still say the opposite, and must not undo it (a space pressed then played again
   * instead of pausing). */
  askPlaying(on) {
    this.expect('playing');
    this.setPlaying(on);
  }

  /** This page changed `what` and shows it already: frames the server sent before it had the
   * change must not undo it, for `ms` (Infinity: until expect is called again, the change's answer). */
  expect(what, ms = 2000) {
    this.expected.set(what, performance.now() + ms);
  }

  /** Whether a frame is one sent before the server had this page's change of `what`: the first
   * frame that `agrees`, or one after the wait, ends it. */
  stale(what, agrees) {
    const until = this.expected.get(what);
    if (until === undefined) return false;
    if (agrees || performance.now() > until) { this.expected.delete(what); return false; }
    return true;
  }

  /** The feature names the catalog knows, with labels. */
  featureLabel(name) {
    return this.catalog?.features.find((f) => f.name === name)?.label ?? name;
  }

  property(name) {
    return this.catalog?.config.find((p) => p.name === name);
  }
}

function emptySeries(layers) {
  return { step: [], train: [], test: [], gradStep: [], grad: Array.from({ length: layers }, () => []), revision: 0 };
}

function record(s, frame) {
  const n = s.step.length;
  const train = frame.loss?.train ?? null, test = frame.loss?.test ?? null;
  if (n > 0 && s.step[n - 1] === frame.step) {
    // the same step, another loss (weights set, a penalty changed, while paused): the last
    // point moves to it, as the server's history's does (a reload draws that one)
    if (s.train[n - 1] !== train || s.test[n - 1] !== test) {
      s.train[n - 1] = train;
      s.test[n - 1] = test;
      s.revision++;
    }
    return;
  }
  s.step.push(frame.step);
  s.train.push(train);
  s.test.push(test);
  if (frame.grad_norms && frame.grad_norms[0] !== null) {
    if (s.grad.length !== frame.grad_norms.length) s.grad = frame.grad_norms.map(() => []);
    // after a divergence they are the refused update's, one past the step the session stays at
    s.gradStep.push(frame.status === 'diverged' ? frame.step + 1 : frame.step);
    frame.grad_norms.forEach((v, i) => s.grad[i].push(v));
  }
  if (s.step.length > MAX_POINTS) thinLoss(s);
  if (s.gradStep.length > MAX_POINTS) thinGrad(s);
  s.revision++;
}

const half = (a) => a.filter((_, i) => i % 2 === 0 || i === a.length - 1);

function thinLoss(s) {
  s.step = half(s.step); s.train = half(s.train); s.test = half(s.test);
}

function thinGrad(s) {
  s.gradStep = half(s.gradStep); s.grad = s.grad.map(half);
}
