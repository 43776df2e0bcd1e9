"""Data sets, feature transforms, custom points and the train/test split."""

from __future__ import annotations

import numpy as np
import pytest

from engine import DATASETS, FEATURES, ConfigError, Trainer
from engine.data import check_features, check_points, split, targets, transform

EXPECTED = {
    # name: (task, raw inputs, classes)
    "circle": ("classification", 2, 2),
    "xor": ("classification", 2, 2),
    "gauss": ("classification", 2, 2),
    "spiral": ("classification", 2, 2),
    "moons": ("classification", 2, 2),
    "spiral3": ("classification", 2, 3),
    "plane": ("regression", 2, None),
    "multigauss": ("regression", 2, None),
    "sine": ("regression", 1, None),
}


def _gen(name, n=300, noise=0.0, seed=0):
    return DATASETS[name].generate(np.random.default_rng(seed), n, noise)


def test_catalogue():
    assert set(DATASETS) == set(EXPECTED)
    for name, (task, inputs, classes) in EXPECTED.items():
        info = DATASETS[name]
        assert (info.task, info.inputs, info.classes) == (task, inputs, classes), name
        assert info.description
    assert set(FEATURES) == {"x1", "x2", "x1_sq", "x2_sq", "x1x2", "sin_x1", "sin_x2"}


@pytest.mark.parametrize("name", list(EXPECTED))
@pytest.mark.parametrize("n", [10, 301, 500])
def test_shapes_and_labels(name, n):
    task, inputs, classes = EXPECTED[name]
    x, labels = _gen(name, n)
    assert x.shape == (n, inputs) and x.dtype == np.float64
    assert labels.shape == (n,)
    assert np.isfinite(x).all() and np.isfinite(labels).all()
    assert np.abs(x).max() <= 6.0
    if task == "classification":
        assert set(np.unique(labels).tolist()) == set(range(classes))
        if name != "xor":  # every other classification set is balanced exactly
            counts = np.bincount(labels.astype(int))
            assert counts.max() - counts.min() <= 1
    else:
        assert len(np.unique(labels)) > n // 2  # real-valued targets


@pytest.mark.parametrize("name", list(EXPECTED))
def test_reproducible_and_seed_dependent(name):
    x0, l0 = _gen(name, seed=3, noise=0.2)
    x1, l1 = _gen(name, seed=3, noise=0.2)
    assert np.array_equal(x0, x1) and np.array_equal(l0, l1)
    x2, _ = _gen(name, seed=4, noise=0.2)
    assert not np.array_equal(x0, x2)


@pytest.mark.parametrize("name", list(EXPECTED))
def test_trainer_data_reproducible_and_seed_dependent(name):
    a = Trainer({"dataset": name, "seed": 7, "n_samples": 200}).data()
    b = Trainer({"dataset": name, "seed": 7, "n_samples": 200}).data()
    c = Trainer({"dataset": name, "seed": 8, "n_samples": 200}).data()
    assert a == b
    assert a["train"]["x"] != c["train"]["x"]
    task, inputs, classes = EXPECTED[name]
    n_out = 3 if classes == 3 else 1
    for part, size in (("train", 100), ("test", 100)):
        assert np.asarray(a[part]["x"]).shape == (size, inputs)
        assert np.asarray(a[part]["y"]).shape == (size, n_out)


@pytest.mark.parametrize("name", list(EXPECTED))
def test_noise_blurs_the_data(name):
    """Noise moves the points of a classification set, and the targets of a
    regression set (whose inputs stay where they were)."""
    clean, clean_y = _gen(name, seed=1, noise=0.0)
    noisy, noisy_y = _gen(name, seed=1, noise=0.5)
    if EXPECTED[name][0] == "classification":
        assert not np.allclose(clean, noisy)
    else:
        assert np.array_equal(clean, noisy)
        assert 0.01 < np.std(noisy_y - clean_y) < 0.5


