"""Live frames while a large REST answer is made.

Not a test (pytest does not collect it): run it by hand,

    python tests/bench/bench_answers.py [--rows 4000] [--largest]

It starts the server on a free loopback port (real uvicorn), plays one session
over its live socket (acknowledging frames as the page does) and, while it
plays, another client asks for a large answer: a trace of ``--rows`` rows
through six hidden layers of eight, the export of ten hidden layers of 128
trained with Adam, and that session's snapshot; with ``--largest`` also the
largest trace the API allows (5000 rows through ten layers of 128: about
0.7 GB of JSON, some 20 s). For each it prints the answer's size and time and
the longest gap between two frames while it was made, beside the longest gap
in the two seconds before (the peer: the same socket undisturbed) and their
ratio. The server's peak memory is printed at the end.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_page import start_server  # noqa: E402
from websockets.sync.client import connect  # noqa: E402


def call(base: str, method: str, path: str, body: object | None = None) -> tuple[int, bytes]:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        return r.status, r.read()


class Watcher:
    """Plays a session and records when each frame arrives."""

    def __init__(self, base: str, sid: str) -> None:
        self.times: list[float] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, args=(base, sid), daemon=True)
        self.thread.start()

    def run(self, base: str, sid: str) -> None:
        with connect(base.replace("http", "ws") + f"/api/sessions/{sid}/live", max_size=None) as ws:
            ws.send(json.dumps({"type": "play"}))
            while not self.stop.is_set():
                if json.loads(ws.recv())["type"] == "frame":
                    ws.send(json.dumps({"type": "ack"}))
                    self.times.append(time.monotonic())
            ws.send(json.dumps({"type": "pause"}))

    def longest_gap(self, start: float, end: float) -> float:
        t = [v for v in self.times if start <= v <= end]
        return max((b - a for a, b in zip(t, t[1:], strict=False)), default=float("nan"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=4000)
    parser.add_argument("--largest", action="store_true", help="also the largest trace (about 20 s, 0.7 GB)")
    args = parser.parse_args()
    server, base = start_server()
    try:
        sid = lambda body: json.loads(call(base, "POST", "/api/sessions", body)[1])["id"]  # noqa: E731
        playing = sid({})
        small = sid({"hidden_layers": [8] * 6, "n_samples": 5000, "train_fraction": 0.9})
        big = sid({"hidden_layers": [128] * 10, "optimizer": "adam"})
        call(base, "POST", f"/api/sessions/{big}/step", {"steps": 3})
        watcher = Watcher(base, playing)
        time.sleep(3)

        def rows(n: int) -> dict:
            return {"x": [[(0.1 * i) % 5, 0.2] for i in range(n)], "y": [[i % 2] for i in range(n)]}

        asks = [(f"trace, {args.rows} rows, 6 × 8", "POST", f"/api/sessions/{small}/trace", rows(args.rows)),
                ("export, 10 × 128, Adam", "GET", f"/api/sessions/{big}/export", None),
                ("snapshot, 10 × 128", "GET", f"/api/sessions/{big}", None)]
        if args.largest:
            asks.append(("trace, 5000 rows, 10 × 128", "POST", f"/api/sessions/{big}/trace", rows(5000)))
        print(f"{'answer':30} {'status':>6} {'MB':>8} {'s':>6} {'gap during, ms':>15} {'gap before, ms':>15} {'ratio':>6}")
        for name, method, path, body in asks:
            time.sleep(2)
            start = time.monotonic()
            status, answer = call(base, method, path, body)
            end = time.monotonic()
            time.sleep(0.3)
            during = watcher.longest_gap(start, end + 0.2) * 1e3
            before = watcher.longest_gap(start - 2, start) * 1e3
            print(f"{name:30} {status:>6} {len(answer) / 1e6:8.1f} {end - start:6.2f} {during:15.0f} {before:15.0f} "
                  f"{during / before:6.1f}", flush=True)
        watcher.stop.set()
        watcher.thread.join(5)
    finally:
        server.should_exit = True
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3
    print(f"peak memory of this process (server and clients): {peak:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
