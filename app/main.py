"""The ASGI application: ``app.main:app``."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator

from anyio import CapacityLimiter
from fastapi import FastAPI

from . import __version__, errors
from .limits import HEAVY_TRACES, BodyLimit, Turns
from .live import Live
from .persist import Database, ForeignDatabase
from .routers import catalog, pages, sessions, watch
from .settings import Settings
from .store import SessionStore

log = logging.getLogger("chainrule")

DESCRIPTION = """\
Create a session, step it, read every intermediate quantity (`trace`), and
follow it live over WebSocket. Every request and answer body is JSON.

Every error answer is a `Problem`, `{"detail": "...", "field": "..."}`: 404 for
an unknown session or watch link, 422 for invalid input (the message names the
field and its allowed range), 413 for a request body over 32 MB. No answer
holds NaN or Infinity: a number too large to represent is `null`, and a
`message` says why.

## Live protocol (WebSocket)

`/api/sessions/{session_id}/live` controls a session;
`/api/watch/{watch_id}/live` follows it read-only (every command is refused).
Messages both ways are JSON text, one object with a `type`.

Client → server:

- `{"type": "play"}` and `{"type": "pause"}`: train continuously, or stop
- `{"type": "step", "steps": n}`: n updates (`steps` optional, default 1)
- `{"type": "reset", "seed": s}`: back to step 0 (`seed` optional: keep the current one)
- `{"type": "speed", "steps_per_frame": n}`: updates between two frames, or `"max"`: as many as fit
- `{"type": "ack"}`: optional, one per frame received: a client that acks is paced, with at most two frames unanswered (a slow reader gets the newest frame, never a backlog)

Server → client:

- `{"type": "data", "config", "sizes", "task", "classes", "inputs", "features", "train", "test", "input_maps", ...}`: on connect, and whenever the data or the network's shape changes
- `{"type": "frame", "step", "epoch", "status", "message", "loss", "accuracy", "batch_loss", "grad_norms", "layers", "neurons", "output", ...}`: one per drawn frame; weights and heat maps are packed as base64 bytes (exact numbers are one REST call away)
- `{"type": "error", "message"}`: a refused command (malformed, unknown, or sent on a watch link); the connection stays open. An unknown, deleted or timed-out session gets an error, then a close with code 4404.
"""

TAGS = [
    {"name": "catalog", "description": "What the server offers: its health, and the data sets, activations, "
                                       "losses, optimizers, presets and limits a configuration can use."},
    {"name": "sessions", "description": "Create, read, change, train and inspect a session. Its `id` is a "
                                        "capability: whoever holds it controls the session."},
    {"name": "watch", "description": "Follow a session read-only through its `watch_id`, or fork it into a "
                                     "session of one's own."},
]


def tidy_openapi(schema: dict) -> dict:
    """FastAPI documents a 422 in its own shape (``HTTPValidationError``) on every
    route with a parameter; this server's errors are all ``Problem``, and each
    route declares the 422 it can answer. Drop FastAPI's, and its schemas."""
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            answers = operation.get("responses", {})
            if "HTTPValidationError" in json.dumps(answers.get("422", {})):
                del answers["422"]
    components = schema.get("components", {}).get("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):  # the second is used by the first only
        if name in components:
            others = {k: v for k, v in components.items() if k != name}
            if f'"#/components/schemas/{name}"' not in json.dumps([schema.get("paths"), others]):
                del components[name]
    return schema


def open_database(path: str) -> Database:
    """Open the session database, or stop with a message that says why."""
    try:
        db = Database(path)
    except (ForeignDatabase, OSError) as e:
        log.error("chainrule: cannot use %s: %s", path, e)
        raise SystemExit(2) from None
    if db.moved_aside is not None:
        log.warning("chainrule: the damaged database was moved to %s; starting with no saved sessions",
                    db.moved_aside)
    log.info("chainrule: sessions are saved in %s", path)
    return db


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        store: SessionStore = app.state.store
        if settings.db_path is not None:
            store.db = open_database(settings.db_path)
            store.db.prune(settings.retention)

        async def sweeper() -> None:
            while True:
                await asyncio.sleep(settings.sweep_interval)
                store.sweep()

        task = asyncio.create_task(sweeper())
        try:
            yield
        finally:
            task.cancel()
            store.save_all()
            store.close_all()
            if store.db is not None:
                store.db.close()

    app = FastAPI(
        title="chainrule",
        version=__version__,
        summary="A live laboratory for the forward and backward passes of a neural network.",
        description=DESCRIPTION,
        openapi_tags=TAGS,
        lifespan=lifespan,
        # Swagger UI and ReDoc load from a CDN, so are blank offline: /docs is ours (routers/pages.py)
        docs_url=None,
        redoc_url=None,
    )
    generate_openapi = app.openapi

    def openapi() -> dict:
        if app.openapi_schema is None:  # FastAPI makes the document once and keeps it: tidied then, once
            app.openapi_schema = tidy_openapi(generate_openapi())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    app.state.settings = settings
    # All live frame production shares one worker thread (see Session.run);
    # created lazily, inside the event loop that will use it.
    limiter: list[CapacityLimiter] = []

    def live_factory(session):
        if not limiter:
            limiter.append(CapacityLimiter(1))
        return Live(session, settings, limiter[0])

    app.state.heavy_traces = Turns(HEAVY_TRACES)
    app.state.store = SessionStore(settings.max_sessions, settings.idle_timeout, live_factory)
    errors.install(app)
    app.add_middleware(BodyLimit)
    app.include_router(catalog.router)
    app.include_router(sessions.router)
    app.include_router(watch.router)
    app.include_router(watch.stray)
    app.include_router(pages.router)
    app.mount("/static", pages.StaticAssets(directory=str(pages.STATIC_DIR)), name="static")
    return app


app = create_app()
