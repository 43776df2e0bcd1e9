"""The backward pass made visible (issue 4), in real Chromium: the
forward/backward switch, the per-layer gradient instruments, the inspector
(its numbers against the engine's own trace and gradient check) and the
insights feed. Screenshots land in tests/artifacts/."""

from __future__ import annotations

import contextlib
import json
import math
import re
import urllib.request

import pytest
from browser_http import post_json as post

pytestmark = pytest.mark.browser

INSPECTOR_READY = ("(() => { const el = document.querySelector('[data-testid=inspector]');"
                   " return el.dataset.ready === 'true' && el.dataset.target.includes('\"kind\":\"%s\"')"
                   " && el.querySelector('[data-key=%s]') !== null"
                   " && el.querySelector('[data-key=%s]').dataset.value !== ''; })()")




def shown(pg, key: str) -> float:
    return float(pg.page.get_attribute(f"[data-testid=inspector] [data-key={key}]", "data-value"))


def close(a: float, b: float, rel: float = 1e-12) -> bool:
    return math.isclose(a, b, rel_tol=rel, abs_tol=1e-300)


def step_to(pg, n: int) -> None:
    pg.js(f"window.__chainrule.send({{type: 'step', steps: {n}}})")
    pg.wait_step(n)
    pg.page.wait_for_function(f"window.__chainrule.frame.step === {n} && window.__chainrule.framesDrawn > 0")


def click_diagram(pg, where: str) -> None:
    """Click a point of the diagram given as a JS expression of `geo` that yields {x, y} in plot pixels (y up)."""
    target = pg.js(f"""(() => {{ const gd = document.querySelector('[data-testid=network]');
        const geo = window.__chainrule.network.geometry; const r = gd.getBoundingClientRect();
        const p = {where}; return {{x: r.left + p.x, y: r.top + (gd.layout.height - p.y)}}; }})()""")
    # plotly clicks what it last hovered: on a busy machine a click straight after the move
    # could still go to the previous target, so leave it, come to this one, and wait for its card
    pg.page.mouse.move(2, 2)
    pg.page.wait_for_function("document.getElementById('hovercard').hidden", timeout=5_000)
    pg.page.mouse.move(target["x"], target["y"])
    with contextlib.suppress(Exception):
        pg.page.wait_for_function("!document.getElementById('hovercard').hidden", timeout=3_000)
    pg.page.mouse.click(target["x"], target["y"])


def sample_rows(pg) -> tuple[list[float], list[float], dict]:
    split = pg.page.get_attribute("[data-testid=inspector-sample]", "data-split")
    index = int(pg.page.get_attribute("[data-testid=inspector-sample]", "data-index"))
    data = pg.api(f"/api/sessions/{pg.session_id()}/data")
    return data[split]["x"][index], data[split]["y"][index], {"split": split, "index": index}


def test_switch_draws_the_backward_pass_and_every_panel_renders(playground):
    pg = playground.open()
    step_to(pg, 5)
    assert pg.page.get_attribute("[data-testid=network]", "data-mode") == "forward"
    pg.page.click("[data-testid=view-backward]")
    pg.page.wait_for_function("document.querySelector('[data-testid=network]').dataset.mode === 'backward'")
    assert pg.page.is_visible("canvas.network-backward")
    assert pg.page.is_visible("[data-testid=backward-panel]")
    assert pg.page.is_visible("[data-testid=inspector]")
    assert pg.page.is_visible("[data-testid=insights]")
    assert pg.page.is_visible(".backward-legend")
    # the overlay paints δ (not blank): some pixel is opaque
    painted = pg.js("""(() => { const c = document.querySelector('canvas.network-backward');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++; return n; })()""")
    assert painted > 100
    # per-layer table: one row per weight layer, with the frame's engine numbers
    frame = pg.js("window.__chainrule.frame")
    rows = pg.page.locator("[data-testid=layer-stats] .ls-row[data-layer]")
    assert rows.count() == len(frame["layers"]) == 3
    for i, s in enumerate(frame["stats"]):
        assert float(rows.nth(i).get_attribute("data-grad-norm")) == s["grad_norm"]
        assert float(rows.nth(i).get_attribute("data-update-ratio")) == s["update_ratio"]
    # histograms: W and ∂L/∂W for each layer, the engine's values binned by plotly
    pg.page.click("[data-testid=grad-tab-histograms]")
    pg.page.wait_for_function("(document.querySelector('[data-testid=gradient-histograms]').data || []).length === 6")
    hist = pg.js("document.querySelector('[data-testid=gradient-histograms]').data.map(t => t.x)")
    flat = lambda m: [v for row in m for v in row]  # noqa: E731
    assert hist[0] == flat(frame["layers"][0]["W"]) and hist[3] == flat(frame["layers"][0]["dW"])
    pg.screenshot("backward-histograms-1280x720")
    pg.page.click("[data-testid=grad-tab-norms]")
    assert pg.page.is_visible("[data-testid=gradient-chart]")
    # and back
    pg.page.click("[data-testid=view-forward]")
    pg.page.wait_for_function("document.querySelector('[data-testid=network]').dataset.mode === 'forward'")
    assert pg.page.is_hidden("canvas.network-backward")
    assert pg.page.is_visible("#datasets")


