"""Activation functions, each with its derivative beside it.

Every activation maps a pre-activation ``z`` (shape ``N × n``) to an
activation ``a = f(z)`` of the same shape, and knows how to carry a gradient
back: given ``∂L/∂a`` it returns ``∂L/∂z``.  Element-wise activations do that
with their derivative ``f'(z)``; softmax mixes the units of one sample, so it
multiplies by its Jacobian instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

Array = np.ndarray

LEAKY_SLOPE = 0.01


@dataclass(frozen=True)
class Activation:
    """One activation function ``a = f(z)`` and its derivative.

    ``forward(z)`` returns ``a``.  ``derivative(z, a)`` returns ``∂a/∂z``
    element by element (for softmax, the diagonal of its Jacobian, which is
    what a single chain-rule factor shows).  ``backward(z, a, dL_da)``
    returns ``∂L/∂z``.
    """

    name: str
    forward: Callable[[Array], Array]
    derivative: Callable[[Array, Array], Array]
    backward: Callable[[Array, Array, Array], Array]
    elementwise: bool = True
    formula: str = ""


def _elementwise(name: str, forward, derivative, formula: str) -> Activation:
    def backward(z: Array, a: Array, dL_da: Array) -> Array:
        d = derivative(z, a)  # a fresh array for every activation here: scaled in place
        np.multiply(d, dL_da, out=d)
        return d

    return Activation(name, forward, derivative, backward, True, formula)


def _sigmoid(z: Array) -> Array:
    # No inf or NaN for any finite z, and both tails keep their relative
    # precision (to a few ulp; σ(−40) ≈ 4.2e−18, not 0), two ways:
    if z.size <= 250:
        # σ(z) = exp(−log(1 + e^(−z))), the logarithm by logaddexp, which never
        # overflows: three array operations, the fastest on a mini-batch
        return np.exp(-np.logaddexp(0.0, -z))
    # with e = exp(−|z|) ≤ 1: σ(z) = 1/(1+e) for z ≥ 0 and e/(1+e) for z < 0;
    # more operations, but vectorised exp beats logaddexp on a grid or a data set
    e = np.exp(-np.abs(z))
    r = 1.0 / (1.0 + e)
    return np.where(z >= 0, r, e * r)


def _tanh_derivative(z: Array, a: Array) -> Array:
    d = np.square(a)
    return np.subtract(1.0, d, out=d)  # 1 − a², in one fresh array


def _sigmoid_derivative(z: Array, a: Array) -> Array:
    d = np.subtract(1.0, a)
    return np.multiply(d, a, out=d)  # a (1 − a), in one fresh array


def _softmax(z: Array) -> Array:
    shifted = z - z.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=1, keepdims=True)


def _softmax_backward(z: Array, a: Array, dL_da: Array) -> Array:
    # Jacobian-vector product: ∂L/∂z_j = a_j (∂L/∂a_j − Σ_k a_k ∂L/∂a_k)
    return a * (dL_da - (dL_da * a).sum(axis=1, keepdims=True))


ACTIVATIONS: dict[str, Activation] = {
    "sigmoid": _elementwise(
        "sigmoid", _sigmoid, _sigmoid_derivative, "σ(z) = 1 / (1 + e^(−z))"
    ),
    "tanh": _elementwise("tanh", np.tanh, _tanh_derivative, "tanh(z)"),
    "relu": _elementwise(
        "relu",
        lambda z: np.maximum(z, 0.0),
        lambda z, a: (z > 0).astype(np.float64),
        "max(0, z)",
    ),
    "leaky_relu": _elementwise(
        "leaky_relu",
        lambda z: np.where(z > 0, z, LEAKY_SLOPE * z),
        lambda z, a: np.where(z > 0, 1.0, LEAKY_SLOPE),
        f"z if z > 0 else {LEAKY_SLOPE}·z",
    ),
    "linear": _elementwise("linear", lambda z: z.copy(), lambda z, a: np.ones_like(z), "z"),
    "softmax": Activation(
        "softmax",
        _softmax,
        lambda z, a: a * (1.0 - a),
        _softmax_backward,
        False,
        "e^(z_j) / Σ_k e^(z_k)",
    ),
}

HIDDEN_ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "linear")
# The largest slope ∂a/∂z of the activations that flatten out on both sides
# (at z = 0): a unit is saturated where its slope is a small share of this.
PEAK_SLOPE = {"tanh": 1.0, "sigmoid": 0.25}
OUTPUT_ACTIVATIONS = tuple(ACTIVATIONS)


def get_activation(name: str) -> Activation:
    try:
        return ACTIVATIONS[name]
    except KeyError:
        raise ValueError(
            f"unknown activation {name!r}; choose one of {', '.join(ACTIVATIONS)}"
        ) from None
