"""Sessions on disk: an embedded SQLite database (standard library only).

One row per session: its ids, the trainer's complete state as JSON (the same
document as ``export``), and when it was saved.  Every save is one
transaction, so a crash mid-write leaves the previous checkpoint; WAL mode
keeps readers and the writer out of each other's way.

A database file is recognised by a ``meta`` table naming this application;
a file that is not SQLite, or whose integrity check fails, is moved aside
(``*.corrupt-<time>``) with a clear message and a fresh database is started;
a valid SQLite database that belongs to something else is never touched:
start-up stops with a message naming the file.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

log = logging.getLogger("chainrule.persist")

APPLICATION = "chainrule"
SCHEMA_VERSION = 1


class ForeignDatabase(RuntimeError):
    """The file is an SQLite database, but not chainrule's."""


def default_path() -> Path:
    """``$XDG_DATA_HOME/chainrule/sessions.sqlite3`` (``~/.local/share/...``)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "chainrule" / "sessions.sqlite3"


class Database:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self.moved_aside: Path | None = None
        try:
            self._conn = self._open()
        except sqlite3.DatabaseError as e:  # not SQLite at all, or damaged
            self.moved_aside = self.path.with_name(f"{self.path.name}.corrupt-{int(time.time())}")
            os.replace(self.path, self.moved_aside)
            for suffix in ("-wal", "-shm"):
                Path(str(self.path) + suffix).unlink(missing_ok=True)
            log.warning("chainrule: %s was damaged (%s); it was moved to %s and a new database was started",
                        self.path, e, self.moved_aside)
            self._conn = self._open()

    def _open(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=10)
        try:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if tables and "meta" not in tables:
                raise ForeignDatabase(f"{self.path} is an SQLite database that does not belong to chainrule; "
                                      "choose another file with --db (or CHAINRULE_DB)")
            if tables:
                meta = dict(conn.execute("SELECT key, value FROM meta"))
                if meta.get("application") != APPLICATION:
                    raise ForeignDatabase(f"{self.path} does not belong to chainrule; choose another file with --db")
                if int(meta.get("schema", 0)) > SCHEMA_VERSION:
                    raise ForeignDatabase(f"{self.path} was written by a newer chainrule; upgrade chainrule or "
                                          "choose another file with --db")
                check = conn.execute("PRAGMA quick_check").fetchone()[0]
                if check != "ok":
                    raise sqlite3.DatabaseError(f"integrity check failed: {check}")
            # Only now that the file is known to be ours (or new) is it changed.
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            if not tables:
                with conn:
                    conn.execute("BEGIN")
                    conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
                    conn.executemany("INSERT INTO meta VALUES (?, ?)",
                                     [("application", APPLICATION), ("schema", str(SCHEMA_VERSION))])
                    conn.execute("CREATE TABLE sessions (id TEXT PRIMARY KEY, watch_id TEXT UNIQUE NOT NULL, "
                                 "state TEXT NOT NULL, step INTEGER NOT NULL, saved REAL NOT NULL)")
        except BaseException:
            conn.close()
            raise
        return conn

    # -- rows -----------------------------------------------------------------
    def save(self, session_id: str, watch_id: str, state: dict[str, Any]) -> None:
        text = json.dumps(state, separators=(",", ":"), allow_nan=False)
        with self._lock:
            self._conn.execute(
                "INSERT INTO sessions (id, watch_id, state, step, saved) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT(id) DO UPDATE SET state=excluded.state, step=excluded.step, saved=excluded.saved",
                (session_id, watch_id, text, int(state.get("step", 0)), time.time()),
            )

    def load(self, session_id: str) -> tuple[str, str, dict[str, Any]] | None:
        return self._one("SELECT id, watch_id, state FROM sessions WHERE id = ?", session_id)

    def load_by_watch(self, watch_id: str) -> tuple[str, str, dict[str, Any]] | None:
        return self._one("SELECT id, watch_id, state FROM sessions WHERE watch_id = ?", watch_id)

    def _one(self, sql: str, key: str) -> tuple[str, str, dict[str, Any]] | None:
        with self._lock:
            row = self._conn.execute(sql, (key,)).fetchone()
        if row is None:
            return None
        return row[0], row[1], json.loads(row[2])

    def delete(self, session_id: str) -> bool:
        with self._lock:
            return self._conn.execute("DELETE FROM sessions WHERE id = ?", (session_id,)).rowcount > 0

    def prune(self, older_than: float) -> int:
        """Forget sessions not saved for ``older_than`` seconds."""
        with self._lock:
            cur = self._conn.execute("DELETE FROM sessions WHERE saved < ?", (time.time() - older_than,))
            return cur.rowcount

    def count(self) -> int:
        with self._lock:
            return self._conn.execute("SELECT COUNT(*) FROM sessions").fetchone()[0]

    def close(self) -> None:
        with self._lock:
            self._conn.close()
