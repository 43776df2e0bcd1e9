"""Explain mode, lessons and the (?) help in real Chromium.

Every number explain mode shows carries its exact value in ``data-v`` and what
it is in ``data-q`` (with ``data-l``, ``data-r``, ``data-j``, ``data-k``); the
tests compare each one with the engine's own trace, fetched independently,
and check that the visible text is that number rounded."""

from __future__ import annotations

import json
import math
import re
import urllib.request

import numpy as np
import pytest
from browser_http import post_json as post

pytestmark = pytest.mark.browser

STAGE = "[data-testid=explain-stage]"
NUMBERS = f"""() => [...document.querySelectorAll('{STAGE} [data-q]')].map(e => ({{
    q: e.dataset.q, v: e.dataset.v, text: e.textContent,
    l: e.dataset.l === undefined ? null : Number(e.dataset.l), r: e.dataset.r === undefined ? null : Number(e.dataset.r),
    j: e.dataset.j === undefined ? null : Number(e.dataset.j), k: e.dataset.k === undefined ? null : Number(e.dataset.k)}}))"""




def expected(n: dict, ref: dict) -> float:
    """The engine's value of one number shown on the page."""
    q, layer, r, j, k = n["q"], n["l"], n["r"], n["j"], n["k"]
    trace, snap, config = ref["trace"], ref["snap"], ref["config"]
    if q == "x":
        return trace["input"][r][k]
    if q == "y":
        return ref["batch"]["y"][r][k]
    if q in ("W", "W_after"):
        return (snap if q == "W" else ref["after"])["layers"][layer]["W"][j][k]
    if q in ("b", "b_after"):
        return (snap if q == "b" else ref["after"])["layers"][layer]["b"][j]
    if q in ("Wb", "dWb"):
        W = snap["layers"][layer]["W"] if q == "Wb" else trace["layers"][layer]["dW"]
        b = snap["layers"][layer]["b"] if q == "Wb" else trace["layers"][layer]["db"]
        return W[j][k] if k < len(W[j]) else b[j]
    if q in ("z", "a", "dL_da", "dL_dz", "da_dz"):
        return trace["layers"][layer][q][r][j if j is not None else k]
    if q == "dW":
        return trace["layers"][layer]["dW"][j][k]
    if q == "db":
        return trace["layers"][layer]["db"][j]
    if q in ("loss", "data_loss", "penalty"):
        return trace[q]
    if q == "sample_loss":
        return ref["sample"]["data_loss"]
    if q == "lr":
        return config["learning_rate"]
    if q in ("l1", "l2", "momentum"):
        return config[q]
    raise AssertionError(f"unknown quantity {q}")


def check_numbers(pg, ref: dict) -> int:
    shown = pg.js(NUMBERS)
    for n in shown:
        want = expected(n, ref)
        assert float(n["v"]) == want, n  # exact: the engine's float, not a recomputation
        text = float(n["text"].strip("()").replace("−", "-"))
        assert math.isclose(text, want, rel_tol=5e-4, abs_tol=1e-12), n  # the text is that number, rounded
    return len(shown)


def test_explain_walks_through_one_real_update(playground):
    pg = playground.open()
    sid, base = pg.session_id(), pg.base_url
    # the engine's numbers, fetched independently of the page
    session = pg.api(f"/api/sessions/{sid}")
    batch = pg.api(f"/api/sessions/{sid}/batch")
    trace = post(base, f"/api/sessions/{sid}/trace", {"x": batch["x"], "y": batch["y"]})
    assert batch["step"] == session["state"]["step"] + 1 == 1
    ref = {"snap": session["state"], "config": session["config"], "batch": batch, "trace": trace, "after": None}

    pg.page.click("[data-testid=explain-open]")
    pg.page.wait_for_function(f"document.querySelector('{STAGE}')?.dataset.stage === 'intro'")
    # follow the second sample of the batch
    pg.page.click("[data-testid=explain-samples] [data-sample='1']")
    pg.page.wait_for_function(f"document.querySelector('{STAGE}').dataset.sample === '1'")
    ref["sample"] = post(base, f"/api/sessions/{sid}/trace", {"x": [batch["x"][1]], "y": [batch["y"][1]]})

    L = len(session["state"]["layers"])
    order = (["intro"] + [f"forward-{i}" for i in range(1, L + 1)] + ["loss-sample", "loss-batch"]
             + [f"backward-{i}" for i in range(L, 0, -1)] + ["update"])
    seen = []
    for i, stage in enumerate(order):
        pg.page.wait_for_function(f"document.querySelector('{STAGE}').dataset.stage === '{stage}'")
        if stage == "update":
            pg.page.wait_for_function(f"document.querySelector('{STAGE}').dataset.done === 'true'")
            ref["after"] = pg.api(f"/api/sessions/{sid}")["state"]
        else:
            assert pg.step_count() == 0, f"the update happened before its stage ({stage})"
        if stage == "forward-1":  # pick another unit: the equations follow it
            pg.page.click(f"{STAGE} tr[data-unit='2']")
            pg.page.wait_for_function(f"document.querySelector('{STAGE} .x-eq [data-q=z]')?.dataset.j === '2'")
        count = check_numbers(pg, ref)
        assert count >= 3, f"stage {stage} shows only {count} numbers"
        assert pg.page.get_attribute(STAGE, "data-sample") == "1"
        assert f"stage {i + 1} of {len(order)}" in pg.page.text_content("[data-testid=explain-progress]")
        seen.append(stage)
        pg.screenshot(f"explain-{i:02d}-{stage}")
        if stage != "update":
            pg.page.click("[data-testid=explain-next]")
    assert seen == order

    # the update really happened, exactly once, and it was W − η·dW of that very batch
    pg.wait_step(1)
    after = pg.api(f"/api/sessions/{sid}")["state"]
    assert after["step"] == 1
    eta = session["config"]["learning_rate"]
    for before, grads, now in zip(session["state"]["layers"], trace["layers"], after["layers"], strict=True):
        np.testing.assert_allclose(now["W"], np.array(before["W"]) - eta * np.array(grads["dW"]), rtol=0, atol=1e-15)
        np.testing.assert_allclose(now["b"], np.array(before["b"]) - eta * np.array(grads["db"]), rtol=0, atol=1e-15)
    shown_after = [n for n in pg.js(NUMBERS) if n["q"] == "W_after"]
    assert shown_after and all(float(n["v"]) == after["layers"][n["l"]]["W"][n["j"]][n["k"]] for n in shown_after)

    # back through the stages: nothing is applied twice
    pg.page.click("[data-testid=explain-prev]")
    pg.page.wait_for_function(f"document.querySelector('{STAGE}').dataset.stage === 'backward-1'")
    pg.page.click("[data-testid=explain-next]")
    pg.page.wait_for_function(f"document.querySelector('{STAGE}').dataset.stage === 'update'")
    pg.page.wait_for_timeout(300)
    assert pg.api(f"/api/sessions/{sid}")["state"]["step"] == 1
    # the next explanation is of the next update
    pg.page.click("[data-testid=explain-next]")
    pg.page.wait_for_function(f"document.querySelector('{STAGE}').dataset.stage === 'intro' && "
                              f"document.querySelector('{STAGE}').dataset.updateStep === '2'")
    pg.page.click("[data-testid=explain-close]")
    pg.page.wait_for_function("document.querySelector('[data-testid=explain]').hidden")


