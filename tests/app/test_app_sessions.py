"""The REST surface of API.md, endpoint by endpoint."""

from __future__ import annotations

import base64
import copy
import json
import math
import re
from pathlib import Path

import numpy as np
import pytest

API = "/api/sessions"

DEFAULTS = {
    "dataset": "circle", "n_samples": 500, "noise": 0.0, "train_fraction": 0.5, "features": ["x1", "x2"],
    "hidden_layers": [4, 2], "activation": "tanh", "output_activation": "sigmoid", "loss": "bce",
    "init": "xavier", "optimizer": "sgd", "learning_rate": 0.03, "momentum": 0.9, "batch_size": 10,
    "l1": 0.0, "l2": 0.0, "seed": 0,
}


def shapes(state: dict) -> list[tuple[tuple[int, int], int]]:
    return [(np.shape(layer["W"]), len(layer["b"])) for layer in state["layers"]]


# -- health and catalog -------------------------------------------------------------
def test_health(client, api):
    r = client.get("/api/health")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok"
    assert isinstance(body["version"], str) and body["version"]


def test_catalog_lists_everything_api_md_names(client):
    r = client.get("/api/catalog")
    assert r.status_code == 200
    cat = r.json()
    for key in ("datasets", "activations", "losses", "optimizers", "features", "presets", "limits"):
        assert key in cat, key
    datasets = {d["name"]: d for d in cat["datasets"]}
    assert {"circle", "xor", "gauss", "spiral", "moons", "spiral3", "plane", "multigauss", "sine"} <= set(datasets)
    for d in datasets.values():
        assert {"name", "task", "inputs", "classes"} <= set(d)
    assert datasets["circle"]["task"] == "classification" and datasets["circle"]["classes"] == 2
    assert datasets["spiral3"]["classes"] == 3
    assert datasets["sine"]["task"] == "regression" and datasets["sine"]["inputs"] == 1
    assert datasets["plane"]["task"] == "regression"
    names = [a["name"] if isinstance(a, dict) else a for a in cat["activations"]]
    assert {"tanh", "relu", "sigmoid", "linear"} <= set(names)
    losses = [x["name"] if isinstance(x, dict) else x for x in cat["losses"]]
    assert {"mse", "bce", "cross_entropy"} <= set(losses)
    assert {"sgd", "momentum", "adam"} <= set(cat["optimizers"])
    features = [f["name"] if isinstance(f, dict) else f for f in cat["features"]]
    assert set(features) == {"x1", "x2", "x1_sq", "x2_sq", "x1x2", "sin_x1", "sin_x2"}
    assert isinstance(cat["presets"], list)
    limits = cat["limits"]
    assert limits["n_samples"] == [10, 5000]
    assert limits["steps_per_request"][1] == 100_000


def test_the_catalogs_ranges_say_which_ends_are_open_as_the_server_checks_them(client):
    """A script that built configurations from the catalog's minimum and maximum got 422s:
    learning_rate 0 and momentum 1 are refused. Each numeric setting's ends, sent as they are,
    are accepted exactly when the catalog says the end is closed."""
    numeric = [c for c in client.get("/api/catalog").json()["config"]
               if c["type"] in ("int", "float") and c["minimum"] is not None]
    assert {c["name"] for c in numeric if c["exclusive_minimum"]} == {"learning_rate"}
    assert {c["name"] for c in numeric if c["exclusive_maximum"]} == {"momentum"}
    for c in numeric:
        for end, open_ in ((c["minimum"], c["exclusive_minimum"]), (c["maximum"], c["exclusive_maximum"])):
            value = int(end) if c["type"] == "int" else float(end)
            if c["name"] == "batch_size" and value == end == c["maximum"]:
                continue  # bounded by the training set's size too (its message says so)
            r = client.post(API, json={c["name"]: value})
            assert r.status_code == (422 if open_ else 201), (c["name"], value, r.text)


