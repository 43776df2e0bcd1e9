"""A feed-forward network: layers, a loss, and an L1/L2 penalty.

All parameters live in one flat float64 buffer (and all gradients in
another); each layer's ``W``, ``b``, ``dW``, ``db`` are views into them.  The
optimizer then updates the whole network in a handful of vector operations,
while every layer still reads its own matrices by name.
"""

from __future__ import annotations

import copy
import math
from typing import Any

import numpy as np

from .layers import Dense, layer_from_dict
from .losses import check_pairing, get_loss

Array = np.ndarray


class Network:
    """Layers ``[Dense(n0→n1), ..., Dense(n_{L−1}→n_L)]`` trained on ``loss``.

    The total loss is ``data loss + l2·Σ‖W‖²_F + l1·Σ|W|₁`` (biases are not
    regularised) and every gradient it reports is the gradient of that total.
    """

    def __init__(self, layers: list, loss: str, l1: float = 0.0, l2: float = 0.0) -> None:
        if not layers:
            raise ValueError("a network needs at least one layer")
        self.layers = layers
        self.loss = get_loss(loss)
        out = layers[-1]
        check_pairing(loss, out.activation.name, out.n_out)
        self.fused = self.loss.fused_with == out.activation.name
        self.l1 = float(l1)
        self.l2 = float(l2)
        self._bind()
        self.data_loss = float("nan")
        self.penalty_value = 0.0
        self.y: Array | None = None

    def _bind(self) -> None:
        total = sum(layer.size for layer in self.layers)
        self.params = np.zeros(total)
        self.grads = np.zeros(total)
        self.offsets: list[int] = []
        start = 0
        for layer in self.layers:
            self.offsets.append(start)
            layer.bind(self.params[start : start + layer.size], self.grads[start : start + layer.size])
            start += layer.size
        # Where each layer's W sits in the flat buffers (biases excluded), and
        # each ∂L/∂W as a flat view of the gradient buffer.
        self._weight_slices = [
            slice(start, start + layer.n_out * layer.n_in)
            for layer, start in zip(self.layers, self.offsets, strict=True)
        ]
        self.weight_grads = [self.grads[s] for s in self._weight_slices]

    @property
    def sizes(self) -> list[int]:
        return [self.layers[0].n_in] + [layer.n_out for layer in self.layers]

    # -- the passes ----------------------------------------------------
    def predict(self, x: Array) -> Array:
        """Output activations for ``x`` (``N × n0``), keeping nothing."""
        a = x
        for layer in self.layers:
            a = layer.evaluate(a)[1]
        return a

    def activations(self, x: Array) -> list[Array]:
        """Every layer's activation for ``x``, keeping nothing."""
        out = []
        a = x
        for layer in self.layers:
            a = layer.evaluate(a)[1]
            out.append(a)
        return out

    def penalty(self, params: Array | None = None) -> float:
        """``l2·Σ‖W‖²_F + l1·Σ|W|₁`` over the weight matrices (biases excluded),
        of the current parameters or of a flat vector ``params`` laid out alike."""
        value = 0.0
        params = self.params if params is None else params
        for s in self._weight_slices if (self.l1 or self.l2) else ():
            w = params[s]  # a view: no copy
            if self.l2:
                value += self.l2 * float(np.dot(w, w))
            if self.l1:
                value += self.l1 * float(np.abs(w).sum())
        return value

    def forward_backward(self, x: Array, y: Array, with_loss: bool = True, x_ones: Array | None = None) -> float:
        """One forward and one backward pass on a batch; returns the total loss.

        Fills every layer's kept values and gradients, and ``self.grads``
        (including the penalty's gradient). ``with_loss=False`` skips the
        loss's value (NaN is returned), which the gradients do not need:
        ``last_loss()`` computes it afterwards if wanted.  ``x_ones``, if
        given, is ``x`` with a column of ones appended (see ``Dense.forward``).
        """
        layers = self.layers
        a = layers[0].forward(x, x_ones)
        for layer in layers[1:]:
            a = layer.forward(a)
        out = layers[-1]
        self.y = y
        if with_loss:
            total = self.last_loss()  # the weights do not change during the backward pass
        else:
            total = self.data_loss = self.penalty_value = math.nan
        deep = len(layers) > 1  # whether the output layer passes a gradient on
        if self.fused:
            grad = out.backward(None, self.loss.dL_dz(out.z, a, y), deep)
            out.dL_da = None  # computed on demand: see output_dL_da()
        else:
            grad = out.backward(self.loss.dL_da(a, y), None, deep)
        for i in range(len(layers) - 2, -1, -1):
            grad = layers[i].backward(grad, None, i > 0)
        for layer in self.layers if (self.l1 or self.l2) else ():
            layer.dW += self.penalty_gradient(layer.W)  # biases excluded
        return total

    def penalty_gradient(self, W: Array) -> Array:
        """∂(l2·‖W‖² + l1·|W|₁)/∂W = 2·l2·W + l1·sign(W), for one weight matrix."""
        g = (2.0 * self.l2) * W
        if self.l1:
            g += self.l1 * np.sign(W)
        return g

    def last_loss(self, params: Array | None = None) -> float:
        """The total loss of the last pass, its penalty that of the current
        parameters (no update since) or of the flat vector ``params``."""
        out = self.layers[-1]
        self.data_loss = self.loss.value(out.z, out.a, self.y)
        self.penalty_value = self.penalty(params)
        return self.data_loss + self.penalty_value

    def output_dL_da(self) -> Array | None:
        """``∂L/∂ŷ`` of the last pass (fused losses skip it on the hot path)."""
        out = self.layers[-1]
        if out.dL_da is None and out.a is not None and self.y is not None:
            out.dL_da = self.loss.dL_da(out.a, self.y)
        return out.dL_da

    def grad_sq_norms(self) -> Array:
        """Squared Frobenius norm of each layer's ∂L/∂W."""
        with np.errstate(over="ignore", invalid="ignore"):  # a diverged update reports inf, quietly
            return np.array([g.dot(g) for g in self.weight_grads])

    def trace(self, x: Array, y: Array) -> dict[str, Any]:
        """One forward and backward pass on a copy: nothing here changes."""
        scratch = self.copy()
        loss = scratch.forward_backward(x, y)
        scratch.output_dL_da()
        return {
            "loss": loss,
            "data_loss": scratch.data_loss,
            "penalty": scratch.penalty_value,
            "input": x,
            "layers": [
                {
                    # the parameters this pass ran with (the scratch copy's own: nothing shares them)
                    "W": layer.W,
                    "b": layer.b,
                    "z": layer.z,
                    "a": layer.a,
                    "dL_da": layer.dL_da,
                    "dL_dz": layer.dL_dz,
                    # ∂a/∂z element by element (softmax: the Jacobian's diagonal)
                    "da_dz": layer.activation.derivative(layer.z, layer.a),
                    "dW": layer.dW.copy(),
                    "db": layer.db.copy(),
                    # the part of dW that is the penalty's (only when there is one)
                    **({"dW_penalty": scratch.penalty_gradient(layer.W)} if (self.l1 or self.l2) else {}),
                }
                for layer in scratch.layers
            ],
        }

    def copy(self) -> Network:
        twin = copy.copy(self)
        twin.layers = [copy.copy(layer) for layer in self.layers]
        twin._bind_copy(self)
        return twin

    def _bind_copy(self, source: Network) -> None:
        self.params = source.params.copy()
        self.grads = source.grads.copy()
        for layer, start in zip(self.layers, self.offsets, strict=True):
            k = layer.n_out * layer.n_in
            end = start + layer.size
            layer.W = self.params[start : start + k].reshape(layer.n_out, layer.n_in)
            layer.b = self.params[start + k : end]
            layer.dW = self.grads[start : start + k].reshape(layer.n_out, layer.n_in)
            layer.db = self.grads[start + k : end]
            layer._scratch()  # its own scratch, not the source's
        self.weight_grads = [self.grads[s] for s in self._weight_slices]

    # -- documents -----------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {
            "loss": self.loss.name,
            "l1": self.l1,
            "l2": self.l2,
            "layers": [layer.to_dict() for layer in self.layers],
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Network:
        return cls([layer_from_dict(x) for x in d["layers"]], d["loss"], d.get("l1", 0.0), d.get("l2", 0.0))


def build_dense(sizes: list[int], activations: list[str], loss: str, l1: float = 0.0, l2: float = 0.0) -> Network:
    """A dense network with layer sizes ``[n0, ..., nL]`` and one activation per
    weight layer (``len(activations) == len(sizes) − 1``)."""
    if len(activations) != len(sizes) - 1:
        raise ValueError("one activation per weight layer is needed")
    layers = [Dense(sizes[i], sizes[i + 1], activations[i]) for i in range(len(sizes) - 1)]
    return Network(layers, loss, l1, l2)
