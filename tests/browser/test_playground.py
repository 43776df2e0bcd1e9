"""The playground page in real Chromium: controls, keys, live drawing, share
links, your own data. Screenshots land in tests/artifacts/."""

from __future__ import annotations

import base64
import json
import re
import urllib.request
from pathlib import Path

import numpy as np
import pytest

pytestmark = pytest.mark.browser

NEURON_TRACE = "document.querySelector('[data-testid=network]').data.find(t => t.meta === 'neuron').x.length"


def test_loads_without_console_errors_and_draws_every_plot(playground, new_playground):
    pg = playground.open()
    for testid in ("play", "step", "reset", "step-count", "loss-train", "loss-test", "status", "share-link"):
        assert pg.page.locator(f"[data-testid={testid}]").count() == 1, testid
    for testid in ("network", "boundary", "loss-chart", "gradient-chart"):
        assert pg.page.locator(f"[data-testid={testid}].js-plotly-plot").count() == 1, f"{testid} is not a plotly plot"
    assert pg.page.get_attribute("[data-testid=play]", "aria-pressed") == "false"
    assert pg.step_count() == 0
    assert float(pg.page.text_content("[data-testid=loss-train]")) > 0
    assert pg.sizes() == "2,4,2,1"
    # the network's picture and the output map are real images
    # the neuron heat-maps and edges are painted on the canvas beneath the plot
    painted = pg.js("""(() => { const c = document.getElementById('network-edges');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++; return n / (c.width * c.height); })()""")
    assert painted > 0.02
    # the output map is painted on a canvas under the boundary plot, each pixel's
    # centre on the grid point the engine computed it at: linspace(−6, 6, 50), the
    # first and last on the axes' edges (test_the_output_map_draws_a_boundary_where_it_is)
    out = pg.js("""(() => { const c = document.getElementById('boundary-image'), gd = document.querySelector('[data-testid=boundary]');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] === 255) n++;
        const r = c.getBoundingClientRect(), g = gd.getBoundingClientRect(), xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
        const R = c.width, x = (k) => -6 + (r.left + (k + 0.5) * r.width / R - g.left - xa._offset) / xa._length * 12;
        const y = (k) => 6 - (r.top + (k + 0.5) * r.height / R - g.top - ya._offset) / ya._length * 12;
        return { hidden: c.hidden, opaque: n / (R * R), size: R, centres: [x(0), x(R - 1), y(0), y(R - 1)] }; })()""")
    assert not out["hidden"] and out["size"] == 50 and out["opaque"] == 1.0
    assert np.allclose(out["centres"], [-6, 6, 6, -6], atol=0.01), out
    pg.page.click("[data-testid=step]")
    pg.wait_step(1)
    pg.screenshot("playground-1280x720")

    big = new_playground(1920, 1080).open()
    big.page.keyboard.press("ArrowRight")
    big.wait_step(1)
    big.screenshot("playground-1920x1080")


def _png_pixels(pg, png: bytes, box: dict | None = None) -> list:
    """A PNG's pixels (RGB rows), or those in ``box`` (image px), decoded by the browser."""
    box = box or {}
    return pg.page.evaluate("""async ([src, box]) => { const img = new Image(); img.src = src; await img.decode();
        const c = document.createElement('canvas'); c.width = img.width; c.height = img.height;
        const ctx = c.getContext('2d'); ctx.drawImage(img, 0, 0);
        const x = box.x ?? 0, y = box.y ?? 0, w = box.width ?? img.width, h = box.height ?? img.height;
        const d = ctx.getImageData(x, y, w, h).data, rows = [];
        for (let r = 0; r < h; r++) { const row = [];
          for (let k = 0; k < w; k++) { const i = (r * w + k) * 4; row.push([d[i], d[i + 1], d[i + 2]]); }
          rows.push(row); }
        return rows; }""", ["data:image/png;base64," + base64.b64encode(png).decode(), box])


def _screen_pixels(pg, box: dict) -> list:
    """The page's pixels (RGB rows) in ``box`` (CSS px), from a screenshot."""
    return _png_pixels(pg, pg.page.screenshot(clip=box))


def _crossing(line: list) -> float:
    """Where along ``line`` (pixels of two colours) the red channel passes halfway
    from the first colour to the last: a fraction of a pixel, interpolated."""
    red = [p[0] for p in line]
    half = (red[0] + red[-1]) / 2
    for k in range(len(red) - 1):
        if (red[k] - half) * (red[k + 1] - half) <= 0 and red[k] != red[k + 1]:
            return k + (half - red[k]) / (red[k + 1] - red[k])
    raise AssertionError(f"no crossing in {red}")


