"""The engine learns: held-out accuracy and error after a fixed number of
updates with the default hyper-parameters (tanh, lr 0.03, batch 10, sgd)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from engine import Trainer

# (dataset, hidden layers, updates): each reaches ≥ 95 % with a margin for seeds 0, 1, 2
CASES = [("xor", [4, 4], 3000), ("circle", [4, 4], 3000), ("gauss", [4, 2], 500)]


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("dataset,hidden,steps", CASES)
def test_classification_reaches_95_percent_on_held_out_data(dataset, hidden, steps, seed):
    t = Trainer({"dataset": dataset, "hidden_layers": hidden, "activation": "tanh",
                 "learning_rate": 0.03, "batch_size": 10, "seed": seed})
    assert t.step(steps) == steps
    snap = t.snapshot()
    assert snap["status"] == "ok"
    assert snap["accuracy"]["test"] >= 0.95, snap["accuracy"]
    # the reported accuracy is the fraction of held-out points on the right side of 0.5
    pred = t.network.predict(t.x_test)[:, 0] > 0.5
    assert snap["accuracy"]["test"] == np.mean(pred == t.labels_test)
    # and training made the loss fall
    first = t.history.series()["train_loss"][0]
    assert snap["loss"]["train"] < first / 3


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_plane_regression_reaches_small_test_error(seed):
    t = Trainer({"dataset": "plane", "seed": seed})
    assert (t.config["loss"], t.config["output_activation"]) == ("mse", "linear")
    t.step(3000)
    snap = t.snapshot()
    assert snap["accuracy"] is None
    assert snap["loss"]["test"] < 0.01
    mse = float(np.mean((t.network.predict(t.x_test) - t.y_test) ** 2))
    assert snap["loss"]["test"] == pytest.approx(mse, rel=1e-12)


def test_three_classes_learn_too():
    t = Trainer({"dataset": "spiral3", "hidden_layers": [16, 16], "optimizer": "adam", "learning_rate": 0.01})
    start = t.snapshot()["loss"]["train"]
    t.step(4000)
    snap = t.snapshot()
    assert snap["loss"]["train"] < 0.3 * start
    assert snap["accuracy"]["train"] > 0.9
    assert snap["accuracy"]["test"] > 0.7  # far above chance (1/3)


@pytest.mark.parametrize("optimizer,lr", [("momentum", 0.01), ("adam", 0.01)])
def test_other_optimizers_learn_xor(optimizer, lr):
    t = Trainer({"dataset": "xor", "hidden_layers": [4, 4], "optimizer": optimizer, "learning_rate": lr})
    t.step(2000)
    assert t.snapshot()["accuracy"]["test"] >= 0.95


def test_as_good_as_scikit_learn_on_the_same_data():
    """scikit-learn's MLPClassifier with the same architecture, activation,
    plain SGD, learning rate and batch size, for the same number of updates
    (120 epochs of 25 batches), on exactly the data our network sees."""
    sklearn_nn = pytest.importorskip("sklearn.neural_network")
    t = Trainer({"dataset": "xor", "hidden_layers": [4, 4], "seed": 0})
    t.step(3000)
    ours = t.snapshot()["accuracy"]["test"]
    clf = sklearn_nn.MLPClassifier(hidden_layer_sizes=(4, 4), activation="tanh", solver="sgd", learning_rate_init=0.03,
                                   momentum=0.0, batch_size=10, max_iter=120, alpha=0.0, random_state=0,
                                   n_iter_no_change=1000, tol=0.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf.fit(t.x_train, t.labels_train.astype(int))
    theirs = clf.score(t.x_test, t.labels_test.astype(int))
    assert theirs >= 0.9  # the task is learnable by this architecture in this many updates
    assert ours >= theirs - 0.03
