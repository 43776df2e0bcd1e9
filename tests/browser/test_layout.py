"""Layout at a projector's 1280×720, in Chromium: every control reachable and
every label whole and legible — checked on the geometry the browser lays out
(what is under the pointer, where each label's box lies), not on pictures.
Screenshots of each state land in tests/artifacts/ for a human look."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

TEN_LAYERS = "/?hidden_layers=8,8,8,8,8,8,8,8,8,8"
PLAY = "[data-testid=play]"

# a DOM element's box in page pixels
BOX = """const box = (e) => { const r = e.getBoundingClientRect();
  return { l: r.left, t: r.top, r: r.right, b: r.bottom, w: r.width, h: r.height }; };"""

# every button of the layer strip with what the pointer meets at its centre, and every heading
STRIP = f"""() => {{ {BOX}
  const buttons = [...document.querySelectorAll('#layer-strip button')].map((b) => {{
    const r = b.getBoundingClientRect();
    const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    return {{ layer: b.closest('.layer-col').dataset.layer, action: b.dataset.action, hit: b === hit || b.contains(hit), ...box(b) }};
  }});
  const headings = [...document.querySelectorAll('#layer-strip .layer-name')].map((n) =>
    ({{ text: n.innerText, cut: n.scrollWidth > n.clientWidth + 0.5, ...box(n) }}));
  return {{ buttons, headings }};
}}"""

# a chart's tick labels (those drawn) and its SVG
TICKS = f"""(id) => {{ {BOX}
  const el = document.getElementById(id);
  const labels = [...el.querySelectorAll('.xtick text, .ytick text')]
    .map((t) => ({{ axis: t.closest('.ytick') ? 'y' : 'x', text: t.textContent, ...box(t) }})).filter((b) => b.w > 0);
  const ya = el._fullLayout.yaxis;
  return {{ svg: box(el.querySelector('.main-svg')), labels, yrange: ya.range, ylength: ya._length }};
}}"""


def _overlap(a: dict, b: dict, slack: float = 0.5) -> bool:
    return a["l"] < b["r"] - slack and b["l"] < a["r"] - slack and a["t"] < b["b"] - slack and b["t"] < a["b"] - slack


def _inside(inner: dict, outer: dict, slack: float = 0.5) -> bool:
    return (inner["l"] >= outer["l"] - slack and inner["r"] <= outer["r"] + slack
            and inner["t"] >= outer["t"] - slack and inner["b"] <= outer["b"] + slack)


def _assert_labels_whole_and_apart(chart: dict, name: str) -> None:
    assert chart["labels"], name
    for lab in chart["labels"]:
        assert _inside(lab, chart["svg"]), (name, "label cut off", lab, chart["svg"])
    for axis in ("x", "y"):
        labels = [lab for lab in chart["labels"] if lab["axis"] == axis]
        for i, a in enumerate(labels):
            for b in labels[i + 1:]:
                assert not _overlap(a, b), (name, "labels overlap", a, b)


def _pause(pg) -> None:
    # in one go in the page: a session that diverges pauses by itself, and its play button
    # goes off between a check made from here and a click
    pg.js(f"(() => {{ const b = document.querySelector('{PLAY}');"
          " if (b.getAttribute('aria-pressed') === 'true' && !b.disabled) b.click(); })()")
    pg.page.wait_for_function("document.querySelector('[data-testid=play]').getAttribute('aria-pressed') === 'false'")
    pg.page.wait_for_timeout(800)  # the last frame, and the charts' catch-up once paused


def _backward(pg) -> None:
    pg.page.click("[data-testid=view-backward]")
    pg.page.wait_for_function("document.querySelector('[data-testid=network]').dataset.mode === 'backward'")
    pg.page.wait_for_timeout(300)


# -- 1. the layer strip with ten hidden layers --------------------------------------------

@pytest.mark.parametrize("view", ["forward", "backward"])
def test_every_layers_plus_minus_and_heading_are_reachable_with_ten_hidden_layers(playground, view):
    pg = playground.open(TEN_LAYERS)
    if view == "backward":  # a wider left column: the narrowest strip
        _backward(pg)
    strip = pg.js(STRIP)
    buttons = strip["buttons"]
    assert len(buttons) == 2 * 10
    # the pointer at the centre of each button meets that button, and no two buttons overlap
    assert [b for b in buttons if not b["hit"]] == []
    for i, a in enumerate(buttons):
        assert a["w"] >= 18 and a["h"] >= 18, a
        for b in buttons[i + 1:]:
            assert not _overlap(a, b), (a, b)
    # headings are whole, one line each, and apart
    headings = strip["headings"]
    assert [h["text"].upper() for h in headings] == ["INPUTS", *[f"L{n}" for n in range(1, 11)], "OUTPUT"]
    for i, a in enumerate(headings):
        assert not a["cut"] and a["h"] < 18, a
        for b in headings[i + 1:]:
            assert not _overlap(a, b), (a, b)
    pg.screenshot(f"layout-ten-layers-{view}-1280x720")

    # and the "+" of layer 3 adds a neuron to layer 3, not to its neighbour
    pg.page.click(".layer-col[data-layer='2'] [data-action=add-neuron]")
    pg.page.wait_for_function("document.querySelector('[data-testid=network]').dataset.sizes === '2,8,8,9,8,8,8,8,8,8,8,1'")
    pg.page.click(".layer-col[data-layer='3'] [data-action=remove-neuron]")
    pg.page.wait_for_function("document.querySelector('[data-testid=network]').dataset.sizes === '2,8,8,9,7,8,8,8,8,8,8,1'")


def test_a_few_layers_keep_the_full_headings_and_a_row_of_buttons(playground):
    pg = playground.open("/?hidden_layers=4,2")
    strip = pg.js(STRIP)
    assert [h["text"].upper() for h in strip["headings"]] == ["INPUTS", "LAYER 1", "LAYER 2", "OUTPUT"]
    minus, plus = strip["buttons"][:2]
    assert abs(minus["t"] - plus["t"]) < 1 and plus["l"] - minus["r"] > 20  # − count + on one line
    assert all(b["hit"] for b in strip["buttons"])


# -- 2. the gradient chart's log axis over many decades -----------------------------------

def test_gradient_axis_labels_stay_apart_when_the_norms_span_many_decades(playground):
    pg = playground.open("/?learning_rate=10")
    pg.page.click(PLAY)
    pg.wait_step_above(400)
    _pause(pg)
    chart = pg.js(f"({TICKS})('gradient-chart')")
    decades = chart["yrange"][1] - chart["yrange"][0]
    assert decades >= 8, chart["yrange"]  # the situation of the report: 10⁻¹³ … 1 in under 100 px
    _assert_labels_whole_and_apart(chart, "gradient-chart")
    ys = sorted((lab["t"] + lab["b"]) / 2 for lab in chart["labels"] if lab["axis"] == "y")
    assert len(ys) >= 2
    assert min(b - a for a, b in zip(ys, ys[1:], strict=False)) >= 17, ys
    pg.screenshot("layout-gradient-axis-lr10-1280x720")

    # the spacing rule itself: 1, 2, 3, 5, 10, 20, … decades, so that labels are ≥ gap px apart
    got = pg.js("""(async () => { const m = await import('/static/js/charts/live-lines.js');
      return [[2, 80, 18], [14, 77, 18], [14, 300, 18], [600, 77, 18], [3, 10, 18]].map(([d, px, gap]) => m.logDtick(d, px, gap)); })()""")
    assert got == [1, 5, 1, 200, 10]


# -- 3. the per-layer gradient table with ten hidden layers -------------------------------

@pytest.mark.parametrize("view", ["forward", "backward"])
def test_the_gradient_table_shows_its_last_row_with_ten_hidden_layers(playground, view):
    pg = playground.open(TEN_LAYERS)
    if view == "backward":
        _backward(pg)
    pg.page.click("[data-testid=step]")
    pg.wait_step(1)
    pg.page.wait_for_timeout(500)
    got = pg.js(f"""(() => {{ {BOX}
      const t = document.querySelector('[data-testid=layer-stats]');
      const rows = [...t.querySelectorAll('.ls-row[data-layer]')].map((r) => {{
        const name = r.querySelector('.ls-name'), b = name.getBoundingClientRect();
        const hit = document.elementFromPoint(b.left + b.width / 2, b.top + b.height / 2);
        return {{ text: name.textContent, hit: name.contains(hit), ...box(name) }};
      }});
      return {{ rows, table: box(t), panel: box(t.closest('.panel')), scrolls: t.scrollHeight > t.clientHeight + 1 }};
    }})()""")
    rows = got["rows"]
    assert [r["text"] for r in rows] == [*[f"W{n}" for n in range(1, 11)], "W11→ŷ"]
    # every row, the last one too, is on the screen without scrolling: inside the table, the panel and the window
    assert not got["scrolls"], got["table"]
    for r in rows:
        assert r["hit"] and _inside(r, got["table"]) and _inside(r, got["panel"]) and r["b"] <= 720, r
    pg.screenshot(f"layout-gradient-table-ten-layers-{view}-1280x720")


# -- 4. the output plot in presenter mode --------------------------------------------------

def test_presenter_mode_keeps_the_output_axes_clear_of_the_check_boxes(playground):
    pg = playground.open()
    pg.page.click("[data-testid=present]")
    pg.page.check("[data-testid=presenter-mode]")
    pg.page.keyboard.press("Escape")
    pg.page.wait_for_function("document.documentElement.classList.contains('presenting')")
    pg.page.wait_for_timeout(800)  # the redraw in the new sizes
    got = pg.js(f"""(() => {{ {BOX}
      const el = document.getElementById('boundary');
      return {{ svg: box(el.querySelector('.main-svg')), wrap: box(document.getElementById('boundary-wrap')),
               labels: [...el.querySelectorAll('.xtick text, .xtitle')].map(box).filter((b) => b.w > 0),
               boxes: [...document.querySelectorAll('.output-options label')].map(box) }}; }})()""")
    assert len(got["labels"]) == 6 and len(got["boxes"]) == 2  # five ticks and the title x₁
    # the plot is as tall as its box, so its labels stay above the check boxes below it
    assert abs(got["svg"]["b"] - got["wrap"]["b"]) <= 1, got
    for lab in got["labels"]:
        assert _inside(lab, got["svg"]), lab
        for b in got["boxes"]:
            assert not _overlap(lab, b), (lab, b)
    pg.screenshot("layout-presenter-mode-1280x720")


# -- 5. the empty gradient chart's note ----------------------------------------------------

@pytest.mark.parametrize("path, view", [("/", "forward"), ("/", "backward"), (TEN_LAYERS, "backward")])
def test_the_empty_gradient_charts_note_is_whole(playground, path, view):
    pg = playground.open(path)
    if view == "backward":
        _backward(pg)
    # the chart settles to its column beside the table
    pg.page.wait_for_function("""(() => { const el = document.getElementById('gradient-chart');
      return Math.abs(el._fullLayout.width - el.clientWidth) <= 2; })()""")
    pg.page.wait_for_timeout(300)
    got = pg.js(f"""(() => {{ {BOX}
      const el = document.getElementById('gradient-chart'), note = el.querySelector('.annotation-text');
      return {{ note: box(note), words: [...note.querySelectorAll('.line')].map((l) => l.textContent).join(' ') || note.textContent,
               chart: box(el), svg: box(el.querySelector('.main-svg')) }}; }})()""")
    assert got["words"] == "No update yet: gradients appear after the first step."
    assert got["note"]["w"] <= got["chart"]["w"]
    assert _inside(got["note"], got["chart"]) and _inside(got["note"], got["svg"]), got
    pg.screenshot(f"layout-empty-gradient-chart-{view}-{'ten' if path == TEN_LAYERS else 'default'}-1280x720")


@pytest.mark.parametrize("path, view", [("/", "forward"), ("/", "backward"), (TEN_LAYERS, "backward")])
def test_the_gradient_charts_help_stays_beside_its_title(playground, path, view):
    """The (?) of the gradient chart ends its title's last line, after "log
    scale", instead of wrapping alone under the title in a narrow column."""
    pg = playground.open(path)
    if view == "backward":
        _backward(pg)
    pg.page.wait_for_timeout(300)
    got = pg.js(f"""(() => {{ {BOX}
      const title = document.querySelector('.gradient-box .chart-title');
      const help = title.querySelector('[data-help=gradient-chart]'), tail = title.querySelector('.muted');
      return {{ help: box(help), tail: box(tail), title: box(title) }}; }})()""")
    help_, tail = got["help"], got["tail"]
    assert abs((help_["t"] + help_["b"]) / 2 - (tail["t"] + tail["b"]) / 2) < tail["h"], got  # one line
    assert help_["l"] >= tail["r"] - 0.5, got  # after the words, not under them
    assert _inside(help_, got["title"], slack=2), got


