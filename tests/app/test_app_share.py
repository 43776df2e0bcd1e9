"""Export → import, the watch link, and fork."""

from __future__ import annotations

import copy
import json

import numpy as np
import pytest

API = "/api/sessions"


@pytest.mark.parametrize(
    "config",
    [
        {"optimizer": "adam", "noise": 0.2, "batch_size": 7},
        {"optimizer": "momentum", "dataset": "spiral3", "hidden_layers": [6, 4], "activation": "relu", "l2": 0.001},
        {"dataset": "sine", "l1": 0.001, "batch_size": 3},
    ],
    ids=["adam", "momentum-softmax", "sgd-regression"],
)
def test_export_import_continues_bit_for_bit(client, api, config):
    s = api.create(client, **config)
    sid = s["id"]
    api.step(client, sid, 33)  # mid-epoch, with optimizer state
    r = client.get(f"{API}/{sid}/export")
    assert r.status_code == 200
    doc = api.json(r.text)
    assert doc["format"] == "chainrule-session" and doc["version"] == 1
    # the document survives a JSON round trip (it is what a user saves to disk)
    r = client.post(f"{API}/import", content=json.dumps(doc).encode(), headers={"content-type": "application/json"})
    assert r.status_code == 201, r.text
    imported = api.json(r.text)
    assert imported["id"] != sid and imported["watch_id"] != s["watch_id"]
    assert imported["config"] == api.get(client, sid)["config"]
    assert imported["state"] == api.get(client, sid)["state"]
    a = api.step(client, sid, 50)
    b = api.step(client, imported["id"], 50)
    assert a["step"] == b["step"] == 83
    assert api.weights(a) == api.weights(b)  # exactly, float for float
    assert a == b
    assert client.get(f"{API}/{sid}/history").json() == client.get(f"{API}/{imported['id']}/history").json()
    assert client.get(f"{API}/{sid}/data").json() == client.get(f"{API}/{imported['id']}/data").json()


def test_import_of_a_diverged_session_keeps_its_status(client, api):
    s = api.create(client, dataset="plane", hidden_layers=[8, 8], activation="relu", learning_rate=10)
    snap = api.step(client, s["id"], 1000)
    assert snap["status"] == "diverged"
    doc = api.json(client.get(f"{API}/{s['id']}/export").text)
    imported = api.json(client.post(f"{API}/import", json=doc).text)
    assert imported["state"]["status"] == "diverged"
    assert imported["state"]["message"]


@pytest.mark.parametrize(
    "damage",
    [
        lambda d: d.update(format="something-else"),
        lambda d: d.update(state={}),
        lambda d: d.update(state=None),
        lambda d: d["state"].update(version=99),
        lambda d: d["state"].pop("network"),
        lambda d: d["state"]["network"]["layers"].pop(),
        lambda d: d["state"].update(order=[0, 0, 0]),
        lambda d: d["state"].update(optimizer={"name": "adam"}),
        lambda d: d["state"].update(shuffle_rng="nope"),
        lambda d: d["state"]["config"].update(learning_rate=-1),
        lambda d: d["state"]["config"].update(hidden_layers="big"),
        lambda d: d["state"]["data"].update(raw_train=[[1.0, 2.0]]),
        lambda d: d["state"]["data"].update(labels_train="x"),
        lambda d: d["state"].update(history={"steps": 1}),
        lambda d: d["state"].update(step="many"),
        lambda d: d["state"].update(position=None),
        lambda d: d["state"].update(history=None),
        lambda d: d["state"]["shuffle_rng"]["state"].update(state=-1),
        lambda d: d.pop("state"),
    ],
)
def test_import_of_a_damaged_document_is_422(client, api, damage):
    s = api.create(client, optimizer="momentum")
    api.step(client, s["id"], 5)
    doc = copy.deepcopy(client.get(f"{API}/{s['id']}/export").json())
    damage(doc)
    r = client.post(f"{API}/import", json=doc)
    assert r.status_code == 422, r.text
    assert r.json()["detail"]




@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda d: d["state"].update(position=-1), id="position-negative"),
        pytest.param(lambda d: d["state"]["history"]["steps"].update(stride=0), id="history-stride-0"),
        pytest.param(lambda d: d["state"]["optimizer"].update(m=None), id="adam-m-null"),
        pytest.param(lambda d: d["state"]["optimizer"].update(s=-1), id="adam-s-negative"),
        pytest.param(lambda d: d["state"]["optimizer"].update(t=-1), id="adam-t-negative"),
        pytest.param(lambda d: d["state"].update(status="weird"), id="status-unknown"),
        pytest.param(lambda d: d["state"].update(step=-3), id="step-negative"),
    ],
)
def test_import_refuses_states_that_break_later(client, api, damage):
    """A damaged document must be refused at import (422), not accepted and then fail with a 500 or
    answer outside the contract (status not ok/diverged, a negative step) on the next request."""
    s = api.create(client, optimizer="adam")
    api.step(client, s["id"], 5)
    doc = copy.deepcopy(client.get(f"{API}/{s['id']}/export").json())
    damage(doc)
    r = client.post(f"{API}/import", json=doc)
    assert r.status_code == 422, r.text


