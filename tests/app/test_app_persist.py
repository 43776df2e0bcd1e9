"""Sessions survive restarts (even kill -9), damaged databases, and eviction."""

from __future__ import annotations

import asyncio
import gc
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import numpy as np
import pytest

from app.live import Receiver
from app.persist import Database
from engine.trainer import Trainer

ROOT = Path(__file__).resolve().parents[2]
API = "/api/sessions"


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``python -m app`` as a real process on loopback."""

    def __init__(self, db: Path, **env: str) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "app", "--port", str(self.port), "--db", str(db)],
            cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.proc.stdout.read()}")
            try:
                if httpx.get(f"{self.base}/api/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        self.kill()
        raise RuntimeError("server did not start")

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)


def weights(state: dict) -> list:
    return [(layer["W"], layer["b"]) for layer in state["layers"]]


def test_sessions_survive_sigkill_and_restart(tmp_path):
    db = tmp_path / "sessions.sqlite3"
    server = Server(db, CHAINRULE_CHECKPOINT_INTERVAL="0.5")
    try:
        with httpx.Client(base_url=server.base, timeout=30) as http:
            a = http.post(API, json={"dataset": "xor", "optimizer": "adam"}).json()
            b = http.post(API, json={"hidden_layers": [3]}).json()
            http.post(f"{API}/{a['id']}/step", json={"steps": 123})
            after_a = http.post(f"{API}/{a['id']}/step", json={"steps": 7}).json()
            after_b = http.post(f"{API}/{b['id']}/step", json={"steps": 1}).json()
            c = http.post(API, json={}).json()

        # Play session c over its socket, then kill the server mid-play.
        import websockets

        seen: list[tuple[float, int]] = []

        async def play() -> None:
            async with websockets.connect(f"ws://127.0.0.1:{server.port}{API}/{c['id']}/live", max_size=2**24) as ws:
                # offered compression (websockets offers it by default), the server declines: deflating
                # every receiver's copy of every frame would run on its event loop (app/cli.py)
                assert "permessage-deflate" in ws.request.headers.get("Sec-WebSocket-Extensions", "")
                assert ws.response.headers.get("Sec-WebSocket-Extensions") is None
                await ws.send(json.dumps({"type": "play"}))
                t0 = time.monotonic()
                while time.monotonic() - t0 < 3.0:
                    msg = json.loads(await ws.recv())
                    if msg["type"] == "frame":
                        seen.append((time.monotonic(), msg["step"]))
                server.kill()

        asyncio.run(play())
    finally:
        if server.proc.poll() is None:
            server.kill()
    killed_at = seen[-1][0]
    # The checkpoint interval is 0.5 s: a state from 1.5 s before the kill must have been saved.
    must_have = max(step for t, step in seen if t <= killed_at - 1.5)

    server = Server(db)
    try:
        with httpx.Client(base_url=server.base, timeout=30) as http:
            got_a = http.get(f"{API}/{a['id']}").json()
            assert got_a["state"]["step"] == 130
            assert weights(got_a["state"]) == weights(after_a)
            got_b = http.get(f"{API}/{b['id']}").json()
            assert weights(got_b["state"]) == weights(after_b)
            assert http.get(f"/api/watch/{b['watch_id']}").json()["state"]["step"] == 1
            got_c = http.get(f"{API}/{c['id']}").json()["state"]["step"]
            assert must_have <= got_c <= seen[-1][1]
            # It continues exactly as an uninterrupted run would.
            cont = http.post(f"{API}/{a['id']}/step", json={"steps": 20}).json()
        twin = Trainer({"dataset": "xor", "optimizer": "adam"})
        twin.step(150)
        assert weights(cont) == [(layer.W.tolist(), layer.b.tolist()) for layer in twin.network.layers]
    finally:
        server.kill()


def test_corrupt_database_is_moved_aside_and_the_server_starts(tmp_path):
    db = tmp_path / "sessions.sqlite3"
    db.write_bytes(b"this is not a database" * 100)
    server = Server(db)
    try:
        with httpx.Client(base_url=server.base, timeout=30) as http:
            assert http.get("/api/health").json()["status"] == "ok"
            assert http.post(API, json={}).status_code == 201
    finally:
        server.kill()
    aside = list(tmp_path.glob("sessions.sqlite3.corrupt-*"))
    assert len(aside) == 1 and aside[0].read_bytes().startswith(b"this is not a database")


def test_foreign_database_stops_start_up_with_a_clear_message(tmp_path):
    db = tmp_path / "theirs.db"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE invoices (id INTEGER)")
    conn.commit()
    conn.close()
    before = db.read_bytes()
    proc = subprocess.run([sys.executable, "-m", "app", "--port", str(free_port()), "--db", str(db)],
                          cwd=ROOT, capture_output=True, text=True, timeout=30)
    assert proc.returncode == 2
    assert "does not belong to chainrule" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert db.read_bytes() == before  # untouched


@pytest.mark.parametrize(("env", "args", "needle"), [
    ({"CHAINRULE_PORT": "abc"}, [], "CHAINRULE_PORT must be an integer (got 'abc')"),
    ({"CHAINRULE_PORT": "70000"}, [], "CHAINRULE_PORT must be in [0, 65535] (got 70000)"),
    ({"CHAINRULE_MAX_FPS": "0"}, [], "CHAINRULE_MAX_FPS must be in (0, 1000] (got 0)"),
    ({"CHAINRULE_MAX_SESSIONS": "-1"}, [], "CHAINRULE_MAX_SESSIONS must be in [1, 1e+06] (got -1)"),
    ({"CHAINRULE_IDLE_TIMEOUT": "soon"}, [], "CHAINRULE_IDLE_TIMEOUT must be a number (got 'soon')"),
    ({}, ["--port", "70000"], "--port must be in [1, 65535] (got 70000)"),
])
def test_a_setting_that_cannot_work_stops_start_up_with_a_clear_message(env, args, needle):
    """A port of "abc" ended in a traceback; a frame rate of 0 would have divided by zero in the first play."""
    proc = subprocess.run([sys.executable, "-m", "app", "--memory", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=30, env={**os.environ, **env})
    assert proc.returncode == 2
    assert needle in proc.stderr and "Traceback" not in proc.stderr


def test_a_write_is_atomic(tmp_path):
    """A failed write (here: a state that is not JSON-able) leaves the previous checkpoint."""
    db = Database(tmp_path / "s.sqlite3")
    db.save("id", "watch", {"step": 1, "x": [1.0]})
    with pytest.raises(ValueError):
        db.save("id", "watch", {"step": 2, "x": [float("nan")]})
    assert db.load("id")[2] == {"step": 1, "x": [1.0]}
    db.close()


def test_evicted_sessions_come_back_from_the_database(make_client, api, tmp_path):
    client = make_client(max_sessions=2, db_path=str(tmp_path / "s.sqlite3"))
    first = api.create(client, dataset="gauss")
    after = api.step(client, first["id"], 17)
    api.create(client)
    api.create(client)  # the first session is evicted from memory
    store = client.app.state.store
    assert store.get(first["id"]) is None and len(store) == 2
    back = client.get(f"{API}/{first['id']}").json()
    assert back["state"]["step"] == 17
    assert weights(back["state"]) == weights(after)
    assert api.step(client, first["id"], 1)["step"] == 18
    # A deleted session is gone from the database too.
    assert client.delete(f"{API}/{first['id']}").status_code == 204
    assert client.get(f"{API}/{first['id']}").status_code == 404


def test_idle_sessions_unload_but_are_not_lost(make_client, api, tmp_path):
    client = make_client(db_path=str(tmp_path / "s.sqlite3"))
    s = api.create(client)
    api.step(client, s["id"], 5)
    store = client.app.state.store
    assert store.sweep(now=time.monotonic() + 10_000) == 1
    assert store.get(s["id"]) is None
    assert client.get(f"/api/watch/{s['watch_id']}").json()["state"]["step"] == 5


def test_many_creations_keep_memory_bounded(make_client, tmp_path):
    client = make_client(max_sessions=20, db_path=str(tmp_path / "s.sqlite3"))
    store = client.app.state.store

    def rss() -> float:
        with open("/proc/self/status") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:")) / 1024

    for _ in range(300):
        client.post(API, json={})
    base = rss()
    for _ in range(1200):
        assert client.post(API, json={}).status_code == 201
    assert len(store) == 20
    assert store.db.count() == 1500
    gc.collect()
    alive = sum(1 for o in gc.get_objects() if type(o) is Trainer)
    assert alive <= 20 + 2  # 1480 sessions live on disk only
    assert rss() - base < 100  # MB (loose: other tests share this process's allocator)


class SlowSocket:
    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.sent: list[str] = []

    async def send_text(self, text: str) -> None:
        await asyncio.sleep(self.delay)
        self.sent.append(text)


def test_a_slow_watcher_drops_frames_without_slowing_others():
    async def scenario() -> tuple[Receiver, Receiver]:
        slow, fast = Receiver(SlowSocket(0.05), True), Receiver(SlowSocket(0.0), True)
        for r in (slow, fast):
            r.task = asyncio.create_task(r.pump())
        for i in range(100):
            for r in (slow, fast):
                r.offer(json.dumps({"type": "frame", "step": i}), "frame")
                assert r.frame is None or json.loads(r.frame)["step"] == i  # a mailbox of one frame
            await asyncio.sleep(0.002)
        await asyncio.sleep(0.2)
        for r in (slow, fast):
            r.alive = False
            r.task.cancel()
        return slow, fast

    slow, fast = asyncio.run(scenario())
    slow_steps = [json.loads(t)["step"] for t in slow.ws.sent]
    fast_steps = [json.loads(t)["step"] for t in fast.ws.sent]
    assert len(fast_steps) >= 90  # the fast one got (nearly) everything
    assert slow.dropped > 50 and len(slow_steps) < 20  # the slow one skipped, never queued
    assert slow_steps == sorted(slow_steps) and slow_steps[-1] == 99  # but it ends on the newest frame
    assert np.all(np.diff(fast_steps) > 0)