def test_inspector_neuron_shows_the_engines_trace_for_the_clicked_sample(playground):
    pg = playground.open()
    step_to(pg, 7)
    # choose a sample: click a training point on the output plot
    target = pg.js("""(() => { const gd = document.querySelector('[data-testid=boundary]');
        const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis, r = gd.getBoundingClientRect();
        const t = gd.data[0]; const i = 12;
        return {x: r.left + xa._offset + xa.d2p(t.x[i]), y: r.top + ya._offset + ya.d2p(t.y[i])}; })()""")
    # plotly clicks what it last hovered: on a busy machine a click straight after the move
    # could still go to the previous target, so leave it, come to this one, and wait for its card
    pg.page.mouse.move(2, 2)
    pg.page.wait_for_function("document.getElementById('hovercard').hidden", timeout=5_000)
    pg.page.mouse.move(target["x"], target["y"])
    with contextlib.suppress(Exception):
        pg.page.wait_for_function("!document.getElementById('hovercard').hidden", timeout=3_000)
    pg.page.mouse.click(target["x"], target["y"])
    pg.page.wait_for_function("document.querySelector('[data-testid=network]').dataset.mode === 'backward'")
    pg.page.wait_for_function("document.querySelector('[data-testid=inspector-sample]').dataset.index !== '0'")
    # the chosen sample is ringed on the output plot
    assert pg.js("document.querySelector('[data-testid=boundary]').layout.shapes.some(s => s.name === 'chainrule-sample')")
    # click the first neuron of layer 1
    click_diagram(pg, "geo.nodes[1][0]")
    pg.page.wait_for_function(INSPECTOR_READY % ("neuron", "z", "delta"))
    x, y, s = sample_rows(pg)
    assert s["split"] == "train"
    # picking a sample is not a click to draw a point of one's own
    assert "draw your own" not in (pg.page.text_content("[data-testid=notice]") or "")
    trace = post(pg.base_url, f"/api/sessions/{pg.session_id()}/trace", {"x": [x], "y": [y]})
    layer = trace["layers"][0]
    assert close(shown(pg, "z"), layer["z"][0][0])
    assert close(shown(pg, "a"), layer["a"][0][0])
    assert close(shown(pg, "delta"), layer["dL_dz"][0][0])
    assert close(shown(pg, "dL_da"), layer["dL_da"][0][0])
    assert close(shown(pg, "da_dz"), layer["da_dz"][0][0])
    # z = W·a + b written out: the inputs are this sample's x, the weights and bias the traced pass's
    assert close(shown(pg, "ain0"), x[0]) and close(shown(pg, "ain1"), x[1])
    frame = pg.js("window.__chainrule.frame")
    # the weights and bias the traced pass ran with: the engine's own, exact (the frame's are float32)
    exact = pg.api(f"/api/sessions/{pg.session_id()}")["state"]["layers"][0]
    assert shown(pg, "W0") == exact["W"][0][0] and shown(pg, "b") == exact["b"][0]
    assert abs(shown(pg, "W0") - frame["layers"][0]["W"][0][0]) <= 1e-7 * abs(exact["W"][0][0])
    assert shown(pg, "batch_delta") == frame["layers"][0]["db"][0]
    formula = pg.page.text_content("[data-testid=inspector-formula]")
    assert formula.startswith("z = W·a + b =") and formula.count("+") >= 2
    pg.screenshot("inspector-neuron-1280x720")
    # back to the forward view: the ring goes (it stayed, even over points drawn afterwards)
    ringed = "document.querySelector('[data-testid=boundary]').layout.shapes.some(s => s.name === 'chainrule-sample')"
    pg.page.click("[data-testid=view-forward]")
    pg.page.wait_for_function(f"!{ringed}")
    pg.page.click("[data-testid=view-backward]")
    pg.page.wait_for_function(ringed)


def test_inspector_weight_shows_the_chain_rule_checked_by_finite_differences(playground):
    pg = playground.open()
    step_to(pg, 12)
    # a weight of layer 2 (h1,2 → h2,1): inputs are the previous layer's activations
    click_diagram(pg, "(() => { const e = geo.edges.find(e => e.layer === 1 && e.to === 0 && e.from === 1); return {x: e.mx, y: e.my}; })()")
    pg.page.wait_for_function(INSPECTOR_READY % ("weight", "numeric", "rel_error"))
    x, y, _ = sample_rows(pg)
    chosen = json.loads(pg.page.get_attribute("[data-testid=inspector]", "data-target"))
    assert chosen["kind"] == "weight" and chosen["layer"] == 1   # edges may cross at their middles: whichever was hit
    j, k = chosen["to"], chosen["from"]
    sid = pg.session_id()
    trace = post(pg.base_url, f"/api/sessions/{sid}/trace", {"x": [x], "y": [y]})
    l2 = trace["layers"][1]
    f1, f2, f3 = shown(pg, "dL_da"), shown(pg, "da_dz"), shown(pg, "dz_dw")
    assert close(f1, l2["dL_da"][0][j])
    assert close(f2, l2["da_dz"][0][j])
    assert close(f3, trace["layers"][0]["a"][0][k])
    product = shown(pg, "product")
    assert close(product, l2["dW"][j][k])
    assert math.isclose(f1 * f2 * f3, product, rel_tol=1e-9)   # the three factors multiply to the gradient
    check = post(pg.base_url, f"/api/sessions/{sid}/gradcheck",
                 {"x": [x], "y": [y], "layer": 1, "param": "W", "row": j, "col": k})
    assert close(shown(pg, "numeric"), check["numeric"])
    assert close(shown(pg, "rel_error"), check["relative_error"]) and check["relative_error"] < 1e-6
    assert shown(pg, "batch") == pg.js(f"window.__chainrule.frame.layers[1].dW[{j}][{k}]")
    pg.screenshot("inspector-weight-1280x720")

    # the output layer: sigmoid + cross-entropy is fused, and said so; the product still holds
    click_diagram(pg, "(() => { const e = geo.edges.find(e => e.layer === 2 && e.from === 0); return {x: e.mx, y: e.my}; })()")
    pg.page.wait_for_function("document.querySelector('[data-testid=inspector]').dataset.target.includes('\"layer\":2')")
    pg.page.wait_for_function(INSPECTOR_READY % ("weight", "numeric", "rel_error"))
    assert "ŷ − y" in pg.page.text_content("[data-testid=inspector]")
    f1, f2, f3 = shown(pg, "dL_da"), shown(pg, "da_dz"), shown(pg, "dz_dw")
    assert math.isclose(f1 * f2 * f3, shown(pg, "product"), rel_tol=1e-9)

    # editing stays available: the inspector's button opens the value editor
    pg.page.click("[data-testid=inspector] [data-action=edit]")
    pg.page.wait_for_selector("#weight-editor:not([hidden])")
    pg.page.click("#weight-cancel")


