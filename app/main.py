"""The ASGI application: ``app.main:app``."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from anyio import CapacityLimiter
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from . import __version__, errors
from .live import Live
from .routers import catalog, pages, sessions, watch
from .settings import Settings
from .store import SessionStore


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        store = app.state.store

        async def sweeper() -> None:
            while True:
                await asyncio.sleep(settings.sweep_interval)
                store.sweep()

        task = asyncio.create_task(sweeper())
        try:
            yield
        finally:
            task.cancel()
            store.close_all()

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
    app.include_router(catalog.router)
    app.include_router(sessions.router)
    app.include_router(watch.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=str(pages.STATIC_DIR)), name="static")
    return app


app = create_app()
