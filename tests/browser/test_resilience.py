"""When something goes wrong in a classroom, in Chromium: a connection that dies
without closing, clicks made while the server cannot hear them, a session the
server lost, a reload during a network glitch, a server that cannot make a
session, the tab offered after one closed by mistake, and the lesson card on
watch pages while the teacher does what it says."""

from __future__ import annotations

import json
import urllib.request

import pytest

pytestmark = pytest.mark.browser

STEP_TEXT = "Number(document.querySelector('[data-testid=step-count]').textContent)"
STATUS = "[data-testid=status]"
LOST = "Connection lost — reconnecting…"


def _server_step(pg, sid: str | None = None) -> int:
    return pg.api(f"/api/sessions/{sid or pg.session_id()}")["state"]["step"]


def _page_errors(pg) -> list[str]:
    """Errors of the page's own code (the browser's network errors while offline aside)."""
    return [e for e in pg.errors if e.startswith("page error")]


def _forget_network_errors(pg) -> None:
    """Chromium logs every failed connection as a console error: expected here."""
    assert _page_errors(pg) == [], _page_errors(pg)
    pg.errors.clear()


def test_a_dead_connection_is_noticed_and_made_again(playground):
    """Offline, the page said "Training…" with a green dot for as long as it lasted: the socket
    never closed, so the page never knew. Now a silence where frames were due drops it."""
    pg = playground.open()
    pg.page.keyboard.press(" ")
    pg.wait_step_above(20)
    pg.page.context.set_offline(True)
    pg.page.wait_for_function(f"document.querySelector('{STATUS}').textContent.includes('{LOST}')", timeout=16_000)
    assert "status-live" not in pg.page.get_attribute(STATUS, "class")
    frozen = pg.step_count()
    pg.page.context.set_offline(False)
    # back: frames again. Nobody else was looking, so the server paused the session when the
    # old connection went: the page says where it stands, and its keys work again
    pg.page.wait_for_function(f"{STEP_TEXT} > {frozen} && !document.querySelector('{STATUS}').textContent.includes('{LOST}')",
                              timeout=20_000)
    pg.page.wait_for_function("window.__chainrule.playing === false", timeout=10_000)
    assert pg.step_count() == _server_step(pg)
    pg.page.keyboard.press(" ")
    pg.wait_step_above(_server_step(pg))
    pg.page.keyboard.press(" ")
    pg.page.wait_for_function("window.__chainrule.playing === false")
    _forget_network_errors(pg)


def test_a_click_while_disconnected_is_not_done_later_by_itself(playground):
    """Clicks made while the server could not be reached were queued and sent on reconnection:
    the session started playing by itself when the server came back."""
    pg = playground.open()
    pg.page.keyboard.press("ArrowRight")
    pg.wait_step(1)
    sid = pg.session_id()
    pg.page.context.set_offline(True)
    # a command that gets no answer shows the connection dead (nothing is due while paused)
    pg.page.keyboard.press("ArrowRight")
    pg.page.wait_for_function(f"document.querySelector('{STATUS}').textContent.includes('{LOST}')", timeout=16_000)
    pg.page.click("[data-testid=play]")
    pg.page.click("[data-testid=step]")
    assert pg.page.get_attribute("[data-testid=play]", "aria-pressed") == "false"
    assert "connection to the server is lost" in pg.page.text_content("[data-testid=notice]")
    assert LOST in pg.page.text_content(STATUS)
    pg.page.context.set_offline(False)
    pg.page.wait_for_function(f"!document.querySelector('{STATUS}').textContent.includes('{LOST}')", timeout=20_000)
    pg.page.wait_for_timeout(1500)
    # the step sent into the dead socket may or may not have reached the server; nothing after it did
    assert _server_step(pg, sid) in (1, 2)
    assert pg.page.get_attribute("[data-testid=play]", "aria-pressed") == "false"
    assert pg.step_count() == _server_step(pg, sid)
    _forget_network_errors(pg)


def test_a_session_the_server_lost_tells_the_teacher_and_the_watchers(playground, new_playground):
    """A restart without a database: the teacher got a new session and watch link without being
    told to hand it out; a watcher saw "unknown session: it never existed…" as an alert, and a
    pressed play button with a green dot."""
    teacher = playground.open()
    sid, watch_id = teacher.session_id(), teacher.js("window.__chainrule.watchId")
    student = new_playground().open(f"/watch/{watch_id}")
    teacher.page.keyboard.press(" ")
    student.page.wait_for_function("window.__chainrule.playing === true")
    request = urllib.request.Request(f"{teacher.base_url}/api/sessions/{sid}", method="DELETE")
    urllib.request.urlopen(request, timeout=10).close()
    # the teacher: a new session, and told that the class needs the new watch link
    teacher.page.wait_for_function(f"window.__chainrule.sessionId !== '{sid}'", timeout=10_000)
    teacher.page.wait_for_function("document.querySelector('[data-testid=notice]').textContent.includes('new watch link')")
    assert teacher.js("window.__chainrule.watchId") != watch_id
    # the watcher: said in words, nothing pressed, no alert of the server's words
    student.page.wait_for_function(f"document.querySelector('{STATUS}').textContent.includes('has ended')", timeout=10_000)
    student.page.wait_for_timeout(800)
    assert "ask for a new watch link" in student.page.text_content(STATUS)
    assert student.page.get_attribute("[data-testid=play]", "aria-pressed") == "false"
    assert "status-live" not in student.page.get_attribute(STATUS, "class")
    assert "never existed" not in (student.page.text_content("[data-testid=notice]") or "")
    teacher.page.keyboard.press(" ")
    _forget_network_errors(student)


