"""Touch screens and small screens, in Chromium with touch emulated (a Pixel 7,
or a phone-sized window with touch): drawing one's own points by tap, popups
and the Lessons menu inside the window, a tapped neuron's inspector brought
into view, the watch link where the browser cannot copy, and hints that say
"tap" where there is no mouse (audit s13: A4, A5, A6, B4, B9, B10)."""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from conftest import Playground, _new_playground

pytestmark = pytest.mark.browser

# Playwright's "Pixel 7" (its device list, which the audit used)
PIXEL_7 = {
    "user_agent": "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) "
                  "Chrome/159.0.8154.6 Mobile Safari/537.36",
    "viewport": {"width": 412, "height": 839}, "screen": {"width": 412, "height": 915},
    "device_scale_factor": 2.625, "is_mobile": True, "has_touch": True,
}


@pytest.fixture
def touch(browser: Any, base_url: str) -> Iterator[Any]:
    """A factory of pages on a touch screen: a Pixel 7, or (width, height) a
    phone or tablet of that size; `touch=False` for a desktop window."""
    made: list[tuple[Any, Playground]] = []

    def make(width: int | None = None, height: int | None = None, touch: bool = True, init: str | None = None) -> Playground:
        if width is None:
            options = dict(PIXEL_7)
        elif touch:
            options = {"viewport": {"width": width, "height": height}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
        else:
            options = {"viewport": {"width": width, "height": height}}
        made.append(_new_playground(browser, base_url, init=init, **options))
        return made[-1][1]

    yield make
    for context, pg in made:
        context.close()
        pg.assert_no_errors()


def _plane_xy(pg, x1: float, x2: float) -> tuple[float, float]:
    """Where the point (x1, x2) of the output plot is in the window (brought into view first)."""
    pg.page.locator("[data-testid=boundary]").scroll_into_view_if_needed()
    box = pg.js("""(() => { const gd = document.querySelector('[data-testid=boundary]');
        const r = gd.getBoundingClientRect(), xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
        return {left: r.left + xa._offset, top: r.top + ya._offset, w: xa._length, h: ya._length, vh: innerHeight}; })()""")
    x, y = box["left"] + (x1 + 6) / 12 * box["w"], box["top"] + (6 - x2) / 12 * box["h"]
    assert 0 < y < box["vh"], "the point to tap is in the window"
    return x, y


def _drawn(pg) -> int:
    return pg.js("window.__chainrule.store.draft?.x.length ?? -1")


def _visible_text(pg, selector: str) -> str:
    return pg.page.inner_text(selector)  # what shows: the hidden words for the other kind of pointer are left out


# -- A6: one's own points by touch ------------------------------------------------------

def test_each_tap_adds_one_point_of_the_class_chosen_under_the_plot(touch):
    """A tap added two points (plotly's click and the browser's both reached the
    plot), and only shift-click (alt-click) gave the second (third) class."""
    pg = touch().open()
    pg.page.locator("[data-dataset=custom]").tap()
    chooser = pg.page.locator("[data-testid=class-chooser]")
    chooser.wait_for(state="visible")
    radios = pg.page.locator("[data-testid=point-class]")
    assert radios.all_inner_texts() == ["blue", "orange", "green"]
    assert radios.nth(0).get_attribute("aria-checked") == "true"
    # the words a touch screen reads: tap, and no shift-click
    for selector in ["[data-testid=notice]", "#custom-hint", "[data-testid=status]", "#class-chooser"]:
        words = _visible_text(pg, selector)
        assert "tap" in words.lower() and "shift" not in words.lower() and "click" not in words.lower(), (selector, words)

    taps = [(0, -4, -4), (0, -3, -4.5), (0, -4.5, -2.5), (1, 4, 4), (1, 3, 4.5), (1, 4.5, 2.5), (1, 2, 3),
            (2, 4, -4), (2, 3, -4.5), (2, 4.5, -2.5)]  # ten: API.md's fewest samples
    for n, (label, x1, x2) in enumerate(taps[:-1], start=1):
        radio = radios.nth(label)
        if radio.get_attribute("aria-checked") != "true":
            radio.tap()
            assert [radios.nth(c).get_attribute("aria-checked") for c in range(3)] == [str(c == label).lower() for c in range(3)]
            assert f"add {['blue', 'orange', 'green'][label]} points" in pg.page.text_content("[data-testid=status]")
        pg.page.touchscreen.tap(*_plane_xy(pg, x1, x2))
        pg.page.wait_for_timeout(350)  # the browser's own click comes about 0.1 s after plotly's
        assert _drawn(pg) == n, f"{n} taps made {_drawn(pg)} points"
    assert pg.js("window.__chainrule.store.draft.y") == [t[0] for t in taps[:-1]]
    assert pg.js("window.__chainrule.config.dataset") == "circle"  # nine: not enough yet
    assert "1 more point" in pg.page.text_content("[data-testid=status]")
    # the tenth: the engine trains on them
    pg.page.touchscreen.tap(*_plane_xy(pg, *taps[-1][1:]))
    pg.page.wait_for_function("window.__chainrule.data?.config?.points?.x?.length === 10")
    points = pg.api(f"/api/sessions/{pg.session_id()}")["config"]["points"]
    assert points["y"] == [t[0] for t in taps]
    for (_, x1, x2), got in zip(taps, points["x"], strict=True):
        assert abs(got[0] - x1) < 0.15 and abs(got[1] - x2) < 0.15
    data = pg.api(f"/api/sessions/{pg.session_id()}/data")
    rows = data["train"]["y"] + data["test"]["y"]  # one-hot: three classes
    assert len(rows) == 10 and {len(r) for r in rows} == {3} and sorted(r.index(1) for r in rows) == sorted(t[0] for t in taps)

    # a tap on the set the engine holds adds one point too, of the class chosen
    radios.nth(0).tap()
    pg.page.touchscreen.tap(*_plane_xy(pg, -2, -2))
    pg.page.wait_for_function("window.__chainrule.data?.config?.points?.x?.length === 11")
    pg.page.wait_for_timeout(800)  # a second point would be on its way by now
    points = pg.api(f"/api/sessions/{pg.session_id()}")["config"]["points"]
    assert len(points["x"]) == 11 and points["y"][-1] == 0
    assert chooser.is_visible()


def test_the_class_chooser_works_by_keyboard_and_a_mouse_keeps_shift_and_alt_click(playground):
    pg = playground.open()
    pg.page.click("[data-dataset=custom]")
    radios = pg.page.locator("[data-testid=point-class]")
    radios.nth(0).wait_for(state="visible")
    # a mouse reads "click", and the modifier keys still named
    hint = _visible_text(pg, "#custom-hint")
    assert "click" in hint and "shift-click" in hint and "tap" not in hint
    # one Tab stop for the group; arrows pick the class and move the focus, and → does not step
    assert [radios.nth(c).get_attribute("tabindex") for c in range(3)] == ["0", "-1", "-1"]
    pg.page.keyboard.press("Tab")  # the focus by keyboard: keys.js then lets a focused control have its keys
    radios.nth(0).focus()
    checked = "[...document.querySelectorAll('[data-testid=point-class]')].findIndex((b) => b.getAttribute('aria-checked') === 'true')"
    focused = "[...document.querySelectorAll('[data-testid=point-class]')].indexOf(document.activeElement)"
    for key, want in [("ArrowRight", 1), ("ArrowRight", 2), ("ArrowRight", 0), ("ArrowLeft", 2), ("Home", 0), ("End", 2), ("ArrowUp", 1)]:
        pg.page.keyboard.press(key)
        assert (pg.js(checked), pg.js(focused)) == (want, want), key
    assert pg.page.is_hidden("[data-testid=notice]") or "Training is off" not in pg.page.text_content("[data-testid=notice]")
    assert [radios.nth(c).get_attribute("tabindex") for c in range(3)] == ["-1", "0", "-1"]
    # Enter presses the focused class as a button does
    pg.page.keyboard.press("Shift+Tab")
    pg.page.keyboard.press("Tab")
    assert pg.js(focused) == 1
    # a plain click adds the chosen class (green); shift-click orange, alt-click green, whatever is chosen
    radios.nth(0).click()
    clicks = [([], 0), (["Shift"], 1), (["Alt"], 2), ([], 0)]
    for n, (keys, _) in enumerate(clicks, start=1):
        x, y = _plane_xy(pg, -4 + 2 * n, 1)
        for k in keys:
            pg.page.keyboard.down(k)
        pg.page.mouse.click(x, y)
        for k in keys:
            pg.page.keyboard.up(k)
        pg.page.wait_for_timeout(150)
        assert _drawn(pg) == n
    assert pg.js("window.__chainrule.store.draft.y") == [label for _, label in clicks]
    radios.nth(2).click()
    pg.page.mouse.click(*_plane_xy(pg, 3, 3))
    pg.page.wait_for_timeout(150)
    assert pg.js("window.__chainrule.store.draft.y") == [0, 1, 2, 0, 2]
    # the chooser is for drawing only: a built-in data set takes it away
    pg.page.click("[data-dataset=xor]")
    pg.page.wait_for_function("window.__chainrule.config.dataset === 'xor'")
    assert pg.page.is_hidden("[data-testid=class-chooser]")


# -- A4: popups inside the window ----------------------------------------------------------

INSIDE = """(sel) => { const e = document.querySelector(sel); const r = e.getBoundingClientRect();
    const vw = document.documentElement.clientWidth, vh = innerHeight;
    return {left: r.left, top: r.top, right: r.right, bottom: r.bottom, vw, vh,
            inside: r.left >= 8 - 0.5 && r.top >= 8 - 0.5 && r.right <= vw - 8 + 0.5 && r.bottom <= vh - 8 + 0.5}; }"""

# whether a control is what a tap at its centre reaches (after scrolling it into view inside its panel)
REACHABLE = """(el) => { el.scrollIntoView({block: 'nearest'}); const r = el.getBoundingClientRect();
    const x = r.left + r.width / 2, y = r.top + r.height / 2;
    if (x < 0 || y < 0 || x > innerWidth || y > innerHeight) return false;
    const hit = document.elementFromPoint(x, y);
    return hit === el || el.contains(hit) || (hit?.closest('label') !== null && hit.closest('label') === el.closest('label')); }"""


@pytest.mark.parametrize("size", [(375, 667), (320, 568), (844, 390)])
def test_the_present_panel_and_the_export_menu_open_inside_the_window(touch, size):
    """The Present panel spanned x = −268…91 at 375 px (Export −135…95 at 320):
    its right edge went on its button's, which on a phone starts a line."""
    pg = touch(*size).open()
    for button, panel in [("#present", "#present-panel"), ("#export", "#export-menu")]:
        pg.page.locator(button).tap()
        pg.page.wait_for_selector(f"{panel}:not([hidden])")
        where = pg.page.evaluate(f"({INSIDE})('{panel}')")
        assert where["inside"], (button, size, where)
        controls = pg.page.locator(f"{panel} :is(button, input, a[href], label[role=button])")
        assert controls.count() >= (20 if button == "#present" else 8)
        for i in range(controls.count()):
            control = controls.nth(i)
            if control.get_attribute("type") == "file" or control.get_attribute("hidden") is not None:
                continue
            assert control.evaluate(REACHABLE), (button, size, control.evaluate("(e) => e.outerHTML.slice(0, 120)"))
        assert pg.page.evaluate(f"({INSIDE})('{panel}')")["inside"]  # its own scroll moved, not the panel
        if size == (375, 667) and button == "#present":
            pg.screenshot("touch-present-375x667")
        # a control in it works by tap: a hide box ticked (its last row may be below the panel's fold)
        if button == "#present":
            box = pg.page.locator("#hide-grid input[value=noise]")
            box.scroll_into_view_if_needed()
            box.tap()
            pg.page.wait_for_function("new URLSearchParams(location.search).get('hide') === 'noise'")
        pg.page.keyboard.press("Escape")
        pg.page.wait_for_selector(f"{panel}[hidden]", state="attached")


def test_a_help_popup_taller_than_a_short_window_stays_inside_it_and_scrolls_in_itself(touch):
    """At 400 % zoom (320×180) a help popup was 304–387 px tall in a 180 px window, and its formula out of reach."""
    pg = touch(320, 180).open()
    # (the gradient chart's (?) lies under its table at 320 px: audit A1, another change)
    for i in ["training", "settings", "data", "network", "output", "loss-chart"]:
        help_button = pg.page.locator(f"[data-testid=help][data-help={i}]")
        help_button.scroll_into_view_if_needed()
        help_button.tap()
        pop = pg.page.locator("[data-testid=help-popover]")
        pop.wait_for(state="visible")
        assert pg.page.evaluate(f"({INSIDE})('[data-testid=help-popover]')")["inside"], i
        formula = pg.page.locator("#help-formula")
        assert formula.evaluate(REACHABLE), i
        assert pg.page.locator(".help-close").evaluate(REACHABLE), i
        pg.page.locator(".help-close").tap()
        pop.wait_for(state="hidden")


# -- B4: the Lessons menu inside the window ------------------------------------------------

@pytest.mark.parametrize("size", [(375, 667), (844, 390)])
def test_the_lessons_menu_opens_inside_the_window_with_every_lesson_reachable(touch, size):
    """A phone showed a 160 px box running past the bottom of the screen (max(160, window − its top − 12))."""
    pg = touch(*size).open()
    button = pg.page.locator("[data-testid=lessons-button]")
    button.scroll_into_view_if_needed()
    button.tap()
    menu = "[data-testid=lessons-menu]"
    pg.page.wait_for_selector(f"{menu}:not([hidden])")
    where = pg.page.evaluate(f"({INSIDE})('{menu}')")
    assert where["inside"], (size, where)
    assert where["bottom"] - where["top"] >= min(300, where["vh"] - 16 - 60), where  # a menu, not a slit
    links = pg.page.locator(f"{menu} [data-testid=lesson-link]")
    assert links.count() >= 8
    for i in range(links.count()):
        assert links.nth(i).evaluate(REACHABLE), (size, i)
    assert pg.page.evaluate(f"({INSIDE})('{menu}')")["inside"]
    if size == (375, 667):
        pg.page.evaluate(f"document.querySelector('{menu}').scrollTop = 0")
        pg.screenshot("touch-lessons-375x667")
    # the last lesson opens by tap
    last = links.nth(links.count() - 1)
    lesson = last.get_attribute("data-lesson")
    last.scroll_into_view_if_needed()
    last.tap()
    pg.page.wait_for_function(f"window.__chainrule.store.lesson === '{lesson}'")
    assert pg.page.is_hidden(menu)


def test_the_lessons_menu_still_drops_down_under_its_button_on_a_desktop(touch):
    pg = touch(1280, 720, touch=False).open()
    pg.page.click("[data-testid=lessons-button]")
    button = pg.page.locator("[data-testid=lessons-button]").bounding_box()
    menu = pg.page.locator("[data-testid=lessons-menu]").bounding_box()
    assert abs(menu["y"] - (button["y"] + button["height"] + 6)) < 1.5
    assert abs(menu["x"] + menu["width"] - (button["x"] + button["width"])) < 1.5
    assert pg.page.evaluate("({INSIDE})('[data-testid=lessons-menu]')".replace("{INSIDE}", INSIDE))["inside"]


# -- A5: a tapped neuron's inspector comes into view where the panels are stacked -----------

NEURON_XY = """(() => { const gd = document.querySelector('[data-testid=network]');
    const p = window.__chainrule.network.geometry.nodes[1][1]; const r = gd.getBoundingClientRect();
    return {x: r.left + p.x, y: r.top + (gd.layout.height - p.y)}; })()"""
HEAD_IN_VIEW = """(() => { const r = document.querySelector('[data-testid=backward-panel] .panel-title').getBoundingClientRect();
    return r.top >= 0 && r.bottom <= innerHeight; })()"""


def _trained(pg) -> None:
    pg.open("/?dataset=xor&hidden_layers=4,4")
    for _ in range(5):
        pg.page.locator("[data-testid=step]").tap() if pg.js("navigator.maxTouchPoints > 0") else pg.page.click("[data-testid=step]")
    pg.wait_step(5)


@pytest.mark.parametrize("size", [(375, 667), (768, 1024)])
def test_a_tapped_neuron_brings_the_inspector_into_view_on_a_stacked_page(touch, size):
    """The inspector filled 1200–1600 px below the diagram, out of sight, with nothing to say so."""
    pg = touch(*size)
    _trained(pg)
    pg.page.locator(".network-stage").scroll_into_view_if_needed()
    pg.page.wait_for_timeout(300)
    # the inspector will take the data panel's place, far below (were it in view, there would be nothing to fix)
    assert pg.js("document.querySelector('.panel-data').getBoundingClientRect().top") > size[1]
    target = pg.js(NEURON_XY)
    assert 0 < target["y"] < size[1]
    scrolled = pg.js("scrollY")
    pg.page.touchscreen.tap(target["x"], target["y"])
    pg.page.wait_for_function("document.querySelector('[data-testid=network]').dataset.mode === 'backward'")
    pg.page.wait_for_function(HEAD_IN_VIEW, timeout=5_000)
    pg.page.wait_for_function("""(() => { const el = document.querySelector('[data-testid=inspector]');
        return el.dataset.ready === 'true' && el.dataset.target.includes('"kind":"neuron"'); })()""")
    assert '"layer":0' in pg.page.get_attribute("[data-testid=inspector]", "data-target")
    pg.page.wait_for_timeout(800)  # a smooth scroll has ended
    assert pg.js(HEAD_IN_VIEW)
    moved = pg.js("scrollY") - scrolled
    tapped_now = target["y"] - moved
    if size == (768, 1024):
        # a tablet has room for both: the tapped neuron stays in view above the inspector
        assert 0 <= tapped_now <= size[1], (target, moved)
    pg.screenshot(f"touch-inspector-{size[0]}x{size[1]}")
    # and a way back up to the diagram
    pg.page.locator("[data-testid=inspector-to-diagram]").tap()
    pg.page.wait_for_function("""(() => { const r = document.querySelector('.network-stage').getBoundingClientRect();
        return r.top >= 0 && r.top < innerHeight / 2; })()""", timeout=5_000)


def test_a_clicked_neuron_does_not_move_a_desktop_page(touch):
    """Beside the diagram the inspector is in view already: the page must not jump."""
    pg = touch(1280, 720, touch=False)
    _trained(pg)
    assert pg.page.is_hidden("[data-testid=inspector-to-diagram]")
    target = pg.js(NEURON_XY)
    before = pg.js("[scrollX, scrollY, document.scrollingElement.scrollTop]")
    pg.page.mouse.move(target["x"], target["y"])
    pg.page.mouse.click(target["x"], target["y"])
    pg.page.wait_for_function("document.querySelector('[data-testid=network]').dataset.mode === 'backward'")
    pg.page.wait_for_function("document.querySelector('[data-testid=inspector]').dataset.target?.includes('\"kind\":\"neuron\"')")
    pg.page.wait_for_timeout(800)
    assert pg.js("[scrollX, scrollY, document.scrollingElement.scrollTop]") == before
    assert pg.js(HEAD_IN_VIEW)
    assert pg.page.is_hidden("[data-testid=inspector-to-diagram]")


# -- B10: the watch link where the browser cannot copy ----------------------------------------

NO_CLIPBOARD = "Object.defineProperty(Navigator.prototype, 'clipboard', { get() { return undefined; }, configurable: true });"


def test_without_a_clipboard_the_watch_link_stays_selected_on_the_screen_until_closed(touch):
    """Over plain http (no navigator.clipboard) the link was a notice that went after 5 s or at any tap."""
    pg = touch(390, 844, init=NO_CLIPBOARD).open()
    assert pg.js("navigator.clipboard === undefined")
    watch_id = pg.js("window.__chainrule.watchId")
    pg.page.locator("#watch-link").tap()
    box = pg.page.locator("[data-testid=copy-fallback]")
    box.wait_for(state="visible")
    url = pg.page.locator("[data-testid=copy-fallback-url]")
    link = url.input_value()
    assert link.startswith(pg.base_url) and f"/watch/{watch_id}" in link
    assert pg.js("""(() => { const i = document.querySelector('[data-testid=copy-fallback-url]');
        return document.activeElement === i && i.readOnly && i.selectionStart === 0 && i.selectionEnd === i.value.length; })()""")
    assert pg.page.evaluate(f"({INSIDE})('[data-testid=copy-fallback]')")["inside"]
    assert "press and hold" in box.inner_text() and "Ctrl" not in box.inner_text()
    # a tap elsewhere, and longer than the notice's 5 s: still there
    pg.page.touchscreen.tap(200, 300)
    pg.page.wait_for_timeout(5600)
    assert box.is_visible() and url.input_value() == link
    # the link is the real one: it opens the watch page
    with urllib.request.urlopen(link, timeout=10) as r:
        assert r.status == 200
    # tapped again, the link is selected again (for a second try at copying)
    url.tap()
    assert pg.js("(() => { const i = document.activeElement; return i.dataset.testid === 'copy-fallback-url' && i.selectionEnd - i.selectionStart === i.value.length; })()")
    pg.page.locator("[data-testid=copy-fallback-close]").tap()
    box.wait_for(state="hidden")
    # the share link falls back the same way
    pg.page.locator("[data-testid=share-link]").tap()
    box.wait_for(state="visible")
    assert url.input_value() == pg.page.get_attribute("[data-testid=share-link]", "href")
    pg.page.keyboard.press("Escape")
    box.wait_for(state="hidden")


# -- B9: words for a finger on a touch screen ---------------------------------------------------

DESKTOP_NOTE = "· thicker = larger · hover for values, click to inspect, shift-click a weight to edit"


def test_hints_say_tap_on_a_touch_screen_and_keep_their_mouse_words_on_a_desktop(touch):
    """A phone read "hover for values, click to inspect, shift-click a weight to edit" and "shift-click an orange one"."""
    phone, desk = touch(), touch(1280, 720, touch=False)
    for pg in (phone, desk):
        pg.open()
    mouse_words = ("hover", "click", "shift")
    note = _visible_text(phone, ".network-legend:not(.backward-legend) .legend-note")
    assert "tap a neuron or a weight" in note and not any(w in note.lower() for w in mouse_words), note
    hint = _visible_text(phone, "#custom-hint")
    assert "tap the plot" in hint and not any(w in hint.lower() for w in mouse_words), hint
    phone.page.locator("[data-testid=view-backward]").tap()
    empty = _visible_text(phone, "[data-testid=inspector] .inspector-empty")
    assert empty.startswith("Tap a neuron") and "Tap a point on the output plot" in empty and "Click" not in empty, empty
    # the desktop's words are the same as before
    assert _visible_text(desk, ".network-legend:not(.backward-legend) .legend-note") == DESKTOP_NOTE
    assert "click the plot" in _visible_text(desk, "#custom-hint") and "tap" not in _visible_text(desk, "#custom-hint")
    desk.page.click("[data-testid=view-backward]")
    assert _visible_text(desk, "[data-testid=inspector] .inspector-empty").startswith("Click a neuron or a weight in the diagram")
