"""Finite-difference gradient checking.

The derivative of the total loss ``L`` with respect to one weight is
estimated by the central difference ``(L(w + ε) − L(w − ε)) / 2ε``, whose error
shrinks like ``ε²``.  The page shows this estimate next to the
backpropagated value, so a student can see that the chain rule is right.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .network import Network

Array = np.ndarray


def _total_loss(net: Network, x: Array, y: Array) -> float:
    z = a = x
    for layer in net.layers:
        z, a = layer.evaluate(a)
    return net.loss.value(z, a, y) + net.penalty()


def numeric_gradient(net: Network, x: Array, y: Array, layer: int, param: str, index: tuple[int, ...],
                     epsilon: float = 1e-6) -> float:
    """Central-difference estimate of ∂L/∂(param[index]) of weight layer
    ``layer`` (0-based) on the batch ``(x, y)``.  The network is left exactly
    as it was."""
    target = getattr(net.layers[layer], param)
    original = float(target[index])
    try:
        target[index] = original + epsilon
        up = _total_loss(net, x, y)
        target[index] = original - epsilon
        down = _total_loss(net, x, y)
    finally:
        target[index] = original
    return (up - down) / (2.0 * epsilon)


def relative_error(a: float, b: float) -> float:
    """|a − b| / max(|a|, |b|, 1e-12): 0 when they agree, ~1 when unrelated."""
    return abs(a - b) / max(abs(a), abs(b), 1e-12)


def check_gradients(net: Network, x: Array, y: Array, epsilon: float = 1e-6) -> dict[str, Any]:
    """Compare every backpropagated ∂L/∂W and ∂L/∂b with its finite-difference
    estimate.  Returns the largest relative error and, per layer, the numeric
    gradients (``dW``, ``db``) next to the analytic ones."""
    scratch = net.copy()
    scratch.forward_backward(x, y)
    worst = 0.0
    layers = []
    for i, layer in enumerate(scratch.layers):
        entry = {}
        for name, value, grad in layer.parameters():
            numeric = np.zeros_like(value)
            for idx in np.ndindex(value.shape):
                numeric[idx] = numeric_gradient(scratch, x, y, i, name, idx, epsilon)
                worst = max(worst, relative_error(float(grad[idx]), float(numeric[idx])))
            entry["d" + name] = numeric
            entry["analytic_d" + name] = grad.copy()
        layers.append(entry)
    return {"max_relative_error": worst, "layers": layers}