def test_the_output_map_draws_a_boundary_where_it_is(playground):
    # a network with no hidden layer and a sigmoid output: ŷ = σ(w·x + b), whose
    # class boundary is the line w·x + b = 0 exactly. Discretized, the map shows
    # the class of each grid point (linspace(−6, 6, 50)); a boundary midway between
    # two grid points is where the two colours meet halfway.
    pg = playground.open("/?hidden_layers=")
    assert pg.sizes() == "2,1"
    pg.page.check("#discretize")
    sid = pg.session_id()
    spacing = 12 / 49
    at = -6 + 44.5 * spacing  # 4.898, between the grid points 4.776 and 5.020
    gd = "document.querySelector('[data-testid=boundary]')"
    pg.js(f"Plotly.restyle({gd}, {{visible: false}}, [0, 1])")  # the data points off: only the map is read
    axes = pg.js(f"""(() => {{ const g = {gd}.getBoundingClientRect(), f = {gd}._fullLayout;
        return {{ x: g.left + f.xaxis._offset, y: g.top + f.yaxis._offset, w: f.xaxis._length, h: f.yaxis._length }}; }})()""")
    for W, (along, across) in (([[1.0, 0.0]], ("x", "w")), ([[0.0, -1.0]], ("y", "h"))):
        _put_weights(pg, sid, [{"W": W, "b": [-at]}])  # for x₂: −x₂ − 4.898 = 0 at x₂ = −4.898
        pg.page.wait_for_function(f"window.__chainrule.frame.layers[0].W[0][0] === {W[0][0]}")
        pg.page.wait_for_timeout(300)
        if along == "x":  # a row across the middle of the plot
            line = _screen_pixels(pg, {"x": axes["x"], "y": axes["y"] + axes["h"] / 2, "width": axes["w"], "height": 1})[0]
        else:  # a column down the middle, read top to bottom
            line = [row[0] for row in _screen_pixels(pg, {"x": axes["x"] + axes["w"] / 2, "y": axes["y"], "width": 1, "height": axes["h"]})]
        px = _crossing(line) + 0.5  # pixel k covers [k, k + 1)
        where = -6 + px / axes[across] * 12 if along == "x" else 6 - px / axes[across] * 12
        expected = at if along == "x" else -at
        # within a pixel and a half (0.05 of 12 across ~400 px); laid edge to edge, the map put it 0.085 off
        assert abs(where - expected) < 0.05, (along, where, expected)
    # nothing of the map spills past the axes: just outside, the plot's own background
    outside = _screen_pixels(pg, {"x": axes["x"] - 3, "y": axes["y"] + axes["h"] / 2, "width": 1, "height": 1})[0][0]
    inside = _screen_pixels(pg, {"x": axes["x"] + 1, "y": axes["y"] + axes["h"] / 2, "width": 1, "height": 1})[0][0]
    assert outside != inside
    pg.screenshot("output-map-boundary")
    # nor in the exported picture (drawn at twice the size, from the plot's own box)
    pg.page.click("#export")
    with pg.page.expect_download(timeout=15_000) as info:
        pg.page.click("[data-testid=export-png-boundary]")
    png = Path(info.value.path()).read_bytes()
    plot = pg.js(f"(() => {{ const g = {gd}.getBoundingClientRect(); return {{x: g.left, y: g.top}}; }})()")
    row = round(2 * (axes["y"] - plot["y"] + axes["h"] / 2))
    left = round(2 * (axes["x"] - plot["x"]))
    line = _png_pixels(pg, png, {"x": left - 8, "y": row, "width": 16, "height": 1})[0]
    panel = _png_pixels(pg, png, {"x": 2, "y": row, "width": 1, "height": 1})[0][0]  # the margin, left of the tick labels
    near = lambda a, b: max(abs(u - v) for u, v in zip(a, b, strict=True)) <= 3  # noqa: E731
    assert near(line[0], panel) and near(line[4], panel), (line, panel)  # 4 and 2 px (image) left of the axes
    assert not near(line[10], panel) and near(line[15], line[10]), (line, panel)  # inside: the map


def test_every_control_has_a_tooltip(playground):
    pg = playground.open()
    missing = pg.js("""() => [...document.querySelectorAll('.app button, .app select, .app input, .app a')]
        .filter(el => !el.closest('[hidden]'))
        .filter(el => !(el.title || el.closest('[title]')?.title))
        .map(el => el.id || el.dataset.testid || el.outerHTML.slice(0, 80))""")
    assert missing == []


def test_one_step_moves_the_counter_by_exactly_one(playground):
    pg = playground.open()
    pg.page.click("[data-testid=step]")
    pg.wait_step(1)
    pg.page.wait_for_timeout(300)
    assert pg.step_count() == 1
    pg.page.click("[data-testid=step]")
    pg.wait_step(2)
    pg.page.wait_for_timeout(300)
    assert pg.step_count() == 2
    assert pg.api(f"/api/sessions/{pg.session_id()}")["state"]["step"] == 2


def test_play_advances_and_pause_stops(playground):
    pg = playground.open()
    play = "[data-testid=play]"
    pg.page.click(play)
    pg.page.wait_for_function("document.querySelector('[data-testid=play]').getAttribute('aria-pressed') === 'true'")
    pg.wait_step_above(50)
    pg.page.click(play)
    pg.page.wait_for_function("document.querySelector('[data-testid=play]').getAttribute('aria-pressed') === 'false'")
    pg.page.wait_for_timeout(400)  # a frame already on its way may still arrive
    stopped = pg.step_count()
    pg.page.wait_for_timeout(800)
    assert pg.step_count() == stopped
    assert pg.api(f"/api/sessions/{pg.session_id()}")["state"]["step"] == stopped
    # the loss chart holds the engine's losses
    points = pg.js("document.querySelector('[data-testid=loss-chart]').data[0].y.length")
    assert points > 1
    pg.screenshot("after-training-1280x720")


def test_reset_returns_to_zero(playground):
    pg = playground.open()
    for _ in range(3):
        pg.page.click("[data-testid=step]")
    pg.wait_step(3)
    pg.page.click("[data-testid=reset]")
    pg.wait_step(0)
    assert pg.api(f"/api/sessions/{pg.session_id()}")["state"]["step"] == 0


