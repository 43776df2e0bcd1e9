"""The loss and gradient charts: lines painted on a canvas under plotly's axes.

Each check compares what is on the screen with an independent source: the
engine's own history (GET /history) for the numbers, plotly's axis mapping for
where each number must be painted, and closed forms for the axis ranges.
"""

from __future__ import annotations

import math

import pytest

PLAY = "[data-testid=play]"

# Every point of a chart's traces, mapped through plotly's own axes to canvas
# pixels: the share of them where the canvas is painted, and the share of the
# plot area painted at all (lines, not fills).
COVERAGE = """(id) => {
  const el = document.getElementById(id), c = document.getElementById(id + '-lines');
  const full = el._fullLayout, xa = full.xaxis, ya = full.yaxis, log = ya.type === 'log';
  const dpr = c.width / el.clientWidth;
  const img = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  const alpha = (x, y) => {  // the most opaque pixel within one CSS pixel of (x, y)
    let best = 0;
    for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
      const px = Math.round((x + dx) * dpr), py = Math.round((y + dy) * dpr);
      if (px >= 0 && py >= 0 && px < c.width && py < c.height) best = Math.max(best, img[(py * c.width + px) * 4 + 3]);
    }
    return best;
  };
  let points = 0, painted = 0;
  for (const t of el.data) {
    t.x.forEach((x, i) => {
      const y = t.y[i];
      if (y === null || (log && y <= 0)) return;
      points++;
      if (alpha(xa._offset + xa.l2p(x), ya._offset + ya.l2p(log ? Math.log10(y) : y)) > 100) painted++;
    });
  }
  let area = 0, inked = 0;
  for (let y = Math.round(ya._offset * dpr); y < (ya._offset + ya._length) * dpr; y += 2)
    for (let x = Math.round(xa._offset * dpr); x < (xa._offset + xa._length) * dpr; x += 2) {
      area++; if (img[(y * c.width + x) * 4 + 3] > 0) inked++;
    }
  const xs = el.data.flatMap((t) => t.x), ys = el.data.flatMap((t) => t.y).filter((v) => v !== null && (!log || v > 0));
  return { points, painted: painted / points, inked: inked / area, xrange: xa.range, yrange: ya.range, log,
           xmax: Math.max(...xs), ymin: Math.min(...ys), ymax: Math.max(...ys),
           plotlyLines: getComputedStyle(el.querySelector('.scatterlayer')).visibility };
}"""


def _train(pg, above: int) -> None:
    pg.page.click(PLAY)
    pg.wait_step_above(above)
    pg.page.click(PLAY)
    pg.page.wait_for_function("document.querySelector('[data-testid=play]').getAttribute('aria-pressed') === 'false'")
    pg.page.wait_for_timeout(500)  # the last frame, and the charts' catch-up once paused


def test_charts_paint_the_engines_numbers_where_plotlys_axes_put_them(playground):
    pg = playground.open()
    _train(pg, 300)
    step = pg.step_count()
    history = pg.api(f"/api/sessions/{pg.session_id()}/history")

    # the loss chart's numbers are the engine's evaluations at those steps
    loss = pg.js("(() => { const d = document.getElementById('loss-chart').data; return {x: d[0].x, train: d[0].y, test: d[1].y}; })()")
    at = {s: i for i, s in enumerate(history["eval_step"])}
    assert len(loss["x"]) > 5 and loss["x"][-1] == step
    for x, tr, te in zip(loss["x"], loss["train"], loss["test"], strict=True):
        assert tr == pytest.approx(history["train_loss"][at[x]], rel=1e-6)
        assert te == pytest.approx(history["test_loss"][at[x]], rel=1e-6)

    for chart in ("loss-chart", "gradient-chart"):
        c = pg.js(f"({COVERAGE})('{chart}')")
        assert c["plotlyLines"] == "hidden", chart  # only the canvas draws the lines
        assert c["points"] > 10 and c["painted"] >= 0.97, (chart, c)
        assert 0.003 < c["inked"] < 0.25, (chart, c)
        # the axes hold every number, without wasting most of the plot
        assert c["xrange"][0] == 0 and c["xmax"] <= c["xrange"][1] <= 1.25 * 2 * c["xmax"], (chart, c)
        if c["log"]:
            assert c["yrange"][0] <= math.log10(c["ymin"]) and math.log10(c["ymax"]) <= c["yrange"][1]
        else:
            assert c["yrange"][0] == 0 and c["ymax"] <= c["yrange"][1] <= 1.1 * 1.25 * c["ymax"] / 0.45, (chart, c)
    assert pg.js("(() => { const c = document.getElementById('gradient-chart'); return c._fullLayout.yaxis.type; })()") == "log"

    # hover labels come from plotly, with the engine's numbers
    box = pg.page.locator("#loss-chart").bounding_box()
    pg.page.mouse.move(box["x"] + box["width"] * 0.7, box["y"] + box["height"] * 0.5)
    pg.page.wait_for_selector("#loss-chart .hoverlayer .hovertext")
    assert "loss" in pg.page.text_content("#loss-chart .hoverlayer")


