"""Every error path: 404 for unknown sessions, 422 naming the field and its range,
never a 500, never NaN in JSON; and divergence, recovered from."""

from __future__ import annotations

import json

import pytest

from app.limits import MAX_BODY_BYTES

API = "/api/sessions"
JSON = {"content-type": "application/json"}

SESSION_ROUTES = [
    ("GET", ""), ("PATCH", ""), ("DELETE", ""), ("POST", "/step"), ("POST", "/reset"), ("POST", "/trace"),
    ("PUT", "/weights"), ("GET", "/data"), ("GET", "/history"), ("GET", "/export"),
]
BODIES = {"PATCH": {"learning_rate": 0.1}, "/step": {"steps": 1}, "/reset": {}, "/trace": {"x": [[0, 0]], "y": [[1]]},
          "/weights": {"layers": []}}


@pytest.mark.parametrize(("method", "suffix"), SESSION_ROUTES)
@pytest.mark.parametrize("sid", ["does-not-exist", "A" * 32, "deleted"])
def test_unknown_session_is_404_on_every_route(client, api, method, suffix, sid):
    if sid == "deleted":
        sid = api.create(client)["id"]
        assert client.delete(f"{API}/{sid}").status_code == 204
    body = BODIES.get(suffix) or BODIES.get(method) if method != "GET" and method != "DELETE" else None
    r = client.request(method, f"{API}/{sid}{suffix}", json=body)
    assert r.status_code == 404, r.text
    assert "unknown session" in r.json()["detail"]


@pytest.mark.parametrize(("method", "path"), [("GET", "/api/watch/{w}"), ("GET", "/api/watch/{w}/history"),
                                              ("POST", "/api/watch/{w}/fork")])
def test_unknown_watch_is_404(client, api, method, path):
    r = client.request(method, path.format(w="nope"))
    assert r.status_code == 404
    s = api.create(client)
    client.delete(f"{API}/{s['id']}")
    assert client.request(method, path.format(w=s["watch_id"])).status_code == 404


# -- 422 for each configuration field, naming the field and its range ----------------------
RANGE_CASES = [
    ("n_samples", 9, "[10, 5000]"), ("n_samples", 5001, "[10, 5000]"), ("n_samples", 10.5, "[10, 5000]"),
    ("noise", -0.1, "[0, 1]"), ("noise", 1.01, "[0, 1]"),
    ("train_fraction", 0.09, "[0.1, 0.9]"), ("train_fraction", 0.91, "[0.1, 0.9]"),
    ("learning_rate", 0, "(0, 10]"), ("learning_rate", -1, "(0, 10]"), ("learning_rate", 10.01, "(0, 10]"),
    ("learning_rate", "fast", "(0, 10]"),
    ("momentum", 1.0, "[0, 1)"), ("momentum", -0.5, "[0, 1)"),
    ("batch_size", 0, "[1, "), ("batch_size", 5001, "[1, "),
    ("l1", -0.001, "[0, 10]"), ("l1", 10.5, "[0, 10]"), ("l2", -1, "[0, 10]"), ("l2", 11, "[0, 10]"),
    ("seed", -1, "[0, 4294967295]"), ("seed", 2**32, "[0, 4294967295]"),
    ("hidden_layers", [2] * 11, "10"), ("hidden_layers", "wide", "[1, 128]"),
]


@pytest.mark.parametrize(("field", "value", "allowed"), RANGE_CASES)
def test_out_of_range_field_is_422_naming_field_and_range(client, field, value, allowed):
    for r in (client.post(API, json={field: value}), None):
        if r is None:  # the same through PATCH
            sid = client.post(API).json()["id"]
            r = client.patch(f"{API}/{sid}", json={field: value})
        assert r.status_code == 422, r.text
        body = r.json()
        assert body["field"] == field
        assert field in body["detail"] and allowed in body["detail"], body["detail"]


