"""Typed errors and their answers: every failure is ``{"detail", "field"}``.

Validation errors name the field and its allowed range; no client input can
produce a 500.
"""

from __future__ import annotations

import inspect
import json
import re
import sys
from typing import Any, get_args

import numpy as np
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import HTTPConnection

from engine.config import MAX_HIDDEN_LAYERS, PROPERTY, ConfigError, _range_text
from engine.data import transform

from .models import MAX_POINTS, MIN_POINTS, GradCheckRequest, Problem, StepRequest, TraceRequest

NOT_FOUND = {404: {"model": Problem, "description": "no such session (or it was deleted or timed out)"}}
INVALID = {422: {"model": Problem, "description": "invalid input: the message names the field and its allowed range "
                                                 "(a query parameter is refused too: the API reads none)"}}
# what every route of the API but /api/health answers for a query parameter (see refuse_query)
QUERY_REFUSED = {422: {"model": Problem, "description": "a query parameter was sent: this route reads none "
                                                        "(field: its name)"}}
TOO_LARGE = {413: {"model": Problem, "description": "the request body is larger than 32 MB (field: body)"}}
# what a route that reads a request body can answer besides its own success (and 404)
BODY_ERRORS = {**INVALID, **TOO_LARGE}


class SessionNotFound(StarletteHTTPException):
    def __init__(self, what: str = "session") -> None:
        super().__init__(404, f"unknown {what}: it never existed, was deleted, or timed out")


# pydantic names the member of a union it tried (``literal['a','b']``, ``list[...]``) in ``loc``
_UNION_TAG = re.compile(r"^[a-z][a-z-]*\[.*\]$")


def _field_name(loc: tuple) -> str:
    parts = [p for p in loc if p not in ("body", "query", "path")]
    name = ""
    for p in parts:
        if isinstance(p, int):
            name += f"[{p}]"
        elif not _UNION_TAG.match(str(p)):
            name += f".{p}" if name else str(p)
    return name or "body"


def _limits() -> dict[str, str]:
    """``name → allowed`` for the fields of the request bodies that are not
    configuration fields (those name their range through the engine's table)."""
    out: dict[str, str] = {}
    for model in (StepRequest, TraceRequest, GradCheckRequest):
        for name, info in model.model_fields.items():
            m = {type(c).__name__: c for c in info.metadata}
            if "MinLen" in m or "MaxLen" in m:
                out[name] = f"must hold {m['MinLen'].min_length} to {m['MaxLen'].max_length:,} rows"
            elif "Ge" in m and "Le" in m:  # the integers of these bodies: steps, layer, row, col
                out[name] = f"must be an integer in [{m['Ge'].ge}, {m['Le'].le}]"
    return out


_LIMITS = _limits()


def _shown(value: object) -> str:
    """A client's value, short, as JSON would write it."""
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 40 else text[:39] + "…"


def body_model(connection: HTTPConnection) -> type[BaseModel] | None:
    """The model of the JSON body the matched route reads (``X | None`` for an optional one), or None."""
    field = getattr(connection.scope.get("route"), "body_field", None)
    annotation = getattr(getattr(field, "field_info", None), "annotation", None)
    for kind in (annotation, *get_args(annotation)):
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            return kind
    return None


