"""Frames drawn and updates per second of the playground page at top speed.

Not a test (pytest does not collect it): run it by hand,

    python tests/bench/bench_page.py [--seconds 10]

It starts the server on a free loopback port, opens the page in headless
Chromium, picks speed "max", presses play and, after a warm-up, counts for
``--seconds`` seconds the frames the page drew (``window.__chainrule.
framesDrawn``, incremented by the draw loop) and the updates the step counter
advanced. It does so for the default network and for six hidden layers of
eight, and ten of 128 (the largest allowed). Two peers are measured in the same run: the bare engine
(``Trainer.step`` in this process, no server, no page), and the server alone
(a plain WebSocket client that only counts frames, at the same updates per
frame as the page ended with) — so the ratios say how much of the engine's
speed reaches the screen, and what drawing the page costs.
"""

from __future__ import annotations

import argparse
import json
import socket
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import uvicorn  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402
from websockets.sync.client import connect  # noqa: E402

from app.cli import SERVER_OPTIONS  # noqa: E402
from app.main import create_app  # noqa: E402
from app.settings import Settings  # noqa: E402
from engine.trainer import Trainer  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
CASES = [("default [4, 2]", [4, 2]), ("6 × 8", [8] * 6), ("10 × 128", [128] * 10)]
# the largest network the limits allow has no goal of its own: it is measured to
# show that the page keeps going (it drew 0.6 frames/s at 750 ms a diagram before
# the diagram stroked only its strongest edges)
GOALS = {"default [4, 2]": (30, 15000), "6 × 8": (30, 5500), "10 × 128": None}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server() -> tuple[uvicorn.Server, str]:
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(Settings(db_path=None)), host="127.0.0.1", port=port, log_level="warning",
                                           **SERVER_OPTIONS))
    threading.Thread(target=server.run, daemon=True).start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the server did not start")
        time.sleep(0.05)
    return server, f"http://127.0.0.1:{port}"


def engine_rate(hidden: list[int], seconds: float = 2.0) -> float:
    trainer = Trainer({"hidden_layers": hidden})
    trainer.step(200)
    done, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        done += trainer.step(500)
    return done / (time.perf_counter() - start)


def server_alone(base: str, hidden: list[int], steps_per_frame: int, seconds: float = 5.0) -> tuple[float, float]:
    """Frames and updates per second a non-drawing client receives."""
    import urllib.request

    req = urllib.request.Request(base + "/api/sessions", data=json.dumps({"hidden_layers": hidden}).encode(),
                                 headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(req) as r:
        sid = json.load(r)["id"]
    with connect(base.replace("http", "ws") + f"/api/sessions/{sid}/live", max_size=None) as ws:
        ws.send(json.dumps({"type": "speed", "steps_per_frame": steps_per_frame}))
        ws.send(json.dumps({"type": "play"}))
        frames, first, last, start = 0, None, None, time.monotonic()
        while time.monotonic() - start < seconds + 1:
            msg = json.loads(ws.recv())
            if msg["type"] != "frame" or time.monotonic() - start < 1:  # a second to get going
                continue
            frames += 1
            first = first or (time.monotonic(), msg["step"])
            last = (time.monotonic(), msg["step"])
        ws.send(json.dumps({"type": "pause"}))
    dt = last[0] - first[0]
    return (frames - 1) / dt, (last[1] - first[1]) / dt


def measure(page, base: str, hidden: list[int], seconds: float, warmup: float) -> dict[str, float]:
    query = "" if hidden == [4, 2] else "?hidden_layers=" + ",".join(map(str, hidden))
    page.goto(base + "/" + query)
    page.wait_for_function("window.__chainrule && window.__chainrule.ready", timeout=20000)
    page.select_option("#speed", "max")
    page.click("[data-testid=play]")
    page.wait_for_timeout(int(warmup * 1000))

    def sample() -> tuple[float, int, int, int]:
        return page.evaluate("""() => [performance.now(), window.__chainrule.framesDrawn,
            window.__chainrule.framesReceived,
            Number(document.querySelector('[data-testid=step-count]').textContent)]""")

    t0, drawn0, recv0, step0 = sample()
    page.wait_for_timeout(int(seconds * 1000))
    t1, drawn1, recv1, step1 = sample()
    spf = page.evaluate("window.__chainrule.speed.stepsPerFrame")
    cost = page.evaluate("Object.fromEntries(Object.entries(window.__chainrule.drawStats.cost).map(([k, v]) => [k, +v.toFixed(1)]))")
    page.click("[data-testid=play]")
    dt = (t1 - t0) / 1000
    return {"fps_drawn": (drawn1 - drawn0) / dt, "fps_received": (recv1 - recv0) / dt,
            "updates_per_s": (step1 - step0) / dt, "steps_per_frame": spf, "cost": cost}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=10.0)
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} is missing: nothing to measure", file=sys.stderr)
        return 2
    server, base = start_server()
    print(f"{'network':16} {'frames drawn/s':>15} {'frames recv/s':>14} {'updates/s':>10} {'upd/frame':>10} "
          f"{'engine alone':>13} {'page/engine':>12} {'server alone fps, upd/s':>24}  goal (fps, upd/s)")
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 720})
            for name, hidden in CASES:
                r = measure(page, base, hidden, args.seconds, args.warmup)
                peer = engine_rate(hidden)
                alone_fps, alone_ups = server_alone(base, hidden, r["steps_per_frame"])
                goal = GOALS[name]
                if goal is None:
                    ok, goal = "(reported)", ("–", "–")
                else:
                    ok = "met" if r["fps_drawn"] >= goal[0] and r["updates_per_s"] >= goal[1] else "NOT met"
                fps_goal, ups_goal = goal
                print(f"{name:16} {r['fps_drawn']:15.1f} {r['fps_received']:14.1f} {r['updates_per_s']:10.0f} "
                      f"{str(r['steps_per_frame']):>10} {peer:13.0f} {r['updates_per_s'] / peer:12.2f} "
                      f"{alone_fps:14.1f}, {alone_ups:8.0f}  ≥{fps_goal}, ≥{ups_goal}: {ok}", flush=True)
                print(f"{'':16} drawing cost per view, ms (moving average): {r['cost']}", flush=True)
            browser.close()
    finally:
        server.should_exit = True
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