# -- create and read ----------------------------------------------------------------
def test_create_defaults_match_api_md(client, api):
    r = client.post(API)
    assert r.status_code == 201
    s = api.json(r.text)
    assert set(s) == {"id", "watch_id", "config", "state"}
    for key, value in DEFAULTS.items():
        assert s["config"][key] == value, key
    state = s["state"]
    assert state["step"] == 0 and state["epoch"] == 0.0 and state["status"] == "ok"
    assert shapes(state) == [((4, 2), 4), ((2, 4), 2), ((1, 2), 1)]
    assert [layer["activation"] for layer in state["layers"]] == ["tanh", "tanh", "sigmoid"]
    assert all(layer["dW"] is None and layer["db"] is None for layer in state["layers"])
    assert set(state["loss"]) == {"train", "test"} and set(state["accuracy"]) == {"train", "test"}


def test_create_with_an_empty_object_is_the_same_as_no_body(client, api):
    a = api.json(client.post(API, json={}).text)
    b = api.json(client.post(API).text)
    assert a["config"] == b["config"]
    assert api.weights(a["state"]) == api.weights(b["state"])


def test_ids_are_distinct_urlsafe_and_long(client, api):
    seen = set()
    for _ in range(5):
        s = api.create(client)
        for token in (s["id"], s["watch_id"]):
            assert re.fullmatch(r"[A-Za-z0-9_-]+", token), token
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            assert len(raw) * 8 >= 128
            assert token not in seen
            seen.add(token)
        assert s["id"] != s["watch_id"]


def test_defaults_follow_the_task(client, api):
    s = api.create(client, dataset="spiral3")
    assert (s["config"]["loss"], s["config"]["output_activation"]) == ("cross_entropy", "softmax")
    assert np.shape(s["state"]["layers"][-1]["W"]) == (3, 2)
    s = api.create(client, dataset="sine")
    assert (s["config"]["loss"], s["config"]["output_activation"]) == ("mse", "linear")
    assert s["config"]["features"] == ["x1"] and s["state"]["accuracy"] is None
    assert np.shape(s["state"]["layers"][0]["W"]) == (4, 1)


def test_get_returns_the_session(client, api):
    s = api.create(client, dataset="xor", hidden_layers=[3], seed=7)
    g = api.get(client, s["id"])
    assert g["id"] == s["id"] and g["watch_id"] == s["watch_id"]
    assert g["config"] == s["config"]
    assert g["state"] == s["state"]


def test_per_layer_activation_list(client, api):
    s = api.create(client, hidden_layers=[3, 3], activation=["relu", "sigmoid"])
    assert [layer["activation"] for layer in s["state"]["layers"]] == ["relu", "sigmoid", "sigmoid"]


def test_custom_points(client, api):
    pts = {"x": [[-1, -1], [1, 1], [-1, 1], [1, -1], [0.5, 0.5], [-0.5, -0.5], [2, 2], [-2, -2], [2, -2], [-2, 2]],
           "y": [0, 1, 0, 1, 1, 0, 1, 0, 1, 0]}
    s = api.create(client, dataset="custom", task="classification", points=pts, batch_size=1)
    assert s["config"]["points"]["y"] == pts["y"]
    data = client.get(f"{API}/{s['id']}/data").json()
    assert len(data["train"]["x"]) + len(data["test"]["x"]) == 10
    reg = api.create(client, dataset="custom", task="regression",
                     points={"x": [[0.5 * i] for i in range(10)], "y": [0.25 * i for i in range(10)]}, batch_size=1)
    assert reg["config"]["loss"] == "mse" and reg["state"]["accuracy"] is None


def test_a_saved_session_with_fewer_points_than_now_allowed_imports_and_trains(client):
    # saved by 4157cbd, when four points of one's own were enough (see tests/engine/test_trainer.py)
    doc = json.loads((Path(__file__).parents[1] / "engine" / "fixtures" / "six-points-4157cbd.json").read_text())
    r = client.post(f"{API}/import", json=doc)
    assert r.status_code == 201, r.text
    s = r.json()
    assert s["state"]["step"] == 5 and s["config"]["points"] == doc["state"]["config"]["points"]
    assert client.post(f"{API}/{s['id']}/step", json={"steps": 3}).json()["step"] == 8
    assert client.patch(f"{API}/{s['id']}", json={"learning_rate": 0.2}).status_code == 200
    pts = doc["state"]["config"]["points"]
    more = client.patch(f"{API}/{s['id']}", json={"points": {"x": pts["x"] + [[0, 0]], "y": pts["y"] + [1]}})
    assert more.status_code == 422 and "points" in more.text
    assert client.get(f"{API}/{s['id']}").json()["config"]["points"] == pts  # nothing lost


