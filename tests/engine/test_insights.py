"""Diagnoses on constructed histories: each switches on when its condition
holds, off when it clearly stops, and never flaps near its threshold."""

from __future__ import annotations

import math

import numpy as np
import pytest

from engine.insights import PATIENCE, Diagnostician, Observation
from engine.trainer import Trainer


def healthy(step: int, **over) -> Observation:
    base = dict(step=step, train_loss=0.5, test_loss=0.52, grad_norms=[0.1, 0.1, 0.1],
                update_ratios=[1e-3, 1e-3, 1e-3], dead=[None, None, None], saturated=[0.0, 0.0, 0.0])
    base.update(over)
    return Observation(**base)


def ids(d: Diagnostician) -> set[str]:
    return {i["id"] for i in d.active()}


def feed(d: Diagnostician, observations) -> list[set[str]]:
    return [{i["id"] for i in d.observe(o)} for o in observations]


def test_healthy_stream_says_nothing():
    d = Diagnostician()
    assert all(s == set() for s in feed(d, [healthy(i) for i in range(1, 100)]))


def test_non_finite_is_immediate_and_clears():
    d = Diagnostician()
    feed(d, [healthy(i) for i in range(1, 5)])
    assert "non_finite" in feed(d, [healthy(5, train_loss=None)])[-1]
    feed(d, [healthy(i) for i in range(6, 8)])
    assert "non_finite" not in ids(d)


@pytest.mark.parametrize(
    ("rule", "field", "bad", "good"),
    [
        ("vanishing", "grad_norms", [1e-6, 1e-3, 1e-1], [0.05, 0.08, 0.1]),
        ("exploding", "grad_norms", [1e3, 1e3, 1e3], [1.0, 1.0, 1.0]),
        ("lr_high", "update_ratios", [0.2, 0.2, 0.2], [1e-3, 1e-3, 1e-3]),
        ("dead", "dead", [0.75, 0.0, None], [0.0, 0.0, None]),
        ("saturated", "saturated", [0.0, 0.8, 0.0], [0.0, 0.1, 0.0]),
    ],
)
def test_rule_switches_on_after_patience_and_off_again(rule, field, bad, good):
    d = Diagnostician()
    states = feed(d, [healthy(i, **{field: bad}) for i in range(1, 30)])
    first_on = next(i for i, s in enumerate(states) if rule in s)
    assert first_on >= PATIENCE - 1  # not on the first bad observation
    assert all(rule in s for s in states[first_on:])
    states = feed(d, [healthy(i, **{field: good}) for i in range(30, 60)])
    assert rule not in states[-1]
    # Once off, it stays off while the values stay good.
    first_off = next(i for i, s in enumerate(states) if rule not in s)
    assert all(rule not in s for s in states[first_off:])


@pytest.mark.parametrize(
    ("rule", "field", "make"),
    [
        # values alternating just around the switch-on threshold
        ("vanishing", "grad_norms", lambda k: [10 ** (-2.0 + (0.05 if k % 2 else -0.05)) * 0.1, 0.1, 0.1]),
        ("exploding", "grad_norms", lambda k: [10 ** (2.0 + (0.05 if k % 2 else -0.05))] * 3),
        ("lr_high", "update_ratios", lambda k: [10 ** (-1.5 + (0.05 if k % 2 else -0.05))] * 3),
        ("dead", "dead", lambda k: [0.45 if k % 2 else 0.55, 0.0, None]),
        ("saturated", "saturated", lambda k: [0.45 if k % 2 else 0.55, 0.0, 0.0]),
    ],
)
def test_no_flapping_near_threshold(rule, field, make):
    d = Diagnostician()
    states = feed(d, [healthy(i, **{field: make(i)}) for i in range(1, 200)])
    flags = [rule in s for s in states]
    changes = sum(1 for a, b in zip(flags, flags[1:], strict=False) if a != b)
    assert changes <= 1, f"{rule} flapped {changes} times"