@pytest.mark.parametrize(("value", "field"), [([0], "hidden_layers[0]"), ([4, 129], "hidden_layers[1]"),
                                              ([2, 1.5], "hidden_layers[1]")])
def test_bad_layer_size_names_the_layer(client, value, field):
    r = client.post(API, json={"hidden_layers": value})
    assert r.status_code == 422
    assert r.json()["field"] == field
    assert "[1, 128]" in r.json()["detail"]


@pytest.mark.parametrize(
    ("field", "value"),
    [("dataset", "iris"), ("activation", "softmax"), ("activation", 3), ("output_activation", "step"),
     ("loss", "hinge"), ("init", "ones"), ("optimizer", "rmsprop"), ("task", "ranking"), ("features", ["x3"]),
     ("features", []), ("features", "x1")],
)
def test_unknown_choice_is_422_listing_the_choices(client, field, value):
    r = client.post(API, json={field: value})
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["field"].startswith(field)
    assert field in body["detail"]


def test_activation_list_names_the_bad_entry(client):
    r = client.post(API, json={"hidden_layers": [3, 3], "activation": ["relu", "swish"]})
    assert r.status_code == 422
    assert r.json()["field"] == "activation[1]"
    assert "relu" in r.json()["detail"]  # the allowed values
    r = client.post(API, json={"hidden_layers": [3], "activation": ["relu", "relu"]})
    assert r.status_code == 422 and r.json()["field"] == "activation"


def test_unknown_field_is_422(client):
    r = client.post(API, json={"learning_rte": 0.1})
    assert r.status_code == 422
    assert r.json()["field"] == "learning_rte"
    # a field of another endpoint is named as unknown, not as out of its range there
    r = client.post(API, json={"steps": 5})
    assert r.status_code == 422 and r.json() == {
        "detail": "steps is not a field of this request (a misspelt name, or one that belongs to another endpoint)",
        "field": "steps"}


@pytest.mark.parametrize(("suffix", "body", "field"), [
    ("", {"learning_rate": True}, "learning_rate"), ("", {"seed": False}, "seed"), ("", {"seed": "3"}, "seed"),
    ("", {"hidden_layers": [True, 3]}, "hidden_layers[0]"), ("", {"hidden_layers": [4, "3"]}, "hidden_layers[1]"),
    ("", {"n_samples": 500.0}, "n_samples"), ("/{sid}/step", {"steps": "5"}, "steps"),
    ("/{sid}/step", {"steps": 1e3}, "steps"), ("/{sid}/step", {"steps": True}, "steps"),
    ("/{sid}/reset", {"seed": 3.0}, "seed"), ("/{sid}/trace", {"x": [["1", "2"]], "y": [[1]]}, "x[0][0]"),
])
def test_rest_takes_types_as_strictly_as_the_socket_and_an_import(client, api, suffix, body, field):
    """REST turned "5", 5.0 and true into 5 (and 1) where the live socket and
    an imported session refuse them."""
    s = api.create(client)
    r = client.post(API + suffix.format(sid=s["id"]), json=body)
    assert r.status_code == 422 and r.json()["field"] == field, r.json()
    assert api.get(client, s["id"])["state"]["step"] == 0
    assert client.post(API, json={"learning_rate": 1}).status_code == 201  # an integer is a number, though


def test_a_validators_own_words_are_kept(client, api):
    s = api.create(client)
    r = client.post(f"{API}/{s['id']}/trace", json={"x": [[1, 2], [3]], "y": [[1], [0]]})
    assert r.status_code == 422 and "same number of values" in r.json()["detail"]
    r = client.post(f"{API}/{s['id']}/step", json={"steps": [1]})
    assert r.json()["detail"] == "steps must be an integer in [1, 100000] (got [1])"


