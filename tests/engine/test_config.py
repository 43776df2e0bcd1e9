"""resolve_config: the defaults of API.md, every range, every bad pairing."""

from __future__ import annotations

import math

import pytest

from engine import PROPERTIES, ConfigError, resolve_config
from engine.config import LIVE_FIELDS, structural_change

API_DEFAULTS = {
    "dataset": "circle",
    "n_samples": 500,
    "noise": 0.0,
    "train_fraction": 0.5,
    "features": ["x1", "x2"],
    "hidden_layers": [4, 2],
    "activation": "tanh",
    "init": "xavier",
    "optimizer": "sgd",
    "learning_rate": 0.03,
    "momentum": 0.9,
    "batch_size": 10,
    "l1": 0.0,
    "l2": 0.0,
    "seed": 0,
    "output_activation": "sigmoid",
    "loss": "bce",
}


def test_defaults_match_api():
    cfg = resolve_config()
    for key, value in API_DEFAULTS.items():
        assert cfg[key] == value, key
        assert type(cfg[key]) is type(value), key
    assert cfg["points"] is None and cfg["task"] is None
    assert resolve_config({}) == cfg == resolve_config(None)


@pytest.mark.parametrize(
    "dataset,output,loss,features",
    [("circle", "sigmoid", "bce", ["x1", "x2"]), ("xor", "sigmoid", "bce", ["x1", "x2"]),
     ("gauss", "sigmoid", "bce", ["x1", "x2"]), ("spiral", "sigmoid", "bce", ["x1", "x2"]),
     ("moons", "sigmoid", "bce", ["x1", "x2"]), ("spiral3", "softmax", "cross_entropy", ["x1", "x2"]),
     ("plane", "linear", "mse", ["x1", "x2"]), ("multigauss", "linear", "mse", ["x1", "x2"]),
     ("sine", "linear", "mse", ["x1"])],
)
def test_defaults_follow_the_task(dataset, output, loss, features):
    cfg = resolve_config({"dataset": dataset})
    assert (cfg["output_activation"], cfg["loss"], cfg["features"]) == (output, loss, features)


def test_output_activation_alone_picks_a_matching_loss():
    assert resolve_config({"output_activation": "tanh"})["loss"] == "mse"
    assert resolve_config({"output_activation": "linear"})["loss"] == "mse"
    assert resolve_config({"dataset": "spiral3", "output_activation": "tanh"})["loss"] == "mse"
    assert resolve_config({"output_activation": "softmax"})["loss"] == "cross_entropy"


def test_three_sigmoid_outputs_get_a_loss_that_fits_or_an_error_on_the_field_given():
    """spiral3 with ``output_activation: "sigmoid"`` (three sigmoid units) and
    no loss: tanh and linear outputs get mse there, so sigmoid should too; at
    the very least the error must blame ``output_activation`` (the field the
    client sent), not ``loss`` with a message about a 'cross_entropy' that the
    client never asked for."""
    try:
        cfg = resolve_config({"dataset": "spiral3", "output_activation": "sigmoid"})
    except ConfigError as e:
        assert e.field == "output_activation", f"error blames {e.field!r}: {e.message}"
    else:
        assert cfg["loss"] == "mse"


def test_loss_alone_picks_its_output():
    cfg = resolve_config({"loss": "cross_entropy"})  # two classes, two softmax units
    assert cfg["output_activation"] == "softmax"
    cfg = resolve_config({"loss": "mse"})
    assert cfg["output_activation"] == "sigmoid"


def test_activation_list():
    cfg = resolve_config({"hidden_layers": [3, 3, 2], "activation": ["relu", "tanh", "sigmoid"]})
    assert cfg["activation"] == ["relu", "tanh", "sigmoid"]
    with pytest.raises(ConfigError) as e:
        resolve_config({"hidden_layers": [3, 3], "activation": ["relu"]})
    assert e.value.field == "activation" and "one entry per hidden layer (2)" in e.value.message
    with pytest.raises(ConfigError) as e:
        resolve_config({"hidden_layers": [3, 3], "activation": ["relu", "softmax"]})
    assert e.value.field == "activation[1]"