def test_a_student_on_a_watch_page_clicks_through_the_teachers_chain_rule(playground, new_playground):
    teacher = playground.open()
    step_to(teacher, 12)
    sid = teacher.session_id()
    viewer = new_playground().open(f"/watch/{teacher.js('window.__chainrule.watchId')}")
    teacher.page.click("[data-testid=view-backward]")  # the watch page follows
    viewer.page.wait_for_function("document.querySelector('[data-testid=network]').dataset.mode === 'backward'")
    click_diagram(viewer, "(() => { const e = geo.edges.find(e => e.layer === 1 && e.to === 0 && e.from === 1); return {x: e.mx, y: e.my}; })()")
    viewer.page.wait_for_function(INSPECTOR_READY % ("weight", "numeric", "rel_error"))
    chosen = json.loads(viewer.page.get_attribute("[data-testid=inspector]", "data-target"))
    j, k = chosen["to"], chosen["from"]
    split = viewer.page.get_attribute("[data-testid=inspector-sample]", "data-split")
    index = int(viewer.page.get_attribute("[data-testid=inspector-sample]", "data-index"))
    data = teacher.api(f"/api/sessions/{sid}/data")
    x, y = data[split]["x"][index], data[split]["y"][index]
    # the teacher's session's own numbers, read through its id: the same on the student's page
    trace = post(teacher.base_url, f"/api/sessions/{sid}/trace", {"x": [x], "y": [y]})
    layer = chosen["layer"]
    assert close(shown(viewer, "product"), trace["layers"][layer]["dW"][j][k])
    check = post(teacher.base_url, f"/api/sessions/{sid}/gradcheck",
                 {"x": [x], "y": [y], "layer": layer, "param": "W", "row": j, "col": k})
    assert close(shown(viewer, "numeric"), check["numeric"])
    # it reads, and changes nothing: no button to edit, and the session is where it was
    assert viewer.page.locator("[data-testid=inspector] [data-action=edit]").count() == 0
    assert teacher.api(f"/api/sessions/{sid}")["state"]["step"] == 12
    viewer.screenshot("watch-inspector-weight")
    # the sample's controls are on (they were off: a keyboard student could not look at another
    # sample), and the next one shows that sample's chain rule, from the session's own trace
    assert viewer.js("""[...document.querySelectorAll('.sample-pick button, .sample-pick select, .sample-pick input')]
        .every(el => !el.disabled)""")
    viewer.page.focus("[data-action=sample-next]")
    viewer.page.keyboard.press("Enter")
    viewer.page.wait_for_function(f"document.querySelector('[data-testid=inspector-sample]').dataset.index === '{index + 1}'")
    viewer.page.wait_for_function(INSPECTOR_READY % ("weight", "numeric", "rel_error"))
    x, y = data[split]["x"][index + 1], data[split]["y"][index + 1]
    trace = post(teacher.base_url, f"/api/sessions/{sid}/trace", {"x": [x], "y": [y]})
    viewer.page.wait_for_function(f"Math.abs(Number(document.querySelector('[data-testid=inspector] [data-key=product]').dataset.value)"
                                  f" - ({trace['layers'][layer]['dW'][j][k]!r})) <= 1e-12 * Math.abs({trace['layers'][layer]['dW'][j][k]!r})")
    assert teacher.api(f"/api/sessions/{sid}")["state"]["step"] == 12


# what the inspector shows, read on a page: its target (JSON), and its sample ("train 3")
TARGET = "document.querySelector('[data-testid=inspector]').dataset.target"
SAMPLE = ("(() => { const s = document.querySelector('[data-testid=inspector-sample]');"
          " return s.dataset.split + ' ' + s.dataset.index; })()")


def _teacher_and_watcher(playground, new_playground, steps: int):
    """A teacher's page trained ``steps`` updates, and a student's page on its watch link."""
    teacher = playground.open()
    step_to(teacher, steps)
    return teacher, new_playground().open(f"/watch/{teacher.js('window.__chainrule.watchId')}")


def test_watch_pages_follow_what_the_teachers_inspector_shows(playground, new_playground):
    teacher, viewer = _teacher_and_watcher(playground, new_playground, 5)
    target, sample = TARGET, SAMPLE
    # the teacher clicks a weight: the students' pages open the backward view on it, same sample
    click_diagram(teacher, "(() => { const e = geo.edges.find(e => e.layer === 1 && e.to === 1 && e.from === 2); return {x: e.mx, y: e.my}; })()")
    teacher.page.wait_for_function(INSPECTOR_READY % ("weight", "numeric", "rel_error"))
    chosen = teacher.js(target)
    viewer.page.wait_for_function(f"{target} === {json.dumps(chosen)}", timeout=5_000)
    viewer.page.wait_for_function(INSPECTOR_READY % ("weight", "numeric", "rel_error"))
    assert viewer.js("document.querySelector('[data-testid=network]').dataset.mode") == "backward"
    assert shown(viewer, "product") == shown(teacher, "product") and viewer.js(sample) == teacher.js(sample)
    # the teacher moves to the next sample: so do they
    teacher.page.click("[data-testid=inspector] [data-action=sample-next]")
    teacher.page.wait_for_function(f"{sample} === 'train 1'")
    viewer.page.wait_for_function(f"{sample} === 'train 1'", timeout=5_000)
    viewer.page.wait_for_function(INSPECTOR_READY % ("weight", "numeric", "rel_error"))
    teacher.page.wait_for_function(INSPECTOR_READY % ("weight", "numeric", "rel_error"))
    assert shown(viewer, "product") == shown(teacher, "product")
    # a student looks at a neuron of their choice: it stays while the teacher changes nothing
    click_diagram(viewer, "geo.nodes[2][0]")
    viewer.page.wait_for_function(f"{target}.includes('\"kind\":\"neuron\"')")
    teacher.js("window.__chainrule.send({type: 'step', steps: 2})")
    viewer.wait_step(7)
    viewer.page.wait_for_timeout(300)
    assert '"kind":"neuron"' in viewer.js(target)
    # the teacher's next choice brings them back along
    click_diagram(teacher, "geo.nodes[1][3]")
    teacher.page.wait_for_function(f"{target}.includes('\"layer\":0') && {target}.includes('\"kind\":\"neuron\"')")
    chosen = teacher.js(target)
    viewer.page.wait_for_function(f"{target} === {json.dumps(chosen)}", timeout=5_000)


