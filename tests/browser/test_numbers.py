"""Numbers the page shows against the engine's, where an audit found them wrong: the
inspector's weighted sum while training plays, and every "last update" number and count
around a divergence (the update the engine refused is not one it made)."""

from __future__ import annotations

import json
import urllib.request

import pytest

pytestmark = pytest.mark.browser

PLAY = "[data-testid=play]"
# four updates of ten on fifty training points, then a gradient past 1e154 (its square overflows)
DIVERGES = "/?dataset=plane&hidden_layers=8&activation=relu&learning_rate=10&n_samples=100"
READY = ("(() => { const el = document.querySelector('[data-testid=inspector]'); return el.dataset.ready === 'true'"
         " && el.dataset.target.includes('\"kind\":\"%s\"') && el.querySelector('[data-key=%s]')?.dataset.value; })()")


def _post(base: str, path: str, body: dict) -> dict:
    req = urllib.request.Request(base + path, json.dumps(body).encode(), {"content-type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.load(r)


def _inspect(pg, target: dict) -> None:
    pg.js(f"window.__chainrule.backward.setMode('backward'); window.__chainrule.backward.inspector.choose({json.dumps(target)})")


def test_the_inspectors_weighted_sum_adds_up_while_training_plays(playground):
    """The formula took W and b from the frame when the trace was asked for, and a and z from the
    trace, answered at a later step: "… + 0.19470398 = 0.2398", whose terms add up to 0.0490
    (8 of 16 looks). W and b now come from the traced pass itself."""
    from displayed import agrees, value
    pg = playground.open("/?dataset=xor&hidden_layers=4,3&learning_rate=0.3&n_samples=200")
    _inspect(pg, {"kind": "neuron", "layer": 1, "to": 1})
    pg.page.wait_for_function(READY % ("neuron", "z"))
    pg.js("window.__chainrule.send({type: 'speed', steps_per_frame: 20})")  # the weights move between ask and answer
    pg.page.click(PLAY)
    read = """(() => { const t = (k) => document.querySelector(`[data-testid=inspector-formula] [data-key="${k}"]`)?.textContent;
        return { W: [0, 1, 2, 3].map((k) => t(`W${k}`)), a: [0, 1, 2, 3].map((k) => t(`ain${k}`)), b: t('b'), z: t('z'),
                 step: window.__chainrule.frame.step }; })()"""
    looks, steps = 0, set()
    for _ in range(16):
        pg.page.wait_for_timeout(350)
        f = pg.js(read)
        if None in f["W"] or None in f["a"] or f["b"] is None or f["z"] is None:
            continue
        total = sum(value(w) * value(a) for w, a in zip(f["W"], f["a"], strict=True)) + value(f["b"])
        assert agrees(total, f["z"]), f
        looks += 1
        steps.add(f["step"])
    pg.js(f"document.querySelector('{PLAY}').click()")
    assert looks >= 8 and len(steps) >= 4, (looks, steps)   # while the steps went by


def test_around_a_divergence_every_number_belongs_to_the_update_it_names(playground):
    """After the engine refused update 5, the epoch read 1.00 (four updates of ten on fifty points:
    0.80), the gradient chart put the refused update's norms (1e212) at step 4, where the history
    has 4e69, the inspector called them "last update", and explain mode stayed on."""
    pg = playground.open(DIVERGES)
    pg.page.click("[data-testid=view-backward]")
    pg.page.click(PLAY)
    pg.page.wait_for_function("window.__chainrule.frame?.status === 'diverged'", timeout=30_000)
    pg.page.wait_for_timeout(500)
    frame = pg.js("window.__chainrule.frame")
    made = frame["step"]
    assert 0 < made < 5
    assert pg.page.text_content("#epoch-count").strip() == f"{made * 10 / 50:.2f}"
    # the chart: the refused update's norms at its own number, the history's at the steps made
    series = pg.js("({ x: window.__chainrule.store.series.gradStep, y: window.__chainrule.store.series.grad.map((g) => g.at(-1)) })")
    assert series["x"][-1] == made + 1 and series["y"] == frame["grad_norms"], (series, frame["grad_norms"])
    history = pg.api(f"/api/sessions/{pg.session_id()}/history")
    assert history["step"][-1] == made
    assert all(norms[-1] < 1e100 < shown for norms, shown in zip(history["grad_norms"], frame["grad_norms"], strict=True))
    # explain mode is off like play and step, saying why
    explain = pg.page.locator("[data-testid=explain-open]")
    assert explain.is_disabled() and "diverged" in explain.get_attribute("title")
    # the inspector names the update its gradients belong to
    _inspect(pg, {"kind": "neuron", "layer": 0, "to": 0})
    pg.page.wait_for_function(READY % ("neuron", "z"))
    heads = pg.js("[...document.querySelectorAll('[data-testid=inspector] table.insp th')].map((t) => t.textContent)")
    assert f"∂L/∂b update {made + 1}, refused" in heads and not any("last update" in h for h in heads), heads


def test_explain_mode_says_when_the_engine_refuses_the_update_it_explains(playground):
    """Explain mode's last stage said "The update has happened: the engine took step 4" with an
    "after = before − η · gradient" that was the unchanged weight, for an update the engine refused."""
    pg = playground.open(DIVERGES)
    probe = _post(pg.base_url, "/api/sessions", {"dataset": "plane", "hidden_layers": [8], "activation": "relu",
                                                 "learning_rate": 10, "n_samples": 100})
    made = _post(pg.base_url, f"/api/sessions/{probe['id']}/step", {"steps": 100})["step"]  # the same seed: the same run
    pg.js(f"window.__chainrule.send({{type: 'step', steps: {made}}})")
    pg.wait_step(made)
    pg.page.click("[data-testid=explain-open]")
    pg.page.wait_for_selector("body.explaining [data-testid=explain-next]")
    for _ in range(40):
        if "did not apply" in (pg.page.text_content("[data-testid=explain-stage]") or ""):
            break
        pg.page.click("[data-testid=explain-next]")
        pg.page.wait_for_timeout(150)
    stage = pg.page.text_content("[data-testid=explain-stage]")
    assert "The engine did not apply this update: Training diverged at update" in stage, stage
    assert "has happened" not in stage and f"at step {made}" in stage
    assert pg.js("window.__chainrule.frame.step") == made


def test_a_weights_hover_card_gives_the_digits_its_float32_copy_holds(playground):
    """The card wrote w to six digits from the frame's float32 copy: 0.563664 for the engine's
    0.5636645008 (about 1 weight in 100 had a wrong sixth digit). Four digits are the engine's."""
    from displayed import agrees
    from test_playground import _hover_first_edge
    pg = playground.open("/?hidden_layers=5&activation=relu&seed=3")
    target = _hover_first_edge(pg)
    card = pg.page.inner_text("#hovercard")
    label = f"W{'₁₂₃'[target['layer']]}[{target['to'] + 1}, {target['from'] + 1}]"
    shown = card.split(label, 1)[1].split()[0]
    exact = pg.api(f"/api/sessions/{pg.session_id()}")["state"]["layers"][target["layer"]]["W"][target["to"]][target["from"]]
    digits = len(shown.replace("−", "").replace("-", "").replace(".", "").lstrip("0"))
    assert agrees(exact, shown) and digits <= 4, (shown, exact)


def test_a_scripts_live_change_reaches_the_sessions_own_page(playground):
    """A PATCH of the learning rate and L2 from a script left the session's own page showing
    η 0.03 and no regularisation (and linking to that setup), while its loss already held the
    penalty and the inspector's chain rule ended in a dangling "+"."""
    pg = playground.open("/?dataset=xor&hidden_layers=4&n_samples=60")
    sid = pg.session_id()
    req = urllib.request.Request(f"{pg.base_url}/api/sessions/{sid}", json.dumps({"l2": 0.01, "learning_rate": 0.3}).encode(),
                                 {"content-type": "application/json"}, method="PATCH")
    urllib.request.urlopen(req, timeout=10).close()
    pg.page.wait_for_function("document.getElementById('learning-rate').value === '0.3'", timeout=5_000)
    assert pg.page.input_value("#regularization") == "l2"
    assert pg.js("window.__chainrule.config.l2") == 0.01
    link = pg.page.get_attribute("[data-testid=share-link]", "href") or pg.js("location.href")
    assert "learning_rate=0.3" in link and "l2=0.01" in link, link
    # and the page's own change is not put back by a frame the server sent before it had it
    pg.page.click(PLAY)
    pg.page.select_option("#learning-rate", "0.1")
    pg.page.wait_for_timeout(1500)
    assert pg.page.input_value("#learning-rate") == "0.1"
    assert pg.api(f"/api/sessions/{sid}")["config"]["learning_rate"] == 0.1
    pg.js(f"document.querySelector('{PLAY}').click()")