def test_accepted_extremes():
    cfg = resolve_config({"n_samples": 5000, "noise": 1.0, "train_fraction": 0.9, "learning_rate": 10,
                          "momentum": 0.0, "l1": 10, "l2": 10, "seed": 2**32 - 1, "batch_size": 4500,
                          "hidden_layers": [128] * 10})
    assert cfg["learning_rate"] == 10.0 and isinstance(cfg["learning_rate"], float)
    assert cfg["hidden_layers"] == [128] * 10
    assert resolve_config({"hidden_layers": []})["hidden_layers"] == []
    assert resolve_config({"n_samples": 10, "train_fraction": 0.1, "batch_size": 1})["n_samples"] == 10


OUT_OF_RANGE = [
    ("n_samples", 9, "[10, 5000]"), ("n_samples", 5001, "[10, 5000]"), ("n_samples", 100.5, "integer"),
    ("noise", -0.01, "[0, 1]"), ("noise", 1.5, "[0, 1]"),
    ("train_fraction", 0.05, "[0.1, 0.9]"), ("train_fraction", 0.95, "[0.1, 0.9]"),
    ("learning_rate", 0, "(0, 10]"), ("learning_rate", -1, "(0, 10]"), ("learning_rate", 10.5, "(0, 10]"),
    ("learning_rate", float("nan"), "(0, 10]"), ("learning_rate", float("inf"), "(0, 10]"),
    ("momentum", 1.0, "[0, 1)"), ("momentum", -0.1, "[0, 1)"),
    ("batch_size", 0, "[1, "), ("batch_size", 251, "[1, 250]"), ("batch_size", 2.5, "integer"),
    ("l1", -0.1, "[0, 10]"), ("l1", 11, "[0, 10]"), ("l2", -1e-9, "[0, 10]"), ("l2", 10.01, "[0, 10]"),
    ("seed", -1, "[0, "), ("seed", 1.5, "integer"),
    ("learning_rate", "0.1", "number"), ("learning_rate", True, "number"),
]


@pytest.mark.parametrize("field,value,needle", OUT_OF_RANGE)
def test_out_of_range_values_name_field_and_range(field, value, needle):
    with pytest.raises(ConfigError) as e:
        resolve_config({field: value})
    assert e.value.field == field
    assert str(e.value) == e.value.message
    assert field in e.value.message
    assert needle in e.value.message
    assert isinstance(e.value, ValueError)


def test_null_values_mean_the_default_or_a_config_error():
    """JSON null for a field (``{"learning_rate": null}``) is client input like
    any other: it must either mean the default or be refused with a
    ConfigError naming the field -- never a TypeError/KeyError from inside
    resolve_config, and never a config that later breaks the trainer (or, for
    the seed, silently draws a random one)."""
    from engine import Trainer

    problems = []
    for p in PROPERTIES:
        if p.default is None:
            continue  # None *is* the default (features, points, task, output_activation, loss)
        try:
            cfg = resolve_config({p.name: None})
        except ConfigError as e:
            if e.field != p.name:
                problems.append(f"{p.name}: ConfigError names {e.field!r}")
            continue
        except Exception as e:  # noqa: BLE001 - any other exception is the bug
            problems.append(f"{p.name}: resolve_config raised {type(e).__name__}: {e}")
            continue
        if cfg[p.name] != p.default:
            problems.append(f"{p.name}: resolved to {cfg[p.name]!r} instead of the default {p.default!r}")
            continue
        Trainer(cfg, resolved=True).step(2)
    assert not problems, "\n".join(problems)


