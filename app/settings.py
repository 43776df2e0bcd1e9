"""All service settings in one place, read from ``CHAINRULE_*`` environment variables."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from .persist import default_path


def _env(name: str, default: str) -> str:
    return os.environ.get(f"CHAINRULE_{name}", default)


class SettingsError(ValueError):
    """A setting that cannot be used, in words (``chainrule`` prints it and stops)."""


def _number(name: str, default: str, kind: type) -> int | float:
    text = _env(name, default)
    try:
        return kind(text)
    except ValueError:
        raise SettingsError(f"CHAINRULE_{name} must be {'an integer' if kind is int else 'a number'} "
                            f"(got {text!r})") from None


# (setting, lowest, highest, whether the lowest is allowed): checked however the value came
_RANGES = {
    "port": (0, 65535, True), "max_sessions": (1, 10**6, True), "idle_timeout": (0, 10**9, False),
    "step_time_limit": (0, 3600, False), "max_fps": (0, 1000, False), "checkpoint_interval": (0, 10**6, False),
    "retention": (0, 10**10, False), "unattended_grace": (0, 10**6, True),
}


@dataclass(frozen=True)
class Settings:
    host: str = field(default_factory=lambda: _env("HOST", "127.0.0.1"))
    port: int = field(default_factory=lambda: _number("PORT", "8000", int))
    # At most this many sessions live in memory; the least recently used goes first.
    max_sessions: int = field(default_factory=lambda: _number("MAX_SESSIONS", "200", int))
    # A session nobody touched (and nobody watches) for this long is dropped.
    idle_timeout: float = field(default_factory=lambda: _number("IDLE_TIMEOUT", "3600", float))
    # A step request stops after this many seconds and says so.
    step_time_limit: float = field(default_factory=lambda: _number("STEP_TIME_LIMIT", "10", float))
    # Upper bound on live frames per second for one session.
    max_fps: float = field(default_factory=lambda: _number("MAX_FPS", "32", float))
    # Where sessions are saved (SQLite); None keeps them in memory only.
    db_path: str | None = field(default_factory=lambda: _default_db())
    # While a session plays, it is saved at least this often (seconds).
    checkpoint_interval: float = field(default_factory=lambda: _number("CHECKPOINT_INTERVAL", "3", float))
    # Saved sessions not used for this long are forgotten (seconds; 30 days).
    retention: float = field(default_factory=lambda: _number("RETENTION", str(30 * 24 * 3600), float))
    # A session left playing with only watchers connected (the teacher's page
    # closed) pauses after this many seconds; a reload within it carries on.
    unattended_grace: float = field(default_factory=lambda: _number("UNATTENDED_GRACE", "30", float))
    max_steps_per_frame: int = 5000
    max_steps_per_request: int = 100_000
    max_trace_rows: int = 5000
    sweep_interval: float = 30.0

    def __post_init__(self) -> None:
        for name, (lo, hi, closed) in _RANGES.items():
            v = getattr(self, name)
            if not (lo <= v <= hi if closed else lo < v <= hi):
                raise SettingsError(f"CHAINRULE_{name.upper()} must be in {'[' if closed else '('}{lo:g}, {hi:g}] (got {v:g})")


def _default_db() -> str | None:
    if _env("MEMORY", "").lower() in ("1", "true", "yes"):
        return None
    return _env("DB", str(default_path()))


def get_settings() -> Settings:
    return Settings()