def test_a_reload_during_a_network_glitch_goes_on_with_the_same_session(playground):
    """Any error reading the tab's session counted as "gone": a reload during a glitch started a
    new session at step 0, with a new watch link, and said nothing."""
    pg = playground.open()
    sid = pg.session_id()
    for _ in range(3):
        pg.page.keyboard.press("ArrowRight")
    pg.wait_step(3)
    failures = {"left": 2}

    def glitch(route):
        if route.request.method == "GET" and failures["left"] > 0:
            failures["left"] -= 1
            route.abort("internetdisconnected")
        else:
            route.continue_()

    pg.page.route(f"**/api/sessions/{sid}", glitch)
    pg.page.reload()
    pg.wait_ready()
    assert failures["left"] == 0  # it did meet the glitch
    assert pg.session_id() == sid and pg.step_count() == 3
    _forget_network_errors(pg)


def test_a_server_that_cannot_make_a_session_says_so_and_turns_the_controls_off(playground):
    """A 503 (the server's sessions are all taken) said "the link's setup was refused … starting
    from the defaults instead", started nothing, and left play, step and reset doing nothing."""
    pg = playground
    pg.page.route("**/api/sessions", lambda route: route.fulfill(
        status=503, content_type="application/json",
        body=json.dumps({"detail": "the server holds as many sessions as it can (200); try again later",
                         "field": None})) if route.request.method == "POST" else route.continue_())
    pg.page.goto(pg.base_url + "/")
    pg.page.wait_for_function(f"document.querySelector('{STATUS}').textContent.includes('Could not start a session')")
    status = pg.page.text_content(STATUS)
    assert "as many sessions as it can" in status and "Reload the page" in status
    assert "was refused" not in (pg.page.text_content("[data-testid=notice]") or "")
    for control in ["play", "step", "reset"]:
        assert pg.page.is_disabled(f"[data-testid={control}]"), control
    assert pg.js("[...document.querySelectorAll('.app button, .app select, .app input')].every((el) => el.disabled)")
    pg.errors[:] = [e for e in pg.errors if "503" not in e]


def test_the_tab_offered_after_one_closed_by_mistake_is_the_one_trained_last(playground):
    """The offer went to the session last *opened*: a teacher who tried something in a second tab,
    then trained the class's session for a while and closed it, was offered the other one."""
    first = playground.open("/?dataset=xor")
    Playground = type(first)
    class_sid = first.session_id()
    for _ in range(3):
        first.page.keyboard.press("ArrowRight")
    first.wait_step(3)
    context = first.page.context
    other = Playground(context.new_page(), first.base_url).open("/?dataset=moons")
    for _ in range(2):
        other.page.keyboard.press("ArrowRight")
    other.wait_step(2)
    other.page.close()
    first.page.bring_to_front()
    first.page.keyboard.press(" ")
    first.page.wait_for_function(f"{STEP_TEXT} > 400")
    first.page.wait_for_timeout(3500)  # it is remembered every few seconds while it trains
    first.page.keyboard.press(" ")
    first.page.wait_for_function("window.__chainrule.playing === false")
    trained = _server_step(first, class_sid)
    first.page.close()
    again = Playground(context.new_page(), first.base_url).open("/")
    again.page.wait_for_selector("[data-testid=notice-action]", timeout=5_000)
    text = again.page.text_content("[data-testid=notice]")
    assert "xor" in text and f"step {trained}" in text, text


def test_watchers_keep_the_lesson_card_while_the_teacher_does_what_it_says(playground, new_playground):
    """The vanishing-gradients card says to switch to ReLU: doing so took the card from every
    watcher (and from a student joining with the lesson's link) while the teacher kept it."""
    teacher = playground.open("/?lesson=vanishing-gradients")
    watch_id = teacher.js("window.__chainrule.watchId")
    card = "[data-testid=lesson-card]"
    student = new_playground().open(f"/watch/{watch_id}?lesson=vanishing-gradients")
    student.page.wait_for_selector(card)
    teacher.page.select_option("#activation", "relu")
    student.page.wait_for_function("window.__chainrule.config.activation === 'relu'", timeout=10_000)
    student.page.wait_for_timeout(300)
    assert student.page.is_visible(card)
    late = new_playground().open(f"/watch/{watch_id}?lesson=vanishing-gradients")
    late.page.wait_for_selector(card, timeout=5_000)
    # another data set is another subject: the card goes
    teacher.page.click("button.dataset[data-dataset=xor]")
    student.page.wait_for_function(f"window.__chainrule.config.dataset === 'xor' && !document.querySelector('{card}')",
                                   timeout=10_000)
