"""Behaviour the UI audit found wrong, in real Chromium: training held while
explain mode is open or while one's own points are being drawn, the "Per
layer" activation as a display-only state, one click listener on the output
plot however often it is rebuilt, and the wording and look of a few controls.
Screenshots land in tests/artifacts/."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

STAGE = "[data-testid=explain-stage]"
TRANSPORT = ["[data-testid=play]", "[data-testid=step]", "[data-testid=reset]"]
TEN = {"name": "ten.csv", "mimeType": "text/csv",  # API.md's fewest samples
       "buffer": b"x1,x2,label\n1,1,0\n2,2,0\n1,2,0\n2,1,0\n3,3,0\n-1,-1,1\n-2,-2,1\n-1,-2,1\n-2,-1,1\n-3,-3,1\n"}


def server_step(pg) -> int:
    return pg.api(f"/api/sessions/{pg.session_id()}")["state"]["step"]


def assert_training_held(pg, why: str, keys: list[str], step: int) -> None:
    """Play, step and reset are off with ``why`` in their tooltips, and pressing
    ``keys`` leaves the session at ``step``, paused."""
    for sel in TRANSPORT:
        assert pg.page.is_disabled(sel), sel
        assert why in pg.page.get_attribute(sel, "title"), sel
    for key in keys:
        pg.page.keyboard.press(key)
        pg.page.wait_for_timeout(400)  # time for a wrongly sent command to land
    assert server_step(pg) == step
    assert pg.page.get_attribute("[data-testid=play]", "aria-pressed") == "false"


def next_stage(pg) -> None:
    stage = pg.page.get_attribute(STAGE, "data-stage")
    pg.page.keyboard.press("ArrowRight")
    pg.page.wait_for_function(f"document.querySelector('{STAGE}').dataset.stage !== '{stage}'")


def click_plane(pg, x1: float, x2: float, shift: bool = False) -> None:
    """Click the output plot at data coordinates (x1, x2)."""
    box = pg.js("""(() => { const gd = document.querySelector('[data-testid=boundary]');
        const r = gd.getBoundingClientRect(), xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
        return {left: r.left + xa._offset, top: r.top + ya._offset, w: xa._length, h: ya._length}; })()""")
    if shift:
        pg.page.keyboard.down("Shift")
    pg.page.mouse.click(box["left"] + (x1 + 6) / 12 * box["w"], box["top"] + (6 - x2) / 12 * box["h"])
    if shift:
        pg.page.keyboard.up("Shift")


def notice(pg) -> str:
    return "" if pg.page.is_hidden("[data-testid=notice]") else pg.page.text_content("[data-testid=notice]")


# -- 1. explain mode holds the training ---------------------------------------------

def test_explain_mode_holds_play_step_and_reset_so_the_explanation_stays_one_update(playground):
    pg = playground.open()
    pg.page.click("[data-testid=step]")
    pg.wait_step(1)
    before = pg.api(f"/api/sessions/{pg.session_id()}")["state"]  # the weights update 2 starts from
    pg.page.click("[data-testid=explain-open]")
    pg.page.wait_for_function(f"document.querySelector('{STAGE}')?.dataset.stage === 'intro'")
    for _ in range(3):
        next_stage(pg)
    progress = pg.page.text_content("[data-testid=explain-progress]")
    assert "stage 4 of" in progress and "update 2" in progress

    # the buttons are off and say why; the keys do nothing to the session (→ moves Explain on)
    assert_training_held(pg, "Close Explain", [" ", " ", "r"], step=1)
    assert pg.step_count() == 1
    assert "Training is off. Close Explain" in notice(pg)
    assert pg.page.text_content("[data-testid=explain-progress]") == progress
    pg.screenshot("behaviour-explain-holds-training")

    # walking on to the end explains exactly update 2, from the weights read at step 1
    while pg.page.get_attribute(STAGE, "data-stage") != "update":
        next_stage(pg)
    pg.page.wait_for_function(f"document.querySelector('{STAGE}').dataset.done === 'true'")
    assert pg.page.get_attribute(STAGE, "data-update-step") == "2"
    shown = pg.js(f"[...document.querySelectorAll('{STAGE} [data-q=W]')].map(e => ({{l: +e.dataset.l, j: +e.dataset.j, k: +e.dataset.k, v: +e.dataset.v}}))")
    assert shown
    for n in shown:
        assert n["v"] == before["layers"][n["l"]]["W"][n["j"]][n["k"]], n
    pg.wait_step(2)
    assert server_step(pg) == 2

    # closed: the transport is back, with its own tooltips
    pg.page.keyboard.press("Escape")
    pg.page.wait_for_function("document.getElementById('explain').hidden")
    for sel in TRANSPORT:
        assert pg.page.is_enabled(sel), sel
        assert "Close Explain" not in pg.page.get_attribute(sel, "title"), sel
    pg.page.keyboard.press("ArrowRight")
    pg.wait_step(3)


# -- 2. clearing one's points holds the old session ---------------------------------

def test_clear_points_stops_the_old_session_until_the_new_points_are_enough(playground):
    pg = playground.open()
    pg.page.set_input_files("#csv-input", files=[TEN])
    pg.page.wait_for_function("window.__chainrule.data?.config.dataset === 'custom'")
    for _ in range(20):
        pg.page.keyboard.press("ArrowRight")
    pg.wait_step(20)
    pg.page.wait_for_function("document.getElementById('accuracy-train').textContent.includes('%')")

    pg.page.click("#custom-clear")
    status = pg.page.text_content("[data-testid=status]")
    assert "Drawing your own data" in status and "Still needed: 10 more points" in status
    assert_training_held(pg, "points", [" ", "ArrowRight", "r"], step=20)
    assert "Training waits for your own points" in notice(pg)  # a key that does nothing says why
    # the old session's numbers are not shown as if they were about the new points
    for sel in ["[data-testid=step-count]", "#epoch-count", "[data-testid=loss-train]", "[data-testid=loss-test]",
                "#accuracy-train", "#accuracy-test"]:
        assert pg.page.text_content(sel) == "—", sel
    assert pg.page.text_content("label.slider:has(#n-samples) output") == "0"
    assert pg.page.is_disabled("[data-testid=explain-open]")
    assert pg.js("document.body.classList.contains('drawing')")  # the old session's pictures fade
    pg.screenshot("behaviour-clear-points-drawing")

    # five points of each class: a data set (API.md's fewest samples), and training is back
    for x1, x2 in [(-4, -4), (-3, -4.5), (-5, -3), (-3, -3), (-4, -2)]:
        click_plane(pg, x1, x2)
    assert pg.page.text_content("label.slider:has(#n-samples) output") == "5"
    assert pg.page.is_disabled("[data-testid=step]")
    assert "Still needed: 5 more points and points of both classes" in pg.page.text_content("[data-testid=status]")
    for x1, x2 in [(4, 4), (3, 4.5), (5, 3), (3, 3)]:
        click_plane(pg, x1, x2, shift=True)
    assert pg.page.is_disabled("[data-testid=step]")  # nine
    click_plane(pg, 4, 2, shift=True)
    pg.page.wait_for_function("window.__chainrule.data?.config.points.x.length === 10")
    pg.page.wait_for_function("!document.querySelector('[data-testid=step]').disabled")
    pg.wait_step(0)
    assert pg.page.text_content("label.slider:has(#n-samples) output") == "10"
    assert not pg.js("document.body.classList.contains('drawing')")
    pg.page.keyboard.press("ArrowRight")
    pg.wait_step(1)
    assert pg.page.text_content("[data-testid=loss-train]") != "—"


# -- 3. "Per layer" is shown, not chosen ------------------------------------------------

def test_per_layer_activation_is_a_display_only_entry_of_the_activation_menu(playground):
    pg = playground.open()
    pg.page.select_option(".layer-col[data-layer='1'] select.layer-activation", "relu")
    pg.page.wait_for_function("Array.isArray(window.__chainrule.config.activation)")
    assert pg.page.input_value("#activation") == "mixed"
    option = "#activation option[value=mixed]"
    assert pg.page.text_content(option) == "Per layer"
    assert pg.js(f"document.querySelector('{option}').disabled") is True
    # chosen anyway (a script, an old browser): nothing is sent, nothing refused
    pg.js("(() => { const s = document.getElementById('activation'); s.value = 'mixed';"
          " s.dispatchEvent(new Event('change', {bubbles: true})); })()")
    pg.page.wait_for_timeout(500)
    assert "Not changed" not in notice(pg)
    assert pg.api(f"/api/sessions/{pg.session_id()}")["config"]["activation"] == ["tanh", "relu"]
    assert pg.page.input_value("#activation") == "mixed"
    # a real choice still sets every layer
    pg.page.select_option("#activation", "sigmoid")
    pg.page.wait_for_function("window.__chainrule.config.activation === 'sigmoid'")
    assert pg.page.locator(option).count() == 0


# -- 4. one click listener on the output plot ---------------------------------------------

def test_rebuilding_the_output_plot_keeps_a_single_click_listener(playground):
    warnings: list[str] = []
    playground.page.on("console", lambda m: warnings.append(m.text) if m.type == "warning" else None)
    pg = playground.open()
    for seed in range(1, 13):
        pg.page.fill("#seed", str(seed))
        pg.page.dispatch_event("#seed", "change")
        pg.page.wait_for_function(f"window.__chainrule.data?.config.seed === {seed} && window.__chainrule.frame")
    pg.page.wait_for_timeout(300)
    count = pg.js("document.querySelector('[data-testid=boundary]')._ev.listeners('plotly_click').length")
    assert count == 1
    assert not [w for w in warnings if "MaxListeners" in w]
    # and that one listener works: a click on a training point picks a sample for the inspector
    target = pg.js("""(() => { const gd = document.querySelector('[data-testid=boundary]');
        const t = gd.data[0], i = 12, r = gd.getBoundingClientRect(), xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
        return {x: r.left + xa._offset + xa.d2p(t.x[i]), y: r.top + ya._offset + ya.d2p(t.y[i])}; })()""")
    pg.page.mouse.move(target["x"], target["y"])
    pg.page.mouse.click(target["x"], target["y"])
    pg.page.wait_for_function("document.querySelector('[data-testid=network]').dataset.mode === 'backward'")
    pg.page.wait_for_function("document.querySelector('[data-testid=inspector-sample]').dataset.index !== '0'")


# -- 5. wording and look ----------------------------------------------------------------

def test_momentum_label_keeps_a_lower_case_mu(playground):
    pg = playground.open("/?optimizer=momentum")
    label = pg.js("document.getElementById('momentum').closest('.field').querySelector('.field-label').innerText")
    assert label == "MOMENTUM μ"  # the rendered text: upper case, but μ stays μ (not Μ)


def test_inspector_names_a_bias_once(playground):
    pg = playground.open()
    pg.js("window.__chainrule.send({type: 'step', steps: 1})")
    pg.wait_step(1)
    pg.page.wait_for_function("window.__chainrule.frame?.step === 1 && window.__chainrule.framesDrawn > 0")
    target = pg.js("""(() => { const gd = document.querySelector('[data-testid=network]');
        const geo = window.__chainrule.network.geometry, n = geo.nodes[1][0], r = gd.getBoundingClientRect();
        const p = {x: n.x - geo.tile / 2 - geo.bias / 2 - 2, y: n.y - geo.tile / 2 + geo.bias / 2};
        return {x: r.left + p.x, y: r.top + (gd.layout.height - p.y)}; })()""")
    pg.page.mouse.move(target["x"], target["y"])
    pg.page.mouse.click(target["x"], target["y"])
    pg.page.wait_for_function("document.querySelector('[data-testid=inspector]').dataset.target.includes('\"kind\":\"bias\"')"
                              " && document.querySelector('[data-testid=inspector] .insp-title')")
    assert pg.page.text_content("[data-testid=inspector] .insp-title") == "Bias of h₁,₁"


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_disabled_menus_on_a_watch_page_look_disabled(playground, new_playground, theme):
    teacher = playground.open(f"/?theme={theme}")
    student = new_playground().open(f"/watch/{teacher.js('window.__chainrule.watchId')}?theme={theme}")
    look = """(sel) => { const s = getComputedStyle(document.querySelector(sel));
        return {opacity: Number(s.opacity), background: s.backgroundColor, color: s.color, cursor: s.cursor}; }"""
    for sel in ["#learning-rate", "#activation", "#seed", ".layer-activation"]:
        assert student.page.is_disabled(sel) and teacher.page.is_enabled(sel), sel
        on, off = teacher.page.evaluate(look, sel), student.page.evaluate(look, sel)
        assert off["opacity"] <= 0.6 and on["opacity"] == 1, (sel, on, off)
        assert off["background"] != on["background"] and off["cursor"] == "not-allowed", (sel, on, off)


def test_a_seed_out_of_range_is_refused_with_the_reason(playground):
    pg = playground.open()
    seed = pg.js("window.__chainrule.config.seed")
    for typed in ["-3", "4294967296", "1.5"]:
        pg.page.fill("#seed", typed)
        pg.page.dispatch_event("#seed", "change")
        pg.page.wait_for_function("document.querySelector('[data-testid=notice]').textContent.includes('4294967295')")
        text = notice(pg)
        assert "seed must be an integer in [0, 4294967295]" in text and "Not changed" in text, text
        assert pg.page.input_value("#seed") == str(seed)
        pg.page.click("[data-testid=notice]")  # dismissed, so the next one is new
        pg.page.wait_for_function("document.querySelector('[data-testid=notice]').hidden")
    assert pg.api(f"/api/sessions/{pg.session_id()}")["config"]["seed"] == seed
    pg.page.fill("#seed", "7")
    pg.page.dispatch_event("#seed", "change")
    pg.page.wait_for_function("window.__chainrule.config.seed === 7")