def test_keys_space_arrow_and_r(playground):
    pg = playground.open()
    pg.page.keyboard.press("ArrowRight")
    pg.wait_step(1)
    pg.page.keyboard.press("ArrowRight")
    pg.wait_step(2)
    pg.page.keyboard.press("r")
    pg.wait_step(0)
    pg.page.keyboard.press(" ")
    pg.page.wait_for_function("document.querySelector('[data-testid=play]').getAttribute('aria-pressed') === 'true'")
    pg.wait_step_above(10)
    pg.page.keyboard.press(" ")
    pg.page.wait_for_function("document.querySelector('[data-testid=play]').getAttribute('aria-pressed') === 'false'")
    # space on a focused button must not toggle twice
    pg.page.focus("[data-testid=step]")
    pg.page.keyboard.press(" ")
    pg.page.wait_for_function("document.querySelector('[data-testid=play]').getAttribute('aria-pressed') === 'true'")
    pg.page.keyboard.press(" ")
    pg.page.wait_for_function("document.querySelector('[data-testid=play]').getAttribute('aria-pressed') === 'false'")


def test_adding_a_layer_and_a_neuron_redraws_the_diagram(playground):
    pg = playground.open()
    assert pg.sizes() == "2,4,2,1"
    assert pg.js(NEURON_TRACE) == 9
    pg.page.click("#add-layer")
    pg.page.wait_for_function("document.querySelector('[data-testid=network]').dataset.sizes === '2,4,2,2,1'")
    assert pg.js(NEURON_TRACE) == 11
    pg.page.wait_for_function("document.querySelector('[data-testid=notice]').textContent.includes('Rebuilt')")
    pg.page.click(".layer-col[data-layer='0'] [data-action=add-neuron]")
    pg.page.wait_for_function("document.querySelector('[data-testid=network]').dataset.sizes === '2,5,2,2,1'")
    assert pg.js(NEURON_TRACE) == 12
    pg.page.click(".layer-col[data-layer='2'] [data-action=remove-neuron]")
    pg.page.wait_for_function("document.querySelector('[data-testid=network]').dataset.sizes === '2,5,2,1,1'")
    pg.page.click("#remove-layer")
    pg.page.wait_for_function("document.querySelector('[data-testid=network]').dataset.sizes === '2,5,2,1'")
    config = pg.api(f"/api/sessions/{pg.session_id()}")["config"]
    assert config["hidden_layers"] == [5, 2]
    # the network frame the page draws has the new shape too
    assert pg.js("window.__chainrule.frame.layers.map(l => l.W.length).join(',')") == "5,2,1"
    pg.screenshot("network-after-layer-and-neuron")


def test_a_new_learning_rate_applies_without_a_reset(playground):
    pg = playground.open()
    for _ in range(5):
        pg.page.keyboard.press("ArrowRight")
    pg.wait_step(5)
    pg.page.select_option("#learning-rate", "0.1")
    pg.page.wait_for_function("window.__chainrule.config.learning_rate === 0.1")
    assert pg.api(f"/api/sessions/{pg.session_id()}")["config"]["learning_rate"] == 0.1
    assert pg.step_count() == 5
    assert "applied live" in pg.page.text_content("[data-testid=notice]")
    pg.page.keyboard.press("ArrowRight")
    pg.wait_step(6)
    assert "learning_rate=0.1" in pg.page.get_attribute("[data-testid=share-link]", "href")


def test_softmax_is_not_offered_as_the_output_of_a_regression_and_the_output_menu_says_what_changed(playground):
    """A regression has one output unit, whose softmax is always 1 (the engine
    refuses it): the menu does not offer it there, and does on classification."""
    pg = playground.open()
    softmax = "document.querySelector('#output-activation option[value=softmax]')"
    NOTICE = "document.querySelector('[data-testid=notice]').textContent"
    assert pg.js(f"{softmax}.disabled") is False
    pg.page.click("button.dataset[data-dataset=plane]")
    pg.page.wait_for_function(f"window.__chainrule.config.dataset === 'plane' && {softmax}.disabled")
    assert "always 1" in pg.js(f"{softmax}.title")
    pg.page.select_option("#output-activation", "tanh")  # the others still apply
    pg.page.wait_for_function("window.__chainrule.config.output_activation === 'tanh'")
    pg.page.wait_for_function(f"{NOTICE}.startsWith('Rebuilt with the new output activation:')")  # the live data message can come first
    pg.page.click("button.dataset[data-dataset=circle]")
    pg.page.wait_for_function(f"window.__chainrule.config.dataset === 'circle' && !{softmax}.disabled")
    pg.page.select_option("#output-activation", "softmax")  # two classes: two softmax units, cross-entropy
    pg.page.wait_for_function("window.__chainrule.config.loss === 'cross_entropy'")
    pg.page.wait_for_function(f"{NOTICE}.startsWith('Rebuilt with the new output activation and loss:')")  # the live data message can come first
    pg.page.select_option("#loss", "mse")  # the loss asked for first, then what came with it
    pg.page.wait_for_function("window.__chainrule.config.loss === 'mse'")
    pg.page.wait_for_function(f"{NOTICE}.startsWith('Rebuilt with the new loss and output activation:')")  # the live data message can come first
    # with mse two classes get one output unit, so the softmax gives way to a sigmoid
    assert pg.api(f"/api/sessions/{pg.session_id()}")["config"]["output_activation"] == "sigmoid"
    assert pg.page.input_value("#output-activation") == "sigmoid"