def test_explain_autoplay_reaches_the_update(playground):
    pg = playground.open("/?hidden_layers=-")  # no hidden layer: six stages
    pg.page.click("[data-testid=explain-open]")
    pg.page.wait_for_function(f"document.querySelector('{STAGE}')?.dataset.stage === 'intro'")
    # click a point of the batch plot: that sample is followed
    plot = "[data-testid=explain-batch-plot]"
    pg.page.wait_for_function(f"document.querySelector('{plot}')?._fullLayout")
    x, y = pg.js(f"""() => {{ const el = document.querySelector('{plot}'), f = el._fullLayout, t = el.data[0], b = el.getBoundingClientRect();
        return [b.left + f.xaxis._offset + f.xaxis.d2p(t.x[2]), b.top + f.yaxis._offset + f.yaxis.d2p(t.y[2])]; }}""")
    pg.page.mouse.click(x, y)
    pg.page.wait_for_function(f"document.querySelector('{STAGE}').dataset.sample === '2'")
    pg.page.click("[data-testid=explain-autoplay]")
    assert pg.page.get_attribute("[data-testid=explain-autoplay]", "aria-pressed") == "true"
    pg.page.wait_for_function(f"document.querySelector('{STAGE}').dataset.done === 'true'", timeout=60_000)
    pg.wait_step(1)
    assert pg.page.get_attribute("[data-testid=explain-autoplay]", "aria-pressed") == "false"


def catalog(pg) -> list[dict]:
    return pg.api("/api/catalog")["presets"]


def test_every_lesson_opens_from_its_link_and_the_menu_lists_them(playground):
    pg = playground.open()
    presets = catalog(pg)
    assert len(presets) >= 8
    pg.page.click("[data-testid=lessons-button]")
    links = pg.js("[...document.querySelectorAll('[data-testid=lesson-link]')].map(a => [a.dataset.lesson, a.getAttribute('href'), a.textContent])")
    assert [x[0] for x in links] == [p["id"] for p in presets]
    for (lid, href, text), p in zip(links, presets, strict=True):
        assert href == f"/?lesson={lid}" and p["title"] in text and p["text"] in text
    for p in presets:
        pg.open(f"/?lesson={p['id']}")
        card = "[data-testid=lesson-card]"
        assert pg.page.get_attribute(card, "data-lesson") == p["id"]
        assert pg.page.text_content("[data-testid=lesson-text]") == p["text"]
        config = pg.js("window.__chainrule.config")
        for key, value in p["config"].items():
            assert config[key] == value, (p["id"], key)
        # the address bar and the share link keep the lesson (a reload shows its card again) until it is dismissed
        assert f"lesson={p['id']}" in pg.js("location.search")
        assert f"lesson={p['id']}" in pg.page.get_attribute("[data-testid=share-link]", "href")
        pg.page.click("[data-testid=lesson-dismiss]")
        assert pg.page.locator(card).count() == 0
        assert "lesson=" not in pg.js("location.search")
        assert "lesson=" not in pg.page.get_attribute("[data-testid=share-link]", "href")
    # and from the menu: set up in this very session, from step 0
    sid = pg.session_id()
    pg.page.keyboard.press("ArrowRight")
    pg.wait_step(1)
    pg.page.click("[data-testid=lessons-button]")
    pg.page.click(f"[data-testid=lesson-link][data-lesson='{presets[0]['id']}']")
    pg.page.wait_for_selector(f"[data-testid=lesson-card][data-lesson='{presets[0]['id']}']")
    pg.wait_step(0)
    assert pg.session_id() == sid
    config = pg.api(f"/api/sessions/{sid}")["config"]
    for key, value in presets[0]["config"].items():
        assert config[key] == value, key
    assert f"lesson={presets[0]['id']}" in pg.js("location.search")
    # a reload keeps the lesson's card and its setup
    pg.page.select_option("#learning-rate", "0.1")
    pg.page.wait_for_function("location.search.includes('learning_rate=0.1')")
    pg.page.reload()
    pg.wait_ready()
    assert pg.page.get_attribute("[data-testid=lesson-card]", "data-lesson") == presets[0]["id"]
    assert pg.js("window.__chainrule.config.learning_rate") == 0.1


