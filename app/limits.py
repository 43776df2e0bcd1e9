"""A limit on the size of a request body.

A body is read into memory and parsed on the event loop, and while that
happens no session gets a frame: a 100 MB body held every live page for
10 s, and a bigger one could exhaust the memory and lose every session. The
largest body a client needs is an exported session of the largest network
(10 hidden layers of 128, Adam, 5000 points: 17 MB), so twice that is
allowed; a larger one is refused with 413 as soon as that is known: at once
when it declares its length, else when the bytes read pass the limit.
"""

from __future__ import annotations

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