# -- what each data set is ---------------------------------------------------------
def test_circle_geometry():
    x, labels = _gen("circle", 400)
    r = np.hypot(x[:, 0], x[:, 1])
    assert (r[labels == 1] <= 2.5).all()
    assert ((r[labels == 0] >= 3.5) & (r[labels == 0] <= 5.0)).all()
    assert (labels == 1).sum() == 200


def test_xor_geometry():
    x, labels = _gen("xor", 400)
    np.testing.assert_array_equal(labels, (np.sign(x[:, 0]) == np.sign(x[:, 1])).astype(float))
    assert np.abs(x).min() >= 0.3 and np.abs(x).max() <= 5.3


def test_gauss_geometry():
    x, labels = _gen("gauss", 2000)
    np.testing.assert_allclose(x[labels == 1].mean(axis=0), [2.0, 2.0], atol=0.1)
    np.testing.assert_allclose(x[labels == 0].mean(axis=0), [-2.0, -2.0], atol=0.1)
    np.testing.assert_allclose(x[labels == 1].std(axis=0), [0.8, 0.8], atol=0.06)


@pytest.mark.parametrize("name,arms", [("spiral", 2), ("spiral3", 3)])
def test_spiral_geometry(name, arms):
    n = 300
    x, labels = _gen(name, n)
    m = n // arms
    s = np.arange(m) / m
    for k in range(arms):
        label = (1 - k) if name == "spiral" else k  # two-class spiral: arm 0 is the positive class
        theta = 3.5 * np.pi * s + 2 * np.pi * k / arms
        expected = np.column_stack([5 * s * np.sin(theta), 5 * s * np.cos(theta)])
        pts = x[labels == label]
        np.testing.assert_allclose(pts, expected, atol=1e-12)


def test_moons_geometry():
    x, labels = _gen("moons", 400)
    p = x / 3.2 + [0.5, 0.25]
    top, bottom = p[labels == 1], p[labels == 0] - [1.0, 0.5]
    np.testing.assert_allclose(np.hypot(top[:, 0], top[:, 1]), 1.0, atol=1e-12)
    np.testing.assert_allclose(np.hypot(bottom[:, 0], bottom[:, 1]), 1.0, atol=1e-12)
    assert (top[:, 1] >= -1e-12).all() and (bottom[:, 1] <= 1e-12).all()


def test_plane_values():
    x, y = _gen("plane", 500)
    np.testing.assert_allclose(y, (x[:, 0] + x[:, 1]) / 12.0, rtol=1e-15, atol=1e-16)
    assert np.abs(y).max() <= 1.0


def test_multigauss_values():
    x, y = _gen("multigauss", 200)
    bumps = [(-4.0, 2.5, 1), (0.0, 2.5, -1), (4.0, 2.5, 1), (-4.0, -2.5, -1), (0.0, -2.5, 1), (4.0, -2.5, -1)]
    expected = np.zeros(200)
    for cx, cy, sign in bumps:
        expected += sign * np.exp(-((x[:, 0] - cx) ** 2 + (x[:, 1] - cy) ** 2) / (2 * 1.6**2))
    np.testing.assert_allclose(y, expected, rtol=1e-12, atol=1e-15)


def test_sine_values():
    x, y = _gen("sine", 200)
    assert x.shape == (200, 1)
    np.testing.assert_allclose(y, np.sin(x[:, 0]), rtol=1e-15)


# -- features ------------------------------------------------------------------------
ALL_FEATURES = ["x1", "x2", "x1_sq", "x2_sq", "x1x2", "sin_x1", "sin_x2"]


def test_transform_values():
    raw = np.array([[1.0, 2.0], [-3.0, 0.5], [0.0, -6.0]])
    out = transform(raw, ALL_FEATURES)
    expected = np.array([[a, b, a * a, b * b, a * b, np.sin(a), np.sin(b)] for a, b in raw])
    np.testing.assert_allclose(out, expected, rtol=1e-15)
    np.testing.assert_array_equal(transform(raw, ["x1x2", "x1"]), np.column_stack([raw[:, 0] * raw[:, 1], raw[:, 0]]))