def test_share_link_reproduces_the_setup(playground, new_playground):
    pg = playground.open()
    pg.page.click("[data-dataset=xor]")
    pg.page.wait_for_function("window.__chainrule.data && window.__chainrule.data.config.dataset === 'xor'")
    pg.page.click("#add-layer")
    pg.page.wait_for_function("window.__chainrule.data.sizes.join(',') === '2,4,2,2,1'")
    pg.page.select_option("#activation", "relu")
    pg.page.wait_for_function("window.__chainrule.data.config.activation === 'relu'")
    pg.page.click("[data-feature=x1x2]")
    pg.page.wait_for_function("window.__chainrule.data.sizes.join(',') === '3,4,2,2,1'")
    pg.page.fill("#seed", "7")
    pg.page.press("#seed", "Enter")
    pg.page.wait_for_function("window.__chainrule.data.config.seed === 7")
    pg.page.select_option("#learning-rate", "0.1")
    pg.page.select_option("#regularization", "l2")
    pg.page.wait_for_function("window.__chainrule.config.l2 > 0")
    link = pg.page.get_attribute("[data-testid=share-link]", "href")
    for part in ("dataset=xor", "activation=relu", "seed=7", "learning_rate=0.1", "hidden_layers=4,2,2"):
        assert part in link, (part, link)

    first = pg.api(f"/api/sessions/{pg.session_id()}")
    other = new_playground()
    other.page.goto(link)
    other.wait_ready()
    second = other.api(f"/api/sessions/{other.session_id()}")
    assert other.session_id() != pg.session_id()
    assert second["config"] == first["config"]
    assert second["state"]["step"] == 0 and first["state"]["step"] == 0
    assert [(lay["W"], lay["b"]) for lay in second["state"]["layers"]] == \
        [(lay["W"], lay["b"]) for lay in first["state"]["layers"]]
    assert other.api(f"/api/sessions/{other.session_id()}/data") == pg.api(f"/api/sessions/{pg.session_id()}/data")
    # the controls show the linked setup
    assert other.page.input_value("#activation") == "relu"
    assert other.page.input_value("#seed") == "7"
    assert other.sizes() == "3,4,2,2,1"


def _click_plane(pg, x1: float, x2: float, modifiers: list[str] | None = None) -> None:
    # where the plot's axes are once the layout holds still: entering drawing mode shows the class
    # chooser under the plot, which gives up its room a moment later (a click computed before that
    # landed 0.3 off; a person takes longer than that to reach the plot)
    box = pg.js("""(async () => { const gd = document.querySelector('[data-testid=boundary]');
        const read = () => { const r = gd.getBoundingClientRect(), xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
          return {left: r.left + xa._offset, top: r.top + ya._offset, w: xa._length, h: ya._length}; };
        let last = read();
        for (let i = 0; i < 20; i++) {
          await new Promise((done) => setTimeout(done, 120));
          const now = read();
          if (JSON.stringify(now) === JSON.stringify(last)) return now;
          last = now;
        }
        return last; })()""")
    x = box["left"] + (x1 + 6) / 12 * box["w"]
    y = box["top"] + (6 - x2) / 12 * box["h"]
    for key in modifiers or []:
        pg.page.keyboard.down(key)
    pg.page.mouse.click(x, y)
    for key in modifiers or []:
        pg.page.keyboard.up(key)


def test_your_own_points_train_and_share(playground, new_playground):
    pg = playground.open()
    pg.page.click("[data-dataset=custom]")
    blue = [(-4, -4), (-3, -4.5), (-4.5, -2.5), (-2, -3), (-5, -5)]  # ten in all: API.md's fewest samples
    orange = [(4, 4), (3, 4.5), (4.5, 2.5), (2, 3), (5, 5)]
    for x1, x2 in blue:
        _click_plane(pg, x1, x2)
    assert pg.js("window.__chainrule.config.dataset") == "circle"  # not enough yet
    assert "Drawing your own data" in pg.page.text_content("[data-testid=status]")
    for x1, x2 in orange:
        _click_plane(pg, x1, x2, ["Shift"])
    pg.page.wait_for_function("window.__chainrule.data && window.__chainrule.data.config.dataset === 'custom'"
                              " && window.__chainrule.data.config.points.x.length === 10")
    config = pg.api(f"/api/sessions/{pg.session_id()}")["config"]
    assert config["task"] == "classification"
    assert sorted(config["points"]["y"]) == [0] * 5 + [1] * 5
    for (x1, x2), got in zip(blue + orange, config["points"]["x"], strict=True):
        assert abs(got[0] - x1) < 0.15 and abs(got[1] - x2) < 0.15
    before = float(pg.page.text_content("[data-testid=loss-train]"))
    for _ in range(20):
        pg.page.keyboard.press("ArrowRight")
    pg.wait_step(20)
    pg.page.wait_for_timeout(200)
    after = float(pg.page.text_content("[data-testid=loss-train]"))
    assert after != before
    pg.screenshot("your-own-points")

    link = pg.page.get_attribute("[data-testid=share-link]", "href")
    assert "points=" in link
    other = new_playground().open("/" + link.split("/", 3)[3])
    assert other.api(f"/api/sessions/{other.session_id()}")["config"]["points"] == config["points"]


