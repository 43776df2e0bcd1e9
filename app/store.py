"""Sessions and the store that owns them.

A session is one trainer behind a lock.  Every operation on its trainer —
a REST step, a live frame, a reset — runs in a worker thread while holding
that lock, so concurrent requests run one after another (no update is lost)
and the event loop is never busy training.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from anyio import CapacityLimiter, to_thread

from engine.config import ConfigError
from engine.trainer import Trainer

if TYPE_CHECKING:
    from .live import Live
    from .persist import Database

log = logging.getLogger("chainrule.store")

T = TypeVar("T")


def new_token() -> str:
    """An unguessable URL-safe identifier: 192 random bits."""
    return secrets.token_urlsafe(24)


class Session:
    def __init__(self, trainer: Trainer, session_id: str | None = None, watch_id: str | None = None,
                 db: Database | None = None) -> None:
        self.id = session_id or new_token()
        self.watch_id = watch_id or new_token()
        self.trainer = trainer
        self.db = db
        self.saved_at = time.monotonic()
        self.lock = threading.Lock()
        self.last_used = time.monotonic()
        self.live: Live | None = None  # set by the store
        self.closed = False  # no longer in memory (it may still be on disk)
        self.deleted = False

    def touch(self) -> None:
        self.last_used = time.monotonic()

    async def run(self, fn: Callable[[Trainer], T], limiter: CapacityLimiter | None = None,
                  save: bool = False) -> T:
        """Run ``fn(trainer)`` in a worker thread, holding this session's lock.

        ``limiter`` bounds how many such threads run at once (live frames
        share one, so that request threads never queue behind dozens of
        frame builders for Python's interpreter lock).  ``save`` checkpoints
        the session to the database in the same locked call, so what a
        request changed is on disk before it is answered."""

        def locked() -> T:
            with self.lock:
                result = fn(self.trainer)
                if save:
                    self.checkpoint()
                return result

        self.touch()
        return await to_thread.run_sync(locked, limiter=limiter)

    def checkpoint(self) -> None:
        """Save the whole state (call with the lock held, in a worker thread)."""
        if self.db is not None and not self.deleted:
            self.db.save(self.id, self.watch_id, self.trainer.to_state())
        self.saved_at = time.monotonic()

    def public(self, state: dict[str, Any]) -> dict[str, Any]:
        return {"id": self.id, "watch_id": self.watch_id, "config": self.trainer.config, "state": state}


class SessionStore:
    """At most ``capacity`` sessions in memory; the least recently used is
    evicted first, and sessions idle for ``idle_timeout`` seconds with no one
    connected are dropped from memory.  With a database, every change is
    saved as it happens, so an evicted or idle session is only *unloaded*:
    ``find`` brings it back from disk on its next use."""

    def __init__(self, capacity: int, idle_timeout: float, live_factory: Callable[[Session], Live],
                 db: Database | None = None) -> None:
        self.db = db
        self.capacity = capacity
        self.idle_timeout = idle_timeout
        self._sessions: OrderedDict[str, Session] = OrderedDict()
        self._watch: dict[str, str] = {}
        self._live_factory = live_factory
        self.evicted = 0

    def __len__(self) -> int:
        return len(self._sessions)

    def add(self, trainer: Trainer, session_id: str | None = None, watch_id: str | None = None) -> Session:
        session = Session(trainer, session_id, watch_id, self.db)
        session.live = self._live_factory(session)
        self._sessions[session.id] = session
        self._watch[session.watch_id] = session.id
        while len(self._sessions) > max(self.capacity, 1):
            # The least recently used first; never the session just created.
            others = [s for s in self._sessions.values() if s is not session]
            victim = next((s for s in others if not s.live.connected), None)
            if victim is None:  # everyone else is connected: evict the oldest anyway
                victim = others[0]
            self.unload(victim.id)
            self.evicted += 1
        return session

    async def find(self, session_id: str) -> Session | None:
        """The session in memory, or loaded from the database."""
        session = self.get(session_id)
        if session is None and self.db is not None:
            session = await self._load(self.db.load, session_id)
        return session

    async def find_watch(self, watch_id: str) -> Session | None:
        session = self.by_watch(watch_id)
        if session is None and self.db is not None:
            session = await self._load(self.db.load_by_watch, watch_id)
        return session

    async def _load(self, fetch: Callable[[str], Any], key: str) -> Session | None:
        def load() -> tuple[str, str, Trainer] | None:
            row = fetch(key)
            if row is None:
                return None
            sid, wid, state = row
            try:
                return sid, wid, Trainer.from_state(state)
            except ConfigError as e:  # kept on disk, in case a later version can read it
                log.warning("saved session %s… could not be loaded: %s", sid[:6], e.message)
                return None

        found = await to_thread.run_sync(load)
        if found is None:
            return None
        sid, wid, trainer = found
        existing = self.get(sid)  # loaded meanwhile by a concurrent request?
        return existing if existing is not None else self.add(trainer, sid, wid)

    def get(self, session_id: str) -> Session | None:
        session = self._sessions.get(session_id)
        if session is not None:
            self._sessions.move_to_end(session_id)
            session.touch()
        return session

    def by_watch(self, watch_id: str) -> Session | None:
        sid = self._watch.get(watch_id)
        return None if sid is None else self.get(sid)

    def remove(self, session_id: str) -> bool:
        """Delete a session for good (memory and database)."""
        session = self._sessions.get(session_id)
        if session is not None:
            session.deleted = True
        found = self.unload(session_id)
        if self.db is not None:
            found = self.db.delete(session_id) or found
        return found

    def unload(self, session_id: str) -> bool:
        """Drop a session from memory (it stays in the database, if any)."""
        session = self._sessions.pop(session_id, None)
        if session is None:
            return False
        self._watch.pop(session.watch_id, None)
        session.closed = True
        session.live.close()
        return True

    def sweep(self, now: float | None = None) -> int:
        """Drop idle sessions; return how many."""
        now = time.monotonic() if now is None else now
        idle = [
            s.id for s in self._sessions.values()
            if not s.live.connected and now - s.last_used > self.idle_timeout
        ]
        for sid in idle:
            self.unload(sid)
        return len(idle)

    def save_all(self) -> None:
        """Checkpoint every session in memory (at shutdown)."""
        for session in list(self._sessions.values()):
            with session.lock:
                session.checkpoint()

    def close_all(self) -> None:
        for sid in list(self._sessions):
            self.unload(sid)