def test_trainer_applies_features():
    t = Trainer({"dataset": "circle", "features": ALL_FEATURES})
    raw = t.raw_train
    a, b = raw[:, 0], raw[:, 1]
    expected = np.column_stack([a, b, a**2, b**2, a * b, np.sin(a), np.sin(b)])
    np.testing.assert_allclose(t.x_train, expected, rtol=1e-15)
    np.testing.assert_allclose(np.asarray(t.data()["train"]["x"]), expected, rtol=1e-15)
    assert t.network.layers[0].n_in == 7


def test_sine_default_features_and_one_input():
    t = Trainer({"dataset": "sine"})
    assert t.config["features"] == ["x1"]
    t2 = Trainer({"dataset": "sine", "features": ["x1", "x1_sq", "sin_x1"]})
    raw = t2.raw_train[:, 0]
    np.testing.assert_allclose(t2.x_train, np.column_stack([raw, raw**2, np.sin(raw)]), rtol=1e-15)


@pytest.mark.parametrize(
    "features,inputs,needle",
    [([], 2, "at least one"), (["x1", "x1"], 2, "once"), (["x3"], 2, "unknown feature 'x3'"),
     (["x2"], 1, "second input"), (["x1x2"], 1, "second input"), (["sin_x2"], 1, "second input")],
)
def test_check_features_errors(features, inputs, needle):
    with pytest.raises(ValueError, match=needle) as e:
        check_features(features, inputs)
    assert "features" in str(e.value)


def test_feature_errors_in_config():
    with pytest.raises(ConfigError) as e:
        Trainer({"dataset": "sine", "features": ["x1", "x2"]})
    assert e.value.field == "features"


# -- targets and split ------------------------------------------------------------------
def test_targets():
    labels = np.array([0.0, 2.0, 1.0])
    np.testing.assert_array_equal(targets(labels, "classification", 3), np.eye(3)[[0, 2, 1]])
    np.testing.assert_array_equal(targets(np.array([1.0, 0.0]), "classification", 1), [[1.0], [0.0]])
    np.testing.assert_array_equal(targets(np.array([0.5, -2.0]), "regression", 1), [[0.5], [-2.0]])


@pytest.mark.parametrize("n,fraction,n_train", [(500, 0.5, 250), (101, 0.3, 30), (10, 0.1, 1), (10, 0.9, 9), (11, 0.5, 6)])
def test_split_sizes_and_disjoint(n, fraction, n_train):
    train, test = split(np.random.default_rng(0), n, fraction)
    assert len(train) == n_train and len(test) == n - n_train
    assert sorted(np.concatenate([train, test]).tolist()) == list(range(n))


def test_trainer_split_respects_labels():
    t = Trainer({"dataset": "circle", "n_samples": 301, "train_fraction": 0.3})
    assert t.x_train.shape == (90, 2) and t.x_test.shape == (211, 2)
    for raw, y in ((t.raw_train, t.y_train), (t.raw_test, t.y_test)):
        r = np.hypot(raw[:, 0], raw[:, 1])
        np.testing.assert_array_equal(y[:, 0], (r <= 2.5).astype(float))
    both = np.concatenate([t.raw_train, t.raw_test])
    assert len(np.unique(both, axis=0)) == 301


# -- custom points ---------------------------------------------------------------------------
def _points(n=8, k=2, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-5, 5, (n, 2))
    y = np.arange(n) % k
    return x.tolist(), y.tolist()


def test_custom_classification_points():
    x, y = _points(12, 3)
    t = Trainer({"dataset": "custom", "task": "classification", "points": {"x": x, "y": y}, "batch_size": 2})
    assert (t.task, t.classes) == ("classification", 3)
    assert (t.config["loss"], t.config["output_activation"]) == ("cross_entropy", "softmax")
    assert t.y_train.shape == (6, 3) and (t.y_train.sum(axis=1) == 1).all()
    both = np.concatenate([t.raw_train, t.raw_test])
    assert sorted(map(tuple, both.tolist())) == sorted(map(tuple, x))


