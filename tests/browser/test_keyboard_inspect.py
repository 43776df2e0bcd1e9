"""The keyboard and screen-reader audit, part 2: the help popovers, the
weight editor, explain mode, a keyboard route from the diagram to the
inspector, and the charts' text alternatives.

Each test drives the page with the keyboard alone (set-up aside) and checks
the real effect: where the focus lands, what a screen reader is told, and
that the inspector reached from the keyboard shows the engine's numbers."""

from __future__ import annotations

import json
import math

import pytest
from browser_http import post_json as post
from test_keyboard import ACTIVE, PLAYING, _space_plays_and_pauses, _tab_to

pytestmark = pytest.mark.browser

INSPECTOR = "[data-testid=inspector]"
RING = "[data-testid=network-ring]"


def _shift_tab_to(pg, selector: str, limit: int = 60) -> None:
    _tab_to(pg, selector, limit, key="Shift+Tab")


def _steps_by_key(pg, n: int) -> None:
    """→ n times with the focus on the page: n updates, one at a time."""
    pg.js("document.activeElement.blur()")
    for _ in range(n):
        before = pg.step_count()
        pg.page.keyboard.press("ArrowRight")
        pg.wait_step(before + 1)
    pg.page.wait_for_function(f"window.__chainrule.frame.step === {pg.step_count()} && window.__chainrule.framesDrawn > 0")


def _shown(pg, key: str) -> float:
    return float(pg.page.get_attribute(f"{INSPECTOR} [data-key={key}]", "data-value"))


def _sample(pg) -> tuple[list[float], list[float], dict]:
    split = pg.page.get_attribute("[data-testid=inspector-sample]", "data-split")
    index = int(pg.page.get_attribute("[data-testid=inspector-sample]", "data-index"))
    data = pg.api(f"/api/sessions/{pg.session_id()}/data")
    return data[split]["x"][index], data[split]["y"][index], {"split": split, "index": index}


def _wait_inspector(pg, kind: str, key: str, index: int | None = None) -> None:
    at = "" if index is None else f" && document.querySelector('[data-testid=inspector-sample]').dataset.index === '{index}'"
    pg.page.wait_for_function(
        f"(() => {{ const el = document.querySelector('{INSPECTOR}'); const v = el.querySelector('[data-key={key}]');"
        f" return el.dataset.ready === 'true' && el.dataset.target.includes('\"kind\":\"{kind}\"') && v && v.dataset.value !== ''{at}; }})()")