@pytest.mark.parametrize("path", ["/", TEN_LAYERS])
def test_the_gradient_chart_never_overlaps_the_table_when_the_view_switches(playground, path):
    """Switching to the backward view narrows the chart's column (the table
    takes the rest): the chart fits it in the same frame, not after plotly's
    100 ms resize delay, during which it overlapped the table."""
    pg = playground.open(path)
    pg.page.click("[data-testid=step]")
    pg.wait_step(1)
    pg.js("""(() => { window.__widths = []; const t0 = performance.now();
      const tick = () => { const el = document.getElementById('gradient-chart');
        window.__widths.push([el._fullLayout.width, el.clientWidth]);
        if (performance.now() - t0 < 800) requestAnimationFrame(tick); };
      requestAnimationFrame(tick); })()""")
    _backward(pg)
    pg.page.wait_for_timeout(1000)
    widths = pg.js("window.__widths")
    assert len(widths) > 10
    assert widths[-1][1] < widths[0][1]  # the column did narrow
    too_wide = [w for w in widths if w[0] > w[1] + 2]
    assert too_wide == [], too_wide


# -- 6. the loss chart's labels after divergence -------------------------------------------

def test_loss_axis_labels_are_whole_after_a_regression_diverges(playground):
    pg = playground.open("/?learning_rate=3&dataset=plane&activation=relu&hidden_layers=8,8")
    pg.page.click(PLAY)
    pg.page.wait_for_function("document.querySelector('[data-testid=status]').textContent.includes('diverged')",
                              timeout=20_000)
    _pause(pg)
    chart = pg.js(f"({TICKS})('loss-chart')")
    # losses up to about 10²⁸⁴: a log axis (its range in decades), labels such as 10²⁰⁰
    assert pg.js("document.getElementById('loss-chart').layout.yaxis.type") == "log"
    assert chart["yrange"][1] > 100, chart["yrange"]
    _assert_labels_whole_and_apart(chart, "loss-chart")
    # its ReLUs died early: every ‖∂L/∂W‖ is exactly 0 (only the output bias moved, and overflowed),
    # which the gradient chart now says instead of standing empty
    note = pg.js("document.getElementById('gradient-chart').layout.annotations?.[0]?.text ?? ''")
    assert "exactly 0" in note, note
    pg.screenshot("layout-loss-axis-diverged-1280x720")