# -- patch --------------------------------------------------------------------------
def test_patch_live_hyper_parameter_keeps_the_weights(client, api):
    s = api.create(client)
    after = api.step(client, s["id"], 5)
    r = client.patch(f"{API}/{s['id']}", json={"learning_rate": 0.5, "l2": 0.01, "batch_size": 25,
                                                "optimizer": "momentum", "momentum": 0.5})
    assert r.status_code == 200, r.text
    body = api.json(r.text)
    assert set(body) >= {"config", "reset", "state"}
    assert body["reset"] is False
    assert body["config"]["learning_rate"] == 0.5 and body["config"]["batch_size"] == 25
    assert body["config"]["optimizer"] == "momentum"
    assert body["state"]["step"] == 5
    assert api.weights(body["state"]) == api.weights(after)
    # and the new rate is the one the next update uses: sgd with η = 0.5 on the last gradient
    again = client.patch(f"{API}/{s['id']}", json={"optimizer": "sgd", "l2": 0.0, "batch_size": 10}).json()
    assert again["reset"] is False
    stepped = api.step(client, s["id"])
    W0 = np.array(again["state"]["layers"][0]["W"])
    W1 = np.array(stepped["layers"][0]["W"])
    dW = np.array(stepped["layers"][0]["dW"])
    np.testing.assert_allclose(W1, W0 - 0.5 * dW, rtol=0, atol=1e-12)


def test_patch_structural_change_rebuilds_and_resets(client, api):
    s = api.create(client)
    api.step(client, s["id"], 7)
    r = client.patch(f"{API}/{s['id']}", json={"hidden_layers": [5, 3, 2]})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["reset"] is True
    assert body["state"]["step"] == 0
    assert body["config"]["hidden_layers"] == [5, 3, 2]
    assert shapes(body["state"]) == [((5, 2), 5), ((3, 5), 3), ((2, 3), 2), ((1, 2), 1)]
    assert api.get(client, s["id"])["state"]["step"] == 0


def test_patch_seed_is_structural(client, api):
    s = api.create(client)
    api.step(client, s["id"], 3)
    body = client.patch(f"{API}/{s['id']}", json={"seed": 9}).json()
    assert body["reset"] is True and body["state"]["step"] == 0
    assert api.weights(body["state"]) == api.weights(api.create(client, seed=9)["state"])


def test_patch_without_a_change_resets_nothing(client, api):
    s = api.create(client)
    after = api.step(client, s["id"], 3)
    for change in ({}, {"hidden_layers": [4, 2]}, {"dataset": "circle", "activation": "tanh"}):
        body = client.patch(f"{API}/{s['id']}", json=change).json()
        assert body["reset"] is False, change
        assert body["state"]["step"] == 3 and api.weights(body["state"]) == api.weights(after)


def test_patch_resending_the_data_set_keeps_the_users_choices(client, api):
    s = api.create(client, features=["x1", "x2", "x1x2"], loss="mse")
    after = api.step(client, s["id"], 5)
    body = client.patch(f"{API}/{s['id']}", json={"dataset": "circle", "learning_rate": 0.1}).json()
    assert body["reset"] is False and body["state"]["step"] == 5
    assert api.weights(body["state"]) == api.weights(after)
    assert (body["config"]["features"], body["config"]["loss"], body["config"]["learning_rate"]) == (
        ["x1", "x2", "x1x2"], "mse", 0.1)
    body = client.patch(f"{API}/{s['id']}", json={"dataset": "xor"}).json()  # new data: a reset, same choices
    assert body["reset"] is True and body["state"]["step"] == 0
    assert (body["config"]["features"], body["config"]["loss"]) == (["x1", "x2", "x1x2"], "mse")
    assert len(body["state"]["layers"][0]["W"][0]) == 3