def test_a_help_popover_is_named_takes_the_focus_and_gives_it_back(playground):
    pg = playground.open()
    pop = "[data-testid=help-popover]"
    pg.page.focus("#share-link")
    _tab_to(pg, "[data-testid=help][data-help=output]")
    # the (?) says which panel it explains
    assert pg.page.get_by_role("button", name="Help: Output").count() == 1
    assert pg.js("[...document.querySelectorAll('[data-testid=help]')].every(b => /^Help: .+/.test(b.getAttribute('aria-label')))")
    pg.page.keyboard.press("Enter")
    pg.page.wait_for_function(f"!document.querySelector('{pop}').hidden")
    # a dialog named by its title, and the focus is in it (not 60 Tab stops away at the end of the page)
    assert pg.page.get_by_role("dialog", name="Output").is_visible()
    assert pg.js(f"document.querySelector('{pop}').contains({ACTIVE})")
    assert pg.page.get_attribute("[data-testid=help][data-help=output]", "aria-expanded") == "true"
    # Escape closes it and gives the focus back to its (?)
    pg.page.keyboard.press("Escape")
    pg.page.wait_for_function(f"document.querySelector('{pop}').hidden")
    assert pg.js(f"{ACTIVE}.dataset.help") == "output"
    # Tab past its end closes it too, and the Tab order goes on from the (?)
    pg.page.keyboard.press(" ")  # space presses the (?) tabbed to: no play
    pg.page.wait_for_function(f"!document.querySelector('{pop}').hidden")
    assert pg.js(PLAYING) == "false"
    pg.page.keyboard.press("Tab")
    pg.page.wait_for_function(f"document.querySelector('{pop}').hidden")
    assert pg.js(f"{ACTIVE}.dataset.help") == "output"
    # and Shift+Tab past its start
    pg.page.keyboard.press("Enter")
    pg.page.wait_for_function(f"!document.querySelector('{pop}').hidden")
    pg.page.keyboard.press("Shift+Tab")
    pg.page.wait_for_function(f"document.querySelector('{pop}').hidden")
    assert pg.js(f"{ACTIVE}.dataset.help") == "output"
    assert pg.page.get_attribute("[data-testid=help][data-help=output]", "aria-expanded") == "false"
    # another panel's (?): its own name
    _tab_to(pg, "[data-testid=help][data-help=loss-chart]")
    pg.page.keyboard.press("Enter")
    assert pg.page.get_by_role("dialog", name="Loss over updates").is_visible()
    pg.screenshot("keyboard-help-popover")
    pg.page.keyboard.press("Escape")
    assert pg.js(f"{ACTIVE}.dataset.help") == "loss-chart"
    # opened with the mouse, as the other popups: the focus stays on its (?) and space plays
    pg.page.click("[data-testid=help][data-help=network]")
    pg.page.wait_for_function(f"document.querySelector('{pop}').dataset.topic === 'network' && !document.querySelector('{pop}').hidden")
    assert pg.js(f"{ACTIVE}.dataset.help") == "network"
    _space_plays_and_pauses(pg)


def test_the_weight_editor_keeps_tab_inside_and_escape_gives_the_focus_back(playground):
    pg = playground.open()
    _steps_by_key(pg, 2)
    sid = pg.session_id()
    # set-up: the inspector on weight W₁[2,1] (the keyboard route to it has its own test)
    pg.js("window.__chainrule.backward.setMode('backward');"
          " window.__chainrule.backward.inspector.choose({kind: 'weight', layer: 0, to: 1, from: 0})")
    _wait_inspector(pg, "weight", "product")
    pg.page.focus("#share-link")
    _tab_to(pg, f"{INSPECTOR} [data-action=edit]")
    pg.page.keyboard.press("Enter")
    pg.page.wait_for_selector("#weight-editor:not([hidden])")
    assert pg.js(f"{ACTIVE}.id") == "weight-value"
    # Tab goes round its three controls: it never leaves the editor open behind the focus
    seen = []
    for _ in range(4):
        pg.page.keyboard.press("Tab")
        seen.append(pg.js(f"{ACTIVE}.closest('#weight-editor') ? ({ACTIVE}.id || {ACTIVE}.type) : 'outside'"))
    assert seen == ["submit", "weight-cancel", "weight-value", "submit"]
    pg.page.keyboard.press("Shift+Tab")
    pg.page.keyboard.press("Shift+Tab")
    assert pg.js(f"{ACTIVE}.id") == "weight-cancel"
    assert pg.page.get_by_role("dialog", name="New value of w from x₁ to h₁,₂").is_visible()  # a dialog, named
    # Escape closes it; the focus is back on "Edit value…"
    pg.page.keyboard.press("Escape")
    pg.page.wait_for_selector("#weight-editor", state="hidden")
    assert pg.js(f"{ACTIVE}.dataset.action") == "edit"
    # Escape closes it wherever the focus is
    pg.page.keyboard.press("Enter")
    pg.page.wait_for_selector("#weight-editor:not([hidden])")
    pg.js("document.getElementById('share-link').focus()")
    pg.page.keyboard.press("Escape")
    pg.page.wait_for_selector("#weight-editor", state="hidden")
    # a value typed and Enter: the engine has it, and the focus is back on "Edit value…" (drawn anew meanwhile)
    _tab_to(pg, f"{INSPECTOR} [data-action=edit]")
    pg.page.keyboard.press("Enter")
    pg.page.wait_for_selector("#weight-editor:not([hidden])")
    pg.page.keyboard.type("0.75")
    pg.page.keyboard.press("Enter")
    pg.page.wait_for_function("window.__chainrule.frame.layers[0].W[1][0] === 0.75")
    assert pg.api(f"/api/sessions/{sid}")["state"]["layers"][0]["W"][1][0] == 0.75
    pg.page.wait_for_function(f"document.querySelector('{INSPECTOR} [data-key=w]').dataset.value === '0.75'")
    assert pg.js(f"{ACTIVE}.dataset.action") == "edit"
    assert pg.js(f"document.querySelector('{INSPECTOR}').contains({ACTIVE})")