@pytest.mark.parametrize("lesson", ["xor-needs-hidden", "zero-init-symmetry", "three-classes-softmax"])
def test_a_lesson_from_the_menu_sets_up_what_its_link_does_whatever_the_session_had(playground, lesson):
    # x1·x2 as a feature made the no-hidden-layer XOR lesson learn XOR (100 %), and an
    # earlier lesson's mse loss stayed: they were sent as null, which means "keep"
    pg = playground.open("/?dataset=xor&features=x1,x2,x1x2,sin_x1&loss=mse&output_activation=tanh&learning_rate=0.3")
    had = pg.api(f"/api/sessions/{pg.session_id()}")["config"]
    assert had["features"] == ["x1", "x2", "x1x2", "sin_x1"] and had["loss"] == "mse"
    pg.page.click("[data-testid=lessons-button]")
    pg.page.click(f"[data-testid=lesson-link][data-lesson='{lesson}']")
    pg.page.wait_for_selector(f"[data-testid=lesson-card][data-lesson='{lesson}']")
    pg.wait_step(0)
    got = pg.api(f"/api/sessions/{pg.session_id()}")["config"]
    # the reference: a session made from the lesson's own settings alone, every other at its default
    preset = next(p for p in pg.api("/api/catalog")["presets"] if p["id"] == lesson)
    fresh = post(pg.base_url, "/api/sessions", preset["config"])["config"]
    assert got == fresh, {k: (got[k], fresh[k]) for k in got if got[k] != fresh.get(k)}


def test_too_high_learning_rate_lesson_diverges_and_says_so(playground):
    pg = playground.open("/?lesson=learning-rate-too-high")
    pg.page.click("[data-testid=play]")
    pg.page.wait_for_function("window.__chainrule.frame?.status === 'diverged'", timeout=30_000)
    pg.page.wait_for_function("document.querySelector('[data-testid=status]').classList.contains('status-bad')")
    status = pg.page.text_content("[data-testid=status]")
    assert "learning rate" in status and "reset" in status.lower()
    # the climb the lesson describes is visible: losses over many decades get a log axis
    # (on a linear one up to 10³⁰⁰ every earlier loss lay flat at 0)
    pg.page.wait_for_function("document.getElementById('loss-chart').layout.yaxis.type === 'log'", timeout=5_000)
    series = pg.js("window.__chainrule.series ?? null") or pg.api(f"/api/sessions/{pg.session_id()}/history")
    losses = [v for v in series["train_loss"] + series["test_loss"] if v]
    assert max(losses) / min(losses) > 1e4
    lo, hi = pg.js("document.getElementById('loss-chart').layout.yaxis.range")
    assert lo <= np.log10(min(losses)) + 1 and hi >= np.log10(max(losses)) - 1  # both ends on the axis
    pg.screenshot("lesson-learning-rate-too-high-log-loss")
    # it trains no more until a reset, and says so: play and step are off (reset is not),
    # and lowering the rate as the message asks says to reset (it said "training goes on")
    stopped = pg.step_count()
    pg.page.wait_for_function("document.querySelector('[data-testid=play]').disabled")
    assert pg.page.is_disabled("[data-testid=step]") and not pg.page.is_disabled("[data-testid=reset]")
    assert "press reset" in pg.page.get_attribute("[data-testid=play]", "title")
    pg.page.keyboard.press("ArrowRight")
    pg.page.wait_for_function("document.querySelector('[data-testid=notice]').textContent.includes('press reset')")
    pg.page.select_option("#learning-rate", "0.1")
    pg.page.wait_for_function("document.querySelector('[data-testid=notice]').textContent.includes('New learning rate applied.')")
    notice = pg.page.text_content("[data-testid=notice]")
    assert f"stopped at step {stopped}" in notice and "press reset" in notice and "goes on" not in notice
    assert pg.step_count() == stopped
    # a reset starts linear again, and trains
    pg.page.keyboard.press("r")
    pg.wait_step(0)
    pg.page.wait_for_function("document.getElementById('loss-chart').layout.yaxis.type !== 'log'", timeout=5_000)
    pg.page.wait_for_function("!document.querySelector('[data-testid=play]').disabled")
    pg.page.keyboard.press("ArrowRight")
    pg.wait_step(1)
    pg.assert_no_errors()


def test_zero_init_lesson_keeps_hidden_units_identical(playground):
    pg = playground.open("/?lesson=zero-init-symmetry")
    for n in range(1, 6):
        pg.page.click("[data-testid=step]")
        pg.wait_step(n)
    pg.page.wait_for_function("window.__chainrule.frame?.step === 5")
    frame = pg.js("window.__chainrule.frame")
    for layer in frame["layers"][:-1]:  # every hidden unit: the same incoming weights, the same picture
        assert all(row == layer["W"][0] for row in layer["W"])
        assert len(set(layer["b"])) == 1
    for maps in frame["neurons"]["maps"][:-1]:
        assert len({m["data"] for m in maps}) == 1
    state = pg.api(f"/api/sessions/{pg.session_id()}")["state"]
    assert np.ptp(np.array(state["layers"][0]["W"]), axis=0).max() == 0
    # with tanh every weight gradient is exactly 0: the gradient chart says so (it said
    # "No update yet" until something redrew it), and its table shows the zeros
    assert all(not any(any(row) for row in layer["dW"]) for layer in state["layers"])
    note = pg.js("document.getElementById('gradient-chart').layout.annotations?.[0]?.text ?? ''")
    assert "exactly 0" in note and "No update yet" not in note, note


def test_vanishing_gradient_lesson_shows_a_tiny_first_layer_gradient(playground):
    pg = playground.open("/?lesson=vanishing-gradients")
    pg.page.click("[data-testid=step]")
    pg.wait_step(1)
    pg.page.wait_for_function("window.__chainrule.frame?.grad_norms?.[0] != null")
    norms = pg.js("window.__chainrule.frame.grad_norms")
    assert norms[0] * 100 <= norms[-1]


