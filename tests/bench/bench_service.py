"""Service benchmark: a real uvicorn server on loopback, driven over WebSocket.

Not a test (pytest does not collect it).  Run:

    python tests/bench/bench_service.py [--seconds 10] [--sessions 30]

It prints, for the default network and for six hidden layers of eight:
frames per second and bytes per frame over the socket while playing; then,
with ``--sessions`` sessions playing at once, each session's frames per second
(minimum and 5th percentile) and the latency of step requests (p50, p95) on
another session.  Goals (issue 3): ≤ 20 KiB per frame (default), ≤ 100 KiB
(6×8); with 30 sessions playing on 2 cores, each ≥ 10 frames/s and a step
request's p95 ≤ 100 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx
import websockets

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "app.main:app", "--port", str(port), "--log-level", "warning", "--ws-per-message-deflate", "false"],
        cwd=ROOT, env={**os.environ, "CHAINRULE_MAX_SESSIONS": "500"},
    )
    for _ in range(100):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    proc.kill()
    raise RuntimeError("server did not start")


async def play_and_count(base: str, ws_base: str, config: dict, seconds: float, steps_per_frame: int = 1,
                         started: asyncio.Event | None = None) -> dict:
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        sid = (await http.post("/api/sessions", json=config)).json()["id"]
    async with websockets.connect(f"{ws_base}/api/sessions/{sid}/live", max_size=2**24) as ws:
        await ws.recv()  # data
        await ws.recv()  # first frame
        await ws.send(json.dumps({"type": "speed", "steps_per_frame": steps_per_frame}))
        await ws.send(json.dumps({"type": "play"}))
        if started is not None:
            await started.wait()
        sizes: list[int] = []
        first_step = last_step = None
        t0 = time.perf_counter()
        while time.perf_counter() - t0 < seconds:
            try:
                text = await asyncio.wait_for(ws.recv(), timeout=seconds)
            except TimeoutError:
                break
            msg = json.loads(text)
            if msg.get("type") != "frame":
                continue
            sizes.append(len(text.encode()))
            first_step = msg["step"] if first_step is None else first_step
            last_step = msg["step"]
        elapsed = time.perf_counter() - t0
        await ws.send(json.dumps({"type": "pause"}))
    return {
        "fps": len(sizes) / elapsed,
        "mean_bytes": statistics.mean(sizes) if sizes else 0,
        "max_bytes": max(sizes) if sizes else 0,
        "updates_per_s": ((last_step or 0) - (first_step or 0)) / elapsed,
    }


async def step_latencies(base: str, seconds: float) -> list[float]:
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        sid = (await http.post("/api/sessions", json={})).json()["id"]
        out = []
        t0 = time.perf_counter()
        while time.perf_counter() - t0 < seconds:
            s = time.perf_counter()
            r = await http.post(f"/api/sessions/{sid}/step", json={"steps": 1})
            r.raise_for_status()
            out.append(time.perf_counter() - s)
            await asyncio.sleep(0.05)
        return out


def pct(values: list[float], q: float) -> float:
    v = sorted(values)
    return v[min(len(v) - 1, max(0, int(round(q / 100 * (len(v) - 1)))))]


async def main_async(args: argparse.Namespace) -> None:
    port = free_port()
    proc = start_server(port)
    base, ws_base = f"http://127.0.0.1:{port}", f"ws://127.0.0.1:{port}"
    try:
        print(f"{'network':<22}{'frames/s':>10}{'mean bytes':>12}{'max bytes':>11}{'goal bytes':>12}{'updates/s':>11}")
        for name, cfg, goal in (("default 2-4-2-1", {}, 20 * 1024), ("6 hidden × 8", {"hidden_layers": [8] * 6}, 100 * 1024)):
            r = await play_and_count(base, ws_base, cfg, args.seconds)
            print(f"{name:<22}{r['fps']:>10.1f}{r['mean_bytes']:>12.0f}{r['max_bytes']:>11}{goal:>12}{r['updates_per_s']:>11.0f}"
                  f"   {'OK' if r['max_bytes'] <= goal else 'OVER'}")

        started = asyncio.Event()
        players = [asyncio.create_task(play_and_count(base, ws_base, {"seed": i}, args.seconds, 1, started))
                   for i in range(args.sessions)]
        await asyncio.sleep(2.0)  # let every socket connect and start playing
        started.set()
        lat_task = asyncio.create_task(step_latencies(base, args.seconds))
        results = await asyncio.gather(*players)
        lat = await lat_task
        fps = [r["fps"] for r in results]
        print(f"\n{args.sessions} sessions playing at once for {args.seconds:g} s:")
        print(f"  frames/s per session: min {min(fps):.1f}, p5 {pct(fps, 5):.1f}, median {statistics.median(fps):.1f}"
              f"   (goal ≥ 10)  {'OK' if pct(fps, 5) >= 10 else 'BELOW'}")
        print(f"  step request latency: p50 {pct(lat, 50) * 1000:.1f} ms, p95 {pct(lat, 95) * 1000:.1f} ms "
              f"over {len(lat)} requests   (goal p95 ≤ 100 ms)  {'OK' if pct(lat, 95) <= 0.1 else 'OVER'}")
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--sessions", type=int, default=30)
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