def test_overfitting_when_test_rises_while_train_falls():
    d = Diagnostician()
    obs = []
    for i in range(1, 80):
        train = 0.6 * math.exp(-i / 20)
        test = 0.3 + 0.004 * i
        obs.append(healthy(i, train_loss=train, test_loss=test))
    states = feed(d, obs)
    assert "overfitting" in states[-1]
    assert "overfitting" not in states[10]  # needs a full window of evidence first


def test_no_overfitting_when_both_fall():
    d = Diagnostician()
    obs = [healthy(i, train_loss=0.6 * math.exp(-i / 20), test_loss=0.7 * math.exp(-i / 25)) for i in range(1, 80)]
    assert all("overfitting" not in s for s in feed(d, obs))


def test_learning_rate_too_low_only_while_loss_is_still_high():
    d = Diagnostician()
    stuck = [healthy(i, train_loss=0.69, update_ratios=[1e-7] * 3) for i in range(1, 20)]
    assert "lr_low" in feed(d, stuck)[-1]
    d = Diagnostician()
    converged = [healthy(1, train_loss=0.69)] + [
        healthy(i, train_loss=0.01, update_ratios=[1e-7] * 3) for i in range(2, 20)
    ]
    assert all("lr_low" not in s for s in feed(d, converged))


def test_live_deep_sigmoid_network_reports_vanishing_gradients():
    t = Trainer({"hidden_layers": [8] * 6, "activation": "sigmoid"})
    for _ in range(20):
        t.step(10)
        t.evaluate()
    norms = np.array(t.grad_norms())
    assert norms[0] < norms[-1] / 100  # the lesson's claim, in the engine's numbers
    assert "vanishing" in {i["id"] for i in t.evaluate()["insights"]}


def _lr_high_seen(config: dict, rounds: int = 60) -> int:
    t = Trainer(config)
    seen = 0
    for _ in range(rounds):
        t.step(25)
        seen += "lr_high" in {i["id"] for i in t.evaluate()["insights"]}
    return seen


@pytest.mark.parametrize("init", ["xavier", "zeros"])
def test_tiny_weights_changing_by_a_large_share_do_not_blame_the_learning_rate(init):
    """XOR without a hidden layer: the best single line is no line, so the
    weights hover near zero (‖W‖ ≈ 0.07) and each batch moves them by a large
    share of that. A smaller η would not help the lesson at all: measured
    against a Glorot layer's scale the updates are small, and no warning shows."""
    t = Trainer({"dataset": "xor", "hidden_layers": [], "init": init})
    t.step(1500)
    layer = t.evaluate()["layers"][0]
    assert layer["update_ratio"] > 0.03  # the raw ratio alone would have said "too high"
    assert _lr_high_seen({"dataset": "xor", "hidden_layers": [], "init": init}) == 0


def test_a_learning_rate_that_really_is_too_high_is_still_reported():
    assert _lr_high_seen({"dataset": "spiral", "hidden_layers": [8, 8], "learning_rate": 3}) > 30


def test_live_divergence_reports_non_finite():
    t = Trainer({"learning_rate": 10, "dataset": "plane", "activation": "relu", "hidden_layers": [8, 8]})
    t.step(1000)
    assert t.status == "diverged"
    assert "non_finite" in {i["id"] for i in t.evaluate()["insights"]}


