"""Every lesson's claim holds in the engine's own numbers."""

from __future__ import annotations

import numpy as np
import pytest

from engine.config import resolve_config
from engine.lessons import LESSON, LESSONS
from engine.trainer import Trainer


def run(config: dict, steps: int, **over) -> Trainer:
    t = Trainer({**config, **over})
    t.step(steps)
    return t


@pytest.mark.parametrize("lesson", LESSONS, ids=[x["id"] for x in LESSONS])
def test_every_lesson_is_a_valid_configuration_with_text(lesson):
    resolve_config(lesson["config"])
    assert 2 <= lesson["text"].count(". ") + 1 <= 5
    assert lesson["title"]


SEEDS = range(5)  # a teacher may not keep the lesson's seed: its claims hold for others too


@pytest.mark.parametrize("seed", SEEDS)
def test_xor_without_hidden_layer_wanders_between_35_and_70_percent(seed):
    """The card once said "around 50 %": over an audit's seeds it went from 42 to 70 %."""
    t = Trainer({**LESSON["xor-needs-hidden"]["config"], "seed": seed})
    accs = []
    for _ in range(30):
        t.step(100)
        accs.append(t.evaluate()["accuracy"]["train"])
    assert 0.3 <= min(accs) and max(accs) <= 0.75, accs
    assert max(accs) - min(accs) > 0.04  # it wanders


def test_xor_needs_a_hidden_layer():
    cfg = LESSON["xor-needs-hidden"]["config"]
    flat = run(cfg, 3000).evaluate()
    hidden = run(cfg, 3000, hidden_layers=[4]).evaluate()["accuracy"]["test"]
    assert flat["accuracy"]["test"] < 0.7
    # "the loss stays near 0.69, a coin toss's": ln 2, the bce of always answering ½
    assert all(abs(v - np.log(2)) < 0.03 for v in flat["loss"].values()), flat["loss"]
    assert hidden > 0.9


def test_relu_beats_sigmoid_on_the_spiral():
    cfg = LESSON["activations-spiral"]["config"]
    sigmoid = run(cfg, 8000).evaluate()["accuracy"]["test"]
    relu = run(cfg, 8000, activation="relu").evaluate()["accuracy"]["test"]
    assert relu > sigmoid + 0.2


def test_vanishing_gradients_fixed_by_relu():
    cfg = LESSON["vanishing-gradients"]["config"]
    norms = np.array(run(cfg, 50).grad_norms())
    assert norms[0] * 1000 <= norms[-1]  # "thousands of times smaller"
    relu = np.array(run(cfg, 50, activation="relu").grad_norms())
    assert relu[0] / relu[-1] > 10 * norms[0] / norms[-1]
    assert relu.max() / relu.min() < 10  # "the lines close up" (on the log axis: within a decade)


@pytest.mark.parametrize("seed", SEEDS)
def test_too_high_learning_rate_diverges_within_a_few_hundred_updates(seed):
    t = run(LESSON["learning-rate-too-high"]["config"], 1000, seed=seed)
    assert t.status == "diverged" and 100 < t.step_count < 1000, t.step_count


def test_too_high_learning_rate_diverges_and_says_so():
    t = run(LESSON["learning-rate-too-high"]["config"], 2000)
    assert t.status == "diverged"
    assert "learning rate" in t.message and "reset" in t.message
    assert np.isfinite(t.network.params).all()
    fine = run(LESSON["learning-rate-too-high"]["config"], 2000, learning_rate=0.1)  # a tenth, as the message and the lesson say
    assert fine.status == "ok"


def _overfit_run(seed: int, l2: float) -> dict:
    t = Trainer({**LESSON["overfitting-and-l2"]["config"], "seed": seed, "l2": l2})
    tests, norms, done = [], [], 0
    for at in (250, 500, 1000, 2000, 4000, 6000):
        t.step(at - done)
        done = at
        ev = t.evaluate()["loss"]
        tests.append(ev["test"])
        norms.append(float(np.sqrt(sum((layer.W ** 2).sum() for layer in t.network.layers))))
    return {"train": ev["train"], "test": tests, "norm": norms, "climb": tests[-1] - min(tests)}