def test_seed_message_names_the_exact_range():
    """The largest seed is 4294967295; the message must say so, not a rounded
    "4.29497e+09" (which is larger than the rejected value 4294967296)."""
    with pytest.raises(ConfigError) as e:
        resolve_config({"seed": 2**32})
    assert e.value.field == "seed"
    assert "4294967295" in e.value.message


@pytest.mark.parametrize(
    "field,value,expected_field",
    [("hidden_layers", [4, 0], "hidden_layers[1]"), ("hidden_layers", [129], "hidden_layers[0]"),
     ("hidden_layers", [4] * 11, "hidden_layers"), ("hidden_layers", 4, "hidden_layers"),
     ("hidden_layers", [2.5], "hidden_layers[0]"),
     ("dataset", "mnist", "dataset"), ("activation", "softmax", "activation"), ("activation", 3, "activation"),
     ("output_activation", "swish", "output_activation"), ("loss", "hinge", "loss"), ("init", "orthogonal", "init"),
     ("optimizer", "rmsprop", "optimizer"), ("features", "x1", "features"), ("features", ["x1", "x9"], "features"),
     ("features", [], "features"), ("colour", "red", "colour"), ("dataset", 3, "dataset")],
)
def test_bad_values_name_their_field(field, value, expected_field):
    with pytest.raises(ConfigError) as e:
        resolve_config({field: value})
    assert e.value.field == expected_field
    assert expected_field.split("[")[0] in e.value.message


def test_hidden_layer_message_names_the_range():
    with pytest.raises(ConfigError) as e:
        resolve_config({"hidden_layers": [4, 0]})
    assert "[1, 128]" in e.value.message
    with pytest.raises(ConfigError) as e:
        resolve_config({"hidden_layers": [4] * 11})
    assert "0 to 10" in e.value.message and "[1, 128]" in e.value.message


def test_choice_message_lists_the_choices():
    with pytest.raises(ConfigError) as e:
        resolve_config({"optimizer": "rmsprop"})
    assert "sgd, momentum, adam" in e.value.message


@pytest.mark.parametrize(
    "partial,needle",
    [({"loss": "bce", "output_activation": "softmax"}, "sigmoid"),
     ({"loss": "cross_entropy", "output_activation": "sigmoid"}, "softmax"),
     ({"loss": "bce", "dataset": "spiral3"}, "one sigmoid output unit"),
     ({"loss": "bce", "output_activation": "linear"}, "sigmoid"),
     ({"loss": "cross_entropy", "output_activation": "tanh"}, "softmax"),
     ({"dataset": "plane", "loss": "bce"}, "regression"),
     ({"dataset": "sine", "loss": "cross_entropy"}, "regression")],
)
def test_bad_pairings(partial, needle):
    with pytest.raises(ConfigError) as e:
        resolve_config(partial)
    assert e.value.field == "loss"
    assert needle in e.value.message


def test_batch_size_is_bounded_by_the_training_set():
    assert resolve_config({"n_samples": 100, "train_fraction": 0.3, "batch_size": 30})["batch_size"] == 30
    with pytest.raises(ConfigError) as e:
        resolve_config({"n_samples": 100, "train_fraction": 0.3, "batch_size": 31})
    assert e.value.field == "batch_size" and "[1, 30]" in e.value.message


def test_a_batch_size_not_given_shrinks_with_a_small_training_set_and_one_given_is_checked():
    # the documented minimum of 10 samples gives 5 training points: the default batch of 10 follows
    # them instead of failing with an error about a field the client never sent
    assert resolve_config({"n_samples": 10})["batch_size"] == 5
    assert resolve_config({"n_samples": 50, "train_fraction": 0.1})["batch_size"] == 5
    base = resolve_config({"batch_size": 40})
    assert resolve_config({"n_samples": 20}, base)["batch_size"] == 10  # kept from before: shrinks too
    assert resolve_config({"n_samples": 500}, base)["batch_size"] == 40
    with pytest.raises(ConfigError) as e:
        resolve_config({"n_samples": 10, "batch_size": 10})
    assert e.value.field == "batch_size" and "[1, 5]" in e.value.message


