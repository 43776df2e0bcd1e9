"""Pydantic models of the HTTP contract (API.md), as documented in OpenAPI.

Ranges come from the engine's configuration table, so the schema, the
validation and the engine agree.  Cross-field rules (a batch larger than the
training set, a loss that does not fit the output layer) are checked by the
engine and answered with the same 422 shape.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from engine.activations import HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS
from engine.config import MAX_HIDDEN_LAYERS, MAX_NEURONS, MAX_REGULARIZATION, MAX_SEED, PROPERTY
from engine.data import DATASETS, FEATURES, MAX_POINTS, MIN_POINTS
from engine.init import INITIALIZERS
from engine.losses import LOSSES
from engine.optimizers import OPTIMIZERS

DatasetName = Literal[tuple(DATASETS) + ("custom",)]  # type: ignore[valid-type]
FeatureName = Literal[tuple(FEATURES)]  # type: ignore[valid-type]
HiddenActivation = Literal[HIDDEN_ACTIVATIONS]  # type: ignore[valid-type]
OutputActivation = Literal[OUTPUT_ACTIVATIONS]  # type: ignore[valid-type]
LossName = Literal[tuple(LOSSES)]  # type: ignore[valid-type]
InitName = Literal[tuple(INITIALIZERS)]  # type: ignore[valid-type]
OptimizerName = Literal[tuple(OPTIMIZERS)]  # type: ignore[valid-type]


class Strict(BaseModel):
    # strict: "3", 3.0 and true are not the integer 3 (the live socket and an
    # imported session refuse them too); an integer is a number, though
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, strict=True)


class Points(Strict):
    x: list[list[float]] = Field(min_length=MIN_POINTS, max_length=MAX_POINTS,
                                 description="N rows of 2 numbers (or 1 for one-input data) in [-6, 6]")
    y: list[float] = Field(min_length=MIN_POINTS, max_length=MAX_POINTS,
                           description="N targets: class labels 0..k-1, or reals for regression")


def _setting(name: str, **constraints: Any) -> Any:
    """A configuration field: optional (``None`` = not sent), documented with the
    engine's help text and its true default, which applies when it is missing
    (no default where the engine derives the value from other fields: its help
    says how)."""
    p = PROPERTY[name]
    extra = constraints.pop("json_schema_extra", {})

    def document(schema: dict[str, Any]) -> None:
        schema.update(extra)
        schema.pop("default", None)
        if p.default is not None:
            schema["default"] = p.default

    return Field(None, description=p.help, json_schema_extra=document, **constraints)


class SessionConfig(Strict):
    """Every field is optional; missing ones take their defaults."""

    model_config = ConfigDict(
        extra="forbid", allow_inf_nan=False,
        json_schema_extra={"examples": [{"dataset": "xor", "hidden_layers": [4, 4], "learning_rate": 0.03}]},
    )

    dataset: DatasetName | None = _setting("dataset")
    n_samples: int | None = _setting("n_samples", ge=10, le=5000)
    noise: float | None = _setting("noise", ge=0.0, le=1.0)
    train_fraction: float | None = _setting("train_fraction", ge=0.1, le=0.9)
    features: list[FeatureName] | None = _setting("features", min_length=1, max_length=len(FEATURES))
    points: Points | None = _setting("points")
    task: Literal["classification", "regression"] | None = _setting("task")
    hidden_layers: list[int] | None = _setting("hidden_layers", max_length=MAX_HIDDEN_LAYERS,
                                               json_schema_extra={"items": {"type": "integer", "minimum": 1,
                                                                            "maximum": MAX_NEURONS}})
    activation: HiddenActivation | list[HiddenActivation] | None = _setting("activation")
    output_activation: OutputActivation | None = _setting("output_activation")
    loss: LossName | None = _setting("loss")
    init: InitName | None = _setting("init")
    optimizer: OptimizerName | None = _setting("optimizer")
    learning_rate: float | None = _setting("learning_rate", gt=0.0, le=10.0)
    momentum: float | None = _setting("momentum", ge=0.0, lt=1.0)
    batch_size: int | None = _setting("batch_size", ge=1, le=5000)
    l1: float | None = _setting("l1", ge=0.0, le=MAX_REGULARIZATION)
    l2: float | None = _setting("l2", ge=0.0, le=MAX_REGULARIZATION)
    seed: int | None = _setting("seed", ge=0, le=MAX_SEED)

    def given(self) -> dict[str, Any]:
        """Only the fields the client sent (``None`` means 'not sent')."""
        return self.model_dump(exclude_none=True, exclude_unset=True)


def _change_schema(schema: dict[str, Any]) -> None:
    """A change has no defaults: a field not sent keeps its current value."""
    for prop in schema.get("properties", {}).values():
        prop.pop("default", None)
    schema["examples"] = [{"learning_rate": 0.1}, {"hidden_layers": [8, 8]}]


class ConfigChange(SessionConfig):
    """A change of configuration (the fields of SessionConfig, every one
    optional): the fields sent change, the others keep their current values."""

    model_config = ConfigDict(json_schema_extra=_change_schema)


class FullConfig(BaseModel):
    """A complete configuration, as the server answers it."""

    dataset: str
    n_samples: int
    noise: float
    train_fraction: float
    features: list[str]
    points: dict[str, Any] | None
    task: str | None
    hidden_layers: list[int]
    activation: str | list[str]
    output_activation: str
    loss: str
    init: str
    optimizer: str
    learning_rate: float
    momentum: float
    batch_size: int
    l1: float
    l2: float
    seed: int


class LossPair(BaseModel):
    train: float | None
    test: float | None


class LayerState(BaseModel):
    activation: str
    W: list[list[float]]
    b: list[float]
    dW: list[list[float | None]] | None
    db: list[float | None] | None


class Snapshot(BaseModel):
    step: int
    epoch: float
    status: Literal["ok", "diverged"]
    message: str | None = Field(None, description="what happened and what to try: when status is not ok, "
                                                  "or when a loss is null (too large to represent)")
    loss: LossPair
    accuracy: LossPair | None
    layers: list[LayerState]
    steps_run: int | None = Field(None, description="step requests: how many updates ran")
    stopped_early: str | None = Field(None, description="step requests: why fewer updates ran than asked")


class Session(BaseModel):
    id: str = Field(description="capability: whoever holds it controls the session")
    watch_id: str = Field(description="read-only link: lets a viewer follow the session")
    config: FullConfig
    state: Snapshot


class WatchedSession(BaseModel):
    watch_id: str
    config: FullConfig
    state: Snapshot


class PatchAnswer(BaseModel):
    config: FullConfig
    reset: bool = Field(description="true when the change was structural and the session was rebuilt")
    state: Snapshot


class StepRequest(Strict):
    steps: int = Field(1, ge=1, le=100_000, description="mini-batch updates to run (1 to 100,000)")


class ResetRequest(Strict):
    seed: int | None = Field(None, ge=0, le=MAX_SEED, description="a new seed (default: keep the current one)")


class ForkRequest(Strict):
    """fork takes no fields (send no body, or {}), and the new session continues from the watched state as it is;
    change it afterwards with PATCH /api/sessions/{id}, or POST /api/sessions/{id}/reset for a new seed"""

    model_config = ConfigDict(json_schema_extra={"examples": [{}]})


class TraceRequest(Strict):
    x: list[list[float]] = Field(min_length=1, max_length=5000, description="N × n_inputs, in the network's input space")
    y: list[list[float]] = Field(min_length=1, max_length=5000, description="N × n_outputs, targets as in /data")

    @field_validator("x", "y")
    @classmethod
    def _rectangular(cls, rows: list[list[float]]) -> list[list[float]]:
        if any(len(row) != len(rows[0]) for row in rows):
            raise ValueError("every row must hold the same number of values (a matrix, N × columns)")
        return rows


class TraceLayer(BaseModel):
    W: list[list[float]] = Field(description="the weights this pass ran with (the session's at `step`)")
    b: list[float] = Field(description="the biases this pass ran with")
    z: list[list[float | None]]
    a: list[list[float | None]]
    dL_da: list[list[float | None]]
    dL_dz: list[list[float | None]]
    da_dz: list[list[float | None]] = Field(description="∂a/∂z element by element (softmax: the Jacobian's diagonal)")
    dW: list[list[float | None]]
    db: list[float | None]
    dW_penalty: list[list[float | None]] | None = Field(
        None, description="the part of dW that is the penalty's gradient, 2·l2·W + l1·sign(W) "
                          "(present only when l1 or l2 is set)")


class Trace(BaseModel):
    step: int = Field(description="the session's step: the pass ran with the weights after this many updates")
    loss: float | None
    data_loss: float | None
    penalty: float | None
    input: list[list[float]]
    layers: list[TraceLayer]
    message: str | None = Field(None, description="why some values are null (too large to represent), when they are")


class GradCheckRequest(TraceRequest):
    layer: int = Field(ge=0, le=MAX_HIDDEN_LAYERS, description="weight layer, 0-based (layer l of the text is l-1)")
    param: Literal["W", "b"] = "W"
    row: int = Field(ge=0, le=MAX_NEURONS, description="the unit j (row of W, entry of b)")
    col: int | None = Field(None, ge=0, le=MAX_NEURONS, description="the input k (column of W); left out for b (a column with b is refused)")


class GradCheck(BaseModel):
    analytic: float | None = Field(description="∂L/∂w from backpropagation (the batch mean, with the penalty)")
    numeric: float | None = Field(description="(L(w+ε) − L(w−ε)) / 2ε")
    relative_error: float | None
    epsilon: float


class NextBatch(BaseModel):
    step: int = Field(description="the number the next update will have")
    indices: list[int] = Field(description="rows of the training set (as in /data) in this mini-batch")
    x: list[list[float]]
    y: list[list[float]]


class LayerWeights(Strict):
    W: list[list[float]]
    b: list[float]
    # A snapshot's layer may be sent back as it is (read, change a weight, put back): its other
    # keys are taken, not set.
    activation: str | None = Field(None, description="optional: the layer's own activation (a snapshot's); "
                                                     "another is refused: PATCH activation changes it")
    dW: list[list[float | None]] | None = Field(None, description="optional and ignored: the last update's ∂L/∂W "
                                                                   "(a snapshot's)")
    db: list[float | None] | None = Field(None, description="optional and ignored: the last update's ∂L/∂b "
                                                             "(a snapshot's)")


class WeightsRequest(Strict):
    layers: list[LayerWeights] = Field(max_length=MAX_HIDDEN_LAYERS + 1)


class DataSplit(BaseModel):
    x: list[list[float]]
    y: list[list[float]]


class DataAnswer(BaseModel):
    train: DataSplit
    test: DataSplit


class History(BaseModel):
    step: list[int] = Field(description="update numbers of the per-step series (thinned evenly on long runs)")
    batch_loss: list[float | None] = Field(description="mini-batch loss of each recorded update")
    grad_norms: list[list[float | None]] = Field(description="per layer: ‖∂L/∂W_l‖ of each recorded update")
    eval_step: list[int] = Field(description="update numbers at which the full train and test sets were evaluated")
    train_loss: list[float | None]
    test_loss: list[float | None]
    train_accuracy: list[float | None]
    test_accuracy: list[float | None]


class ExportDocument(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"format": "chainrule-session", "version": 1,
                                                               "state": {"...": "from GET /export"}}]})
    format: Literal["chainrule-session"]
    version: Literal[1]
    state: dict[str, Any]


class Listed(BaseModel):
    """An entry of the catalog: the fields below and no others."""

    model_config = ConfigDict(extra="forbid")


class CatalogDataset(Listed):
    name: str
    task: Literal["classification", "regression"]
    inputs: int = Field(description="raw inputs: 2 (x1, x2), or 1 (x1 only)")
    classes: int | None = Field(description="classes of a classification data set; null for regression")
    description: str


class CatalogActivation(Listed):
    name: str
    formula: str
    hidden: bool = Field(description="usable in a hidden layer (softmax is for the output layer only)")


class CatalogLoss(Listed):
    name: str
    formula: str
    output_activation: str | None = Field(description="the output activation it is paired with (its ∂L/∂z is "
                                                      "then the simple ŷ − y), or null: any")


class CatalogFeature(Listed):
    name: str
    label: str = Field(description="how the page writes it (x₁², sin x₁)")
    needs_inputs: int = Field(description="the raw inputs it needs: 1 (x1), or 2 (x2 too: not for one-input data)")


class CatalogPreset(Listed):
    id: str
    title: str
    config: dict[str, Any] = Field(description="the lesson's own settings (fields of SessionConfig)")
    text: str = Field(description="what to do, and what to look at")
    setup: FullConfig = Field(description="its whole configuration: its own settings, and the defaults for the rest "
                                          "(as POST /api/sessions would resolve them)")


class CatalogSetting(Listed):
    name: str = Field(description="a field of SessionConfig")
    type: str = Field(description='its kind: "str", "int", "float", "list[str]", "list[int]", "points" or '
                                  '"activation" (a name, or a list of names, one per hidden layer)')
    default: str | int | float | list[int] | list[str] | None = Field(
        description="its default, or null where the server derives it from other fields (the task, the inputs)")
    group: Literal["data", "network", "training"]
    live: bool = Field(description="true: a change applies live (PATCH); false: it rebuilds and resets the session")
    choices: list[str] | None = Field(description="its allowed values (of each entry, for a list), or null")
    minimum: float | None = Field(description="its lowest value (of each entry, for hidden_layers), or null")
    maximum: float | None = Field(description="its highest value (of each entry, for hidden_layers), or null")
    exclusive_minimum: bool = Field(description="true: the minimum itself is refused (learning_rate > 0)")
    exclusive_maximum: bool = Field(description="true: the maximum itself is refused (momentum < 1)")
    help: str


def _pair(what: str) -> Any:
    return Field(min_length=2, max_length=2, description=f"[lowest, highest]: {what}")


class CatalogLimits(Listed):
    hidden_layers: list[int] = _pair("hidden layers")
    neurons: list[int] = _pair("neurons in a hidden layer")
    n_samples: list[int] = _pair("points of a data set")
    noise: list[float] = _pair("noise")
    train_fraction: list[float] = _pair("the training set's share of the points")
    learning_rate: list[float] = _pair("learning rate (0 itself is refused)")
    steps_per_request: list[int] = _pair("updates of one POST …/step (or one live step command)")
    trace_rows: list[int] = _pair("rows of one trace or gradient check")
    steps_per_frame: list[int] = _pair('live updates between two frames (or "max")')
    max_sessions: int = Field(description="sessions the server keeps at once (the least recently used is let go)")


class Catalog(Listed):
    """What a configuration can use: the engine's tables, and this server's limits."""

    datasets: list[CatalogDataset]
    activations: list[CatalogActivation]
    losses: list[CatalogLoss]
    optimizers: list[str]
    inits: list[str] = Field(description="weight initializations")
    features: list[CatalogFeature] = Field(description="input features, computed from the raw inputs")
    presets: list[CatalogPreset] = Field(description="lessons: ready-made situations, each with what to look at")
    config: list[CatalogSetting] = Field(description="every field of SessionConfig: its kind, default and range")
    limits: CatalogLimits


class Health(BaseModel):
    status: Literal["ok"]
    version: str


class Problem(BaseModel):
    """Every error answer: a readable message, and the field at fault if any."""

    detail: str
    field: str | None = None