@pytest.mark.parametrize("activation, flat, steep", [
    # f′(z) against a tenth of its peak: σ′(5)/¼ = 0.027 (flat), σ′(3)/¼ = 0.18 (not);
    # tanh at half those z has exactly the same relative slope, σ(z) = (1 + tanh(z/2))/2
    ("sigmoid", 5.0, 3.0),
    ("tanh", 2.5, 1.5),
    ("sigmoid", -5.0, -3.0),
])
def test_saturated_share_is_the_units_whose_slope_is_under_a_tenth_of_its_peak(activation, flat, steep):
    """Two hidden units held at a constant z by their bias (zero weights): one
    in the flat tail, one where the slope is still 18 % of its peak."""
    t = Trainer({"hidden_layers": [2], "activation": activation})
    t.set_weights([{"W": [[0.0, 0.0], [0.0, 0.0]], "b": [flat, steep]}, {"W": [[1.0, 1.0]], "b": [0.0]}])
    assert t.evaluate()["layers"][0]["saturated"] == 0.5
    t.set_weights([{"W": [[0.0, 0.0], [0.0, 0.0]], "b": [flat, flat]}, {"W": [[1.0, 1.0]], "b": [0.0]}])
    assert t.evaluate()["layers"][0]["saturated"] == 1.0
    t.set_weights([{"W": [[0.0, 0.0], [0.0, 0.0]], "b": [steep, steep]}, {"W": [[1.0, 1.0]], "b": [0.0]}])
    assert t.evaluate()["layers"][0]["saturated"] == 0.0


def test_a_network_with_no_gradient_at_all_says_so_and_a_healthy_one_does_not():
    """Zero initialisation with tanh: every ‖∂L/∂W‖ is exactly 0, the log-scale chart was empty and
    the insights said "Nothing to report" (the vanishing rule needs a last layer's gradient)."""
    stuck = Trainer({"init": "zeros"})
    fine = Trainer({})
    for _ in range(5):
        stuck.step(10)
        fine.step(10)
        stuck.evaluate()
        fine.evaluate()
    assert np.all(np.array(stuck.grad_norms()) == 0)
    found = {i["id"]: i for i in stuck.evaluate()["insights"]}
    assert "no_gradient" in found and "Xavier" in found["no_gradient"]["text"]
    assert "no_gradient" not in {i["id"] for i in fine.evaluate()["insights"]}
    # a gradient merely small is the vanishing rule's, not this one's
    d = Diagnostician()
    tiny = [healthy(i, grad_norms=[1e-30, 1e-3, 1e-1]) for i in range(1, 10)]
    assert all("no_gradient" not in s for s in feed(d, tiny))


def test_the_vanishing_ratio_is_said_as_a_recent_average_not_the_latest_update():
    """The insight said "is 5.8e-05 times" beside a table whose latest update gave 3.8e-5: its number
    is a moving average of the logarithm. Steady at 1e-4, it says about 1e-04; after one update at
    1e-3 the latest ratio moved tenfold while the insight's number stays near 1e-4, and says it is
    an average over the last updates."""
    d = Diagnostician()
    feed(d, [healthy(i, grad_norms=[1e-5, 1e-3, 1e-1]) for i in range(1, 60)])
    text = next(i for i in d.active() if i["id"] == "vanishing")["text"]
    assert "about 1e-04 times" in text and "Over the last updates" in text
    feed(d, [healthy(60, grad_norms=[1e-4, 1e-3, 1e-1])])
    text = next(i for i in d.active() if i["id"] == "vanishing")["text"]
    said = float(text.split("about ")[1].split(" times")[0])
    assert 1e-4 <= said < 1e-3 and "latest update's" in text


# -- the insights name the cause, not its symptoms, and fit the settings in force ----------

def test_once_the_loss_overflowed_it_is_the_one_insight():
    """The learning-rate lesson, diverged, listed five insights, among them "Vanishing gradients …
    try ReLU" for first layers whose gradient the overflow had zeroed: symptoms of the one cause."""
    t = Trainer({"dataset": "plane", "learning_rate": 1.0})
    while t.status != "diverged" and t.step_count < 2000:
        t.step(10)
        t.evaluate()
    assert t.status == "diverged"
    assert [i["id"] for i in t.evaluate()["insights"]] == ["non_finite"]
    # the rules underneath are still on: the readings did go wild
    assert {"vanishing", "exploding"} <= {k for k, r in t.insights.rules.items() if r.active}


