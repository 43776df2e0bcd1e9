"""Phones, high contrast and reduced motion, in Chromium: a student following on a phone
sees the whole page without panning, and the page keeps its meaning when the system
imposes its colours or asks for less motion. Checked on the geometry and the computed
styles the browser lays out, from a phone-sized touch context."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from conftest import Playground, _new_playground

pytestmark = pytest.mark.browser

BOX = """const box = (e) => { const r = e.getBoundingClientRect();
  return { l: r.left, t: r.top, r: r.right, b: r.bottom, w: r.width, h: r.height }; };"""

# the contrast of two computed colours (WCAG's relative luminance), in the page
CONTRAST = """const rgb = (c) => c.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const lum = (c) => { const [r, g, b] = rgb(c).map((x) => { x /= 255; return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const contrast = (a, b) => { const [h, l] = [lum(a), lum(b)].sort((x, y) => y - x); return (h + 0.05) / (l + 0.05); };
  const ground = (e) => { for (; e; e = e.parentElement) { const c = getComputedStyle(e).backgroundColor;
    if (!/rgba\\(.*, 0\\)$/.test(c) && c !== 'transparent') return c; } return 'rgb(255, 255, 255)'; };"""


@pytest.fixture
def phone(browser: Any, base_url: str) -> Iterator[Any]:
    """A factory of pages in a touch context (a phone's by default); extra context options pass through."""
    made: list[tuple[Any, Playground]] = []

    def make(width: int = 375, height: int = 667, **options: Any) -> Playground:
        options.setdefault("is_mobile", width <= 640)
        options.setdefault("has_touch", True)
        made.append(_new_playground(browser, base_url, width, height, device_scale_factor=2, **options))
        return made[-1][1]

    yield make
    for context, pg in made:
        context.close()
        pg.assert_no_errors()


def _no_panning(pg: Playground) -> None:
    width = pg.js("[document.documentElement.scrollWidth, innerWidth]")
    assert width[0] <= width[1], f"the page is {width[0]} px wide in a {width[1]} px screen"


@pytest.mark.parametrize("view", [(375, 667), (320, 568)])
def test_a_lessons_card_on_a_phone_keeps_the_page_in_the_screen_and_shows_its_text(phone, view):
    """In one row with the status and the Lessons button, the card made the page 465 px wide
    (the whole page panned sideways, Present and the Lessons button off-screen) and showed an
    eighth of its text in a 120 px box."""
    pg = phone(*view).open("/?lesson=vanishing-gradients")
    pg.page.wait_for_selector(".lesson-card")
    _no_panning(pg)
    geo = pg.js(f"""(() => {{ {BOX} const card = document.querySelector('.lesson-card');
        const lessons = [...document.querySelectorAll('.statusbar button')].find((b) => b.textContent.includes('Lessons'));
        return {{ card: box(card), whole: card.scrollHeight <= card.clientHeight + 1, lessons: box(lessons),
                  status: box(document.querySelector('[data-testid=status]')), vw: innerWidth }}; }})()""")
    assert geo["whole"], geo                                        # every line of the lesson shows
    assert geo["card"]["w"] >= geo["vw"] - 40, geo                  # a line of its own, the whole width
    assert geo["card"]["t"] >= geo["status"]["b"] - 0.5, geo        # under the status
    assert geo["lessons"]["r"] <= geo["vw"], geo                    # the Lessons button on screen


def test_the_gradient_chart_takes_a_phones_width_with_the_table_under_it(phone):
    """The per-layer table stood beside the chart and left it 26 px at 375 (the title one word a
    line); with six layers the table's rows were drawn over the chart's tabs."""
    pg = phone().open("/?hidden_layers=4,4,4,4,4,4")
    pg.js("window.__chainrule.send({type: 'step', steps: 5})")
    pg.wait_step(5)
    pg.page.wait_for_timeout(500)
    geo = pg.js(f"""(() => {{ {BOX} return {{ boxed: box(document.querySelector('.gradient-box')),
        chart: box(document.getElementById('gradient-chart')), tabs: box(document.querySelector('.grad-tabs')),
        table: box(document.querySelector('[data-testid=layer-stats]')),
        rows: document.querySelectorAll('[data-testid=layer-stats] .ls-row').length }}; }})()""")
    assert geo["chart"]["w"] >= 0.9 * geo["boxed"]["w"], geo
    assert geo["table"]["t"] >= geo["chart"]["b"] - 0.5 and geo["table"]["t"] >= geo["tabs"]["b"], geo
    assert geo["table"]["r"] <= geo["boxed"]["r"] + 0.5, geo
    _no_panning(pg)


def test_explain_mode_on_a_phone_gives_the_diagram_the_whole_width(phone):
    """Explain mode's two columns won over the phone's one: the diagram was squeezed into the
    first, 112 px wide at 375, its column headings run together ("INPUTSL1")."""
    pg = phone().open("/?dataset=xor")
    pg.js("window.__chainrule.send({type: 'step', steps: 30})")
    pg.wait_step(30)
    pg.page.tap(".network-head .btn-explain")
    pg.page.wait_for_selector("body.explaining .panel-explain")
    pg.page.wait_for_timeout(400)
    geo = pg.js(f"""(() => {{ {BOX} return {{ workspace: box(document.querySelector('.workspace')),
        network: box(document.querySelector('.panel-network')), explain: box(document.querySelector('.panel-explain')),
        names: [...document.querySelectorAll('#layer-strip .layer-name')].map(box) }}; }})()""")
    assert geo["network"]["w"] >= 0.9 * geo["workspace"]["w"], geo
    assert geo["explain"]["t"] >= geo["network"]["b"] - 0.5, geo   # the explanation under the diagram
    for a, b in zip(geo["names"], geo["names"][1:], strict=False):
        assert a["r"] <= b["l"] + 0.5, geo["names"]                 # headings side by side, apart
    _no_panning(pg)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_forced_colours_keep_the_play_button_and_the_chosen_states_visible(phone, scheme):
    """Under the system's colours (Windows High Contrast) the play button lost its fill and its white
    icon lay on a white ground; a chosen data set, feature, view or tab looked like the others."""
    pg = phone(390, 844, forced_colors="active", color_scheme=scheme).open("/")
    pg.page.tap("[data-testid=view-backward]")
    pg.page.wait_for_timeout(300)
    seen = pg.js(f"""(() => {{ {CONTRAST}
      const css = (s, p) => getComputedStyle(document.querySelector(s))[p];
      const play = document.querySelector('[data-testid=play]');
      const icon = getComputedStyle(play.querySelector('.icon-play')).fill;
      return {{
        icon: contrast(icon, ground(play)), playBorder: css('[data-testid=play]', 'borderTopStyle'),
        chip: [css('.chip.on', 'backgroundColor'), css('.chip:not(.on)', 'backgroundColor')],
        view: [css('[data-testid=view-backward]', 'backgroundColor'), css('[data-testid=view-forward]', 'backgroundColor')],
        tab: [css('.grad-tab[aria-selected=true]', 'backgroundColor'), css('.grad-tab[aria-selected=false]', 'backgroundColor')],
        dataset: [css('.dataset.selected', 'outlineStyle'), css('.dataset:not(.selected)', 'outlineStyle')],
        swatch: css('.legend-swatch.pos', 'backgroundColor'), panel: css('.panel-network', 'backgroundColor'),
      }}; }})()""")
    assert seen["icon"] >= 3 and seen["playBorder"] != "none", seen
    for pair in ("chip", "view", "tab"):
        assert seen[pair][0] != seen[pair][1], (pair, seen)
    assert seen["dataset"][0] != "none" and seen["dataset"][1] == "none", seen
    assert seen["swatch"] != seen["panel"], seen                 # the colour key keeps its colour


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_hint_text_reads_at_four_and_a_half_to_one(phone, scheme):
    """The network legend's note was 2.5:1 on the light panel and the CSV hint's code 4.2:1."""
    pg = phone(1280, 720, color_scheme=scheme, is_mobile=False, has_touch=False).open("/")
    ratios = pg.js(f"""(() => {{ {CONTRAST}
      return ['.network-legend .legend-note', '#custom-hint code'].map((s) => {{ const e = document.querySelector(s);
        return [s, contrast(getComputedStyle(e).color, ground(e))]; }}); }})()""")
    for selector, ratio in ratios:
        assert ratio >= 4.5, (selector, ratio)


def test_the_settings_help_stays_clear_of_the_fields_on_a_phone_in_landscape(phone):
    """At 932×430 the settings bar wrapped with Reg. rate at the end of its first row, under its (?)."""
    pg = phone(932, 430, is_mobile=True).open("/")
    geo = pg.js(f"""(() => {{ {BOX} return {{ help: box(document.querySelector('#hyper > .help-btn')),
        fields: [...document.querySelectorAll('#hyper > .field')].filter((f) => !f.hidden).map(box) }}; }})()""")
    help_ = geo["help"]
    for f in geo["fields"]:
        apart = f["r"] <= help_["l"] or f["l"] >= help_["r"] or f["b"] <= help_["t"] or f["t"] >= help_["b"]
        assert apart, (f, help_)


def test_less_motion_asked_holds_the_insight_highlight_still(phone):
    """The insight's glow (a 2.4 s animation) ran under prefers-reduced-motion too."""
    pg = phone(1280, 720, reduced_motion="reduce", is_mobile=False, has_touch=False).open("/")
    style = pg.js("""(() => { const p = document.querySelector('.panel-output'); p.classList.add('insight-highlight');
        const s = getComputedStyle(p); return { animation: s.animationName, ring: s.boxShadow }; })()""")
    assert style["animation"] == "none" and style["ring"] != "none", style


def _spoken(pg, region: str, words: str) -> None:
    pg.page.wait_for_function(f"document.getElementById('{region}').textContent.includes({words!r})", timeout=10_000)


def test_a_divergence_interrupts_a_screen_reader(phone):
    """Training stopping was said only by the status line, a polite region, though the README has
    problems interrupt as alerts."""
    pg = phone(1280, 720, is_mobile=False, has_touch=False).open(
        "/?dataset=plane&hidden_layers=8&activation=relu&learning_rate=10&n_samples=100")
    pg.page.click("[data-testid=play]")
    _spoken(pg, "announce-alert", "Training diverged at update")


def test_a_watcher_on_a_screen_reader_hears_the_teacher_open_a_lesson_and_reshape_the_network(phone, playground):
    """On a watch page nothing was said when the teacher picked a lesson (its card is in no live
    region) or added a layer."""
    teacher = playground.open()
    student = phone().open(f"/watch/{teacher.js('window.__chainrule.watchId')}")
    teacher.page.click("[data-testid=lessons-button]")
    teacher.page.click("[data-testid=lesson-link][data-lesson='xor-needs-hidden']")
    _spoken(student, "announce-polite", "The teacher opened the lesson “XOR needs a hidden layer”")
    teacher.page.click("#add-layer")
    _spoken(student, "announce-polite", "The teacher changed the network: 1 hidden layer of")


def test_on_a_touch_screen_every_control_but_the_layers_pairs_is_a_24_px_target(phone):
    """The (?) buttons were 17–20 px, the gradient chart's tabs 20 px tall, the sliders 16 px."""
    pg = phone().open("/")
    assert pg.js("matchMedia('(pointer: coarse)').matches")
    small = pg.js("""[...document.querySelectorAll('button, input, select, a[href]')].filter((e) => {
        const r = e.getBoundingClientRect();
        return r.width && (r.width < 24 || r.height < 24) && !e.closest('.neuron-row') && !(e.type === 'checkbox' && e.closest('label'));
      }).map((e) => `${e.id || e.className} ${Math.round(e.getBoundingClientRect().width)}×${Math.round(e.getBoundingClientRect().height)}`)""")
    assert small == [], small
