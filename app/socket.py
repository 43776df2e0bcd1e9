"""The live WebSocket protocol (API.md): commands in, frames out.

Client → server: ``play``, ``pause``, ``step`` (``steps``), ``reset`` (optional
``seed``), ``speed`` (``steps_per_frame``: an integer, or ``"max"`` to train
as many updates as fit between two frames).  A malformed or unknown message, or
any command on a watch link, is answered with ``{"type": "error", "message"}``
and the connection stays up.  Disconnects are quiet.  An unknown session, or
one deleted, evicted or timed out while connected, gets an ``error`` message
and then a close with code 4404.

``view`` says what the controlling page shows: ``mode`` (``"forward"`` or
``"backward"``), and optionally what its inspector is on, ``inspect``
(``{"kind": "neuron" | "weight" | "bias", "layer", "to"[, "from"]}`` or
``{"kind": "input", "i"}``, or null) and on which sample, ``sample``
(``{"split": "train" | "test", "index"}``, or null).  Frames carry it as
``view`` (``{"mode", "inspect", "sample"}``), so that watch pages can follow
the teacher.  It changes nothing in training.

Besides the commands, any client (a watcher too) may answer each frame with
``{"type": "ack"}``: it is then paced, never more than two frames behind the
session however slowly it reads (see ``live.py``).
"""

from __future__ import annotations

import json
import sys
from typing import Any

from starlette.websockets import WebSocket, WebSocketDisconnect

from engine.config import MAX_SEED, ConfigError

from .errors import integer_too_long
from .frames import encode
from .live import GONE, GONE_MESSAGE
from .store import Session

COMMANDS = ("play", "pause", "step", "reset", "speed", "view")
VIEWS = ("forward", "backward")
# what each message may hold besides "type" (REST refuses unknown fields too)
FIELDS = {"play": (), "pause": (), "ack": (), "step": ("steps",), "reset": ("seed",), "speed": ("steps_per_frame",),
          "view": ("mode", "inspect", "sample")}
READONLY = ("this is a watch link: it follows the session but cannot change it; "
            "fork it (POST /api/watch/{watch_id}/fork) to get a session of your own")


def _speeds(settings) -> str:
    """The speeds a live ``speed`` command takes, in words."""
    return f'an integer in [1, {settings.max_steps_per_frame}], or "max": as many as fit in a frame'


def _int(msg: dict[str, Any], key: str, default: int | None, lo: int, hi: int) -> int | None:
    if key not in msg:
        return default
    v = msg[key]
    if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
        raise ValueError(f"{key} must be an integer in [{lo}, {hi}]")
    return v


# what an inspector can be on: its kind → the integer fields that say which one
TARGETS = {"neuron": ("layer", "to"), "bias": ("layer", "to"), "weight": ("layer", "to", "from"), "input": ("i",)}
MAX_INDEX = 1_000_000  # far beyond any layer (128 units) or data set (5000 points): a bound, not a check


def _fields(value: Any, name: str, fields: dict[str, Any]) -> dict[str, Any]:
    """``value``, an object of exactly ``fields`` (name → allowed values, or
    ``int`` for an integer in [0, MAX_INDEX])."""
    shape = ", ".join(fields)
    if not isinstance(value, dict) or set(value) != set(fields):
        raise ValueError(f"view: {name} must be an object {{{shape}}} (or null)")
    for key, allowed in fields.items():
        v = value[key]
        ok = (isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= MAX_INDEX) if allowed is int else v in allowed
        if not ok:
            raise ValueError(f"view: {name}.{key} must be "
                             + (f"an integer in [0, {MAX_INDEX}]" if allowed is int else " or ".join(map(repr, allowed))))
    return dict(value)


def _view(msg: dict[str, Any]) -> dict[str, Any]:
    if msg.get("mode") not in VIEWS:
        raise ValueError('view needs mode, "forward" or "backward"')
    inspect, sample = msg.get("inspect"), msg.get("sample")
    if inspect is not None:
        kind = inspect.get("kind") if isinstance(inspect, dict) else None
        if kind not in TARGETS:
            raise ValueError(f"view: inspect.kind must be one of {', '.join(TARGETS)}")
        inspect = _fields(inspect, "inspect", {"kind": (kind,), **dict.fromkeys(TARGETS[kind], int)})
    if sample is not None:
        sample = _fields(sample, "sample", {"split": ("train", "test"), "index": int})
    return {"mode": msg["mode"], "inspect": inspect, "sample": sample}


