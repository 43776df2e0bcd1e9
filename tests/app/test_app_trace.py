"""``trace`` checked against an independent computation.

The reference here is written from API.md's definitions, in plain NumPy, from
nothing but what the API hands out: ``W``/``b`` from ``GET`` and the batch from
``/data``.  The gradient of one weight is its central difference.
"""

from __future__ import annotations

import numpy as np
import pytest

API = "/api/sessions"
EPS = 1e-6


def act(name: str, z: np.ndarray) -> np.ndarray:
    if name == "tanh":
        return np.tanh(z)
    if name == "relu":
        return np.maximum(z, 0.0)
    if name == "sigmoid":
        return 1.0 / (1.0 + np.exp(-z))
    if name == "linear":
        return z
    if name == "softmax":
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)
    raise AssertionError(f"no reference for {name}")


def reference_loss(layers: list[dict], acts: list[str], loss: str, l1: float, l2: float,
                   x: np.ndarray, y: np.ndarray) -> tuple[float, list[np.ndarray]]:
    """Total batch loss (data + penalty) and each layer's z, from the textbook."""
    a = x
    zs = []
    for layer, name in zip(layers, acts, strict=True):
        z = a @ np.asarray(layer["W"]).T + np.asarray(layer["b"])
        zs.append(z)
        a = act(name, z)
    if loss == "mse":
        data = np.mean((y - a) ** 2)
    elif loss == "bce":
        data = np.mean(-(y * np.log(a) + (1 - y) * np.log(1 - a)))
    else:
        data = np.mean(-np.sum(y * np.log(a), axis=1))
    penalty = sum(l2 * np.sum(np.asarray(x["W"]) ** 2) + l1 * np.sum(np.abs(x["W"])) for x in layers)
    return float(data + penalty), zs


def central_difference(layers, acts, loss, l1, l2, x, y, li, i, j, which="W") -> float:
    def at(delta: float) -> float:
        moved = [{"W": np.array(x_["W"], dtype=float), "b": np.array(x_["b"], dtype=float)} for x_ in layers]
        if which == "W":
            moved[li]["W"][i, j] += delta
        else:
            moved[li]["b"][i] += delta
        return reference_loss(moved, acts, loss, l1, l2, x, y)[0]

    return (at(EPS) - at(-EPS)) / (2 * EPS)


CASES = [
    pytest.param({"dataset": "circle", "noise": 0.1, "l2": 0.01, "l1": 0.003}, id="tanh-sigmoid-bce-l1-l2"),
    pytest.param({"dataset": "spiral3", "hidden_layers": [5, 4], "activation": "relu", "l2": 0.002},
                 id="relu-softmax-cross_entropy"),
    pytest.param({"dataset": "sine", "hidden_layers": [6], "activation": "sigmoid"}, id="sigmoid-linear-mse"),
    pytest.param({"dataset": "moons", "hidden_layers": [3, 3], "loss": "mse", "output_activation": "sigmoid",
                  "features": ["x1", "x2", "x1x2"]}, id="sigmoid-mse-features"),
]


@pytest.mark.parametrize("config", CASES)
def test_trace_matches_finite_differences(client, api, config):
    s = api.create(client, **config)
    sid = s["id"]
    api.step(client, sid, 30)  # away from the initial weights
    session = api.get(client, sid)
    cfg, state = session["config"], session["state"]
    layers = [{"W": x["W"], "b": x["b"]} for x in state["layers"]]
    acts = [x["activation"] for x in state["layers"]]
    data = client.get(f"{API}/{sid}/data").json()
    x = np.array(data["train"]["x"][:17])
    y = np.array(data["train"]["y"][:17])
    n = x.shape[0]

    r = client.post(f"{API}/{sid}/trace", json={"x": x.tolist(), "y": y.tolist()})
    assert r.status_code == 200, r.text
    tr = api.json(r.text)
    assert len(tr["layers"]) == len(layers)
    np.testing.assert_array_equal(np.array(tr["input"]), x)

    loss, zs = reference_loss(layers, acts, cfg["loss"], cfg["l1"], cfg["l2"], x, y)
    assert tr["loss"] == pytest.approx(loss, rel=1e-10)
    assert tr["data_loss"] + tr["penalty"] == pytest.approx(tr["loss"], rel=1e-12)
    for got, z in zip(tr["layers"], zs, strict=True):
        np.testing.assert_allclose(np.array(got["z"]), z, rtol=1e-10, atol=1e-12)

    # every weight of the first and last layer, and some biases, against central differences
    for li in (0, len(layers) - 1):
        dW = np.array(tr["layers"][li]["dW"])
        assert dW.shape == np.shape(layers[li]["W"])
        for i in range(dW.shape[0]):
            for j in range(dW.shape[1]):
                fd = central_difference(layers, acts, cfg["loss"], cfg["l1"], cfg["l2"], x, y, li, i, j)
                assert dW[i, j] == pytest.approx(fd, rel=1e-5, abs=1e-8), (li, i, j)
        db = np.array(tr["layers"][li]["db"])
        fd = central_difference(layers, acts, cfg["loss"], cfg["l1"], cfg["l2"], x, y, li, 0, 0, which="b")
        assert db[0] == pytest.approx(fd, rel=1e-5, abs=1e-8)

    # dL/dz carries the 1/N of the mean: summing it over the batch gives db (biases are not regularised),
    # and dW = dL_dzᵀ · a_prev with no further division
    a_prev = x
    for li, got in enumerate(tr["layers"]):
        dz = np.array(got["dL_dz"])
        assert dz.shape == (n, len(layers[li]["b"]))
        np.testing.assert_allclose(dz.sum(axis=0), np.array(got["db"]), rtol=1e-10, atol=1e-14)
        W = np.asarray(layers[li]["W"])
        penalty_grad = 2 * cfg["l2"] * W + cfg["l1"] * np.sign(W)
        np.testing.assert_allclose(dz.T @ a_prev + penalty_grad, np.array(got["dW"]), rtol=1e-9, atol=1e-12)
        # the penalty's part of dW, for the page to show as its own term
        if cfg["l1"] or cfg["l2"]:
            np.testing.assert_allclose(np.array(got["dW_penalty"]), penalty_grad, rtol=1e-15, atol=0)
            np.testing.assert_allclose(np.array(got["dW"]) - np.array(got["dW_penalty"]), dz.T @ a_prev, rtol=1e-9, atol=1e-12)
        else:
            assert "dW_penalty" not in got
        a_prev = np.array(got["a"])


