"""Data sets, input features, and the train/test split.

Points live on the input plane ``[−6, 6]²`` (``[−6, 6]`` for one-input data),
as in TensorFlow Playground.  Every generator takes a seeded
``numpy.random.Generator``, a sample count and a noise level in ``[0, 1]``,
and returns ``(x, labels)`` with ``x`` of shape ``N × inputs``; labels are
integers ``0..k−1`` for classification and reals for regression.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

Array = np.ndarray

DOMAIN = 6.0  # the input plane is [−DOMAIN, DOMAIN] in every coordinate
MIN_POINTS = 10  # API.md: 10–5000 samples, the user's own points too
# Sessions saved before the limit above took custom data sets of 4 points or
# more: such points, kept from a saved session, still load and train.
SAVED_MIN_POINTS = 4
MAX_POINTS = 5000
MAX_CLASSES = 10


@dataclass(frozen=True)
class DatasetInfo:
    name: str
    task: str  # "classification" | "regression"
    inputs: int
    classes: int | None
    generate: Callable[[np.random.Generator, int, float], tuple[Array, Array]]
    description: str


def _split_counts(n: int, parts: int) -> list[int]:
    base = [n // parts] * parts
    for i in range(n % parts):
        base[i] += 1
    return base


def _circle(rng, n, noise):
    n_in, n_out = _split_counts(n, 2)
    r = np.concatenate([rng.uniform(0.0, 2.5, n_in), rng.uniform(3.5, 5.0, n_out)])
    t = rng.uniform(0.0, 2 * np.pi, n)
    x = np.column_stack([r * np.cos(t), r * np.sin(t)])
    x += rng.normal(0.0, 1.2 * noise, x.shape)
    labels = np.concatenate([np.ones(n_in), np.zeros(n_out)])
    return x, labels


def _xor(rng, n, noise):
    x = rng.uniform(-5.0, 5.0, (n, 2))
    x += np.where(x > 0, 0.3, -0.3)  # keep a small margin around the axes
    labels = (x[:, 0] * x[:, 1] > 0).astype(np.float64)
    x += rng.normal(0.0, 1.2 * noise, x.shape)
    return x, labels


def _gauss(rng, n, noise):
    n_pos, n_neg = _split_counts(n, 2)
    std = 0.8 + 1.6 * noise
    x = np.concatenate([rng.normal(2.0, std, (n_pos, 2)), rng.normal(-2.0, std, (n_neg, 2))])
    labels = np.concatenate([np.ones(n_pos), np.zeros(n_neg)])
    return x, labels


def _spiral_arms(rng, n, noise, arms):
    counts = _split_counts(n, arms)
    xs, labels = [], []
    for k, m in enumerate(counts):
        s = np.arange(m) / max(m, 1)
        r = 5.0 * s
        t = 1.75 * 2 * np.pi * s + 2 * np.pi * k / arms
        pts = np.column_stack([r * np.sin(t), r * np.cos(t)])
        pts += rng.normal(0.0, 0.8 * noise, pts.shape)
        xs.append(pts)
        labels.append(np.full(m, float(k)))
    return np.concatenate(xs), np.concatenate(labels)


def _spiral(rng, n, noise):
    x, labels = _spiral_arms(rng, n, noise, 2)
    return x, 1.0 - labels  # arm 0 is the positive class


def _spiral3(rng, n, noise):
    return _spiral_arms(rng, n, noise, 3)


def _moons(rng, n, noise):
    n_top, n_bottom = _split_counts(n, 2)
    t1 = rng.uniform(0.0, np.pi, n_top)
    t2 = rng.uniform(0.0, np.pi, n_bottom)
    top = np.column_stack([np.cos(t1), np.sin(t1)])
    bottom = np.column_stack([1.0 - np.cos(t2), 0.5 - np.sin(t2)])
    x = (np.concatenate([top, bottom]) - [0.5, 0.25]) * 3.2
    x += rng.normal(0.0, 0.8 * noise, x.shape)
    labels = np.concatenate([np.ones(n_top), np.zeros(n_bottom)])
    return x, labels


def _plane(rng, n, noise):
    x = rng.uniform(-DOMAIN, DOMAIN, (n, 2))
    y = (x[:, 0] + x[:, 1]) / (2 * DOMAIN)
    y += rng.normal(0.0, 0.3 * noise, n)
    return x, y


_BUMPS = np.array([[-4.0, 2.5, 1], [0.0, 2.5, -1], [4.0, 2.5, 1], [-4.0, -2.5, -1], [0.0, -2.5, 1], [4.0, -2.5, -1]])


def _multigauss(rng, n, noise):
    x = rng.uniform(-DOMAIN, DOMAIN, (n, 2))
    d2 = ((x[:, None, :] - _BUMPS[None, :, :2]) ** 2).sum(axis=2)
    y = (np.exp(-d2 / (2 * 1.6**2)) * _BUMPS[None, :, 2]).sum(axis=1)
    y += rng.normal(0.0, 0.3 * noise, n)
    return x, y


def _sine(rng, n, noise):
    x = rng.uniform(-DOMAIN, DOMAIN, (n, 1))
    y = np.sin(x[:, 0]) + rng.normal(0.0, 0.5 * noise, n)
    return x, y


DATASETS: dict[str, DatasetInfo] = {
    d.name: d
    for d in [
        DatasetInfo("circle", "classification", 2, 2, _circle, "a disc of one class inside a ring of the other"),
        DatasetInfo("xor", "classification", 2, 2, _xor, "the class is the sign of x1·x2"),
        DatasetInfo("gauss", "classification", 2, 2, _gauss, "two Gaussian clouds"),
        DatasetInfo("spiral", "classification", 2, 2, _spiral, "two interleaved spirals"),
        DatasetInfo("moons", "classification", 2, 2, _moons, "two interleaved half-moons"),
        DatasetInfo("spiral3", "classification", 2, 3, _spiral3, "three interleaved spirals"),
        DatasetInfo("plane", "regression", 2, None, _plane, "a tilted plane y = (x1 + x2) / 12"),
        DatasetInfo("multigauss", "regression", 2, None, _multigauss, "a landscape of Gaussian bumps and dips"),
        DatasetInfo("sine", "regression", 1, None, _sine, "one input: y = sin(x)"),
    ]
}


# -- input features -----------------------------------------------------
FEATURES: dict[str, tuple[int, Callable[[Array], Array]]] = {
    # name: (which raw input it needs, 1 or 2; the transform of the raw N × d array)
    "x1": (1, lambda r: r[:, 0]),
    "x2": (2, lambda r: r[:, 1]),
    "x1_sq": (1, lambda r: r[:, 0] ** 2),
    "x2_sq": (2, lambda r: r[:, 1] ** 2),
    "x1x2": (2, lambda r: r[:, 0] * r[:, 1]),
    "sin_x1": (1, lambda r: np.sin(r[:, 0])),
    "sin_x2": (2, lambda r: np.sin(r[:, 1])),
}
FEATURE_LABELS = {"x1": "x₁", "x2": "x₂", "x1_sq": "x₁²", "x2_sq": "x₂²", "x1x2": "x₁x₂", "sin_x1": "sin x₁", "sin_x2": "sin x₂"}


def check_features(features: list[str], inputs: int) -> None:
    if not features:
        raise ValueError("features: choose at least one input feature")
    if len(set(features)) != len(features):
        raise ValueError("features: each feature may appear once")
    for f in features:
        if f not in FEATURES:
            raise ValueError(f"features: unknown feature {f!r}; choose from {', '.join(FEATURES)}")
        if FEATURES[f][0] > inputs:
            raise ValueError(f"features: {f!r} needs a second input, but this data set has only x1")


def transform(raw: Array, features: list[str]) -> Array:
    """The network's input ``N × len(features)`` from raw points ``N × d``."""
    out = np.empty((raw.shape[0], len(features)))
    for j, f in enumerate(features):
        out[:, j] = FEATURES[f][1](raw)
    return out


