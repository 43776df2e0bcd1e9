"""Insights: plain-language diagnoses of a live network, with hysteresis.

Each rule watches one smoothed measurement.  It switches *on* only after its
condition has held for ``patience`` observations in a row, and *off* only
after a clearly weaker condition has held as long, so a value hovering near
its threshold does not make the message flap.  Each insight says what is
happening, what to try, and which panel shows it.

Observations come once per evaluation (a drawn frame or a step request):
losses on the whole train and test sets, and per weight layer the gradient
norm ‖∂L/∂W‖, the update ratio ‖ΔW‖/‖W‖, and the share of dead or saturated
units.  Whether the learning rate is too high is judged on the update's size
against the weights' own, or against a standard initialisation's where the
weights are smaller: a relative change of tiny weights (a network whose best
weights are near zero, or one that starts from zeros) says nothing about the step.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field
from typing import Any

PATIENCE = 5  # observations in a row before an insight switches on or off


@dataclass
class Observation:
    step: int
    train_loss: float | None
    test_loss: float | None
    grad_norms: list[float | None] = field(default_factory=list)
    update_ratios: list[float | None] = field(default_factory=list)
    # ‖ΔW‖ / max(‖W‖, a Glorot-initialised layer's ‖W‖); the update ratios if not given
    update_steps: list[float | None] = field(default_factory=list)
    dead: list[float | None] = field(default_factory=list)
    saturated: list[float | None] = field(default_factory=list)
    # every hidden layer of two units or more has identical units (equal rows of W, equal biases):
    # weights that all started equal (zero initialisation) stay so
    twins: bool = False
    l2: float = 0.0  # the L2 rate in force (the advice against overfitting differs once it is on)
    # training stopped at a refused update: its loss may still be finite (a gradient past about
    # 1e154, whose square overflows), and the rules have seen too few updates to judge
    diverged: bool = False


@dataclass
class Rule:
    id: str
    panel: str  # the data-testid of the panel it concerns
    severity: str  # "error" | "warning" | "info"
    patience: int = PATIENCE
    active: bool = False
    streak: int = 0  # observations in a row that argue for switching state
    detail: dict[str, Any] = field(default_factory=dict)

    def feed(self, on: bool | None, off: bool | None) -> None:
        """``on``: the switch-on condition holds; ``off``: the switch-off
        condition holds (``None``: no opinion this time, e.g. no data)."""
        argues = off if self.active else on
        if argues:
            self.streak += 1
            if self.streak >= self.patience:
                self.active = not self.active
                self.streak = 0
        else:
            self.streak = 0


def _log(v: float | None) -> float | None:
    return math.log10(v) if v is not None and v > 0 and math.isfinite(v) else None


class Ema:
    """An exponential moving average that ignores missing values."""

    def __init__(self, alpha: float = 0.3) -> None:
        self.alpha = alpha
        self.value: float | None = None

    def add(self, v: float | None) -> float | None:
        if v is None or not math.isfinite(v):
            return self.value
        self.value = v if self.value is None else self.value + self.alpha * (v - self.value)
        return self.value


class Diagnostician:
    """Turns a stream of observations into a list of active insights."""

    def __init__(self) -> None:
        self.rules = {r.id: r for r in [
            Rule("non_finite", "status", "error", patience=1),
            Rule("vanishing", "gradient-chart", "warning"),
            Rule("exploding", "gradient-chart", "error"),
            Rule("no_gradient", "gradient-chart", "warning", patience=2),
            Rule("twins", "network", "warning", patience=2),
            Rule("lr_high", "gradient-chart", "warning"),
            Rule("lr_low", "gradient-chart", "info"),
            Rule("dead", "network", "warning"),
            Rule("saturated", "network", "warning"),
            Rule("overfitting", "loss-chart", "warning"),
        ]}
        self.ratio = Ema()  # log10 of first-layer over last-layer gradient norm
        self.max_norm = Ema()  # log10 of the largest layer gradient norm
        self.update = Ema()  # log10 of the median update ratio
        self.step_size = Ema()  # log10 of the median update against the weights' scale
        self.train = deque(maxlen=20)
        self.test = deque(maxlen=20)
        self.first_train: float | None = None
        self.last_step = -1
        self.last_diverged = False

    def observe(self, obs: Observation) -> list[dict[str, Any]]:
        if (obs.step, obs.diverged) == (self.last_step, self.last_diverged):
            return self.active()
        self.last_step, self.last_diverged = obs.step, obs.diverged
        r = self.rules
        finite = obs.train_loss is not None and math.isfinite(obs.train_loss)
        r["non_finite"].feed(obs.diverged or not finite, finite and not obs.diverged)
        if finite and self.first_train is None and obs.step > 0:
            self.first_train = obs.train_loss

        norms = obs.grad_norms
        if len(norms) >= 3 and norms[0] is not None and norms[-1]:
            ratio = self.ratio.add(_log(norms[0] / norms[-1]) if norms[0] > 0 else -12.0)
            r["vanishing"].feed(ratio < -2.0, ratio > -1.5)  # on below 1/100, off above 1/30
            r["vanishing"].detail = {"ratio": 10 ** ratio}
        r["twins"].feed(obs.twins, not obs.twins)
        big = max((v for v in norms if v is not None), default=None)
        if big is not None and obs.step > 0:
            r["no_gradient"].feed(big == 0, big > 0)  # exactly: the vanishing rule needs a last layer's gradient
        if big is not None:
            m = self.max_norm.add(_log(big) if big > 0 else -12.0)
            r["exploding"].feed(m > 2.0, m < 1.5)  # on above 100, off below ~30
            r["exploding"].detail = {"norm": 10 ** m}

        ratios = sorted(v for v in obs.update_ratios if v is not None and v > 0)
        steps = sorted(v for v in obs.update_steps if v is not None and v > 0) if obs.update_steps else ratios
        u = self.update.add(_log(ratios[len(ratios) // 2])) if ratios else None
        if steps:
            s = self.step_size.add(_log(steps[len(steps) // 2]))
            r["lr_high"].feed(s > -1.5, s < -2.0)  # on above 3 %, off below 1 %
            r["lr_high"].detail = {"ratio": 10 ** (s if u is None else u)}  # the text states the update ratio itself
        if u is not None:
            still_high = finite and self.first_train is not None and obs.train_loss > 0.5 * self.first_train
            r["lr_low"].feed(u < -5.0 and still_high, u > -4.5 or not still_high)
            r["lr_low"].detail = {"ratio": 10 ** u}

        hidden = slice(0, max(len(obs.dead) - 1, 0))  # the output layer is not judged
        dead = [(i, v) for i, v in list(enumerate(obs.dead))[hidden] if v is not None]
        if dead:
            i, worst = max(dead, key=lambda p: p[1])
            r["dead"].feed(worst >= 0.5, worst <= 0.25)
            r["dead"].detail = {"layer": i + 1, "share": worst}
        sat = [(i, v) for i, v in list(enumerate(obs.saturated))[hidden] if v is not None]
        if sat:
            i, worst = max(sat, key=lambda p: p[1])
            r["saturated"].feed(worst >= 0.5, worst <= 0.25)
            r["saturated"].detail = {"layer": i + 1, "share": worst}

        if finite and obs.test_loss is not None and math.isfinite(obs.test_loss):
            self.train.append(obs.train_loss)
            self.test.append(obs.test_loss)
        if len(self.test) == self.test.maxlen:
            d_train = _slope(self.train)
            d_test = _slope(self.test)
            gap = self.test[-1] / max(self.train[-1], 1e-12)
            r["overfitting"].feed(d_test > 0 and d_train < 0 and gap > 1.3, d_test <= 0 or gap < 1.1)
            r["overfitting"].detail = {"gap": gap, "l2": obs.l2}
        return self.active()

    def active(self) -> list[dict[str, Any]]:
        """The active insights, without those that only follow from another: once the loss
        overflowed, every other reading is a symptom of it; identical units or no gradient at all
        explain tiny first-layer gradients better than depth does; and with vanishing gradients
        (or identical units) a larger learning rate is not the cure for slow learning."""
        on = {k for k, rule in self.rules.items() if rule.active}
        if "non_finite" in on:
            on = {"non_finite"}
        if "no_gradient" in on:
            on -= {"twins", "vanishing"}
        if "twins" in on:
            on -= {"vanishing", "lr_low"}
        if "vanishing" in on:
            on -= {"lr_low"}
        return [_describe(rule) for k, rule in self.rules.items() if k in on]


def _about(v: float) -> str:
    """A measured value to two significant digits, as the page writes numbers (1.3e147, 130, 0.012)."""
    if v != 0 and (abs(v) >= 1e5 or abs(v) < 1e-3):
        return f"{v:.1e}".replace("e+", "e")
    return f"{float(f'{v:.2g}'):g}"


def _slope(values) -> float:
    n = len(values)
    mx = (n - 1) / 2
    my = sum(values) / n
    return sum((i - mx) * (v - my) for i, v in enumerate(values))


def _describe(rule: Rule) -> dict[str, Any]:
    d = rule.detail
    remedy = ("Raise the L2 rate, or add more data, less noise, or use a smaller network." if d.get("l2", 0) > 0 else
              "Add L2 regularisation, more data, or less noise, or use a smaller network.")
    texts = {
        "non_finite": ("Training diverged",
                       "The loss or its gradient grew too large to compute with, as a learning rate too large makes "
                       "them (the weights or biases grow at every update): training stays stopped until a reset. Lower "
                       "the rate (to a tenth) first, if it is not lowered yet."),
        "vanishing": ("Vanishing gradients",
                      f"Over the last updates, the first layer's gradient has been about {d.get('ratio', 0):.0e} times the last "
                      "layer's (the table gives the latest update's): the early "
                      "layers barely learn. Try ReLU instead of sigmoid/tanh, fewer layers, or He initialisation."),
        "no_gradient": ("No gradient at all",
                        "Every weight's gradient ‖∂L/∂W‖ is exactly zero, so no update changes a weight (at most the "
                        "biases move): the network cannot learn a shape. All weights starting at zero do this with tanh "
                        "or ReLU (every unit outputs 0, so no error reaches the weights): choose Xavier or He "
                        "initialisation and reset. ReLUs that have all died do it too (a learning rate too high kills "
                        "them): lower it, or use leaky ReLU, and reset."),
        "twins": ("Identical neurons",
                  "In every hidden layer, all neurons have the same weights and bias: they compute the same thing, "
                  "get the same gradient and stay copies, so each layer acts as a single neuron. Weights that all "
                  "start equal do this (zero initialisation): choose Xavier or He initialisation and reset."),
        "exploding": ("Exploding gradients",
                      f"Over the last updates, the largest gradient norm has been about {_about(d.get('norm', 0))} "
                      "(the table gives the latest update's): each update is a leap. Lower the learning rate, "
                      "or add L2 regularisation."),
        "lr_high": ("Learning rate too high",
                    f"Over the last updates, each update has changed the weights by about {_about(100 * d.get('ratio', 0))} % "
                    "of their size (the table's ‖ΔW‖/‖W‖ is the latest update's; about 0.1 % is healthy). The loss may "
                    "jump around or diverge: try a learning rate three to ten times smaller."),
        "lr_low": ("Learning rate too low",
                   f"Each update changes the weights by only {d.get('ratio', 0):.1e} of their size while the loss is "
                   "still high: learning crawls. Try a learning rate three to ten times larger."),
        "dead": ("Dead ReLUs",
                 f"{100 * d.get('share', 0):.0f} % of the units in hidden layer {d.get('layer', '?')} output zero for "
                 "every training point, so no gradient flows through them. Try a smaller learning rate, leaky ReLU, or "
                 "reset with another seed."),
        "saturated": ("Saturated units",
                      f"{100 * d.get('share', 0):.0f} % of the units in hidden layer {d.get('layer', '?')} sit in the "
                      "flat tails of their activation, where the derivative is nearly zero. Try a smaller learning "
                      "rate, smaller initial weights, or ReLU."),
        "overfitting": ("Overfitting",
                        f"The test loss rises while the training loss falls (test/train = {d.get('gap', 0):.2f}): the "
                        f"network is memorising the training points. {remedy}"),
    }
    title, text = texts[rule.id]
    return {"id": rule.id, "severity": rule.severity, "panel": rule.panel, "title": title, "text": text}