async def serve_socket(ws: WebSocket, session: Session | None, readonly: bool) -> None:
    await ws.accept()
    if session is None:
        await ws.send_text(encode({"type": "error", "message": GONE_MESSAGE}))
        await ws.close(code=GONE)
        return
    live = session.live
    receiver = await live.attach(ws, readonly)
    settings = live.settings
    try:
        while True:
            message = await ws.receive()
            if message["type"] == "websocket.disconnect":
                raise WebSocketDisconnect(message.get("code", 1000))
            if session.closed:  # deleted meanwhile: the pump has said so and closed the socket
                break
            text = message.get("text")
            try:
                if text is None:
                    raise ValueError('commands are JSON text messages, e.g. {"type": "play"}')
                try:
                    msg = json.loads(text)
                except RecursionError:  # not a closed socket: see the RuntimeError below
                    raise ValueError('a command is nested too deeply to read; send a flat JSON object {"type": ...}') from None
                except ValueError as e:  # valid JSON, but an integer longer than Python reads (4300 digits)
                    if not integer_too_long(e):
                        raise
                    raise ValueError(f"a number in the command has too many digits (integers of up to "
                                     f"{sys.get_int_max_str_digits()} digits are read; steps_per_frame is "
                                     f"{_speeds(settings)})") from None
                if not isinstance(msg, dict) or not isinstance(msg.get("type"), str):
                    raise ValueError('a command is a JSON object {"type": ...}')
                kind = msg["type"]
                if kind in FIELDS:
                    extra = sorted(k for k in msg if k != "type" and k not in FIELDS[kind])
                    if extra:
                        takes = f"it takes {', '.join(FIELDS[kind])}" if FIELDS[kind] else "it takes no fields"
                        raise ValueError(f"{extra[0]} is not a field of a {kind!r} message ({takes})")
                if kind == "ack":  # flow control, not a command: watchers too
                    receiver.ack()
                    continue
                if kind not in COMMANDS:
                    raise ValueError(f"unknown command {kind!r}; commands: {', '.join(COMMANDS)}")
                if readonly:
                    raise PermissionError(READONLY)
                if kind == "play":
                    live.play()
                    await live.publish()
                elif kind == "pause":
                    live.pause()
                    await live.publish()
                elif kind == "speed":
                    spf = msg.get("steps_per_frame")
                    if spf != "max":
                        try:
                            spf = _int(msg, "steps_per_frame", None, 1, settings.max_steps_per_frame)
                        except ValueError:  # _int's words would leave "max" out
                            raise ValueError(f"steps_per_frame must be {_speeds(settings)}") from None
                    if spf is None:
                        raise ValueError(f"speed needs steps_per_frame, {_speeds(settings)}")
                    live.steps_per_frame = spf
                    await live.publish()
                elif kind == "view":
                    live.view = _view(msg)
                    await live.publish()  # the answer, as for every command (the page waits for one)
                elif kind == "step":
                    n = _int(msg, "steps", 1, 1, settings.max_steps_per_request)
                    limit = settings.step_time_limit
                    await session.run(lambda t, n=n, limit=limit: t.step(n, max_seconds=limit), save=True)
                    await live.publish()
                elif kind == "reset":
                    seed = None if msg.get("seed") is None else _int(msg, "seed", None, 0, MAX_SEED)  # null: keep it, as REST
                    await session.run(lambda t, seed=seed: t.reset(seed), save=True)
                    await live.publish(data=True)
            except (ValueError, PermissionError, ConfigError) as e:
                message = str(e) if not isinstance(e, json.JSONDecodeError) else "a command must be valid JSON"
                receiver.offer(encode({"type": "error", "message": message}), "direct")
    except WebSocketDisconnect:
        pass
    except RuntimeError:  # the socket closed while we were using it
        pass
    finally:
        await live.detach(receiver)
