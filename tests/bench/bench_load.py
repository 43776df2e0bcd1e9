"""Classroom load: 30 controllers playing and 100 watchers, on a real server.

Not a test (pytest does not collect it).  Run:

    python tests/bench/bench_load.py [--seconds 60] [--controllers 30] [--watchers 100]

A real uvicorn server runs as a subprocess on loopback.  Each controller
creates a session, connects to its live socket and plays; the watchers spread
over those sessions on their watch links.  Meanwhile one more client sends
step requests to a session of its own.  It reports frames per second per
client (minimum, 5th percentile, median) for controllers and watchers, the
step-request latency (p50, p95), and the server's peak resident memory.
Goals (issue 7, 2 cores): every controller and watcher ≥ 10 frames/s,
p95 ≤ 100 ms, peak memory ≤ 500 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import websockets

sys.path.insert(0, str(Path(__file__).parent))
from bench_service import free_port, pct  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


def rss_mb(pid: int) -> float:
    """Resident memory of a process in MB (Linux /proc)."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


async def count_frames(url: str, seconds: float, start: asyncio.Event, commands: list[dict]) -> float:
    async with websockets.connect(url, max_size=2**24) as ws:
        for c in commands:
            await ws.send(json.dumps(c))
        await start.wait()
        frames = 0
        t0 = time.perf_counter()
        while (left := seconds - (time.perf_counter() - t0)) > 0:
            try:
                text = await asyncio.wait_for(ws.recv(), timeout=left)
            except TimeoutError:
                break
            if text.startswith('{"type":"frame"'):
                frames += 1
        return frames / (time.perf_counter() - t0)


async def step_latencies(base: str, seconds: float, start: asyncio.Event) -> list[float]:
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        sid = (await http.post("/api/sessions", json={})).json()["id"]
        await start.wait()
        out: list[float] = []
        t0 = time.perf_counter()
        while time.perf_counter() - t0 < seconds:
            s = time.perf_counter()
            (await http.post(f"/api/sessions/{sid}/step", json={"steps": 10})).raise_for_status()
            out.append(time.perf_counter() - s)
            await asyncio.sleep(0.1)
        return out


async def sample_memory(pid: int, stop: asyncio.Event) -> float:
    peak = 0.0
    while not stop.is_set():
        peak = max(peak, rss_mb(pid))
        await asyncio.sleep(0.25)
    return peak


async def main_async(args: argparse.Namespace) -> None:
    port = free_port()
    base, ws_base = f"http://127.0.0.1:{port}", f"ws://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "CHAINRULE_DB": str(Path(tmp) / "load.sqlite3")}
        proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "app.main:app", "--port", str(port),
                                 "--log-level", "warning", "--ws-per-message-deflate", "false"], cwd=ROOT, env=env)
        try:
            for _ in range(100):
                try:
                    if httpx.get(f"{base}/api/health", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                time.sleep(0.1)
            async with httpx.AsyncClient(base_url=base, timeout=30) as http:
                sessions = [(await http.post("/api/sessions", json={"seed": i})).json() for i in range(args.controllers)]
            start, stop = asyncio.Event(), asyncio.Event()
            mem = asyncio.create_task(sample_memory(proc.pid, stop))
            controllers = [asyncio.create_task(count_frames(f"{ws_base}/api/sessions/{s['id']}/live", args.seconds,
                                                            start, [{"type": "play"}])) for s in sessions]
            watchers = [asyncio.create_task(count_frames(
                f"{ws_base}/api/watch/{sessions[i % len(sessions)]['watch_id']}/live", args.seconds, start, []))
                for i in range(args.watchers)]
            steps = asyncio.create_task(step_latencies(base, args.seconds, start))
            await asyncio.sleep(3.0)  # everyone connected and playing
            start.set()
            c_fps = await asyncio.gather(*controllers)
            w_fps = await asyncio.gather(*watchers)
            lat = await steps
            stop.set()
            peak = await mem
        finally:
            proc.terminate()
            proc.wait(timeout=10)

    def line(name: str, fps: list[float]) -> str:
        ok = "OK" if min(fps) >= 10 else "BELOW"
        return (f"  {name:<12} n={len(fps):<4} min {min(fps):5.1f}  p5 {pct(fps, 5):5.1f}  "
                f"median {statistics.median(fps):5.1f} frames/s   (goal ≥ 10) {ok}")

    print(f"{args.controllers} controllers playing, {args.watchers} watchers, {args.seconds:g} s, 2 cores:")
    print(line("controllers", c_fps))
    print(line("watchers", w_fps))
    print(f"  step request (10 updates) latency: p50 {pct(lat, 50) * 1000:.1f} ms, p95 {pct(lat, 95) * 1000:.1f} ms "
          f"over {len(lat)} requests   (goal p95 ≤ 100 ms) {'OK' if pct(lat, 95) <= 0.1 else 'OVER'}")
    print(f"  server peak resident memory: {peak:.0f} MB   (goal ≤ 500 MB) {'OK' if peak <= 500 else 'OVER'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--controllers", type=int, default=30)
    parser.add_argument("--watchers", type=int, default=100)
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