def test_points_clicked_while_the_server_is_still_answering_are_all_kept(playground):
    # every change waits 400 ms for its answer, so each click lands while earlier points are on their way
    playground.page.add_init_script("""(() => { const f = window.fetch; window.fetch = async (u, init) => {
        if (init && init.method === 'PATCH') await new Promise((r) => setTimeout(r, 400)); return f(u, init); }; })()""")
    pg = playground.open()
    pg.page.click("[data-dataset=custom]")
    clicks = [(-4, -4, []), (-3, -4.5, []), (4, 4, ["Shift"]), (3, 4.5, ["Shift"]), (-5, -3, []),
              (5, 3, ["Shift"]), (-3, -3, []), (3, 3, ["Shift"]), (-4, -2, []), (4, 2, ["Shift"]),  # ten: the data set
              (4.5, 2.5, ["Shift"]), (-4.5, -2.5, []), (2, 5, ["Shift"]), (-2, -5, [])]  # each while one is on its way
    for x1, x2, keys in clicks[:10]:
        _click_plane(pg, x1, x2, keys)
    pg.page.wait_for_function("window.__chainrule.data?.config?.points?.x?.length === 10")
    for x1, x2, keys in clicks[10:]:
        _click_plane(pg, x1, x2, keys)
        pg.page.wait_for_timeout(150)
    pg.page.wait_for_function("window.__chainrule.data?.config?.points?.x?.length === 14", timeout=15_000)
    pg.page.wait_for_timeout(1000)  # nothing more on its way
    points = pg.api(f"/api/sessions/{pg.session_id()}")["config"]["points"]
    assert len(points["x"]) == 14
    for (x1, x2, keys), got, label in zip(clicks, points["x"], points["y"], strict=True):
        assert abs(got[0] - x1) < 0.15 and abs(got[1] - x2) < 0.15 and label == (1 if keys else 0)


def test_points_added_to_a_saved_set_smaller_than_ten_become_a_draft_until_there_are_ten(playground):
    # a session saved by 4157cbd, when four points of one's own were enough (tests/engine/fixtures)
    saved = Path(__file__).parents[1] / "engine" / "fixtures" / "six-points-4157cbd.json"
    six = json.loads(saved.read_text())["state"]["config"]["points"]
    pg = playground.open()
    first = pg.session_id()
    pg.page.set_input_files("[data-testid=load-session]", str(saved))
    pg.page.wait_for_function(f"window.__chainrule?.sessionId && window.__chainrule.sessionId !== '{first}'"
                              " && window.__chainrule.data?.config?.dataset === 'custom'", timeout=20_000)
    loaded = pg.session_id()
    assert pg.api(f"/api/sessions/{loaded}")["state"]["step"] == 5
    _click_plane(pg, 3, -3, ["Shift"])
    # the engine would refuse seven points: the click starts a draft that says what is missing
    pg.page.wait_for_function("document.querySelector('[data-testid=status]').textContent.includes('3 more points')")
    assert pg.api(f"/api/sessions/{loaded}")["config"]["points"] == six
    for x1, x2, keys in [(-3, 3, []), (4, -1, ["Shift"]), (-4, 1, [])]:
        _click_plane(pg, x1, x2, keys)
    pg.page.wait_for_function("window.__chainrule.data?.config?.points?.x?.length === 10")
    points = pg.api(f"/api/sessions/{loaded}")["config"]["points"]
    assert points["x"][:6] == six["x"] and points["y"] == six["y"] + [1, 0, 1, 0]
    for (x1, x2), got in zip([(3, -3), (-3, 3), (4, -1), (-4, 1)], points["x"][6:], strict=True):
        assert abs(got[0] - x1) < 0.15 and abs(got[1] - x2) < 0.15
    pg.page.wait_for_function("!document.querySelector('[data-testid=status]').textContent.includes('Drawing')")
    pg.page.keyboard.press("ArrowRight")
    pg.wait_step(1)


def test_a_bad_csv_is_refused_with_a_message(playground):
    pg = playground.open()
    pg.allow_refusals = True
    bad = {"name": "bad.csv", "mimeType": "text/csv", "buffer": b"x1,x2,label\n1,2,0\n3,oops,1\n"}
    pg.page.set_input_files("#csv-input", files=[bad])
    pg.page.wait_for_function("document.querySelector('[data-testid=notice]').textContent.includes('bad.csv')")
    notice = pg.page.text_content("[data-testid=notice]")
    assert "Could not use" in notice and "line 3" in notice and "Nothing was changed" in notice
    assert pg.js("window.__chainrule.config.dataset") == "circle"
    assert pg.api(f"/api/sessions/{pg.session_id()}")["config"]["dataset"] == "circle"

    outside = {"name": "far.csv", "mimeType": "text/csv", "buffer": b"1,2,0\n9,2,1\n0,0,0\n1,1,1\n" * 3}
    pg.page.set_input_files("#csv-input", files=[outside])
    pg.page.wait_for_function("document.querySelector('[data-testid=notice]').textContent.includes('far.csv')")
    assert "[−6, 6]" in pg.page.text_content("[data-testid=notice]")
    assert pg.api(f"/api/sessions/{pg.session_id()}")["config"]["dataset"] == "circle"

    good = {"name": "good.csv", "mimeType": "text/csv",
            "buffer": b"x1,x2,label\n-3,-3,0\n-4,-2,0\n3,3,1\n4,2,1\n-2,-4,0\n2,4,1\n-1,-5,0\n1,5,1\n-5,-1,0\n5,1,1\n"}
    pg.page.set_input_files("#csv-input", files=[good])
    pg.page.wait_for_function("window.__chainrule.data && window.__chainrule.data.config.dataset === 'custom'")
    pg.page.wait_for_function("document.querySelector('[data-testid=notice]').textContent.includes('Loaded 10 points')")