@pytest.mark.parametrize(
    ("config", "field"),
    [
        ({"loss": "bce", "output_activation": "softmax"}, "loss"),
        ({"loss": "cross_entropy", "output_activation": "sigmoid"}, "loss"),
        ({"dataset": "spiral3", "loss": "bce"}, "loss"),
        ({"dataset": "sine", "loss": "cross_entropy"}, "loss"),
        ({"dataset": "plane", "loss": "bce"}, "loss"),
        ({"batch_size": 251}, "batch_size"),
        ({"n_samples": 100, "train_fraction": 0.2, "batch_size": 21}, "batch_size"),
        ({"dataset": "sine", "features": ["x1", "x2"]}, "features"),
        ({"dataset": "custom"}, "points"),
        ({"dataset": "custom", "points": {"x": [[0, 0]] * 10, "y": [0, 1] * 5}}, "task"),
    ],
)
def test_bad_pairings_are_422(client, config, field):
    r = client.post(API, json=config)
    assert r.status_code == 422, r.text
    assert r.json()["field"] == field
    assert field in r.json()["detail"]


def test_batch_size_message_names_the_training_set_size(client):
    r = client.post(API, json={"batch_size": 251})
    assert "250" in r.json()["detail"]
    assert client.post(API, json={"batch_size": 250}).status_code == 201  # full batch is allowed


def test_patch_pairing_checked_against_the_current_config(client, api):
    s = api.create(client, dataset="spiral3")
    r = client.patch(f"{API}/{s['id']}", json={"loss": "bce"})
    assert r.status_code == 422 and r.json()["field"] == "loss"
    r = client.patch(f"{API}/{s['id']}", json={"batch_size": 300})
    assert r.status_code == 422 and r.json()["field"] == "batch_size"


def _custom(x, y, task="classification"):
    return {"dataset": "custom", "task": task, "points": {"x": x, "y": y}, "batch_size": 1}


@pytest.mark.parametrize(
    ("config", "field"),
    [
        (_custom([[0, 0, 0]] * 10, [0, 1] * 5), "points"),
        (_custom([[0, 0]] * 10, [0, 1] * 6), "points"),
        (_custom([[0, 0], [1]] * 5, [0, 1] * 5), "points"),
        (_custom([[]] * 10, [0, 1] * 5), "points"),
        (_custom([[0, 0]] * 9, [0, 1] * 4 + [0]), "points.x"),
        (_custom([[0, 0]] * 10, [0, 1.5] * 5), "points"),
        (_custom([[0, 0]] * 10, [0] * 10), "points"),
        (_custom([[9, 0]] * 10, [0, 1] * 5), "points"),
        (_custom([[0, 0]] * 10, [0, 1] * 5) | {"points": {"x": [[0, 0]] * 10}}, "points.y"),
        (_custom([[0, 0]] * 10, [0, 1] * 5) | {"points": [[0, 0]]}, "points"),
    ],
)
def test_custom_points_errors(client, config, field):
    r = client.post(API, json=config)
    assert r.status_code == 422, r.text
    assert r.json()["field"] == field
    assert "points" in r.json()["detail"]


@pytest.mark.parametrize(
    "raw",
    [
        b'{"learning_rate": NaN}',
        b'{"learning_rate": Infinity}',
        b'{"noise": -Infinity}',
        b'{"dataset": "custom", "task": "regression", "points": {"x": [[0], [1], [NaN], [2]], "y": [1, 2, 3, 4]}}',
        b'{"dataset": "custom", "task": "regression", "points": {"x": [[0], [1], [3], [2]], "y": [1, 2, Infinity, 4]}}',
    ],
)
def test_nan_and_infinity_are_422_not_500(client, api, raw):
    r = client.post(API, content=raw, headers=JSON)
    assert r.status_code == 422, r.text
    assert r.json()["field"]
    sid = api.create(client)["id"]
    r = client.patch(f"{API}/{sid}", content=raw, headers=JSON)
    assert r.status_code == 422, r.text