def test_the_inspector_shows_weights_a_script_sets_while_paused(playground):
    # it re-traced only when the step moved, and PUT weights moves no step
    pg = playground.open()
    step_to(pg, 3)
    pg.js("window.__chainrule.backward.setMode('backward');"
          " window.__chainrule.backward.inspector.choose({kind: 'weight', layer: 0, to: 1, from: 0})")
    pg.page.wait_for_function(INSPECTOR_READY % ("weight", "w", "product"))
    pg.page.wait_for_timeout(500)  # every frame on its way has come
    sid = pg.session_id()
    layers = [{"W": layer["W"], "b": layer["b"]} for layer in pg.api(f"/api/sessions/{sid}")["state"]["layers"]]
    layers[0]["W"][1][0] = -1.375
    request = urllib.request.Request(f"{pg.base_url}/api/sessions/{sid}/weights", method="PUT",
                                     data=json.dumps({"layers": layers}).encode(), headers={"Content-Type": "application/json"})
    urllib.request.urlopen(request, timeout=10).close()
    pg.page.wait_for_function("document.querySelector('[data-testid=inspector] [data-key=w]').dataset.value === '-1.375'",
                              timeout=5_000)
    x, y, _ = sample_rows(pg)
    trace = post(pg.base_url, f"/api/sessions/{sid}/trace", {"x": [x], "y": [y]})
    assert close(shown(pg, "product"), trace["layers"][0]["dW"][1][0])  # the chain rule through the new weight
    assert pg.step_count() == 3


def test_deep_sigmoid_network_shows_vanishing_gradients(playground):
    pg = playground
    session = post(pg.base_url, "/api/sessions", {"hidden_layers": [8, 8, 8, 8, 8, 8], "activation": "sigmoid"})
    pg.open(f"/#session={session['id']}")
    assert pg.sizes() == "2,8,8,8,8,8,8,1"
    for n in range(3, 37, 3):   # one frame per command: the insights need a few observations in a row
        pg.js("window.__chainrule.send({type: 'step', steps: 3})")
        pg.wait_step(n)
    pg.page.wait_for_function("window.__chainrule.frame.step === 36")
    # the panel's data: the per-layer table and the gradient chart's lines
    norms = [float(v) for v in pg.page.locator("[data-testid=layer-stats] .ls-row[data-layer]").evaluate_all(
        "rows => rows.map(r => r.dataset.gradNorm)")]
    assert len(norms) == 7
    assert norms[0] * 100 <= norms[-1]
    lines = pg.js("document.querySelector('[data-testid=gradient-chart]').data.map(t => t.y[t.y.length - 1])")
    assert lines[0] * 100 <= lines[-1]
    # the insights feed says so, and a click highlights the gradient chart
    pg.page.click("[data-testid=view-backward]")
    pg.page.wait_for_selector("[data-testid=insights] [data-insight=vanishing]")
    item = pg.page.locator("[data-testid=insights] [data-insight=vanishing]")
    assert "Vanishing gradients" in item.text_content()
    assert item.get_attribute("data-panel") == "gradient-chart"
    assert "⚠" in pg.page.text_content("[data-testid=view-backward]")
    item.click()
    pg.page.wait_for_function("document.querySelector('[data-testid=gradient-chart]').dataset.highlighted === 'true'")
    assert pg.js("document.querySelector('[data-testid=gradient-chart]').closest('.insight-highlight') !== null")
    pg.screenshot("backward-deep-sigmoid-1280x720")


def test_charts_backfill_a_session_trained_before_the_page_opened(playground):
    pg = playground
    session = post(pg.base_url, "/api/sessions", {})
    for _ in range(4):  # each step request evaluates: four points of the loss history
        post(pg.base_url, f"/api/sessions/{session['id']}/step", {"steps": 10})
    pg.open(f"/#session={session['id']}")
    pg.page.wait_for_function(
        "(document.querySelector('[data-testid=gradient-chart]').data || [{x: []}])[0].x.length >= 40")
    history = pg.api(f"/api/sessions/{session['id']}/history")
    # the loss chart starts at step 0 too: the engine's evaluations, then the page's first frame
    pg.page.wait_for_function("document.querySelector('[data-testid=loss-chart]').data[0].x.length >= 5")
    loss = pg.js("(() => { const d = document.querySelector('[data-testid=loss-chart]').data; return [d[0].x, d[0].y, d[1].y]; })()")
    assert history["eval_step"] == [0, 10, 20, 30, 40]
    assert loss[0] == history["eval_step"]
    assert loss[1] == pytest.approx(history["train_loss"], rel=1e-5)
    assert loss[2] == pytest.approx(history["test_loss"], rel=1e-5)
    chart = pg.js("document.querySelector('[data-testid=gradient-chart]').data.map(t => ({x: t.x, y: t.y}))")
    assert chart[0]["x"][:40] == history["step"][:40]
    # steps before the page's first frame come from the history (the last one from that frame, rounded)
    assert chart[2]["y"][:39] == history["grad_norms"][2][:39]


def test_with_a_penalty_the_inspector_adds_its_term_and_the_equation_holds(playground):
    """With L1 and L2 the gradient is the chain rule's product plus the penalty's
    term: the three factors alone did not multiply to the total shown."""
    pg = playground.open("/?l2=0.01&l1=0.001")
    step_to(pg, 12)
    click_diagram(pg, "(() => { const e = geo.edges.find(e => e.layer === 1 && e.to === 0 && e.from === 1); return {x: e.mx, y: e.my}; })()")
    pg.page.wait_for_function(INSPECTOR_READY % ("weight", "numeric", "penalty_grad"))
    x, y, _ = sample_rows(pg)
    chosen = json.loads(pg.page.get_attribute("[data-testid=inspector]", "data-target"))
    j, k, layer = chosen["to"], chosen["from"], chosen["layer"]
    trace = post(pg.base_url, f"/api/sessions/{pg.session_id()}/trace", {"x": [x], "y": [y]})
    W = pg.api(f"/api/sessions/{pg.session_id()}")["state"]["layers"][layer]["W"][j][k]
    pen = shown(pg, "penalty_grad")
    assert pen == trace["layers"][layer]["dW_penalty"][j][k]
    assert math.isclose(pen, 2 * 0.01 * W + 0.001 * math.copysign(1, W), rel_tol=1e-12)
    f1, f2, f3, total = shown(pg, "dL_da"), shown(pg, "da_dz"), shown(pg, "dz_dw"), shown(pg, "product")
    assert total == trace["layers"][layer]["dW"][j][k]
    assert not math.isclose(f1 * f2 * f3, total, rel_tol=1e-6)  # the product alone is the data part
    assert math.isclose(f1 * f2 * f3 + pen, total, rel_tol=1e-9)
    assert "2λ₂·w + λ₁·sign(w)" in pg.page.text_content("[data-testid=inspector] .chain-formula")
    assert shown(pg, "rel_error") < 1e-6  # and the finite difference of the total loss agrees
    # every number of the chain's table lies inside the inspector: the penalty's row label
    # ("+ penalty 2λ₂·w + λ₁·sign(w)") kept on one line made the table wider than the panel,
    # and the panel cut the numbers (1.7502 read 1.750, 0.1113 read 0.11)
    overflow = pg.js("""(() => { const panel = document.querySelector('[data-testid=inspector]').getBoundingClientRect();
        return [...document.querySelectorAll('[data-testid=inspector] table.insp [data-key]')]
          .map(b => b.getBoundingClientRect().right - panel.right).filter(d => d > 0.5); })()""")
    assert overflow == []
    pg.assert_no_errors()