@pytest.mark.parametrize("partial", [{"dataset": "plane", "output_activation": "softmax"},
                                     {"dataset": "sine", "output_activation": "softmax", "loss": "mse"},
                                     {"dataset": "circle", "output_activation": "softmax", "loss": "mse"}])
def test_a_softmax_over_a_single_output_unit_is_refused_on_its_field(partial):
    # one unit's softmax is exp(z)/exp(z) = 1 whatever z is: nothing could ever be learned
    with pytest.raises(ConfigError) as e:
        resolve_config(partial)
    assert e.value.field == "output_activation" and "always 1" in e.value.message
    # two classes get two softmax units with cross-entropy, which is fine
    assert resolve_config({"dataset": "circle", "output_activation": "softmax"})["loss"] == "cross_entropy"


def test_a_negative_zero_is_zero():
    cfg = resolve_config({"noise": -0.0, "l1": -0.0, "l2": -0.0})
    assert [math.copysign(1.0, cfg[k]) for k in ("noise", "l1", "l2")] == [1.0, 1.0, 1.0]


def test_base_and_rederivation():
    base = resolve_config({"dataset": "spiral3", "learning_rate": 0.1})
    cfg = resolve_config({"dataset": "plane"}, base)
    assert (cfg["loss"], cfg["output_activation"]) == ("mse", "linear")
    assert cfg["learning_rate"] == 0.1
    cfg = resolve_config({"dataset": "sine"}, resolve_config({"features": ["x1", "x1x2"]}))
    assert cfg["features"] == ["x1"]
    # a live field over a base leaves the rest alone
    cfg = resolve_config({"learning_rate": 0.5}, base)
    assert {k: v for k, v in cfg.items() if k != "learning_rate"} == {k: v for k, v in base.items() if k != "learning_rate"}


def test_data_changes_keep_what_still_fits():
    base = resolve_config({"features": ["x1", "x2", "x1x2"], "loss": "mse", "output_activation": "tanh"})
    # the same data set again changes nothing (and so resets nothing)
    for partial in ({"dataset": "circle"}, {"dataset": "circle", "learning_rate": 0.1}):
        cfg = resolve_config(partial, base)
        assert {k: v for k, v in cfg.items() if k != "learning_rate"} == {
            k: v for k, v in base.items() if k != "learning_rate"}, partial
        assert not structural_change(base, cfg), partial
    # another two-class data set keeps the chosen features, output and loss
    cfg = resolve_config({"dataset": "xor"}, base)
    assert (cfg["features"], cfg["loss"], cfg["output_activation"]) == (["x1", "x2", "x1x2"], "mse", "tanh")
    # two-class custom points too; three classes or regression re-derive the output
    pts = {"x": [[0.1 * i, -0.1 * i] for i in range(20)], "y": [i % 2 for i in range(20)]}
    cfg = resolve_config({"dataset": "custom", "task": "classification", "points": pts}, base)
    assert (cfg["features"], cfg["loss"]) == (["x1", "x2", "x1x2"], "mse")
    cfg = resolve_config({"dataset": "spiral3"}, base)
    assert (cfg["features"], cfg["loss"], cfg["output_activation"]) == (["x1", "x2", "x1x2"], "cross_entropy", "softmax")
    cfg = resolve_config({"dataset": "plane"}, base)
    assert (cfg["loss"], cfg["output_activation"]) == ("mse", "linear")
    # one input instead of two: the features start again (x2 means nothing there), and back
    sine = resolve_config({"dataset": "sine"}, base)
    assert sine["features"] == ["x1"]
    assert resolve_config({"dataset": "circle"}, sine)["features"] == ["x1", "x2"]
    # given fields win over re-derivation (the output activation not given follows the new task)
    cfg = resolve_config({"dataset": "spiral3", "features": ["x1"], "loss": "mse"}, base)
    assert (cfg["features"], cfg["loss"], cfg["output_activation"]) == (["x1"], "mse", "softmax")


