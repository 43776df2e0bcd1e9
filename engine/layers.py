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


def ones_vector(n: int) -> Array:
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
        self.size = n_out * n_in + n_out  # number of parameters (W and b)
        self.activation = get_activation(activation)
        self.W = np.zeros((n_out, n_in))
        self.b = np.zeros(n_out)
        self.dW = np.zeros((n_out, n_in))
        self.db = np.zeros(n_out)
        self._scratch()
        self.clear()

    def _scratch(self) -> None:
        # [Wᵀ; b] for an input that comes with a column of ones (see forward);
        # its first rows alone are a contiguous copy of Wᵀ
        self._Wb = np.empty((self.n_in + 1, self.n_out))
        self._Wt = self._Wb[: self.n_in]

    def clear(self) -> None:
        """Forget the last pass (e.g. after the weights were replaced)."""
        self.a_in: Array | None = None
        self.z: Array | None = None
        self.a: Array | None = None
        self.dL_da: Array | None = None
        self.dL_dz: Array | None = None
        self.has_grad = False

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
    def _affine(self, a_in: Array) -> Array:
        """``z = a_in · Wᵀ + b`` (a fresh array)."""
        # Method calls and ufuncs with ``out=`` throughout the passes: on these
        # small arrays ``ndarray.dot`` costs 0.2 µs less than ``np.dot`` or ``@``.
        if a_in.shape[0] * self.size >= _COPY_WT_ABOVE:
            # BLAS multiplies by a contiguous Wᵀ faster than by a transposed
            # view of W; the copy pays for itself on a big batch or grid.
            self._Wt[...] = self.W.T
            z = a_in.dot(self._Wt)
        else:
            z = a_in.dot(self.W.T)
        return np.add(z, self.b, out=z)

    def evaluate(self, a_in: Array) -> tuple[Array, Array]:
        z = self._affine(a_in)
        return z, self.activation.forward(z)

    def forward(self, a_in: Array, a_in_ones: Array | None = None) -> Array:
        """Compute and keep this pass's values; return ``a``.  ``a_in_ones``,
        if given, is ``a_in`` with a column of ones appended: one product
        ``[a_in, 1] · [Wᵀ; b]`` then adds the bias too, which is cheaper than
        adding it to every row after (the trainer gives it to the first layer)."""
        self.a_in = a_in
        if a_in_ones is None:
            z = self._affine(a_in)
        else:
            Wb = self._Wb
            Wb[:-1] = self.W.T
            Wb[-1] = self.b
            z = a_in_ones.dot(Wb)
        self.z = z
        self.a = a = self.activation.forward(z)
        return a

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
        dL_dz.T.dot(self.a_in, out=self.dW)  # ∂L/∂W = δᵀ · a_in
        ones_vector(dL_dz.shape[0]).dot(dL_dz, out=self.db)  # ∂L/∂b = Σ_samples δ (a BLAS sum: 3× np.sum's speed)
        self.has_grad = True
        return dL_dz.dot(self.W) if need_input_grad else None

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
