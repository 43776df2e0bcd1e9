"""Sessions and the store that owns them.

A session is one trainer behind a lock.  Every operation on its trainer —
a REST step, a live frame, a reset — runs in a worker thread while holding
that lock, so concurrent requests run one after another (no update is lost)
and the event loop is never busy training.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from anyio import CapacityLimiter, to_thread

from engine.trainer import Trainer

if TYPE_CHECKING:
    from .live import Live

T = TypeVar("T")


def new_token() -> str:
    """An unguessable URL-safe identifier: 192 random bits."""
    return secrets.token_urlsafe(24)


class Session:
    def __init__(self, trainer: Trainer) -> None:
        self.id = new_token()
        self.watch_id = new_token()
        self.trainer = trainer
        self.lock = threading.Lock()
        self.last_used = time.monotonic()
        self.live: Live | None = None  # set by the store
        self.closed = False

    def touch(self) -> None:
        self.last_used = time.monotonic()

    async def run(self, fn: Callable[[Trainer], T], limiter: CapacityLimiter | None = None) -> T:
        """Run ``fn(trainer)`` in a worker thread, holding this session's lock.

        ``limiter`` bounds how many such threads run at once (live frames
        share one, so that request threads never queue behind dozens of
        frame builders for Python's interpreter lock)."""

        def locked() -> T:
            with self.lock:
                return fn(self.trainer)

        self.touch()
        return await to_thread.run_sync(locked, limiter=limiter)

    def public(self, state: dict[str, Any]) -> dict[str, Any]:
        return {"id": self.id, "watch_id": self.watch_id, "config": self.trainer.config, "state": state}


class SessionStore:
    """At most ``capacity`` sessions; least recently used evicted first;
    sessions idle for ``idle_timeout`` seconds with no one connected are dropped."""

    def __init__(self, capacity: int, idle_timeout: float, live_factory: Callable[[Session], Live]) -> None:
        self.capacity = capacity
        self.idle_timeout = idle_timeout
        self._sessions: OrderedDict[str, Session] = OrderedDict()
        self._watch: dict[str, str] = {}
        self._live_factory = live_factory
        self.evicted = 0

    def __len__(self) -> int:
        return len(self._sessions)

    def add(self, trainer: Trainer) -> Session:
        session = Session(trainer)
        session.live = self._live_factory(session)
        self._sessions[session.id] = session
        self._watch[session.watch_id] = session.id
        while len(self._sessions) > max(self.capacity, 1):
            # The least recently used first; never the session just created.
            others = [s for s in self._sessions.values() if s is not session]
            victim = next((s for s in others if not s.live.connected), None)
            if victim is None:  # everyone else is connected: evict the oldest anyway
                victim = others[0]
            self.remove(victim.id)
            self.evicted += 1
        return session

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
            self.remove(sid)
        return len(idle)

    def close_all(self) -> None:
        for sid in list(self._sessions):
            self.remove(sid)
