"""The classroom, in Chromium: a teacher presents and watchers follow
(read-only, within a second), a fork becomes a session of its own, presenter
mode and hidden controls come through the link, every export is a valid file
(PNG, session JSON that loads back and continues, history CSV), and both
themes render — at projector and tablet sizes too."""

from __future__ import annotations

import csv
import io
import json
import struct
import zlib
from pathlib import Path

import pytest
from browser_http import post_json as _post

pytestmark = pytest.mark.browser

STEP_TEXT = "Number(document.querySelector('[data-testid=step-count]').textContent)"




def _download(pg, selector: str) -> Path:
    """Open the Export menu, click one item, and return the downloaded file."""
    pg.page.click("#export")
    with pg.page.expect_download(timeout=15_000) as info:
        pg.page.click(selector)
    return Path(info.value.path())


def _png_size(blob: bytes) -> tuple[int, int]:
    """Width and height of a PNG, after checking its signature and that its
    image data inflates to the size the header promises."""
    assert blob[:8] == b"\x89PNG\r\n\x1a\n"
    pos, width, height, idat = 8, 0, 0, b""
    while pos < len(blob):
        (length,) = struct.unpack(">I", blob[pos:pos + 4])
        kind, body = blob[pos + 4:pos + 8], blob[pos + 8:pos + 8 + length]
        (crc,) = struct.unpack(">I", blob[pos + 8 + length:pos + 12 + length])
        assert zlib.crc32(kind + body) == crc, f"bad CRC in {kind!r}"
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            channels = {2: 3, 6: 4, 0: 1, 4: 2}[colour]
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    assert len(raw) == height * (1 + width * channels * depth // 8)
    return width, height


def _ready_again(page) -> None:
    page.wait_for_function("window.__chainrule && window.__chainrule.ready === true && window.__chainrule.sessionId",
                           timeout=20_000)


def _watched_after_steps(playground, new_playground, path: str, steps: int):
    """A teacher's page at `path` stepped `steps` times by key, and a student
    following it on its watch link: (teacher, student, session id, watch id)."""
    teacher = playground.open(path)
    sid, watch_id = teacher.session_id(), teacher.js("window.__chainrule.watchId")
    for _ in range(steps):
        teacher.page.keyboard.press("ArrowRight")
    teacher.wait_step(steps)
    student = new_playground().open(f"/watch/{watch_id}")
    student.page.wait_for_function(f"{STEP_TEXT} === {steps}")
    return teacher, student, sid, watch_id


# -- present, follow, fork ---------------------------------------------------------------

def test_watchers_follow_the_teacher_read_only_and_a_fork_goes_its_own_way(playground, new_playground):
    teacher = playground.open()
    watch_id = teacher.js("window.__chainrule.watchId")
    teacher.page.click("[data-testid=present]")
    url = teacher.page.input_value("[data-testid=watch-url]")
    assert url == f"{teacher.base_url}/watch/{watch_id}"
    teacher.page.keyboard.press("Escape")

    viewers = [new_playground().open(url[len(teacher.base_url):]) for _ in range(2)]
    for _ in range(3):
        teacher.page.keyboard.press("ArrowRight")
    teacher.wait_step(3)
    for v in viewers:  # within a second of the teacher's own page
        v.page.wait_for_function(f"{STEP_TEXT} === 3", timeout=1_000)

    # a live change of the learning rate reaches the watchers with the next frame
    teacher.page.select_option("#learning-rate", "0.1")
    for v in viewers:
        v.page.wait_for_function("document.getElementById('learning-rate').value === '0.1'", timeout=1_000)

    viewer = viewers[0]
    for sel in ["[data-testid=play]", "[data-testid=step]", "[data-testid=reset]", "#learning-rate", "#noise",
                "#add-layer", "#speed"]:
        assert viewer.page.is_disabled(sel), sel
    assert viewer.page.is_hidden("[data-testid=present]")
    for key in ["ArrowRight", " ", "r"]:
        viewer.page.keyboard.press(key)
    viewer.page.wait_for_timeout(400)  # give a wrongly sent command time to show; correctness is below
    assert teacher.step_count() == 3 and viewer.step_count() == 3
    assert teacher.api(f"/api/watch/{watch_id}")["state"]["step"] == 3
    assert viewer.page.is_hidden("[data-testid=notice]") or "notice-error" not in (
        viewer.page.get_attribute("[data-testid=notice]", "class") or "")

    viewer.screenshot("classroom-watch-1280x720")

    # a watcher may take pictures and the history, but saving the session needs a session of one's own
    assert _png_size(_download(viewer, "[data-testid=export-png-boundary]").read_bytes())[0] > 100
    rows = list(csv.reader(io.StringIO(_download(viewer, "[data-testid=export-csv]").read_text())))
    history = teacher.api(f"/api/watch/{watch_id}/history")
    assert rows[0][0] == "step" and int(rows[-1][0]) == max(history["step"][-1], history["eval_step"][-1])
    viewer.page.click("#export")
    assert viewer.page.is_disabled("[data-testid=export-json]") and not viewer.page.is_disabled("[data-testid=export-csv]")
    viewer.page.keyboard.press("Escape")

    # fork: a session of one's own, from the watched state
    viewer.page.click("#fork")
    _ready_again(viewer.page)
    viewer.page.wait_for_function(f"!window.__chainrule.store.readonly && {STEP_TEXT} === 3")
    assert viewer.page.is_enabled("[data-testid=step]")
    assert viewer.page.input_value("#learning-rate") == "0.1"
    viewer.page.keyboard.press("ArrowRight")
    viewer.wait_step(4)
    assert teacher.api(f"/api/watch/{watch_id}")["state"]["step"] == 3
    assert teacher.step_count() == 3
    # … and the other way round
    teacher.page.keyboard.press("ArrowRight")
    teacher.page.keyboard.press("ArrowRight")
    teacher.wait_step(5)
    viewers[1].page.wait_for_function(f"{STEP_TEXT} === 5", timeout=1_000)
    assert viewer.step_count() == 4
    assert viewer.api(f"/api/sessions/{viewer.session_id()}")["state"]["step"] == 4


def test_a_watcher_who_joins_late_sees_the_curves_from_the_start(playground):
    session = _post(playground.base_url, "/api/sessions", {})
    for _ in range(4):  # each step request evaluates: four points of the loss history
        _post(playground.base_url, f"/api/sessions/{session['id']}/step", {"steps": 10})
    viewer = playground.open(f"/watch/{session['watch_id']}")
    history = viewer.api(f"/api/sessions/{session['id']}/history")
    viewer.page.wait_for_function("document.querySelector('[data-testid=loss-chart]').data[0].x.length >= 5")
    loss = viewer.js("(() => { const d = document.querySelector('[data-testid=loss-chart]').data;"
                     " return [d[0].x, d[0].y, d[1].y]; })()")
    assert history["eval_step"] == [0, 10, 20, 30, 40]
    assert loss[0] == history["eval_step"]
    assert loss[1] == pytest.approx(history["train_loss"], rel=1e-5)
    assert loss[2] == pytest.approx(history["test_loss"], rel=1e-5)
    viewer.page.wait_for_function(
        "(document.querySelector('[data-testid=gradient-chart]').data || [{x: []}])[0].x.length >= 40")
    grads = viewer.js("document.querySelector('[data-testid=gradient-chart]').data.map(t => t.x)")
    assert grads[0][:40] == history["step"][:40]


def test_a_reload_goes_on_with_the_same_session_and_the_class_keeps_following(playground, new_playground):
    teacher, student, sid, watch_id = _watched_after_steps(playground, new_playground, "/?dataset=xor", 5)

    teacher.page.reload()  # F5: the same session, at the same step, with the same watch link
    teacher.wait_ready()
    assert teacher.session_id() == sid and teacher.js("window.__chainrule.watchId") == watch_id
    assert teacher.step_count() == 5
    assert teacher.api(f"/api/sessions/{sid}")["state"]["step"] == 5
    teacher.page.keyboard.press("ArrowRight")
    teacher.wait_step(6)
    student.page.wait_for_function(f"{STEP_TEXT} === 6", timeout=2_000)  # the class still follows

    # another setup typed into the same tab is another session
    teacher.page.goto(teacher.base_url + "/?dataset=circle")
    teacher.wait_ready()
    assert teacher.session_id() != sid and teacher.step_count() == 0
    # and a new tab with the first address starts its own session too
    other = new_playground().open("/?dataset=xor")
    assert other.session_id() not in (sid, teacher.session_id())


def test_a_duplicated_tab_goes_on_from_a_copy_and_leaves_the_original_its_session(playground):
    """A duplicated browser tab inherits the original's sessionStorage, hence its
    session: it must not drive that session too (the class follows the
    original), but go on from a copy of it."""
    original = playground.open("/?dataset=xor")
    sid = original.session_id()
    for _ in range(3):
        original.page.keyboard.press("ArrowRight")
    original.wait_step(3)
    kept = original.js("sessionStorage.getItem('chainrule-session')")
    # what "Duplicate tab" makes: another tab of the same browser, same address, the same sessionStorage
    page = original.page.context.new_page()
    page.add_init_script(f"if (!sessionStorage.getItem('chainrule-session')) "
                         f"sessionStorage.setItem('chainrule-session', {json.dumps(kept)})")
    copy = type(original)(page, original.base_url)  # a Playground on the new tab
    page.on("console", lambda m: copy.errors.append(f"console: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: copy.errors.append(f"page error: {e}"))
    copy.open("/?dataset=xor")
    copy_id = copy.session_id()
    assert copy_id != sid
    assert copy.step_count() == 3  # a copy of the original at its step
    assert "copy of another one" in copy.page.text_content("[data-testid=notice]")
    copy.screenshot("classroom-duplicated-tab")

    # each tab drives its own session from now on
    original.page.keyboard.press("ArrowRight")
    original.wait_step(4)
    assert copy.api(f"/api/sessions/{copy_id}")["state"]["step"] == 3
    copy.page.keyboard.press("ArrowRight")
    copy.wait_step(4)
    assert copy.api(f"/api/sessions/{sid}")["state"]["step"] == 4
    # and a reload of either goes on with its own (nobody else drives it)
    for tab, own in ((original, sid), (copy, copy_id)):
        tab.page.reload()
        tab.wait_ready()
        assert tab.session_id() == own
        assert tab.step_count() == 4
    copy.assert_no_errors()


def test_fork_from_ones_own_page_opens_a_copy_in_a_new_tab(playground):
    pg = playground.open()
    pg.page.keyboard.press("ArrowRight")
    pg.page.keyboard.press("ArrowRight")
    pg.wait_step(2)
    original = pg.session_id()
    pg.page.click("#export")
    with pg.page.context.expect_page() as info:
        pg.page.click("[data-testid=fork-copy]")
    copy = info.value
    _ready_again(copy)
    copy.wait_for_function(f"{STEP_TEXT} === 2")
    mine = copy.evaluate("window.__chainrule.sessionId")
    assert mine != original
    copy.keyboard.press("ArrowRight")
    copy.wait_for_function(f"{STEP_TEXT} === 3")
    assert pg.api(f"/api/sessions/{original}")["state"]["step"] == 2
    assert pg.step_count() == 2
    copy.close()


def test_copy_puts_the_watch_link_on_the_clipboard_and_leaves_the_keys_to_the_page(playground):
    """Copy used to leave the focus in the link box: a teacher's space then played nothing."""
    pg = playground.open()
    pg.page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=pg.base_url)
    pg.page.click("[data-testid=present]")
    url = pg.page.input_value("[data-testid=watch-url]")
    assert url == f"{pg.base_url}/watch/{pg.js('window.__chainrule.watchId')}"
    pg.page.click("[data-testid=copy-watch-url]")
    pg.page.wait_for_function("document.querySelector('[data-testid=notice]').textContent.includes('Watch link copied')")
    assert pg.js("navigator.clipboard.readText()") == url
    assert pg.js("document.activeElement.dataset.testid") == "copy-watch-url"
    pg.page.keyboard.press(" ")
    pg.page.wait_for_function("document.querySelector('[data-testid=play]').getAttribute('aria-pressed') === 'true'")
    pg.page.keyboard.press(" ")
    pg.page.wait_for_function("document.querySelector('[data-testid=play]').getAttribute('aria-pressed') === 'false'")
    # without the clipboard, the link is selected in its box for Ctrl+C
    pg.page.context.clear_permissions()
    pg.js("() => { navigator.clipboard.writeText = () => Promise.reject(new Error('denied')); }")
    pg.page.click("[data-testid=copy-watch-url]")
    pg.page.wait_for_function("document.querySelector('[data-testid=notice]').textContent.includes('copy it (Ctrl+C)')")
    assert pg.js("document.activeElement.dataset.testid") == "watch-url"
    assert pg.js("(() => { const i = document.activeElement; return i.value.slice(i.selectionStart, i.selectionEnd); })()") == url


# -- presenter mode and hidden controls -----------------------------------------------------

def test_presenter_mode_and_hidden_controls_come_through_the_link(playground, new_playground):
    pg = playground.open("/?present=1&hide=noise,batch_size")
    page = pg.page
    assert page.evaluate("document.documentElement.classList.contains('presenting')")
    assert page.is_hidden("#noise") and page.is_hidden("#batch-size")
    assert page.is_visible("#train-fraction") and page.is_visible("#learning-rate")
    assert page.evaluate("getComputedStyle(document.documentElement).fontSize") == "16px"
    # thicker lines and larger type in the charts
    assert page.evaluate("document.getElementById('loss-chart').data[0].line.width") == pytest.approx(3.6)
    assert page.evaluate("document.getElementById('loss-chart').layout.font.size") == pytest.approx(12 * 1.3)

    # a change of the setup keeps the view in the address bar and the share link
    page.select_option("#learning-rate", "0.1")
    page.wait_for_function("location.search.includes('learning_rate=0.1')")
    for text in [page.evaluate("location.search"), page.get_attribute("[data-testid=share-link]", "href")]:
        assert "present=1" in text and "hide=noise,batch_size" in text and "learning_rate=0.1" in text

    # the watch link carries the hidden controls, not presenter mode (students sit at laptops)
    page.click("[data-testid=present]")
    url = page.input_value("[data-testid=watch-url]")
    assert url.endswith("?hide=noise,batch_size")
    assert page.is_checked("[data-testid=presenter-mode]")
    assert page.is_checked("#hide-grid input[value=noise]")
    # hiding one more through the panel
    page.check("#hide-grid input[value=gradients]")
    assert page.is_hidden("[data-testid=gradient-chart]")
    page.uncheck("[data-testid=presenter-mode]")
    assert not page.evaluate("document.documentElement.classList.contains('presenting')")
    page.wait_for_function("document.getElementById('loss-chart').data[0].line.width === 2")
    assert "present=1" not in page.evaluate("location.search")
    assert "hide=noise,batch_size,gradients" in page.evaluate("location.search")

    viewer = new_playground().open(url[len(pg.base_url):])
    assert viewer.page.is_hidden("#noise") and viewer.page.is_hidden("#batch-size")
    assert viewer.page.is_visible("#train-fraction")
    # "Fork and play" keeps them too (it dropped them, where Export ▾ → Fork kept them)
    viewer.page.click("#fork")
    viewer.page.wait_for_function("window.__chainrule && window.__chainrule.ready === true && window.__chainrule.sessionId",
                                  timeout=20_000)
    assert "hide=noise,batch_size" in viewer.page.evaluate("location.search")
    assert viewer.page.is_hidden("#noise") and viewer.page.is_hidden("#batch-size")

    # a lesson without the data panel gives its column to the network
    lesson = new_playground().open("/?hide=data,toolbar")
    assert lesson.page.is_hidden(".panel-data") and lesson.page.is_hidden("#hyper")
    left = lesson.page.evaluate("document.querySelector('.panel-network').getBoundingClientRect().left")
    assert left < 30


# -- export and load ------------------------------------------------------------------------

def test_every_export_is_a_valid_file_and_a_saved_session_loads_back_and_continues(playground):
    pg = playground.open()
    for _ in range(4):
        pg.page.keyboard.press("ArrowRight")
    pg.wait_step(4)
    pg.page.wait_for_function("window.__chainrule.framesDrawn > 0")

    for key in ["network", "boundary", "loss", "gradients"]:
        path = _download(pg, f"[data-testid=export-png-{key}]")
        assert path.stat().st_size > 2_000
        width, height = _png_size(path.read_bytes())
        box = pg.page.evaluate(f"""(() => {{ const id = {{network: 'network', boundary: 'boundary', loss: 'loss-chart',
            gradients: 'gradient-chart'}}['{key}']; const e = document.getElementById(id);
            return [e.clientWidth, e.clientHeight]; }})()""")
        assert (width, height) == (2 * round(box[0]), 2 * round(box[1])), key

    # history as CSV: a header, and one row per recorded step of GET /history
    original = pg.session_id()
    text = _download(pg, "[data-testid=export-csv]").read_text()
    rows = list(csv.reader(io.StringIO(text)))
    history = pg.api(f"/api/sessions/{original}/history")
    assert rows[0][:3] == ["step", "batch_loss", "grad_norm_W1"]
    assert rows[0][-4:] == ["train_loss", "test_loss", "train_accuracy", "test_accuracy"]
    assert len(rows[0]) == 2 + len(history["grad_norms"]) + 4
    body = rows[1:]
    assert [int(r[0]) for r in body] == sorted(set(history["step"]) | set(history["eval_step"]))
    by_step = {int(r[0]): r for r in body}
    for i, step in enumerate(history["step"]):
        assert float(by_step[step][1]) == history["batch_loss"][i]
        assert float(by_step[step][2]) == history["grad_norms"][0][i]
    for i, step in enumerate(history["eval_step"]):
        assert float(by_step[step][-4]) == history["train_loss"][i]

    # the session as JSON, loaded back through the page: the same step, and it continues bit for bit
    saved = _download(pg, "[data-testid=export-json]")
    document = json.loads(saved.read_text())
    assert document["format"] == "chainrule-session"
    pg.page.set_input_files("[data-testid=load-session]", str(saved))
    pg.page.wait_for_function(f"window.__chainrule && window.__chainrule.sessionId && window.__chainrule.sessionId !== '{original}'",
                              timeout=20_000)
    _ready_again(pg.page)
    pg.wait_step(4)
    loaded = pg.session_id()
    # it says that this is a new session with a new watch link (a class watching the old one stays there)
    pg.page.wait_for_function("document.querySelector('[data-testid=notice]').textContent.includes('new watch link')")
    assert "at step 4" in pg.page.text_content("[data-testid=notice]")
    pg.page.keyboard.press("ArrowRight")
    pg.wait_step(5)
    reference = _post(pg.base_url, f"/api/sessions/{original}/step", {"steps": 1})
    assert reference["step"] == 5
    assert pg.api(f"/api/sessions/{loaded}")["state"]["loss"] == reference["loss"]


def test_a_file_that_is_not_a_session_is_refused_with_a_message(playground, tmp_path):
    pg = playground.open()
    pg.allow_refusals = True
    bad = tmp_path / "notes.json"
    bad.write_text('{"hello": 1}')
    pg.page.set_input_files("[data-testid=load-session]", str(bad))
    pg.page.wait_for_function("document.querySelector('[data-testid=notice]').classList.contains('notice-error')")
    assert "notes.json could not be loaded" in pg.page.text_content("[data-testid=notice]")
    assert pg.session_id()  # still on its own session


# -- themes, and the screens a class sees ------------------------------------------------

def _panels_overlap(page) -> list[str]:
    return page.evaluate("""(() => {
      const boxes = [...document.querySelectorAll('.topbar, .toolbar, .statusbar, .panel')]
        .filter((e) => e.offsetParent !== null).map((e) => [e.className, e.getBoundingClientRect()]);
      const bad = [];
      for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
        const [a, p] = boxes[i], [b, q] = boxes[j];
        if (p.left < q.right - 1 && q.left < p.right - 1 && p.top < q.bottom - 1 && q.top < p.bottom - 1) bad.push(a + ' / ' + b);
      }
      return bad;
    })()""")


@pytest.mark.parametrize("width,height", [(1280, 720), (1920, 1080), (820, 1180)])
def test_both_themes_render_cleanly_at_projector_and_tablet_sizes(new_playground, width, height):
    for scheme in ["light", "dark"]:
        pg = new_playground(width, height)
        pg.page.emulate_media(color_scheme=scheme)
        pg.open()
        page = pg.page
        assert page.evaluate("document.documentElement.dataset.theme") == scheme  # follows the system
        for _ in range(3):
            page.keyboard.press("ArrowRight")
        pg.wait_step(3)
        page.wait_for_function("window.__chainrule.framesDrawn > 1")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        assert _panels_overlap(page) == []
        bg = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert bg == ("rgb(15, 20, 26)" if scheme == "dark" else "rgb(238, 240, 243)")
        pg.screenshot(f"classroom-{scheme}-{width}x{height}")
        if width < 1000:  # a tablet scrolls: the whole page too
            page.screenshot(path=str(pg.screenshot(f"classroom-{scheme}-{width}x{height}-full")), full_page=True)

    # the toggle overrides the system (dark, on the last page), redraws the charts in the new colours,
    # and is remembered
    other = "light"
    page.click("[data-testid=theme-toggle]")
    assert page.evaluate("document.documentElement.dataset.theme") == other
    ink = page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--ink').trim()")
    page.wait_for_function(f"document.getElementById('loss-chart').layout.font.color === '{ink}'")
    page.reload()
    pg.wait_ready()
    assert page.evaluate("document.documentElement.dataset.theme") == other


def test_presenter_mode_and_the_present_panel_on_a_projector(new_playground):
    for scheme, size in [("light", (1920, 1080)), ("dark", (1280, 720))]:
        pg = new_playground(*size)
        pg.page.emulate_media(color_scheme=scheme)
        pg.open("/?present=1&hide=noise,batch_size,custom")
        pg.page.keyboard.press("ArrowRight")
        pg.wait_step(1)
        assert _panels_overlap(pg.page) == []
        pg.screenshot(f"classroom-present-{scheme}-{size[0]}x{size[1]}")
        pg.page.click("[data-testid=present]")
        box = pg.page.evaluate("(() => { const r = document.getElementById('present-panel').getBoundingClientRect();"
                               " return [r.left, r.right, r.bottom]; })()")
        assert box[0] >= 0 and box[1] <= size[0] and box[2] <= size[1]
        pg.screenshot(f"classroom-present-panel-{scheme}-{size[0]}x{size[1]}")


def test_a_lesson_from_the_menu_is_set_up_in_the_session_the_class_watches(playground, new_playground):
    """Opening a lesson used to start a new session with a new watch link,
    leaving the class on the old one without a word."""
    teacher, student, sid, watch_id = _watched_after_steps(playground, new_playground, "/", 3)
    teacher.page.click("[data-testid=lessons-button]")
    teacher.page.click("[data-testid=lesson-link][data-lesson='xor-needs-hidden']")
    teacher.page.wait_for_selector("[data-testid=lesson-card][data-lesson='xor-needs-hidden']")
    teacher.wait_step(0)
    assert teacher.session_id() == sid and teacher.js("window.__chainrule.watchId") == watch_id
    assert "anyone watching follows it" in teacher.page.text_content("[data-testid=notice]")
    # the class sees the lesson's network and data, from step 0
    student.page.wait_for_function("document.querySelector('[data-testid=network]').dataset.sizes === '2,1'")
    student.page.wait_for_function(f"{STEP_TEXT} === 0")
    assert student.js("window.__chainrule.config.dataset") == "xor"
    teacher.page.keyboard.press("ArrowRight")
    student.page.wait_for_function(f"{STEP_TEXT} === 1", timeout=3_000)
    # the watch link now carries the lesson: students who open it see its card
    teacher.page.click("[data-testid=present]")
    url = teacher.page.input_value("[data-testid=watch-url]")
    assert url.startswith(f"{teacher.base_url}/watch/{watch_id}") and "lesson=xor-needs-hidden" in url
    teacher.page.keyboard.press("Escape")
    late = new_playground().open(url.removeprefix(teacher.base_url))
    assert late.page.get_attribute("[data-testid=lesson-card]", "data-lesson") == "xor-needs-hidden"
    assert late.js("window.__chainrule.sessionId") is None and late.js("window.__chainrule.watchId") == watch_id
    # watchers show the lesson the session is set up for: the one there already too, and after a switch
    student.page.wait_for_selector("[data-testid=lesson-card][data-lesson='xor-needs-hidden']")
    teacher.page.click("[data-testid=lessons-button]")
    teacher.page.click("[data-testid=lesson-link][data-lesson='zero-init-symmetry']")
    teacher.page.wait_for_selector("[data-testid=lesson-card][data-lesson='zero-init-symmetry']")
    for page in (student.page, late.page):  # the late one's link still says xor-needs-hidden
        page.wait_for_selector("[data-testid=lesson-card][data-lesson='zero-init-symmetry']", timeout=5_000)
    teacher.page.select_option("#learning-rate", "0.1")  # a live change, as a lesson may ask: the card stays
    student.page.wait_for_function("window.__chainrule.config.learning_rate === 0.1")
    assert student.page.locator("[data-testid=lesson-card][data-lesson='zero-init-symmetry']").count() == 1
    teacher.page.select_option("#init", "xavier")  # as the lesson asks: the card stays (the teacher's does)
    student.page.wait_for_function("window.__chainrule.config.init === 'xavier'")
    student.page.wait_for_timeout(300)
    assert student.page.locator("[data-testid=lesson-card][data-lesson='zero-init-symmetry']").count() == 1
    teacher.page.click("button.dataset[data-dataset=xor]")  # another data set, another subject: no card
    student.page.wait_for_selector("[data-testid=lesson-card]", state="detached", timeout=5_000)
    teacher.page.click("[data-testid=lessons-button]")
    teacher.page.click("[data-testid=lesson-link][data-lesson='xor-needs-hidden']")
    teacher.page.wait_for_selector("[data-testid=lesson-card][data-lesson='xor-needs-hidden']")
    student.page.wait_for_selector("[data-testid=lesson-card][data-lesson='xor-needs-hidden']", timeout=5_000)
    # a reload keeps this session and the lesson's card
    teacher.page.reload()
    teacher.wait_ready()
    assert teacher.session_id() == sid
    assert teacher.page.get_attribute("[data-testid=lesson-card]", "data-lesson") == "xor-needs-hidden"
    teacher.assert_no_errors()
    student.assert_no_errors()


def test_a_slow_laptop_stays_with_the_class(playground, new_playground):
    """A watcher on a slow machine (Chromium's CPU slowed 8×) read every frame from
    buffers seconds deep and fell further and further behind: 460 updates behind
    after 8 s here, and the teacher's pause reached it 5.4 s late. It acks each
    frame now and is sent the newest: 10–30 updates behind, the pause within a second."""
    teacher = playground.open("/?lesson=vanishing-gradients")
    watch_id = teacher.js("window.__chainrule.watchId")
    student = new_playground()
    cdp = student.page.context.new_cdp_session(student.page)
    student.open(f"/watch/{watch_id}")
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": 8})
    teacher.page.select_option("#speed", "5")
    teacher.page.click("[data-testid=play]")
    lags = []
    for _ in range(4):
        teacher.page.wait_for_timeout(2_000)
        live = teacher.api(f"/api/watch/{watch_id}")["state"]["step"]
        lags.append(live - int(student.page.text_content("[data-testid=step-count]")))
    teacher.page.click("[data-testid=play]")  # pause
    teacher.page.wait_for_function("document.querySelector('[data-testid=play]').getAttribute('aria-pressed') === 'false'")
    paused = teacher.api(f"/api/watch/{watch_id}")["state"]["step"]
    assert paused > 500
    student.page.wait_for_function(f"{STEP_TEXT} === {paused}", timeout=2_500)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": 1})
    assert max(lags[1:]) < 200, lags  # about a second of updates at most (160 a second here)


def test_a_watch_pages_weight_hover_offers_the_chain_rule_and_points_to_fork_for_editing(playground, new_playground):
    teacher = playground.open()
    viewer = new_playground().open(f"/watch/{teacher.js('window.__chainrule.watchId')}")
    target = viewer.js("""(() => { const gd = document.querySelector('[data-testid=network]');
        const e = window.__chainrule.network.geometry.edges[0]; const r = gd.getBoundingClientRect();
        return {x: r.left + e.mx, y: r.top + (gd.layout.height - e.my)}; })()""")
    viewer.page.mouse.move(target["x"], target["y"])
    viewer.page.wait_for_selector("#hovercard:not([hidden])")
    text = viewer.page.text_content("#hovercard")
    assert "Click for the chain rule" in text and "Fork and play" in text and "shift-click" not in text


def test_the_speed_shows_on_watch_pages_and_survives_the_teachers_reload(playground, new_playground):
    """A watcher's (disabled) speed menu said 20 while the class ran at 100, and
    a teacher's reload put a session playing at "max" back to 20."""
    teacher = playground.open()
    viewer = new_playground().open(f"/watch/{teacher.js('window.__chainrule.watchId')}")
    teacher.page.select_option("#speed", "100")
    viewer.page.wait_for_function("document.getElementById('speed').value === '100'", timeout=5_000)
    teacher.page.select_option("#speed", "max")
    viewer.page.wait_for_function("document.getElementById('speed').value === 'max'", timeout=5_000)
    teacher.page.reload()
    teacher.wait_ready()
    assert teacher.page.input_value("#speed") == "max"
    teacher.page.keyboard.press("ArrowRight")  # a frame after the reload's speed command
    teacher.page.wait_for_function("window.__chainrule.frame.steps_per_frame === 'max'", timeout=5_000)
    assert viewer.page.input_value("#speed") == "max"


def test_watch_pages_follow_the_teachers_forward_backward_switch(playground, new_playground):
    """The teacher pauses on the backward pass: the students' laptops show it too,
    and a student may look at the other picture until the teacher's next flip."""
    mode = "document.querySelector('[data-testid=network]').dataset.mode"
    teacher = playground.open()
    viewer = new_playground().open(f"/watch/{teacher.js('window.__chainrule.watchId')}")
    assert viewer.js(mode) == "forward"
    teacher.page.click("[data-testid=view-backward]")
    viewer.page.wait_for_function(f"{mode} === 'backward'", timeout=5_000)
    assert viewer.page.get_attribute("[data-testid=view-backward]", "aria-pressed") == "true"
    # the student's own look at the forward picture lasts while the teacher stays on backward
    viewer.page.keyboard.press("b")
    assert viewer.js(mode) == "forward"
    for _ in range(2):
        teacher.page.keyboard.press("ArrowRight")
    viewer.wait_step(2)
    viewer.page.wait_for_timeout(300)
    assert viewer.js(mode) == "forward" and viewer.js("window.__chainrule.frame.view.mode") == "backward"
    # a student who comes in now sees what the teacher shows
    late = new_playground().open(f"/watch/{teacher.js('window.__chainrule.watchId')}")
    late.page.wait_for_function(f"{mode} === 'backward'", timeout=5_000)
    # the teacher's next flip brings everyone along: b on the teacher's page, both ways
    teacher.page.keyboard.press("b")
    late.page.wait_for_function(f"{mode} === 'forward'", timeout=5_000)
    teacher.page.keyboard.press("b")
    viewer.page.wait_for_function(f"{mode} === 'backward'", timeout=5_000)
    late.page.wait_for_function(f"{mode} === 'backward'", timeout=5_000)
    assert teacher.js(mode) == "backward"
    viewer.screenshot("watch-follows-backward")


def test_a_lesson_picked_on_a_watch_page_opens_in_a_new_tab_and_the_class_is_kept(playground, new_playground):
    """It took the student's tab to a session of their own, without a word: they
    no longer followed the class."""
    teacher = playground.open()
    watch = f"/watch/{teacher.js('window.__chainrule.watchId')}"
    viewer = new_playground().open(watch)
    viewer.page.click("[data-testid=lessons-button]")
    assert "new tab" in viewer.page.text_content("[data-testid=lessons-menu]")
    with viewer.page.context.expect_page(timeout=10_000) as opened:
        viewer.page.click("[data-testid=lesson-link][data-lesson='xor-needs-hidden']")
    lesson = opened.value
    lesson.wait_for_function("window.__chainrule && window.__chainrule.ready === true", timeout=20_000)
    assert "lesson=xor-needs-hidden" in lesson.url and lesson.evaluate("window.__chainrule.sessionId")
    assert viewer.page.url.endswith(watch)  # still following
    teacher.page.keyboard.press("ArrowRight")
    viewer.wait_step(1)
    lesson.close()
    # the menu opens from its top again, however far it was scrolled
    viewer.page.click("[data-testid=lessons-button]")
    viewer.js("document.querySelector('[data-testid=lessons-menu]').scrollTop = 400")
    viewer.page.keyboard.press("Escape")
    viewer.page.click("[data-testid=lessons-button]")
    assert viewer.js("document.querySelector('[data-testid=lessons-menu]').scrollTop") == 0


def test_a_tab_closed_by_mistake_can_be_found_again_from_a_new_one(playground):
    """Closing the teacher's tab and opening the address again made a new session,
    with no word of the old one the class still watched, and no way back."""
    first = playground.open("/?dataset=xor")
    sid, watch_id = first.session_id(), first.js("window.__chainrule.watchId")
    for _ in range(3):
        first.page.keyboard.press("ArrowRight")
    first.wait_step(3)
    context = first.page.context
    # while that tab still drives it, a new tab does not offer it (nothing was lost)
    Playground = type(first)
    second = Playground(context.new_page(), first.base_url).open("/")
    second.page.wait_for_timeout(600)
    assert second.page.query_selector("[data-testid=notice-action]") is None or not second.page.is_visible("[data-testid=notice-action]")
    second.page.close()
    first.page.close()  # the mistake
    again = Playground(context.new_page(), first.base_url).open("/")
    assert again.session_id() != sid
    again.page.wait_for_selector("[data-testid=notice-action]", timeout=5_000)
    assert "step 3" in again.page.text_content("[data-testid=notice]")
    again.page.click("[data-testid=notice-action]")
    again.page.wait_for_function(f"window.__chainrule && window.__chainrule.sessionId === '{sid}' && window.__chainrule.ready === true",
                                 timeout=20_000)
    assert again.js("window.__chainrule.watchId") == watch_id and again.step_count() == 3


def _offered(pg, wait_ms: int = 1_800) -> str | None:
    """The go-back offer's text on a new page, or None once it had time to come (it waits a second for other tabs)."""
    pg.page.wait_for_timeout(wait_ms)
    if pg.page.is_visible("[data-testid=notice-action]"):
        return pg.page.text_content("[data-testid=notice]")
    return None


def test_a_fork_is_offered_again_only_once_it_was_trained(playground, new_playground):
    """A student's fork starts at the teacher's step, so it counted as trained:
    any new tab in that browser offered to go back to a fork never touched."""
    _teacher, student, _sid, _watch_id = _watched_after_steps(playground, new_playground, "/?dataset=xor", 3)
    student.page.click("#fork")
    _ready_again(student.page)
    student.page.wait_for_function(f"!window.__chainrule.store.readonly && {STEP_TEXT} === 3")
    fork_id = student.session_id()
    context = student.page.context
    Playground = type(student)
    student.page.close()  # the fork, left as it came
    fresh = Playground(context.new_page(), student.base_url).open("/")
    assert _offered(fresh) is None
    fresh.page.close()
    # the same fork, trained one update further in this browser, is offered
    again = Playground(context.new_page(), student.base_url).open(f"/#session={fork_id}")
    assert again.session_id() == fork_id and again.step_count() == 3
    again.page.keyboard.press("ArrowRight")
    again.wait_step(4)
    again.page.close()
    last = Playground(context.new_page(), student.base_url).open("/")
    text = _offered(last)
    assert text is not None and "step 4" in text, text


def test_the_go_back_offer_waits_for_an_error_notice_to_go(playground):
    """The offer replaced the notice of a link that could not be read: the user
    never learnt why the page ignored part of the link."""
    first = playground.open()
    first.page.keyboard.press("ArrowRight")
    first.wait_step(1)
    context = first.page.context
    Playground = type(first)
    first.page.close()
    bad = Playground(context.new_page(), first.base_url).open("/?dataset=nonsense")
    notice = "[data-testid=notice]"
    assert "was refused" in bad.page.text_content(notice)
    assert _offered(bad) is None and "was refused" in bad.page.text_content(notice)
    bad.page.click(notice)  # read and dismissed: now the offer comes
    bad.page.wait_for_selector("[data-testid=notice-action]", timeout=3_000)
    assert "step 1" in bad.page.text_content(notice)
