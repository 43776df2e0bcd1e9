"""``/api/sessions``: create, read, change, train and inspect a session."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from anyio import to_thread
from fastapi import APIRouter, Body, Depends, Path, Request, Response, WebSocket

from engine.config import ConfigError
from engine.trainer import Trainer

from .. import jsonbody
from ..errors import BODY_ERRORS, NOT_FOUND, QUERY_REFUSED, SessionNotFound, refuse_query
from ..limits import HEAVY_TRACE_VALUES
from ..models import (
    ConfigChange,
    DataAnswer,
    ExportDocument,
    GradCheck,
    GradCheckRequest,
    History,
    NextBatch,
    PatchAnswer,
    ResetRequest,
    Session,
    SessionConfig,
    Snapshot,
    StepRequest,
    Trace,
    TraceRequest,
    WeightsRequest,
)
from ..settings import Settings
from ..socket import serve_socket
from ..store import Session as LiveSession
from ..store import SessionStore

# every route refuses a query parameter with a 422 (a route that reads a body documents its own, wider 422)
router = APIRouter(prefix="/api/sessions", tags=["sessions"], responses=QUERY_REFUSED,
                   dependencies=[Depends(refuse_query)])

# The error answers each route documents (all of them Problem): 404 where a
# session is named, 422 and 413 where a body is read (nothing else can be invalid).
WITH_BODY = {**NOT_FOUND, **BODY_ERRORS}

EXPORT_FORMAT = "chainrule-session"


def get_store(request: Request) -> SessionStore:
    return request.app.state.store


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


SessionId = Annotated[str, Path(description="the session's `id`, from the answer that created it "
                                            "(a capability: whoever holds it controls the session)")]


async def get_session(session_id: SessionId, store: Annotated[SessionStore, Depends(get_store)]) -> LiveSession:
    session = await store.find(session_id)
    if session is None:
        raise SessionNotFound()
    return session


Store = Annotated[SessionStore, Depends(get_store)]
Current = Annotated[LiveSession, Depends(get_session)]
Config = Annotated[Settings, Depends(get_settings)]


async def create_session(store: SessionStore, trainer_factory: Callable[[], Trainer]) -> LiveSession:
    trainer = await to_thread.run_sync(trainer_factory)
    return store.add(trainer)


@router.post("", status_code=201, response_model=Session, responses=BODY_ERRORS, summary="Create a session")
async def create(store: Store, config: Annotated[SessionConfig | None, Body()] = None) -> Response:
    """Build a network and its data from a configuration (every field optional)."""
    given = config.given() if config else {}
    session = await create_session(store, lambda: Trainer(given))
    state = await session.run(lambda t: t.snapshot(), save=True)
    return await jsonbody.answer(session.public(state), 201)


@router.post("/import", status_code=201, response_model=Session, responses=BODY_ERRORS,
             summary="Import an exported session")
async def import_session(store: Store, document: ExportDocument) -> Response:
    """A new session that continues bit-for-bit from an ``export`` document."""

    # from_state turns any damage in the document into a ConfigError (a 422).
    session = await create_session(store, lambda: Trainer.from_state(document.state))
    state = await session.run(lambda t: t.snapshot(), save=True)
    return await jsonbody.answer(session.public(state), 201)


@router.get("/{session_id}", response_model=Session, responses=NOT_FOUND, summary="Read a session")
async def read(session: Current) -> Response:
    state = await session.run(lambda t: t.snapshot())
    return await jsonbody.answer(session.public(state))


@router.patch("/{session_id}", response_model=PatchAnswer, responses=WITH_BODY, summary="Change the configuration")
async def patch(session: Current, config: ConfigChange) -> Response:
    """Hyper-parameters (learning rate, optimizer settings, l1, l2, batch size)
    apply live; anything structural rebuilds the network and resets it."""
    given = config.given()

    def change(t: Trainer) -> tuple[bool, dict]:
        return t.update_config(given), t.snapshot()

    was_reset, state = await session.run(change, save=True)
    await session.live.publish(data=was_reset)
    return await jsonbody.answer({"config": session.trainer.config, "reset": was_reset, "state": state})


@router.post("/{session_id}/step", response_model=Snapshot, responses=WITH_BODY, summary="Train")
async def step(session: Current, settings: Config, body: Annotated[StepRequest | None, Body()] = None) -> Response:
    """Run ``steps`` mini-batch updates (it may stop early at the time limit or
    on divergence, and says so in ``stopped_early``)."""
    steps = body.steps if body else 1
    limit = settings.step_time_limit

    def run(t: Trainer) -> dict:
        done = t.step(steps, max_seconds=limit)
        snap = t.snapshot()
        snap["steps_run"] = done
        if done < steps:
            snap["stopped_early"] = (
                "training diverged" if t.status == "diverged"
                else f"time limit of {limit:g} s reached; ask again to continue"
            )
        return snap

    state = await session.run(run, save=True)
    await session.live.publish()
    return await jsonbody.answer(state)


@router.post("/{session_id}/reset", response_model=Snapshot, responses=WITH_BODY, summary="Reset to step 0")
async def reset(session: Current, body: Annotated[ResetRequest | None, Body()] = None) -> Response:
    """Back to step 0; the same seed gives the same initial weights and data."""
    seed = body.seed if body else None

    def run(t: Trainer) -> dict:
        t.reset(seed)
        return t.snapshot()

    state = await session.run(run, save=True)
    await session.live.publish(data=True)
    return await jsonbody.answer(state)


@router.post("/{session_id}/trace", response_model=Trace, responses=WITH_BODY,
             summary="One forward and backward pass, no update")
async def trace(session: Current, body: TraceRequest, request: Request) -> Response:
    """Every layer's values and gradients on the rows given, from the current
    weights; nothing changes. A heavy trace (more than two million numbers:
    rows × units × 5) waits for its turn: two are made and sent at a time."""
    def run(t: Trainer) -> dict:
        tr = t.trace(body.x, body.y)  # arrays of a copy of the network: read after the lock is let go
        answer = {
            "loss": _finite(tr["loss"]),
            "data_loss": _finite(tr["data_loss"]),
            "penalty": _finite(tr["penalty"]),
            "input": tr["input"],
            "layers": tr["layers"],
        }
        if "message" in tr:
            answer["message"] = tr["message"]
        return answer

    # up to 5000 rows × every unit of ten layers of 128: sent as it is encoded,
    # and a heavy one waits for its turn (see limits.Turns)
    units = sum(session.trainer.network.sizes[1:])
    if len(body.x) * units * 5 < HEAVY_TRACE_VALUES:
        return jsonbody.streamed(await session.run(run))
    give_back = await request.app.state.heavy_traces.take()
    try:
        traced = await session.run(run)
    except BaseException:
        give_back()
        raise
    return jsonbody.streamed(traced, finished=give_back)


def _finite(v: float) -> float | None:
    return v if v == v and abs(v) != float("inf") else None


@router.post("/{session_id}/gradcheck", response_model=GradCheck, responses=WITH_BODY,
             summary="Check one gradient by finite differences")
async def gradcheck(session: Current, body: GradCheckRequest) -> Response:
    """∂L/∂w of one weight (or bias) on the batch ``(x, y)`` from
    backpropagation, next to the central difference ``(L(w+ε) − L(w−ε)) / 2ε``."""
    check = await session.run(lambda t: t.gradient_check(body.x, body.y, body.layer, body.param, body.row, body.col))
    return await jsonbody.answer(check)


@router.get("/{session_id}/batch", response_model=NextBatch, responses=NOT_FOUND, summary="The next mini-batch")
async def next_batch(session: Current) -> Response:
    """The mini-batch the next update will train on (nothing is used up), in
    the network's input space: trace it, then step, to watch that very update."""
    return await jsonbody.answer(await session.run(lambda t: t.peek_batch()))