@pytest.mark.parametrize("key", ["grads", "delta", "m", "s"])
def test_import_refuses_arrays_of_the_wrong_length(client, api, key):
    """numpy broadcasting must not turn a one-element list into a whole gradient or optimizer state."""
    s = api.create(client, optimizer="adam")
    api.step(client, s["id"], 5)
    doc = copy.deepcopy(client.get(f"{API}/{s['id']}/export").json())
    target = doc["state"]["optimizer"] if key in ("m", "s") else doc["state"]
    target[key] = [0.5]
    r = client.post(f"{API}/import", json=doc)
    assert r.status_code == 422, r.text


def test_import_with_history_capacity_zero_does_not_hang(client, api):
    s = api.create(client)
    api.step(client, s["id"], 5)
    doc = client.get(f"{API}/{s['id']}/export").json()
    doc["state"]["history"]["capacity"] = 0
    assert client.post(f"{API}/import", json=doc).status_code == 422
    # nor a huge one: the rows are allocated up front (1,000,000 would be 2 × 10⁶ rows per session)
    doc["state"]["history"]["capacity"] = 1_000_000
    r = client.post(f"{API}/import", json=doc)
    assert r.status_code == 422 and "10,000" in r.json()["detail"]
    doc["state"]["history"]["capacity"] = 10_000
    assert client.post(f"{API}/import", json=doc).status_code == 201


# -- watch --------------------------------------------------------------------------
def test_watch_get_never_leaks_the_id(client, api):
    s = api.create(client, dataset="xor")
    api.step(client, s["id"], 3)
    r = client.get(f"/api/watch/{s['watch_id']}")
    assert r.status_code == 200
    assert s["id"] not in r.text
    body = r.json()
    assert "id" not in body
    assert body["watch_id"] == s["watch_id"]
    assert body["config"] == s["config"]
    assert body["state"]["step"] == 3
    assert body["state"] == api.get(client, s["id"])["state"]


def test_watch_history_is_the_sessions_history(client, api):
    s = api.create(client, hidden_layers=[3])
    api.step(client, s["id"], 7)
    api.step(client, s["id"], 5)
    r = client.get(f"/api/watch/{s['watch_id']}/history")
    assert r.status_code == 200
    h = r.json()
    assert h == client.get(f"{API}/{s['id']}/history").json()
    assert h["step"] == list(range(1, 13)) and h["eval_step"][-1] == 12
    # the last gradient norms are those of the last update, read from the session itself
    snap = api.get(client, s["id"])["state"]
    for layer, norms in zip(snap["layers"], h["grad_norms"], strict=True):
        assert norms[-1] == pytest.approx(np.linalg.norm(layer["dW"]), rel=1e-12)
    assert s["id"] not in r.text


def test_watch_id_does_not_control_the_session(client, api):
    s = api.create(client)
    w = s["watch_id"]
    assert client.get(f"{API}/{w}").status_code == 404
    assert client.post(f"{API}/{w}/step").status_code == 404
    assert client.patch(f"{API}/{w}", json={"learning_rate": 1}).status_code == 404
    assert client.delete(f"{API}/{w}").status_code == 404
    assert client.get(f"/api/watch/{s['id']}").status_code == 404


def test_watch_unknown_is_404(client):
    assert client.get("/api/watch/nope").status_code == 404
    assert client.post("/api/watch/nope/fork").status_code == 404


# -- fork ---------------------------------------------------------------------------
def test_fork_is_independent(client, api):
    s = api.create(client, optimizer="adam")
    sid = s["id"]
    api.step(client, sid, 12)
    original = api.get(client, sid)["state"]
    r = client.post(f"/api/watch/{s['watch_id']}/fork")
    assert r.status_code == 201, r.text
    fork = api.json(r.text)
    assert fork["id"] not in (sid, s["watch_id"]) and fork["watch_id"] != s["watch_id"]
    assert fork["config"] == s["config"]
    assert fork["state"]["step"] == 12
    assert api.weights(fork["state"]) == api.weights(original)
    # stepping the fork does not move the original
    api.step(client, fork["id"], 20)
    assert api.get(client, sid)["state"] == original
    # and the original continues exactly as the fork did
    assert api.weights(api.step(client, sid, 20)) == api.weights(api.get(client, fork["id"])["state"])
    # changing the fork leaves the original alone
    client.patch(f"{API}/{fork['id']}", json={"hidden_layers": [2]})
    assert api.get(client, sid)["config"]["hidden_layers"] == [4, 2]
    client.delete(f"{API}/{fork['id']}")
    assert api.get(client, sid)["state"]["step"] == 32