@pytest.mark.parametrize("loss", ["mse", "cross_entropy"])
def test_a_softmax_outputs_delta_is_written_as_what_it_is_made_of(playground, loss):
    """δ of a softmax output is not ∂L/∂a times one slope (each ŷₖ depends on
    every z): the inspector showed ∂L/∂a, the Jacobian's diagonal and δ as if
    they multiplied."""
    pg = playground.open(f"/?dataset=spiral3&loss={loss}&hidden_layers=4")
    step_to(pg, 5)
    click_diagram(pg, "geo.nodes[2][1]")
    pg.page.wait_for_function(INSPECTOR_READY % ("neuron", "z", "delta"))
    x, y, _ = sample_rows(pg)
    trace = post(pg.base_url, f"/api/sessions/{pg.session_id()}/trace", {"x": [x], "y": [y]})
    out = trace["layers"][1]
    assert pg.page.query_selector("[data-testid=inspector] [data-key=da_dz]") is None
    formula = "[data-testid=inspector-softmax]"
    values = pg.js(f"[...document.querySelectorAll('{formula} [data-key]')].map(e => [e.dataset.key, Number(e.dataset.value)])")
    got = dict(values)
    assert got["delta"] == out["dL_dz"][0][1] and got["a"] == out["a"][0][1]
    if loss == "cross_entropy":
        assert [key for key, _ in values] == ["a", "y", "delta"]
        assert got["y"] == y[1] and math.isclose(got["a"] - got["y"], got["delta"], rel_tol=1e-12, abs_tol=1e-15)
    else:
        assert got["dL_da"] == out["dL_da"][0][1]
        s = sum(got[f"a{m}"] * got[f"g{m}"] for m in range(3))
        assert [got[f"a{m}"] for m in range(3)] == out["a"][0] and [got[f"g{m}"] for m in range(3)] == out["dL_da"][0]
        assert math.isclose(got["a"] * (got["dL_da"] - s), got["delta"], rel_tol=1e-9)
    pg.assert_no_errors()


# -- the inspector's notation and arithmetic (audit items B, D, G, I) -------------------------------------

def _formula_lines(pg, testid: str) -> list[str]:
    return pg.js(f"document.querySelector('[data-testid={testid}]').innerText").split("\n")


def _text(pg, key: str) -> str:
    return pg.page.text_content(f"[data-testid=inspector] [data-key={key}]")