def test_lines_follow_training_between_plotly_redraws(playground):
    pg = playground.open()
    pg.page.select_option("#speed", "max")
    pg.page.click(PLAY)
    pg.wait_step_above(2000)
    snapshot = "document.getElementById('loss-chart-lines').toDataURL()"
    first = pg.js(snapshot)
    pg.page.wait_for_timeout(700)
    second = pg.js(snapshot)
    assert first != second  # the canvas keeps moving while training runs
    pg.page.click(PLAY)
    pg.page.wait_for_function("document.querySelector('[data-testid=play]').getAttribute('aria-pressed') === 'false'")
    pg.page.wait_for_timeout(500)
    c = pg.js(f"({COVERAGE})('loss-chart')")
    assert c["painted"] >= 0.97 and c["xmax"] == pg.step_count(), c


def test_round_axis_ranges(playground):
    pg = playground.open()
    got = pg.js("""(async () => {
      const m = await import('/static/js/charts/live-lines.js');
      const tr = (x, y) => [{ x, y }];
      const first = m.rangesFor(tr([0, 10, 20], [0.7, 0.5, 0.4]), false);
      const kept = m.rangesFor(tr([0, 10, 20, 24], [0.7, 0.5, 0.4, 0.39]), false, first);
      const grown = m.rangesFor(tr([0, 10, 20, 30], [0.7, 0.5, 0.4, 0.3]), false, first);
      const fallen = m.rangesFor(tr([0, 10], [0.2, 0.1]), false, { x: [0, 25], y: [0, 1] });
      const log = m.rangesFor(tr([1, 2, 3], [0.003, 0.02, 0.04]), true);
      const gaps = m.rangesFor(tr([1, 2, 3], [null, 0, 5]), true);
      return { nice: [0.7, 1, 1234, 4, 9.1, 0.000123].map(m.niceCeil), first, keptSame: kept.x === first.x && kept.y === first.y,
               grown, fallen, log, gaps, empty: m.rangesFor(tr([], []), false) };
    })()""")
    assert got["nice"] == pytest.approx([0.8, 1, 1500, 4, 10, 0.00015])
    # x: 0 to a round number above 1.25 × the last step; y from 0 to a round number above 1.08 × the largest loss
    assert got["first"] == {"x": [0, 25], "y": [0, 0.8]}
    assert got["keptSame"]  # still fits: the same ranges, so no plotly redraw
    assert got["grown"]["x"] == [0, 40]
    assert got["fallen"]["y"] == [0, 0.25]  # the loss fell below 45 % of the axis: zoom in
    # log: whole half-decades around log10 0.003 = −2.52 … log10 0.04 = −1.40, a quarter-decade margin
    assert got["log"]["y"] == pytest.approx([-3.25, -0.75])
    assert got["gaps"]["y"] == pytest.approx([-0.25, 1.75])  # only 5 counts: log10 5 = 0.70 → [0.25, 1.25] widened to 2 decades
    assert got["empty"] == {"x": [0, 4], "y": [0, 1]}


def test_a_chart_hidden_while_training_shows_its_lines_again(playground):
    pg = playground.open()
    for n in range(1, 4):
        pg.page.click("[data-testid=step]")
        pg.wait_step(n)
    # hide the gradient chart (the Present panel's list), train on, show it again
    pg.page.click("[data-testid=present]")
    pg.page.check("#hide-grid input[value=gradients]")
    assert pg.page.is_hidden("[data-testid=gradient-chart]")
    for n in range(4, 6):
        pg.page.click("[data-testid=step]")
        pg.wait_step(n)
    pg.page.wait_for_timeout(300)
    if not pg.page.is_visible("#hide-grid input[value=gradients]"):  # a click elsewhere closed the panel
        pg.page.click("[data-testid=present]")
    pg.page.uncheck("#hide-grid input[value=gradients]")
    pg.page.wait_for_function("document.querySelector('[data-testid=gradient-chart]').clientWidth > 0")
    pg.page.wait_for_timeout(300)
    c = pg.js(f"({COVERAGE})('gradient-chart')")
    assert c["xmax"] == 5 and c["points"] == 5 * 3 and c["painted"] == 1.0, c