def test_every_panel_has_a_help_that_opens(playground):
    pg = playground.open()
    topics = pg.js("[...document.querySelectorAll('[data-testid=help]')].map(b => b.dataset.help)")
    assert set(topics) >= {"data", "features", "network", "output", "loss-chart", "gradient-chart", "training", "settings"}
    for topic in topics:
        pg.page.click(f"[data-testid=help][data-help='{topic}']")
        pop = "[data-testid=help-popover]"
        pg.page.wait_for_function(f"!document.querySelector('{pop}').hidden && document.querySelector('{pop}').dataset.topic === '{topic}'")
        assert len(pg.page.text_content(f"{pop} .help-text")) > 60
        assert pg.page.text_content(f"{pop} .help-formula").strip()
        box = pg.page.locator(pop).bounding_box()
        assert box["x"] >= 0 and box["y"] >= 0 and box["x"] + box["width"] <= 1280 and box["y"] + box["height"] <= 720
        pg.page.keyboard.press("Escape")
        pg.page.wait_for_function(f"document.querySelector('{pop}').hidden")
    # the loss formulas come from the engine's catalog
    pg.page.click("[data-testid=help][data-help='loss-chart']")
    for loss in pg.api("/api/catalog")["losses"]:
        assert loss["formula"] in pg.page.text_content("[data-testid=help-popover] .help-formula")


@pytest.mark.parametrize("query", ["?dataset=spiral3&optimizer=adam&l2=0.001&hidden_layers=5",
                                   "?dataset=sine&optimizer=momentum&l1=0.001&batch_size=4"])
def test_explain_other_losses_optimizers_and_penalties(playground, query):
    """Cross-entropy with softmax and Adam with L2; MSE regression with momentum and L1: every number is the engine's."""
    pg = playground.open("/" + query)
    sid, base = pg.session_id(), pg.base_url
    session = pg.api(f"/api/sessions/{sid}")
    batch = pg.api(f"/api/sessions/{sid}/batch")
    trace = post(base, f"/api/sessions/{sid}/trace", {"x": batch["x"], "y": batch["y"]})
    ref = {"snap": session["state"], "config": session["config"], "batch": batch, "trace": trace, "after": None,
           "sample": post(base, f"/api/sessions/{sid}/trace", {"x": [batch["x"][0]], "y": [batch["y"][0]]})}
    assert ref["trace"]["penalty"] > 0
    pg.page.click("[data-testid=explain-open]")
    pg.page.wait_for_function(f"document.querySelector('{STAGE}')?.dataset.stage === 'intro'")
    while True:
        stage = pg.page.get_attribute(STAGE, "data-stage")
        if stage == "update":
            pg.page.wait_for_function(f"document.querySelector('{STAGE}').dataset.done === 'true'")
            ref["after"] = pg.api(f"/api/sessions/{sid}")["state"]
        assert check_numbers(pg, ref) >= 2, stage
        if stage == "loss-batch":
            assert any(n["q"] == "penalty" for n in pg.js(NUMBERS))
        if stage == "update":
            assert session["config"]["optimizer"] in pg.page.text_content(STAGE)
            break
        pg.page.keyboard.press("ArrowRight")  # → walks the stages while explain mode is open
        pg.page.wait_for_function(f"document.querySelector('{STAGE}').dataset.stage !== '{stage}'")
    pg.wait_step(1)
    assert pg.api(f"/api/sessions/{sid}")["state"]["step"] == 1


def test_explain_writes_a_softmax_outputs_delta_as_the_sum_it_is(playground):
    """Softmax with mse is not fused: δⱼ = Σₖ ∂L/∂ŷₖ·∂ŷₖ/∂zⱼ = ŷⱼ(∂L/∂ŷⱼ − Σₖ ŷₖ ∂L/∂ŷₖ). It was shown as
    ∂L/∂ŷⱼ · (the Jacobian's diagonal) = δⱼ, an equation whose two sides differ."""
    pg = playground.open("/?dataset=spiral3&loss=mse&hidden_layers=4")
    sid, base = pg.session_id(), pg.base_url
    session = pg.api(f"/api/sessions/{sid}")
    assert session["config"]["output_activation"] == "softmax"
    batch = pg.api(f"/api/sessions/{sid}/batch")
    trace = post(base, f"/api/sessions/{sid}/trace", {"x": batch["x"], "y": batch["y"]})
    ref = {"snap": session["state"], "config": session["config"], "batch": batch, "trace": trace, "after": None,
           "sample": post(base, f"/api/sessions/{sid}/trace", {"x": [batch["x"][0]], "y": [batch["y"][0]]})}
    pg.page.click("[data-testid=explain-open]")
    for stage in ("intro", "forward-1", "forward-2", "loss-sample", "loss-batch"):
        pg.page.wait_for_function(f"document.querySelector('{STAGE}')?.dataset.stage === '{stage}'")
        pg.page.click("[data-testid=explain-next]")
    pg.page.wait_for_function(f"document.querySelector('{STAGE}').dataset.stage === 'backward-2'")
    check_numbers(pg, ref)
    for unit in (0, 2):
        if unit:
            pg.page.click(f"{STAGE} tr[data-unit='{unit}']")
            pg.page.wait_for_function(f"document.querySelector('{STAGE} .x-eq [data-q=dL_dz]')?.dataset.j === '{unit}'")
        # the equation of δ (with mse, the line of ∂L/∂ŷ comes before it)
        first = pg.js(f"""[...[...document.querySelectorAll('{STAGE} .x-eq')].find(e => e.querySelector('[data-q=dL_dz]'))
            .querySelectorAll('[data-q]')].map(e => [e.dataset.q, Number(e.dataset.v)])""")
        assert [q for q, _ in first] == ["a", "dL_da"] + ["a", "dL_da"] * 3 + ["dL_dz"]
        v = [x for _, x in first]
        a_j, g_j, pairs, delta = v[0], v[1], v[2:8], v[8]
        assert math.isclose(a_j * (g_j - sum(pairs[i] * pairs[i + 1] for i in range(0, 6, 2))), delta, rel_tol=1e-9)
        assert delta == trace["layers"][1]["dL_dz"][0][unit]
        # the unit table shows ŷ beside δ (there is no single slope to show)
        head = pg.js(f"[...document.querySelectorAll('{STAGE} .x-table thead th')].map(t => t.textContent)")
        assert "ŷ" in head and "f′(z)" not in head
    pg.assert_no_errors()


