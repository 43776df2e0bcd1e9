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


def _tab_to(pg, selector: str, limit: int = 120, key: str = "Tab") -> None:
    """Press Tab (or `key`: Shift+Tab) until `selector` has the focus (as a keyboard user gets there)."""
    for _ in range(limit):
        pg.page.keyboard.press(key)
        if pg.js(f"{ACTIVE}.matches({selector!r})"):
            return
    raise AssertionError(f"{selector} is not reachable with {key}")


def _space_plays_and_pauses(pg) -> None:
    """Space plays, and space again pauses: the page's keys are the page's."""
    pg.page.keyboard.press(" ")
    pg.page.wait_for_function(f"{PLAYING} === 'true'")
    pg.page.keyboard.press(" ")
    pg.page.wait_for_function(f"{PLAYING} === 'false'")


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
    _space_plays_and_pauses(pg)


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


REGIONS = """(() => Object.fromEntries(['polite', 'alert'].map((k) => {
  const e = document.querySelector(`[data-testid=announce-${k}]`);
  return [k, e && { role: e.getAttribute('role'), live: e.getAttribute('aria-live'), text: e.textContent,
                    shown: !e.hidden && getComputedStyle(e).display !== 'none' && getComputedStyle(e).visibility !== 'hidden' }];
})))()"""


def test_routine_notices_are_polite_and_problems_interrupt(playground):
    """Screen readers announce a change inside a live region already in the page; the notice was
    unhidden together with its text (and its role set then), so a polite one could go unheard.
    Two regions are in the page from the start, empty, and each message is written into one."""
    pg = playground.open()
    regions = pg.js(REGIONS)
    assert regions == {"polite": {"role": "status", "live": "polite", "text": "", "shown": True},
                       "alert": {"role": "alert", "live": "assertive", "text": "", "shown": True}}, regions
    assert pg.page.get_attribute("[data-testid=notice]", "role") is None   # the picture is not read twice
    pg.page.select_option("#learning-rate", "0.1")
    pg.page.wait_for_selector("[data-testid=notice]:not([hidden])")
    shown = pg.page.text_content("[data-testid=notice]")
    pg.page.wait_for_function("document.querySelector('[data-testid=announce-polite]').textContent !== ''")
    regions = pg.js(REGIONS)
    assert regions["polite"]["text"] == shown and regions["alert"]["text"] == "", regions
    pg.allow_refusals = True
    pg.page.fill("#seed", "-5")
    pg.page.keyboard.press("Enter")
    pg.page.wait_for_selector("[data-testid=notice].notice-error")
    pg.page.wait_for_function("document.querySelector('[data-testid=announce-alert]').textContent !== ''")
    regions = pg.js(REGIONS)
    assert regions["alert"]["text"] == pg.page.text_content("[data-testid=notice]") and "seed" in regions["alert"]["text"].lower()
    assert regions["polite"]["text"] == "", regions


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
    _space_plays_and_pauses(pg)


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


# -- a re-audit: mouse users lost space and → after today's keyboard work --------------------

def test_after_a_mouse_edit_of_a_weight_space_plays_and_the_value_reads_as_typed(playground):
    """Clicking the diagram, pressing space, then shift-click → Escape (or Enter) in the weight
    editor put the focus back on the diagram as if by keyboard: space then opened the inspector."""
    from test_playground import _hover_first_edge
    pg = playground.open()
    target = _hover_first_edge(pg)
    pg.page.mouse.click(target["x"], target["y"])  # a plain click: the inspector
    _space_plays_and_pauses(pg)
    pg.page.mouse.move(2, 2)
    target = _hover_first_edge(pg)
    pg.page.keyboard.down("Shift")
    pg.page.mouse.click(target["x"], target["y"])
    pg.page.keyboard.up("Shift")
    pg.page.wait_for_selector("#weight-editor:not([hidden])")
    pg.page.fill("#weight-value", "0.3")
    pg.page.press("#weight-value", "Enter")
    pg.page.wait_for_function(f"Math.abs(window.__chainrule.frame.layers[{target['layer']}].W[{target['to']}][{target['from']}] - 0.3) < 1e-6")
    assert pg.js("document.querySelector('[data-testid=network]').hasAttribute('data-arrow-keys')") is False
    # the typed 0.3 arrives as float32 (0.30000001192…): the card reads 0.3, not 0.300000
    pg.page.mouse.move(2, 2)
    _hover_first_edge(pg)
    card = pg.page.text_content("#hovercard")
    assert "]0.3∂L" in card and "0.300000" not in card, card
    _space_plays_and_pauses(pg)


def test_after_clicking_load_csv_space_plays_and_does_not_reopen_the_picker(playground):
    pg = playground.open()
    choosers = []
    pg.page.on("filechooser", lambda chooser: choosers.append(chooser))
    pg.page.click("label:has(#csv-input)")
    pg.page.wait_for_timeout(500)
    assert len(choosers) == 1
    pg.page.keyboard.press(" ")
    pg.page.wait_for_function(f"{PLAYING} === 'true'")
    pg.page.wait_for_timeout(300)
    assert len(choosers) == 1
    pg.page.keyboard.press(" ")