@pytest.mark.parametrize("seed", SEEDS)
def test_overfitting_and_what_l2_does(seed):
    """The card once said the boundary bends around single points and the test loss ends lower
    with L2. On this data the boundary hardly moves after a few hundred updates: what grows is
    the weights, hence the network's confidence, in its mistakes on test points too; and the test
    loss includes the penalty, which can leave it above the run without L2 (seed 1)."""
    plain, l2 = _overfit_run(seed, 0.0), _overfit_run(seed, 0.003)
    # "the training loss falls to almost zero while the test loss climbs"
    assert plain["train"] < 0.005 and plain["test"][-1] > 10 * plain["train"]
    assert plain["climb"] > 0.02, plain["test"]
    # "as growing weights make the network ever surer of its answers"
    assert all(b > a for a, b in zip(plain["norm"], plain["norm"][1:], strict=False)), plain["norm"]
    # with L2: "the weights stay small, the training loss stays above zero, and the test loss climbs less"
    assert l2["norm"][-1] < 0.75 * plain["norm"][-1], (l2["norm"], plain["norm"])
    assert l2["train"] > 0.05
    assert l2["climb"] < plain["climb"], (l2["test"], plain["test"])  # "climbs less"


def test_zero_init_with_tanh_never_moves_a_weight_and_with_sigmoid_keeps_copies():
    """The lesson once said the units "stay identical copies" and act as one
    neuron per layer; with its own tanh nothing but the output bias moves."""
    cfg = LESSON["zero-init-symmetry"]["config"]
    t = run(cfg, 300)
    assert resolve_config(cfg)["activation"] == "tanh"  # "with tanh, as here"
    for layer in t.network.layers:
        assert not layer.W.any()  # no weight ever moved
    assert not np.concatenate([layer.b for layer in t.network.layers[:-1]]).any()
    assert t.network.layers[-1].b.any()  # the output's bias did
    out = t.network.predict(t.x_test)
    assert np.ptp(out) == 0.0  # the same output everywhere
    s = run(cfg, 300, activation="sigmoid")
    for layer in s.network.layers[:-1]:
        assert layer.W.any() and np.ptp(layer.W, axis=0).max() == 0.0  # moved, every unit alike
        assert np.ptp(layer.b) == 0.0
    for a in s.network.activations(s.x_train[:20])[:-1]:
        assert np.allclose(a, a[:, :1])  # each layer acts as one neuron
    x = run(cfg, 300, init="xavier")
    assert np.ptp(x.network.layers[0].W, axis=0).max() > 0.1  # xavier: the neurons differ


@pytest.mark.parametrize("seed", SEEDS)
def test_zero_init_lesson_ends_on_xavier_and_tanh_learning_the_circle(seed):
    """The card once ended on Xavier with sigmoid still on, which barely learns (48–69 % at 2000
    updates over eight seeds); it now says to switch back to tanh too."""
    cfg = LESSON["zero-init-symmetry"]["config"]
    assert run(cfg, 2000, seed=seed, init="xavier").evaluate()["accuracy"]["test"] > 0.95


@pytest.mark.parametrize("seed", SEEDS)
def test_cross_entropy_learns_faster_than_mse_on_classification(seed):
    """"Compare the accuracy at about 1000 updates": at 500, seed 2 gave both the same 48 %."""
    cfg = LESSON["mse-vs-cross-entropy"]["config"]
    mse = run(cfg, 1000, seed=seed).evaluate()["accuracy"]["test"]
    bce = run(cfg, 1000, seed=seed, loss="bce").evaluate()["accuracy"]["test"]
    assert bce > mse + 0.05, (mse, bce)


def test_three_classes_with_softmax():
    t = run(LESSON["three-classes-softmax"]["config"], 10000)
    out = t.network.predict(t.x_test)
    assert out.shape[1] == 3
    assert np.allclose(out.sum(axis=1), 1.0)
    assert t.evaluate()["accuracy"]["test"] > 0.8