@pytest.mark.parametrize("body", [None, b"", b"{}", b"null"])
def test_fork_takes_no_body_or_an_empty_one(client, api, body):
    s = api.create(client)
    headers = {} if body is None else {"content-type": "application/json"}
    r = client.post(f"/api/watch/{s['watch_id']}/fork", content=body, headers=headers)
    assert r.status_code == 201, r.text
    assert r.json()["config"] == s["config"]


FORK_TAKES_NONE = ("fork takes no fields (send no body, or {}), and the new session continues from the watched "
                   "state as it is; change it afterwards with PATCH /api/sessions/{id}, or POST "
                   "/api/sessions/{id}/reset for a new seed")


@pytest.mark.parametrize(("content", "kind", "answer"), [
    (b'{"seed": 1, "dataset": "xor", "bogus": true}', "application/json",
     {"detail": f"seed is not a field of this request: {FORK_TAKES_NONE}", "field": "seed"}),
    (b'{"hidden_layers": [8]}', "application/json",
     {"detail": f"hidden_layers is not a field of this request: {FORK_TAKES_NONE}", "field": "hidden_layers"}),
    (b"{garbage", "application/json", {"detail": "the request body is not valid JSON", "field": "body"}),
    (b'{"seed": 1}', "text/plain", {"detail": "send the body as JSON, with the header Content-Type: application/json "
                                              "(this request said text/plain)", "field": "body"}),
])
def test_fork_refuses_a_body_it_would_ignore(client, api, content, kind, answer):
    """POST /fork {"seed": 1, "dataset": "xor"} answered 201 with a fork of the circle session at its own seed:
    the fields were dropped without a word, as were a broken JSON text and a text/plain body."""
    s = api.create(client)
    r = client.post(f"/api/watch/{s['watch_id']}/fork", content=content, headers={"content-type": kind})
    assert r.status_code == 422 and r.json() == answer
    assert len(client.app.state.store) == 1  # no session was made


def test_the_fork_body_is_documented_as_taking_no_fields(client):
    schema = client.get("/openapi.json").json()
    op = schema["paths"]["/api/watch/{watch_id}/fork"]["post"]
    assert op["requestBody"].get("required", False) is False
    ref = op["requestBody"]["content"]["application/json"]["schema"]
    ref = next(s for s in ref.get("anyOf", [ref]) if "$ref" in s)["$ref"]
    body = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert body["type"] == "object" and body.get("properties", {}) == {} and body["additionalProperties"] is False
    assert {"404", "413", "422"} <= set(op["responses"])


WATCH_ONLY = ("this is a watch link: it follows the session but cannot change or read it this way (it offers "
              "GET /api/watch/{watch_id}, /history and /data, POST /trace and /gradcheck); fork it "
              "(POST /api/watch/{watch_id}/fork) for a session of your own")


@pytest.mark.parametrize(("method", "route", "body"), [
    ("POST", "step", {"steps": 5}), ("POST", "reset", {}), ("GET", "export", None), ("GET", "batch", None),
    ("PUT", "weights", {"layers": []}), ("DELETE", "anything", None),
])
def test_a_sessions_route_on_a_watch_link_says_what_a_watch_link_is(client, api, method, route, body):
    """POST /api/watch/{w}/step answered a bare 404 "Not Found", as if the link were wrong."""
    s = api.create(client)
    r = client.request(method, f"/api/watch/{s['watch_id']}/{route}?x=1", json=body)
    assert r.status_code == 404 and r.json() == {"detail": WATCH_ONLY, "field": None}
    assert api.get(client, s["id"])["state"]["step"] == 0  # nothing ran
    # a link that is no watch link's keeps its 404
    for link in ("nope", s["id"]):
        r = client.request(method, f"/api/watch/{link}/{route}", json=body)
        assert r.status_code == 404 and r.json() == {"detail": "Not Found", "field": None}
    # and a watch route asked with another method is still a 405 naming its methods
    r = client.put(f"/api/watch/{s['watch_id']}/fork")
    assert r.status_code == 405 and r.headers["allow"] == "POST"