@pytest.mark.parametrize("raw", [b"{", b'{"steps": }', b"not json", b"\xff\xfe", b'{"a": 1,}', b"[1, 2", b"nul"])
@pytest.mark.parametrize(("method", "suffix"), [("POST", ""), ("PATCH", "/{sid}"), ("POST", "/{sid}/step"),
                                                ("POST", "/{sid}/reset"), ("POST", "/{sid}/trace"),
                                                ("PUT", "/{sid}/weights"), ("POST", "/import")])
def test_malformed_json_body_is_4xx(client, api, raw, method, suffix):
    sid = api.create(client)["id"]
    r = client.request(method, API + suffix.format(sid=sid), content=raw, headers=JSON)
    assert r.status_code == 422, r.text  # invalid input, like any other (API.md)
    assert r.json()["field"] == "body" and "JSON" in r.json()["detail"]


@pytest.mark.parametrize("raw", [b"[]", b'"steps"', b"3", b"true"])
@pytest.mark.parametrize(("method", "suffix"), [("POST", ""), ("PATCH", "/{sid}"), ("POST", "/{sid}/step"),
                                                ("POST", "/{sid}/reset"), ("POST", "/{sid}/trace"),
                                                ("PUT", "/{sid}/weights"), ("POST", "/import")])
def test_wrong_json_type_is_422(client, api, raw, method, suffix):
    sid = api.create(client)["id"]
    r = client.request(method, API + suffix.format(sid=sid), content=raw, headers=JSON)
    assert r.status_code == 422, r.text


@pytest.mark.parametrize("streamed", [False, True])
def test_a_body_over_the_limit_is_413_naming_the_body(client, api, streamed):
    s = api.create(client)
    body = ('{"x": [[' + ",".join(["0.5"] * 9_000_000) + ']], "y": [[1]]}').encode()  # 36 MB
    assert len(body) > MAX_BODY_BYTES
    # without a Content-Length (chunks), the limit is found while reading
    content = (body[i : i + 2**20] for i in range(0, len(body), 2**20)) if streamed else body
    r = client.post(f"{API}/{s['id']}/trace", content=content, headers={"content-type": "application/json"})
    assert r.status_code == 413 and r.json()["field"] == "body" and "32 MB" in r.json()["detail"]
    r = client.post(f"{API}/{s['id']}/trace", json={"x": [[0.5, 0.5]], "y": [[1]]})  # the server goes on
    assert r.status_code == 200


def test_the_largest_network_s_export_is_under_the_body_limit_and_imports(client, api):
    big = {"dataset": "spiral3", "n_samples": 5000, "hidden_layers": [128] * 10, "optimizer": "adam",
           "features": ["x1", "x2", "x1_sq", "x2_sq", "x1x2", "sin_x1", "sin_x2"]}
    s = api.create(client, **big)
    api.step(client, s["id"], 20)
    doc = client.get(f"{API}/{s['id']}/export").content
    assert 10 * 2**20 < len(doc) < MAX_BODY_BYTES / 1.5  # the limit leaves room to spare
    r = client.post(f"{API}/import", content=doc, headers={"content-type": "application/json"})
    assert r.status_code == 201, r.text[:200]


def test_wrong_content_type_is_422_saying_what_to_send(client, api):
    sid = api.create(client)["id"]
    r = client.post(f"{API}/{sid}/step", content=b"steps=3", headers={"content-type": "application/x-www-form-urlencoded"})
    assert r.status_code == 422
    assert r.json() == {"field": "body", "detail": "send the body as JSON, with the header Content-Type: "
                                                   "application/json (this request said application/x-www-form-urlencoded)"}
    # what curl -d sends without -H: a JSON text with the wrong header
    r = client.post(API, content=b'{"dataset": "xor"}', headers={"content-type": "application/x-www-form-urlencoded"})
    assert r.status_code == 422 and "Content-Type: application/json" in r.json()["detail"]


