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
     "layers": [{"W": Floats n_l × n_{l−1}, "b": Floats n_l, "dW": Floats | null, "db": Floats | null}],
     "neurons": {"resolution": r (24; down to 8 for wide layers), "maps": [[Map per neuron] per weight layer]},
     "output": {"resolution": R, "maps": [Map per output unit]}}

A ``Map`` is a heat-map quantised to bytes: ``{"lo": float, "hi": float,
"data": base64 of R·R (or R for one-input data) unsigned bytes}``; value ≈
``lo + byte / 255 · (hi − lo)``, row-major with x2 along rows (from −6 up to
6) and x1 along columns.  A ``Floats`` is an array packed as bytes (see
``pack``): ``{"shape": [rows, cols] or [n], "dtype": "f4" | "f8", "data":
base64 of little-endian IEEE floats, row-major}`` — float32 (7 significant
digits) unless a value lies outside float32's normal range, then exact
float64; NaN and ±Infinity can occur in them.  A 10 × 128 network's weights
and gradients are 330,000 numbers: as JSON they took 80 ms to encode and
3.3 MB.  Exact values are one REST call away (``GET /api/sessions/{id}``,
``trace``).
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


def neuron_resolution(sizes: list[int]) -> int:
    """The side of each hidden neuron's map in a frame: 24, fewer for wide
    layers, whose neurons the diagram draws a few pixels tall (128 of them at
    8 × 8 instead of 24 × 24: 0.1 MB of maps a frame instead of 1 MB)."""
    widest = max(sizes[1:-1], default=1)
    return max(8, min(NEURON_RESOLUTION, round(NEURON_RESOLUTION * NEURON_RESOLUTION / widest)))
FIXED_RANGES = {"tanh": (-1.0, 1.0), "sigmoid": (0.0, 1.0), "softmax": (0.0, 1.0)}


def quantise(values: np.ndarray, lo: float | None = None, hi: float | None = None) -> dict[str, Any]:
    """A float array as ``{"lo", "hi", "data": base64 bytes}``."""
    return quantise_stack(values[None], lo, hi)[0]


def quantise_stack(stack: np.ndarray, lo: float | None = None, hi: float | None = None) -> list[dict[str, Any]]:
    """``quantise`` of every ``stack[i]``, in a few array operations for all
    of them: each map gets its own range unless ``lo`` and ``hi`` are given."""
    n = stack.shape[0]
    v = stack.reshape(n, -1)
    if not np.isfinite(v).all():
        v = np.nan_to_num(v, nan=0.0, posinf=1e300, neginf=-1e300)
    if lo is not None and hi is not None:  # a fixed range (tanh, sigmoid, softmax): scalars will do
        los, spans = [float(lo)] * n, [float(hi) - float(lo)] * n
        q = (v - los[0]) * (255.0 / spans[0])
    else:
        low = v.min(axis=1)
        span = v.max(axis=1) - low  # finite: the values are within ±1e300
        flat = span <= 0
        scale = 255.0 / np.where(flat, 1.0, span)
        scale[flat] = 0.0
        q = (v - low[:, None]) * scale[:, None]
        los, spans = low.tolist(), np.where(flat, 0.0, span).tolist()
    np.clip(q, 0, 255, out=q)
    q = np.rint(q, out=q).astype(np.uint8)
    return [
        {"lo": _round(a), "hi": _round(a + w), "data": base64.b64encode(q[i].tobytes()).decode("ascii")}
        for i, (a, w) in enumerate(zip(los, spans, strict=True))
    ]


def _round(v: float) -> float | None:
    if not math.isfinite(v):
        return None
    return float(f"{v:.6g}")


# float32's normal range: inside it (or zero) a value keeps 7 significant
# digits in four bytes; a matrix with anything outside goes as exact float64
_F4_TINY, _F4_HUGE = float(np.finfo(np.float32).tiny), float(np.finfo(np.float32).max)


def pack(a: np.ndarray) -> dict[str, Any]:
    """A float array as ``{"shape", "dtype": "f4" | "f8", "data": base64 of
    little-endian bytes, row-major}``: a tenth of the time of JSON numbers to
    build and to parse, and under half their length in float32.  Non-finite
    values stay as they are (NaN and ±Infinity are bytes here, not JSON)."""
    a = np.asarray(a, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        mag = np.abs(a[np.isfinite(a)])
        single = not mag.size or (mag.max() <= _F4_HUGE and not ((mag < _F4_TINY) & (mag > 0)).any())
    data = np.ascontiguousarray(a, dtype="<f4" if single else "<f8").tobytes()
    return {"shape": list(a.shape), "dtype": "f4" if single else "f8", "data": base64.b64encode(data).decode("ascii")}


def _maps(stack: np.ndarray, activation: str) -> list[dict[str, Any]]:
    lo, hi = FIXED_RANGES.get(activation, (None, None))
    return quantise_stack(stack, lo, hi)


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


def _layers(layers: list) -> list[dict[str, Any]]:
    out = []
    for layer in layers:
        grad = layer.has_grad
        out.append({"W": pack(layer.W), "b": pack(layer.b),
                    "dW": pack(layer.dW) if grad else None, "db": pack(layer.db) if grad else None})
    return out


def frame_message(trainer: Trainer) -> dict[str, Any]:
    """Everything the page redraws after an update (see the module docstring)."""
    ev = trainer.evaluate()
    net = trainer.network
    resolution = neuron_resolution(net.sizes)
    neuron_grids = trainer.grids(resolution)[1:]
    output_grid = trainer.output_map(OUTPUT_RESOLUTION)
    batch_loss = trainer.last_batch_loss()
    out_act = net.layers[-1].activation.name
    frame = {
        "type": "frame",
        "step": trainer.step_count,
        "epoch": trainer.epoch,
        "status": trainer.status,
        "loss": ev["loss"],
        "accuracy": ev["accuracy"],
        "batch_loss": None if batch_loss is None else _round(batch_loss),
        "grad_norms": [None if v is None else _round(v) for v in trainer.grad_norms()],
        "insights": ev["insights"],
        "stats": [{k: None if v is None else _round(v) for k, v in layer.items()} for layer in ev["layers"]],
        "layers": _layers(net.layers),
        "neurons": {
            "resolution": resolution,
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