@router.put("/{session_id}/weights", response_model=Snapshot, responses=WITH_BODY, summary="Replace the weights")
async def weights(session: Current, body: WeightsRequest) -> Response:
    """Set every layer's ``W`` and ``b``; 422 on any shape mismatch. A snapshot's layers may be
    sent back as they are: their ``dW`` and ``db`` are ignored, their ``activation`` must be the layer's."""
    layers = [{"W": layer.W, "b": layer.b, "activation": layer.activation} for layer in body.layers]

    def run(t: Trainer) -> dict:
        t.set_weights(layers)  # which checks the activations named against the layers
        return t.snapshot()

    state = await session.run(run, save=True)
    await session.live.publish()
    return await jsonbody.answer(state)


@router.get("/{session_id}/data", response_model=DataAnswer, responses=NOT_FOUND,
            summary="The data as the network sees it")
async def data(session: Current) -> Response:
    return await jsonbody.answer(await session.run(lambda t: t.data()))


@router.get("/{session_id}/history", response_model=History, responses=NOT_FOUND, summary="Per-step series")
async def history(session: Current) -> Response:
    return await jsonbody.answer(await session.run(lambda t: t.history.series()))


@router.get("/{session_id}/export", response_model=ExportDocument, responses=NOT_FOUND,
            summary="Everything needed to resume")
async def export(session: Current) -> Response:
    state = await session.run(lambda t: t.to_state())
    return await jsonbody.answer({"format": EXPORT_FORMAT, "version": 1, "state": state})


@router.delete("/{session_id}", status_code=204, responses=NOT_FOUND, summary="Delete a session",
               response_class=Response)
async def delete(session_id: SessionId, store: Store) -> Response:
    if not store.remove(session_id):
        raise SessionNotFound()
    return Response(status_code=204)


@router.websocket("/{session_id}/live")
async def live(websocket: WebSocket, session_id: str) -> None:
    store: SessionStore = websocket.app.state.store
    await serve_socket(websocket, await store.find(session_id), readonly=False)


__all__ = ["router", "ConfigError"]