def test_trace_output_dL_dz_is_mean_scaled(client, api):
    """sigmoid + bce: ∂loss/∂z_i = (ŷ_i − y_i) / N for each sample i of the batch."""
    s = api.create(client)
    data = client.get(f"{API}/{s['id']}/data").json()
    for n in (1, 4, 40):
        x, y = data["test"]["x"][:n], data["test"]["y"][:n]
        tr = client.post(f"{API}/{s['id']}/trace", json={"x": x, "y": y}).json()
        out = tr["layers"][-1]
        expected = (np.array(out["a"]) - np.array(y)) / n
        np.testing.assert_allclose(np.array(out["dL_dz"]), expected, rtol=1e-10, atol=1e-15)


def test_trace_does_not_update(client, api):
    s = api.create(client)
    sid = s["id"]
    before = api.get(client, sid)
    data = client.get(f"{API}/{sid}/data").json()
    r = client.post(f"{API}/{sid}/trace", json={"x": data["train"]["x"], "y": data["train"]["y"]})
    assert r.status_code == 200
    # the whole training set: its loss is the snapshot's train loss
    assert r.json()["loss"] == pytest.approx(before["state"]["loss"]["train"], rel=1e-12)
    assert api.get(client, sid) == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"x": [[0.0, 0.0, 0.0]], "y": [[1.0]]}, "x"),
        ({"x": [[0.0, 0.0]], "y": [[1.0, 0.0]]}, "y"),
        ({"x": [[0.0, 0.0], [1.0, 1.0]], "y": [[1.0]]}, "y"),
        ({"x": [], "y": []}, "x"),
        ({"x": [[0.0, 0.0]]}, "y"),
        ({"x": [[0.0, 0.0]] * 5001, "y": [[0.0]] * 5001}, "x"),
        ({"x": [[0.0, 0.0]], "y": [[1.0]], "z": 1}, "z"),
    ],
)
def test_trace_bad_batches_are_422(client, api, body, field):
    s = api.create(client)
    r = client.post(f"{API}/{s['id']}/trace", json=body)
    assert r.status_code == 422, r.text
    assert r.json()["field"] == field


X2 = "x must be a non-empty list of rows of 2 numbers (N × 2), e.g. [[1.0, -2.0]]"
Y1 = "y must be a non-empty list of rows of 1 number, one row per row of x (N × 1), targets as /data gives them, e.g. [[1.0]]"


