"""``chainrule`` and ``python -m app``: start the server."""

from __future__ import annotations

import argparse
import os
import sys
import threading
import webbrowser

from .persist import Database, ForeignDatabase, default_path
from .settings import Settings, SettingsError

# How uvicorn serves the sockets. No per-message compression: it ran on the
# event loop for each receiver's copy of each frame (a 2.6 MB frame of ten
# layers of 128 took ~60 ms per watcher), and the frames' bulk is base64,
# which barely compresses.
SERVER_OPTIONS = {"ws_max_size": 16 * 1024 * 1024, "ws_per_message_deflate": False}


def main(argv: list[str] | None = None) -> None:
    try:
        defaults = Settings()
    except SettingsError as e:  # a clear line, not a traceback
        print(f"chainrule: {e}", file=sys.stderr)
        raise SystemExit(2) from None
    parser = argparse.ArgumentParser(prog="chainrule", description="Run the chainrule server.")
    parser.add_argument("--host", default=defaults.host, help="address to listen on (default %(default)s)")
    parser.add_argument("--port", type=int, default=defaults.port, help="port to listen on (default %(default)s)")
    parser.add_argument("--open", action="store_true", help="open the playground in a web browser")
    parser.add_argument("--db", default=None, help="SQLite file where sessions are saved "
                        f"(default {defaults.db_path or default_path()})")
    parser.add_argument("--memory", action="store_true", help="keep sessions in memory only (lost on restart)")
    args = parser.parse_args(argv)
    if not 1 <= args.port <= 65535:
        parser.error(f"--port must be in [1, 65535] (got {args.port})")
    if args.memory:
        os.environ["CHAINRULE_MEMORY"] = "1"
    elif args.db:
        os.environ["CHAINRULE_DB"] = args.db
        os.environ.pop("CHAINRULE_MEMORY", None)
    db_path = Settings().db_path
    if db_path is not None:
        # Check the database before the server starts: a clear message, never a crash loop.
        try:
            Database(db_path).close()
        except (ForeignDatabase, OSError) as e:
            print(f"chainrule: cannot use {db_path}: {e}", file=sys.stderr)
            raise SystemExit(2) from None

    import uvicorn

    url = f"http://{args.host}:{args.port}/"
    if args.open:
        threading.Timer(1.0, webbrowser.open, args=(url,)).start()
    saved = f"sessions are saved in {db_path}" if db_path else "sessions are kept in memory only"
    print(f"chainrule: open {url} in a browser ({saved}; Ctrl+C stops the server)", flush=True)
    uvicorn.run("app.main:app", host=args.host, port=args.port, log_level="info", **SERVER_OPTIONS)