@pytest.mark.parametrize("partial,field", [
    ({"task": "regression"}, "task"),
    ({"dataset": "circle", "task": "regression", "points": {"x": [[0, 0]] * 4, "y": [0, 1, 0, 1]}}, "points"),
])
def test_points_or_a_task_without_dataset_custom_are_refused_not_ignored(partial, field):
    """They were accepted and ignored: a script asking for a regression trained on the circle."""
    base = resolve_config()
    for b in (None, base):
        with pytest.raises(ConfigError) as e:
            resolve_config(partial, b)
        assert e.value.field == field and "belongs to dataset 'custom'" in e.value.message
    # leaving custom points for a built-in set drops them without a word (they were the base's, not asked for)
    pts = {"x": [[0.1 * i, -0.1 * i] for i in range(20)], "y": [i % 2 for i in range(20)]}
    custom = resolve_config({"dataset": "custom", "task": "classification", "points": pts})
    back = resolve_config({"dataset": "circle"}, custom)
    assert back["points"] is None and back["task"] is None


def test_loss_and_output_activation_follow_each_other_as_on_creation():
    base = resolve_config()
    cfg = resolve_config({"output_activation": "softmax"}, base)
    assert (cfg["loss"], cfg["output_activation"]) == ("cross_entropy", "softmax")
    assert cfg == resolve_config({"output_activation": "softmax"})
    assert resolve_config({"loss": "bce"}, cfg)["output_activation"] == "sigmoid"
    # mse takes any output, but with mse two classes get one unit, where a softmax would always be 1
    assert resolve_config({"loss": "mse"}, cfg)["output_activation"] == "sigmoid"
    three = resolve_config({"dataset": "spiral3"}, base)
    assert resolve_config({"loss": "mse"}, three)["output_activation"] == "softmax"  # three units
    with pytest.raises(ConfigError) as e:
        resolve_config({"output_activation": "sigmoid", "loss": "cross_entropy"}, base)
    assert e.value.field == "loss"


def test_one_activation_for_all_layers_or_a_list_of_the_same_is_the_same_network():
    base = resolve_config({"hidden_layers": [4, 2], "activation": "tanh"})
    assert not structural_change(base, resolve_config({"activation": ["tanh", "tanh"]}, base))
    assert structural_change(base, resolve_config({"activation": ["tanh", "relu"]}, base))


def test_resolve_is_idempotent_and_does_not_mutate():
    partial = {"hidden_layers": [3], "dataset": "xor"}
    cfg = resolve_config(partial)
    assert partial == {"hidden_layers": [3], "dataset": "xor"}
    assert resolve_config(cfg) == cfg
    assert resolve_config({}, cfg) == cfg


def test_live_and_structural_fields():
    assert LIVE_FIELDS == {"optimizer", "learning_rate", "momentum", "batch_size", "l1", "l2"}
    names = [p.name for p in PROPERTIES]
    assert len(names) == len(set(names))
    base = resolve_config()
    assert not structural_change(base, resolve_config({"learning_rate": 0.1, "l2": 0.01, "optimizer": "adam"}, base))
    for partial in ({"seed": 1}, {"hidden_layers": [4]}, {"activation": "relu"}, {"noise": 0.1},
                    {"dataset": "xor"}, {"init": "he"}, {"features": ["x1"]}, {"n_samples": 200}):
        assert structural_change(base, resolve_config(partial, base)), partial


def test_every_property_default_is_valid_and_documented():
    for p in PROPERTIES:
        assert p.help, p.name
        assert p.group in ("data", "network", "training")
        if p.minimum is not None and p.default is not None and p.type in ("int", "float"):
            assert p.minimum <= p.default <= p.maximum