def _describe(err: dict, model: type[BaseModel] | None = None) -> str:
    loc = tuple(err.get("loc", ()))
    field = _field_name(loc)
    msg = err.get("msg", "invalid value")
    if err.get("type") == "json_invalid":
        return "the request body is not valid JSON"
    if err.get("type") == "extra_forbidden":  # before the ranges: a field this request does not take has none
        if model is not None and not model.model_fields and model.__doc__:  # a body with no fields says why
            return f"{field} is not a field of this request: {' '.join(inspect.cleandoc(model.__doc__).split())}"
        return f"{field} is not a field of this request (a misspelt name, or one that belongs to another endpoint)"
    if err.get("type") in ("value_error", "assertion_error"):  # a validator's own words (rows of different lengths, …)
        return f"{field}: {msg.removeprefix('Value error, ')}"
    if len(loc) >= 2 and loc[-2] == "points" and loc[-1] in ("x", "y") and err.get("type") in ("too_short", "too_long"):
        # one's own points: say how many, in the API's words (pydantic's were "List should have at least 10 items")
        n = (err.get("ctx") or {}).get("actual_length")
        what = "rows" if loc[-1] == "x" else "targets, one per row of points.x"
        return f"{field} must hold {MIN_POINTS} to {MAX_POINTS:,} {what} (got {n})"
    if loc[:2] in (("body", "format"), ("body", "version")):  # only an export document has these
        return ("this is not a chainrule session file: it needs \"format\": \"chainrule-session\" and "
                "\"version\": 1, as written by Export → Save session (GET /api/sessions/{id}/export)")
    top = next((p for p in loc if p in PROPERTY), None)
    prop = PROPERTY.get(top) if top else None
    if prop is not None:
        got = f" (got {_shown(err.get('input'))})" if "input" in err and err.get("type") != "missing" else ""
        if prop.type == "list[int]" and field == prop.name:
            return (f"{field} must be a list of 0 to {MAX_HIDDEN_LAYERS} layer sizes, each an integer in "
                    f"{_range_text(prop)}{got}")
        if prop.minimum is not None and prop.type in ("int", "float", "list[int]"):
            kind = "an integer" if prop.type != "float" else "a number"
            return f"{field} must be {kind} in {_range_text(prop)}{got}"
        if prop.type == "list[str]" and field == prop.name:
            return f"{field} must be a list of 1 to {len(prop.choices)} names from {', '.join(prop.choices)}{got}"
        if prop.choices:
            return f"{field} must be one of {', '.join(prop.choices)}{got}"
    name = loc[-1] if loc and loc[-1] in _LIMITS and top is None else None  # the field itself, not an entry
    if name is not None and err.get("type") != "missing":
        got = err.get("input")
        shown = f"{len(got)} rows" if isinstance(got, list) and "rows" in _LIMITS[name] else _shown(got)
        return f"{field} {_LIMITS[name]} (got {shown})"
    ctx = err.get("ctx") or {}
    bounds = [f"{k.replace('_', ' ')} {v}" for k, v in ctx.items() if k in ("ge", "gt", "le", "lt", "min_length",
                                                                             "max_length")]
    return f"{field}: {msg}" + (f" (allowed: {', '.join(bounds)})" if bounds else "")


def _numbers(n: int) -> str:
    return f"{n} number" if n == 1 else f"{n} numbers"


def trace_shape(trainer: object, name: str) -> str:
    """What ``x`` (or ``y``) of a trace or gradient check must be for this session, with an example row."""
    t: Any = trainer
    if name == "y":
        k = t.n_outputs
        row = [0.0] * k
        row[min(1, k - 1)] = 1.0
        hint = " (one-hot: 1.0 for the class)" if k > 1 else ""
        return (f"y must be a non-empty list of rows of {_numbers(k)}, one row per row of x (N × {k}), "
                f"targets as /data gives them, e.g. [{row}]{hint}")
    features = list(t.config["features"])
    point = [1.0, -2.0][: t.inputs]
    example = [round(float(v), 4) for v in transform(np.array([point]), features)[0]]
    n = len(features)
    said = f"x must be a non-empty list of rows of {_numbers(n)} (N × {n}), e.g. [{example}]"
    if features != ["x1", "x2"][: t.inputs]:
        said += (f": x is in feature space, as /data gives it, one number per feature ({', '.join(features)}); "
                 f"that row is the point {', '.join(f'x{i + 1} = {v:g}' for i, v in enumerate(point))}")
    return said


async def _shape_wanted(request: Request, err: dict, model: type[BaseModel] | None) -> str | None:
    """A trace's (or gradient check's) x or y that is not a list of rows, said in the session's own shape:
    a flat ``"x": [1, 2]`` was told "x[0]: Input should be a valid list"."""
    loc = tuple(err.get("loc", ()))
    if not (model is not None and issubclass(model, TraceRequest) and err.get("type") == "list_type"
            and len(loc) in (2, 3) and loc[:1] == ("body",) and loc[1] in ("x", "y")):
        return None
    store, params = request.app.state.store, request.path_params
    if "session_id" in params:
        session = await store.find(params["session_id"])
    else:
        session = await store.find_watch(params.get("watch_id", ""))
    return None if session is None else trace_shape(session.trainer, loc[1])


