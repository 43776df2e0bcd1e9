"""What the live socket sends: compact frames and the data message.

Two server → client messages carry the picture (besides ``error``):

``{"type": "data", ...}`` — sent on connect and whenever the data or the
network's shape changes (reset, structural PATCH, import).  Everything that
does not change from one update to the next:

    {"type": "data", "config": SessionConfig, "sizes": [n0, ..., nL],
     "task": "classification" | "regression", "classes": k | null,
     "inputs": 1 | 2, "features": ["x1", ...], "domain": 6.0,
     "train": {"x": raw N×d points, "label": N}, "test": {...},
     "input_maps": {"resolution": R, "maps": [Map, ...]}}   # one per input feature

``{"type": "frame", ...}`` — one per drawn frame, small:

    {"type": "frame", "step": int, "epoch": float, "status": "ok" | "diverged",
     "message": str (when diverged), "loss": {"train", "test"}, "accuracy": {...} | null,
     "batch_loss": float | null, "grad_norms": [‖∂L/∂W_l‖ per layer] (null before the first update),
     "stats": [{"dead", "saturated", "grad_norm", "update_ratio"} per weight layer],
     "insights": [{"id", "severity", "panel", "title", "text"}]  (plain-language diagnoses),
     "layers": [{"W": n_l × n_{l−1}, "b": n_l, "dW": ... | null, "db": ... | null}],
     "neurons": {"resolution": r, "maps": [[Map per neuron] per weight layer]},
     "output": {"resolution": R, "maps": [Map per output unit]}}

A ``Map`` is a heat-map quantised to bytes: ``{"lo": float, "hi": float,
"data": base64 of R·R (or R for one-input data) unsigned bytes}``; value ≈
``lo + byte / 255 · (hi − lo)``, row-major with x2 along rows (from −6 up to
6) and x1 along columns.  Numbers in ``layers`` keep 6 significant digits;
exact values are one REST call away (``GET /api/sessions/{id}``, ``trace``).
"""

from __future__ import annotations

import base64
import json
import math
from typing import Any

import numpy as np

from engine.data import DOMAIN
from engine.trainer import Trainer

NEURON_RESOLUTION = 24
OUTPUT_RESOLUTION = 50
FIXED_RANGES = {"tanh": (-1.0, 1.0), "sigmoid": (0.0, 1.0), "softmax": (0.0, 1.0)}


def quantise(values: np.ndarray, lo: float | None = None, hi: float | None = None) -> dict[str, Any]:
    """A float array as ``{"lo", "hi", "data": base64 bytes}``."""
    v = values if np.isfinite(values).all() else np.nan_to_num(values, nan=0.0, posinf=1e300, neginf=-1e300)
    if lo is None or hi is None:
        lo, hi = float(v.min()), float(v.max())
    span = hi - lo
    if not math.isfinite(span) or span <= 0:
        q = np.zeros(v.shape, dtype=np.uint8)
        span = 0.0
    else:
        q = np.clip((v - lo) * (255.0 / span), 0, 255).round().astype(np.uint8)
    return {"lo": _round(lo), "hi": _round(lo + span), "data": base64.b64encode(q.tobytes()).decode("ascii")}


def _round(v: float) -> float | None:
    if not math.isfinite(v):
        return None
    return float(f"{v:.6g}")


def _rounded(a: np.ndarray | None) -> list | None:
    if a is None:
        return None
    flat = [_round(v) for v in a.ravel().tolist()]
    if a.ndim == 1:
        return flat
    cols = a.shape[1]
    return [flat[i : i + cols] for i in range(0, len(flat), cols)]


def _maps(stack: np.ndarray, activation: str) -> list[dict[str, Any]]:
    lo, hi = FIXED_RANGES.get(activation, (None, None))
    return [quantise(m, lo, hi) for m in stack]


def data_message(trainer: Trainer) -> dict[str, Any]:
    grids = trainer.grids(NEURON_RESOLUTION)
    return {
        "type": "data",
        "config": trainer.config,
        "sizes": trainer.network.sizes,
        "task": trainer.task,
        "classes": trainer.classes,
        "inputs": trainer.inputs,
        "features": trainer.config["features"],
        "domain": DOMAIN,
        "train": {"x": trainer.raw_train.tolist(), "label": trainer.labels_train.tolist()},
        "test": {"x": trainer.raw_test.tolist(), "label": trainer.labels_test.tolist()},
        "input_maps": {"resolution": NEURON_RESOLUTION, "maps": _maps(grids[0], "")},
    }


def frame_message(trainer: Trainer) -> dict[str, Any]:
    """Everything the page redraws after an update (see the module docstring)."""
    ev = trainer.evaluate()
    net = trainer.network
    neuron_grids = trainer.grids(NEURON_RESOLUTION)[1:]
    output_grid = trainer.grids(OUTPUT_RESOLUTION)[-1]
    last = trainer.history.steps
    batch_loss = None
    if last.length and trainer.step_count:
        v = float(last.rows[last.length - 1, 1])
        batch_loss = _round(v)
    out_act = net.layers[-1].activation.name
    frame = {
        "type": "frame",
        "step": trainer.step_count,
        "epoch": trainer.epoch,
        "status": trainer.status,
        "loss": ev["loss"],
        "accuracy": ev["accuracy"],
        "batch_loss": batch_loss,
        "grad_norms": [None if v is None else _round(v) for v in trainer.grad_norms()],
        "insights": ev["insights"],
        "stats": [{k: None if v is None else _round(v) for k, v in layer.items()} for layer in ev["layers"]],
        "layers": [
            {
                "W": _rounded(layer.W),
                "b": _rounded(layer.b),
                "dW": _rounded(layer.dW) if layer.has_grad else None,
                "db": _rounded(layer.db) if layer.has_grad else None,
            }
            for layer in net.layers
        ],
        "neurons": {
            "resolution": NEURON_RESOLUTION,
            "maps": [_maps(g, layer.activation.name) for g, layer in zip(neuron_grids, net.layers, strict=True)],
        },
        "output": {"resolution": OUTPUT_RESOLUTION, "maps": _maps(output_grid, out_act)},
    }
    if trainer.status != "ok":
        frame["message"] = trainer.message
    return frame


def encode(message: dict[str, Any]) -> str:
    """JSON text; never NaN or Infinity (they would be a protocol error)."""
    return json.dumps(message, separators=(",", ":"), allow_nan=False)
