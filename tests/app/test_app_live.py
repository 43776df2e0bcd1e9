"""The live WebSocket protocol: controllers, watchers, commands and frames."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from starlette.websockets import WebSocketDisconnect

API = "/api/sessions"
pytestmark = pytest.mark.timeout(60)


def strict(text: str) -> dict[str, Any]:
    def refuse(name: str) -> Any:
        raise AssertionError(f"{name} in a live message")

    return json.loads(text, parse_constant=refuse)


def recv(ws) -> dict[str, Any]:
    return strict(ws.receive_text())


def until(ws, pred: Callable[[dict[str, Any]], bool], limit: int = 500) -> dict[str, Any]:
    """Read messages until one satisfies ``pred``."""
    for _ in range(limit):
        msg = recv(ws)
        if pred(msg):
            return msg
    raise AssertionError("no such message arrived")


def opening(ws) -> tuple[dict[str, Any], dict[str, Any]]:
    data, frame = recv(ws), recv(ws)
    assert data["type"] == "data", data
    assert frame["type"] == "frame", frame
    return data, frame


def send(ws, **msg: Any) -> None:
    ws.send_text(json.dumps(msg))


def is_frame(msg: dict[str, Any]) -> bool:
    return msg["type"] == "frame"


# -- opening ------------------------------------------------------------------------
def test_first_messages_are_data_then_frame(client, api):
    s = api.create(client, dataset="xor", hidden_layers=[3])
    with client.websocket_connect(f"{API}/{s['id']}/live") as ws:
        data, frame = opening(ws)
    assert data["sizes"] == [2, 3, 1]
    assert data["config"] == s["config"]
    assert len(data["train"]["x"]) == 250
    assert frame["step"] == 0 and frame["status"] == "ok" and frame["epoch"] == 0.0
    assert frame["loss"]["train"] == pytest.approx(s["state"]["loss"]["train"])
    assert frame["playing"] is False
    assert len(frame["layers"]) == 2


def test_watch_socket_opens_the_same_way(client, api):
    s = api.create(client)
    api.step(client, s["id"], 4)
    with client.websocket_connect(f"/api/watch/{s['watch_id']}/live") as ws:
        data, frame = opening(ws)
    assert frame["step"] == 4
    assert s["id"] not in json.dumps(data) + json.dumps(frame)


# -- commands -----------------------------------------------------------------------
def test_step_command(client, api):
    s = api.create(client)
    with client.websocket_connect(f"{API}/{s['id']}/live") as ws:
        opening(ws)
        send(ws, type="step", steps=5)
        frame = recv(ws)
        assert frame["type"] == "frame" and frame["step"] == 5
        send(ws, type="step")
        assert recv(ws)["step"] == 6
        send(ws, type="step", steps=30)
        frame = recv(ws)
        assert frame["step"] == 36
    state = api.get(client, s["id"])["state"]
    assert state["step"] == 36
    assert frame["loss"]["train"] == pytest.approx(state["loss"]["train"], rel=1e-12)
    # frames carry the weights and gradients packed as float32: the REST values' nearest float32
    for got, exact in zip(frame["layers"], state["layers"], strict=True):
        for key in ("W", "b", "dW", "db"):
            assert got[key]["dtype"] == "f4"
            assert np.array_equal(api.unpack(got[key]), np.array(exact[key]).astype(np.float32))


def test_play_then_pause(client, api):
    s = api.create(client)
    sid = s["id"]
    with client.websocket_connect(f"{API}/{sid}/live") as ws:
        opening(ws)
        send(ws, type="play")
        steps = []
        while len(steps) < 6:
            msg = recv(ws)
            if is_frame(msg) and msg["playing"]:
                steps.append(msg["step"])
        assert steps == sorted(steps) and steps[-1] > steps[0]
        send(ws, type="pause")
        paused = until(ws, lambda m: is_frame(m) and m["playing"] is False)
        time.sleep(0.2)
        assert api.get(client, sid)["state"]["step"] == paused["step"]
        # still usable after pause
        send(ws, type="step", steps=2)
        assert until(ws, is_frame)["step"] == paused["step"] + 2


def test_a_quick_pause_and_play_keeps_one_training_loop(client, api):
    """Pause then play before the loop saw the pause (a double-tap of space)
    left the old loop running beside a new one: 64 updates a second at speed 1,
    192 after five double-taps."""
    from app.live import Live

    base = Live.playing_sessions
    s = api.create(client)
    with client.websocket_connect(f"{API}/{s['id']}/live") as ws:
        opening(ws)
        send(ws, type="play")
        until(ws, lambda m: is_frame(m) and m["playing"])
        for _ in range(5):
            send(ws, type="pause")
            send(ws, type="play")
        time.sleep(0.3)  # time for any second loop to start
        assert Live.playing_sessions == base + 1
        first, start = api.get(client, s["id"])["state"]["step"], time.monotonic()
        time.sleep(1.0)
        rate = (api.get(client, s["id"])["state"]["step"] - first) / (time.monotonic() - start)
        assert 5 < rate < 1.3 * 60  # one update a frame, at most 60 frames a second (the tests' max_fps)
        send(ws, type="pause")
        until(ws, lambda m: is_frame(m) and m["playing"] is False)
        time.sleep(0.2)
        assert Live.playing_sessions == base


def test_speed(client, api):
    s = api.create(client)
    with client.websocket_connect(f"{API}/{s['id']}/live") as ws:
        opening(ws)
        send(ws, type="speed", steps_per_frame=7)
        frame = until(ws, is_frame)
        assert frame["steps_per_frame"] == 7 and frame["step"] == 0
        send(ws, type="play")
        steps = []
        while len(set(steps)) < 5:
            msg = recv(ws)
            if is_frame(msg) and msg["playing"]:
                steps.append(msg["step"])
        send(ws, type="pause")
        until(ws, lambda m: is_frame(m) and m["playing"] is False)
    assert all(step % 7 == 0 for step in steps), steps
    # never backwards; a step may come twice (the answer to "play" can cross the loop's first frame)
    assert all(b >= a for a, b in zip(steps, steps[1:], strict=False)), steps
    distinct = sorted(set(steps))
    assert all(b - a == 7 for a, b in zip(distinct, distinct[1:], strict=False)), steps  # 7 updates a frame


def test_reset_command(client, api):
    s = api.create(client, seed=5)
    with client.websocket_connect(f"{API}/{s['id']}/live") as ws:
        opening(ws)
        send(ws, type="step", steps=10)
        assert recv(ws)["step"] == 10
        send(ws, type="reset")
        data = recv(ws)
        assert data["type"] == "data"  # the data (and the network) were rebuilt
        frame = recv(ws)
        assert frame["type"] == "frame" and frame["step"] == 0
        assert frame["loss"] == s["state"]["loss"]
        send(ws, type="reset", seed=6)
        until(ws, lambda m: m["type"] == "data")
        assert until(ws, is_frame)["step"] == 0
    assert api.get(client, s["id"])["config"]["seed"] == 6


# -- watchers -----------------------------------------------------------------------
def test_watcher_receives_the_same_frames(client, api):
    s = api.create(client)
    with client.websocket_connect(f"{API}/{s['id']}/live") as ctl, \
            client.websocket_connect(f"/api/watch/{s['watch_id']}/live") as w1, \
            client.websocket_connect(f"/api/watch/{s['watch_id']}/live") as w2:
        for ws in (ctl, w1, w2):
            opening(ws)
        for n in (1, 3, 10):
            send(ctl, type="step", steps=n)
            texts = [ws.receive_text() for ws in (ctl, w1, w2)]
            assert texts[0] == texts[1] == texts[2]
        assert strict(texts[0])["step"] == 14
        # a REST step reaches everyone, too
        api.step(client, s["id"], 2)
        texts = [ws.receive_text() for ws in (ctl, w1, w2)]
        assert texts[0] == texts[1] == texts[2] and strict(texts[0])["step"] == 16
        # a structural PATCH sends new data to everyone
        client.patch(f"{API}/{s['id']}", json={"hidden_layers": [3]})
        for ws in (ctl, w1, w2):
            data = until(ws, lambda m: m["type"] == "data")
            assert data["sizes"] == [2, 3, 1]
            assert until(ws, is_frame)["step"] == 0


def test_watcher_sees_play(client, api):
    s = api.create(client)
    with client.websocket_connect(f"{API}/{s['id']}/live") as ctl, \
            client.websocket_connect(f"/api/watch/{s['watch_id']}/live") as w:
        opening(ctl)
        opening(w)
        send(ctl, type="play")
        seen = [until(w, lambda m: is_frame(m) and m["playing"])["step"] for _ in range(4)]
        assert seen == sorted(seen) and seen[-1] > seen[0]
        send(ctl, type="pause")
        until(w, lambda m: is_frame(m) and m["playing"] is False)


def test_watchers_are_told_what_the_teacher_shows(client, api):
    s = api.create(client)
    plain = {"mode": "forward", "inspect": None, "sample": None}
    with client.websocket_connect(f"{API}/{s['id']}/live") as ctl, \
            client.websocket_connect(f"/api/watch/{s['watch_id']}/live") as w:
        assert opening(ctl)[1]["view"] == plain and opening(w)[1]["view"] == plain
        send(ctl, type="view", mode="backward")
        for ws in (ctl, w):  # answered at once, to everyone, and nothing trained
            frame = recv(ws)
            assert frame["type"] == "frame" and frame["step"] == 0
            assert frame["view"] == {"mode": "backward", "inspect": None, "sample": None}
        weight = {"kind": "weight", "layer": 1, "to": 0, "from": 3}
        send(ctl, type="view", mode="backward", inspect=weight, sample={"split": "test", "index": 17})
        assert recv(w)["view"] == {"mode": "backward", "inspect": weight, "sample": {"split": "test", "index": 17}}
        recv(ctl)
        send(ctl, type="step", steps=3)
        assert recv(w)["view"]["inspect"] == weight  # frames keep saying it
        recv(ctl)
        with client.websocket_connect(f"/api/watch/{s['watch_id']}/live") as late:  # a student who comes in late
            frame = opening(late)[1]
            assert frame["view"]["inspect"] == weight and frame["step"] == 3
        send(ctl, type="view", mode="forward", inspect={"kind": "input", "i": 1}, sample=None)
        assert recv(w)["view"] == {"mode": "forward", "inspect": {"kind": "input", "i": 1}, "sample": None}
        recv(ctl)
        send(ctl, type="view", mode="forward")  # the same again is answered too: every command is
        assert recv(ctl)["view"] == plain
    assert api.get(client, s["id"])["state"]["step"] == 3


@pytest.mark.parametrize(
    ("view", "words"),
    [({"mode": "sideways"}, "mode"), ({}, "mode"),
     ({"mode": "backward", "inspect": {"kind": "synapse", "layer": 0}}, "inspect.kind"),
     ({"mode": "backward", "inspect": "w1"}, "inspect.kind"),
     ({"mode": "backward", "inspect": {"kind": "weight", "layer": 0, "to": 1}}, "inspect must be an object"),
     ({"mode": "backward", "inspect": {"kind": "input", "i": 0, "x": 1}}, "inspect must be an object"),
     ({"mode": "backward", "inspect": {"kind": "neuron", "layer": -1, "to": 0}}, "inspect.layer"),
     ({"mode": "backward", "inspect": {"kind": "neuron", "layer": True, "to": 0}}, "inspect.layer"),
     ({"mode": "backward", "inspect": {"kind": "neuron", "layer": 1.0, "to": 0}}, "inspect.layer"),
     ({"mode": "backward", "sample": {"split": "val", "index": 0}}, "sample.split"),
     ({"mode": "backward", "sample": {"split": "train"}}, "sample must be an object"),
     ({"mode": "backward", "sample": {"split": "train", "index": 10**7}}, "sample.index")],
)
def test_a_bad_view_is_refused_and_the_last_good_one_stays(client, api, view, words):
    s = api.create(client)
    with client.websocket_connect(f"{API}/{s['id']}/live") as ws:
        opening(ws)
        send(ws, type="view", mode="backward", inspect={"kind": "bias", "layer": 0, "to": 2})
        recv(ws)
        send(ws, type="view", **view)
        err = recv(ws)
        assert err["type"] == "error" and words in err["message"], err
        send(ws, type="step", steps=1)
        assert until(ws, is_frame)["view"] == {"mode": "backward", "inspect": {"kind": "bias", "layer": 0, "to": 2},
                                               "sample": None}


def test_a_socket_joining_a_playing_session_gets_data_before_any_frame(client, api):
    s = api.create(client)
    with client.websocket_connect(f"{API}/{s['id']}/live") as ctl:
        opening(ctl)
        send(ctl, type="play")
        until(ctl, lambda m: is_frame(m) and m["playing"])
        for _ in range(10):  # frames are being broadcast all the while
            with client.websocket_connect(f"/api/watch/{s['watch_id']}/live") as w:
                opening(w)


def _play_then_leave(client, s, watcher) -> None:
    """A controller connects beside ``watcher``, presses play, and its page closes."""
    opening(watcher)
    with client.websocket_connect(f"{API}/{s['id']}/live") as ctl:
        opening(ctl)
        send(ctl, type="play")
        until(watcher, lambda m: is_frame(m) and m["playing"])


def test_a_session_left_playing_to_watchers_alone_pauses_after_a_grace(make_client, api):
    client = make_client(unattended_grace=0.5)
    s = api.create(client)
    with client.websocket_connect(f"/api/watch/{s['watch_id']}/live") as w:
        _play_then_leave(client, s, w)
        # the controller's page closed: watchers still see it play for the grace period (a reload fits in it) …
        started = time.monotonic()
        first = until(w, lambda m: is_frame(m) and m["playing"])["step"]
        later = until(w, lambda m: is_frame(m) and m["playing"] and m["step"] > first)["step"]
        assert later > first
        # … then it pauses for them, and they are told
        until(w, lambda m: is_frame(m) and m["playing"] is False)
        assert time.monotonic() - started >= 0.3
        assert api.get(client, s["id"])["state"]["step"] >= later


def test_a_controller_back_within_the_grace_keeps_it_playing(make_client, api):
    client = make_client(unattended_grace=1.0)
    s = api.create(client)
    with client.websocket_connect(f"/api/watch/{s['watch_id']}/live") as w:
        _play_then_leave(client, s, w)
        with client.websocket_connect(f"{API}/{s['id']}/live") as back:  # the reload
            opening(back)
            deadline = time.monotonic() + 2.0  # past the grace
            while time.monotonic() < deadline:
                assert until(back, is_frame)["playing"] is True



def test_each_departure_of_the_controller_gets_a_whole_grace(make_client, api):
    client = make_client(unattended_grace=1.0)
    s = api.create(client)
    with client.websocket_connect(f"/api/watch/{s['watch_id']}/live") as w:
        _play_then_leave(client, s, w)
        time.sleep(0.5)
        with client.websocket_connect(f"{API}/{s['id']}/live") as back:  # back within the grace …
            opening(back)
            time.sleep(0.3)
        left = time.monotonic()  # … and gone again: the pause is a whole grace after this
        until(w, lambda m: is_frame(m) and m["playing"] is False)
        assert time.monotonic() - left >= 0.9


@pytest.mark.parametrize(
    "command",
    [{"type": "play"}, {"type": "pause"}, {"type": "step", "steps": 1}, {"type": "reset"},
     {"type": "speed", "steps_per_frame": 3}, {"type": "view", "mode": "backward"}],
)
def test_watcher_commands_are_refused_and_the_socket_stays_up(client, api, command):
    s = api.create(client)
    with client.websocket_connect(f"{API}/{s['id']}/live") as ctl, \
            client.websocket_connect(f"/api/watch/{s['watch_id']}/live") as w:
        opening(ctl)
        opening(w)
        w.send_text(json.dumps(command))
        err = recv(w)
        assert err["type"] == "error" and "watch" in err["message"]
        assert api.get(client, s["id"])["state"]["step"] == 0
        assert client.app.state.store.get(s["id"]).live.playing is False
        send(ctl, type="step", steps=2)
        assert recv(w)["step"] == 2
        assert recv(ctl)["step"] == 2


# -- bad messages ---------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "not json", "{", "[]", "null", "42", '"play"', "{}", '{"type": 5}', '{"type": "jump"}',
        '{"type": "step", "steps": 0}', '{"type": "step", "steps": -3}', '{"type": "step", "steps": 100001}',
        '{"type": "step", "steps": "many"}', '{"type": "step", "steps": 1.5}', '{"type": "step", "steps": true}',
        '{"type": "step", "steps": NaN}', '{"type": "speed"}', '{"type": "speed", "steps_per_frame": 0}',
        '{"type": "speed", "steps_per_frame": 1000000}', '{"type": "reset", "seed": -1}',
        '{"type": "reset", "seed": "x"}', '{"type": "reset", "seed": 4294967296}',
        '{"type": "step", "steps": 1, "foo": 1}', '{"type": "play", "steps": 3}', '{"type": "ack", "x": 1}',
        '{"type": "view"}', '{"type": "view", "mode": "sideways"}', '{"type": "view", "mode": "forward", "x": 1}',
        "[" * 5000 + "]" * 5000,  # too deep for Python's parser: a RecursionError, not a closed socket
    ],
)
def test_bad_messages_get_an_error_and_the_socket_stays_usable(client, api, text):
    s = api.create(client)
    with client.websocket_connect(f"{API}/{s['id']}/live") as ws:
        opening(ws)
        ws.send_text(text)
        err = recv(ws)
        assert err["type"] == "error" and err["message"], err
        send(ws, type="step", steps=2)
        assert until(ws, is_frame)["step"] == 2
    assert api.get(client, s["id"])["state"]["step"] == 2


@pytest.mark.parametrize("value", [0, 5001, "fast", 2.5, None])
def test_a_bad_speed_names_max_too(client, api, value):
    """The error said "steps_per_frame must be an integer in [1, 5000]", though "max" is one of its values."""
    s = api.create(client)
    with client.websocket_connect(f"{API}/{s['id']}/live") as ws:
        opening(ws)
        send(ws, type="speed", steps_per_frame=value)
        assert recv(ws) == {"type": "error", "message": 'steps_per_frame must be an integer in [1, 5000], or "max": '
                                                        "as many as fit in a frame"}
        send(ws, type="speed")
        assert recv(ws)["message"] == ('speed needs steps_per_frame, an integer in [1, 5000], or "max": '
                                       "as many as fit in a frame")
        send(ws, type="speed", steps_per_frame="max")
        assert until(ws, is_frame)["steps_per_frame"] == "max"


def test_a_field_a_message_does_not_take_is_named_as_rest_names_it(client, api):
    s = api.create(client)
    with client.websocket_connect(f"{API}/{s['id']}/live") as ws:
        opening(ws)
        send(ws, type="step", steps=1, layer=3)
        assert recv(ws)["message"] == "layer is not a field of a 'step' message (it takes steps)"
        send(ws, type="reset", seed=None)  # null: keep the seed, as POST /reset takes it
        assert until(ws, is_frame)["step"] == 0
    rest = client.post(f"{API}/{s['id']}/step", json={"steps": 1, "layer": 3}).json()
    assert rest["field"] == "layer" and rest["detail"].startswith("layer is not a field of this request")
    assert client.post(f"{API}/{s['id']}/reset", json={"seed": None}).status_code == 200


def test_binary_message_gets_an_error_and_the_socket_stays_usable(client, api):
    s = api.create(client)
    with client.websocket_connect(f"{API}/{s['id']}/live") as ws:
        opening(ws)
        ws.send_bytes(b'{"type": "step"}')
        err = recv(ws)
        assert err["type"] == "error" and "text" in err["message"]
        send(ws, type="step", steps=1)
        assert until(ws, is_frame)["step"] == 1


@pytest.mark.parametrize("path", [f"{API}/nope/live", "/api/watch/nope/live"])
def test_unknown_session_socket_gets_an_error_then_close(client, path):
    with client.websocket_connect(path) as ws:
        err = recv(ws)
        assert err["type"] == "error" and "unknown session" in err["message"]
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_text()
        assert closed.value.code != 1000


def test_controller_id_is_not_a_watch_id_and_vice_versa(client, api):
    s = api.create(client)
    with client.websocket_connect(f"/api/watch/{s['id']}/live") as ws:
        assert recv(ws)["type"] == "error"
    with client.websocket_connect(f"{API}/{s['watch_id']}/live") as ws:
        assert recv(ws)["type"] == "error"


# -- lifecycle ------------------------------------------------------------------------
def test_session_pauses_when_the_last_client_leaves(client, api):
    s = api.create(client)
    sid = s["id"]
    live = client.app.state.store.get(sid).live
    with client.websocket_connect(f"{API}/{sid}/live") as ctl:
        opening(ctl)
        with client.websocket_connect(f"/api/watch/{s['watch_id']}/live") as w:
            opening(w)
            send(ctl, type="play")
            until(w, lambda m: is_frame(m) and m["playing"] and m["step"] > 2)
        # one client left: still playing
        time.sleep(0.05)
        assert live.playing is True
        until(ctl, lambda m: is_frame(m) and m["step"] > 5)
    deadline = time.monotonic() + 5
    while live.playing and time.monotonic() < deadline:
        time.sleep(0.01)
    assert live.playing is False
    time.sleep(0.1)
    stopped = api.get(client, sid)["state"]["step"]
    time.sleep(0.2)
    assert api.get(client, sid)["state"]["step"] == stopped
    assert not live.receivers


def test_playing_into_divergence_stops_and_says_so(client, api):
    s = api.create(client, dataset="plane", hidden_layers=[8, 8], activation="relu", learning_rate=10)
    with client.websocket_connect(f"{API}/{s['id']}/live") as ws:
        opening(ws)
        send(ws, type="speed", steps_per_frame=50)
        send(ws, type="play")
        frame = until(ws, lambda m: is_frame(m) and m["status"] == "diverged")
        assert frame["message"]
        until(ws, lambda m: is_frame(m) and m["playing"] is False)
        # a reset after lowering the rate recovers
        client.patch(f"{API}/{s['id']}", json={"learning_rate": 0.01})
        send(ws, type="reset")
        frame = until(ws, lambda m: is_frame(m) and m["step"] == 0)
        assert frame["status"] == "ok"
        send(ws, type="step", steps=5)
        frame = until(ws, lambda m: is_frame(m) and m["step"] == 5)
        assert frame["status"] == "ok"


@pytest.mark.parametrize("how", ["delete", "evict", "store-remove"])
def test_a_removed_session_tells_its_sockets_and_closes_them(make_client, api, how):
    client = make_client(max_sessions=1)
    s = api.create(client)
    store = client.app.state.store
    live = store.get(s["id"]).live
    with client.websocket_connect(f"{API}/{s['id']}/live") as ctl, \
            client.websocket_connect(f"/api/watch/{s['watch_id']}/live") as w:
        opening(ctl)
        opening(w)
        send(ctl, type="play")
        until(w, lambda m: is_frame(m) and m["playing"])
        if how == "delete":
            assert client.delete(f"{API}/{s['id']}").status_code == 204
        elif how == "evict":
            api.create(client)  # max_sessions=1: everyone else is connected, the oldest goes anyway
        else:
            client.portal.call(store.remove, s["id"])  # what an idle sweep does, on the event loop
        for ws in (ctl, w):
            err = until(ws, lambda m: m["type"] == "error")
            assert "unknown session" in err["message"]
            with pytest.raises(WebSocketDisconnect) as closed:
                ws.receive_text()
            assert closed.value.code == 4404
    assert live.playing is False
    assert client.get(f"{API}/{s['id']}").status_code == 404


# -- size -----------------------------------------------------------------------------
@pytest.mark.parametrize(("config", "limit"), [({}, 20 * 1024), ({"hidden_layers": [8] * 6}, 100 * 1024)],
                         ids=["default", "8x6"])
def test_frame_size(client, api, config, limit):
    s = api.create(client, **config)
    with client.websocket_connect(f"{API}/{s['id']}/live") as ws:
        opening(ws)
        send(ws, type="step", steps=3)
        text = ws.receive_text()
    assert strict(text)["step"] == 3
    assert len(text) <= limit, len(text)


# -- flow control ---------------------------------------------------------------------
@pytest.mark.parametrize("watcher", [False, True])
def test_a_client_that_acks_is_never_more_than_two_frames_behind(client, api, watcher):
    """A slow reader used to get every frame, in order, from buffers seconds deep
    (an audit measured 16–20 s behind): one that acks each frame has at most
    two unanswered, and what waits is replaced by the newest."""
    s = api.create(client)
    sid = s["id"]
    live = client.app.state.store.get(sid).live
    with client.websocket_connect(f"{API}/{sid}/live") as ctl:
        opening(ctl)
        path = f"/api/watch/{s['watch_id']}/live" if watcher else f"{API}/{sid}/live"
        with client.websocket_connect(path) as slow:
            opening(slow)
            send(slow, type="ack")  # paced from here on (for the opening frame)
            send(ctl, type="speed", steps_per_frame=1)
            send(ctl, type="play")
            # the fast controller reads on; the slow one reads nothing for a while
            until(ctl, lambda m: is_frame(m) and m["step"] >= 40)
            time.sleep(0.3)
            (mine,) = [r for r in live.receivers if r.paced]  # the controller never acks
            assert mine.readonly == watcher and mine.in_flight == 2
            assert mine.dropped > 10  # frames it never got: replaced in its mailbox
            # what it gets now: the two frames in flight, then (on acks) the newest, not the next in line
            first = until(slow, is_frame)
            send(slow, type="ack")
            second = until(slow, is_frame)
            send(slow, type="ack")
            third = until(slow, is_frame)
            send(slow, type="ack")
            latest = api.get(client, sid)["state"]["step"]
            assert first["step"] <= second["step"] < third["step"]
            assert third["step"] >= latest - 5 and third["step"] > second["step"] + 10
            send(ctl, type="pause")
    assert not live.receivers


def test_an_ack_is_not_a_command_a_watch_link_refuses(client, api):
    s = api.create(client)
    with client.websocket_connect(f"/api/watch/{s['watch_id']}/live") as w:
        opening(w)
        send(w, type="ack")
        send(w, type="play")
        msg = until(w, lambda m: m["type"] == "error")
        assert "watch link" in msg["message"]  # the play, not the ack


def test_a_paced_client_that_falls_silent_still_gets_the_newest_frame_now_and_then(client, api, monkeypatch):
    monkeypatch.setattr("app.live.ACK_WAIT", 0.3)
    s = api.create(client)
    with client.websocket_connect(f"{API}/{s['id']}/live") as ws:
        opening(ws)
        send(ws, type="ack")
        send(ws, type="speed", steps_per_frame=1)
        send(ws, type="play")
        seen, at = [], []
        for _ in range(3):  # no more acks
            seen.append(until(ws, is_frame)["step"])
            at.append(time.monotonic())
        send(ws, type="pause")
    # two frames in flight, then nothing for ACK_WAIT, then the newest (not the next in line)
    assert at[2] - at[1] >= 0.25 and seen[2] >= seen[1] + 5


def test_at_max_speed_a_frame_slow_to_build_leaves_as_long_for_training(client, api):
    """Ten layers of 128 take ~50 ms to build a frame, more than the frame period:
    "max" used to train 1 ms per frame (59 updates a second, 1–2 per frame)."""
    s = api.create(client, hidden_layers=[128] * 10)
    with client.websocket_connect(f"{API}/{s['id']}/live") as ws:
        opening(ws)
        send(ws, type="speed", steps_per_frame="max")
        send(ws, type="play")
        steps = [until(ws, lambda m: is_frame(m) and m["playing"])["step"] for _ in range(8)]
        send(ws, type="pause")
    per_frame = sorted(b - a for a, b in zip(steps[2:], steps[3:], strict=False))
    assert per_frame[len(per_frame) // 2] >= 10, steps


def test_a_command_with_an_integer_too_long_to_read_says_so(client, api):
    """A 5000-digit steps_per_frame got Python's own words back ("Exceeds the limit (4300 digits) for
    integer string conversion…"), as REST bodies did before they were mended."""
    s = api.create(client)
    with client.websocket_connect(f"{API}/{s['id']}/live") as ws:
        opening(ws)
        ws.send_text('{"type": "speed", "steps_per_frame": ' + "9" * 5000 + "}")
        err = recv(ws)
        assert err["type"] == "error", err
        assert err["message"] == ('a number in the command has too many digits (integers of up to 4300 digits are '
                                  'read; steps_per_frame is an integer in [1, 5000], or "max": as many as fit in a frame)')
        ws.send_text("{")   # not JSON at all: still said so
        assert recv(ws)["message"] == "a command must be valid JSON"
        send(ws, type="step", steps=2)   # and the socket goes on
        assert until(ws, is_frame)["step"] == 2