def test_explain_mode_takes_the_focus_keeps_it_on_a_chosen_chip_or_unit_and_gives_it_back(playground):
    pg = playground.open("/?hidden_layers=4,2")
    _steps_by_key(pg, 1)
    pg.page.focus("#share-link")
    _tab_to(pg, "[data-testid=explain-open]")
    pg.page.keyboard.press("Enter")
    pg.page.wait_for_function("document.querySelector('[data-testid=explain-stage]').dataset.stage === 'intro'")
    # the focus went into the panel, on its heading
    pg.page.wait_for_function(f"document.getElementById('explain').contains({ACTIVE})")
    assert pg.js(f"{ACTIVE}.dataset.testid") == "explain-title"
    # a sample chip chosen with the keyboard keeps the focus through the re-render
    _tab_to(pg, "[data-testid=explain-samples] [data-sample='2']", limit=20)
    pg.page.keyboard.press("Enter")
    pg.page.wait_for_function("document.querySelector('[data-testid=explain-stage]').dataset.sample === '2'")
    assert pg.js(f"{ACTIVE}.dataset.sample") == "2"
    assert pg.js(f"{ACTIVE}.getAttribute('aria-pressed')") == "true"
    # → walks to the first forward stage; the unit rows are in the Tab order, Enter and Space choose one
    pg.page.keyboard.press("ArrowRight")
    pg.page.wait_for_function("document.querySelector('[data-testid=explain-stage]').dataset.stage === 'forward-1'")
    assert pg.step_count() == 1  # → walked the stages, it did not train
    _tab_to(pg, "tr[data-unit='1'][data-layer='0']", limit=40)
    assert pg.page.get_attribute("tr[data-unit='1'][data-layer='0']", "role") == "button"
    pg.page.keyboard.press("Enter")
    pg.page.wait_for_function("window.__chainrule.teaching.explain.context.selected(0) === 1")
    assert pg.js(f"{ACTIVE}.matches(\"tr[data-unit='1'][data-layer='0']\")")
    assert pg.page.get_attribute("tr[data-unit='1'][data-layer='0']", "aria-pressed") == "true"
    # the stage now follows unit 2: its z is the engine's z of unit 2 for sample 3 of the batch
    batch = pg.js("window.__chainrule.teaching.explain.context.batch")
    trace = post(pg.base_url, f"/api/sessions/{pg.session_id()}/trace", {"x": batch["x"], "y": batch["y"]})
    z = pg.js("[...document.querySelectorAll('[data-testid=explain-stage] [data-q=z]')]"
              ".filter(e => e.dataset.l === '0' && e.dataset.r === '2' && e.dataset.j === '1').map(e => Number(e.dataset.v))")
    assert z and all(math.isclose(v, trace["layers"][0]["z"][2][1], rel_tol=1e-12) for v in z)
    pg.page.keyboard.press("Tab")
    assert pg.js(f"{ACTIVE}.dataset.unit") == "2"
    pg.page.keyboard.press(" ")
    pg.page.wait_for_function("window.__chainrule.teaching.explain.context.selected(0) === 2")
    assert pg.js(f"{ACTIVE}.dataset.unit") == "2" and pg.js(PLAYING) == "false"
    # Escape closes it; the focus is back on "Explain this step"
    pg.page.keyboard.press("Escape")
    pg.page.wait_for_selector("[data-testid=explain]", state="hidden")
    assert pg.js(f"{ACTIVE}.dataset.testid") == "explain-open"
    # and so does its ✕, pressed from the keyboard
    pg.page.keyboard.press("Enter")
    pg.page.wait_for_function("document.querySelector('[data-testid=explain-stage]').dataset.stage === 'intro'")
    pg.page.wait_for_function(f"document.getElementById('explain').contains({ACTIVE})")
    _tab_to(pg, "[data-testid=explain-close]", limit=10)
    pg.page.keyboard.press("Enter")
    pg.page.wait_for_selector("[data-testid=explain]", state="hidden")
    assert pg.js(f"{ACTIVE}.dataset.testid") == "explain-open"


