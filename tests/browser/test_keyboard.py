"""The page with a keyboard alone, and what a screen reader is told.

From an audit with a keyboard user: space played instead of pressing the
control tabbed to, a menu moved its focus to nowhere after each change, the
Export menu's first item was 59 Tab stops away, "Load CSV…" could not be
reached, and sliders had no name."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

PLAYING = "document.querySelector('[data-testid=play]').getAttribute('aria-pressed')"
ACTIVE = "document.activeElement"


def _tab_to(pg, selector: str, limit: int = 120) -> None:
    """Press Tab until `selector` has the focus (as a keyboard user gets there)."""
    for _ in range(limit):
        pg.page.keyboard.press("Tab")
        if pg.js(f"{ACTIVE}.matches({selector!r})"):
            return
    raise AssertionError(f"{selector} is not reachable with Tab")


def test_space_presses_the_control_tabbed_to_and_plays_after_a_mouse_click(playground):
    pg = playground.open()
    pg.page.on("filechooser", lambda chooser: None)  # intercept file pickers from the start
    pg.page.focus("#watch-link")
    _tab_to(pg, "#export")
    pg.page.keyboard.press(" ")
    assert pg.page.get_attribute("#export", "aria-expanded") == "true"
    assert pg.js(PLAYING) == "false" and pg.step_count() == 0
    # the menu has the focus, ↑/↓ move in it, Escape gives the focus back to its button
    assert pg.js(f"{ACTIVE}.dataset.testid") == "export-png-network"
    pg.page.keyboard.press("ArrowDown")
    assert pg.js(f"{ACTIVE}.dataset.testid") == "export-png-boundary"
    pg.page.keyboard.press("ArrowUp")
    pg.page.keyboard.press("ArrowUp")
    assert pg.js(f"{ACTIVE}.dataset.testid") == "fork-copy"  # wraps around
    pg.page.keyboard.press("Escape")
    assert pg.page.is_hidden("#export-menu") and pg.js(f"{ACTIVE}.id") == "export"
    # Tab past the last item closes the menu; the Tab order goes on from its button
    pg.page.keyboard.press("Enter")
    pg.page.keyboard.press("Shift+Tab")
    assert pg.page.is_hidden("#export-menu") and pg.js(f"{ACTIVE}.id") == "export"
    # "Load session…" is a label around a file input: it is in the menu's Tab order and Enter opens the picker
    pg.page.keyboard.press("Enter")
    _tab_to(pg, "label.menu-item", limit=8)
    with pg.page.expect_file_chooser(timeout=3_000):
        pg.page.keyboard.press("Enter")
    pg.page.keyboard.press("Escape")
    # a button focused by a click: space still plays (and does not press it again)
    pg.page.click("[data-testid=step]")
    pg.wait_step(1)
    pg.page.keyboard.press(" ")
    pg.page.wait_for_function(f"{PLAYING} === 'true'")
    pg.page.keyboard.press(" ")
    pg.page.wait_for_function(f"{PLAYING} === 'false'")


def test_a_menu_changed_from_the_keyboard_keeps_the_focus(playground):
    pg = playground.open()
    pg.page.focus("#share-link")
    _tab_to(pg, "#learning-rate")
    first = pg.page.input_value("#learning-rate")
    pg.page.keyboard.press("ArrowDown")
    pg.page.keyboard.press("ArrowDown")
    options = pg.js("[...document.querySelectorAll('#learning-rate option')].map(o => o.value)")
    expected = options[options.index(first) + 2]
    pg.page.wait_for_function(f"window.__chainrule.config.learning_rate === {float(expected)}")
    assert pg.js(f"{ACTIVE}.id") == "learning-rate"
    # "b" typed there is not the diagram's shortcut
    pg.page.keyboard.press("b")
    assert pg.page.get_attribute("[data-testid=network]", "data-mode") != "backward"
    # chosen with the mouse, the menu gives the keys back to the page (space plays)
    pg.page.dispatch_event("#learning-rate", "pointerdown")  # (select_option itself uses no pointer)
    pg.page.select_option("#learning-rate", first)
    pg.page.wait_for_function(f"{ACTIVE} === document.body")


def test_a_layers_plus_pressed_with_enter_keeps_the_focus_for_the_next_press(playground):
    pg = playground.open("/?hidden_layers=4,2")
    pg.page.focus("#add-layer")
    _tab_to(pg, ".layer-col[data-layer='1'] [data-action=add-neuron]")
    pg.page.keyboard.press("Enter")
    pg.page.wait_for_function("document.querySelector('[data-testid=network]').dataset.sizes === '2,4,3,1'")
    assert pg.js(f"{ACTIVE}.dataset.action") == "add-neuron"
    assert pg.js(f"{ACTIVE}.closest('.layer-col').dataset.layer") == "1"
    pg.page.keyboard.press("Enter")
    pg.page.wait_for_function("document.querySelector('[data-testid=network]').dataset.sizes === '2,4,4,1'")
    # removing the last layer with its button: the focus stays on the layer buttons
    pg.page.focus("#add-layer")
    pg.page.keyboard.press("Shift+Tab")
    assert pg.js(f"{ACTIVE}.id") == "remove-layer"
    pg.page.keyboard.press("Enter")
    pg.page.wait_for_function("document.querySelector('[data-testid=network]').dataset.sizes === '2,4,1'")
    assert pg.js(f"{ACTIVE}.id") == "remove-layer"


def test_controls_have_names_a_screen_reader_can_say(playground):
    pg = playground.open()
    named = pg.js("""(() => {
        const name = (el) => el.getAttribute('aria-label')
          || (el.getAttribute('aria-labelledby') || '').split(' ').map((id) => document.getElementById(id)?.textContent).join(' ').trim();
        const sliders = [...document.querySelectorAll('input[type=range]')].map((s) => [s.id, name(s), s.getAttribute('aria-valuetext')]);
        return { sliders, seed: name(document.getElementById('seed')), dice: name(document.getElementById('new-seed')),
                 layer: [...document.querySelectorAll('.layer-col [data-action]')].map(name),
                 play: document.querySelector('#play .sr-only').textContent,
                 outputs: [...document.querySelectorAll('.slider output')].map((o) => [o.getAttribute('aria-live'), o.getAttribute('aria-hidden')]) }; })()""")
    sliders = {s[0]: s[1:] for s in named["sliders"]}
    assert sliders["n-samples"] == ["Points", "500"]  # its value, not its position in the list
    assert sliders["batch-size"][0] == "Batch size" and sliders["batch-size"][1] == "10"
    assert all(label for label, _ in sliders.values()), sliders
    assert named["seed"] == "Seed" and named["dice"] == "New random seed"
    assert named["layer"][:2] == ["One neuron fewer in hidden layer 1", "One neuron more in hidden layer 1"]
    assert all(o == ["off", "true"] for o in named["outputs"])
    # a toggle keeps its name while pressed
    pg.page.keyboard.press(" ")
    pg.page.wait_for_function(f"{PLAYING} === 'true'")
    assert pg.js("document.querySelector('#play .sr-only').textContent") == named["play"] == "Play"
    pg.page.keyboard.press(" ")


def test_the_status_line_is_written_when_its_words_change_and_says_why_play_is_off(playground):
    pg = playground.open()
    pg.js("""(() => { window.__writes = 0; new MutationObserver(() => { window.__writes++; })
        .observe(document.getElementById('status'), { childList: true, characterData: true, subtree: true }); })()""")
    pg.page.keyboard.press(" ")
    pg.wait_step_above(40)  # many frames
    pg.page.keyboard.press(" ")
    pg.page.wait_for_function(f"{PLAYING} === 'false'")
    pg.page.wait_for_timeout(300)
    assert pg.js("window.__writes") <= 3  # training…, paused (once each), not once a frame
    pg.page.click("[data-testid=explain-open]")
    pg.page.wait_for_function("document.getElementById('status').textContent.includes('Close Explain')")
    assert "Press play" not in pg.page.text_content("[data-testid=status]")


def test_routine_notices_are_polite_and_problems_interrupt(playground):
    pg = playground.open()
    pg.page.select_option("#learning-rate", "0.1")
    pg.page.wait_for_selector("[data-testid=notice]:not([hidden])")
    assert pg.page.get_attribute("[data-testid=notice]", "role") == "status"
    pg.allow_refusals = True
    pg.page.fill("#seed", "-5")
    pg.page.keyboard.press("Enter")
    pg.page.wait_for_selector("[data-testid=notice].notice-error")
    assert pg.page.get_attribute("[data-testid=notice]", "role") == "alert"


def test_clear_points_is_off_until_there_are_points_of_ones_own(playground):
    """On a built-in data set "Clear points" silently started drawing mode."""
    pg = playground.open()
    pg.page.on("filechooser", lambda chooser: None)  # intercept file pickers from the start
    assert pg.page.is_disabled("#custom-clear")
    pg.page.click("button.dataset[data-dataset=custom]")
    pg.page.wait_for_function("window.__chainrule.store.draft !== null")
    assert pg.page.is_disabled("#custom-clear")  # nothing drawn yet
    box = pg.page.query_selector("[data-testid=boundary]").bounding_box()
    pg.page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    pg.page.wait_for_function("!document.getElementById('custom-clear').disabled")
    # and "Load CSV…" is in the Tab order, Enter opens the file picker
    pg.page.focus("#custom-clear")
    pg.page.keyboard.press("Tab")
    assert pg.js(f"{ACTIVE}.contains(document.getElementById('csv-input'))")
    with pg.page.expect_file_chooser(timeout=3_000):
        pg.page.keyboard.press("Enter")


def test_a_new_output_that_brings_its_loss_says_so(playground):
    """Cross-entropy with a linear output becomes mse: the notice named the output only."""
    pg = playground.open("/?dataset=spiral3")
    assert pg.page.input_value("#loss") == "cross_entropy"
    pg.page.select_option("#output-activation", "linear")
    pg.page.wait_for_function("window.__chainrule.config.loss === 'mse'")
    pg.page.wait_for_function("document.querySelector('[data-testid=notice]').textContent"
                              ".startsWith('Rebuilt with the new output activation and loss:')")
    # a regularisation choice sends both rates: only the one that changed is named
    pg.page.select_option("#regularization", "l2")
    pg.page.wait_for_function("window.__chainrule.config.l2 > 0")
    pg.page.wait_for_function("document.querySelector('[data-testid=notice]').textContent.startsWith('New L2 rate applied live')")


def test_b_switches_the_view_with_caps_lock_or_shift_as_r_resets(playground):
    pg = playground.open()
    mode = "document.querySelector('[data-testid=network]').dataset.mode"
    pg.page.keyboard.press("Shift+B")
    pg.page.wait_for_function(f"{mode} === 'backward'")
    pg.page.keyboard.press("b")
    pg.page.wait_for_function(f"{mode} === 'forward'")


def test_a_popup_opened_with_the_mouse_keeps_the_focus_on_its_button_and_space_plays(playground):
    """Opened by a click, a popup took the focus to its first control (the
    Export menu's first picture, where Enter then downloaded a PNG)."""
    pg = playground.open()
    pg.page.click("[data-testid=present]")
    assert pg.page.get_attribute("[data-testid=present]", "aria-expanded") == "true"
    assert pg.js(f"{ACTIVE}.dataset.testid") == "present"
    pg.page.keyboard.press(" ")
    pg.page.wait_for_function(f"{PLAYING} === 'true'")
    pg.page.keyboard.press(" ")
    pg.page.wait_for_function(f"{PLAYING} === 'false'")


def test_the_lessons_menu_opens_from_the_keyboard_and_arrows_move_in_it(playground):
    pg = playground.open()
    pg.page.focus("#share-link")
    _tab_to(pg, "[data-testid=lessons-button]")
    pg.page.keyboard.press("Enter")
    assert pg.js(f"{ACTIVE}.dataset.lesson") == "xor-needs-hidden"
    pg.page.keyboard.press("ArrowDown")
    assert pg.js(f"{ACTIVE}.dataset.lesson") == "activations-spiral"
    pg.page.keyboard.press("Escape")
    assert pg.page.is_hidden("[data-testid=lessons-menu]") and pg.js(f"{ACTIVE}.dataset.testid") == "lessons-button"
    pg.page.keyboard.press("Enter")
    pg.page.keyboard.press("ArrowDown")
    pg.page.keyboard.press("Enter")  # the second lesson, set up in this session
    pg.page.wait_for_function("window.__chainrule.config.dataset === 'spiral' && window.__chainrule.config.activation === 'sigmoid'")