def test_patch_output_activation_brings_its_loss_as_on_creation(client, api):
    s = api.create(client)
    r = client.patch(f"{API}/{s['id']}", json={"output_activation": "softmax"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["config"]["loss"], body["config"]["output_activation"]) == ("cross_entropy", "softmax")
    assert len(body["state"]["layers"][-1]["W"]) == 2  # two softmax units for two classes
    assert body["config"] == api.create(client, output_activation="softmax")["config"] | {"seed": body["config"]["seed"]}


@pytest.mark.parametrize("how", ["create", "patch"])
def test_a_noise_of_negative_zero_is_zero_and_the_session_resets_exports_and_imports(client, api, how):
    # numpy refuses a noise scale of -0.0; once stored, every reset and the saved session failed
    s = api.create(client, noise=-0.0) if how == "create" else api.create(client)
    if how == "patch":
        r = client.patch(f"{API}/{s['id']}", json={"noise": -0.0})
        assert r.status_code == 200, r.text
    api.step(client, s["id"], 2)
    r = client.post(f"{API}/{s['id']}/reset", json={"seed": 3})
    assert r.status_code == 200, r.text
    config = api.get(client, s["id"])["config"]
    assert config["noise"] == 0 and math.copysign(1.0, config["noise"]) == 1.0  # stored as 0.0, not -0.0
    doc = client.get(f"{API}/{s['id']}/export").json()
    r = client.post(f"{API}/import", json=doc)
    assert r.status_code == 201, r.text


def test_a_small_data_set_takes_the_default_batch_size_down_with_it(client, api):
    # 10 samples (the documented minimum) leave 5 training points: the default batch of 10 follows
    s = api.create(client, n_samples=10)
    assert s["config"]["batch_size"] == 5
    assert api.step(client, s["id"], 2)["step"] == 2
    r = client.post(API, json={"n_samples": 10, "batch_size": 10})  # one the client chose is checked
    assert r.status_code == 422 and r.json()["field"] == "batch_size"


def test_a_softmax_over_one_output_is_refused_on_its_field(client, api):
    r = client.post(API, json={"dataset": "plane", "output_activation": "softmax"})
    assert r.status_code == 422 and r.json()["field"] == "output_activation" and "always 1" in r.json()["detail"]
    s = api.create(client, dataset="plane")
    r = client.patch(f"{API}/{s['id']}", json={"output_activation": "softmax"})
    assert r.status_code == 422 and r.json()["field"] == "output_activation"


def test_patch_dataset_rederives_loss_and_features(client, api):
    s = api.create(client)
    body = client.patch(f"{API}/{s['id']}", json={"dataset": "sine"}).json()
    assert body["reset"] is True
    assert body["config"]["loss"] == "mse" and body["config"]["features"] == ["x1"]


def test_patch_invalid_leaves_the_session_unchanged(client, api):
    s = api.create(client)
    api.step(client, s["id"], 3)
    before = api.get(client, s["id"])
    r = client.patch(f"{API}/{s['id']}", json={"batch_size": 400})
    assert r.status_code == 422
    assert r.json()["field"] == "batch_size"
    assert api.get(client, s["id"]) == before


# -- step ---------------------------------------------------------------------------
def test_step_default_is_one(client, api):
    s = api.create(client)
    snap = api.step(client, s["id"])
    assert snap["step"] == 1 and snap["steps_run"] == 1
    assert all(layer["dW"] is not None and layer["db"] is not None for layer in snap["layers"])
    r = client.post(f"{API}/{s['id']}/step", json={})
    assert r.json()["step"] == 2


@pytest.mark.parametrize("n", [1, 3, 25, 137])
def test_step_runs_exactly_n_updates(client, api, n):
    s = api.create(client)
    snap = api.step(client, s["id"], n)
    assert snap["step"] == n and snap["steps_run"] == n
    assert snap.get("stopped_early") is None
    assert snap["epoch"] == pytest.approx(n * 10 / 250)
    assert api.get(client, s["id"])["state"]["step"] == n


def test_step_limits(client, api):
    s = api.create(client)
    for bad in (0, -1, 100_001, 1.5, "ten", None, [2]):
        r = client.post(f"{API}/{s['id']}/step", json={"steps": bad})
        assert r.status_code == 422, (bad, r.text)
        assert r.json()["field"] == "steps"
    r = client.post(f"{API}/{s['id']}/step", json={"steps": 100_001})
    assert "100000" in r.json()["detail"].replace(",", "").replace("_", "")
    assert api.get(client, s["id"])["state"]["step"] == 0


def test_step_stops_at_the_time_limit_and_says_so(make_client, api):
    client = make_client(step_time_limit=0.05)
    s = api.create(client, hidden_layers=[64, 64, 64], n_samples=5000, batch_size=2500)
    snap = api.step(client, s["id"], 100_000)
    assert 0 < snap["steps_run"] < 100_000
    assert snap["step"] == snap["steps_run"]
    assert "time limit" in snap["stopped_early"]


def test_step_trains(client, api):
    s = api.create(client, dataset="gauss", learning_rate=0.1)
    before = s["state"]["loss"]["train"]
    after = api.step(client, s["id"], 300)["loss"]["train"]
    assert after < before


# -- reset --------------------------------------------------------------------------
def test_reset_same_seed_gives_identical_weights_and_data(client, api):
    s = api.create(client, seed=3, noise=0.2)
    sid = s["id"]
    data0 = client.get(f"{API}/{sid}/data").json()
    api.step(client, sid, 20)
    r = client.post(f"{API}/{sid}/reset")
    assert r.status_code == 200
    snap = r.json()
    assert snap["step"] == 0 and snap["epoch"] == 0.0
    assert all(layer["dW"] is None for layer in snap["layers"])
    assert api.weights(snap) == api.weights(s["state"])
    assert client.get(f"{API}/{sid}/data").json() == data0
    snap = client.post(f"{API}/{sid}/reset", json={"seed": 3}).json()
    assert api.weights(snap) == api.weights(s["state"])
    # the same updates follow, too
    a = api.step(client, sid, 15)
    client.post(f"{API}/{sid}/reset")
    assert api.step(client, sid, 15) == a


def test_reset_new_seed_changes_weights_and_data(client, api):
    s = api.create(client, seed=3, noise=0.2)
    sid = s["id"]
    data0 = client.get(f"{API}/{sid}/data").json()
    snap = client.post(f"{API}/{sid}/reset", json={"seed": 4}).json()
    assert api.weights(snap) != api.weights(s["state"])
    assert client.get(f"{API}/{sid}/data").json() != data0
    assert api.get(client, sid)["config"]["seed"] == 4
    # and a second session created with seed 4 matches it exactly
    other = api.create(client, seed=4, noise=0.2)
    assert api.weights(other["state"]) == api.weights(snap)


def test_reset_bad_seed(client, api):
    s = api.create(client)
    for bad in (-1, 2**32, "x", 0.5):
        r = client.post(f"{API}/{s['id']}/reset", json={"seed": bad})
        assert r.status_code == 422, bad
        assert r.json()["field"] == "seed"


# -- weights ------------------------------------------------------------------------
def test_put_weights_then_get_returns_them(client, api):
    s = api.create(client)
    sid = s["id"]
    rng = np.random.default_rng(1)
    layers = [{"W": rng.normal(size=np.shape(layer["W"])).tolist(), "b": rng.normal(size=len(layer["b"])).tolist()}
              for layer in s["state"]["layers"]]
    r = client.put(f"{API}/{sid}/weights", json={"layers": layers})
    assert r.status_code == 200, r.text
    assert api.weights(r.json()) == [(x["W"], x["b"]) for x in layers]
    assert api.weights(api.get(client, sid)["state"]) == [(x["W"], x["b"]) for x in layers]


def test_a_snapshots_layers_can_be_put_back_as_they_are(client, api):
    """Read, change one weight, put back: the snapshot's layers were refused for their
    activation, dW and db. Those are now taken, not set; another activation is a 422."""
    s = api.create(client)
    sid = s["id"]
    state = api.step(client, sid, 3)
    layers = copy.deepcopy(state["layers"])
    assert layers[0]["dW"] is not None and layers[0]["activation"] == "tanh"
    layers[0]["W"][1][0] = 0.75
    layers[0]["dW"][0][0] = 123.0  # ignored
    r = client.put(f"{API}/{sid}/weights", json={"layers": layers})
    assert r.status_code == 200, r.text
    after = api.get(client, sid)["state"]
    assert after["layers"][0]["W"][1][0] == 0.75
    assert api.weights(after) == [(x["W"], x["b"]) for x in layers]
    assert after["layers"][0]["dW"] == state["layers"][0]["dW"]  # the last update's, unchanged
    layers[1]["activation"] = "relu"
    layers[1]["W"][0][0] = -0.5
    r = client.put(f"{API}/{sid}/weights", json={"layers": layers})
    assert r.status_code == 422 and r.json()["field"] == "layers[1].activation"
    assert "PATCH" in r.json()["detail"]
    assert api.get(client, sid)["state"]["layers"][1]["W"][0][0] != -0.5  # nothing set
    layers[1]["activation"] = "tanh"
    layers[1]["colour"] = "red"  # a key no snapshot has: still refused by name
    r = client.put(f"{API}/{sid}/weights", json={"layers": layers})
    assert r.status_code == 422 and r.json()["field"] == "layers[1].colour"


def test_put_weights_changes_the_loss(client, api):
    s = api.create(client)
    zero = [{"W": np.zeros(np.shape(x["W"])).tolist(), "b": [0.0] * len(x["b"])} for x in s["state"]["layers"]]
    snap = client.put(f"{API}/{s['id']}/weights", json={"layers": zero}).json()
    assert snap["loss"]["train"] == pytest.approx(np.log(2))


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda ls: ls.pop(), "layers"),
        (lambda ls: ls.append(ls[-1]), "layers"),
        (lambda ls: ls[0]["W"].pop(), "layers[0].W"),
        (lambda ls: ls[1].update(W=[row + [0.5] for row in ls[1]["W"]]), "layers[1].W"),
        (lambda ls: ls[0].update(W=ls[0]["W"][0]), "layers[0].W"),
        (lambda ls: ls[2]["b"].append(0.0), "layers[2].b"),
        (lambda ls: ls[1].update(b=[]), "layers[1].b"),
    ],
)
def test_put_weights_shape_mismatch_is_422_naming_the_field(client, api, mutate, field):
    s = api.create(client)
    layers = copy.deepcopy([{"W": x["W"], "b": x["b"]} for x in s["state"]["layers"]])
    mutate(layers)
    r = client.put(f"{API}/{s['id']}/weights", json={"layers": layers})
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["field"].startswith(field)
    assert field.split(".")[0].split("[")[0] in body["detail"]
    assert api.weights(api.get(client, s["id"])["state"]) == api.weights(s["state"])