LONG_STATUS = ("Training diverged at update 158: the loss or its gradient grew too large to compute with, "
               "so that update was not applied. The learning rate (η = 3) is probably too large for this network: "
               "lower it (try 0.3) and press reset.")


@pytest.mark.parametrize("path", ["/", "/?present=1"])
def test_a_status_of_two_lines_leaves_the_loss_chart_on_screen(playground, path):
    pg = playground.open(path)
    pg.page.set_viewport_size({"width": 1280, "height": 720})
    before = pg.js("document.querySelector('.boundary-wrap').getBoundingClientRect().height")
    pg.js(f"document.getElementById('status').textContent = {LONG_STATUS!r}")
    pg.page.wait_for_function("document.getElementById('status').getBoundingClientRect().height > 30")  # two lines
    pg.page.wait_for_timeout(300)
    box = pg.js("""(() => { const r = document.querySelector('#loss-chart').getBoundingClientRect();
        return {bottom: r.bottom, plot: document.querySelector('.boundary-wrap').getBoundingClientRect().height,
                scroll: document.scrollingElement.scrollHeight, vh: innerHeight}; })()""")
    assert box["bottom"] <= box["vh"] and box["scroll"] <= box["vh"]  # nothing below the fold
    assert box["plot"] < before  # the output plot gave up the room, not the chart