def test_the_diagram_leads_the_keyboard_to_the_inspectors_neurons_weights_and_samples(playground):
    pg = playground.open("/?hidden_layers=4,2")
    _steps_by_key(pg, 3)
    sid = pg.session_id()
    pg.page.focus("#share-link")
    _tab_to(pg, "[data-testid=network]")
    # a ring on the first hidden neuron, said politely with its hover card's numbers
    pg.page.wait_for_selector(f"{RING}:not([hidden])")
    assert (pg.page.get_attribute(RING, "data-col"), pg.page.get_attribute(RING, "data-index")) == ("1", "0")
    assert pg.page.get_attribute("[data-testid=network]", "aria-roledescription") == "network diagram"
    said = "[data-testid=network-said]"
    assert pg.page.get_attribute(said, "aria-live") == "polite"
    assert pg.page.text_content(said).startswith("Neuron h₁,₁, hidden layer 1, neuron 1 of 4: activation")
    # ↓ within the layer, → and ← between layers (to the nearest neuron): the ring moves, training does not step
    pg.page.keyboard.press("ArrowDown")
    pg.page.keyboard.press("ArrowDown")
    pg.page.keyboard.press("ArrowRight")
    assert (pg.page.get_attribute(RING, "data-col"), pg.page.get_attribute(RING, "data-index")) == ("2", "1")
    pg.page.keyboard.press("ArrowLeft")
    pg.page.keyboard.press("ArrowUp")
    assert (pg.page.get_attribute(RING, "data-col"), pg.page.get_attribute(RING, "data-index")) == ("1", "1")
    assert pg.step_count() == 3
    assert "Neuron h₁,₂, hidden layer 1, neuron 2 of 4" in pg.page.text_content(said)
    # the ring where the hover card is, beside the neuron; what it shows is what is said
    ring = pg.page.locator(RING).bounding_box()
    card = pg.page.locator("#hovercard").bounding_box()
    assert pg.page.is_visible("#hovercard") and pg.page.text_content("#hovercard .hovercard-title") == "Neuron h₁,₂"
    assert abs(card["x"] - (ring["x"] + ring["width"])) < 40
    rows = pg.js("[...document.querySelectorAll('#hovercard dt')].map(dt => `${dt.textContent} ${dt.nextElementSibling.textContent}`)")
    assert [r.split(" ")[0] for r in rows] == ["activation", "bias", "a"] and all(r in pg.page.text_content(said) for r in rows)
    pg.screenshot("keyboard-diagram-ring")
    # Enter: the inspector on that neuron (the backward view), the focus on its title
    pg.page.keyboard.press("Enter")
    _wait_inspector(pg, "neuron", "z")
    assert json.loads(pg.page.get_attribute(INSPECTOR, "data-target")) == {"kind": "neuron", "layer": 0, "to": 1}
    assert pg.page.get_attribute("[data-testid=network]", "data-mode") == "backward"
    pg.page.wait_for_function(f"{ACTIVE}.classList.contains('insp-title')")
    assert pg.page.text_content(f"{INSPECTOR} .insp-title").startswith("Neuron h₁,₂")
    x, y, s = _sample(pg)
    trace = post(pg.base_url, f"/api/sessions/{sid}/trace", {"x": [x], "y": [y]})
    assert _shown(pg, "z") == trace["layers"][0]["z"][0][1]
    assert _shown(pg, "delta") == trace["layers"][0]["dL_dz"][0][1]
    # its incoming weights are buttons: the first opens the chain rule of W₁[2,1]
    pg.page.keyboard.press("Tab")
    assert pg.js(f"{ACTIVE}.getAttribute('aria-label')") == "Weight from x₁ to h₁,₂"
    pg.page.keyboard.press("Enter")
    _wait_inspector(pg, "weight", "product")
    assert json.loads(pg.page.get_attribute(INSPECTOR, "data-target")) == {"kind": "weight", "layer": 0, "to": 1, "from": 0}
    pg.page.wait_for_function(f"{ACTIVE}.classList.contains('insp-title')")
    assert pg.page.text_content(f"{INSPECTOR} .insp-title") == "Weight x₁ → h₁,₂"
    assert _shown(pg, "product") == trace["layers"][0]["dW"][1][0]
    # the sample, from the keyboard: › is the next training point, a number typed is that point
    _shift_tab_to(pg, f"{INSPECTOR} [data-action=sample-next]")
    pg.page.keyboard.press("Enter")
    _wait_inspector(pg, "weight", "product", index=s["index"] + 1)
    assert pg.js(f"{ACTIVE}.dataset.action") == "sample-next"  # stays for the next press
    x, y, s2 = _sample(pg)
    assert s2 == {"split": "train", "index": s["index"] + 1}
    trace = post(pg.base_url, f"/api/sessions/{sid}/trace", {"x": [x], "y": [y]})
    assert _shown(pg, "product") == trace["layers"][0]["dW"][1][0]
    # the sample is ringed on the output plot
    data = pg.api(f"/api/sessions/{sid}/data")
    ring_x = pg.js("(() => { const s = document.querySelector('[data-testid=boundary]').layout.shapes.find(s => s.name === 'chainrule-sample'); return (s.x0 + s.x1) / 2; })()")
    assert math.isclose(ring_x, pg.js("window.__chainrule.data.train.x")[s2["index"]][0], abs_tol=1e-9)
    assert data["train"]["x"][s2["index"]] == x
    pg.page.keyboard.press("Shift+Tab")
    assert pg.js(f"{ACTIVE}.dataset.action") == "sample-index"
    pg.page.keyboard.press("Control+A")
    pg.page.keyboard.type("17")
    pg.page.keyboard.press("Enter")
    _wait_inspector(pg, "weight", "product", index=16)
    x, y, _ = _sample(pg)
    assert _shown(pg, "product") == post(pg.base_url, f"/api/sessions/{sid}/trace", {"x": [x], "y": [y]})["layers"][0]["dW"][1][0]
    # back to the neuron the weight feeds, then Escape: the focus is back on the diagram, its ring where it was
    _tab_to(pg, f"{INSPECTOR} [data-choose]", limit=30)
    assert pg.js(f"{ACTIVE}.getAttribute('aria-label')") == "Neuron h₁,₂"
    pg.page.keyboard.press("Enter")
    _wait_inspector(pg, "neuron", "z", index=16)
    pg.page.keyboard.press("Escape")
    assert pg.js(f"{ACTIVE}.dataset.testid") == "network"
    assert (pg.page.get_attribute(RING, "data-col"), pg.page.get_attribute(RING, "data-index")) == ("1", "1")
    assert pg.step_count() == 3
    # the pointer's ways are as they were: a click on the diagram leaves → to the training
    pg.page.keyboard.press("b")
    pg.page.wait_for_function("document.querySelector('[data-testid=network]').dataset.mode === 'forward'")
    box = pg.page.locator("[data-testid=network]").bounding_box()
    pg.page.mouse.click(box["x"] + 3, box["y"] + 3)
    assert pg.page.is_hidden(RING)
    pg.page.keyboard.press("ArrowRight")
    pg.wait_step(4)


