"""The whole configuration of a session, as one declarative table.

Each property has a name, a type, a default, its allowed values or range, the
group it belongs to, and whether it applies *live* (a hyper-parameter: the
next update uses it) or is *structural* (the network or the data must be
rebuilt).  The service builds its schema from it, and the page serialises it
into the share link.  ``resolve_config`` validates a partial dictionary once,
at the edge, and returns the full configuration.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .activations import HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS
from .data import DATASETS, FEATURES, MIN_POINTS, SAVED_MIN_POINTS, check_features, check_points
from .init import INITIALIZERS
from .losses import LOSSES, check_pairing
from .optimizers import OPTIMIZERS

MAX_HIDDEN_LAYERS = 10
MAX_NEURONS = 128
MAX_SEED = 2**32 - 1
MAX_REGULARIZATION = 10.0


class ConfigError(ValueError):
    """A configuration value is not allowed; ``field`` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Property:
    name: str
    type: str  # "str" | "int" | "float" | "list[str]" | "list[int]" | "activation" | "points"
    default: Any
    group: str  # "data" | "network" | "training"
    live: bool
    choices: tuple[str, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: bool = False
    exclusive_maximum: bool = False
    help: str = ""


PROPERTIES: tuple[Property, ...] = (
    Property("dataset", "str", "circle", "data", False, tuple(DATASETS) + ("custom",),
             help="which points to learn; 'custom' takes your own points"),
    Property("n_samples", "int", 500, "data", False, minimum=10, maximum=5000,
             help="how many points a generated data set has (train and test together); "
                  "one's own points count themselves and keep this for the next generated set"),
    Property("noise", "float", 0.0, "data", False, minimum=0.0, maximum=1.0,
             help="how much the points are blurred (0 = clean)"),
    Property("train_fraction", "float", 0.5, "data", False, minimum=0.1, maximum=0.9,
             help="share of the points used for training; the rest are held out for testing"),
    Property("features", "list[str]", None, "data", False, tuple(FEATURES),
             help="what the network sees of each point (default: the raw inputs)"),
    Property("points", "points", None, "data", False,
             help="your own points {x: N×2 or N×1, y: N} when dataset is 'custom'"),
    Property("task", "str", None, "data", False, ("classification", "regression"),
             help="what your own points' y means (dataset 'custom' only)"),
    Property("hidden_layers", "list[int]", [4, 2], "network", False, minimum=1, maximum=MAX_NEURONS,
             help=f"neurons in each hidden layer (0 to {MAX_HIDDEN_LAYERS} layers of 1 to {MAX_NEURONS})"),
    Property("activation", "activation", "tanh", "network", False, HIDDEN_ACTIVATIONS,
             help="activation of the hidden layers: one name for all, or a list with one per layer"),
    Property("output_activation", "str", None, "network", False, OUTPUT_ACTIVATIONS,
             help="activation of the output layer (default follows the task)"),
    Property("loss", "str", None, "network", False, tuple(LOSSES),
             help="what is minimised (default follows the task)"),
    Property("init", "str", "xavier", "network", False, tuple(INITIALIZERS),
             help="how the weights are drawn at the start"),
    Property("optimizer", "str", "sgd", "training", True, tuple(OPTIMIZERS),
             help="the update rule"),
    Property("learning_rate", "float", 0.03, "training", True, minimum=0.0, maximum=10.0,
             exclusive_minimum=True, help="η, the size of each step downhill"),
    Property("momentum", "float", 0.9, "training", True, minimum=0.0, maximum=1.0,
             exclusive_maximum=True, help="μ of the momentum optimizer"),
    Property("batch_size", "int", 10, "training", True, minimum=1, maximum=5000,
             help="samples per update (at most the training-set size)"),
    Property("l1", "float", 0.0, "training", True, minimum=0.0, maximum=MAX_REGULARIZATION,
             help="strength of the L1 penalty l1·Σ|W|"),
    Property("l2", "float", 0.0, "training", True, minimum=0.0, maximum=MAX_REGULARIZATION,
             help="strength of the L2 penalty l2·Σ‖W‖²"),
    Property("seed", "int", 0, "training", False, minimum=0, maximum=MAX_SEED,
             help="the seed of the data, the initial weights and the shuffling"),
)
PROPERTY = {p.name: p for p in PROPERTIES}
LIVE_FIELDS = frozenset(p.name for p in PROPERTIES if p.live)


def _range_text(p: Property) -> str:
    lo = "(" if p.exclusive_minimum else "["
    hi = ")" if p.exclusive_maximum else "]"
    if p.type in ("int", "list[int]"):
        return f"{lo}{int(p.minimum)}, {int(p.maximum)}{hi}"
    return f"{lo}{p.minimum:g}, {p.maximum:g}{hi}"


def _check_number(p: Property, value: Any, field: str | None = None) -> float | int:
    field = field or p.name
    want_int = p.type in ("int", "list[int]")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(field, f"{field} must be {'an integer' if want_int else 'a number'} in {_range_text(p)}")
    try:
        v = float(value)
    except OverflowError:  # an integer past any float (JSON allows 400 digits): out of every range
        raise ConfigError(field, f"{field} must be in {_range_text(p)} (got an integer of {len(str(abs(value)))} digits)") from None
    if want_int and not v.is_integer():
        raise ConfigError(field, f"{field} must be an integer in {_range_text(p)}")
    ok = v == v and (v > p.minimum if p.exclusive_minimum else v >= p.minimum)
    ok = ok and (v < p.maximum if p.exclusive_maximum else v <= p.maximum)
    if not ok:
        raise ConfigError(field, f"{field} must be in {_range_text(p)} (got {value})")
    return int(v) if want_int else v + 0.0  # + 0.0: a −0.0 becomes 0.0 (numpy refuses a noise scale of −0.0)


def _check_choice(p: Property, value: Any, field: str | None = None) -> str:
    field = field or p.name
    if value not in p.choices:
        raise ConfigError(field, f"{field} must be one of {', '.join(p.choices)} (got {value!r})")
    return value


# The output activation a loss needs (mse takes any).
_OUTPUT_OF_LOSS = {"bce": "sigmoid", "cross_entropy": "softmax"}


def task_of(config: dict[str, Any]) -> tuple[str, int, int | None]:
    """``(task, raw inputs, classes)`` of the configured data."""
    if config["dataset"] == "custom":
        pts = config["points"]
        inputs = len(pts["x"][0])
        if config["task"] == "classification":
            return "classification", inputs, int(max(pts["y"])) + 1
        return "regression", inputs, None
    info = DATASETS[config["dataset"]]
    return info.task, info.inputs, info.classes


def output_units(task: str, classes: int | None, loss: str) -> int:
    if task == "regression":
        return 1
    if classes == 2 and loss != "cross_entropy":
        return 1
    return classes


def defaults_for(task: str, classes: int | None) -> tuple[str, str]:
    """Default ``(output_activation, loss)`` for a task."""
    if task == "regression":
        return "linear", "mse"
    if classes == 2:
        return "sigmoid", "bce"
    return "softmax", "cross_entropy"


def n_train_of(config: dict[str, Any]) -> int:
    n = len(config["points"]["x"]) if config["dataset"] == "custom" else config["n_samples"]
    return min(max(int(round(n * config["train_fraction"])), 1), n - 1)


def resolve_config(partial: dict[str, Any] | None = None, base: dict[str, Any] | None = None,
                   saved: bool = False) -> dict[str, Any]:
    """Validate ``partial`` over ``base`` (or the defaults); return a full config.

    ``saved`` says ``partial`` is a saved session's configuration: its custom
    points may be as few as an earlier version allowed, as may points kept
    from ``base`` (they were checked when they were given).

    Raises :class:`ConfigError` naming the first offending field.
    """
    # null means "not given": the current value (or the default) stays.
    partial = {k: v for k, v in (partial or {}).items() if v is not None}
    unknown = sorted(set(partial) - set(PROPERTY))
    if unknown:
        raise ConfigError(unknown[0], f"unknown field {unknown[0]!r}; known fields: {', '.join(PROPERTY)}")
    cfg: dict[str, Any] = {}
    source = dict(base) if base else {}
    # Over a base, fields that follow other fields are re-derived (unless given)
    # when what they follow changes: the features and the output when the data's
    # shape changes (see below), the loss with the output activation and back.
    follows: set[str] = set()
    if base:
        if {"dataset", "points", "task"} & set(partial):
            follows = {"output_activation", "loss", "features"} - set(partial)
        if "output_activation" in partial and "loss" not in partial:
            source.pop("loss", None)
        if partial.get("loss") in _OUTPUT_OF_LOSS and "output_activation" not in partial:
            source.pop("output_activation", None)
    source.update({k: v for k, v in partial.items()})
    for p in PROPERTIES:
        value = source.get(p.name, p.default)
        if value is None:
            cfg[p.name] = None
            continue
        if p.type in ("int", "float"):
            cfg[p.name] = _check_number(p, value)
        elif p.type == "str":
            if not isinstance(value, str):
                raise ConfigError(p.name, f"{p.name} must be one of {', '.join(p.choices)}")
            cfg[p.name] = _check_choice(p, value)
        elif p.type == "list[int]":
            if not isinstance(value, list) or len(value) > MAX_HIDDEN_LAYERS:
                raise ConfigError(p.name, f"{p.name} must be a list of 0 to {MAX_HIDDEN_LAYERS} layer sizes, "
                                          f"each an integer in [1, {MAX_NEURONS}]")
            cfg[p.name] = [_check_number(p, v, f"{p.name}[{i}]") for i, v in enumerate(value)]
        elif p.type == "list[str]":
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ConfigError(p.name, f"{p.name} must be a list of feature names from {', '.join(p.choices)}")
            cfg[p.name] = list(value)
        elif p.type == "activation":
            if isinstance(value, str):
                cfg[p.name] = _check_choice(p, value)
            elif isinstance(value, list):
                cfg[p.name] = [_check_choice(p, v, f"{p.name}[{i}]") for i, v in enumerate(value)]
            else:
                raise ConfigError(p.name, f"{p.name} must be one of {', '.join(p.choices)}, or a list of them")
        else:  # points
            cfg[p.name] = value

    # Cross-field rules.
    if cfg["dataset"] == "custom":
        if cfg["points"] is None:
            raise ConfigError("points", "points: dataset 'custom' needs points {x: N×2 or N×1, y: N}")
        if cfg["task"] is None:
            raise ConfigError("task", "task: dataset 'custom' needs task 'classification' or 'regression'")
        pts = cfg["points"]
        if not isinstance(pts, dict) or "x" not in pts or "y" not in pts:
            raise ConfigError("points", "points must be an object {x: N×2 or N×1, y: N}")
        try:
            given_now = "points" in partial and not saved
            x, y, _ = check_points(pts["x"], pts["y"], cfg["task"],
                                   MIN_POINTS if given_now else SAVED_MIN_POINTS)
        except ValueError as e:
            raise ConfigError("points", str(e)) from None
        cfg["points"] = {"x": x.tolist(), "y": y.tolist()}
    else:
        given = [k for k in ("points", "task") if k in partial]  # asked for now, not kept from before
        if given:
            raise ConfigError(given[0], f"{given[0]} belongs to dataset 'custom' (your own points), not to "
                                        f"{cfg['dataset']!r}: set dataset to 'custom' with it, or leave it out")
        cfg["points"] = None
        cfg["task"] = None
    task, inputs, classes = task_of(cfg)
    if follows:
        old_task, old_inputs, old_classes = task_of(base)
        if inputs != old_inputs and "features" in follows:
            cfg["features"] = None  # e.g. x2 means nothing for one-input data
        if (task, classes) != (old_task, old_classes):
            for name in follows - {"features"}:
                cfg[name] = None

    if cfg["features"] is None:
        cfg["features"] = ["x1", "x2"] if inputs == 2 else ["x1"]
    try:
        check_features(cfg["features"], inputs)
    except ValueError as e:
        raise ConfigError("features", str(e)) from None

    n_hidden = len(cfg["hidden_layers"])
    if isinstance(cfg["activation"], list) and len(cfg["activation"]) != n_hidden:
        raise ConfigError("activation", f"activation: a list needs one entry per hidden layer ({n_hidden})")

    out_default, loss_default = defaults_for(task, classes)
    out = cfg["output_activation"]
    if cfg["loss"] is None:
        if out is None:
            cfg["loss"] = loss_default
        elif out == "softmax" and task == "classification":
            cfg["loss"] = "cross_entropy"
        elif out == "sigmoid" and classes == 2:
            cfg["loss"] = "bce"
        else:
            cfg["loss"] = "mse"
    if out is None:
        cfg["output_activation"] = _OUTPUT_OF_LOSS.get(cfg["loss"], out_default)
    if task == "regression" and cfg["loss"] != "mse":
        raise ConfigError("loss", f"loss: regression data needs 'mse' (got {cfg['loss']!r})")
    units = output_units(task, classes, cfg["loss"])
    try:
        check_pairing(cfg["loss"], cfg["output_activation"], units)
    except ValueError as e:
        raise ConfigError("loss", f"loss: {e}") from None
    if cfg["output_activation"] == "softmax" and units == 1:
        if "output_activation" not in partial:
            cfg["output_activation"] = out_default  # kept from before (e.g. the loss became mse): it follows
        else:
            instead = ("regression data has one output: use 'linear' (or another activation)" if task == "regression"
                       else "use 'sigmoid' with loss 'bce', or loss 'cross_entropy', which gives one softmax unit "
                            "per class")
            raise ConfigError("output_activation", "output_activation: a softmax over a single output unit is "
                                                   f"always 1, so the network could learn nothing; {instead}")

    n_train = n_train_of(cfg)
    if cfg["batch_size"] > n_train:
        if "batch_size" in partial:
            raise ConfigError("batch_size", f"batch_size must be in [1, {n_train}] (the training-set size); "
                                            f"got {cfg['batch_size']}")
        cfg["batch_size"] = n_train  # the default, or the size kept from before: it shrinks with the data
    return cfg


def hidden_activations(config: dict[str, Any]) -> list[str]:
    """One activation name per hidden layer (the config may give one for all)."""
    act = config["activation"]
    return list(act) if isinstance(act, list) else [act] * len(config["hidden_layers"])


# settings of the generated data sets only: one's own points have their own number and no noise
GENERATOR_ONLY = ("n_samples", "noise")


def structural_change(old: dict[str, Any], new: dict[str, Any]) -> bool:
    """True when going from ``old`` to ``new`` needs a rebuild and reset
    (``"tanh"`` and ``["tanh", "tanh"]`` for two hidden layers are the same network;
    on one's own points, the generators' point count and noise change nothing)."""
    own = old.get("dataset") == new.get("dataset") == "custom"
    return any(old.get(p.name) != new.get(p.name) for p in PROPERTIES
               if not p.live and p.name != "activation" and not (own and p.name in GENERATOR_ONLY)) \
        or hidden_activations(old) != hidden_activations(new)