LESSON_IDS = ["xor-needs-hidden", "activations-spiral", "vanishing-gradients", "learning-rate-too-high",
              "overfitting-and-l2", "zero-init-symmetry", "mse-vs-cross-entropy", "three-classes-softmax"]
CARD_FITS = """(() => { const p = document.querySelector('.panel-network').getBoundingClientRect();
    const g = document.getElementById('gradient-chart').getBoundingClientRect();
    const s = document.getElementById('status').getBoundingClientRect();
    const c = document.querySelector('[data-testid=lesson-card]');
    return {panel: p.bottom, chart: g.bottom, scroll: document.scrollingElement.scrollHeight, vh: innerHeight,
            statusWidth: s.width, cardFont: parseFloat(getComputedStyle(c).fontSize),
            statusFont: parseFloat(getComputedStyle(document.getElementById('status')).fontSize)}; })()"""


@pytest.mark.parametrize("present", ["", "&present=1"])
@pytest.mark.parametrize("lesson", LESSON_IDS)
def test_a_lessons_card_leaves_the_gradient_chart_inside_its_panel(playground, lesson, present):
    """A lesson asks the class to watch the gradient chart, and its card pushed
    that chart 20 px (presenting: 39 px) out of its panel at 1280×720; the
    zero-initialisation card, the longest, still did by 16 px."""
    pg = playground.open(f"/?lesson={lesson}{present}")
    pg.page.wait_for_selector("[data-testid=lesson-card]")
    pg.page.wait_for_timeout(300)
    box = pg.js(CARD_FITS)
    assert box["chart"] <= box["panel"] and box["scroll"] <= box["vh"], box
    assert box["statusWidth"] >= 200  # the status beside the card stays readable
    if present:  # the text the class reads is not the smallest on the projected screen (it was 13 px)
        assert box["cardFont"] >= 15, box
    pg.screenshot(f"lesson-card-{lesson}-1280x720{'-present' if present else ''}")


def test_a_divergence_message_in_presenter_mode_keeps_the_page_in_the_window(playground):
    """Five red lines at 16 px beside the card pushed the workspace 49 px down in the
    middle of the run: the page scrolled and the gradient chart left the screen."""
    pg = playground.open("/?lesson=learning-rate-too-high&present=1")
    pg.page.click(PLAY)
    pg.page.wait_for_function("window.__chainrule.frame?.status === 'diverged'", timeout=30_000)
    pg.page.wait_for_function("document.querySelector('[data-testid=status]').classList.contains('status-bad')")
    pg.page.wait_for_timeout(500)
    box = pg.js(CARD_FITS)
    assert box["chart"] <= box["panel"] and box["scroll"] <= box["vh"], box
    # the whole message is still there, and can be read (it scrolls within its box)
    assert "press reset" in pg.page.text_content("[data-testid=status]")
    pg.screenshot("lesson-diverged-1280x720-present")


# -- 8. explain mode takes the same wide column in every view -------------------------------