def test_inspector_names_one_samples_gradient_and_the_batchs_apart_and_its_sums_check_out(playground):
    """The inspector wrote the single sample's gradient as δ = ∂L/∂z (the batch's notation, which
    carries 1/N) next to "mean δ, last batch"; its formula read "z = W·a + b = -0.836·0.648a₂,₁ +
    0.572·-0.807a₂,₂ + …" (no brackets, a hyphen for minus, a name glued to a number and the
    neurons called h in titles but a here), with 3-digit factors that did not add up to z."""
    from displayed import agrees, value
    pg = playground.open()
    step_to(pg, 7)
    pg.page.click("[data-testid=view-backward]")
    pg.page.wait_for_function("document.querySelector('[data-testid=network]').dataset.mode === 'backward'")
    # the backward view's legend and switch say what the neurons show: ∂L/∂b, the batch mean of ∂ℓ/∂z
    legend = pg.page.locator(".backward-legend")
    assert "neurons: ∂L/∂b" in legend.text_content() and "mean δ" not in legend.text_content()
    assert "the batch mean of each sample’s own ∂ℓ/∂z" in legend.get_attribute("title")
    switch = pg.page.get_attribute("[data-testid=view-backward]", "title")
    assert "∂L/∂b" in switch and "batch mean of each sample’s ∂ℓ/∂z" in switch and "mean δ" not in switch

    click_diagram(pg, "geo.nodes[2][0]")   # h₂,₁: its inputs are layer 1's neurons h₁,₁ … h₁,₄
    pg.page.wait_for_function(INSPECTOR_READY % ("neuron", "z", "batch_delta"))
    x, y, _ = sample_rows(pg)
    sid = pg.session_id()
    trace = post(pg.base_url, f"/api/sessions/{sid}/trace", {"x": [x], "y": [y]})
    layer = trace["layers"][1]
    frame = pg.js("window.__chainrule.frame")
    heads = pg.js("[...document.querySelectorAll('[data-testid=inspector] table.insp th')].map(t => t.textContent)")
    assert "δ = ∂ℓ/∂z this sample" in heads and "∂ℓ/∂a" in heads and "∂L/∂b last update" in heads, heads
    assert not any("∂L/∂z" in h or "∂L/∂a" in h or "mean δ" in h for h in heads), heads
    assert shown(pg, "delta") == layer["dL_dz"][0][0] and shown(pg, "batch_delta") == frame["layers"][1]["db"][0]
    hint = pg.page.text_content("[data-testid=inspector] .hint")
    assert "ℓ is this sample’s own loss" in hint and "∂L/∂b is the batch mean of each sample’s ∂ℓ/∂z" in hint
    # which is what the engine computes: ∂L/∂b of a batch is the mean of its samples' own ∂ℓ/∂z
    batch = pg.api(f"/api/sessions/{sid}/batch")
    whole = post(pg.base_url, f"/api/sessions/{sid}/trace", {"x": batch["x"], "y": batch["y"]})
    own = [post(pg.base_url, f"/api/sessions/{sid}/trace", {"x": [bx], "y": [by]})["layers"][1]["dL_dz"][0][0]
           for bx, by in zip(batch["x"], batch["y"], strict=True)]
    assert math.isclose(whole["layers"][1]["db"][0], sum(own) / len(own), rel_tol=1e-12)

    # z = W·a + b, once with names (the neurons' own: h₁,ₖ), once with numbers
    named, numeric = _formula_lines(pg, "inspector-formula")[:2]
    assert named.startswith("z = W·a + b = ") and all(f"h₁,{k}" in named for k in "₁₂₃₄") and "a₁," not in named, named
    assert re.fullmatch(r"= [0-9().·+ −]+ = −?[0-9.]+", numeric), numeric     # numbers only, a true minus sign
    assert not re.search(r"[+·] *−", numeric), numeric                       # every negative factor in brackets
    assert "-" not in named + numeric
    negatives = pg.js("""[...document.querySelectorAll('[data-testid=inspector-formula] b.iv')]
        .filter(b => Number(b.dataset.value) < 0 && b.dataset.key !== 'z')
        .map(b => [b.previousSibling?.textContent.slice(-1), b.nextSibling?.textContent[0]])""")
    assert negatives and all(pair == ["(", ")"] for pair in negatives), negatives
    # the numbers as written add up to z as written, and ∂ℓ/∂a · ∂a/∂z gives δ as written
    terms = sum(value(_text(pg, f"W{k}")) * value(_text(pg, f"ain{k}")) for k in range(4)) + value(_text(pg, "b"))
    assert agrees(terms, numeric.rsplit("= ", 1)[1]), (terms, numeric)
    assert agrees(value(_text(pg, "dL_da")) * value(_text(pg, "da_dz")), _text(pg, "delta"))
    pg.screenshot("inspector-neuron-notation-1280x720")

    # a weight: the chain rule of this sample's own loss, its factors multiplying to the product shown
    click_diagram(pg, "(() => { const e = geo.edges.find(e => e.layer === 1 && e.to === 0 && e.from === 1); return {x: e.mx, y: e.my}; })()")
    pg.page.wait_for_function(INSPECTOR_READY % ("weight", "numeric", "rel_error"))
    chosen = json.loads(pg.page.get_attribute("[data-testid=inspector]", "data-target"))
    chain = pg.page.text_content("[data-testid=inspector] .chain-formula")
    assert chain == "∂ℓ/∂w = ∂ℓ/∂a · ∂a/∂z · ∂z/∂w", chain
    heads = pg.js("[...document.querySelectorAll('[data-testid=inspector-chain] th')].map(t => t.textContent)")
    assert "= ∂ℓ/∂w this sample" in heads and "∂L/∂w last update" in heads, heads
    assert f"∂z/∂w = h₁,{'₁₂₃₄'[chosen['from']]}" in heads, heads
    assert not any("∂L/∂a" in h or "mean, last batch" in h for h in heads), heads
    product = value(_text(pg, "dL_da")) * value(_text(pg, "da_dz")) * value(_text(pg, "dz_dw"))
    assert agrees(product, _text(pg, "product")), (product, _text(pg, "product"))
    pg.screenshot("inspector-weight-notation-1280x720")


@pytest.mark.parametrize("query", ["?dataset=sine&hidden_layers=4", "?dataset=spiral3&loss=mse&output_activation=linear&hidden_layers=4"])
def test_inspector_writes_the_mse_gradient_of_an_output_with_its_numbers(playground, query):
    """With mse the output's ∂L/∂a was shown without its formula: on a batch of this one sample it
    is 2(ŷ − y)/K (K outputs; engine: (2 / a.size)·(a − y))."""
    from displayed import agrees, value
    pg = playground.open("/" + query)
    step_to(pg, 5)
    K = pg.js("window.__chainrule.data.sizes.at(-1)")
    j = K - 1
    click_diagram(pg, f"geo.nodes[2][{j}]")
    pg.page.wait_for_function(INSPECTOR_READY % ("neuron", "z", "mse_grad"))
    x, y, _ = sample_rows(pg)
    out = post(pg.base_url, f"/api/sessions/{pg.session_id()}/trace", {"x": [x], "y": [y]})["layers"][1]
    assert shown(pg, "mse_a") == out["a"][0][j] and shown(pg, "mse_y") == y[j] and shown(pg, "mse_grad") == out["dL_da"][0][j]
    assert math.isclose(out["dL_da"][0][j], 2 * (out["a"][0][j] - y[j]) / K, rel_tol=1e-12)
    line = pg.page.inner_text("[data-testid=inspector-mse]")
    assert line.startswith("∂ℓ/∂ŷ₃ = 2(ŷ₃ − y₃)/K = 2(" if K == 3 else "∂ℓ/∂ŷ = 2(ŷ − y) = 2("), line
    assert (f")/{K} = " in line) == (K > 1), line
    assert agrees(2 * (value(_text(pg, "mse_a")) - value(_text(pg, "mse_y"))) / K, _text(pg, "mse_grad")), line
    assert _text(pg, "mse_grad") == _text(pg, "dL_da")   # the same number as the ∂ℓ/∂a row it explains
    # and on a weight into that output
    click_diagram(pg, f"(() => {{ const e = geo.edges.find(e => e.layer === 1 && e.to === {j}); return {{x: e.mx, y: e.my}}; }})()")
    pg.page.wait_for_function(INSPECTOR_READY % ("weight", "product", "mse_grad"))
    assert _text(pg, "mse_grad") == _text(pg, "dL_da")
    pg.screenshot(f"inspector-mse-{K}-1280x720")


