"""``chainrule`` and ``python -m app``: start the server."""

from __future__ import annotations

import argparse
import threading
import webbrowser

from .settings import Settings


def main(argv: list[str] | None = None) -> None:
    defaults = Settings()
    parser = argparse.ArgumentParser(prog="chainrule", description="Run the chainrule server.")
    parser.add_argument("--host", default=defaults.host, help="address to listen on (default %(default)s)")
    parser.add_argument("--port", type=int, default=defaults.port, help="port to listen on (default %(default)s)")
    parser.add_argument("--open", action="store_true", help="open the playground in a web browser")
    args = parser.parse_args(argv)

    import uvicorn

    url = f"http://{args.host}:{args.port}/"
    if args.open:
        threading.Timer(1.0, webbrowser.open, args=(url,)).start()
    print(f"chainrule: open {url} in a browser (Ctrl+C stops the server)", flush=True)
    uvicorn.run("app.main:app", host=args.host, port=args.port, log_level="info", ws_max_size=16 * 1024 * 1024)
