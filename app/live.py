"""Live training: one producer per session, any number of receivers.

While a session plays, one background task trains ``steps_per_frame``
updates in a worker thread, encodes the frame once, and hands the same text
to every connected socket (controllers and watchers alike).  The next frame
is only produced after the last one was built, and at most ``max_fps`` times
a second, so under load the rate drops instead of falling behind.

Every receiver has its own sender task and a one-frame mailbox: a slow
receiver simply gets the newest frame when it is ready again (older frames
are dropped for it alone), so it never slows anyone else.  ``data`` messages
(the shape of what is drawn) are never dropped.

"Ready again" means more than the socket taking the bytes: the network and the
client's buffers hold seconds of frames, so a slow laptop would fall further
and further behind the class.  A client that answers each frame with
``{"type": "ack"}`` is paced: it has at most ``WINDOW`` frames unanswered,
and newer frames wait in its mailbox, replacing each other (a client that
never acks is sent frames as its socket takes them, as before).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from typing import TYPE_CHECKING, Any

from anyio import CapacityLimiter
from starlette.websockets import WebSocket

from .frames import data_message, encode, frame_message

if TYPE_CHECKING:
    from engine.trainer import Trainer

    from .settings import Settings
    from .store import Session

log = logging.getLogger("chainrule.live")

GONE = 4404  # close code: no such session (any more)
WINDOW = 2  # frames a paced receiver may have unanswered (two: one crossing the network while one is read)
ACK_WAIT = 3.0  # seconds a paced receiver may stay silent before it gets the newest frame anyway
GONE_MESSAGE = "unknown session: it never existed, was deleted, or timed out"


class Receiver:
    """One connected socket and its mailbox."""

    def __init__(self, ws: WebSocket, readonly: bool) -> None:
        self.ws = ws
        self.readonly = readonly
        self.data: str | None = None
        self.frame: str | None = None
        self.direct: deque[str] = deque(maxlen=16)
        self.wake = asyncio.Event()
        self.dropped = 0
        self.sent = 0
        self.task: asyncio.Task | None = None
        self.alive = True
        self.closing = False  # send what is queued, then close the socket
        self.paced = False  # it acknowledges frames: see the module docstring
        self.in_flight = 0  # frames sent and not acknowledged yet (paced receivers)
        self.heard = time.monotonic()  # the last ack, or the last frame sent

    def offer(self, text: str, kind: str) -> None:
        if self.closing:  # the session is gone: nothing more goes out
            return
        if kind == "close":
            self.direct.append(text)
            self.data = self.frame = None
            self.closing = True
        elif kind == "data":
            self.data, self.frame = text, None  # a frame of the old shape is useless now
        elif kind == "frame":
            if self.frame is not None:
                self.dropped += 1
            self.frame = text
        else:
            self.direct.append(text)
        self.wake.set()

    def ack(self) -> None:
        """The client has taken in one more frame."""
        if not self.paced:  # its first ack: count from here
            self.paced, self.in_flight = True, 0
        elif self.in_flight:
            self.in_flight -= 1
        self.heard = time.monotonic()
        self.wake.set()

    def _frame_due(self) -> bool:
        return self.frame is not None and (not self.paced or self.in_flight < WINDOW)

    async def pump(self) -> None:
        try:
            while self.alive:
                if self.frame is not None and not self._frame_due():  # a frame waits for an ack
                    left = ACK_WAIT - (time.monotonic() - self.heard)
                    if left <= 0:
                        self.in_flight = 0  # silent for long: send the newest anyway
                    else:
                        with contextlib.suppress(TimeoutError):
                            await asyncio.wait_for(self.wake.wait(), left)
                else:
                    await self.wake.wait()
                self.wake.clear()
                while self.direct or self.data or self._frame_due():
                    if self.direct:
                        text = self.direct.popleft()
                    elif self.data is not None:
                        text, self.data = self.data, None
                    else:
                        text, self.frame = self.frame, None
                        self.in_flight += 1
                        self.heard = time.monotonic()  # the wait for its ack starts now
                    await self.ws.send_text(text)
                    self.sent += 1
                if self.closing:
                    self.alive = False
                    await self.ws.close(code=GONE)
        except Exception:  # the socket went away: the receive loop cleans up
            self.alive = False


class Live:
    playing_sessions = 0  # across the process: "max" speed shares the frame period
    def __init__(self, session: Session, settings: Settings, limiter: CapacityLimiter | None = None) -> None:
        self.session = session
        self.limiter = limiter
        self.settings = settings
        self.receivers: set[Receiver] = set()
        self.playing = False
        self.steps_per_frame = 1
        # what the controlling page shows (socket.py's "view"), for watch pages to follow
        self.view: dict[str, Any] = {"mode": "forward", "inspect": None, "sample": None}
        self.task: asyncio.Task | None = None
        self._unattended: asyncio.Task | None = None
        self.frames_produced = 0

    @property
    def connected(self) -> bool:
        return bool(self.receivers)

    # -- receivers ------------------------------------------------------------
    async def attach(self, ws: WebSocket, readonly: bool) -> Receiver:
        receiver = Receiver(ws, readonly)
        receiver.task = asyncio.create_task(receiver.pump())
        data, frame = await self.session.run(lambda t: (encode(data_message(t)), encode(self._frame(t))))
        receiver.offer(data, "data")
        receiver.offer(frame, "frame")
        # Only now does it receive broadcasts: a client always gets "data" before any frame.
        self.receivers.add(receiver)
        if not readonly and self._unattended is not None:  # the controller is back: no pause pending
            self._unattended.cancel()
            self._unattended = None
        if self.session.closed:  # gone while we built its first messages
            receiver.offer(encode({"type": "error", "message": GONE_MESSAGE}), "close")
        return receiver

    async def detach(self, receiver: Receiver) -> None:
        receiver.alive = False
        self.receivers.discard(receiver)
        if receiver.task is not None:
            receiver.task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await receiver.task
        if not self.receivers:
            self.pause()  # nobody is looking: stop training
        elif self.playing and not self.controlled and self._unattended is None:
            # Only watchers are left, and none of them can pause: give the
            # controller time to come back (a reload), then pause for them.
            self._unattended = asyncio.create_task(self._pause_unattended())

    @property
    def controlled(self) -> bool:
        """Whether a socket that may send commands is connected."""
        return any(not r.readonly for r in self.receivers)

    async def _pause_unattended(self) -> None:
        await asyncio.sleep(self.settings.unattended_grace)  # cancelled if a controller comes back
        self._unattended = None
        if self.playing and not self.controlled:
            self.pause()
            await self.publish()  # the watchers see the play button come up

    def close(self) -> None:
        """The session is gone (deleted, evicted, timed out): tell every socket, then close it."""
        self.pause()
        text = encode({"type": "error", "message": GONE_MESSAGE})
        for r in list(self.receivers):
            r.offer(text, "close")

    def broadcast(self, text: str, kind: str) -> None:
        for r in list(self.receivers):
            r.offer(text, kind)

    def _frame(self, trainer: Trainer) -> dict[str, Any]:
        frame = frame_message(trainer)
        frame["playing"] = self.playing
        # The configuration without the points, so that watchers follow live changes too.
        frame["config"] = {k: v for k, v in trainer.config.items() if k != "points"}
        frame["steps_per_frame"] = self.steps_per_frame
        frame["view"] = self.view
        return frame

    async def publish(self, data: bool = False) -> None:
        """Send the current state to everyone connected (after a REST change)."""
        if not self.receivers:
            return

        def build(t: Trainer) -> tuple[str | None, str]:
            return (encode(data_message(t)) if data else None), encode(self._frame(t))

        data_text, frame_text = await self.session.run(build)
        if data_text is not None:
            self.broadcast(data_text, "data")
        self.broadcast(frame_text, "frame")

    # -- playing ----------------------------------------------------------------
    def play(self) -> None:
        if self.playing or self.session.closed:
            return
        self.playing = True
        # A loop paused an instant ago may not have seen it yet (it is building a
        # frame): it goes on. A second loop beside it trained twice as fast, and
        # a double-tap of space started one more each time.
        if self.task is None or self.task.done():
            self.task = asyncio.create_task(self._loop())

    def pause(self) -> None:
        self.playing = False

    async def _loop(self) -> None:
        interval = 1.0 / self.settings.max_fps
        every = self.settings.checkpoint_interval
        session = self.session
        trained = False
        build_time = 0.002  # running estimate of the time to build one frame
        next_at = time.monotonic()
        stopped = False  # stopped by itself (divergence, an error), not paused
        Live.playing_sessions += 1
        try:
            while self.playing and self.receivers and not self.session.closed:

                def work(t: Trainer, build_time: float = build_time, started: float = next_at) -> tuple[str, str, float]:
                    if self.steps_per_frame == "max":
                        # As many updates as fit in this session's share of a frame
                        # period, leaving room to build the frame itself (and to send
                        # it). Alone, the frame is due at a fixed time: a late start
                        # trains less rather than sending late.
                        playing = max(Live.playing_sessions, 1)
                        share = 0.93 * interval / playing
                        if playing == 1:
                            share = min(share, started + share - time.monotonic())
                        # (a frame that takes longer to build than the period leaves as long for training:
                        # ten layers of 128 build in ~50 ms, and trained 1 ms a frame, 59 updates a second)
                        t.step(self.settings.max_steps_per_request, max_seconds=max(share - build_time, build_time, 0.001))
                    else:
                        t.step(self.steps_per_frame, max_seconds=0.5)
                    if time.monotonic() - session.saved_at >= every:
                        session.checkpoint()  # a crash loses at most `every` seconds of play
                    built = time.perf_counter()
                    text = encode(self._frame(t))
                    return text, t.status, time.perf_counter() - built

                text, status, took = await self.session.run(work, self.limiter)
                build_time += 0.2 * (took - build_time)
                trained = True
                self.frames_produced += 1
                self.broadcast(text, "frame")
                if status != "ok":
                    stopped = True
                    break
                # A fixed cadence: frames are due every `interval`; when behind,
                # start afresh instead of bursting to catch up.
                next_at += interval
                now = time.monotonic()
                if next_at < now:
                    next_at = now
                await asyncio.sleep(max(next_at - now, 0.0005))
        except Exception:
            log.exception("live training of a session stopped")
            stopped = True
        finally:
            Live.playing_sessions -= 1
            if stopped or not self.receivers or self.session.closed:
                self.playing = False
            if trained:  # saved on pause
                with contextlib.suppress(Exception):
                    await session.run(lambda t: None, save=True)
            if stopped and self.receivers and not self.session.closed:
                # Tell everyone the play button is up again (e.g. after divergence).
                with contextlib.suppress(Exception):
                    await self.publish()
            elif self.playing and self.receivers and not self.session.closed:
                # played again while this loop was stopping (play() saw it still running)
                self.task = asyncio.create_task(self._loop())
