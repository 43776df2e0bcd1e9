"""The inspector's endpoints: the next mini-batch, and one gradient checked by finite differences."""

from __future__ import annotations

import numpy as np
import pytest

API = "/api/sessions"


def loss(W: list[np.ndarray], b: list[np.ndarray], x: np.ndarray, y: np.ndarray) -> float:
    """bce of the default tanh-tanh-sigmoid network, written out independently."""
    a = x
    for i, (w, bias) in enumerate(zip(W, b, strict=True)):
        z = a @ w.T + bias
        a = np.tanh(z) if i < len(W) - 1 else 1 / (1 + np.exp(-z))
    return float(np.mean(-(y * np.log(a) + (1 - y) * np.log(1 - a))))


def test_next_batch_is_the_batch_the_next_step_trains_on(client, api):
    s = api.create(client, learning_rate=0.1)
    for steps in (0, 7, 18):  # the first, a middle one, and across an epoch boundary (25 batches/epoch)
        if steps:
            api.step(client, s["id"], steps)
        before = client.get(f"{API}/{s['id']}").json()["state"]
        batch = client.get(f"{API}/{s['id']}/batch").json()
        assert batch["step"] == before["step"] + 1
        data = client.get(f"{API}/{s['id']}/data").json()["train"]
        assert batch["x"] == [data["x"][i] for i in batch["indices"]]
        trace = client.post(f"{API}/{s['id']}/trace", json={"x": batch["x"], "y": batch["y"]}).json()
        after = api.step(client, s["id"], 1)
        for layer_before, layer_trace, layer_after in zip(before["layers"], trace["layers"], after["layers"], strict=True):
            # sgd: W_after = W_before − η · ∂L/∂W of exactly that batch
            expected = np.array(layer_before["W"]) - 0.1 * np.array(layer_trace["dW"])
            np.testing.assert_allclose(layer_after["W"], expected, rtol=0, atol=1e-15)
            assert layer_after["dW"] == layer_trace["dW"]


@pytest.mark.parametrize(("layer", "param", "row", "col"), [(0, "W", 3, 1), (1, "W", 0, 2), (2, "b", 0, None)])
def test_gradcheck_agrees_with_an_independent_finite_difference(client, api, layer, param, row, col):
    s = api.create(client)
    state = api.step(client, s["id"], 40)
    batch = client.get(f"{API}/{s['id']}/batch").json()
    body = {"x": batch["x"], "y": batch["y"], "layer": layer, "param": param, "row": row, "col": col}
    got = client.post(f"{API}/{s['id']}/gradcheck", json=body).json()
    W = [np.array(x["W"]) for x in state["layers"]]
    b = [np.array(x["b"]) for x in state["layers"]]
    x, y = np.array(batch["x"]), np.array(batch["y"])
    eps = 1e-5
    target = (W if param == "W" else b)[layer]
    index = (row, col) if param == "W" else (row,)
    target[index] += eps
    up = loss(W, b, x, y)
    target[index] -= 2 * eps
    down = loss(W, b, x, y)
    mine = (up - down) / (2 * eps)
    assert got["analytic"] == pytest.approx(mine, rel=1e-6)
    assert got["numeric"] == pytest.approx(mine, rel=1e-6)
    assert got["relative_error"] < 1e-6
    # and the analytic value is the trace's gradient
    trace = client.post(f"{API}/{s['id']}/trace", json={"x": batch["x"], "y": batch["y"]}).json()
    grads = trace["layers"][layer]["dW" if param == "W" else "db"]
    assert got["analytic"] == (grads[row][col] if param == "W" else grads[row])


def test_trace_gives_the_activation_derivative(client, api):
    s = api.create(client)
    batch = client.get(f"{API}/{s['id']}/batch").json()
    trace = client.post(f"{API}/{s['id']}/trace", json={"x": batch["x"], "y": batch["y"]}).json()
    for layer in trace["layers"][:-1]:  # tanh: ∂a/∂z = 1 − a², and δ = ∂L/∂a · ∂a/∂z
        a = np.array(layer["a"])
        np.testing.assert_allclose(layer["da_dz"], 1 - a * a, rtol=1e-12)
        np.testing.assert_allclose(layer["dL_dz"], np.array(layer["dL_da"]) * (1 - a * a), rtol=1e-10)


def test_gradcheck_refuses_indices_outside_the_layer(client, api):
    s = api.create(client)
    batch = client.get(f"{API}/{s['id']}/batch").json()
    r = client.post(f"{API}/{s['id']}/gradcheck", json={"x": batch["x"], "y": batch["y"], "layer": 5, "row": 0,
                                                        "col": 0})
    assert r.status_code == 422 and r.json()["field"] == "layer"
    r = client.post(f"{API}/{s['id']}/gradcheck", json={"x": batch["x"], "y": batch["y"], "layer": 0, "row": 4,
                                                        "col": 0})
    assert r.status_code == 422 and "row must be in [0, 3]" in r.json()["detail"]
    assert client.get(f"{API}/nope/batch").status_code == 404


def test_gradcheck_of_a_bias_refuses_a_column(client, api):
    # b is a vector: a column given with it means the caller has the wrong parameter in mind
    s = api.create(client)
    batch = client.get(f"{API}/{s['id']}/batch").json()
    body = {"x": batch["x"], "y": batch["y"], "layer": 0, "param": "b", "row": 1}
    r = client.post(f"{API}/{s['id']}/gradcheck", json={**body, "col": 1})
    assert r.status_code == 422 and r.json()["field"] == "col" and "leave col out" in r.json()["detail"]
    ok = client.post(f"{API}/{s['id']}/gradcheck", json=body)
    assert ok.status_code == 200 and abs(ok.json()["relative_error"]) < 1e-6