@pytest.mark.parametrize("path", ["/", "/?present=1"])
@pytest.mark.parametrize("view", ["forward", "backward"])
def test_explain_mode_gets_a_wide_column_with_every_button_on_screen(playground, path, view):
    """Opened from the backward view (or presenting) it used to sit in the narrow
    right column: the stage's table was cut off and Autoplay was off-screen."""
    pg = playground.open(path)
    for k in (1, 2, 3):
        pg.page.click("[data-testid=step]")
        pg.wait_step(k)
    if view == "backward":
        _backward(pg)
    pg.page.click("[data-testid=explain-open]")
    stage = "[data-testid=explain-stage]"
    pg.page.wait_for_function(f"document.querySelector('{stage}')?.dataset.stage === 'intro'")
    while pg.page.get_attribute(stage, "data-stage") != "update":
        current = pg.page.get_attribute(stage, "data-stage")
        pg.page.keyboard.press("ArrowRight")
        pg.page.wait_for_function(f"document.querySelector('{stage}').dataset.stage !== '{current}'")
    pg.page.wait_for_function(f"document.querySelector('{stage}').dataset.done === 'true'")
    pg.page.wait_for_timeout(300)
    geo = pg.js(f"""(() => {{ {BOX}
      const panel = document.querySelector('.panel-explain');
      const st = document.querySelector('{stage}');
      return {{ panel: box(panel), vw: innerWidth, vh: innerHeight,
                buttons: [...panel.querySelectorAll('button')].filter((b) => b.offsetParent)
                  .map((b) => ({{ text: b.innerText, ...box(b) }})),
                overflow: st.scrollWidth - st.clientWidth,
                inspector: !!document.querySelector('.panel-backward')?.offsetParent }}; }})()""")
    assert geo["panel"]["w"] >= 0.5 * geo["vw"], geo["panel"]
    assert not geo["inspector"]
    screen = {"l": 0, "t": 0, "r": geo["vw"], "b": geo["vh"]}
    for b in geo["buttons"]:
        assert _inside(b, geo["panel"]) and _inside(b, screen), b
    assert geo["overflow"] <= 1, geo["overflow"]
    if view == "backward" and path == "/":
        pg.screenshot("layout-explain-from-backward-1280x720")


# -- 9. the diagram's input and output labels beside many narrow columns -----------------------

@pytest.mark.parametrize("view", ["forward", "backward"])
def test_input_and_output_labels_are_whole_and_the_strip_stays_over_the_columns(playground, view):
    """Ten hidden layers leave narrow columns: the input labels used to start
    left of the diagram ("x₁" showed as "‹₁"). The diagram keeps room for them,
    and the layer strip above keeps its columns over the diagram's."""
    pg = playground.open(TEN_LAYERS.replace("8,8,8,8,8,8,8,8,8,8", "2,2,2,2,2,2,2,2,2,2") + "&features=x1,x2,sin_x1")
    if view == "backward":
        _backward(pg)
    pg.page.wait_for_timeout(300)
    geo = pg.js(f"""(() => {{ {BOX}
      const el = document.getElementById('network');
      const neurons = el._fullData.find((t) => t.meta === 'neuron');
      return {{ plot: box(el), labels: [...el.querySelectorAll('.annotation-text')].map((t) => ({{ text: t.textContent, ...box(t) }})),
                columns: [...new Set(neurons.x)].map((x) => x + el.getBoundingClientRect().left),
                strip: [...document.querySelectorAll('#layer-strip .layer-col')].map((c) => {{
                  const r = c.getBoundingClientRect(); return r.left + r.width / 2; }}),
                panel: box(el.closest('.panel')),
                headings: [...document.querySelectorAll('#layer-strip .layer-name')].map((n) =>
                  ({{ text: n.innerText, cut: n.scrollWidth > n.clientWidth + 0.5, ...box(n) }})) }}; }})()""")
    texts = [lab["text"] for lab in geo["labels"]]
    assert {"x₁", "x₂", "ŷ"} <= set(texts) and any(t.startswith("sin") for t in texts), texts
    for lab in geo["labels"]:
        assert _inside(lab, geo["plot"]), (lab, geo["plot"])
    assert len(geo["strip"]) == len(geo["columns"]) == 12
    for s, c in zip(geo["strip"][1:-1], geo["columns"][1:-1], strict=True):  # each hidden layer's controls
        assert abs(s - c) < 2, (geo["strip"], geo["columns"])
    # the inputs' and the output's headings take the labels' room too, and stay whole
    assert [h["text"].upper() for h in geo["headings"]][::11] == ["INPUTS", "OUTPUT"]
    assert [h for h in geo["headings"] if h["cut"]] == []
    for i, a in enumerate(geo["headings"]):
        assert _inside(a, geo["panel"]), a
        for b in geo["headings"][i + 1:]:
            assert not _overlap(a, b), (a, b)
    pg.screenshot(f"layout-ten-layers-labels-{view}-1280x720")


FITS = """(() => { const c = document.createElement('canvas').getContext('2d');
    return [...document.querySelectorAll('#layer-strip .layer-activation')].map((s) => { const cs = getComputedStyle(s); c.font = cs.font;
      const text = s.options[s.selectedIndex].text;
      const room = s.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight) - (cs.appearance === 'none' ? 0 : 20);
      return { text, value: s.value, fits: c.measureText(text).width <= room, title: s.title }; }); })()"""