@pytest.mark.parametrize(("config", "body", "answer"), [
    ({}, {"x": [1, 2], "y": [1]}, {"field": "x", "detail": X2}),
    ({}, {"x": 5, "y": [[1]]}, {"field": "x", "detail": X2}),
    ({}, {"x": [[1, 2]], "y": [1]}, {"field": "y", "detail": Y1}),
    ({"dataset": "sine"}, {"x": [0.5, 1.5], "y": [[0.1], [0.2]]},
     {"field": "x", "detail": "x must be a non-empty list of rows of 1 number (N × 1), e.g. [[1.0]]"}),
    ({"dataset": "spiral3"}, {"x": [[1, 2]], "y": [2]},
     {"field": "y", "detail": "y must be a non-empty list of rows of 3 numbers, one row per row of x (N × 3), targets "
                              "as /data gives them, e.g. [[0.0, 1.0, 0.0]] (one-hot: 1.0 for the class)"}),
    ({"features": ["x1", "x2", "x1_sq", "x2_sq", "x1x2"]}, {"x": [1, 2], "y": [1]},
     {"field": "x", "detail": "x must be a non-empty list of rows of 5 numbers (N × 5), e.g. [[1.0, -2.0, 1.0, 4.0, "
                              "-2.0]]: x is in feature space, as /data gives it, one number per feature (x1, x2, "
                              "x1_sq, x2_sq, x1x2); that row is the point x1 = 1, x2 = -2"}),
])
@pytest.mark.parametrize("route", ["/api/sessions/{id}/trace", "/api/watch/{watch_id}/trace",
                                   "/api/sessions/{id}/gradcheck"])
def test_a_flat_batch_is_told_the_shape_its_session_wants(client, api, config, body, answer, route):
    """A flat x, the likeliest mistake, was told pydantic's "x[0]: Input should be a valid list"."""
    s = api.create(client, **config)
    extra = {"layer": 0, "row": 0, "col": 0} if route.endswith("gradcheck") else {}
    r = client.post(route.format(**s), json={**body, **extra})
    assert r.status_code == 422 and r.json() == answer


def test_trace_nan_is_422(client, api):
    s = api.create(client)
    r = client.post(f"{API}/{s['id']}/trace", content=b'{"x": [[NaN, 0]], "y": [[1]]}',
                    headers={"content-type": "application/json"})
    assert r.status_code == 422
    assert r.json()["field"].startswith("x")


@pytest.mark.parametrize(("config", "y", "words"), [
    ({}, [[-1.0]], "between 0 and 1"), ({}, [[5.0]], "between 0 and 1"),
    ({"dataset": "spiral3"}, [[0.0, 0.0, 0.0]], "sum to 1"), ({"dataset": "spiral3"}, [[2.0, -1.0, 0.0]], "non-negative"),
])
def test_trace_refuses_targets_its_loss_does_not_define(client, api, config, y, words):
    s = api.create(client, **config)
    r = client.post(f"{API}/{s['id']}/trace", json={"x": [[0.1, 0.2]], "y": y})
    assert r.status_code == 422, r.text
    assert r.json()["field"] == "y" and words in r.json()["detail"]


@pytest.mark.parametrize(("config", "y"), [({}, [[0.25]]), ({"dataset": "spiral3"}, [[0.2, 0.3, 0.5]]),
                                           ({"dataset": "plane"}, [[-7.5]])])
def test_trace_takes_soft_targets_and_any_regression_target(client, api, config, y):
    s = api.create(client, **config)
    r = client.post(f"{API}/{s['id']}/trace", json={"x": [[0.1, 0.2]], "y": y})
    assert r.status_code == 200, r.text
    assert "message" not in r.json()


def test_a_watch_link_reads_data_traces_and_checks_gradients_but_changes_nothing(client, api):
    # what a student's inspector asks of the session it watches
    s = api.create(client, hidden_layers=[3], batch_size=4)
    api.step(client, s["id"], 7)
    own, watched = f"/api/sessions/{s['id']}", f"/api/watch/{s['watch_id']}"
    before = client.get(own).json()
    assert client.get(f"{watched}/data").json() == client.get(f"{own}/data").json()
    body = {"x": [[0.5, -1.0], [2.0, 0.25]], "y": [[1.0], [0.0]]}
    assert client.post(f"{watched}/trace", json=body).json() == client.post(f"{own}/trace", json=body).json()
    check = {**body, "layer": 0, "param": "W", "row": 2, "col": 1}
    answer = client.post(f"{watched}/gradcheck", json=check).json()
    assert answer == client.post(f"{own}/gradcheck", json=check).json()
    # the analytic gradient is the trace's own, and the finite difference agrees with it
    traced = client.post(f"{watched}/trace", json=body).json()
    assert answer["analytic"] == pytest.approx(traced["layers"][0]["dW"][2][1], rel=1e-12)
    assert answer["numeric"] == pytest.approx(answer["analytic"], rel=1e-6)
    assert client.get(own).json() == before  # nothing changed: same step, weights, history
    # bad bodies and unknown links are refused as on the session's own routes
    assert client.post(f"{watched}/trace", json={"x": [[1, 2, 3]], "y": [[1]]}).status_code == 422
    for path in (f"/api/watch/{s['id']}/trace", "/api/watch/nope/trace"):  # a session id is no watch id
        assert client.post(path, json=body).status_code == 404
    assert client.get(f"/api/watch/{s['id']}/data").status_code == 404
