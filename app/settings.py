"""All service settings in one place, read from ``CHAINRULE_*`` environment variables."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from .persist import default_path


def _env(name: str, default: str) -> str:
    return os.environ.get(f"CHAINRULE_{name}", default)


@dataclass(frozen=True)
class Settings:
    host: str = field(default_factory=lambda: _env("HOST", "127.0.0.1"))
    port: int = field(default_factory=lambda: int(_env("PORT", "8000")))
    # At most this many sessions live in memory; the least recently used goes first.
    max_sessions: int = field(default_factory=lambda: int(_env("MAX_SESSIONS", "200")))
    # A session nobody touched (and nobody watches) for this long is dropped.
    idle_timeout: float = field(default_factory=lambda: float(_env("IDLE_TIMEOUT", "3600")))
    # A step request stops after this many seconds and says so.
    step_time_limit: float = field(default_factory=lambda: float(_env("STEP_TIME_LIMIT", "10")))
    # Upper bound on live frames per second for one session.
    max_fps: float = field(default_factory=lambda: float(_env("MAX_FPS", "32")))
    # Where sessions are saved (SQLite); None keeps them in memory only.
    db_path: str | None = field(default_factory=lambda: _default_db())
    # While a session plays, it is saved at least this often (seconds).
    checkpoint_interval: float = field(default_factory=lambda: float(_env("CHECKPOINT_INTERVAL", "3")))
    # Saved sessions not used for this long are forgotten (seconds; 30 days).
    retention: float = field(default_factory=lambda: float(_env("RETENTION", str(30 * 24 * 3600))))
    # A session left playing with only watchers connected (the teacher's page
    # closed) pauses after this many seconds; a reload within it carries on.
    unattended_grace: float = field(default_factory=lambda: float(_env("UNATTENDED_GRACE", "30")))
    max_steps_per_frame: int = 5000
    max_steps_per_request: int = 100_000
    max_trace_rows: int = 5000
    sweep_interval: float = 30.0


def _default_db() -> str | None:
    if _env("MEMORY", "").lower() in ("1", "true", "yes"):
        return None
    return _env("DB", str(default_path()))


def get_settings() -> Settings:
    return Settings()