class _LongInteger:
    """An integer of the body too long for Python to read (more than ``sys.get_int_max_str_digits()`` digits)."""

    def __init__(self, digits: int) -> None:
        self.digits = digits

    def __repr__(self) -> str:  # what _shown says of it
        return f"an integer of {self.digits} digits"


def _first_long_integer(value: object, path: tuple = ()) -> tuple[tuple, _LongInteger] | None:
    if isinstance(value, _LongInteger):
        return path, value
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        found = _first_long_integer(item, (*path, key))
        if found is not None:
            return found
    return None


def integer_too_long(error: BaseException | None) -> bool:
    """Whether ``json.loads`` failed on valid JSON holding an integer of more digits than Python
    reads (``sys.get_int_max_str_digits()``): not a JSON error, a ValueError that says so."""
    return (bool(sys.get_int_max_str_digits()) and isinstance(error, ValueError)
            and not isinstance(error, json.JSONDecodeError | UnicodeError) and "digits" in str(error))


async def _too_many_digits(request: Request, exc: Exception) -> dict | None:
    """The answer to a body that is valid JSON but holds an integer of more digits than Python reads
    (4300): it was called "not valid JSON". Names the field when the body can be read again."""
    if not integer_too_long(exc.__cause__):
        return None
    limit = sys.get_int_max_str_digits()
    answer = {"detail": f"a number in the body has too many digits (this server reads integers of up to {limit} "
                        "digits, and no field takes one so long)", "field": "body"}

    def read(text: str) -> int | _LongInteger:
        digits = len(text.lstrip("-"))
        return _LongInteger(digits) if digits > limit else int(text)

    try:
        found = _first_long_integer(json.loads(await request.body(), parse_int=read))
    except json.JSONDecodeError:  # and past that number, not JSON
        return {"detail": "the request body is not valid JSON", "field": "body"}
    except Exception:  # not readable after all: say what is known
        return answer
    if found is None:
        return answer
    path, number = found
    model = body_model(request)
    err = {"type": "int_too_long", "loc": ("body", *path), "input": number,
           "msg": f"a number of {number.digits} digits is out of range (this server reads integers of up to "
                  f"{limit} digits)"}
    if model is not None and path and path[0] not in model.model_fields:  # in a field the request does not take
        err = {"type": "extra_forbidden", "loc": ("body", path[0])}
    return {"detail": _describe(err, model), "field": _field_name(err["loc"])}


_METHOD_ORDER = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
_PARAMETER = re.compile(r"\{[^}/]+\}")


def allowed_methods(request: Request) -> list[str]:
    """Every method of the path a 405 was answered for, for its ``Allow`` header.

    Starlette answers 405 from the first route whose path matches, naming only
    that route's methods: ``Allow: GET`` for ``/api/sessions/{id}``, which has
    GET, PATCH and DELETE, one route each. The OpenAPI document groups the
    routes by path, in the order they are matched: the first path there that
    matches (as the router's first match) has them all. Empty for a path it
    does not describe (the pages, whose routes have one method each)."""
    path = request.scope.get("path", "")
    root = request.scope.get("root_path", "")
    if root and path.startswith(root):
        path = path[len(root):]
    for template, operations in request.app.openapi().get("paths", {}).items():
        pattern = "[^/]+".join(re.escape(part) for part in _PARAMETER.split(template))
        if re.fullmatch(pattern, path):
            methods = {m.upper() for m in operations if m.upper() in _METHOD_ORDER}
            return sorted(methods, key=_METHOD_ORDER.index)
    return []


