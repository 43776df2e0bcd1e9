"""A lesson's length of play: does anything grow?

Not a test (pytest does not collect it): run it by hand,

    python tests/bench/bench_soak.py [--minutes 8] [--every 30] [--hidden 4,2]

It starts the server on a free loopback port, opens the playground in headless
Chromium at speed "max" and a watch page on the same session, presses play and,
every ``--every`` seconds (after a garbage collection in both pages), prints
the frames each page drew per second, the JavaScript heap in use, the DOM
nodes and event listeners of each page, and the resident memory of this
process (the server). Every fourth sample the teacher's page flips to the
backward view and back, as a teacher does. At the end it prints each figure's
last sample over its first (the peer: the same page a minute in) and the
console errors, if any.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_page import ARGS, CHROMIUM, start_server  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

READY = "window.__chainrule && window.__chainrule.ready"


def resident_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=8.0)
    parser.add_argument("--every", type=float, default=30.0)
    parser.add_argument("--hidden", default="4,2", help="hidden layer sizes, e.g. 8,8,8,8,8,8")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} is missing: nothing to measure", file=sys.stderr)
        return 2
    server, base = start_server()
    errors: list[str] = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            pages = []
            for who in ("teacher", "watcher"):
                page = browser.new_page(viewport={"width": 1280, "height": 720})
                page.on("console", lambda m, who=who: m.type == "error" and errors.append(f"{who}: {m.text}"))
                page.on("pageerror", lambda e, who=who: errors.append(f"{who}: {e}"))
                pages.append(page)
            teacher, watcher = pages
            teacher.goto(f"{base}/?hidden_layers={args.hidden}")
            teacher.wait_for_function(READY, timeout=30_000)
            watcher.goto(f"{base}/watch/{teacher.evaluate('window.__chainrule.watchId')}")
            watcher.wait_for_function(READY, timeout=30_000)
            cdp = [page.context.new_cdp_session(page) for page in pages]
            for c in cdp:
                c.send("Performance.enable")
            teacher.select_option("#speed", "max")
            teacher.click("[data-testid=play]")

            def sample() -> list[float]:
                row = []
                for page, c in zip(pages, cdp, strict=True):
                    c.send("HeapProfiler.collectGarbage")
                    m = {x["name"]: x["value"] for x in c.send("Performance.getMetrics")["metrics"]}
                    now, drawn = page.evaluate("[performance.now(), window.__chainrule.framesDrawn]")
                    row += [now, drawn, m["JSHeapUsedSize"] / 1e6, m["Nodes"], m["JSEventListeners"]]
                return row + [resident_mb()]

            print(f"{'s':>5} {'step':>10}  {'teacher fps':>11} {'heap MB':>8} {'nodes':>6} {'lsn':>4}  "
                  f"{'watcher fps':>11} {'heap MB':>8} {'nodes':>6} {'lsn':>4}  {'server MB':>9}", flush=True)
            start = time.monotonic()
            last = sample()
            rows = []
            k = 0
            while time.monotonic() - start < args.minutes * 60:
                teacher.wait_for_timeout(int(args.every * 1000))
                k += 1
                if k % 4 == 0:
                    teacher.keyboard.press("b")
                    teacher.wait_for_timeout(2000)
                    teacher.keyboard.press("b")
                now = sample()
                fps = [(now[i + 1] - last[i + 1]) / ((now[i] - last[i]) / 1000) for i in (0, 5)]
                step = int(teacher.text_content("[data-testid=step-count]"))
                rows.append((fps[0], now[2], now[3], now[4], fps[1], now[7], now[8], now[9], now[10]))
                print(f"{time.monotonic() - start:5.0f} {step:10d}  {fps[0]:11.1f} {now[2]:8.1f} {now[3]:6.0f} "
                      f"{now[4]:4.0f}  {fps[1]:11.1f} {now[7]:8.1f} {now[8]:6.0f} {now[9]:4.0f}  {now[10]:9.0f}",
                      flush=True)
                last = now
            teacher.click("[data-testid=play]")
            browser.close()
    finally:
        server.should_exit = True
    if rows:
        names = ["teacher fps", "teacher heap", "teacher nodes", "teacher listeners", "watcher fps",
                 "watcher heap", "watcher nodes", "watcher listeners", "server memory"]
        print("last ÷ first sample: " + ", ".join(f"{n} {b / a:.2f}" for n, a, b in
                                                   zip(names, rows[0], rows[-1], strict=True) if a))
    print(f"console errors: {len(errors)}" + "".join(f"\n  {e}" for e in errors[:10]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