def test_put_weights_ragged_rows_are_422(client, api):
    s = api.create(client)
    layers = copy.deepcopy([{"W": x["W"], "b": x["b"]} for x in s["state"]["layers"]])
    layers[1]["W"][0].append(0.5)  # one row longer than the others
    r = client.put(f"{API}/{s['id']}/weights", json={"layers": layers})
    assert r.status_code == 422, r.text
    assert r.json()["field"].startswith("layers[1]")
    assert "W" in r.json()["detail"]


def test_put_weights_missing_key_and_nan(client, api):
    s = api.create(client)
    layers = [{"W": x["W"], "b": x["b"]} for x in s["state"]["layers"]]
    r = client.put(f"{API}/{s['id']}/weights", json={"layers": [{"W": layers[0]["W"]}, *layers[1:]]})
    assert r.status_code == 422 and r.json()["field"].startswith("layers[0]")
    text = '{"layers": [{"W": [[NaN, 0], [0, 0], [0, 0], [0, 0]], "b": [0, 0, 0, 0]}]}'
    r = client.put(f"{API}/{s['id']}/weights", content=text.encode(), headers={"content-type": "application/json"})
    assert r.status_code == 422
    assert r.json()["field"].startswith("layers")


# -- data ---------------------------------------------------------------------------
def test_data_shapes(client, api):
    s = api.create(client, n_samples=200, train_fraction=0.3)
    data = client.get(f"{API}/{s['id']}/data").json()
    assert np.shape(data["train"]["x"]) == (60, 2) and np.shape(data["train"]["y"]) == (60, 1)
    assert np.shape(data["test"]["x"]) == (140, 2) and np.shape(data["test"]["y"]) == (140, 1)
    assert set(np.ravel(data["train"]["y"])) <= {0.0, 1.0}
    s = api.create(client, dataset="spiral3", n_samples=90)
    data = client.get(f"{API}/{s['id']}/data").json()
    y = np.array(data["train"]["y"])
    assert y.shape == (45, 3)
    np.testing.assert_array_equal(y.sum(axis=1), 1.0)  # one-hot


