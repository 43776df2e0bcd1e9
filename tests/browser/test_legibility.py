"""What a student reads on the screen, in Chromium: numbers that fit where they
are written, and lines that can be told from the page they are drawn on."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

# every label the backward view writes on a neuron, with the tile it is written in
RECORD_LABELS = """(() => {
  window.__labels = [];
  const rect = CanvasRenderingContext2D.prototype.fillRect;
  const text = CanvasRenderingContext2D.prototype.fillText;
  CanvasRenderingContext2D.prototype.fillRect = function (x, y, w, h) {
    this.__tile = w;
    return rect.call(this, x, y, w, h);
  };
  CanvasRenderingContext2D.prototype.fillText = function (s, x, y, ...rest) {
    if (this.canvas.classList.contains('network-backward')) {
      window.__labels.push({ text: String(s), width: this.measureText(s).width, tile: this.__tile });
    }
    return text.call(this, s, x, y, ...rest);
  };
})()"""


@pytest.mark.parametrize(("width", "height"), [(1920, 1080), (800, 600)])
def test_every_gradient_on_a_neuron_fits_its_tile(new_playground, width, height):
    """∂L/∂b was written wider than its tile: white on a dark tile, the part outside it vanished
    on the page, and −0.00032 read 0.0003."""
    pg = new_playground(width, height)
    pg.page.add_init_script(RECORD_LABELS)
    pg.open("/?lesson=vanishing-gradients")
    for _ in range(30):
        pg.page.keyboard.press("ArrowRight")
    pg.wait_step(30)
    pg.page.keyboard.press("b")
    pg.page.wait_for_function("window.__labels.length > 20")
    pg.page.wait_for_timeout(500)
    labels = pg.js("window.__labels")
    assert len({label["text"] for label in labels}) > 5
    too_wide = [label for label in labels if label["width"] > label["tile"] - 4 + 0.01]
    assert too_wide == [], too_wide[:5]
    # what is written is the engine's number: its sign included
    db = [v for layer in pg.api(f"/api/sessions/{pg.session_id()}")["state"]["layers"] for v in layer["db"]]
    negatives = sum(1 for v in db if v < 0)
    written = [label["text"] for label in labels[-len(db):]]
    assert sum(1 for t in written if t.startswith(("-", "−"))) == negatives, (written, db)


def _contrast(a: tuple[float, float, float], b: tuple[float, float, float]) -> float:
    def lum(rgb):
        c = [v / 255 for v in rgb]
        c = [v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4 for v in c]
        return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]
    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_every_layers_line_stands_out_from_the_panel(playground, theme):
    """With seven weight layers or more the dark theme cycled viridis: the first layer's line (the
    one the vanishing-gradients lesson asks to watch) was at a contrast of 1.08 : 1."""
    pg = playground.open(f"/?theme={theme}")
    colours = pg.js("""(async () => {
      const { layerColor } = await import('/static/js/colors.js');
      const probe = document.createElement('span');
      document.body.append(probe);
      const rgb = (c) => { probe.style.color = c; return getComputedStyle(probe).color.match(/\\d+/g).slice(0, 3).map(Number); };
      const panel = rgb(getComputedStyle(document.documentElement).getPropertyValue('--panel').trim());
      const out = [];
      for (let n = 1; n <= 11; n++) for (let i = 0; i < n; i++) out.push({ n, i, rgb: rgb(layerColor(i, n)) });
      probe.remove();
      return { panel, out };
    })()""")
    panel = colours["panel"]
    worst = min(colours["out"], key=lambda c: _contrast(c["rgb"], panel))
    assert _contrast(worst["rgb"], panel) >= 3.0, (worst, panel)  # WCAG's least for graphics
    # and neighbouring layers differ
    for n in range(2, 12):
        row = [c["rgb"] for c in colours["out"] if c["n"] == n]
        assert all(row[k] != row[k + 1] for k in range(n - 1)), row


def test_choices_that_would_do_nothing_or_be_refused_are_off_and_say_why(playground):
    """The loss menu offered cross-entropy on regression data and bce on three classes (each
    refused, in the engine's words), the regularisation rate could be changed with no
    regularisation (nothing happened), and "Discretize output" did nothing on one-input data."""
    pg = playground.open("/?dataset=plane")
    option = "#loss option[value={}]"
    for name in ["cross_entropy", "bce"]:
        assert pg.js(f"document.querySelector('{option.format(name)}').disabled") is True
        assert "mse" in pg.page.get_attribute(option.format(name), "title")
    assert pg.js(f"document.querySelector('{option.format('mse')}').disabled") is False
    pg.page.click("button.dataset[data-dataset=spiral3]")
    pg.page.wait_for_function("window.__chainrule.data?.config.dataset === 'spiral3'")
    assert pg.js(f"document.querySelector('{option.format('bce')}').disabled") is True
    assert "3" in pg.page.get_attribute(option.format("bce"), "title")
    assert pg.js(f"document.querySelector('{option.format('cross_entropy')}').disabled") is False
    assert pg.js(f"document.querySelector('{option.format('mse')}').disabled") is False  # mse with softmax trains
    # no regularisation: no rate to choose; with L2 the rate is the one chosen
    assert pg.page.input_value("#regularization") == "none" and pg.page.is_disabled("#reg-rate")
    pg.page.select_option("#regularization", "l2")
    pg.page.wait_for_function("window.__chainrule.config.l2 > 0")
    assert not pg.page.is_disabled("#reg-rate")
    pg.page.select_option("#reg-rate", "0.01")
    pg.page.wait_for_function("window.__chainrule.config.l2 === 0.01")
    # one input: the output is a curve, with nothing to discretise
    assert not pg.page.is_disabled("#discretize")
    pg.page.click("button.dataset[data-dataset=sine]")
    pg.page.wait_for_function("window.__chainrule.data?.config.dataset === 'sine'")
    assert pg.page.is_disabled("#discretize")
    assert "curve" in pg.page.get_attribute("label:has(#discretize)", "title")
    pg.page.click("button.dataset[data-dataset=xor]")
    pg.page.wait_for_function("window.__chainrule.data?.config.dataset === 'xor'")
    assert not pg.page.is_disabled("#discretize")


def test_the_lessons_menu_ends_inside_the_window(new_playground):
    """At 1366 × 768 the menu ran 80 px past the window's bottom: the last lesson was cut off."""
    pg = new_playground(1366, 768).open()
    pg.page.click("[data-testid=lessons-button]")
    box = pg.js("(() => { const r = document.querySelector('[data-testid=lessons-menu]').getBoundingClientRect();"
                " return { bottom: r.bottom, height: innerHeight }; })()")
    assert box["bottom"] <= box["height"], box
    # and its last lesson can be scrolled to inside it, without scrolling the page
    pg.js("document.querySelector('[data-testid=lessons-menu] a:last-of-type').scrollIntoView({block: 'nearest'})")
    last = pg.js("document.querySelector('[data-testid=lessons-menu] a:last-of-type').getBoundingClientRect().bottom")
    assert last <= box["height"] and pg.js("window.scrollY") == 0


def test_an_exported_chart_carries_its_title_axes_and_legend(playground):
    """Export ▾ → Loss chart gave a picture with two lines and no word: which was train, which test?"""
    pg = playground.open()
    for _ in range(5):
        pg.page.keyboard.press("ArrowRight")
    pg.wait_step(5)
    pg.js("""(() => { window.__figures = []; const toImage = Plotly.toImage;
        Plotly.toImage = (fig, opts) => { window.__figures.push(fig.layout ? {
            title: fig.layout.title?.text, legend: fig.layout.showlegend, x: fig.layout.xaxis?.title?.text,
            y: fig.layout.yaxis?.title?.text, names: fig.data.map((t) => t.name) } : null);
          return toImage(fig, opts); }; })()""")
    for key in ["loss", "gradients"]:
        pg.page.click("#export")
        with pg.page.expect_download(timeout=15_000) as info:
            pg.page.click(f"[data-testid=export-png-{key}]")
        assert info.value.path().stat().st_size > 2_000
    loss, grads = pg.js("window.__figures")
    assert loss["title"] == "Loss, train and test, step 5" and loss["legend"] is True
    assert (loss["x"], loss["y"]) == ("update", "loss") and {"train", "test"} <= set(loss["names"])
    assert grads["title"].startswith("Gradient size per layer") and grads["y"] == "‖∂L/∂W‖" and grads["legend"] is True
    # the page's own charts are left as they were
    assert pg.js("document.getElementById('loss-chart').layout.title?.text ?? null") is None


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_focus_ring_of_the_pressed_view_button_stands_out_from_its_fill(playground, theme):
    """In the dark theme the pressed Forward/Backward button's ring was white on its light grey
    fill: a keyboard user could not see where the focus was. WCAG asks 3 : 1 for a focus ring."""
    pg = playground.open(f"/?theme={theme}")
    pg.page.focus("[data-testid=view-forward]")
    pg.page.keyboard.press("Shift+Tab")
    pg.page.keyboard.press("Tab")  # reached by the keyboard: :focus-visible
    ring, fill = pg.js("""(() => { const b = document.activeElement, s = getComputedStyle(b);
        const rgb = (c) => c.match(/\\d+/g).slice(0, 3).map(Number);
        return [b.dataset.testid, s.outlineStyle, rgb(s.outlineColor), rgb(s.backgroundColor)]; })()""")[2:]
    assert pg.js("document.activeElement.dataset.testid") == "view-forward"
    assert pg.page.get_attribute("[data-testid=view-forward]", "aria-pressed") == "true"
    assert _contrast(tuple(ring), tuple(fill)) >= 3, (ring, fill)