def test_a_clicked_slider_gives_the_arrows_back_after_one_change(playground):
    pg = playground.open()
    box = pg.page.query_selector("#batch-size").bounding_box()
    value = pg.page.input_value("#batch-size")
    # the thumb sits at the value's place along the track
    frac = (float(value) - float(pg.page.get_attribute("#batch-size", "min"))) / (
        float(pg.page.get_attribute("#batch-size", "max")) - float(pg.page.get_attribute("#batch-size", "min")))
    pg.page.mouse.click(box["x"] + 8 + frac * (box["width"] - 16), box["y"] + box["height"] / 2)
    batch = pg.js("window.__chainrule.config.batch_size")
    for _ in range(3):
        pg.page.keyboard.press("ArrowRight")
    pg.wait_step_above(0)  # → stepped (after at most one change of the slider)
    options = pg.js("window.__chainrule.config.batch_size")
    assert options == batch or pg.js(f"{ACTIVE} === document.body")


def test_space_on_a_link_reached_by_tab_plays(playground):
    pg = playground.open()
    pg.page.focus("#watch-link")
    pg.page.keyboard.press("Shift+Tab")  # back to the share link, by the keyboard
    assert pg.js(f"{ACTIVE}.tagName") in ("A", "BUTTON")
    pg.page.keyboard.press(" ")
    if pg.js(f"{ACTIVE}.tagName") == "A":
        pg.page.wait_for_function(f"{PLAYING} === 'true'")
        pg.page.keyboard.press(" ")


def test_the_inspectors_point_box_shows_the_point_traced(playground):
    pg = playground.open()
    pg.page.click("[data-testid=view-backward]")
    box = pg.page.wait_for_selector("[data-action=sample-index]")
    box.fill("999")
    box.press("Enter")
    n = len(pg.api(f"/api/sessions/{pg.session_id()}/data")["train"]["x"])
    pg.page.wait_for_function(f"document.querySelector('[data-testid=inspector-sample]').dataset.index === '{n - 1}'")
    assert pg.page.input_value("[data-action=sample-index]") == str(n)


def test_the_pages_keys_do_nothing_in_an_open_menu_or_dialog(playground):
    """With the focus in the Lessons menu, a help or the weight editor, → trained a step, r reset
    the class's session under it, and b switched the view. There, as while typing, the page's
    keys are not the page's (the Present panel, open while the teacher plays, keeps them)."""
    pg = playground.open()
    pg.js("window.__chainrule.send({type: 'step', steps: 2})")
    pg.wait_step(2)
    sid = pg.session_id()

    def nothing_happens() -> None:
        for key in ("ArrowRight", "r", "b"):
            pg.page.keyboard.press(key)
        pg.page.wait_for_timeout(400)
        assert pg.step_count() == 2 and pg.api(f"/api/sessions/{sid}")["state"]["step"] == 2
        assert pg.page.get_attribute("[data-testid=network]", "data-mode") != "backward"

    pg.page.focus("#share-link")
    _tab_to(pg, "[data-testid=lessons-button]")
    pg.page.keyboard.press("Enter")
    assert pg.js(f"{ACTIVE}.dataset.lesson") == "xor-needs-hidden"
    nothing_happens()
    pg.page.keyboard.press("Escape")
    assert pg.page.is_hidden("[data-testid=lessons-menu]")

    pg.page.focus(".help-btn")
    pg.page.keyboard.press("Enter")  # a help opened from the keyboard takes the focus
    assert pg.js(f"{ACTIVE}.closest('[role=dialog]') !== null")
    nothing_happens()
    pg.page.keyboard.press("Escape")

    # and outside them the keys act again
    pg.page.focus("body")
    pg.js("document.activeElement.blur()")
    pg.page.keyboard.press("ArrowRight")
    pg.wait_step(3)
    pg.assert_no_errors()


# space, and at once (in the same task, before the server can answer) a frame it sent before reading it
SPACE_THEN_STALE = """(p) => { document.body.dispatchEvent(new KeyboardEvent('keydown', { key: ' ', code: 'Space', bubbles: true }));
  const s = window.__chainrule.store; s.setFrame({ ...s.frame, playing: p });
  return document.querySelector('[data-testid=play]').getAttribute('aria-pressed'); }"""


def test_a_frame_sent_before_the_server_read_play_does_not_undo_it(playground):
    """Space showed "playing" at once, but a frame the server had sent before it read the play
    (after a click on the diagram, say) still said "paused" and put the button back: the next
    space then played again instead of pausing (the keyboard test failed so, under load)."""
    pg = playground.open()
    pg.page.wait_for_function("window.__chainrule.frame !== null")
    assert pg.js(f"({SPACE_THEN_STALE})(false)") == "true"   # the stale "paused" does not undo the play
    pg.page.wait_for_function("window.__chainrule.frame.playing === true")   # the server's own
    assert pg.js(PLAYING) == "true"
    assert pg.js(f"({SPACE_THEN_STALE})(true)") == "false"   # nor a stale "playing" the pause
    pg.page.wait_for_function("window.__chainrule.frame.playing === false")
    pg.page.wait_for_timeout(300)
    assert pg.js(PLAYING) == "false"   # paused, as asked
    # once the server has confirmed, its frames rule again (a divergence, another tab of the session)
    pg.js("(() => { const s = window.__chainrule.store; s.setFrame({ ...s.frame, playing: true }); })()")
    assert pg.js(PLAYING) == "true"
