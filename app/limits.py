"""Limits: on the size of a request body, and on how many heavy traces run at once.

A body is read into memory and parsed on the event loop, and while that
happens no session gets a frame: a 100 MB body held every live page for
10 s, and a bigger one could exhaust the memory and lose every session. The
largest body a client needs is an exported session of the largest network
(10 hidden layers of 128, Adam, 5000 points: 17 MB), so twice that is
allowed; a larger one is refused with 413 as soon as that is known: at once
when it declares its length, else when the bytes read pass the limit.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_BODY_BYTES = 32 * 1024 * 1024


class BodyTooLarge(HTTPException):
    """Raised while the body is read; answered as 413 ``{"detail", "field": "body"}``
    (an HTTPException: FastAPI passes it on instead of calling it a parse error)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is larger than {limit // (1024 * 1024)} MB, the most this server "
                              "reads (an exported session of the largest network is about 17 MB)")


class BodyLimit:
    """ASGI middleware: reading a body of more than ``limit`` bytes raises
    :class:`BodyTooLarge`, before any byte is read if it says its length."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"")
        received = int(declared) if declared.isdigit() else 0  # what the limit is checked against

        async def counted() -> Message:
            nonlocal received
            if received > self.limit:
                raise BodyTooLarge(self.limit)
            message = await receive()
            if message["type"] == "http.request" and not declared:
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise BodyTooLarge(self.limit)
            return message

        await self.app(scope, counted, send)


# A trace of many rows through a wide network is the heaviest answer the
# server makes: 5000 rows through ten layers of 128 hold about 0.3 GB of
# arrays for the 20 s its 0.7 GB of text takes to send. Traces of more than
# HEAVY_TRACE_VALUES numbers (rows × units × the five arrays kept per unit)
# take turns, HEAVY_TRACES at a time; the others wait for a turn (nothing is
# refused), and a small trace (the page's inspector, explain mode) never waits.
HEAVY_TRACE_VALUES = 2_000_000
HEAVY_TRACES = 2


class Turns:
    """At most ``slots`` holders at once; the others wait, first come first
    served. Made for one event loop at a time: a new loop (a test's new
    client) starts with every slot free."""

    def __init__(self, slots: int) -> None:
        self.slots = slots
        self.holders = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._free: asyncio.Semaphore | None = None

    async def take(self) -> Callable[[], None]:
        """Wait for a slot; return the function that gives it back (once,
        however many times it is called)."""
        loop = asyncio.get_running_loop()
        if self._loop is not loop:
            self._loop, self._free, self.holders = loop, asyncio.Semaphore(self.slots), 0
        free = self._free
        await free.acquire()
        self.holders += 1
        given_back = False

        def give_back() -> None:
            nonlocal given_back
            if not given_back:
                given_back = True
                self.holders -= 1
                free.release()

        return give_back