def test_a_log_axis_is_spaced_a_bounded_number_of_times_and_never_freezes_the_page(playground):
    """A diverged run's loss chart froze the tab: its label spacing (20 or 30 decades) moved
    plotly's top margin, which changed the axis's length (78 or 80 px), which flipped the spacing
    back, for ever. Over chart heights and ranges around those, plotly.relayout is called at most
    twice per render (here it is counted, and cut off after 30 so that a loop cannot hang the test)."""
    pg = playground.open()
    looped = pg.page.evaluate("""async () => {
      const { createLiveLines } = await import('/static/js/charts/live-lines.js');
      const real = Plotly.relayout;
      const out = [];
      try {
        for (let h = 100; h <= 116; h += 1) for (const decades of [60, 88, 100, 130]) {
          const el = document.createElement('div'); el.id = `probe-${h}-${decades}`;
          el.style.cssText = `position:absolute;left:0;top:0;width:330px;height:${h}px`;
          document.body.append(el);
          let calls = 0;
          Plotly.relayout = (...a) => { calls++; return calls > 30 ? Promise.resolve() : real(...a); };
          const lines = createLiveLines(el, { logY: true });
          const x = [...Array(400).keys()], y = x.map((i) => 10 ** (-1 + (decades + 1) * i / 399));
          lines.render([{ x, y, mode: 'lines', line: { color: '#c00' } }],
            { width: 330, height: h, margin: { l: 48, r: 8, t: 4, b: 26 }, showlegend: false, xaxis: { automargin: true },
              yaxis: { type: 'log', exponentformat: 'power', automargin: true, tickfont: { size: 11 } } });
          await new Promise((r) => setTimeout(r, 120));
          if (calls > 2) out.push([h, decades, calls]);
          Plotly.purge(el); el.remove();
        }
      } finally { Plotly.relayout = real; }
      return out;
    }""")
    assert looped == []
    pg.assert_no_errors()


def test_a_new_loss_at_the_same_step_moves_the_charts_last_point(playground):
    """Weights set by a script while paused change the loss at the same step: the readout showed
    the new loss, the chart kept the old point (and a reload drew the new one, from the history)."""
    import json
    import urllib.request

    pg = playground.open()
    pg.js("window.__chainrule.send({type: 'step', steps: 3})")
    pg.wait_step(3)
    pg.page.wait_for_function("window.__chainrule.store.series.step.at(-1) === 3")
    sid = pg.session_id()
    before = pg.js("window.__chainrule.store.series.train.at(-1)")
    layers = [{"W": [[3 * w for w in row] for row in layer["W"]], "b": layer["b"]}
              for layer in pg.api(f"/api/sessions/{sid}")["state"]["layers"]]
    req = urllib.request.Request(f"{pg.base_url}/api/sessions/{sid}/weights", method="PUT",
                                 data=json.dumps({"layers": layers}).encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        after = json.loads(r.read())["loss"]
    assert not math.isclose(after["train"], before, rel_tol=1e-3)
    # the engine's new loss, as the history keeps it, is the chart's last point at step 3 (float32 in frames)
    history = pg.api(f"/api/sessions/{sid}/history")
    assert history["eval_step"][-1] == 3 and history["train_loss"][-1] == after["train"]
    pg.page.wait_for_function(f"Math.abs(window.__chainrule.store.series.train.at(-1) - {after['train']!r}) <= 1e-6 * {after['train']!r}")
    assert pg.js("window.__chainrule.store.series.step.filter(s => s === 3).length") == 1
    pg.page.wait_for_function(f"""(() => {{ const t = document.querySelector('[data-testid=loss-chart]').data[0];
        return t.x.at(-1) === 3 && Math.abs(t.y.at(-1) - {after['train']!r}) <= 1e-6 * {after['train']!r}; }})()""")
    pg.assert_no_errors()
