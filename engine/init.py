"""Weight initialisation schemes, all drawn from a seeded generator.

Biases start at zero in every scheme.

* ``xavier``: Glorot uniform, W ~ U(−r, r) with r = √(6 / (n_in + n_out)).
* ``he``: W ~ N(0, 2 / n_in), suited to ReLU layers.
* ``uniform``: W ~ U(−0.5, 0.5), as TensorFlow Playground starts.
* ``zeros``: every weight 0 — a lesson: hidden units then stay identical.
"""

from __future__ import annotations

import numpy as np

Array = np.ndarray


def _xavier(rng: np.random.Generator, n_out: int, n_in: int) -> Array:
    r = np.sqrt(6.0 / (n_in + n_out))
    return rng.uniform(-r, r, size=(n_out, n_in))


def xavier_norm(n_out: int, n_in: int) -> float:
    """The expected Frobenius norm of a ``xavier`` layer: each weight's variance
    r²/3 = 2 / (n_in + n_out), over n_out·n_in weights."""
    return float(np.sqrt(2.0 * n_in * n_out / (n_in + n_out)))


def _he(rng: np.random.Generator, n_out: int, n_in: int) -> Array:
    return rng.normal(0.0, np.sqrt(2.0 / n_in), size=(n_out, n_in))


def _uniform(rng: np.random.Generator, n_out: int, n_in: int) -> Array:
    return rng.uniform(-0.5, 0.5, size=(n_out, n_in))


def _zeros(rng: np.random.Generator, n_out: int, n_in: int) -> Array:
    return np.zeros((n_out, n_in))


INITIALIZERS = {"xavier": _xavier, "he": _he, "uniform": _uniform, "zeros": _zeros}


def initialize(network, scheme: str, rng: np.random.Generator) -> None:
    """Fill every layer's W from ``scheme`` and set every bias to 0."""
    try:
        draw = INITIALIZERS[scheme]
    except KeyError:
        raise ValueError(f"unknown init {scheme!r}; choose one of {', '.join(INITIALIZERS)}") from None
    for layer in network.layers:
        layer.W[...] = draw(rng, layer.n_out, layer.n_in)
        layer.b[...] = 0.0
        layer.clear()
    network.grads[...] = 0.0
