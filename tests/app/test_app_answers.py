"""Large JSON answers: encoded off the event loop, a slice at a time, and the
same text as ``json.dumps`` makes (``app.jsonbody``).

A 16 MB export or a trace of thousands of rows used to be encoded by one
``json.dumps`` call on the event loop: every live socket of every session
stood still until it was done (0.4–0.7 s on the development machine)."""

from __future__ import annotations

import json
import math
import threading
import time

import numpy as np
import pytest

from app import jsonbody

API = "/api/sessions"


def reference(content) -> bytes:
    """What Starlette's JSONResponse makes of it (arrays as lists, non-finite as null)."""
    def plain(x):
        if isinstance(x, np.ndarray):
            x = x.tolist()
        if isinstance(x, dict):
            return {k: plain(v) for k, v in x.items()}
        if isinstance(x, list | tuple):
            return [plain(v) for v in x]
        return None if isinstance(x, float) and not math.isfinite(x) else x
    return json.dumps(plain(content), ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()


def test_the_text_is_json_dumps_own_for_every_shape_of_answer():
    rng = np.random.default_rng(0)
    big = rng.standard_normal((3000, 7))
    big[5, 3], big[2999, 0], big[1000, 6] = np.nan, np.inf, -np.inf
    cases = [
        {}, [], [[]], {"a": []}, None, True, 0, -1.5, 1e308, 5e-324, "ünï – ∂L/∂w \"quoted\"",
        {"x": rng.standard_normal((20000,)).tolist(), "rows": rng.standard_normal((5000, 3)).tolist()},
        {"layers": [{"W": rng.standard_normal((128, 128)).tolist(), "b": [0.0] * 128, "dW": None}] * 3},
        {"input": big, "layers": [{"z": big[:, :2], "b": big[0], "one": np.float64(2.5) + np.zeros(())}]},
        {"nested": [[[1, 2], [3]], [[4.5]]], "mixed": [1, "two", None, {"k": [1.0, 2.0]}]},
        {1: "int key", 2.5: [True, False], False: None, None: {"": ""}},
        np.zeros((0, 4)), np.arange(10**5, dtype=np.int64),
    ]
    for content in cases:
        want = reference(content)
        assert jsonbody.encode(content) == want
        assert b"".join(jsonbody.chunks(content)) == want
    # the big ones do come in several chunks of bounded size
    parts = list(jsonbody.chunks({"input": big, "more": rng.standard_normal((40000, 2)).tolist()}))
    assert len(parts) > 3 and max(map(len, parts)) < 2 * jsonbody.CHUNK


def test_no_piece_is_made_from_more_than_a_slice_of_numbers():
    rng = np.random.default_rng(1)
    content = {"a": rng.standard_normal((5000, 128)), "b": rng.standard_normal(100_000).tolist(),
               "c": rng.standard_normal((4000, 7)).tolist()}
    longest = max(len(piece) for piece in jsonbody.pieces(content))
    assert longest < 30 * jsonbody.SLICE   # a number is at most ~25 characters


def test_a_trace_of_5000_rows_through_six_layers_of_eight(client, api):
    """API.md: up to 5000 rows in a trace. Six hidden layers of eight were refused from 4048 rows
    (a million numbers an answer); the answer is now sent as it is encoded."""
    s = api.create(client, hidden_layers=[8] * 6, n_samples=5000, train_fraction=0.9)
    data = client.get(f"{API}/{s['id']}/data").json()["train"]
    x, y = data["x"][:4500] + data["x"][:500], data["y"][:4500] + data["y"][:500]
    r = client.post(f"{API}/{s['id']}/trace", json={"x": x, "y": y})
    assert r.status_code == 200, r.text[:300]
    assert r.headers["content-type"] == "application/json"
    body = r.json()
    assert len(body["input"]) == 5000 and all(len(layer["z"]) == 5000 for layer in body["layers"])
    # against a forward pass written out here from the session's weights (float64 NumPy)
    layers = client.get(f"{API}/{s['id']}").json()["state"]["layers"]
    a = np.array(x)
    for mine, layer in zip(body["layers"], layers, strict=True):
        z = a @ np.array(layer["W"]).T + np.array(layer["b"])
        np.testing.assert_allclose(mine["z"], z, rtol=1e-12, atol=1e-14)
        a = np.tanh(z) if layer["activation"] == "tanh" else 1 / (1 + np.exp(-z))
    yhat = a[:, 0]
    t = np.array(y)[:, 0]
    loss = float(np.mean(-(t * np.log(yhat) + (1 - t) * np.log(1 - yhat))))
    assert math.isclose(body["loss"], loss, rel_tol=1e-10)
    # δ of the output is (ŷ − y)/N for every row
    np.testing.assert_allclose(np.array(body["layers"][-1]["dL_dz"])[:, 0], (yhat - t) / 5000, rtol=1e-9, atol=1e-18)


@pytest.mark.parametrize("ask", ["trace", "export"])
def test_live_frames_keep_coming_while_a_large_answer_is_made(client, api, ask):
    """A frame gap while a ten-layer network's trace (150 rows, about a million numbers) or export
    (16 MB: Adam's moments beside the weights) is answered: 0.45–0.7 s when the answer was encoded
    on the event loop."""
    teacher = api.create(client)
    big = api.create(client, hidden_layers=[128] * 10, optimizer="adam")
    client.post(f"{API}/{big['id']}/step", json={"steps": 2})
    gaps: list[tuple[float, float]] = []
    stop = threading.Event()
    ready = threading.Event()

    def watch():
        with client.websocket_connect(f"{API}/{teacher['id']}/live") as ws:
            ws.send_json({"type": "play"})
            last = None
            while not stop.is_set():
                msg = ws.receive_json()
                if msg["type"] != "frame":
                    continue
                ws.send_json({"type": "ack"})
                now = time.monotonic()
                if last is not None:
                    gaps.append((now, now - last))
                    ready.set()
                last = now
            ws.send_json({"type": "pause"})

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    assert ready.wait(10)
    time.sleep(0.5)
    start = time.monotonic()
    if ask == "trace":
        rows = 150
        r = client.post(f"{API}/{big['id']}/trace", json={"x": [[0.3, -0.2]] * rows, "y": [[1.0]] * rows})
    else:
        r = client.get(f"{API}/{big['id']}/export")
    end = time.monotonic()
    time.sleep(0.3)
    stop.set()
    thread.join(10)
    assert r.status_code == 200 and len(r.content) > 5_000_000
    before = [g for t, g in gaps if t < start]
    during = [g for t, g in gaps if start <= t <= end + 0.2]
    assert during, gaps
    assert max(during) < 0.3, (f"a frame gap of {max(during):.3f} s while answering in {end - start:.2f} s "
                               f"(before: at most {max(before):.3f} s)")


def test_heavy_traces_take_turns_and_a_small_one_does_not_wait(client, api, monkeypatch):
    """A trace of 5000 rows through ten layers of 128 holds about 0.3 GB for 20 s: such traces take
    turns, two at a time, so that a class of scripts asking for them at once cannot exhaust the
    memory. The threshold is lowered here so that 100 rows through one layer of 8 count as heavy."""
    from app.routers import sessions as routes
    from engine.trainer import Trainer

    monkeypatch.setattr(routes, "HEAVY_TRACE_VALUES", 1000)  # 100 rows × 9 units × 5 = 4500: heavy; 10 rows: 450
    real = Trainer.trace
    starts: list[tuple[float, int]] = []
    gate = client.app.state.heavy_traces

    def slow(self, x, y):
        if len(x) >= 100:
            starts.append((time.monotonic(), gate.holders))
            time.sleep(0.4)
        return real(self, x, y)

    monkeypatch.setattr(Trainer, "trace", slow)
    sessions = [api.create(client, hidden_layers=[8])["id"] for _ in range(6)]
    heavy = {"x": [[0.1 * (i % 7), -0.2] for i in range(100)], "y": [[float(i % 2)] for i in range(100)]}
    answers: dict[str, tuple[int, bytes, float]] = {}

    def ask(name: str, sid: str, body: dict) -> None:
        r = client.post(f"{API}/{sid}/trace", json=body)
        answers[name] = (r.status_code, r.content, time.monotonic())

    threads = [threading.Thread(target=ask, args=(f"heavy{i}", sessions[i], heavy)) for i in range(4)]
    t0 = time.monotonic()
    for thread in threads:
        thread.start()
    time.sleep(0.15)  # two heavy traces hold the turns now, two wait
    small_sent = time.monotonic()
    ask("small", sessions[4], {"x": heavy["x"][:10], "y": heavy["y"][:10]})
    for thread in threads:
        thread.join(10)
    assert answers["small"][0] == 200 and answers["small"][2] - small_sent < 0.3  # it did not wait its turn
    assert len(starts) == 4 and all(1 <= holders <= 2 for _, holders in starts), starts
    begun = sorted(t - t0 for t, _ in starts)
    assert begun[1] < 0.3 and begun[2] > 0.35 and begun[3] > 0.35, begun  # two at once, then two more
    # what each heavy trace answered is what one alone answers
    monkeypatch.setattr(Trainer, "trace", real)
    alone = client.post(f"{API}/{sessions[5]}/trace", json=heavy)
    assert alone.status_code == 200
    for i in range(4):
        assert answers[f"heavy{i}"][:2] == (200, alone.content)
    # a heavy trace that fails (three columns for a network of two inputs) gives its turn back
    wrong = {"x": [row + [0.0] for row in heavy["x"]], "y": heavy["y"]}
    for i in range(2):  # as many as there are turns: kept, they would leave none
        ask(f"wrong{i}", sessions[i], wrong)
        assert answers[f"wrong{i}"][0] == 422
    assert gate.holders == 0
    ask("after", sessions[0], heavy)
    assert answers["after"][0] == 200 and gate.holders == 0


@pytest.mark.parametrize("client_leaves", [False, True])
def test_a_streamed_answer_says_when_it_is_finished_sent_or_not(client_leaves):
    """The turn of a heavy trace is given back when its answer is sent, and also when the
    client goes away in the middle of it (else a closed notebook would keep a turn for good)."""
    import asyncio

    content = {"rows": np.arange(300_000, dtype=np.float64).reshape(-1, 3)}
    calls: list[int] = []
    sent: list[bytes] = []
    response = jsonbody.streamed(content, finished=lambda: calls.append(1))

    async def receive():
        await asyncio.sleep(3600)  # no disconnect message: the failing send says it

    async def send(message):
        if client_leaves and len(sent) == 2:
            raise OSError("connection reset by peer")
        sent.append(message.get("body", b""))

    async def serve():
        scope = {"type": "http", "asgi": {"spec_version": "2.4"}, "method": "POST", "headers": []}
        await response(scope, receive, send)

    if client_leaves:
        from starlette.requests import ClientDisconnect

        with pytest.raises(ClientDisconnect):
            asyncio.run(serve())
        assert len(sent) == 2
    else:
        asyncio.run(serve())
        assert b"".join(sent) == reference(content)
    assert calls == [1]
