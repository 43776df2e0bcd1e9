"""``/api/watch``: follow a session read-only, or fork it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Path, Request, Response, WebSocket
from starlette.exceptions import HTTPException as StarletteHTTPException

from engine.trainer import Trainer

from .. import jsonbody
from ..errors import NOT_FOUND, QUERY_REFUSED, SessionNotFound, allowed_methods, refuse_query
from ..models import (
    DataAnswer,
    ForkRequest,
    GradCheck,
    GradCheckRequest,
    History,
    Session,
    Trace,
    TraceRequest,
    WatchedSession,
)
from ..socket import serve_socket
from ..store import Session as LiveSession
from ..store import SessionStore
from . import sessions
from .sessions import WITH_BODY, create_session, get_store

router = APIRouter(prefix="/api/watch", tags=["watch"], responses={**NOT_FOUND, **QUERY_REFUSED},
                   dependencies=[Depends(refuse_query)])


WatchId = Annotated[str, Path(description="the session's `watch_id`: a read-only link to it")]


async def get_watched(watch_id: WatchId, store: Annotated[SessionStore, Depends(get_store)]) -> LiveSession:
    session = await store.find_watch(watch_id)
    if session is None:
        raise SessionNotFound("watch link")
    return session


Watched = Annotated[LiveSession, Depends(get_watched)]


@router.get("/{watch_id}", response_model=WatchedSession, summary="Read a watched session")
async def read(session: Watched) -> Response:
    """The same session, read-only: its configuration and state, never its ``id``."""
    state = await session.run(lambda t: t.snapshot())
    return await jsonbody.answer({"watch_id": session.watch_id, "config": session.trainer.config, "state": state})


@router.get("/{watch_id}/history", response_model=History, summary="Per-step series of a watched session")
async def history(session: Watched) -> Response:
    """The same series as ``GET /api/sessions/{id}/history``, so that a viewer
    who joins late sees the loss and gradient curves from the start."""
    return await jsonbody.answer(await session.run(lambda t: t.history.series()))


# A student follows the teacher's session and clicks through its chain rule:
# these read it and change nothing, as on the session's own routes.
@router.get("/{watch_id}/data", response_model=DataAnswer, summary="The data of a watched session")
async def data(session: Watched) -> Response:
    """The same as ``GET /api/sessions/{id}/data``."""
    return await sessions.data(session)


@router.post("/{watch_id}/trace", response_model=Trace, responses=WITH_BODY,
             summary="One forward and backward pass through a watched session, no update")
async def trace(session: Watched, body: TraceRequest, request: Request) -> Response:
    """The same as ``POST /api/sessions/{id}/trace``: nothing changes."""
    return await sessions.trace(session, body, request)


@router.post("/{watch_id}/gradcheck", response_model=GradCheck, responses=WITH_BODY,
             summary="Check one gradient of a watched session by finite differences")
async def gradcheck(session: Watched, body: GradCheckRequest) -> Response:
    """The same as ``POST /api/sessions/{id}/gradcheck``: nothing changes."""
    return await sessions.gradcheck(session, body)


@router.post("/{watch_id}/fork", status_code=201, response_model=Session, responses=WITH_BODY,
             summary="Fork a watched session")
async def fork(session: Watched, store: Annotated[SessionStore, Depends(get_store)],
               body: Annotated[ForkRequest | None, Body()] = None) -> Response:
    """A new session of one's own that continues from the watched state
    (weights, optimizer state, data, step). It takes no fields: no body, or ``{}``
    (anything else is refused, not ignored)."""
    state = await session.run(lambda t: t.to_state())
    forked = await create_session(store, lambda: Trainer.from_state(state))
    snap = await forked.run(lambda t: t.snapshot(), save=True)
    return await jsonbody.answer(forked.public(snap), 201)


@router.websocket("/{watch_id}/live")
async def live(websocket: WebSocket, watch_id: str) -> None:
    store: SessionStore = websocket.app.state.store
    await serve_socket(websocket, await store.find_watch(watch_id), readonly=True)


# After the watch routes, and without their refusal of a query parameter: a session's route asked
# through a watch link (POST …/step, GET …/export) says what a watch link is, where it was a bare
# "Not Found"; a path that is no watch link's keeps that.
stray = APIRouter(prefix="/api/watch")
WATCH_ONLY = ("this is a watch link: it follows the session but cannot change or read it this way (it offers "
              "GET /api/watch/{watch_id}, /history and /data, POST /trace and /gradcheck); fork it "
              "(POST /api/watch/{watch_id}/fork) for a session of your own")


@stray.api_route("/{watch_id}/{route}", methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"],
                 include_in_schema=False)
async def not_a_watch_route(watch_id: str, request: Request,
                            store: Annotated[SessionStore, Depends(get_store)]) -> Response:
    if allowed_methods(request):  # a watch route asked with a method it does not take: the 405 it was
        raise StarletteHTTPException(405)
    if await store.find_watch(watch_id) is None:
        raise StarletteHTTPException(404)
    raise StarletteHTTPException(404, WATCH_ONLY)
