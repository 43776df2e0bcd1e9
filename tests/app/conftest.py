"""Shared fixtures for the service tests: a fresh app per test, and helpers.

Every test gets its own application (``create_app(Settings(...))``), so no
session, setting or live task leaks from one test into the next.  Helpers
reach the tests through the ``api`` fixture, so no test imports this file.
"""

from __future__ import annotations

import base64
import json
import warnings
from collections.abc import Callable, Iterator
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette: "Using `httpx` with the TestClient is deprecated"
    from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings

API = "/api/sessions"


def settings(**overrides: Any) -> Settings:
    """Test settings: small, fast, and never read from the environment."""
    base: dict[str, Any] = {
        "host": "127.0.0.1", "port": 0, "max_sessions": 50, "idle_timeout": 3600.0,
        "step_time_limit": 10.0, "max_fps": 60.0, "sweep_interval": 3600.0, "db_path": None,
    }
    base.update(overrides)
    return Settings(**base)


@pytest.fixture
def make_client() -> Iterator[Callable[..., TestClient]]:
    """``make_client(**settings)``: a TestClient (lifespan running) on a fresh app (with
    ``raise_server_exceptions=False``, a server error is answered as a client sees it)."""
    opened: list[TestClient] = []

    def make(raise_server_exceptions: bool = True, **overrides: Any) -> TestClient:
        client = TestClient(create_app(settings(**overrides)), raise_server_exceptions=raise_server_exceptions)
        client.__enter__()
        opened.append(client)
        return client

    yield make
    for client in reversed(opened):
        client.__exit__(None, None, None)


@pytest.fixture
def client(make_client: Callable[..., TestClient]) -> TestClient:
    return make_client()


def strict_json(text: str) -> Any:
    """Parse JSON, failing on NaN / Infinity (which JSON does not have)."""

    def refuse(name: str) -> Any:
        raise AssertionError(f"the answer contains {name}, which is not JSON")

    return json.loads(text, parse_constant=refuse)


def create(client: TestClient, **config: Any) -> dict[str, Any]:
    """POST a session; assert 201; return the parsed Session."""
    r = client.post(API, json=config)
    assert r.status_code == 201, r.text
    return strict_json(r.text)


def step(client: TestClient, sid: str, steps: int | None = None) -> dict[str, Any]:
    r = client.post(f"{API}/{sid}/step", json=None if steps is None else {"steps": steps})
    assert r.status_code == 200, r.text
    return strict_json(r.text)


def get(client: TestClient, sid: str) -> dict[str, Any]:
    r = client.get(f"{API}/{sid}")
    assert r.status_code == 200, r.text
    return strict_json(r.text)


def weights(state: dict[str, Any]) -> list[tuple[Any, Any]]:
    return [(layer["W"], layer["b"]) for layer in state["layers"]]


def unpack(packed: dict[str, Any]) -> np.ndarray:
    """A frame's packed array (``app.frames.pack``), decoded as its format
    says: base64, little-endian floats of the stated width, row-major."""
    width = {"f4": "<f4", "f8": "<f8"}[packed["dtype"]]
    return np.frombuffer(base64.b64decode(packed["data"], validate=True), dtype=width).reshape(packed["shape"])


@pytest.fixture
def api() -> SimpleNamespace:
    """The helpers above: ``api.create``, ``api.step``, ``api.get``, ``api.json``, ``api.weights``, ``api.unpack``."""
    return SimpleNamespace(create=create, step=step, get=get, json=strict_json, weights=weights, API=API,
                           settings=settings, unpack=unpack)