def test_a_small_data_set_shrinks_the_batch_and_a_larger_one_gives_the_users_batch_back(playground):
    pg = playground.open("/?batch_size=25")
    ten = {"name": "ten.csv", "mimeType": "text/csv",
           "buffer": b"x1,x2,label\n-3,-3,0\n-4,-2,0\n3,3,1\n4,2,1\n-2,-4,0\n2,4,1\n-1,-5,0\n1,5,1\n-5,-1,0\n5,1,1\n"}
    pg.page.set_input_files("#csv-input", files=[ten])
    pg.page.wait_for_function("window.__chainrule.config.dataset === 'custom'")
    assert pg.api(f"/api/sessions/{pg.session_id()}")["config"]["batch_size"] == 5  # the whole training set of 5
    pg.page.click("button.dataset[data-dataset=xor]")
    pg.page.wait_for_function("window.__chainrule.config.dataset === 'xor'")
    assert pg.api(f"/api/sessions/{pg.session_id()}")["config"]["batch_size"] == 25
    assert "batch_size=25" in pg.page.url


def _hover_first_edge(pg) -> dict:
    """Put the pointer on the diagram's first edge until its hover card shows; where it is."""
    target = pg.js("""(() => { const gd = document.querySelector('[data-testid=network]');
        const e = window.__chainrule.network.geometry.edges[0]; const r = gd.getBoundingClientRect();
        return {x: r.left + e.mx, y: r.top + (gd.layout.height - e.my), layer: e.layer, to: e.to, from: e.from}; })()""")
    pg.page.mouse.move(target["x"], target["y"])
    pg.page.wait_for_selector("#hovercard:not([hidden])")
    return target


def _put_weights(pg, sid: str, layers: list) -> None:
    request = urllib.request.Request(f"{pg.base_url}/api/sessions/{sid}/weights", method="PUT",
                                     data=json.dumps({"layers": layers}).encode(), headers={"Content-Type": "application/json"})
    urllib.request.urlopen(request, timeout=10).close()


def test_clicking_a_weight_sets_it_in_the_engine(playground):
    pg = playground.open()
    target = _hover_first_edge(pg)
    assert "Weight" in pg.page.text_content("#hovercard")
    # a plain click opens the inspector (test_backward.py); shift-click types a new value
    pg.page.keyboard.down("Shift")
    pg.page.mouse.click(target["x"], target["y"])
    pg.page.keyboard.up("Shift")
    pg.page.wait_for_selector("#weight-editor:not([hidden])")
    # it opens on the weight's value, to the 7 digits a frame carries (float32), not 0.30000001192…
    sid = pg.session_id()
    exact = pg.api(f"/api/sessions/{sid}")["state"]["layers"][target["layer"]]["W"][target["to"]][target["from"]]
    prefill = pg.page.input_value("#weight-value")
    assert prefill == repr(float(f"{np.float32(exact):.7g}")).removesuffix(".0") and abs(float(prefill) - exact) <= 1e-6 * abs(exact)
    # Enter on the value as it opened changes nothing: it wrote the 7-digit value over the exact one
    pg.page.press("#weight-value", "Enter")
    pg.page.wait_for_selector("#weight-editor", state="hidden")
    pg.page.wait_for_timeout(300)
    assert pg.api(f"/api/sessions/{sid}")["state"]["layers"][target["layer"]]["W"][target["to"]][target["from"]] == exact
    pg.page.keyboard.down("Shift")
    pg.page.mouse.click(target["x"], target["y"])
    pg.page.keyboard.up("Shift")
    pg.page.wait_for_selector("#weight-editor:not([hidden])")
    pg.page.fill("#weight-value", "1.25")
    pg.page.press("#weight-value", "Enter")
    pg.page.wait_for_function(
        f"window.__chainrule.frame.layers[{target['layer']}].W[{target['to']}][{target['from']}] === 1.25")
    assert pg.api(f"/api/sessions/{sid}")["state"]["layers"][target["layer"]]["W"][target["to"]][target["from"]] == 1.25


def test_divergence_is_explained_in_plain_words(playground):
    pg = playground.open("/?dataset=multigauss&hidden_layers=8,8&activation=relu&learning_rate=10&init=he")
    pg.page.click("[data-testid=play]")
    pg.page.wait_for_function(
        "document.querySelector('[data-testid=status]').textContent.toLowerCase().includes('diverged')", timeout=15_000)
    status = pg.page.text_content("[data-testid=status]")
    assert "learning rate" in status
    pg.page.wait_for_function("document.querySelector('[data-testid=play]').getAttribute('aria-pressed') === 'false'")


def test_a_watch_page_follows_read_only(playground, new_playground):
    pg = playground.open()
    watch_id = pg.js("window.__chainrule.watchId")
    viewer = new_playground().open(f"/watch/{watch_id}")
    assert viewer.page.is_disabled("[data-testid=play]")
    assert viewer.page.is_disabled("#add-layer")
    for _ in range(3):
        pg.page.keyboard.press("ArrowRight")
    viewer.wait_step(3)
    viewer.page.keyboard.press("ArrowRight")  # refused quietly: a viewer cannot step
    viewer.page.wait_for_timeout(300)
    assert pg.step_count() == 3
    assert "read-only" in viewer.page.text_content("[data-testid=status]")