def test_data_features_are_transformed(client, api):
    s = api.create(client, features=["x1", "x1_sq"])
    x = np.array(client.get(f"{API}/{s['id']}/data").json()["train"]["x"])
    assert x.shape[1] == 2
    np.testing.assert_allclose(x[:, 1], x[:, 0] ** 2, rtol=1e-12)
    assert np.shape(s["state"]["layers"][0]["W"]) == (4, 2)
    s = api.create(client, features=["x1", "x2", "x1x2", "sin_x2"])
    x = np.array(client.get(f"{API}/{s['id']}/data").json()["test"]["x"])
    np.testing.assert_allclose(x[:, 2], x[:, 0] * x[:, 1], rtol=1e-12)
    np.testing.assert_allclose(x[:, 3], np.sin(x[:, 1]), rtol=1e-12)
    assert np.shape(s["state"]["layers"][0]["W"]) == (4, 4)


# -- history ------------------------------------------------------------------------
def test_history_lengths_match_the_steps(client, api):
    s = api.create(client, hidden_layers=[3, 3])
    sid = s["id"]
    h = client.get(f"{API}/{sid}/history").json()
    assert h["step"] == [] and h["batch_loss"] == []
    api.step(client, sid, 12)
    api.step(client, sid, 8)
    h = client.get(f"{API}/{sid}/history").json()
    assert h["step"] == list(range(1, 21))
    assert len(h["batch_loss"]) == 20
    assert len(h["grad_norms"]) == 3 and all(len(g) == 20 for g in h["grad_norms"])
    assert all(v is not None and v >= 0 for g in h["grad_norms"] for v in g)
    n = len(h["eval_step"])
    assert n >= 2 and h["eval_step"][-1] == 20
    for key in ("train_loss", "test_loss", "train_accuracy", "test_accuracy"):
        assert len(h[key]) == n, key
    assert h["train_loss"][-1] == pytest.approx(api.get(client, sid)["state"]["loss"]["train"])


def test_history_grad_norms_are_those_of_the_last_update(client, api):
    s = api.create(client)
    snap = api.step(client, s["id"], 4)
    h = client.get(f"{API}/{s['id']}/history").json()
    for layer, norms in zip(snap["layers"], h["grad_norms"], strict=True):
        assert norms[-1] == pytest.approx(np.linalg.norm(layer["dW"]), rel=1e-12)


# -- delete -------------------------------------------------------------------------
def test_delete_then_404(client, api):
    s = api.create(client)
    r = client.delete(f"{API}/{s['id']}")
    assert r.status_code == 204 and r.content == b""
    assert client.get(f"{API}/{s['id']}").status_code == 404
    assert client.delete(f"{API}/{s['id']}").status_code == 404
    assert client.get(f"/api/watch/{s['watch_id']}").status_code == 404
