"""Loss functions exactly as API.md defines them, computed stably.

All losses are means over the ``N`` samples of a batch.  ``y_hat`` and ``y``
have shape ``N × k``.

* ``mse``: mean over all ``N·k`` elements of ``(y − ŷ)²``.
* ``bce``: one sigmoid unit, targets 0/1: mean of ``−(y log ŷ + (1−y) log(1−ŷ))``.
* ``cross_entropy``: softmax units, one-hot targets: mean of ``−Σ_k y_k log ŷ_k``.

``bce`` and ``cross_entropy`` are evaluated from the logits ``z`` of the output
layer (log-sum-exp form), so no finite input ever produces NaN or infinity.
Their gradient with respect to ``z`` is the famous ``(ŷ − y)/N``, which is
what backpropagation uses; ``∂L/∂ŷ`` is still reported for display, with ``ŷ``
clipped away from 0 and 1 so that it stays finite.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .layers import ones_vector

Array = np.ndarray

# ŷ is kept this far from 0 and 1 when ∂L/∂ŷ has to divide by it.
CLIP = 1e-15


@dataclass(frozen=True)
class Loss:
    """A data loss and its gradients.

    ``value(z, a, y)`` is the mean loss of the batch; ``dL_da(a, y)`` is
    ``∂L/∂ŷ`` (with the ``1/N`` of the mean); ``dL_dz(z, a, y)``, where the loss
    is paired with its own output activation (``fused_with``), is ``∂L/∂z``.
    """

    name: str
    fused_with: str | None
    formula: str

    def value(self, z: Array, a: Array, y: Array) -> float:
        if self.name == "mse":
            diff = a - y
            return float(np.vdot(diff, diff)) / diff.size
        if self.name == "bce":
            # −(y log σ(z) + (1−y) log(1−σ(z))) = log(1 + e^z) − y·z = max(z,0) − y·z + log(1 + e^(−|z|))
            if z.size <= 250:  # a mini-batch: logaddexp is one (scalar-looped) operation
                per = np.logaddexp(0.0, z)
                np.subtract(per, np.multiply(y, z), out=per)
                # summed as a BLAS product with ones: half the cost of np.sum on a batch
                return float(ones_vector(z.size).dot(per.ravel())) / z.shape[0]
            # a data set: more operations, but vectorised exp and log1p win
            per = np.maximum(z, 0.0) - y * z + np.log1p(np.exp(-np.abs(z)))
            return float(per.sum()) / z.shape[0]
        # cross_entropy: −Σ y_k log softmax(z)_k = logsumexp(z) − Σ y_k z_k (for one-hot y)
        zmax = z.max(axis=1, keepdims=True)
        lse = zmax[:, 0] + np.log(np.exp(z - zmax).sum(axis=1))
        return float((lse * y.sum(axis=1)).sum() - np.vdot(y, z)) / z.shape[0]

    def dL_da(self, a: Array, y: Array) -> Array:
        n = a.shape[0]
        if self.name == "mse":
            return (2.0 / a.size) * (a - y)
        c = np.clip(a, CLIP, 1.0 - CLIP)
        if self.name == "bce":
            return (c - y) / (c * (1.0 - c)) / n
        return -y / c / n

    def dL_dz(self, z: Array, a: Array, y: Array) -> Array:
        """``∂L/∂z`` of the fused output layer: ``(ŷ − y) / N``."""
        return (a - y) * (1.0 / a.shape[0])


LOSSES: dict[str, Loss] = {
    "mse": Loss("mse", None, "L = 1/(N·K) Σ_i Σ_k (y_ik − ŷ_ik)²  (K outputs; one output: 1/N Σ (y − ŷ)²)"),
    "bce": Loss("bce", "sigmoid", "L = −1/N Σ [y log ŷ + (1 − y) log(1 − ŷ)]"),
    "cross_entropy": Loss("cross_entropy", "softmax", "L = −1/N Σ_i Σ_k y_ik log ŷ_ik"),
}


def get_loss(name: str) -> Loss:
    try:
        return LOSSES[name]
    except KeyError:
        raise ValueError(f"unknown loss {name!r}; choose one of {', '.join(LOSSES)}") from None


def check_pairing(loss: str, output_activation: str, n_outputs: int) -> None:
    """Raise ``ValueError`` for a loss that means nothing with this output layer."""
    if loss == "bce" and (output_activation != "sigmoid" or n_outputs != 1):
        raise ValueError(
            "'bce' needs exactly one sigmoid output unit (two classes); "
            "use output_activation 'sigmoid' on two-class data, or loss 'cross_entropy'"
        )
    if loss == "cross_entropy" and output_activation != "softmax":
        raise ValueError(
            "'cross_entropy' needs a softmax output layer; "
            "set output_activation to 'softmax' (or use loss 'bce' with one sigmoid unit)"
        )