def test_the_page_reads_the_frames_weights_and_gradients_as_the_engines_numbers(playground):
    """Frames carry W, b, ∂L/∂W and ∂L/∂b packed as bytes (app/frames.py): the
    page must decode them to the engine's values — their float32 rounding, or
    exactly where a value lies outside float32's range."""
    pg = playground.open()
    for _ in range(3):
        pg.page.keyboard.press("ArrowRight")
    pg.wait_step(3)
    sid = pg.session_id()
    state = pg.api(f"/api/sessions/{sid}")["state"]
    shown = pg.js("window.__chainrule.frame.layers")
    assert len(shown) == len(state["layers"])
    for got, exact in zip(shown, state["layers"], strict=True):
        for key in ("W", "b", "dW", "db"):
            assert np.array_equal(np.array(got[key]), np.array(exact[key]).astype(np.float32)), key
    # a weight outside float32's range: that layer's matrix comes exact
    layers = [{"W": x["W"], "b": x["b"]} for x in state["layers"]]
    layers[0]["W"][0][0], layers[0]["W"][1][1] = 1e-40, 0.1
    _put_weights(pg, sid, layers)
    pg.page.wait_for_function("window.__chainrule.frame.layers[0].W[0][0] === 1e-40", timeout=10_000)
    assert pg.js("window.__chainrule.frame.layers[0].W[1][1]") == 0.1  # exact, not float32's 0.10000000149…
    assert pg.js("window.__chainrule.frame.layers[1].W") == np.array(layers[1]["W"]).astype(np.float32).tolist()
    # NaN and ±Infinity (a diverged update's gradients) read as null, in rows and in vectors
    odd = base64.b64encode(np.array([1.0, np.nan, np.inf, -0.5, -np.inf, 2.0], "<f8").tobytes()).decode()
    assert pg.page.evaluate("""async (data) => { const m = await import('/static/js/live.js');
        return [m.unpack({shape: [2, 3], dtype: 'f8', data}), m.unpack({shape: [6], dtype: 'f8', data})]; }""", odd) == [
        [[1.0, None, None], [-0.5, None, 2.0]], [1.0, None, None, -0.5, None, 2.0]]
    pg.assert_no_errors()


def _stroked_edges(pg, calls: str = "bezierCurveTo") -> int:
    """Redraw the diagram and count the edges stroked (one Bézier curve each), or other calls."""
    return pg.js(f"""(() => {{
        const proto = CanvasRenderingContext2D.prototype, real = proto.{calls};
        let n = 0;
        proto.{calls} = function (...args) {{ n += 1; return real.apply(this, args); }};
        try {{ window.__chainrule.network.update(window.__chainrule.frame); }} finally {{ proto.{calls} = real; }}
        return n; }})()""")


def _edge_note(pg) -> list[str]:
    return pg.js("""[...document.querySelector('[data-testid=network]').layout.annotations]
        .filter(a => a.name === 'edge-sample').map(a => a.text)""")


def test_a_dense_network_strokes_only_its_strongest_edges_and_says_so(playground):
    """Ten layers of 128 have 163,840 edges, and stroking them all took 750 ms a
    frame: a layer with more than its share of 6,000 edges draws its strongest."""
    pg = playground.open("/?hidden_layers=64,64,64")
    pg.page.keyboard.press("ArrowRight")
    pg.wait_step(1)
    assert _edge_note(pg) == ["Showing the 1,500 strongest of 4,096 edges in each dense layer"]
    for view in ("forward", "backward"):
        if view == "backward":
            pg.page.click("[data-testid=view-backward]")
        frame = pg.js("window.__chainrule.frame.layers")
        key = "W" if view == "forward" else "dW"
        sampled = pg.js("window.__chainrule.network.sampled")
        assert [(s["shown"], s["total"]) for s in sampled] == [(128, 128), (1500, 4096), (1500, 4096), (64, 64)]
        for layer, s in zip(frame[1:3], sampled[1:3], strict=True):
            mags = np.sort(np.abs(np.array(layer[key])).ravel())
            assert s["floor"] == mags[-1500] and mags[-1501] < mags[-1500]  # the 1,500 strongest, no tie here
        assert _stroked_edges(pg) == 128 + 1500 + 1500 + 64
        # in one stroke per colour and width (33 steps of |w| × sign): a stroke an edge took 7.7 ms a frame here
        assert _stroked_edges(pg, "stroke") <= 3 * 33
    # no SVG marker per edge (163,840 took 4.6 s to build): the pointer finds edges along their curves
    assert pg.js("document.querySelector('[data-testid=network]').data.every(t => t.meta !== 'edge')")
    # in the dense layer, the strongest edge (drawn on top of those it crosses), pointed at a third of
    # the way along: the inspector opens on exactly that weight
    dW = np.abs(np.array(pg.js("window.__chainrule.frame.layers[1].dW")))
    to, frm = (int(v) for v in np.unravel_index(np.argmax(dW), dW.shape))
    e = pg.js(f"window.__chainrule.network.geometry.edges.find(e => e.layer === 1 && e.to === {to} && e.from === {frm})")
    t, px, py = 1 / 3, list(e["xs"]), list(e["ys"])
    for n in (3, 2, 1):  # de Casteljau: the curve's point at t
        px = [(1 - t) * px[i] + t * px[i + 1] for i in range(n)]
        py = [(1 - t) * py[i] + t * py[i + 1] for i in range(n)]
    box = pg.js("""(() => { const gd = document.querySelector('[data-testid=network]'); const r = gd.getBoundingClientRect();
        return {left: r.left, top: r.top, height: gd.layout.height}; })()""")
    x, y = box["left"] + px[0], box["top"] + box["height"] - py[0]
    pg.page.mouse.move(x, y)
    pg.page.wait_for_selector("#hovercard:not([hidden])")
    assert f"W₂[{to + 1}, {frm + 1}]" in pg.page.text_content("#hovercard")
    pg.page.mouse.click(x, y)
    pg.page.wait_for_function("document.querySelector('[data-testid=inspector]').dataset.target.includes('weight')")
    assert json.loads(pg.page.get_attribute("[data-testid=inspector]", "data-target")) == {
        "kind": "weight", "layer": 1, "to": to, "from": frm}
    pg.assert_no_errors()


