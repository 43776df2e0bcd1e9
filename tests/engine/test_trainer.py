"""The trainer: counting, epochs, resets, saving and resuming, divergence,
live configuration, weights, traces, history and grids."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from engine import ConfigError, Trainer
from engine.history import History


def _roundtrip(doc):
    return json.loads(json.dumps(doc, allow_nan=False))


def _weights(t):
    return [{"W": layer.W.tolist(), "b": layer.b.tolist()} for layer in t.network.layers]


# -- counting and epochs -------------------------------------------------------------
def test_step_counts_exactly():
    t = Trainer()
    assert t.step_count == 0 and t.snapshot()["step"] == 0 and t.epoch == 0.0
    assert t.step(1) == 1
    assert t.step(0) == 0 and t.step(-3) == 0
    assert t.step(37) == 37
    assert t.step(1000) == 1000
    assert t.step_count == 1038
    assert t.snapshot()["step"] == 1038
    assert len(t.history.series()["step"]) == 1038


def test_epoch_is_steps_times_batch_over_training_set():
    t = Trainer({"batch_size": 10})  # 250 training points: 25 updates per epoch
    assert t.n_train == 250
    for _ in range(80):
        t.step(1)
        assert t.epoch == pytest.approx(t.step_count * 10 / 250, rel=1e-12, abs=1e-15)
        assert t.snapshot()["epoch"] == t.epoch
    assert t.epoch == pytest.approx(3.2)


def test_partial_last_batch():
    """250 points in batches of 7: 35 full batches and one of 5 per epoch
    (36 updates); every point is used exactly once per epoch, and the next
    epoch is shuffled anew."""
    t = Trainer({"batch_size": 7})
    seen = []
    sizes = []
    for s in range(1, 73):
        t.step(1)
        a_in = t.network.layers[0].a_in
        sizes.append(a_in.shape[0])
        seen.append(a_in.copy())
        full, r = divmod(s, 36)
        expected = full + 7 * r / 250 if r else float(full)
        assert t.epoch == pytest.approx(expected, rel=1e-12), s
    assert sizes == ([7] * 35 + [5]) * 2
    for epoch in range(2):
        rows = np.concatenate(seen[36 * epoch : 36 * (epoch + 1)])
        assert rows.shape == (250, 2)
        key = lambda a: sorted(map(tuple, a.tolist()))  # noqa: E731
        assert key(rows) == key(t.x_train)
    first = np.concatenate(seen[:36])
    second = np.concatenate(seen[36:])
    assert not np.array_equal(first, second)
    t.step(1)
    assert t.epoch == pytest.approx(2 + 7 / 250)


def test_full_batch():
    t = Trainer({"batch_size": 250})
    t.step(3)
    assert t.epoch == 3.0
    assert t.network.layers[0].a_in.shape == (250, 2)


def test_step_stops_at_the_time_limit():
    t = Trainer()
    done = t.step(100_000, max_seconds=0.02)
    assert 0 < done < 100_000
    assert t.step_count == done


# -- reset and reproducibility -------------------------------------------------------------
def test_reset_returns_exactly_to_the_start():
    t = Trainer({"dataset": "xor", "optimizer": "adam"})
    params0, data0, snap0 = t.network.params.copy(), t.data(), t.snapshot()
    t.step(123)
    assert not np.array_equal(t.network.params, params0)
    t.reset()
    assert np.array_equal(t.network.params, params0)
    assert t.data() == data0
    assert t.snapshot() == snap0
    assert t.step_count == 0 and t.epoch == 0.0 and t.status == "ok"
    assert t.history.series()["step"] == []
    assert snap0["layers"][0]["dW"] is None
    # and the run after the reset is the run before it
    t.step(50)
    other = Trainer({"dataset": "xor", "optimizer": "adam"})
    other.step(50)
    assert np.array_equal(t.network.params, other.network.params)


def test_reset_with_a_seed():
    t = Trainer()
    t.step(10)
    t.reset(5)
    fresh = Trainer({"seed": 5})
    assert t.config["seed"] == 5
    assert np.array_equal(t.network.params, fresh.network.params)
    assert t.data() == fresh.data()
    assert not np.array_equal(t.network.params, Trainer().network.params)
    with pytest.raises(ConfigError) as e:
        t.reset(-1)
    assert e.value.field == "seed"


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_same_seed_same_run(optimizer):
    cfg = {"dataset": "spiral", "optimizer": optimizer, "noise": 0.2, "batch_size": 7, "seed": 3}
    a, b = Trainer(cfg), Trainer(cfg)
    a.step(300)
    for _ in range(300):
        b.step(1)
    assert np.array_equal(a.network.params, b.network.params)
    assert a.history.series() == b.history.series()
    assert a.snapshot() == b.snapshot()


def test_different_seeds_differ():
    a, b = Trainer({"seed": 1}), Trainer({"seed": 2})
    assert not np.array_equal(a.network.params, b.network.params)
    assert a.data()["train"]["x"] != b.data()["train"]["x"]


def test_initial_weights_follow_the_init_scheme():
    t = Trainer({"hidden_layers": [50, 40], "init": "xavier"})
    for layer in t.network.layers:
        r = np.sqrt(6 / (layer.n_in + layer.n_out))
        assert np.abs(layer.W).max() <= r
        assert (layer.b == 0).all()
    big = Trainer({"hidden_layers": [120], "init": "he", "n_samples": 1000})
    W = big.network.layers[1].W  # 1 × 120, N(0, 2/120)
    assert np.std(big.network.layers[0].W) == pytest.approx(1.0, rel=0.25)  # N(0, 2/2)
    assert W.shape == (1, 120)
    zero = Trainer({"init": "zeros"})
    assert not zero.network.params.any()
    uni = Trainer({"init": "uniform", "hidden_layers": [64, 64]})
    assert np.abs(uni.network.params).max() <= 0.5


# -- saving and resuming -------------------------------------------------------------------------
@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_state_round_trip_continues_bit_for_bit(optimizer):
    cfg = {"dataset": "moons", "optimizer": optimizer, "batch_size": 7, "noise": 0.1,
           "learning_rate": 0.05, "l1": 0.001, "l2": 0.002, "hidden_layers": [5, 3], "seed": 11}
    a = Trainer(cfg)
    a.step(40)  # mid-epoch: 40 = 36 + 4
    doc = _roundtrip(a.to_state())
    b = Trainer.from_state(doc)
    assert b.snapshot() == a.snapshot()
    assert b.epoch == a.epoch and b.step_count == 40
    for _ in range(3):
        a.step(77)
        b.step(77)
        assert np.array_equal(a.network.params, b.network.params)
    assert a.history.series() == b.history.series()
    assert a.snapshot() == b.snapshot()
    assert _roundtrip(a.to_state()) == _roundtrip(b.to_state())


def test_state_round_trip_of_a_fresh_trainer_and_of_custom_points():
    x = np.random.default_rng(0).uniform(-5, 5, (20, 2)).tolist()
    y = [i % 2 for i in range(20)]
    for cfg in ({}, {"dataset": "custom", "task": "classification", "points": {"x": x, "y": y}, "batch_size": 3}):
        a = Trainer(cfg)
        b = Trainer.from_state(_roundtrip(a.to_state()))
        a.step(25)
        b.step(25)
        assert np.array_equal(a.network.params, b.network.params)


# A session saved (GET /export) by 4157cbd, when four points of one's own were
# enough; API.md's ten apply to points given now, not to saved sessions.
SIX_POINTS = Path(__file__).parent / "fixtures" / "six-points-4157cbd.json"


def test_a_session_saved_with_fewer_points_than_now_allowed_loads_and_trains():
    state = json.loads(SIX_POINTS.read_text())["state"]
    points = state["config"]["points"]
    assert len(points["x"]) == 6
    t = Trainer.from_state(state)
    assert t.step_count == 5 and t.config["points"] == points
    for layer, saved in zip(t.network.layers, state["network"]["layers"], strict=True):
        assert np.array_equal(layer.W, saved["W"]) and np.array_equal(layer.b, saved["b"])
    assert sorted(np.vstack([t.raw_train, t.raw_test]).tolist()) == sorted(points["x"])
    twin = Trainer.from_state(_roundtrip(t.to_state()))  # saved again, it loads again
    start = t.evaluate()["loss"]["train"]
    assert t.step(200) == 200 and t.status == "ok"
    assert t.evaluate()["loss"]["train"] < start
    twin.step(200)
    assert np.array_equal(twin.network.params, t.network.params)
    # its settings can change, and it resets to the saved seed's start, points kept
    t.update_config({"learning_rate": 0.2})
    assert t.config["learning_rate"] == 0.2 and t.config["points"] == points
    t.reset(3)
    assert t.step_count == 0 and t.config["points"] == points and t.n_train + len(t.raw_test) == 6
    # points given now still need ten
    more = {"x": points["x"] + [[0.0, 0.0]], "y": points["y"] + [1]}
    with pytest.raises(ConfigError, match="between 10 and 5000 points are needed"):
        t.update_config({"points": more})
    with pytest.raises(ConfigError, match="between 10 and 5000 points are needed"):
        Trainer({**state["config"], "points": more})


def test_copy_is_independent():
    a = Trainer()
    a.step(5)
    b = a.copy()
    b.step(5)
    assert a.step_count == 5 and b.step_count == 10
    a.step(5)
    assert np.array_equal(a.network.params, b.network.params)


@pytest.mark.parametrize(
    "damage,field",
    [(lambda d: {"version": 99}, "version"), (lambda d: [], "version"),
     (lambda d: {k: v for k, v in d.items() if k != "order"}, "state"),
     (lambda d: {**d, "order": d["order"][:-1] + d["order"][:1]}, "state"),
     (lambda d: {**d, "optimizer": {**d["optimizer"], "name": "adam"}}, "state"),
     (lambda d: {**d, "network": {**d["network"], "layers": d["network"]["layers"][:1]}}, "layers"),
     (lambda d: {**d, "config": {**d["config"], "learning_rate": -1}}, "state.config.learning_rate"),
     (lambda d: {**d, "step": 10**30}, "state"), (lambda d: {**d, "epochs_done": d["step"] + 1}, "state")],
)
def test_damaged_state_is_a_config_error(damage, field):
    t = Trainer()
    t.step(3)
    doc = _roundtrip(t.to_state())
    with pytest.raises(ConfigError) as e:
        Trainer.from_state(damage(doc))
    assert e.value.field == field


@pytest.mark.parametrize("damage,needle", [
    # x1² of a coordinate of 1e200 is infinite: /data and /batch then failed with a 500
    (lambda d: d["data"]["raw_train"][0].__setitem__(0, 1e200), "data.raw_train: coordinates must lie within ±100"),
    (lambda d: d["data"]["raw_test"][0].__setitem__(1, -101.0), "data.raw_test: coordinates must lie within ±100"),
    (lambda d: d["data"]["labels_train"].__setitem__(0, True), "data.labels_train: entries must be numbers"),
    # a stride no history of this length could reach: the session would never record again
    (lambda d: d["history"]["steps"].__setitem__("stride", 2**36), "history.steps: a stride of 68719476736"),
    (lambda d: d["history"]["steps"].__setitem__("stride", 3), "history stride must be a power of two"),
])
def test_an_imported_document_that_would_break_later_is_refused_now(damage, needle):
    t = Trainer({"features": ["x1", "x2", "x1_sq"]})
    t.step(3)
    doc = _roundtrip(t.to_state())
    damage(doc)
    with pytest.raises(ConfigError) as e:
        Trainer.from_state(doc)
    assert needle in e.value.message
    # generated data reaches a little beyond the plane (noise): its documents still load
    noisy = Trainer({"dataset": "circle", "noise": 1.0, "n_samples": 5000})
    assert np.abs(noisy.raw_train).max() > 6
    assert np.array_equal(Trainer.from_state(_roundtrip(noisy.to_state())).raw_train, noisy.raw_train)


@pytest.mark.parametrize("optimizer,key,lr", [("momentum", "velocity", 10.0), ("adam", "m", 0.03)])
def test_an_imported_optimizer_state_that_would_overflow_the_next_update_is_refused(optimizer, key, lr):
    """A velocity or first moment of 1e308 is finite, but one update makes the
    weights infinite (η·μ·v, or η·m̂/ε): the import is refused and names it.
    Up to 1e200 the next update stays finite (checked below against NumPy)."""
    t = Trainer({"optimizer": optimizer, "learning_rate": lr})
    t.step(3)
    doc = _roundtrip(t.to_state())
    doc["optimizer"][key][0] = 1e308
    with pytest.raises(ConfigError) as e:
        Trainer.from_state(doc)
    assert e.value.field == "state" and f"optimizer.{key}" in e.value.message and "1e+200" in e.value.message
    doc["optimizer"][key][0] = -1e200
    loaded = Trainer.from_state(doc)
    before = loaded.network.params.copy()
    with np.errstate(all="ignore"):
        loaded.step(1)
    assert np.isfinite(loaded.network.params).all()
    assert loaded.network.params[0] > before[0] + 1e190  # the huge moment did move that weight


# -- divergence ---------------------------------------------------------------------------------
def test_divergence_stops_with_a_message_and_finite_weights():
    t = Trainer({"dataset": "plane", "activation": "linear", "learning_rate": 10})
    with np.errstate(all="ignore"):
        done = t.step(100)
    assert done < 100
    assert t.step_count == done
    assert t.status == "diverged"
    assert "diverged" in t.message and "learning rate" in t.message and "η = 10" in t.message
    assert np.isfinite(t.network.params).all()
    snap = t.snapshot()
    assert snap["status"] == "diverged" and snap["message"] == t.message
    json.dumps(snap, allow_nan=False)  # never NaN/Infinity in JSON
    json.dumps(t.to_state(), allow_nan=False)
    json.dumps(t.history.series(), allow_nan=False)
    assert t.step(10) == 0 and t.step_count == done
    # a state saved after divergence comes back diverged
    back = Trainer.from_state(_roundtrip(t.to_state()))
    assert back.status == "diverged" and back.step(1) == 0
    t.reset()
    assert t.status == "ok" and "message" not in t.snapshot()


# -- live configuration -----------------------------------------------------------------------------
def test_new_learning_rate_applies_without_reset():
    t = Trainer()
    t.step(20)
    params = t.network.params.copy()
    assert t.update_config({"learning_rate": 0.5}) is False
    assert np.array_equal(t.network.params, params)
    assert t.step_count == 20 and t.config["learning_rate"] == 0.5
    t.step(1)
    # sgd: W ← W − η g with the new η and the gradient of that update
    assert np.array_equal(t.network.params, params - 0.5 * t.network.grads)


def test_live_changes_of_optimizer_momentum_batch_and_penalty():
    t = Trainer({"optimizer": "momentum"})
    t.step(10)
    params = t.network.params.copy()
    assert t.update_config({"momentum": 0.5, "batch_size": 4, "l2": 0.1}) is False
    assert np.array_equal(t.network.params, params)
    assert t.optimizer.momentum == 0.5 and t.network.l2 == 0.1
    penalty = 0.1 * sum(float((layer.W**2).sum()) for layer in t.network.layers)
    t0 = Trainer({"optimizer": "momentum"})
    t0.step(10)
    assert t.snapshot()["loss"]["train"] == pytest.approx(t0.snapshot()["loss"]["train"] + penalty, rel=1e-12)
    t.step(1)
    assert t.network.layers[0].a_in.shape[0] == 4
    assert t.update_config({"optimizer": "adam"}) is False
    assert t.optimizer.name == "adam" and t.optimizer.t == 0
    assert t.step_count == 11


def test_structural_change_resets():
    t = Trainer()
    t.step(30)
    assert t.update_config({"hidden_layers": [3]}) is True
    assert t.step_count == 0 and t.network.sizes == [2, 3, 1]
    assert np.array_equal(t.network.params, Trainer({"hidden_layers": [3]}).network.params)
    assert t.update_config({"seed": 9}) is True
    assert np.array_equal(t.network.params, Trainer({"hidden_layers": [3], "seed": 9}).network.params)
    assert t.update_config({"dataset": "spiral3"}) is True
    assert t.network.sizes == [2, 3, 3] and t.config["loss"] == "cross_entropy"


def test_invalid_update_changes_nothing():
    t = Trainer()
    t.step(5)
    cfg, params = dict(t.config), t.network.params.copy()
    with pytest.raises(ConfigError) as e:
        t.update_config({"learning_rate": 11})
    assert e.value.field == "learning_rate"
    assert t.config == cfg and np.array_equal(t.network.params, params) and t.step_count == 5


# -- weights ---------------------------------------------------------------------------------------
def test_set_weights_applies_exactly():
    t = Trainer()
    t.step(3)
    rng = np.random.default_rng(0)
    layers = [{"W": rng.normal(size=(4, 2)).tolist(), "b": rng.normal(size=4).tolist()},
              {"W": rng.normal(size=(2, 4)).tolist(), "b": [0.5, -0.5]},
              {"W": [[1.0, -1.0]], "b": [0.25]}]
    t.set_weights(layers)
    snap = t.snapshot()
    for given, got in zip(layers, snap["layers"], strict=True):
        assert got["W"] == given["W"] and got["b"] == given["b"]
    x = np.array(t.data()["test"]["x"])
    h1 = np.tanh(x @ np.array(layers[0]["W"]).T + layers[0]["b"])
    h2 = np.tanh(h1 @ np.array(layers[1]["W"]).T + layers[1]["b"])
    out = 1 / (1 + np.exp(-(h2 @ np.array(layers[2]["W"]).T + layers[2]["b"])))
    np.testing.assert_allclose(t.network.predict(x), out, rtol=1e-12)
    labels = t.labels_test
    assert snap["accuracy"]["test"] == pytest.approx(np.mean((out[:, 0] > 0.5) == labels))


@pytest.mark.parametrize(
    "mutate,field",
    [(lambda L: L[:2], "layers"), (lambda L: "nope", "layers"),
     (lambda L: [{**L[0], "W": L[0]["W"][:3]}, *L[1:]], "layers[0].W"),
     (lambda L: [L[0], {**L[1], "W": [row[:3] for row in L[1]["W"]]}, L[2]], "layers[1].W"),
     (lambda L: [L[0], L[1], {**L[2], "W": L[2]["W"][0]}], "layers[2].W"),
     (lambda L: [L[0], {**L[1], "b": L[1]["b"] + [0.0]}, L[2]], "layers[1].b"),
     (lambda L: [{"W": L[0]["W"]}, *L[1:]], "layers[0]"),
     (lambda L: [L[0], L[1], {**L[2], "b": [float("nan")]}], "layers[2]"),
     (lambda L: [L[0], L[1], {**L[2], "W": [["a", "b"]]}], "layers[2]")],
)
def test_set_weights_rejects_bad_shapes(mutate, field):
    t = Trainer()
    params = t.network.params.copy()
    with pytest.raises(ConfigError) as e:
        t.set_weights(mutate(_weights(t)))
    assert e.value.field == field
    assert np.array_equal(t.network.params, params)


# -- trace --------------------------------------------------------------------------------------------
def _rest_loss(ref, params, acts, loss, layer, x, y, z=None, a=None):
    """Total data loss with layer ``layer``'s z (or a) replaced, from there on."""
    zs, outs = ref.ref_forward(params, acts, x)
    if z is not None:
        a_l = ref.ref_activation(acts[layer], z)
    else:
        a_l = a
    rest_params, rest_acts = params[layer + 1 :], acts[layer + 1 :]
    if rest_params:
        _, rest = ref.ref_forward(rest_params, rest_acts, a_l)
        a_l = rest[-1]
    return ref.ref_data_loss(loss, a_l, y)


