"""A bounded record of training over time.

Per update: the step number, the mini-batch loss and each layer's squared
gradient norm.  Per evaluation (at least once per drawn frame): the step, the
train and test loss, and accuracy.  When a series reaches twice ``capacity``
entries, every other one is dropped and from then on only every second step
is kept, so a long run keeps its whole shape in bounded memory.
"""

from __future__ import annotations

import base64
import math
from typing import Any

import numpy as np

# The most a document may ask a series to hold before thinning (the engine uses 1000).
MAX_CAPACITY = 10_000


class Series:
    """Rows of floats recorded every ``stride`` steps, thinned when full."""

    def __init__(self, columns: int, capacity: int, by_step: bool = True) -> None:
        self.by_step = by_step  # rows are recorded at multiples of the stride
        self.columns = columns
        self.capacity = capacity
        self.rows = np.empty((2 * capacity, columns))
        self.length = 0
        self.stride = 1

    def wants(self, step: int) -> bool:
        return step % self.stride == 0

    def row_for(self, step: int) -> np.ndarray | None:
        """The next row, to be filled in place by the caller, or ``None`` when
        a thinning has just made the grid of kept steps too coarse for ``step``."""
        if self.length == self.rows.shape[0]:
            full = self.rows[: self.length]
            # Keep the rows of the doubled stride, so the spacing stays even.
            kept = full[full[:, 0] % (2 * self.stride) == 0] if self.by_step else full[::2]
            kept = kept.copy()
            self.length = kept.shape[0]
            self.rows[: self.length] = kept
            self.stride *= 2
            if self.by_step and step % self.stride:
                return None  # not on the new, coarser grid of steps
        row = self.rows[self.length]
        self.length += 1
        return row

    def append(self, row) -> None:
        slot = self.row_for(row[0])
        if slot is not None:
            slot[:] = row

    def values(self) -> np.ndarray:
        return self.rows[: self.length]

    def to_dict(self) -> dict[str, Any]:
        # Exact and compact: little-endian float64 bytes, base64 (NaN survives too).
        data = np.ascontiguousarray(self.values(), dtype="<f8").tobytes()
        return {"stride": self.stride, "columns": self.columns, "rows_b64": base64.b64encode(data).decode("ascii")}

    def load(self, d: dict[str, Any]) -> None:
        if "rows_b64" in d:
            rows = np.frombuffer(base64.b64decode(d["rows_b64"], validate=True), dtype="<f8").astype(np.float64)
        else:
            rows = np.array([[math.nan if v is None else v for v in r] for r in d["rows"]], dtype=np.float64)
        if rows.size % self.columns:
            raise ValueError(f"history rows must have {self.columns} columns")
        rows = rows.reshape(-1, self.columns)
        while rows.shape[0] > self.rows.shape[0]:
            rows = rows[::2]
        self.length = rows.shape[0]
        self.rows[: self.length] = rows
        stride = d.get("stride", 1)
        if isinstance(stride, bool) or not isinstance(stride, int) or stride < 1 or stride & (stride - 1):
            raise ValueError("history stride must be a power of two (1, 2, 4, …): it doubles as the history fills")
        self.stride = stride


def _plain(a: np.ndarray) -> list:
    out = a.tolist()
    if not np.isfinite(a).all():
        out = [[v if math.isfinite(v) else None for v in row] for row in out]
    return out


def _column(a: np.ndarray) -> list:
    return [v if math.isfinite(v) else None for v in a.tolist()]


class History:
    """Columns of ``steps``: step, batch loss, ‖∂L/∂W_l‖² per layer.
    Columns of ``evals``: step, train loss, test loss, train accuracy, test accuracy."""

    def __init__(self, n_layers: int, capacity: int = 1000) -> None:
        self.n_layers = n_layers
        self.steps = Series(2 + n_layers, capacity)
        self.evals = Series(5, capacity, by_step=False)

    def record_step(self, step: int, loss: float, weight_grads: list[np.ndarray]) -> None:
        """Record ``step`` if the series keeps it: its loss and the squared
        norm of each layer's ``∂L/∂W`` (flat arrays), written straight into
        the row (this runs on every update of a young session)."""
        if self.steps.wants(step) and (row := self.steps.row_for(step)) is not None:
            row[0] = step
            row[1] = loss
            k = 2
            for g in weight_grads:
                row[k] = g.dot(g)
                k += 1

    def record_eval(self, step: int, train: float, test: float, acc_train: float | None, acc_test: float | None) -> None:
        ev = self.evals
        if ev.length and ev.rows[ev.length - 1, 0] == step:
            ev.length -= 1  # re-evaluated at the same step (e.g. after new weights): replace
        nan = math.nan
        ev.append((step, train, test, nan if acc_train is None else acc_train, nan if acc_test is None else acc_test))

    def series(self) -> dict[str, Any]:
        """The public form: plain lists, norms (not squares), None for non-finite."""
        s = self.steps.values()
        e = self.evals.values()
        norms = np.sqrt(s[:, 2:])
        return {
            "step": s[:, 0].astype(int).tolist(),
            "batch_loss": _column(s[:, 1]),
            "grad_norms": [_column(norms[:, i]) for i in range(self.n_layers)],
            "eval_step": e[:, 0].astype(int).tolist(),
            "train_loss": _column(e[:, 1]),
            "test_loss": _column(e[:, 2]),
            "train_accuracy": _column(e[:, 3]),
            "test_accuracy": _column(e[:, 4]),
        }

    def to_dict(self) -> dict[str, Any]:
        return {"capacity": self.steps.capacity, "steps": self.steps.to_dict(), "evals": self.evals.to_dict()}

    @classmethod
    def from_dict(cls, n_layers: int, d: dict[str, Any]) -> History:
        capacity = d.get("capacity", 1000)
        # bounded: the rows are allocated up front, so a large capacity in a
        # document would be a large allocation per session
        if isinstance(capacity, bool) or not isinstance(capacity, int) or not 1 <= capacity <= MAX_CAPACITY:
            raise ValueError(f"history.capacity must be a whole number from 1 to {MAX_CAPACITY:,}")
        h = cls(n_layers, capacity)
        h.steps.load(d["steps"])
        h.evals.load(d["evals"])
        return h