def test_a_wide_layers_weighted_sum_shows_eight_products_and_a_button_for_the_rest(playground):
    """With 128 inputs the inspector wrote out all 128 products; explain mode keeps 8 and a button."""
    from displayed import agrees, value
    pg = playground.open("/?hidden_layers=16,4")
    step_to(pg, 5)
    click_diagram(pg, "geo.nodes[2][1]")   # h₂,₂: sixteen inputs
    pg.page.wait_for_function(INSPECTOR_READY % ("neuron", "z", "W7"))
    numeric = _formula_lines(pg, "inspector-formula")[1]
    assert pg.page.query_selector("[data-testid=inspector] [data-key=W8]") is None
    more = pg.page.locator("[data-testid=inspector] [data-action=more-terms]")
    assert more.inner_text() == "8 more terms" and "+ 8 more terms +" in numeric, numeric
    # pressed (from the keyboard here): all sixteen, and the numbers as written add up to z as written
    more.focus()
    pg.page.keyboard.press("Enter")
    pg.page.wait_for_function("document.querySelector('[data-testid=inspector] [data-key=W15]')")
    assert pg.js("document.activeElement.dataset.fk") == "formula"
    numeric = _formula_lines(pg, "inspector-formula")[1]
    terms = sum(value(_text(pg, f"W{k}")) * value(_text(pg, f"ain{k}")) for k in range(16)) + value(_text(pg, "b"))
    assert "more terms" not in numeric and agrees(terms, numeric.rsplit("= ", 1)[1]), (terms, numeric)
    x, y, _ = sample_rows(pg)
    layer = post(pg.base_url, f"/api/sessions/{pg.session_id()}/trace", {"x": [x], "y": [y]})["layers"][1]
    assert shown(pg, "z") == layer["z"][0][1]
    # a new frame keeps them written out; another neuron starts short again
    pg.js("window.__chainrule.send({type: 'step', steps: 1})")
    pg.page.wait_for_function("document.querySelector('[data-testid=inspector]').dataset.step === '6'")
    assert pg.page.query_selector("[data-testid=inspector] [data-key=W15]") is not None
    click_diagram(pg, "geo.nodes[2][2]")
    pg.page.wait_for_function("JSON.parse(document.querySelector('[data-testid=inspector]').dataset.target).to === 2")
    pg.page.wait_for_function(INSPECTOR_READY % ("neuron", "z", "W7"))
    assert pg.page.query_selector("[data-testid=inspector] [data-key=W8]") is None
    # a narrow layer is written out whole, as before (ten products or fewer)
    click_diagram(pg, "geo.nodes[1][0]")   # h₁,₁: two inputs
    pg.page.wait_for_function("JSON.parse(document.querySelector('[data-testid=inspector]').dataset.target).layer === 0")
    pg.page.wait_for_function(INSPECTOR_READY % ("neuron", "z", "W1"))
    assert pg.page.query_selector("[data-testid=inspector] [data-action=more-terms]") is None
    pg.screenshot("inspector-wide-sum-1280x720")
    pg.assert_no_errors()


def _bezier(xs: list[float], ys: list[float], t: float) -> tuple[float, float]:
    """A cubic Bézier's point at t (de Casteljau), from its four control points."""
    px, py = list(xs), list(ys)
    for n in (3, 2, 1):
        px = [(1 - t) * px[i] + t * px[i + 1] for i in range(n)]
        py = [(1 - t) * py[i] + t * py[i + 1] for i in range(n)]
    return px[0], py[0]


def _clear_spots(edges: list[dict], halves: list[float], box: dict) -> list[tuple[dict, int, int]]:
    """For each edge, a whole pixel of the page (the pointer's) on its curve where it is the
    one the eye picks: its stroke passes at least 0.75 px nearer than any other stroke of its
    layer, and no other stroke covers the pixel. Each curve is sampled at 400 points;
    ``halves`` holds half of each edge's stroke width; the spot is as near the middle as
    there is one."""
    curves = [[_bezier(e["xs"], e["ys"], k / 399) for k in range(400)] for e in edges]
    spots = []
    for i, e in enumerate(edges):
        for t in sorted((k / 40 for k in range(2, 39)), key=lambda t: abs(t - 0.5)):
            x, y = _bezier(e["xs"], e["ys"], t)
            cx, cy = round(box["left"] + x), round(box["top"] + box["height"] - y)
            x, y = cx - box["left"], box["height"] - (cy - box["top"])  # the plot point of that pixel
            gap = {j: min(math.hypot(x - px, y - py) for px, py in c) - halves[j]
                   for j, c in enumerate(curves) if edges[j]["layer"] == e["layer"] and halves[j]}
            others = min((g for j, g in gap.items() if j != i), default=math.inf)
            if others > 0.5 and others >= gap[i] + 0.75:
                spots.append((e, cx, cy))
                break
    return spots


