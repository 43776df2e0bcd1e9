"""Layers: the units a network is stacked from.

Every layer family speaks the same small interface (ConvNetJS's idea), so a
convolutional or recurrent layer can join later without touching the trainer:

* ``forward(a_in) -> a``: compute and *keep* this pass's values;
* ``backward(dL_da=None, dL_dz=None, need_input_grad=True) -> dL_da_in``:
  compute and keep the gradients;
* ``evaluate(a_in) -> (z, a)``: the same forward arithmetic, keeping nothing
  (used for grids and held-out data);
* ``parameters()``: ``[(name, value, gradient), ...]`` side by side;
* ``bind(values, grads)``: take storage (views of one flat buffer) for them;
* ``to_dict()`` / ``from_dict(d)``: a plain, JSON-ready description.

The values of the last pass stay readable as attributes, with the textbook's
names: ``a_in`` (the activation coming in), ``z`` (pre-activation), ``a``
(activation), ``dL_da``, ``dL_dz`` (the delta), ``dW``, ``db``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .activations import get_activation

Array = np.ndarray


# Above this many multiply-adds (batch rows × layer size) a forward pass
# copies Wᵀ into a contiguous buffer first (measured: 2500×(2→4) is 2.3× faster).
_COPY_WT_ABOVE = 10_000

_ONES = np.ones(0)


def _ones(n: int) -> Array:
    """A read-only vector of ``n`` ones (a batch is summed as a product with it)."""
    global _ONES
    ones = _ONES  # one read: another thread may swap in a longer vector meanwhile
    if ones.shape[0] < n:
        ones = np.ones(max(n, 2 * ones.shape[0]))
        ones.flags.writeable = False
        _ONES = ones
    return ones[:n]


class Dense:
    """A fully connected layer: ``z = W·a_in + b``, ``a = f(z)``.

    ``W`` has shape ``(n_out, n_in)`` and ``b`` shape ``(n_out,)`` as in the
    textbook; batches are rows, so for ``a_in`` of shape ``N × n_in`` the layer
    computes ``z = a_in · Wᵀ + b`` of shape ``N × n_out``.
    """

    kind = "dense"

    def __init__(self, n_in: int, n_out: int, activation: str) -> None:
        self.n_in = n_in
        self.n_out = n_out
        self.activation = get_activation(activation)
        self.W = np.zeros((n_out, n_in))
        self.b = np.zeros(n_out)
        self.dW = np.zeros((n_out, n_in))
        self.db = np.zeros(n_out)
        self._Wt = np.empty((n_in, n_out))  # scratch: a contiguous copy of Wᵀ
        self.clear()

    def clear(self) -> None:
        """Forget the last pass (e.g. after the weights were replaced)."""
        self.a_in: Array | None = None
        self.z: Array | None = None
        self.a: Array | None = None
        self.dL_da: Array | None = None
        self.dL_dz: Array | None = None
        self.has_grad = False

    @property
    def size(self) -> int:
        return self.n_out * self.n_in + self.n_out

    # -- storage -------------------------------------------------------
    def parameters(self) -> list[tuple[str, Array, Array]]:
        return [("W", self.W, self.dW), ("b", self.b, self.db)]

    def bind(self, values: Array, grads: Array) -> None:
        """Move W, b, dW, db into the given flat slices (length ``size``)."""
        k = self.n_out * self.n_in
        values[:k] = self.W.ravel()
        values[k:] = self.b
        grads[:k] = self.dW.ravel()
        grads[k:] = self.db
        self.W = values[:k].reshape(self.n_out, self.n_in)
        self.b = values[k:]
        self.dW = grads[:k].reshape(self.n_out, self.n_in)
        self.db = grads[k:]

    # -- passes --------------------------------------------------------
    def evaluate(self, a_in: Array) -> tuple[Array, Array]:
        if a_in.shape[0] * self.size >= _COPY_WT_ABOVE:
            # BLAS multiplies by a contiguous Wᵀ faster than by a transposed
            # view of W; the copy pays for itself on a big batch or grid.
            np.copyto(self._Wt, self.W.T)
            z = a_in @ self._Wt
        else:
            z = np.dot(a_in, self.W.T)  # np.dot: less overhead than @ on small matrices
        z += self.b
        return z, self.activation.forward(z)

    def forward(self, a_in: Array) -> Array:
        self.a_in = a_in
        self.z, self.a = self.evaluate(a_in)
        return self.a

    def backward(
        self,
        dL_da: Array | None = None,
        dL_dz: Array | None = None,
        need_input_grad: bool = True,
    ) -> Array | None:
        """Given ``∂L/∂a`` (or directly ``∂L/∂z``), fill ``dW``, ``db`` and
        return ``∂L/∂a_in = ∂L/∂z · W``."""
        if dL_dz is None:
            dL_dz = self.activation.backward(self.z, self.a, dL_da)
        self.dL_da = dL_da
        self.dL_dz = dL_dz
        np.dot(dL_dz.T, self.a_in, out=self.dW)  # ∂L/∂W = δᵀ · a_in
        np.dot(_ones(dL_dz.shape[0]), dL_dz, out=self.db)  # ∂L/∂b = Σ_samples δ (a BLAS sum: 3× np.sum's speed)
        self.has_grad = True
        return np.dot(dL_dz, self.W) if need_input_grad else None

    # -- plain documents ------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "activation": self.activation.name,
            "W": self.W.tolist(),
            "b": self.b.tolist(),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Dense:
        W = np.asarray(d["W"], dtype=np.float64)
        b = np.asarray(d["b"], dtype=np.float64)
        if W.ndim != 2 or b.shape != (W.shape[0],):
            raise ValueError("a dense layer needs W of shape (n_out, n_in) and b of shape (n_out,)")
        layer = cls(W.shape[1], W.shape[0], d["activation"])
        layer.W[...] = W
        layer.b[...] = b
        return layer


LAYER_KINDS: dict[str, type] = {"dense": Dense}


def layer_from_dict(d: dict[str, Any]):
    try:
        kind = LAYER_KINDS[d.get("kind", "dense")]
    except KeyError:
        raise ValueError(f"unknown layer kind {d.get('kind')!r}") from None
    return kind.from_dict(d)