def test_a_small_network_strokes_every_edge_without_a_note(playground):
    pg = playground.open()
    assert _edge_note(pg) == []
    assert _stroked_edges(pg) == 2 * 4 + 4 * 2 + 2 * 1
    assert pg.js("window.__chainrule.network.sampled.map(s => s.shown).join(',')") == "8,8,2"
    pg.assert_no_errors()


def test_a_zero_initialised_dense_network_still_strokes_only_its_share(playground):
    """Every weight 0: all tie with the weakest kept, and the share still holds."""
    pg = playground.open("/?hidden_layers=64,64,64&init=zeros")
    assert _stroked_edges(pg) == 128 + 1500 + 1500 + 64
    pg.assert_no_errors()


def test_a_hovered_weights_card_follows_a_new_value_without_moving_the_pointer(playground):
    pg = playground.open()
    sid = pg.session_id()
    target = _hover_first_edge(pg)
    state = pg.api(f"/api/sessions/{sid}")["state"]
    layers = [{"W": x["W"], "b": x["b"]} for x in state["layers"]]
    layers[target["layer"]]["W"][target["to"]][target["from"]] = 1.5
    _put_weights(pg, sid, layers)
    pg.page.wait_for_function("document.getElementById('hovercard').textContent.includes('1.5')", timeout=5_000)
    assert pg.page.is_visible("#hovercard")
    pg.assert_no_errors()


def test_a_neurons_hover_card_writes_its_layer_formula_with_layers(playground):
    """The neuron's hover card said "a = f(W·a + b)", a on both sides."""
    pg = playground.open()
    for col in (1, 2, 3):   # hidden layers 1 and 2, then the output
        target = pg.js(f"""(() => {{ const gd = document.querySelector('[data-testid=network]');
            const n = window.__chainrule.network.geometry.nodes[{col}][0]; const r = gd.getBoundingClientRect();
            return {{x: r.left + n.x, y: r.top + (gd.layout.height - n.y)}}; }})()""")
        pg.page.mouse.move(target["x"], target["y"])
        sup = "⁰¹²³"
        want = f"a⁽{sup[col]}⁾ = f(W⁽{sup[col]}⁾·a⁽{sup[col - 1]}⁾ + b⁽{sup[col]}⁾)"
        pg.page.wait_for_function(f"!document.getElementById('hovercard').hidden && "
                                  f"document.getElementById('hovercard').textContent.includes({want!r})", timeout=5_000)
        text = pg.page.text_content("#hovercard")
        assert "f(W·a + b)" not in text
        # the range the neuron's picture holds, not its activation's whole range (tanh: "-1 … 1")
        lo, hi = _activation_range(pg, col, 0)
        number = r"([−-]?\d+(?:\.\d+)?(?:e[−-]?\d+)?)"
        shown = re.search(rf"a over the input plane\s*≈?\s*{number} … {number}", text)
        assert shown, text
        got = [float(v.replace("−", "-")) for v in shown.groups()]
        assert abs(got[0] - lo) <= 0.01 + 0.005 * abs(lo) and abs(got[1] - hi) <= 0.01 + 0.005 * abs(hi), (got, lo, hi)
        pg.page.mouse.move(2, 2)
        pg.page.wait_for_function("document.getElementById('hovercard').hidden")


def _activation_range(pg, col: int, unit: int) -> tuple[float, float]:
    """Min and max of a neuron's activation over the frame's grid of the plane, by a plain forward pass."""
    state = pg.api(f"/api/sessions/{pg.session_id()}")
    side = pg.js("window.__chainrule.frame.neurons.resolution")
    g1, g2 = np.meshgrid(np.linspace(-6, 6, side), np.linspace(-6, 6, side))
    a = np.column_stack([g1.ravel(), g2.ravel()])
    acts = {"tanh": np.tanh, "sigmoid": lambda z: 1 / (1 + np.exp(-z))}
    names = [state["config"]["activation"]] * len(state["config"]["hidden_layers"]) + [state["config"]["output_activation"]]
    for layer, name in zip(state["state"]["layers"][:col], names, strict=False):
        a = acts[name](a @ np.array(layer["W"]).T + np.array(layer["b"]))
    return float(a[:, unit].min()), float(a[:, unit].max())


def test_the_speed_tooltips_give_no_frame_rate_the_page_cannot_know(playground):
    """The speed tooltips said "at most 30 frames a second": the server's default is 32, and a server setting."""
    import re
    pg = playground.open()
    for title in (pg.page.get_attribute("#speed", "title"), pg.page.get_attribute(".speed-field", "title")):
        assert not re.search(r"\d+\s*frames", title), title          # no frame rate the page cannot know
        assert "server" in title and "sends a frame" in title and "the page draws" in title, title


def test_the_test_rows_tooltip_says_its_loss_includes_the_penalty(playground):
    """The test row's tooltip left out the penalty its loss includes (the train row's said it)."""
    pg = playground.open()
    test_row = pg.page.locator("#loss-test").locator("xpath=..").get_attribute("title")
    train_row = pg.page.locator("#loss-train").locator("xpath=..").get_attribute("title")
    assert "data loss plus penalty" in train_row and "data loss plus penalty" in test_row, test_row