def test_custom_regression_points():
    x = [[0.5 * i] for i in range(10)]
    y = [0.5, -1.0, 2.25, 0.0, 1.5, 3.0, -2.5, 0.25, 1.0, -0.75]
    t = Trainer({"dataset": "custom", "task": "regression", "points": {"x": x, "y": y}, "batch_size": 1})
    assert t.config["loss"] == "mse" and t.config["output_activation"] == "linear"
    assert t.config["features"] == ["x1"]
    got = sorted(zip(np.concatenate([t.raw_train, t.raw_test])[:, 0].tolist(),
                     np.concatenate([t.labels_train, t.labels_test]).tolist(), strict=True))
    assert got == sorted(zip([r[0] for r in x], y, strict=True))


BAD_POINTS = [  # ten points each (API.md's fewest samples) unless the count is what is wrong
    pytest.param([[1, 2, 3]] * 10, [0, 1] * 5, "classification", "points.x", id="three-columns"),
    pytest.param(list(range(1, 11)), [0, 1] * 5, "classification", "points.x", id="flat-x"),
    pytest.param([[1, 2]] * 10, [0, 1] * 4, "classification", "points.y", id="y-too-short"),
    pytest.param([[1, 2]] * 9, [0, 1] * 4 + [0], "classification", "between 10 and 5000", id="too-few"),
    pytest.param([[1, 2]] * 9 + [[float("nan"), 0]], [0, 1] * 5, "classification", "finite", id="nan-x"),
    pytest.param([[1, 2]] * 10, [0, 1] * 4 + [0, float("inf")], "regression", "finite", id="inf-y"),
    pytest.param([[1, 2]] * 9 + [[7, 0]], [0, 1] * 5, "classification", r"\[-6, 6\]", id="outside-plane"),
    pytest.param([[1, 2]] * 10, [0, 2] * 5, "classification", r"missing \[1\]", id="label-gap"),
    pytest.param([[1, 2]] * 10, [0, 1, -1, 1, 0] * 2, "classification", "whole numbers 0, 1", id="negative"),
    pytest.param([[1, 2]] * 10, [0, 1, 0.5, 1, 0] * 2, "classification", "whole numbers 0, 1", id="fraction"),
    pytest.param([[1, 2]] * 10, [0] * 10, "classification", "between 2 and 10 classes", id="one-class"),
    pytest.param([[1, 2]] * 10, ["a", "b"] * 5, "classification", "list of numbers", id="strings"),
]


@pytest.mark.parametrize("x,y,task,needle", BAD_POINTS)
def test_check_points_errors(x, y, task, needle):
    with pytest.raises(ValueError, match=needle) as e:
        check_points(x, y, task)
    assert "points" in str(e.value)


@pytest.mark.parametrize("x,y,task,needle", BAD_POINTS)
def test_custom_points_errors_are_config_errors(x, y, task, needle):
    with pytest.raises(ConfigError, match=needle) as e:
        Trainer({"dataset": "custom", "task": task, "points": {"x": x, "y": y}, "batch_size": 1})
    assert e.value.field == "points"


def test_custom_needs_points_and_task():
    with pytest.raises(ConfigError) as e:
        Trainer({"dataset": "custom", "task": "classification"})
    assert e.value.field == "points"
    x, y = _points()
    with pytest.raises(ConfigError) as e:
        Trainer({"dataset": "custom", "points": {"x": x, "y": y}, "batch_size": 1})
    assert e.value.field == "task"
    with pytest.raises(ConfigError) as e:
        Trainer({"dataset": "custom", "task": "classification", "points": {"x": x}, "batch_size": 1})
    assert e.value.field == "points"
    with pytest.raises(ConfigError) as e:
        Trainer({"dataset": "custom", "task": "clustering", "points": {"x": x, "y": y}, "batch_size": 1})
    assert e.value.field == "task"