@pytest.mark.parametrize(
    "cfg,loss",
    [({"dataset": "circle", "l2": 0.01, "l1": 0.01}, "bce"),
     ({"dataset": "spiral3", "activation": "sigmoid", "hidden_layers": [5, 3]}, "cross_entropy"),
     ({"dataset": "multigauss", "activation": "leaky_relu", "hidden_layers": [6]}, "mse")],
)
def test_trace_is_consistent_with_finite_differences(ref, cfg, loss):
    t = Trainer(cfg)
    t.step(40)
    data = t.data()
    x = np.array(data["test"]["x"][:4])
    y = np.array(data["test"]["y"][:4])
    before = (t.network.params.copy(), t.network.grads.copy(), t.snapshot(), t.history.series(),
              [layer.z.copy() for layer in t.network.layers], t.epoch)
    tr = t.trace(x.tolist(), y.tolist())
    after = (t.network.params, t.network.grads, t.snapshot(), t.history.series(),
             [layer.z for layer in t.network.layers], t.epoch)
    # nothing in the trainer changed
    assert np.array_equal(before[0], after[0]) and np.array_equal(before[1], after[1])
    assert before[2] == after[2] and before[3] == after[3] and before[5] == after[5]
    assert all(np.array_equal(u, v) for u, v in zip(before[4], after[4], strict=True))

    params, acts = ref.net_params(t.network), ref.net_acts(t.network)
    l1, l2 = t.config["l1"], t.config["l2"]
    zs, outs = ref.ref_forward(params, acts, x)
    assert np.array_equal(tr["input"], x)
    assert tr["data_loss"] == pytest.approx(ref.ref_data_loss(loss, outs[-1], y), rel=1e-12)
    assert tr["penalty"] == pytest.approx(ref.ref_penalty(params, l1, l2), rel=1e-12, abs=1e-300)
    assert tr["loss"] == pytest.approx(tr["data_loss"] + tr["penalty"], rel=1e-15)
    numeric = ref.ref_fd_gradient(params, acts, loss, x, y, l1, l2)
    eps = 1e-6
    for i, layer in enumerate(tr["layers"]):
        np.testing.assert_allclose(layer["z"], zs[i], rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(layer["a"], outs[i], rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(layer["dW"], numeric[i][0], rtol=1e-6, atol=1e-9)
        np.testing.assert_allclose(layer["db"], numeric[i][1], rtol=1e-6, atol=1e-9)
        dz = np.zeros_like(zs[i])
        da = np.zeros_like(zs[i])
        for idx in np.ndindex(zs[i].shape):
            for target, store in ((zs[i], dz), (outs[i], da)):
                up, down = target.copy(), target.copy()
                up[idx] += eps
                down[idx] -= eps
                kw_up = {"z": up} if target is zs[i] else {"a": up}
                kw_down = {"z": down} if target is zs[i] else {"a": down}
                store[idx] = (_rest_loss(ref, params, acts, loss, i, x, y, **kw_up)
                              - _rest_loss(ref, params, acts, loss, i, x, y, **kw_down)) / (2 * eps)
        np.testing.assert_allclose(layer["dL_dz"], dz, rtol=1e-6, atol=1e-9, err_msg=f"layer {i} dL_dz")
        np.testing.assert_allclose(layer["dL_da"], da, rtol=1e-5, atol=1e-9, err_msg=f"layer {i} dL_da")


def test_trace_validates_its_input():
    t = Trainer()
    with pytest.raises(ConfigError) as e:
        t.trace([[1.0, 2.0, 3.0]], [[1.0]])
    assert e.value.field == "x"
    with pytest.raises(ConfigError) as e:
        t.trace([], [])
    assert e.value.field == "x"
    with pytest.raises(ConfigError) as e:
        t.trace([[1.0, 2.0]], [[1.0, 0.0]])
    assert e.value.field == "y"
    with pytest.raises(ConfigError) as e:
        t.trace([[1.0, 2.0], [0.0, 0.0]], [[1.0]])
    assert e.value.field == "y"
    with pytest.raises(ConfigError) as e:
        t.trace([[float("nan"), 2.0]], [[1.0]])
    assert e.value.field == "x"


def test_trace_of_huge_inputs_is_finite():
    t = Trainer()
    t.set_weights([{"W": (np.array(w["W"]) * 100).tolist(), "b": w["b"]} for w in _weights(t)])
    tr = t.trace([[1e6, -1e6], [-1e6, 1e6]], [[1.0], [0.0]])
    for layer in tr["layers"]:
        for key in ("z", "a", "dL_da", "dL_dz", "dW", "db"):
            assert np.isfinite(layer[key]).all(), key


# -- snapshot and history ----------------------------------------------------------------------------------
def test_snapshot_shape_and_last_update_gradients(ref):
    t = Trainer()
    snap = t.snapshot()
    assert {"step", "epoch", "status", "loss", "accuracy", "layers"} <= set(snap)
    assert [layer["activation"] for layer in snap["layers"]] == ["tanh", "tanh", "sigmoid"]
    assert all(layer["dW"] is None and layer["db"] is None for layer in snap["layers"])
    assert t.grad_norms() == [None, None, None]
    pre = ref.net_params(t.network)
    t.step(1)
    rows = t.order[:10]
    x, y = t.x_train[rows], t.y_train[rows]
    numeric = ref.ref_fd_gradient(pre, ref.net_acts(t.network), "bce", x, y)
    snap = t.snapshot()
    for i, layer in enumerate(snap["layers"]):
        np.testing.assert_allclose(layer["dW"], numeric[i][0], rtol=1e-6, atol=1e-9)
        np.testing.assert_allclose(layer["db"], numeric[i][1], rtol=1e-6, atol=1e-9)
        assert np.linalg.norm(layer["dW"]) == pytest.approx(t.grad_norms()[i], rel=1e-12)
    json.dumps(snap, allow_nan=False)


def test_snapshot_loss_and_accuracy_against_references(ref):
    from sklearn.metrics import accuracy_score, log_loss, mean_squared_error

    t = Trainer({"l2": 0.01})
    t.step(200)
    snap = t.snapshot()
    p_train = t.network.predict(t.x_train)[:, 0]
    p_test = t.network.predict(t.x_test)[:, 0]
    penalty = 0.01 * sum(float((layer.W**2).sum()) for layer in t.network.layers)
    assert snap["accuracy"]["train"] == accuracy_score(t.labels_train, p_train > 0.5)
    assert snap["accuracy"]["test"] == accuracy_score(t.labels_test, p_test > 0.5)
    assert snap["loss"]["test"] == pytest.approx(log_loss(t.labels_test, p_test) + penalty, rel=1e-9)

    t3 = Trainer({"dataset": "spiral3"})
    t3.step(100)
    s3 = t3.snapshot()
    assert s3["accuracy"]["test"] == accuracy_score(t3.labels_test, t3.network.predict(t3.x_test).argmax(axis=1))
    assert s3["loss"]["train"] == pytest.approx(log_loss(t3.labels_train, t3.network.predict(t3.x_train)), rel=1e-9)

    tr = Trainer({"dataset": "plane"})
    tr.step(100)
    sr = tr.snapshot()
    assert sr["accuracy"] is None
    assert sr["loss"]["test"] == pytest.approx(mean_squared_error(tr.y_test, tr.network.predict(tr.x_test)), rel=1e-12)


def test_history_records_every_step(ref):
    t = Trainer({"batch_size": 10, "l2": 0.01})
    losses, norms = [], []
    for step in range(30):
        params = ref.net_params(t.network)
        t.step(1)
        start = 10 * (step % 25)
        rows = t.order[start : start + 10]
        x, y = t.x_train[rows], t.y_train[rows]
        losses.append(ref.ref_total_loss(params, ref.net_acts(t.network), "bce", x, y, 0.0, 0.01))
        norms.append([float(np.linalg.norm(layer.dW)) for layer in t.network.layers])
    s = t.history.series()
    assert s["step"] == list(range(1, 31))
    np.testing.assert_allclose(s["batch_loss"], losses, rtol=1e-12)
    for i in range(3):
        np.testing.assert_allclose(s["grad_norms"][i], [n[i] for n in norms], rtol=1e-12)
    # evaluations: at step 0 (construction) and whenever asked
    assert s["eval_step"] == [0]
    snap = t.snapshot()
    s = t.history.series()
    assert s["eval_step"] == [0, 30]
    assert s["train_loss"][-1] == snap["loss"]["train"] and s["test_accuracy"][-1] == snap["accuracy"]["test"]
    t.snapshot()
    assert t.history.series()["eval_step"] == [0, 30]  # cached: no second record at the same weights


def test_history_thinning_keeps_evenly_spaced_steps():
    """When a series is full it drops every other row and from then on keeps
    every second step: the steps it holds must stay evenly spaced (the kept
    rows are steps 1, 3, 5, ... but the newly recorded ones are the even steps,
    which puts two rows one step apart at every thinning)."""
    h = History(1, capacity=4)
    for step in range(1, 41):
        h.record_step(step, float(step), [np.array([1.0])])
    steps = h.series()["step"]
    assert len(steps) <= 8
    gaps = set(np.diff(steps).tolist())
    assert len(gaps) == 1, f"uneven steps {steps}"
    assert 40 - steps[-1] < gaps.pop()


def test_history_survives_a_long_run():
    t = Trainer()
    t.history = History(3, capacity=50)
    t.step(1000)
    s = t.history.series()
    assert 50 <= len(s["step"]) <= 100
    assert s["step"] == sorted(s["step"]) and s["step"][-1] >= 1000 - 32
    assert all(len(g) == len(s["step"]) for g in s["grad_norms"])


# -- grids --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("resolution", [2, 7, 50])
def test_grids_shapes_and_output_map(resolution):
    t = Trainer({"features": ["x1", "x2", "x1x2"], "hidden_layers": [5, 3]})
    t.step(50)
    grids = t.grids(resolution)
    R = resolution
    assert [g.shape for g in grids] == [(3, R, R), (5, R, R), (3, R, R), (1, R, R)]
    axis = np.linspace(-6, 6, R)
    # x1 runs along the columns, x2 along the rows
    np.testing.assert_array_equal(grids[0][0], np.tile(axis, (R, 1)))
    np.testing.assert_array_equal(grids[0][1], np.tile(axis[:, None], (1, R)))
    np.testing.assert_allclose(grids[0][2], grids[0][0] * grids[0][1], rtol=1e-15)
    x1, x2 = np.meshgrid(axis, axis)
    inputs = np.column_stack([x1.ravel(), x2.ravel(), (x1 * x2).ravel()])
    out = t.network.predict(inputs)
    np.testing.assert_array_equal(grids[-1][0], out[:, 0].reshape(R, R))
    for layer_grid, acts in zip(grids[1:], t.network.activations(inputs), strict=True):
        np.testing.assert_array_equal(layer_grid, acts.T.reshape(-1, R, R))
    # the grid follows the weights
    t.step(10)
    assert not np.array_equal(t.grids(resolution)[-1], grids[-1])


def test_grids_for_one_input_and_for_three_classes():
    t = Trainer({"dataset": "sine", "features": ["x1", "sin_x1"]})
    g = t.grids(11)
    assert [a.shape for a in g] == [(2, 11), (4, 11), (2, 11), (1, 11)]
    axis = np.linspace(-6, 6, 11)
    np.testing.assert_array_equal(g[0][0], axis)
    np.testing.assert_allclose(g[-1][0], t.network.predict(np.column_stack([axis, np.sin(axis)]))[:, 0], rtol=1e-15)
    t3 = Trainer({"dataset": "spiral3"})
    g3 = t3.grids(9)
    assert g3[-1].shape == (3, 9, 9)
    np.testing.assert_allclose(g3[-1].sum(axis=0), 1.0, rtol=1e-14)


def test_divergence_is_caught_on_steps_whose_loss_the_history_does_not_keep():
    # After 3000 updates the history keeps one step in two or more, so most steps skip the
    # loss's value: a blow-up must still stop training, with finite weights, at the update
    # whose full loss and gradient (computed independently below) are no longer finite.
    def trained() -> Trainer:
        t = Trainer({"dataset": "plane", "activation": "linear", "learning_rate": 0.01})
        t.step(3000)
        t.update_config({"learning_rate": 10})
        return t

    t = trained()
    assert t.history.steps.stride >= 2
    with np.errstate(all="ignore"):
        done = t.step(200)
    assert 0 < done < 200 and t.status == "diverged"
    assert np.isfinite(t.network.params).all()

    replay = trained()
    with np.errstate(all="ignore"):
        for k in range(done + 1):
            b = replay.peek_batch()
            probe = replay.network.copy()
            loss = probe.forward_backward(np.array(b["x"]), np.array(b["y"]))  # the loss computed every time
            finite = np.isfinite(loss) and np.isfinite(np.dot(probe.grads, probe.grads))
            assert finite == (k < done), k  # every update before the stop was finite, the stopping one was not
            if k < done:
                assert replay.step(1) == 1
    np.testing.assert_array_equal(replay.network.params, t.network.params)


# -- the last update's batch loss, on every step ----------------------------------------------------
@pytest.mark.parametrize("config", [{"optimizer": "adam", "l2": 0.01}, {"optimizer": "momentum", "l1": 0.003},
                                    {"dataset": "plane", "optimizer": "sgd"}])
def test_last_batch_loss_is_that_of_the_last_update_even_when_the_history_skips_it(config):
    t = Trainer({**config, "hidden_layers": [3]})
    assert t.last_batch_loss() is None
    t.step(5000)  # the history now keeps one step in several
    assert t.history.steps.stride > 1
    for _ in range(2 * t.history.steps.stride + 1):
        batch = t.peek_batch()
        expected = t.network.trace(np.array(batch["x"]), np.array(batch["y"]))["loss"]  # before the update
        t.step(1)
        assert t.last_batch_loss() == pytest.approx(expected, rel=1e-12, abs=1e-15)
    # the frame's batch_loss is it, rounded
    from app.frames import frame_message
    assert frame_message(t)["batch_loss"] == pytest.approx(t.last_batch_loss(), rel=1e-5)


def test_last_batch_loss_is_unknown_after_new_weights_or_a_load():
    t = Trainer()
    t.step(3)
    same = [{"W": layer.W.tolist(), "b": layer.b.tolist()} for layer in t.network.layers]
    t.set_weights(same)
    assert t.last_batch_loss() == t.history.steps.values()[-1, 1]  # step 3 is kept: its own value
    t.step(5000)
    while t.history.steps.values()[-1, 0] == t.step_count:
        t.step(1)
    assert t.last_batch_loss() is not None
    loaded = Trainer.from_state(_roundtrip(t.to_state()))
    assert loaded.last_batch_loss() is None  # the last pass is not part of a saved state
    t.set_weights([{"W": layer.W.tolist(), "b": layer.b.tolist()} for layer in t.network.layers])
    assert t.last_batch_loss() is None  # not the loss of these weights: unknown


def test_weights_that_overflow_the_loss_are_explained_and_blamed_for_the_divergence():
    t = Trainer()
    t.set_weights([{"W": np.full_like(layer.W, 1e308).tolist(), "b": layer.b.tolist()} for layer in t.network.layers])
    snap = t.snapshot()
    assert snap["status"] == "ok" and snap["loss"] == {"train": None, "test": None}
    assert "too large to represent" in snap["message"] and "training and test" in snap["message"]
    with np.errstate(all="ignore"):
        assert t.step(1) == 0
    assert t.status == "diverged" and "weights that were set" in t.message and "learning rate" not in t.message
    t.reset()
    assert "message" not in t.snapshot()


@pytest.mark.parametrize("batch", [7, 100])
def test_an_update_uses_the_rows_of_its_batch_with_the_textbook_first_layer(batch):
    """An update's first layer sees exactly the training rows of its batch (the
    epoch's shuffled copy, with and without its column of ones, stay aligned),
    and keeps z = x·Wᵀ + b of the weights before the update."""
    t = Trainer({"dataset": "spiral", "n_samples": 600, "hidden_layers": [64, 8], "batch_size": batch, "seed": 4})
    t.step(2)  # mid-epoch (300 training rows): the next batch starts at row 2·batch of this order
    first = t.network.layers[0]
    W, b = first.W.copy(), first.b.copy()
    start = t.position
    t.step(1)
    rows = t.order[start : start + batch]
    np.testing.assert_array_equal(first.a_in, t.x_train[rows])
    np.testing.assert_allclose(first.z, t.x_train[rows] @ W.T + b, rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("config", [{}, {"dataset": "sine"}, {"dataset": "spiral3"}, {"hidden_layers": [16] * 4,
                                                                                      "features": ["x1", "x2", "x1_sq"]}])
def test_output_map_is_the_last_of_the_grids(config):
    t = Trainer(config)
    t.step(5)
    for side in (7, 50):
        assert np.array_equal(t.output_map(side), t.grids(side)[-1])


# -- divergence: what the history and the norms say ----------------------------------------------------
def test_a_refused_update_stays_out_of_the_history_and_numbers_never_repeat():
    """The update divergence refuses was recorded as step N+1 while the session stayed at N;
    after new weights the next real update was recorded as N+1 again."""
    t = Trainer({"dataset": "plane", "learning_rate": 1.0})  # the learning-rate lesson
    with np.errstate(all="ignore"):
        t.step(5000)
    assert t.status == "diverged"
    n = t.step_count
    steps = t.history.series()["step"]
    assert steps[-1] == n  # the last update made, not the one refused
    t.set_weights([{"W": layer.W.tolist(), "b": layer.b.tolist()} for layer in Trainer({"dataset": "plane"}).network.layers])
    t.update_config({"learning_rate": 0.01})
    assert t.step(3) == 3 and t.status == "ok"
    steps = t.history.series()["step"]
    assert steps[-4:] == [n, n + 1, n + 2, n + 3]
    assert all(a < b for a, b in zip(steps, steps[1:], strict=False))


def test_the_gradient_norm_of_a_huge_but_finite_gradient_is_finite():
    """At divergence the output layer's ∂L/∂W held entries near 1e154, so the sum of squares
    overflowed and its norm was shown as none (—); Python's math.hypot (scaled) is the reference."""
    t = Trainer({"dataset": "plane", "learning_rate": 1.0})
    with np.errstate(all="ignore"):
        t.step(5000)
    assert t.status == "diverged"
    with np.errstate(over="ignore"):
        big = [layer.dW for layer in t.network.layers
               if np.isfinite(layer.dW).all() and not np.isfinite(np.dot(layer.dW.ravel(), layer.dW.ravel()))]
    assert big  # this run's refused update has one such layer (entries past 1e154)
    for norm, layer in zip(t.grad_norms(), t.network.layers, strict=True):
        if np.isfinite(layer.dW).all():
            assert norm == pytest.approx(math.hypot(*layer.dW.ravel()), rel=1e-12)
        else:
            assert norm is None


def test_a_diverged_sessions_message_follows_a_new_learning_rate():
    """After a divergence at η = 1 and the rate lowered to 0.1 (not yet reset), the message still
    said "(η = 1) is probably too large … lower it (try 0.1)": advice already taken."""
    t = Trainer({"dataset": "plane", "learning_rate": 1.0})
    t.step(2000)
    assert t.status == "diverged" and "(η = 1) is probably too large" in t.message and "try 0.1" in t.message
    n = t.step_count + 1
    assert not t.update_config({"learning_rate": 0.1})
    assert t.status == "diverged"
    assert f"diverged at update {n}" in t.message and "It ran with η = 1; the learning rate is now 0.1: press reset" in t.message
    assert "probably too large" not in t.message and t.snapshot()["message"] == t.message
    t.update_config({"learning_rate": 3.0})  # raised instead: lower it again
    assert "now larger (3): lower it (try 0.1)" in t.message
    t.update_config({"learning_rate": 1.0})  # back where it diverged: the first advice
    assert "(η = 1) is probably too large" in t.message
    t.reset()
    assert t.status == "ok" and t.message == ""


def test_the_generators_settings_do_not_reset_training_on_ones_own_points():
    """On one's own points, PATCH {"n_samples": 100, "noise": 0.5} answered reset: true and started
    again from step 0, though the points stayed the same: those settings are the generators'."""
    rng = np.random.default_rng(5)
    x = rng.uniform(-5, 5, size=(40, 2))
    y = (x[:, 0] * x[:, 1] > 0).astype(float)
    t = Trainer({"dataset": "custom", "task": "classification", "points": {"x": x.tolist(), "y": y.tolist()}})
    t.step(30)
    before = t.network.params.copy(), t.raw_train.copy()
    assert not t.update_config({"n_samples": 100, "noise": 0.5})
    assert t.step_count == 30 and np.array_equal(t.network.params, before[0]) and np.array_equal(t.raw_train, before[1])
    assert t.config["noise"] == 0.5  # kept, for when a generated data set is picked again
    assert t.update_config({"dataset": "xor"})  # which then rebuilds with them
    assert t.step_count == 0 and t.raw_train.shape[0] + t.raw_test.shape[0] == 100
    # on generated data they still rebuild and reset
    g = Trainer({"dataset": "circle"})
    g.step(5)
    assert g.update_config({"noise": 0.2}) and g.step_count == 0


def test_a_refused_update_takes_no_batch_so_the_epoch_counts_the_updates_made():
    """The update divergence refuses advanced the position over its batch: after 4 updates of 10 on
    50 training points the epoch read 1.00 (not 0.80), and an export's position was 50 (not 40)."""
    t = Trainer({"dataset": "plane", "hidden_layers": [8], "activation": "relu", "learning_rate": 10.0,
                 "n_samples": 100})
    with np.errstate(all="ignore"):
        t.step(100)
    assert t.status == "diverged" and t.n_train == 50
    made = t.step_count
    assert 0 < made < 5  # within the first epoch: this run refuses its fifth update or sooner
    assert t.position == made * 10 and t.to_state()["position"] == made * 10
    assert t.epoch == pytest.approx(made * 10 / 50)


def test_a_refused_update_that_would_begin_an_epoch_leaves_the_epoch_where_it_ended():
    t = Trainer({"dataset": "plane", "n_samples": 100, "batch_size": 10})
    assert t.step(5) == 5 and t.epoch == 1.0 and t.position == 50  # one whole epoch
    sane = [{"W": layer.W.tolist(), "b": layer.b.tolist()} for layer in t.network.layers]
    t.set_weights([{"W": (np.asarray(d["W"]) * 1e200).tolist(), "b": d["b"]} for d in sane])
    with np.errstate(all="ignore"):
        assert t.step(1) == 0
    assert t.status == "diverged" and t.step_count == 5
    assert t.epochs_done == 0 and t.position == 50 and t.epoch == 1.0
    t.set_weights(sane)  # training goes on from there: the next update is the second epoch's first
    assert t.step(1) == 1 and t.epoch == pytest.approx(1.2) and t.position == 10


def test_the_update_ratio_waits_for_an_update_after_new_weights():
    """After weights were typed in, ‖ΔW‖/‖W‖ divided the last update's ΔW (of the old weights) by
    the new ‖W‖: 0.00993 became 0.00222 with no update between."""
    t = Trainer({"dataset": "xor", "hidden_layers": [4], "learning_rate": 0.3})
    t.step(5)
    assert all(s["update_ratio"] is not None for s in t.evaluate()["layers"])
    t.set_weights([{"W": (layer.W * 2).tolist(), "b": layer.b.tolist()} for layer in t.network.layers])
    assert [s["update_ratio"] for s in t.evaluate()["layers"]] == [None, None]
    before = [layer.W.copy() for layer in t.network.layers]
    t.step(1)
    for s, layer, old in zip(t.evaluate()["layers"], t.network.layers, before, strict=True):
        assert s["update_ratio"] == pytest.approx(np.linalg.norm(layer.W - old) / np.linalg.norm(layer.W), rel=1e-9)