def test_the_charts_have_text_alternatives_written_at_most_once_a_second(playground):
    pg = playground.open("/?hidden_layers=4,2")
    label = "document.querySelector('[data-testid={}]').getAttribute('aria-label')"
    role = "document.querySelector('[data-testid={}]').getAttribute('role')"
    assert pg.js(role.format("network")) == "application"  # interactive (the keyboard route): named by its summary
    assert pg.js(label.format("network")).startswith("Network: 2 inputs (x₁, x₂), hidden layers 4 and 2, 1 output. Forward pass")
    for chart in ("boundary", "loss-chart", "gradient-chart"):
        assert pg.js(role.format(chart)) == "img", chart
        assert pg.page.get_attribute(f"[data-testid={chart}]", "aria-live") is None
    assert pg.js(label.format("gradient-chart")).startswith("Gradient size per layer: No update yet")
    # paused: each step's numbers at once, the engine's
    _steps_by_key(pg, 3)
    state = pg.api(f"/api/sessions/{pg.session_id()}")["state"]
    fmt = lambda v: pg.js(f"(() => {{ const v = {v!r}; const t = v.toPrecision(4); return Number(t) === v ? String(v) : t; }})()")  # noqa: E731
    pg.page.wait_for_function(f"({label.format('loss-chart')} || '').includes('at update 3')")
    assert pg.js(label.format("loss-chart")) == (f"Loss over updates: train {fmt(state['loss']['train'])}, "
                                                 f"test {fmt(state['loss']['test'])} at update 3.")
    out = pg.js(label.format("boundary"))
    assert out.startswith("Output: decision boundary of 2 classes over the input plane x₁, x₂, with 250 train points.")
    assert (f"At update 3: accuracy train {state['accuracy']['train'] * 100:.1f}%, "
            f"test {state['accuracy']['test'] * 100:.1f}%; loss train {fmt(state['loss']['train'])}") in out
    norms = [layer[-1] for layer in pg.api(f"/api/sessions/{pg.session_id()}/history")["grad_norms"]]  # per layer, per update
    assert pg.js(label.format("gradient-chart")) == (
        f"Gradient size per layer ‖∂L/∂W‖, log scale, at update 3: W1 {fmt(norms[0])}, W2 {fmt(norms[1])}, W3 → ŷ {fmt(norms[2])}.")
    # the forward/backward switch renames the diagram
    pg.page.keyboard.press("b")
    pg.page.wait_for_function(f"{label.format('network')}.includes('Backward pass')")
    # playing: not a label a frame, at most one a second per chart; paused, the last frame's
    pg.js("""(() => { window.__labels = {}; for (const t of ['boundary', 'loss-chart', 'gradient-chart']) {
        window.__labels[t] = 0; new MutationObserver(() => { window.__labels[t]++; })
          .observe(document.querySelector(`[data-testid=${t}]`), { attributes: true, attributeFilter: ['aria-label'] }); } })()""")
    pg.page.keyboard.press(" ")
    pg.page.wait_for_function(f"{PLAYING} === 'true'")
    pg.page.wait_for_timeout(2500)
    pg.page.keyboard.press(" ")
    pg.page.wait_for_function(f"{PLAYING} === 'false'")
    writes = pg.js("window.__labels")
    frames = pg.js("window.__chainrule.framesDrawn")
    assert all(1 <= n <= 5 for n in writes.values()), (writes, frames)
    pg.page.wait_for_timeout(1200)
    step = pg.step_count()
    assert f"at update {step}." in pg.js(label.format("loss-chart"))
    assert f"At update {step}:" in pg.js(label.format("boundary"))