@pytest.mark.parametrize("view", ["forward", "backward"])
def test_ten_layers_activation_menus_show_a_name_that_fits(playground, view):
    """With ten hidden layers the menus cut their names: "Leaky ReLU" read "Leak", "Tanh" "Tanl"."""
    pg = playground.open(TEN_LAYERS + "&activation=leaky_relu,tanh,sigmoid,relu,linear,leaky_relu,tanh,sigmoid,relu,linear")
    if view == "backward":
        _backward(pg)
    menus = pg.js(FITS)
    assert [m["value"] for m in menus] == ["leaky_relu", "tanh", "sigmoid", "relu", "linear"] * 2
    assert [m for m in menus if not m["fits"]] == []
    assert {m["text"] for m in menus} >= {"Leaky", "σ"}  # short names where the long ones do not fit
    assert "(Leaky ReLU)" in menus[0]["title"]
    # a short name is still the same activation: picking one changes that layer only
    pg.page.select_option(".layer-col[data-layer='1'] .layer-activation", "leaky_relu")
    pg.page.wait_for_function("window.__chainrule.store.config.activation[1] === 'leaky_relu'")
    assert pg.js("window.__chainrule.store.config.activation")[:3] == ["leaky_relu", "leaky_relu", "sigmoid"]
    # wide columns keep the full names
    pg.page.goto(pg.base_url + "/?hidden_layers=4&activation=leaky_relu")
    pg.wait_ready()
    assert [m["text"] for m in pg.js(FITS)] == ["Leaky ReLU"]


# -- 10. the backward view and explain mode where the panels stack (a tablet) ------------------

@pytest.mark.parametrize("path", ["/", "/?hide=data"])
def test_the_backward_view_and_explain_mode_stack_on_a_tablet(playground, path):
    """At 820 px the panels stack; the backward view kept the desktop's three
    columns there, squeezing the diagram and the output plot into slivers."""
    pg = playground.open(path)
    pg.page.set_viewport_size({"width": 820, "height": 1180})
    for k in (1, 2):
        pg.page.click("[data-testid=step]")
        pg.wait_step(k)
    _backward(pg)
    pg.page.wait_for_timeout(400)
    geo = pg.js(f"""(() => {{ {BOX}
      return {{ vw: innerWidth, scroll: document.scrollingElement.scrollWidth,
                network: box(document.querySelector('.panel-network')),
                inspector: box(document.querySelector('.panel-backward')),
                output: box(document.querySelector('.panel-output')),
                plot: box(document.querySelector('#boundary .main-svg')) }}; }})()""")
    assert geo["scroll"] <= geo["vw"]  # nothing sideways
    assert geo["network"]["w"] >= 0.9 * geo["vw"], geo["network"]
    assert geo["inspector"]["w"] >= 0.4 * geo["vw"] and geo["inspector"]["t"] >= geo["network"]["b"], geo["inspector"]
    assert geo["output"]["t"] >= geo["network"]["b"] and geo["plot"]["w"] >= 300, (geo["output"], geo["plot"])
    assert not _overlap(geo["inspector"], geo["output"])
    pg.screenshot(f"layout-backward-tablet{'-hide-data' if 'hide' in path else ''}-820x1180")
    pg.page.click("[data-testid=explain-open]")
    pg.page.wait_for_function("document.querySelector('[data-testid=explain-stage]')?.dataset.stage === 'intro'")
    panel = pg.js(f"(() => {{ {BOX} return box(document.querySelector('.panel-explain')); }})()")
    network = pg.js(f"(() => {{ {BOX} return box(document.querySelector('.panel-network')); }})()")
    assert panel["w"] >= 0.9 * geo["vw"] and panel["t"] >= network["b"], panel  # the whole width, under the network


# -- the settings bar -------------------------------------------------------------------------

@pytest.mark.parametrize("view", [(1280, 720), (1366, 768)])
def test_no_setting_choice_moves_the_page_on_a_projector_or_a_laptop(new_playground, view):
    # choosing Momentum adds its μ menu to the bar: at 1366×768 that used to push
    # Seed onto a second row, and the whole page 55 px down under the pointer
    pg = new_playground(*view).open("/?activation=relu,tanh&hidden_layers=4,2")  # "Per layer": the widest Activation
    where = f"""(() => {{ {BOX} const fields = [...document.querySelectorAll('#hyper > .field')].filter((f) => !f.hidden);
        return {{ bar: box(document.getElementById('hyper')), rows: new Set(fields.map((f) => Math.round(f.getBoundingClientRect().top))).size,
                  right: Math.max(...fields.map((f) => f.getBoundingClientRect().right)),
                  help: box(document.querySelector('#hyper > .help-btn')),
                  output: box(document.querySelector('[data-testid=boundary]')) }}; }})()"""
    start = pg.js(where)
    assert start["rows"] == 1, start
    for optimizer in ("momentum", "adam", "sgd"):
        for regularization in ("both", "none"):
            pg.page.select_option("#optimizer", optimizer)
            pg.page.select_option("#regularization", regularization)
            on = "> 0" if regularization == "both" else "=== 0"
            pg.page.wait_for_function(f"(({{ optimizer, l1, l2 }}) => optimizer === '{optimizer}' && l1 {on} && l2 {on})"
                                      "(window.__chainrule.config)")
            now = pg.js(where)
            assert now["rows"] == 1 and now["bar"] == start["bar"] and now["output"] == start["output"], (optimizer, now)
            assert now["right"] <= now["help"]["l"], now  # the settings' help stays clear of the last field