@pytest.mark.parametrize(("body", "field", "detail"), [
    ({"seed": -1}, "seed", "seed must be an integer in [0, 4294967295] (got -1)"),
    ({"features": []}, "features",
     "features must be a list of 1 to 7 names from x1, x2, x1_sq, x2_sq, x1x2, sin_x1, sin_x2 (got [])"),
    ({"learning_rate": "fast"}, "learning_rate", 'learning_rate must be a number in (0, 10] (got "fast")'),
])
def test_config_messages_give_the_range_and_the_value_not_the_validators_words(client, body, field, detail):
    r = client.post(API, json=body)
    assert r.status_code == 422
    assert r.json() == {"field": field, "detail": detail}


@pytest.mark.parametrize("doc", [{"state": {}}, {"format": "chainrule-session", "version": 99, "state": {}},
                                 {"format": "something-else", "version": 1, "state": {}}])
def test_a_file_that_is_no_export_is_told_so(client, doc):
    r = client.post(f"{API}/import", json=doc)
    assert r.status_code == 422
    assert r.json()["detail"].startswith("this is not a chainrule session file")


def test_an_export_with_a_bad_saved_setting_names_it_within_the_document(client, api):
    s = api.create(client)
    doc = client.get(f"{API}/{s['id']}/export").json()
    doc["state"]["config"]["learning_rate"] = 99
    r = client.post(f"{API}/import", json=doc)
    assert r.status_code == 422
    assert r.json() == {"field": "state.config.learning_rate",
                        "detail": "the saved configuration is not valid: learning_rate must be in (0, 10] (got 99)"}
    del doc["state"]["data"]
    doc["state"]["config"]["learning_rate"] = 0.1
    r = client.post(f"{API}/import", json=doc)
    assert r.json() == {"field": "state", "detail": "the export document is incomplete or damaged: 'data' is missing"}


@pytest.mark.parametrize(("suffix", "body", "field", "detail"), [
    ("/step", {"steps": 0}, "steps", "steps must be an integer in [1, 100000] (got 0)"),
    ("/step", {"steps": 100_001}, "steps", "steps must be an integer in [1, 100000] (got 100001)"),
    ("/trace", {"x": [[0.0, 0.0]] * 5001, "y": [[0.0]] * 5001}, "x", "x must hold 1 to 5,000 rows (got 5001 rows)"),
    ("/trace", {"x": [], "y": [[0.0]]}, "x", "x must hold 1 to 5,000 rows (got 0 rows)"),
    ("/gradcheck", {"x": [[0.0, 0.0]], "y": [[0.0]], "layer": 11, "row": 0}, "layer",
     "layer must be an integer in [0, 10] (got 11)"),
    ("/gradcheck", {"x": [[0.0, 0.0]], "y": [[0.0]], "layer": 0, "row": 0}, "col",
     "col: a weight of layer 0 needs its column too (W is 4 × 2: row in [0, 3], col in [0, 1])"),
])
def test_request_fields_name_their_whole_range(client, api, suffix, body, field, detail):
    sid = api.create(client)["id"]
    r = client.post(f"{API}/{sid}{suffix}", json=body)
    assert r.status_code == 422
    assert r.json() == {"field": field, "detail": detail}


# -- divergence -----------------------------------------------------------------------
def strict(text: str):
    def refuse(name: str):
        raise AssertionError(f"{name} in JSON")

    return json.loads(text, parse_constant=refuse)


