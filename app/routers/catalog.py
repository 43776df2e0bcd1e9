"""``/api/health`` and ``/api/catalog``: what the server offers."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request, Response

from engine.activations import ACTIVATIONS, HIDDEN_ACTIVATIONS
from engine.config import MAX_HIDDEN_LAYERS, MAX_NEURONS, PROPERTIES, resolve_config
from engine.data import DATASETS, FEATURE_LABELS, FEATURES
from engine.init import INITIALIZERS
from engine.lessons import LESSONS
from engine.losses import LOSSES
from engine.optimizers import OPTIMIZERS

from .. import __version__, jsonbody
from ..errors import QUERY_REFUSED, refuse_query
from ..models import Catalog, Health

router = APIRouter(prefix="/api", tags=["catalog"])

# Each lesson with its whole setup ("setup"): its own values and the engine's
# defaults for the rest (features, loss and output as its data set has them),
# which the page sends when a lesson is set up in a session that had others.
PRESETS: list[dict[str, Any]] = [{**lesson, "setup": resolve_config(lesson["config"])} for lesson in LESSONS]


# (no refuse_query here: uptime checkers add cache-busting parameters to a health check)
@router.get("/health", response_model=Health, summary="Is the server up?")
async def health() -> dict[str, str]:
    return {"status": "ok", "version": __version__}


@router.get("/catalog", response_model=Catalog, dependencies=[Depends(refuse_query)], responses=QUERY_REFUSED,
            summary="Data sets, activations, losses, optimizers, features, presets, limits")
async def catalog(request: Request) -> Response:
    """The model documents the answer; the answer is sent as it is made (see jsonbody)."""
    s = request.app.state.settings
    return await jsonbody.answer({
        "datasets": [
            {"name": d.name, "task": d.task, "inputs": d.inputs, "classes": d.classes, "description": d.description}
            for d in DATASETS.values()
        ],
        "activations": [{"name": a.name, "formula": a.formula, "hidden": a.name in HIDDEN_ACTIVATIONS}
                        for a in ACTIVATIONS.values()],
        "losses": [{"name": loss.name, "formula": loss.formula, "output_activation": loss.fused_with}
                   for loss in LOSSES.values()],
        "optimizers": list(OPTIMIZERS),
        "inits": list(INITIALIZERS),
        "features": [{"name": f, "label": FEATURE_LABELS[f], "needs_inputs": FEATURES[f][0]} for f in FEATURES],
        "presets": PRESETS,
        "config": [
            {"name": p.name, "type": p.type, "default": p.default, "group": p.group, "live": p.live,
             "choices": list(p.choices) if p.choices else None, "minimum": p.minimum, "maximum": p.maximum,
             # an open end: the bound itself is refused (learning_rate > 0, momentum < 1)
             "exclusive_minimum": p.exclusive_minimum, "exclusive_maximum": p.exclusive_maximum,
             "help": p.help}
            for p in PROPERTIES
        ],
        "limits": {
            "hidden_layers": [0, MAX_HIDDEN_LAYERS], "neurons": [1, MAX_NEURONS], "n_samples": [10, 5000],
            "noise": [0, 1], "train_fraction": [0.1, 0.9], "learning_rate": [0, 10],
            "steps_per_request": [1, s.max_steps_per_request], "trace_rows": [1, s.max_trace_rows],
            "steps_per_frame": [1, s.max_steps_per_frame], "max_sessions": s.max_sessions,
        },
    })
