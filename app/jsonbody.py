"""JSON answers encoded off the event loop, a slice at a time.

``json.dumps`` of a large answer is one C call that holds Python's
interpreter lock from start to end, and in an ``async`` route it runs on the
event loop: while a ten-layer network's export (16 MB) was encoded, every live
socket of every session stood still for 0.4 s, and for 0.7 s during a 4000-row
trace. Here the text is made in a worker thread, by many small ``json.dumps``
calls of at most ``SLICE`` numbers each, so that the event loop gets the lock
back between them (Python hands it over every few milliseconds).

* ``answer(content, status)`` encodes the whole answer so (with its length),
* ``streamed(content)`` sends it as it is made, for answers too large to hold
  twice in memory (a trace of 5000 rows through ten layers of 128 is 0.7 GB of
  text); NumPy arrays in ``content`` are read a slice of rows at a time.

The text is the same as Starlette's ``JSONResponse`` would make of the
content with its arrays as lists: compact, UTF-8; a non-finite float in a
NumPy array becomes ``null`` (in a plain list it is an error, as there).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
from anyio import to_thread
from starlette.responses import Response, StreamingResponse
from starlette.types import Receive, Scope, Send

from engine.trainer import plain

# numbers one json.dumps call encodes at most (about a millisecond's work)
SLICE = 8192
# characters a streamed answer sends at a time (and made between two hand-overs of the lock)
CHUNK = 1 << 18

_dumps = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode


def pieces(obj: Any) -> Iterator[str]:
    """The JSON text of ``obj`` in pieces, none made from more than about
    ``SLICE`` numbers: dicts and lists of dicts part by part, lists of
    numbers or of rows of numbers (and arrays) ``SLICE`` numbers at a time."""
    if isinstance(obj, np.ndarray):
        yield from _rows(obj)
    elif isinstance(obj, dict):
        sep = "{"
        for key, value in obj.items():
            yield f"{sep}{_dumps({key: None})[1:-6]}:"  # the key as json writes it (1 → "1", True → "true")
            sep = ","
            yield from pieces(value)
        yield "{}" if sep == "{" else "}"
    elif isinstance(obj, list | tuple) and obj:
        yield from _list(obj)
    else:
        yield _dumps(obj)


def _list(items: list | tuple) -> Iterator[str]:
    first = items[0]
    if isinstance(first, dict | np.ndarray) or (
        isinstance(first, list | tuple) and first and isinstance(first[0], list | tuple | dict)
    ):
        sep = "["  # deeper than rows of numbers: one item at a time
        for item in items:
            yield sep
            sep = ","
            yield from pieces(item)
        yield "]"
        return
    width = len(first) if isinstance(first, list | tuple) else 1
    per = max(1, SLICE // max(1, width))
    sep = "["
    for start in range(0, len(items), per):
        yield sep + _dumps(list(items[start : start + per]))[1:-1]
        sep = ","
    yield "]"


def _rows(a: np.ndarray) -> Iterator[str]:
    if a.ndim == 0 or a.size == 0:
        yield _dumps(plain(a))
        return
    per = max(1, SLICE // max(1, a[0].size))
    sep = "["
    for start in range(0, a.shape[0], per):
        yield sep + _dumps(plain(a[start : start + per]))[1:-1]  # non-finite numbers as None
        sep = ","
    yield "]"


def _yielding(content: Any) -> Iterator[str]:
    """``pieces(content)``, letting other threads have the interpreter lock
    after every ``CHUNK`` characters or so (a few milliseconds of work):
    ``sleep(0)`` hands it over at once, where Python would make a waiting
    thread wait out its switch interval. Not after every piece: a busy thread
    that takes the lock may keep it for that interval, and a snapshot has
    hundreds of small pieces."""
    made = 0
    for piece in pieces(content):
        yield piece
        made += len(piece)
        if made >= CHUNK:
            made = 0
            time.sleep(0)


def encode(content: Any) -> bytes:
    """The whole JSON text of ``content`` as UTF-8 (call it in a worker thread)."""
    return b"".join(chunks(content))


def chunks(content: Any) -> Iterator[bytes]:
    """The JSON text of ``content`` in chunks of about ``CHUNK`` bytes."""
    buffer: list[str] = []
    size = 0
    for piece in _yielding(content):
        buffer.append(piece)
        size += len(piece)
        if size >= CHUNK:
            yield "".join(buffer).encode("utf-8")
            buffer, size = [], 0
    if buffer:
        yield "".join(buffer).encode("utf-8")


async def answer(content: Any, status: int = 200) -> Response:
    """A JSON answer encoded in a worker thread, in slices (see the module's text)."""
    body = await to_thread.run_sync(encode, content)
    return Response(body, status, media_type="application/json")


def streamed(content: Any, status: int = 200, finished: Callable[[], None] = lambda: None) -> StreamingResponse:
    """A JSON answer sent as it is encoded: Starlette draws each chunk of a
    plain iterator in a worker thread, so the event loop runs between chunks.
    ``finished`` is called once the answer is sent, or given up (the client
    went away, or the sending failed)."""
    return _Finishing(chunks(content), status, media_type="application/json", finished=finished)


class _Finishing(StreamingResponse):
    def __init__(self, *args: Any, finished: Callable[[], None], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.finished = finished

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            self.finished()