def test_a_lessons_share_link_keeps_the_changes_made_in_it(playground, new_playground):
    """?lesson= reapplies the lesson's setup, so the link must write every value
    that differs from it, even one equal to the usual default (the learning rate
    lowered back to 0.03 in "learning rate too high" came back as 1)."""
    pg = playground.open("/?lesson=learning-rate-too-high")
    assert pg.js("window.__chainrule.config.learning_rate") == 1
    pg.page.select_option("#learning-rate", "0.03")
    pg.page.wait_for_function("window.__chainrule.config.learning_rate === 0.03")
    link = pg.page.get_attribute("[data-testid=share-link]", "href")
    assert "lesson=learning-rate-too-high" in link and "learning_rate=0.03" in link
    other = new_playground().open(link.removeprefix(pg.base_url))
    assert other.js("window.__chainrule.config.learning_rate") == 0.03
    assert other.js("window.__chainrule.config.dataset") == "plane"
    assert other.page.get_attribute("[data-testid=lesson-card]", "data-lesson") == "learning-rate-too-high"
    pg.assert_no_errors()


def test_the_xor_lessons_plus_adds_the_hidden_layer_of_four_it_promises(playground):
    pg = playground.open("/?lesson=xor-needs-hidden")
    assert "hidden layer of four" in pg.page.text_content("[data-testid=lesson-text]")
    assert pg.sizes() == "2,1"
    pg.page.click("#add-layer")
    pg.page.wait_for_function("document.querySelector('[data-testid=network]').dataset.sizes === '2,4,1'")
    pg.assert_no_errors()


def test_a_lesson_waits_while_explain_mode_holds_the_session(playground):
    """With explain mode open the menu's lesson link used to open a new session
    in the tab (the class left on the old one); it now says what to do first."""
    pg = playground.open()
    sid = pg.session_id()
    pg.page.click("[data-testid=explain-open]")
    pg.page.wait_for_function(f"document.querySelector('{STAGE}')?.dataset.stage === 'intro'")
    pg.page.click("[data-testid=lessons-button]")
    pg.page.click("[data-testid=lesson-link][data-lesson='xor-needs-hidden']")
    pg.page.wait_for_function("document.querySelector('[data-testid=notice]').textContent.includes('Close Explain')")
    assert pg.session_id() == sid and pg.js("window.__chainrule.config.dataset") == "circle"
    assert pg.page.locator("[data-testid=lesson-card]").count() == 0
    pg.page.click("[data-testid=explain-close]")
    pg.page.click("[data-testid=lessons-button]")
    pg.page.click("[data-testid=lesson-link][data-lesson='xor-needs-hidden']")
    pg.page.wait_for_selector("[data-testid=lesson-card][data-lesson='xor-needs-hidden']")
    assert pg.session_id() == sid and pg.js("window.__chainrule.config.dataset") == "xor"
    pg.assert_no_errors()


# -- the equations as written check out (audit items A, C, D, E, H, I) -----------------------------------

EQUATIONS = f"""() => [...document.querySelectorAll('{STAGE} .x-eq')].map(eq => ({{
    text: eq.textContent, html: eq.innerHTML,
    nums: [...eq.querySelectorAll('[data-q]')].map(e => ({{q: e.dataset.q, text: e.textContent,
        l: e.dataset.l === undefined ? null : Number(e.dataset.l)}}))}}))"""
ACTIVATIONS = {"tanh": math.tanh, "sigmoid": lambda z: 1 / (1 + math.exp(-z)), "relu": lambda z: max(z, 0.0),
               "leaky_relu": lambda z: z if z > 0 else 0.01 * z, "linear": lambda z: z}


def _put_weights(base: str, sid: str, layers: list) -> None:
    request = urllib.request.Request(f"{base}/api/sessions/{sid}/weights", method="PUT",
                                     data=json.dumps({"layers": layers}).encode(), headers={"Content-Type": "application/json"})
    urllib.request.urlopen(request, timeout=10).close()