@pytest.mark.parametrize(
    "config",
    [
        {"dataset": "plane", "hidden_layers": [8, 8], "activation": "relu", "learning_rate": 10},
        {"dataset": "circle", "hidden_layers": [8, 8], "activation": "relu", "learning_rate": 10,
         "loss": "mse", "output_activation": "linear"},
    ],
    ids=["plane", "circle-linear-mse"],
)
def test_divergence_is_reported_and_recoverable(client, api, config):
    s = api.create(client, **config)
    sid = s["id"]
    r = client.post(f"{API}/{sid}/step", json={"steps": 2000})
    assert r.status_code == 200
    snap = strict(r.text)
    assert snap["status"] == "diverged"
    assert snap["message"] and "learning rate" in snap["message"]
    assert snap["steps_run"] < 2000 and snap["stopped_early"]
    # every read of the diverged session is valid JSON with no NaN/Infinity
    for path in ("", "/history", "/export", "/data"):
        r = client.get(f"{API}/{sid}{path}")
        assert r.status_code == 200
        strict(r.text)
    assert strict(client.get(f"/api/watch/{s['watch_id']}").text)["state"]["status"] == "diverged"
    data = client.get(f"{API}/{sid}/data").json()
    r = client.post(f"{API}/{sid}/trace", json={"x": data["train"]["x"][:5], "y": data["train"]["y"][:5]})
    assert r.status_code == 200
    strict(r.text)
    # further steps do nothing
    again = strict(client.post(f"{API}/{sid}/step", json={"steps": 5}).text)
    assert again["steps_run"] == 0 and again["step"] == snap["step"]
    # lower the rate and reset: training works again
    r = client.patch(f"{API}/{sid}", json={"learning_rate": 0.01})
    assert r.status_code == 200
    assert r.json()["reset"] is False
    r = client.post(f"{API}/{sid}/reset")
    assert r.status_code == 200 and r.json()["status"] == "ok" and r.json()["step"] == 0
    assert "message" not in r.json() or r.json()["message"] is None
    ok = strict(client.post(f"{API}/{sid}/step", json={"steps": 50}).text)
    assert ok["status"] == "ok" and ok["steps_run"] == 50
    assert ok["loss"]["train"] is not None and ok["loss"]["train"] < 1e3


def test_export_import_of_a_diverged_session_is_valid_json(client, api):
    s = api.create(client, dataset="plane", hidden_layers=[8, 8], activation="relu", learning_rate=10)
    api.step(client, s["id"], 1000)
    doc = client.get(f"{API}/{s['id']}/export")
    strict(doc.text)
    r = client.post(f"{API}/import", content=doc.content, headers=JSON)
    assert r.status_code == 201
    strict(r.text)


@pytest.mark.parametrize("config", [{}, {"dataset": "spiral3", "activation": "relu"}, {"dataset": "sine"}])
def test_extreme_weights_never_put_nan_in_json(client, api, config):
    s = api.create(client, **config)
    sid = s["id"]
    huge = [{"W": [[1e308] * len(x["W"][0]) for _ in x["W"]], "b": [-1e308] * len(x["b"])} for x in s["state"]["layers"]]
    r = client.put(f"{API}/{sid}/weights", json={"layers": huge})
    assert r.status_code == 200
    strict(r.text)
    n_in, n_out = len(huge[0]["W"][0]), len(huge[-1]["b"])
    for method, path, body in [("GET", "", None), ("POST", "/step", {"steps": 3}), ("GET", "/history", None),
                               ("GET", "/export", None), ("GET", "/data", None),
                               ("POST", "/trace", {"x": [[1e308] * n_in], "y": [[1.0] + [0.0] * (n_out - 1)]})]:
        r = client.request(method, f"{API}/{sid}{path}", json=body)
        assert r.status_code == 200, (path, r.text)
        strict(r.text)
        if path == "":  # a null loss comes with its reason
            assert r.json()["state"]["loss"]["train"] is None
            assert "too large to represent" in r.json()["state"]["message"]
        if path == "/trace":
            assert "too large to represent" in r.json()["message"]
    with client.websocket_connect(f"{API}/{sid}/live") as ws:
        for _ in range(2):
            strict(ws.receive_text())
        ws.send_text('{"type": "step"}')
        strict(ws.receive_text())
    doc = client.get(f"{API}/{sid}/export")
    assert client.post(f"{API}/import", content=doc.content, headers=JSON).status_code == 201


@pytest.mark.parametrize(("raw", "field"), [('{"hidden_layers": [4, %s]}', "hidden_layers[1]"),
                                          ('{"activation": "tanh", "hidden_layers": [%s]}', "hidden_layers[0]")])