def test_zero_initialised_sigmoid_units_are_said_to_be_copies_not_vanishing():
    """Zero init with sigmoid (the zero-init lesson's second step) said only "Vanishing gradients …
    Try ReLU": with all-zero weights ReLU gives no gradient at all. The cause is symmetry."""
    t = Trainer({"dataset": "circle", "hidden_layers": [4, 4], "init": "zeros", "activation": "sigmoid"})
    for _ in range(30):
        t.step(100)
        t.evaluate()
    hidden = t.network.layers[:-1]
    assert all(np.ptp(layer.W, axis=0).max() == 0 and layer.W.any() for layer in hidden)  # moved, all alike
    assert t.insights.rules["vanishing"].active  # what it used to say, alone
    found = {i["id"]: i for i in t.evaluate()["insights"]}
    assert "twins" in found and "vanishing" not in found and "lr_low" not in found, found
    assert "Xavier" in found["twins"]["text"] and "ReLU" not in found["twins"]["text"]
    # random weights: no copies, nothing said
    x = Trainer({"dataset": "circle", "hidden_layers": [4, 4], "activation": "sigmoid"})
    for _ in range(5):
        x.step(20)
        x.evaluate()
    assert not x.insights.rules["twins"].active


def test_with_vanishing_gradients_a_larger_learning_rate_is_not_offered():
    d = Diagnostician()
    both = [healthy(i, train_loss=0.69, grad_norms=[1e-6, 1e-3, 1e-1], update_ratios=[1e-7] * 3) for i in range(1, 20)]
    feed(d, both)
    assert d.rules["lr_low"].active and d.rules["vanishing"].active
    assert ids(d) == {"vanishing"}


def test_overfitting_advice_follows_the_l2_in_force():
    """With L2 already at 0.003 it still said "Add L2 regularisation"."""
    def advice(l2: float) -> str:
        d = Diagnostician()
        feed(d, [healthy(i, train_loss=0.6 * math.exp(-i / 20), test_loss=0.3 + 0.004 * i, l2=l2) for i in range(1, 80)])
        return next(i["text"] for i in d.active() if i["id"] == "overfitting")
    assert "Add L2" in advice(0.0) and "Raise the L2 rate" not in advice(0.0)
    assert "Raise the L2 rate" in advice(0.003) and "Add L2" not in advice(0.003)


def test_exploding_and_learning_rate_numbers_are_said_as_recent_averages():
    """After a divergence the insight said "Gradient norms reach 7.82e+137" beside a table giving
    1.95e154, and "changes the weights by 136.5 %" beside 1.2: both are moving averages."""
    d = Diagnostician()
    feed(d, [healthy(i, grad_norms=[1e3, 1e3, 1e3], update_ratios=[0.5] * 3) for i in range(1, 30)])
    text = {i["id"]: i["text"] for i in d.active()}
    assert "Over the last updates" in text["exploding"] and "about 1000 " in text["exploding"], text["exploding"]
    assert "Over the last updates" in text["lr_high"] and "about 50 %" in text["lr_high"], text["lr_high"]
    d = Diagnostician()
    feed(d, [healthy(i, grad_norms=[1e150, 1e150, 1e150]) for i in range(1, 30)])
    assert "about 1.0e150 " in next(i["text"] for i in d.active() if i["id"] == "exploding")


def test_a_divergence_with_a_finite_loss_is_reported_at_once():
    """A ReLU network at η = 10 stops after four updates: a gradient past 1e154 overflows its square
    while the loss stays finite. The insights said "Nothing to report" beside norms of 1e212."""
    t = Trainer({"dataset": "plane", "hidden_layers": [8], "activation": "relu", "learning_rate": 10.0,
                 "n_samples": 100})
    with np.errstate(all="ignore"):
        t.step(100)
    assert t.status == "diverged" and t.step_count < 5
    ev = t.evaluate()
    assert ev["loss"]["train"] is not None  # finite: the non-finite loss alone did not say it
    assert [(i["id"], i["title"]) for i in ev["insights"]] == [("non_finite", "Training diverged")]