@pytest.mark.parametrize("hidden", ["4,2", "8,8"])
def test_every_weight_can_be_pointed_at_along_its_edge(playground, hidden):
    """Two edges whose middles meet (x₂ → h₁,₁ and x₁ → h₁,₂ cross there) were one click target:
    the other weight's card and inspector, for 6 of the default network's 18 edges and 56 of 88 with
    8,8. Every edge now answers a hover and a click on its own curve with its own weight."""
    pg = playground.open(f"/?hidden_layers={hidden}")
    step_to(pg, 1)
    pg.page.keyboard.press("b")  # the view a click opens (its diagram is laid out anew)
    pg.page.wait_for_function("""(() => { const gd = document.querySelector('[data-testid=network]');
        const geo = window.__chainrule.network.geometry; return gd.dataset.mode === 'backward'
        && Math.abs(gd.clientWidth - geo.width) <= 2 && Math.abs(gd.clientHeight - geo.height) <= 2; })()""")
    pg.page.wait_for_timeout(300)
    edges = pg.js("window.__chainrule.network.geometry.edges.map(e => ({layer: e.layer, to: e.to, from: e.from, xs: e.xs, ys: e.ys}))")
    halves = [s["half"] if s else 0 for s in pg.js("window.__chainrule.network.strokes")]
    box = pg.js("""(() => { const gd = document.querySelector('[data-testid=network]'); const r = gd.getBoundingClientRect();
        return {left: r.left, top: r.top, height: gd.layout.height}; })()""")
    spots = _clear_spots(edges, halves, box)
    # every edge of the default network has a stretch of its own; of 8,8's dense middle layer
    # (64 edges between two columns of 8), about half
    assert len(spots) == len(edges) if hidden == "4,2" else len(spots) >= 0.4 * len(edges)
    # and the middles that used to be shared: their edges are among those checked
    middles = {}
    for e in edges:
        middles.setdefault((e["layer"], round((e["ys"][0] + e["ys"][3]) * 2)), []).append(e)
    shared = {(e["layer"], e["to"], e["from"]) for group in middles.values() if len(group) > 1 for e in group}
    checked = {(e["layer"], e["to"], e["from"]) for e, _, _ in spots}
    assert len(shared & checked) >= (len(shared) if hidden == "4,2" else 0.3 * len(shared)) > 0
    for e, cx, cy in spots:
        pg.page.mouse.move(2, 2)
        pg.page.mouse.move(cx, cy)
        pg.page.wait_for_function("!document.getElementById('hovercard').hidden", timeout=5_000)
        card = pg.page.text_content("#hovercard")
        assert f"W{'₁₂₃'[e['layer']]}[{e['to'] + 1}, {e['from'] + 1}]" in card, (e, card)
    # a click opens that weight in the inspector (a few: each re-traces)
    for e, cx, cy in spots[:: max(1, len(spots) // 6)]:
        pg.page.mouse.move(2, 2)
        pg.page.mouse.move(cx, cy)
        pg.page.mouse.click(cx, cy)
        want = json.dumps({"kind": "weight", "layer": e["layer"], "to": e["to"], "from": e["from"]}, separators=(",", ":"))
        pg.page.wait_for_function(f"document.querySelector('[data-testid=inspector]').dataset.target === {json.dumps(want)}",
                                  timeout=5_000)
    # off every edge (between two tiles of a column, left of the edges): no card
    pg.page.mouse.move(2, 2)
    pg.page.wait_for_function("document.getElementById('hovercard').hidden", timeout=5_000)
    pg.assert_no_errors()


def test_a_teachers_reload_keeps_what_the_page_showed_and_the_class_stays_on_it(playground, new_playground):
    """F5 on the teacher's page came back in the Forward view with nothing inspected, and flipped
    every watching student's page back to Forward. The server keeps the view in every frame:
    the reloaded page takes it back, and the students' pages never leave it."""
    teacher, viewer = _teacher_and_watcher(playground, new_playground, 5)
    target, sample = TARGET, SAMPLE
    click_diagram(teacher, "geo.nodes[1][2]")
    teacher.page.wait_for_function(f"{target}.includes('\"kind\":\"neuron\"')")
    teacher.page.click("[data-testid=inspector] [data-action=sample-next]")
    teacher.page.wait_for_function(f"{sample} === 'train 1'")
    chosen = teacher.js(target)
    viewer.page.wait_for_function(f"{target} === {json.dumps(chosen)} && {sample} === 'train 1'", timeout=5_000)
    viewer.js("""window.__modes = []; new MutationObserver(() => window.__modes.push(
        document.querySelector('[data-testid=network]').dataset.mode)).observe(
        document.querySelector('[data-testid=network]'), {attributes: true, attributeFilter: ['data-mode']});
        window.__views = []; window.__chainrule.store.on('frame', (f) => window.__views.push(JSON.stringify(f.view)))""")
    teacher.page.reload()
    teacher.wait_ready()
    teacher.page.wait_for_function(f"document.querySelector('[data-testid=network]').dataset.mode === 'backward'"
                                   f" && {target} === {json.dumps(chosen)} && {sample} === 'train 1'", timeout=10_000)
    teacher.page.wait_for_function(INSPECTOR_READY % ("neuron", "z", "a"))
    viewer.page.wait_for_timeout(1_500)
    assert viewer.js("window.__modes") in ([], ["backward"]) and viewer.js(target) == chosen, viewer.js("window.__views")
    teacher.assert_no_errors()
    viewer.assert_no_errors()


def test_the_gradient_panels_heading_says_what_each_tab_shows(playground):
    """The heading said "log scale" over the histograms, which are linear."""
    pg = playground.open()
    step_to(pg, 3)
    pg.page.keyboard.press("b")
    title = "document.querySelector('.gradient-box .chart-title').textContent"
    assert "log scale" in pg.js(title)
    pg.page.click("[data-testid=grad-tab-histograms]")
    pg.page.wait_for_selector("[data-testid=gradient-histograms]:not([hidden])")
    assert "log scale" not in pg.js(title) and "at this step" in pg.js(title)
    assert pg.page.get_attribute(".grad-tabs", "aria-label")
    pg.page.click("[data-testid=grad-tab-norms]")
    assert "log scale" in pg.js(title)
    pg.assert_no_errors()


def test_a_reset_keeps_the_inspected_weight_when_the_network_keeps_its_shape(playground):
    """r cleared the inspector: a teacher following one weight from step 0 had to find it again.
    Same shape: it stays, with the numbers of step 0 (the session's own trace); a new shape clears it."""
    pg = playground.open()
    step_to(pg, 6)
    click_diagram(pg, "geo.nodes[1][1]")
    target = "document.querySelector('[data-testid=inspector]').dataset.target"
    pg.page.wait_for_function(f"{target}.includes('\"kind\":\"neuron\"')")
    chosen = pg.js(target)
    pg.page.keyboard.press("r")
    pg.wait_step(0)
    pg.page.wait_for_function(f"{target} === {json.dumps(chosen)}")
    pg.page.wait_for_function(INSPECTOR_READY % ("neuron", "z", "a"))
    x, y, _ = sample_rows(pg)
    trace = post(pg.base_url, f"/api/sessions/{pg.session_id()}/trace", {"x": [x], "y": [y]})
    want = trace["layers"][0]["z"][0][1]
    pg.page.wait_for_function(f"Number(document.querySelector('[data-testid=inspector] [data-key=z]').dataset.value) === {want!r}")
    pg.page.click("#add-layer")  # a new shape: nothing to keep
    pg.page.wait_for_function("window.__chainrule.data.sizes.length === 5")
    pg.page.wait_for_function(f"{target} === ''")
    pg.assert_no_errors()
