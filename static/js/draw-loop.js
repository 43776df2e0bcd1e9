// The draw loop: once per animation frame, draw the newest frame if it has
// not been drawn yet (older ones are skipped, never queued).
//
// Charts need not follow every frame, so while training runs each one is
// redrawn at most every `interval` ms, one chart per animation frame,
// preferably on animation frames that drew no training frame: the drawing
// work is spread out (a chart's occasional new axis range costs a plotly
// redraw) and the frames keep their pace. When paused, charts
// follow every change at once. `stats.cost` keeps a moving average of each
// view's drawing time in ms.

export function startDrawLoop(store, { every, charts, onDrawn }) {
  const stats = { framesDrawn: 0, cost: {} };
  let drawn = null;
  const last = new Map(charts.map((c) => [c, -1e9]));
  const timed = (name, fn) => {
    const t = performance.now();
    try { fn(); } catch (e) { console.error(e); }
    const ms = performance.now() - t;
    stats.cost[name] = stats.cost[name] === undefined ? ms : stats.cost[name] * 0.9 + ms * 0.1;
  };
  function tick(now) {
    let drew = false;
    const f = store.frame;
    if (f && f !== drawn && store.data) {
      drawn = f;
      drew = true;
      for (const [name, v] of Object.entries(every)) timed(name, () => v.update(f));
      stats.framesDrawn++;
      onDrawn?.(f);
    }
    if (!store.playing) {
      for (const c of charts) { last.set(c, now); timed(c.name, () => c.view.update()); }
    } else {
      // the most overdue chart, if due; on a busy animation frame only when long overdue
      let pick = null, lateness = 0;
      for (const c of charts) {
        const late = now - last.get(c) - c.interval;
        if (late >= 0 && (!pick || late > lateness)) { pick = c; lateness = late; }
      }
      if (pick && (!drew || lateness > pick.interval)) {
        last.set(pick, now);
        timed(pick.name, () => pick.view.update());
      }
    }
    requestAnimationFrame(tick);
  }
  requestAnimationFrame(tick);
  return stats;
}