def check_equations(pg, config: dict, n_samples: int) -> list[str]:
    """Redo the arithmetic of every equation on the stage with the numbers as displayed: the result
    displayed must be what they give, to its last digit. Returns the kinds checked."""
    from displayed import agrees, value
    L = len(config["hidden_layers"]) + 1
    acts = config["activation"] if isinstance(config["activation"], list) else [config["activation"]] * (L - 1)
    act_of = lambda layer: config["output_activation"] if layer == L - 1 else acts[layer]  # noqa: E731
    kinds = []
    for eq in pg.js(EQUATIONS):
        nums = eq["nums"]
        if len(nums) < 2:
            continue
        qs, t, result = [n["q"] for n in nums], [value(n["text"]) for n in nums], nums[-1]["text"]
        pairs = lambda s: sum(s[i] * s[i + 1] for i in range(0, len(s) - 1, 2))  # noqa: E731
        if qs[-1] == "z" and qs[-2] == "b":                                   # z = Σₖ Wₖ·aₖ + b
            kind, got = "weighted sum", pairs(t[:-2]) + t[-2]
        elif qs == ["z", "a"] and act_of(nums[1]["l"]) in ACTIVATIONS:        # a = f(z)
            kind, got = "activation", ACTIVATIONS[act_of(nums[1]["l"])](t[0])
        elif qs == ["dL_da", "da_dz", "dL_dz"]:                               # δ = ∂L/∂a · f′(z)
            kind, got = "delta product", t[0] * t[1]
        elif qs[-1] == "dL_da" and qs[:-1] == ["W", "dL_dz"] * ((len(qs) - 1) // 2):   # ∂L/∂a = Σₘ W·δ
            kind, got = "backward sum", pairs(t[:-1])
        elif qs == ["a", "y", "dL_dz"]:                                       # δ = (ŷ − y)/N
            kind, got = "fused delta", (t[0] - t[1]) / n_samples
        elif qs == ["a", "y", "dL_da"]:                                       # mse: ∂L/∂ŷ = 2(ŷ − y)/(N·K)
            K = pg.js("window.__chainrule.data.sizes.at(-1)")
            kind, got = "mse gradient", 2 * (t[0] - t[1]) / (n_samples * K)
        elif qs[:2] == ["a", "dL_da"] and qs[-1] == "dL_dz":                  # softmax: ŷⱼ(∂L/∂ŷⱼ − Σ ŷₖ ∂L/∂ŷₖ)
            kind, got = "softmax delta", t[0] * (t[1] - pairs(t[2:-1]))
        elif qs[-1] == "sample_loss":
            ys, yh = t[:-1:2], t[1:-1:2]
            kind = "sample loss"
            if config["loss"] == "mse":
                got = sum((a - b) ** 2 for a, b in zip(ys, yh, strict=True)) / len(ys)
            elif config["loss"] == "bce":
                got = -(t[0] * math.log(t[1]) + (1 - t[2]) * math.log(1 - t[3]))   # y, ŷ, y, ŷ as written
            else:
                got = -sum(a * math.log(b) for a, b in zip(ys, yh, strict=True) if a)
        elif qs == ["data_loss", "penalty", "loss"]:
            kind, got = "batch loss", t[0] + t[1]
        else:
            continue
        assert agrees(got, result), f"{kind}: the numbers shown give {got!r}, the page shows {result}: {eq['text']}"
        kinds.append(kind)
    # the update table (sgd): after = before − η · gradient, as shown
    if config["optimizer"] == "sgd":
        for row in pg.js(f"""[...document.querySelectorAll('{STAGE} .x-update > table.x-table tbody tr')].map(r =>
                [...r.querySelectorAll('[data-q]')].map(e => e.textContent))"""):
            if len(row) == 3:
                before, grad, after = row
                got = value(before) - config["learning_rate"] * value(grad)
                assert agrees(got, after), f"update: {before} − η·{grad} = {got!r}, the page shows {after}"
                kinds.append("update")
    return kinds


def _walk_to(pg, stage: str) -> None:
    while pg.page.get_attribute(STAGE, "data-stage") != stage:
        current = pg.page.get_attribute(STAGE, "data-stage")
        pg.page.click("[data-testid=explain-next]")
        pg.page.wait_for_function(f"document.querySelector('{STAGE}').dataset.stage !== '{current}'")


def _pick_unit(pg, unit: int) -> None:
    pg.page.click(f"{STAGE} tr[data-unit='{unit}']")
    pg.page.wait_for_function(f"document.querySelector('{STAGE} tr.x-unit.x-hl')?.dataset.unit === '{unit}'")


def test_every_equation_explain_mode_writes_checks_out_with_the_numbers_shown(playground):
    """Factors shown with four digits did not always multiply to the product shown: a tanh′ of
    0.99998 was written "1", next to "0.001644 · 1 = 0.001643". Every sum and product written
    out now carries the digits that make it check out, and a rounded factor never looks exact."""
    pg = playground.open()
    sid, base = pg.session_id(), pg.base_url
    session = pg.api(f"/api/sessions/{sid}")
    config = session["config"]
    # hidden layer 2, unit 1: no weights in, bias 0.004, so z = 0.004 for every sample and tanh′(z) = 0.999984
    layers = [{"W": layer["W"], "b": layer["b"]} for layer in session["state"]["layers"]]
    layers[1]["W"][0] = [0.0] * len(layers[1]["W"][0])
    layers[1]["b"][0] = 0.004
    _put_weights(base, sid, layers)
    batch = pg.api(f"/api/sessions/{sid}/batch")
    N = len(batch["x"])
    pg.page.click("[data-testid=explain-open]")
    pg.page.wait_for_function(f"document.querySelector('{STAGE}')?.dataset.stage === 'intro'")
    sizes = [len(layer["b"]) for layer in layers]
    kinds: list[str] = []
    for stage in ["forward-1", "forward-2", "forward-3", "loss-sample", "loss-batch", "backward-3", "backward-2", "backward-1"]:
        _walk_to(pg, stage)
        layer = int(stage[-1]) - 1 if stage[-1].isdigit() else None
        for unit in range(sizes[layer] if layer is not None else 1):
            if layer is not None and unit:
                _pick_unit(pg, unit)
            kinds += check_equations(pg, config, N)
            if stage == "backward-2" and unit == 0:
                # the slope near 1 is not written as an exact 1
                slope = pg.js(f"[...document.querySelectorAll('{STAGE} .x-eq [data-q=da_dz]')].map(e => [e.textContent, Number(e.dataset.v)])")
                assert slope and 0.9999 < slope[0][1] < 1
                assert all(text != "1" for text, _ in slope), slope
                pg.screenshot("explain-equations-check-out-backward-2")
            if stage.startswith("backward"):
                # ∂L/∂W sums the chain rule over the samples of the batch, in its middle term too
                dw = next(e["text"] for e in pg.js(EQUATIONS) if "δi" in e["text"])
                assert dw.count("Σi") == 2 and "∂L∂zi" in dw.replace(" ", ""), dw
            if stage in ("backward-2", "backward-1"):
                blame = pg.page.text_content(f"{STAGE} .x-note")
                assert "in proportion to W" in blame and "· δm" in blame, blame
        if layer is not None:
            _pick_unit(pg, 0)
    _walk_to(pg, "update")
    pg.page.wait_for_function(f"document.querySelector('{STAGE}').dataset.done === 'true'")
    kinds += check_equations(pg, config, N)
    for kind in ("weighted sum", "activation", "delta product", "backward sum", "fused delta", "sample loss", "batch loss", "update"):
        assert kind in kinds, f"no {kind} equation was checked"
    pg.screenshot("explain-equations-check-out-update")


@pytest.mark.parametrize("query", ["?dataset=spiral3&loss=mse&output_activation=linear&hidden_layers=4&activation=linear",
                                   "?dataset=sine&hidden_layers=4"])
def test_explain_writes_the_mse_loss_and_its_gradient_so_they_can_be_checked(playground, query):
    """With mse and several outputs the sample's loss read "1/3(1 − 0.33)² + (0 − 0.32)² + …" (no
    brackets), the output's ∂L/∂ŷ = 2(ŷ − y)/(N·K) was never written out, and a linear output showed
    "id(z)" and a bare "1: the output activation’s slope…"."""
    from displayed import agrees, value
    pg = playground.open("/" + query)
    sid, base = pg.session_id(), pg.base_url
    session = pg.api(f"/api/sessions/{sid}")
    config = session["config"]
    assert config["loss"] == "mse" and config["output_activation"] == "linear"
    batch = pg.api(f"/api/sessions/{sid}/batch")
    trace = post(base, f"/api/sessions/{sid}/trace", {"x": batch["x"], "y": batch["y"]})
    ref = {"snap": session["state"], "config": config, "batch": batch, "trace": trace, "after": None,
           "sample": post(base, f"/api/sessions/{sid}/trace", {"x": [batch["x"][0]], "y": [batch["y"][0]]})}
    N, K = len(batch["x"]), len(batch["y"][0])
    assert K == (3 if "spiral3" in query else 1)
    pg.page.click("[data-testid=explain-open]")
    pg.page.wait_for_function(f"document.querySelector('{STAGE}')?.dataset.stage === 'intro'")

    _walk_to(pg, "forward-2")   # the output layer: one name for the linear activation
    text = pg.page.text_content(STAGE)
    assert "linear(z" in text.replace(" ", "") and "id(" not in text

    _walk_to(pg, "loss-sample")
    eq = pg.js(EQUATIONS)[0]
    nums = eq["nums"]
    assert [n["q"] for n in nums] == ["y", "a"] * K + ["sample_loss"]
    t = [value(n["text"]) for n in nums]
    mean = sum((t[i] - t[i + 1]) ** 2 for i in range(0, 2 * K, 2)) / K
    assert agrees(mean, nums[-1]["text"]), (mean, eq["text"])          # the written mean gives ℓ
    if K > 1:   # 1/K [(…)² + (…)² + (…)²]: the whole sum in brackets
        numeric = eq["text"].split("=")[2]
        assert re.fullmatch(r"\s*1" + str(K) + r" \[\(.*\)2\]\s*", numeric), numeric
        assert numeric.count("[") == 1 and numeric.count("]") == 1
    check_numbers(pg, ref)

    _walk_to(pg, "backward-2")  # the output: ∂L/∂ŷ = 2(ŷ − y)/(N·K) with its numbers, then δ = ∂L/∂ŷ · linear′(z)
    check_numbers(pg, ref)
    eqs = pg.js(EQUATIONS)
    grad = next(e for e in eqs if [n["q"] for n in e["nums"]] == ["a", "y", "dL_da"])
    a, y, g = (n["text"] for n in grad["nums"])
    assert agrees(2 * (value(a) - value(y)) / (N * K), g), grad["text"]
    compact = grad["text"].replace(" ", "")
    assert ("2(ŷ1−y1)N·K" if K > 1 else "2(ŷ1−y1)N") in compact, compact
    assert (f"){N}·{K}=" if K > 1 else f"){N}=") in compact, compact   # the numbers: 2(ŷ − y) over N·K
    # the same number, where the next equation takes it up (a factor there: bracketed when negative)
    assert grad["nums"][2]["text"].strip("()") == next(e for e in eqs if [n["q"] for n in e["nums"]] == ["dL_da", "da_dz", "dL_dz"])["nums"][0]["text"].strip("()")
    notes = pg.js(f"[...document.querySelectorAll('{STAGE} .x-note')].map(e => e.textContent)")
    assert any(("1/(N·K)" if K > 1 else "1/N") in s and "2(ŷ − y)" in s for s in notes), notes
    slope = [s for s in notes if "slope" in s]
    assert slope and all("linear′(z) = 1" in s and not s.startswith("1") for s in slope), slope
    assert "delta product" in check_equations(pg, config, N)
    pg.screenshot(f"explain-mse-output-{K}")
    if "activation=linear" in query:   # a linear hidden layer: its slope in a sentence too, not a bare "1."
        _walk_to(pg, "backward-1")
        notes = pg.js(f"[...document.querySelectorAll('{STAGE} .x-note')].map(e => e.textContent)")
        assert "The second factor is the activation’s slope at this sample’s z: linear′(z) = 1." in notes, notes
        assert "1." not in notes
        assert "linear′(z" in pg.page.text_content(STAGE).replace(" ", "")


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_the_update_stage_says_what_each_optimizer_did(playground, optimizer):
    """"Every weight moved against its gradient, scaled by the learning rate η" was said for every
    optimizer (true only for sgd), and the gradient column, headed ∂L/∂W, also held the bias's ∂L/∂b."""
    pg = playground.open(f"/?hidden_layers=-&optimizer={optimizer}")
    assert pg.js("window.__chainrule.config.optimizer") == optimizer
    pg.page.click("[data-testid=explain-open]")
    pg.page.wait_for_function(f"document.querySelector('{STAGE}')?.dataset.stage === 'intro'")
    _walk_to(pg, "update")
    pg.page.wait_for_function(f"document.querySelector('{STAGE}').dataset.done === 'true'")
    first = pg.page.text_content(f"{STAGE} .x-note")
    title = pg.page.text_content("[data-testid=explain-title]")
    head = pg.js(f"[...document.querySelectorAll('{STAGE} .x-update > table.x-table thead th')].map(t => t.textContent)")
    assert "∂L/∂W" in head[2] and "∂L/∂b" in head[2], head
    rows = pg.js(f"[...document.querySelectorAll('{STAGE} .x-update > table.x-table tbody tr th')].map(t => t.textContent)")
    assert rows[-1].startswith("b"), rows   # the bias row sits under that header
    if optimizer == "sgd":
        assert "against its gradient, scaled by the learning rate" in first
        assert head[3] == "after = before − η · gradient"
        assert "W ← W − η∇W" in title
        assert "update" in check_equations(pg, pg.api(f"/api/sessions/{pg.session_id()}")["config"], 10)
    else:
        assert "against its gradient, scaled by" not in first, first
        assert f"moved by the {optimizer} step" in first and "by this rule" in first, first
        assert "∇W" not in title and optimizer in title.lower(), title
        assert head[3] == f"after ({optimizer} step)"
    pg.wait_step(1)


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_the_training_help_gives_the_current_optimizers_rule(playground, optimizer):
    """The Training help said "one step: W ← W − η·∂L/∂W" whatever the optimizer."""
    pg = playground.open(f"/?optimizer={optimizer}")
    rule = {"sgd": "W ← W − η·g", "momentum": "v ← μv + g, W ← W − η·v", "adam": "W ← W − η·m̂/(√v̂ + ε)"}
    pg.page.click("[data-testid=help][data-help='training']")
    pop = "[data-testid=help-popover]"
    pg.page.wait_for_function(f"!document.querySelector('{pop}').hidden && document.querySelector('{pop}').dataset.topic === 'training'")
    formula = pg.page.inner_text(f"{pop} .help-formula")
    assert f"now {optimizer}: {rule[optimizer]}" in formula, formula
    assert "W ← W − η·∂L/∂W" not in formula
    for other, r in rule.items():   # the others, named, with their rules
        assert f"{other}: {r}" in formula
    pg.page.keyboard.press("Escape")
    # the settings' help lists the same rules
    pg.page.click("[data-testid=help][data-help='settings']")
    pg.page.wait_for_function(f"document.querySelector('{pop}').dataset.topic === 'settings'")
    settings = pg.page.inner_text(f"{pop} .help-formula")
    assert all(f"{o}: {r}" in settings for o, r in rule.items()), settings


@pytest.mark.parametrize("present", [False, True])
def test_explain_opened_on_a_narrow_screen_comes_into_view(new_playground, present):
    """Below 1100 px the panel stacks under the network: at 1024×768 it opened at y = 918, under
    the fold, and the class saw nothing happen. Opened by a click, it now scrolls into view."""
    pg = new_playground(1024, 768).open("/?present=1" if present else "/")
    pg.page.keyboard.press("ArrowRight")
    pg.wait_step(1)
    pg.page.click("[data-testid=explain-open]")
    pg.page.wait_for_function("document.querySelector('[data-testid=explain-stage]').dataset.stage === 'intro'")
    pg.page.wait_for_timeout(300)
    box = pg.js("(() => { const r = document.querySelector('[data-testid=explain]').getBoundingClientRect(); return {top: r.top, bottom: r.bottom}; })()")
    assert 0 <= box["top"] < 768 - 120, box
    pg.assert_no_errors()


NEGATIVES = """(() => [...document.querySelectorAll('[data-testid=explain-stage] .x-num.x-neg')].map((e) => {
  const side = (n, dir) => { const s = dir < 0 ? n.previousSibling : n.nextSibling;
    if (!s) { const up = n.parentElement; return up && /^(SPAN|B|I)$/.test(up.tagName) && !up.matches('[data-testid=explain-stage]') ? side(up, dir) : ''; }
    const t = s.textContent.trim(); return t === '' ? side(s, dir) : t; };
  return { text: e.textContent, before: side(e, -1).slice(-1), after: side(e, 1).slice(0, 1) }; }))()"""


def test_explain_brackets_a_negative_number_only_where_an_operator_is_next_to_it(playground):
    """Every negative number was bracketed: "tanh((−1.3886)) = (−0.8829)", "x = (x₁ = (−4.351), …)".
    A negative factor keeps its brackets ("0.35·(−1.875)"); one standing alone has none."""
    pg = playground.open("/?dataset=gauss&seed=3")
    pg.page.click("[data-testid=step]")
    pg.wait_step(1)
    pg.page.click("[data-testid=explain-open]")
    pg.page.wait_for_function(f"document.querySelector('{STAGE}')?.dataset.stage === 'intro'")
    alone = factors = 0
    for stage in ["intro", "forward-1", "forward-2", "forward-3", "loss-sample", "backward-3", "backward-2", "backward-1", "update"]:
        _walk_to(pg, stage)
        text = pg.page.inner_text(STAGE)
        assert "((−" not in text and not re.search(r"= \(−[0-9.e−-]+\)(,|$|\n| {2})", text), (stage, text)
        for neg in pg.js(NEGATIVES):
            bracketed = neg["text"].startswith("(")
            operator_next = neg["before"] in "+−·×" and neg["before"] != "" or neg["after"] in "·×^" and neg["after"] != ""
            assert bracketed == operator_next, (stage, neg)
            alone += not bracketed
            factors += bracketed
    assert alone >= 5 and factors >= 5, (alone, factors)   # both kinds were seen
    pg.assert_no_errors()


@pytest.mark.parametrize("size", [(1280, 720), (1280, 800), (1024, 768)])
def test_a_notice_in_explain_mode_leaves_its_buttons_uncovered(new_playground, size):
    """Space in explain mode says "Training is off…" in a notice at the bottom of the screen, over
    the explanation's Previous / Next buttons, for seconds, just as the student reaches for them."""
    pg = new_playground(*size).open("/")
    pg.page.keyboard.press("ArrowRight")
    pg.wait_step(1)
    pg.page.click("[data-testid=explain-open]")
    pg.page.wait_for_function(f"document.querySelector('{STAGE}')?.dataset.stage === 'intro'")
    pg.page.keyboard.press(" ")
    pg.page.wait_for_selector("[data-testid=notice]:not([hidden])")
    got = pg.js("""(() => { const b = (s) => { const r = document.querySelector(s).getBoundingClientRect();
        return { l: r.left, t: r.top, r: r.right, b: r.bottom }; };
      return { notice: b('[data-testid=notice]'), text: document.querySelector('[data-testid=notice]').textContent,
               buttons: ['prev', 'next', 'autoplay', 'close'].map((k) => b(`[data-testid=explain-${k}]`)) }; })()""")
    assert "Explain" in got["text"], got["text"]
    n = got["notice"]
    assert 0 <= n["t"] and n["b"] <= size[1]
    for btn in got["buttons"]:
        assert n["r"] <= btn["l"] or btn["r"] <= n["l"] or n["b"] <= btn["t"] or btn["b"] <= n["t"], (n, btn)
    pg.page.click("[data-testid=explain-next]")   # and the next stage comes, at once
    pg.page.wait_for_function(f"document.querySelector('{STAGE}').dataset.stage !== 'intro'")
