"""The session store: LRU eviction, idle time-out, and concurrent requests."""

from __future__ import annotations

import threading
import time

API = "/api/sessions"


def test_creating_one_too_many_evicts_the_least_recently_used(make_client, api):
    client = make_client(max_sessions=3)
    a, b, c = (api.create(client)["id"] for _ in range(3))
    d = api.create(client)["id"]
    assert client.get(f"{API}/{a}").status_code == 404
    for sid in (b, c, d):
        assert client.get(f"{API}/{sid}").status_code == 200
    assert len(client.app.state.store) == 3


def test_use_refreshes_a_session(make_client, api):
    client = make_client(max_sessions=3)
    a, b, c = (api.create(client)["id"] for _ in range(3))
    api.step(client, a)  # a is now the most recently used; b the least
    api.create(client)
    assert client.get(f"{API}/{b}").status_code == 404
    assert client.get(f"{API}/{a}").status_code == 200
    # a watcher's read counts as use, too
    watch_c = client.get(f"{API}/{c}").json()["watch_id"]
    d = client.get(f"{API}/{a}")  # order now: (new), c, a ... touch c through its watch link last
    assert d.status_code == 200
    client.get(f"/api/watch/{watch_c}")
    api.create(client)
    assert client.get(f"{API}/{c}").status_code == 200


def test_import_and_fork_count_against_the_limit(make_client, api):
    client = make_client(max_sessions=2)
    s = api.create(client)
    doc = client.get(f"{API}/{s['id']}/export").json()
    client.post(f"{API}/import", json=doc)
    fork = client.post(f"/api/watch/{s['watch_id']}/fork")
    assert fork.status_code == 201
    assert len(client.app.state.store) == 2


def test_a_new_session_is_never_its_own_victim(make_client, api):
    """Even when every other session has a live viewer, the session just created survives."""
    client = make_client(max_sessions=2)
    a, b = api.create(client), api.create(client)
    with client.websocket_connect(f"{API}/{a['id']}/live") as wa, client.websocket_connect(f"{API}/{b['id']}/live") as wb:
        for ws in (wa, wb):
            ws.receive_json()
            ws.receive_json()
        c = api.create(client)
        assert client.get(f"{API}/{c['id']}").status_code == 200
        assert len(client.app.state.store) == 2


def test_idle_sessions_are_swept(make_client, api):
    client = make_client(idle_timeout=60.0)
    store = client.app.state.store
    old, fresh = api.create(client)["id"], api.create(client)["id"]
    now = time.monotonic()
    store.get(fresh).last_used = now + 30  # used 30 s later than the other
    assert store.sweep(now=now + 10) == 0
    assert store.sweep(now=now + 61) == 1
    assert client.get(f"{API}/{old}").status_code == 404
    assert client.get(f"{API}/{fresh}").status_code == 200


def test_idle_timeout_for_real(make_client, api):
    client = make_client(idle_timeout=0.01)
    sid = api.create(client)["id"]
    time.sleep(0.05)
    assert client.app.state.store.sweep() == 1
    assert client.get(f"{API}/{sid}").status_code == 404


def test_the_server_sweeps_by_itself(make_client, api):
    client = make_client(idle_timeout=0.01, sweep_interval=0.02)
    sid = api.create(client)["id"]
    deadline = time.monotonic() + 5
    while client.get(f"{API}/{sid}").status_code == 200 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert client.get(f"{API}/{sid}").status_code == 404


def test_a_watched_session_is_not_swept(make_client, api):
    client = make_client(idle_timeout=0.01)
    s = api.create(client)
    with client.websocket_connect(f"/api/watch/{s['watch_id']}/live") as ws:
        ws.receive_json()
        ws.receive_json()
        time.sleep(0.05)
        assert client.app.state.store.sweep() == 0
        assert client.get(f"/api/watch/{s['watch_id']}").status_code == 200


def test_concurrent_steps_lose_no_update(client, api):
    sid = api.create(client)["id"]
    errors: list[str] = []

    def work() -> None:
        for _ in range(25):
            r = client.post(f"{API}/{sid}/step", json={"steps": 1})
            if r.status_code != 200:
                errors.append(r.text)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    state = api.get(client, sid)["state"]
    assert state["step"] == 200
    h = client.get(f"{API}/{sid}/history").json()
    assert h["step"] == list(range(1, 201))


def test_concurrent_mixed_requests(client, api):
    """Steps, reads, traces and patches at once: every answer is well-formed and the count is exact."""
    sid = api.create(client)["id"]
    data = client.get(f"{API}/{sid}/data").json()
    batch = {"x": data["train"]["x"][:20], "y": data["train"]["y"][:20]}
    failures: list[str] = []

    def stepper() -> None:
        for _ in range(20):
            r = client.post(f"{API}/{sid}/step", json={"steps": 3})
            if r.status_code != 200:
                failures.append(r.text)

    def reader() -> None:
        for i in range(20):
            for r in (client.get(f"{API}/{sid}"), client.post(f"{API}/{sid}/trace", json=batch),
                      client.get(f"{API}/{sid}/history"),
                      client.patch(f"{API}/{sid}", json={"learning_rate": 0.01 + i / 1000})):
                if r.status_code != 200:
                    failures.append(r.text)

    threads = [threading.Thread(target=stepper) for _ in range(4)] + [threading.Thread(target=reader) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not failures
    assert api.get(client, sid)["state"]["step"] == 240


def test_concurrent_creates_respect_the_limit(make_client, api):
    client = make_client(max_sessions=5)
    codes: list[int] = []

    def work() -> None:
        for _ in range(5):
            codes.append(client.post(API).status_code)

    threads = [threading.Thread(target=work) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert codes == [201] * 30
    assert len(client.app.state.store) == 5