def test_an_integer_past_every_float_is_422_not_500(client, api, raw, field):
    """JSON allows a 400-digit integer. In hidden_layers one got past the schema and crashed the
    range check (float() overflows): a plain-text 500, and the connection dropped."""
    body = (raw % ("1" + "0" * 400)).encode()
    r = client.post(API, content=body, headers=JSON)
    assert r.status_code == 422, r.text
    assert r.json()["field"] == field
    assert "[1, 128]" in r.json()["detail"] and "401 digits" in r.json()["detail"]
    sid = api.create(client)["id"]
    r = client.patch(f"{API}/{sid}", content=body, headers=JSON)
    assert r.status_code == 422 and r.json()["field"] == field
    assert client.get(f"{API}/{sid}").json()["config"]["hidden_layers"] == [4, 2]  # nothing changed


@pytest.mark.parametrize(("method", "suffix", "raw", "answer"), [
    ("POST", "/{sid}/step", '{"steps": %s}',
     {"field": "steps", "detail": "steps must be an integer in [1, 100000] (got an integer of 5000 digits)"}),
    ("POST", "/{sid}/reset", '{"seed": -%s}',
     {"field": "seed", "detail": "seed must be an integer in [0, 4294967295] (got an integer of 5000 digits)"}),
    ("PATCH", "/{sid}", '{"hidden_layers": [4, %s]}',
     {"field": "hidden_layers[1]", "detail": "hidden_layers[1] must be an integer in [1, 128] (got an integer of 5000 "
                                             "digits)"}),
    ("POST", "/{sid}/trace", '{"x": [[1, %s]], "y": [[1]]}',
     {"field": "x[0][1]", "detail": "x[0][1]: a number of 5000 digits is out of range (this server reads integers "
                                    "of up to 4300 digits)"}),
    ("POST", "", '{"stepz": %s}',
     {"field": "stepz", "detail": "stepz is not a field of this request (a misspelt name, or one that belongs to "
                                  "another endpoint)"}),
    ("POST", "", '{"seed": %s, "noise": [}', {"field": "body", "detail": "the request body is not valid JSON"}),
])
def test_an_integer_of_too_many_digits_for_python_is_out_of_range_not_invalid_json(client, api, method, suffix, raw,
                                                                                   answer):
    """Python reads integers of up to 4300 digits: {"steps": 999…9} (5000 digits), valid JSON, was
    answered "the request body is not valid JSON"."""
    sid = api.create(client)["id"]
    r = client.request(method, f"{API}{suffix.format(sid=sid)}", content=(raw % ("9" * 5000)).encode(), headers=JSON)
    assert r.status_code == 422 and r.json() == answer
    assert api.get(client, sid)["state"]["step"] == 0


def test_an_unexpected_failure_answers_json_not_plain_text(make_client, api, monkeypatch):
    """Any bug (here, one planted in the engine) still answers the documented {"detail", "field"}."""
    from engine.trainer import Trainer

    c = make_client(raise_server_exceptions=False)
    sid = api.create(c)["id"]
    with monkeypatch.context() as m:
        m.setattr(Trainer, "snapshot", lambda self: 1 / 0)
        r = c.get(f"{API}/{sid}")
    assert r.status_code == 500
    assert r.headers["content-type"].startswith("application/json")
    assert r.json()["field"] is None and "internal error" in r.json()["detail"]
    assert c.get(f"{API}/{sid}").status_code == 200  # the server goes on


