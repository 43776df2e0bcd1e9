"""The ASGI application: ``app.main:app``."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from anyio import CapacityLimiter
from fastapi import FastAPI

from . import __version__, errors
from .limits import BodyLimit
from .live import Live
from .persist import Database, ForeignDatabase
from .routers import catalog, pages, sessions, watch
from .settings import Settings
from .store import SessionStore

log = logging.getLogger("chainrule")


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
        description="Create a session, step it, read every intermediate quantity (`trace`), "
        "and follow it live over WebSocket. See the README for a curl walk-through.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    # All live frame production shares one worker thread (see Session.run);
    # created lazily, inside the event loop that will use it.
    limiter: list[CapacityLimiter] = []

    def live_factory(session):
        if not limiter:
            limiter.append(CapacityLimiter(1))
        return Live(session, settings, limiter[0])

    app.state.store = SessionStore(settings.max_sessions, settings.idle_timeout, live_factory)
    errors.install(app)
    app.add_middleware(BodyLimit)
    app.include_router(catalog.router)
    app.include_router(sessions.router)
    app.include_router(watch.router)
    app.include_router(pages.router)
    app.mount("/static", pages.StaticAssets(directory=str(pages.STATIC_DIR)), name="static")
    return app


app = create_app()