# -- the user's own points ------------------------------------------------
def check_points(x, y, task: str, minimum: int = MIN_POINTS) -> tuple[Array, Array, int | None]:
    """Validate user points; return ``(x N×d, labels N, classes or None)``.

    ``minimum`` is lowered to ``SAVED_MIN_POINTS`` only for points that come
    from a saved session, never for points given now.

    Raises ``ValueError`` with a message naming ``points.x``/``points.y``.
    """
    try:
        xa = np.asarray(x, dtype=np.float64)
        ya = np.asarray(y, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError("points: x must be a list of rows of numbers and y a list of numbers") from None
    if xa.ndim != 2 or xa.shape[1] not in (1, 2):
        raise ValueError("points.x must be a list of rows with 1 or 2 numbers each (N × 2 or N × 1)")
    n = xa.shape[0]
    if ya.ndim != 1 or ya.shape[0] != n:
        raise ValueError(f"points.y must be a list of {n} numbers, one per row of points.x")
    if n < minimum or n > MAX_POINTS:
        raise ValueError(f"points: between {minimum} and {MAX_POINTS} points are needed (got {n})")
    if not (np.isfinite(xa).all() and np.isfinite(ya).all()):
        raise ValueError("points: every coordinate and target must be a finite number")
    if np.abs(xa).max() > DOMAIN:
        raise ValueError(f"points.x: coordinates must lie in [-{DOMAIN:g}, {DOMAIN:g}] (the input plane)")
    if task == "classification":
        if not np.all(ya == np.round(ya)) or ya.min() < 0:
            raise ValueError("points.y: classification labels must be whole numbers 0, 1, ..., k-1")
        classes = int(ya.max()) + 1
        if classes < 2 or classes > MAX_CLASSES:
            raise ValueError(f"points.y: classification needs between 2 and {MAX_CLASSES} classes")
        missing = sorted(set(range(classes)) - set(ya.astype(int).tolist()))
        if missing:
            raise ValueError(f"points.y: labels must be 0..{classes - 1} with every class present; missing {missing}")
        return xa, ya, classes
    if task == "regression":
        return xa, ya, None
    raise ValueError("task must be 'classification' or 'regression'")


def split(rng: np.random.Generator, n: int, train_fraction: float) -> tuple[Array, Array]:
    """Shuffled indices of the training and test sets (each non-empty)."""
    order = rng.permutation(n)
    n_train = min(max(int(round(n * train_fraction)), 1), n - 1)
    return order[:n_train], order[n_train:]


def targets(labels: Array, task: str, n_outputs: int) -> Array:
    """Targets as the network sees them: ``N × n_outputs`` (one-hot if > 1 class unit)."""
    if task == "classification" and n_outputs > 1:
        out = np.zeros((labels.shape[0], n_outputs))
        out[np.arange(labels.shape[0]), labels.astype(int)] = 1.0
        return out
    return labels.reshape(-1, 1).astype(np.float64)