def refuse_query(connection: HTTPConnection) -> None:
    """A dependency of the API's routes (all but /api/health, which an uptime checker may call
    with a cache-buster): none of them reads a query parameter, so one sent is refused by name
    (as a body's unknown field is) instead of being ignored without a word: ``POST …/step?steps=50``
    trained one update, not 50. The pages read theirs (a share link)."""
    if connection.scope["type"] == "http" and connection.query_params:
        name, value = next(iter(connection.query_params.multi_items()))
        raise ConfigError(name, f"{name} is a query parameter, and {_what_instead(connection, name, value)}")


def _what_instead(connection: HTTPConnection, name: str, value: str) -> str:
    """What the route takes instead of a query parameter: its JSON body (with the parameter
    in it if it is one of its fields), or nothing but the parameters in its path."""
    route = connection.scope.get("route")
    where = f"{connection.scope['method']} {getattr(route, 'path', connection.scope['path'])}"
    model = body_model(connection)
    if model is not None:
        fields = list(model.model_fields)
        if name in fields:
            try:
                shown = json.dumps(json.loads(value), ensure_ascii=False)
            except (ValueError, RecursionError):
                shown = json.dumps(value, ensure_ascii=False)
            return f"this API reads none: send it in the JSON body, e.g. {where} with {{{json.dumps(name)}: {shown}}}"
        if not fields:
            return f"this API reads none: {where} takes no fields (send no body, or {{}})"
        return f"this API reads none: send the fields of {where} in its JSON body (it takes {', '.join(fields)})"
    path = _PARAMETER.findall(where)
    takes = f"no parameters but {', '.join(p.strip('{}') for p in path)}, in its path" if path else "no parameters"
    return f"{where} reads none, nor a body: it takes {takes}"


def install(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        first = errors[0] if errors else {}
        if first:
            # Of the alternatives of a union (a name, or a list of names), report the one that got
            # furthest into the value: for a list, the entry at fault.
            field = _field_name(tuple(first.get("loc", ())))
            same = [e for e in errors if _field_name(tuple(e.get("loc", ()))).startswith(field)]
            first = max(same, key=lambda e: len(e.get("loc", ())))
        field = _field_name(tuple(first.get("loc", ()))) if first else None
        if first.get("type") == "json_invalid":
            field = "body"
        kind = request.headers.get("content-type", "")
        model = body_model(request)
        shape = await _shape_wanted(request, first, model) if first else None
        if shape is not None:
            return JSONResponse({"detail": shape, "field": first["loc"][1]}, 422)
        if field == "body" and first.get("type") == "model_attributes_type" and "json" not in kind:
            return JSONResponse({"detail": "send the body as JSON, with the header Content-Type: application/json "
                                           f"(this request said {kind or 'no content type'})", "field": "body"}, 422)
        return JSONResponse({"detail": _describe(first, model) if first else "invalid request",
                             "field": field}, 422)

    @app.exception_handler(Exception)
    async def internal(request: Request, exc: Exception) -> JSONResponse:
        # A bug, never the client's input (that is a 4xx above): the documented shape still,
        # and the traceback in the server's log (Starlette logs it after this answer).
        return JSONResponse({"detail": f"internal error ({type(exc).__name__}): this is a bug in chainrule, "
                                       "not in the request; the server's log has the details",
                             "field": None}, 500)

    @app.exception_handler(ConfigError)
    async def config_error(request: Request, exc: ConfigError) -> JSONResponse:
        return JSONResponse({"detail": exc.message, "field": exc.field}, 422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400:  # a body that cannot even be decoded: invalid input like any other
            too_long = await _too_many_digits(request, exc)
            if too_long is not None:
                return JSONResponse(too_long, 422)
            return JSONResponse({"detail": "the request body is not valid JSON (UTF-8 text)", "field": "body"}, 422)
        field = "body" if exc.status_code == 413 else None  # see limits.BodyTooLarge
        if exc.status_code == 405:
            allowed = allowed_methods(request)
            if allowed:
                allow = ", ".join(allowed)
                return JSONResponse({"detail": f"{request.method} is not a method of this path (it takes {allow})",
                                     "field": None}, 405, headers={**(exc.headers or {}), "Allow": allow})
        return JSONResponse({"detail": str(exc.detail), "field": field}, exc.status_code, headers=exc.headers)