@pytest.mark.parametrize("present", [False, True])
def test_the_speed_menu_stays_put_while_the_step_count_gains_digits(playground, present):
    """The step and epoch counters grew with their digits and pushed the Speed menu right
    (524 → 531 → 555 → 579 px presenting at 1920) while the class watched."""
    pg = playground.open("/?present=1&batch_size=1" if present else "/?batch_size=1")
    pg.js("window.__chainrule.send({type: 'speed', steps_per_frame: 40})")
    x0 = pg.js("document.getElementById('speed').getBoundingClientRect().left")
    pg.page.click("[data-testid=play]")
    seen = set()
    for _ in range(40):
        pg.page.wait_for_timeout(100)
        seen.add(round(pg.js("document.getElementById('speed').getBoundingClientRect().left"), 1))
        if pg.step_count() >= 12_000:
            break
    _pause(pg)
    assert pg.step_count() >= 1_000  # from one digit to four or more
    assert seen == {round(x0, 1)}, (x0, sorted(seen))


# -- 6. presenter mode on a 1024×768 projector ---------------------------------------------

FIRST_SCREEN = f"""(sels) => {{ {BOX}
  return Object.fromEntries(sels.map((s) => {{ const e = document.querySelector(s);
    return [s, e && e.offsetParent !== null ? box(e) : null]; }})); }}"""


def test_presenting_at_1024x768_puts_the_network_beside_the_output_on_the_first_screen(new_playground):
    """Below 1100 px the panels stack for a tablet; presenting on a 1024×768 projector that put the
    output plot at y = 1179 and the loss chart at y = 1696, two screens under the network, where
    the class never saw them. Presenting, the network sits beside the output (the inspector in the
    backward view, the explanation in explain mode) within the window; what is left is one screen down."""
    pg = new_playground(1024, 768).open("/?present=1")
    pg.page.keyboard.press("ArrowRight")
    pg.wait_step(1)
    pg.page.wait_for_timeout(500)
    screen = {"l": 0, "t": 0, "r": 1024, "b": 768}
    parts = ["#network", "#boundary", "#loss-chart", "#gradient-chart", "[data-testid=loss-train]",
             ".topbar", "[data-testid=play]", "[data-testid=step-count]"]
    got = pg.js(f"({FIRST_SCREEN})({parts!r})")
    for sel in parts:
        assert got[sel] is not None and _inside(got[sel], screen), (sel, got[sel])
    assert got["#network"]["h"] >= 120 and got["#boundary"]["h"] >= 200 and got["#loss-chart"]["h"] >= 90, got
    assert got["#network"]["r"] <= got["#boundary"]["l"], got   # side by side
    assert got[".topbar"]["h"] < 80, got[".topbar"]            # the top bar on one line
    assert pg.js("document.documentElement.scrollWidth") <= 1024
    pg.screenshot("layout-presenter-1024x768")
    # the data panel is one screen down, whole and usable
    data = pg.js(f"({FIRST_SCREEN})(['.panel-data', '#datasets'])")
    assert data[".panel-data"]["t"] >= 700 and data["#datasets"]["h"] > 0, data
    pg.page.click("#datasets [data-dataset=xor]")   # scrolled to by the click
    pg.page.wait_for_function("document.querySelector('#datasets [data-dataset=xor]').getAttribute('aria-checked') === 'true'")
    pg.wait_step(0)

    # backward: the inspector beside the diagram; the output one screen down
    pg.js("window.scrollTo(0, 0)")
    _backward(pg)
    got = pg.js(f"({FIRST_SCREEN})(['#network', '.panel-backward', '#boundary'])")
    assert _inside(got["#network"], screen) and _inside(got[".panel-backward"], screen), got
    assert got["#network"]["r"] <= got[".panel-backward"]["l"] and got["#boundary"]["t"] >= 700, got
    pg.screenshot("layout-presenter-1024x768-backward")

    # explain mode: the explanation beside the diagram, and nothing under it
    pg.page.click("[data-testid=view-forward]")
    pg.page.click("[data-testid=explain-open]")
    pg.page.wait_for_function("document.querySelector('[data-testid=explain-stage]').dataset.stage === 'intro'")
    got = pg.js(f"({FIRST_SCREEN})(['#network', '[data-testid=explain]'])")
    assert _inside(got["#network"], screen) and _inside(got["[data-testid=explain]"], screen), got
    assert got["#network"]["r"] <= got["[data-testid=explain]"]["l"], got
    assert pg.js("document.documentElement.scrollHeight") <= 768
    pg.screenshot("layout-presenter-1024x768-explain")
    pg.assert_no_errors()


# -- 7. the gradient chart keeps its width while playing ------------------------------------