@pytest.mark.parametrize(("method", "suffix", "query"), [
    ("POST", "/{sid}/step", "steps=50"), ("POST", "/{sid}/reset", "seed=3"), ("GET", "/{sid}", "x=1"),
    ("POST", "", "dataset=xor"), ("GET", "/{sid}/history", "since=10"),
])
def test_a_query_parameter_is_refused_by_name_not_ignored(client, api, method, suffix, query):
    """POST …/step?steps=50 answered 200 after one update: a guess at the API silently did
    something else. No API route reads the query string; one sent is a 422 naming it."""
    sid = api.create(client)["id"]
    r = client.request(method, f"{API}{suffix.format(sid=sid)}?{query}")
    assert r.status_code == 422, r.text
    name = query.split("=")[0]
    assert r.json()["field"] == name and f"{name} is a query parameter" in r.json()["detail"]
    assert client.get(f"{API}/{sid}").json()["state"]["step"] == 0  # nothing ran
    assert client.get("/api/catalog?x=1").status_code == 422
    assert client.get("/api/health?ts=1700000000").status_code == 200  # an uptime checker's cache-buster
    assert client.get(f"/api/watch/{client.get(f'{API}/{sid}').json()['watch_id']}?x=1").status_code == 422
    assert client.get("/?dataset=xor").status_code == 200  # the page reads its own (a share link)


@pytest.mark.parametrize(("method", "path", "query", "said"), [
    ("POST", "/api/sessions/{sid}/step", "steps=50", "steps is a query parameter, and this API reads none: send it "
     'in the JSON body, e.g. POST /api/sessions/{session_id}/step with {"steps": 50}'),
    ("POST", "/api/sessions", "dataset=xor", "dataset is a query parameter, and this API reads none: send it in the "
     'JSON body, e.g. POST /api/sessions with {"dataset": "xor"}'),
    ("POST", "/api/sessions/{sid}/step", "x=1", "x is a query parameter, and this API reads none: send the fields of "
     "POST /api/sessions/{session_id}/step in its JSON body (it takes steps)"),
    ("POST", "/api/watch/{w}/fork", "seed=1", "seed is a query parameter, and this API reads none: "
     "POST /api/watch/{watch_id}/fork takes no fields (send no body, or {})"),
    ("GET", "/api/sessions/{sid}", "x=1", "x is a query parameter, and GET /api/sessions/{session_id} reads none, "
     "nor a body: it takes no parameters but session_id, in its path"),
    ("DELETE", "/api/sessions/{sid}", "force=1", "force is a query parameter, and DELETE /api/sessions/{session_id} "
     "reads none, nor a body: it takes no parameters but session_id, in its path"),
    ("GET", "/api/watch/{w}/history", "since=10", "since is a query parameter, and GET "
     "/api/watch/{watch_id}/history reads none, nor a body: it takes no parameters but watch_id, in its path"),
    ("GET", "/api/catalog", "x=1", "x is a query parameter, and GET /api/catalog reads none, nor a body: it takes "
     "no parameters"),
])
def test_a_query_parameters_hint_fits_the_route(client, api, method, path, query, said):
    """Every refused query parameter was told 'e.g. POST …/step with {"steps": 50}', on GET routes too."""
    s = api.create(client)
    r = client.request(method, path.format(sid=s["id"], w=s["watch_id"]) + "?" + query)
    assert r.status_code == 422 and r.json() == {"detail": said, "field": query.split("=")[0]}


@pytest.mark.parametrize(("x", "y", "field", "said"), [
    ([[0, 0]] * 10, [0, 1] * 4, "points.y", "points.y must hold 10 to 5,000 targets, one per row of points.x (got 8)"),
    ([[0, 0]] * 9, [0, 1] * 5, "points.x", "points.x must hold 10 to 5,000 rows (got 9)"),
    ([[0, 0]] * 5001, [0, 1] * 2500 + [0], "points.x", "points.x must hold 10 to 5,000 rows (got 5001)"),
])
def test_too_few_or_too_many_points_are_counted_in_the_apis_words(client, x, y, field, said):
    """10 rows and 8 targets said "List should have at least 10 items after validation, not 8"."""
    r = client.post(API, json={"dataset": "custom", "task": "classification", "points": {"x": x, "y": y}})
    assert r.status_code == 422 and r.json() == {"detail": said, "field": field}