def test_the_gradient_chart_keeps_its_width_while_the_tables_digits_change(playground):
    """The per-layer table beside the gradient chart took the width of its numbers: playing, as
    0.0086 became 1.23e-5 and 0.0% sat. 100.0% sat., the chart's width went 264 → 284 → 272 px,
    frame after frame, under the class's eyes. The table's columns keep room for their widest."""
    pg = playground.open("/?learning_rate=3")   # large swings: norms and saturation change every frame
    _backward(pg)
    pg.page.click(PLAY)
    seen = pg.js("""(async () => {
      const chart = document.getElementById('gradient-chart'), table = document.querySelector('[data-testid=layer-stats]');
      const widths = new Set(), texts = new Set();
      for (let i = 0; i < 50; i++) {
        await new Promise((r) => setTimeout(r, 80));
        widths.add(chart.getBoundingClientRect().width.toFixed(1));
        texts.add(table.innerText);
      }
      return { widths: [...widths], texts: texts.size };
    })()""")
    _pause(pg)
    assert seen["texts"] >= 10, seen            # the digits did change, many times
    assert len(seen["widths"]) == 1, seen       # and the chart kept one width
    pg.assert_no_errors()


@pytest.mark.parametrize("lesson", LESSON_IDS)
def test_presenting_at_1024x768_a_lessons_card_is_read_to_its_end(new_playground, lesson):
    """Presenting on a 1024×768 projector the card showed three lines and stopped before what it
    tells the class to do ("…then switch to ReLU" scrolled out of sight inside it). It shows five
    lines; every lesson's text fits them, and the panels below still fit the window."""
    pg = new_playground(1024, 768).open(f"/?lesson={lesson}&present=1")
    pg.page.wait_for_selector("[data-testid=lesson-card]")
    pg.page.wait_for_timeout(500)
    got = pg.js(f"""(() => {{ {BOX}
      const c = document.querySelector('[data-testid=lesson-card]');
      return {{ card: box(c), whole: c.scrollHeight <= c.clientHeight + 1, panel: box(document.querySelector('.panel-network')),
               chart: box(document.getElementById('gradient-chart')), net: box(document.getElementById('network')),
               loss: box(document.getElementById('loss-chart')) }}; }})()""")
    assert got["whole"], got["card"]
    assert got["chart"]["b"] <= got["panel"]["b"] + 0.5 and got["panel"]["b"] <= 768, got   # nothing sticks out
    assert got["loss"]["b"] <= 768 and got["net"]["h"] >= 100, got
    pg.assert_no_errors()


# -- 9. input and output labels beside dense hidden layers -----------------------------------

@pytest.mark.parametrize("path", ["/?lesson=three-classes-softmax", "/?lesson=overfitting-and-l2", "/?dataset=spiral3&hidden_layers=16,16,16"])
def test_input_and_output_labels_stay_apart_beside_dense_hidden_layers(playground, path):
    """Every column was spaced as the densest one: beside two layers of 16, the three outputs of a
    three-class network were 6 px tiles a few pixels apart, and ŷ₁ ŷ₂ ŷ₃ ran into each other (x₁
    and x₂ touched). A sparse column spreads out as far as a label needs."""
    pg = playground.open(path)
    pg.page.wait_for_timeout(500)
    labels = pg.js(f"""(() => {{ {BOX}
      return [...document.querySelectorAll('#network .annotation-text')].map((t) => ({{ text: t.textContent, ...box(t) }}))
        .filter((b) => /^[xŷ]/.test(b.text)); }})()""")
    texts = [lab["text"] for lab in labels]
    assert any(t.startswith("x") for t in texts) and any(t.startswith("ŷ") for t in texts), texts
    for i, a in enumerate(labels):
        for b in labels[i + 1:]:
            assert not _overlap(a, b), (a, b)
    pg.assert_no_errors()


@pytest.mark.parametrize("view", [(1280, 720), (1440, 900)])
def test_an_insight_badge_appearing_leaves_the_diagram_where_it_was(new_playground, view):
    """The insight count on the Backward button widened the view switch, the forward legend
    beside it wrapped to one more line, and the diagram dropped 16 px (1280×720) while the
    teacher was about to click it. The badge now sits over the button's edge, taking no room."""
    pg = new_playground(*view).open("/?learning_rate=3&activation=relu&hidden_layers=8,8")
    where = f"""(() => {{ {BOX} const badge = document.querySelector('.insight-badge');
        return {{ net: box(document.querySelector('[data-testid=network]')), panel: box(document.querySelector('.panel-network')),
                  shown: !badge.hidden, badge: box(badge), button: box(document.querySelector('[data-testid=view-backward]')),
                  forward: box(document.querySelector('[data-testid=view-forward]')),
                  text: document.querySelector('[data-testid=view-backward]').firstChild.textContent.trim() }}; }})()"""
    before = pg.js(where)
    assert not before["shown"]
    pg.page.click(PLAY)
    pg.page.wait_for_function("!document.querySelector('.insight-badge').hidden", timeout=30_000)
    _pause(pg)
    after = pg.js(where)
    assert after["shown"] and after["text"] == "Backward"
    assert after["net"]["t"] - after["panel"]["t"] == before["net"]["t"] - before["panel"]["t"], (before, after)
    assert after["net"]["h"] == before["net"]["h"], (before, after)
    assert after["button"] == before["button"], (before, after)          # the switch kept its size
    assert _inside(after["badge"], after["panel"]), after                 # on screen, inside its panel
    assert not _overlap(after["badge"], after["forward"]), after          # and clear of the other button
