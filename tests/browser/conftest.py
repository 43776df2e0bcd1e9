"""Browser tests: a real server and headless Chromium.

The server runs in a background thread on a free loopback port for the whole
test session; Chromium is Debian's (/usr/bin/chromium), driven by
playwright.sync_api. Without Chromium the tests are skipped — except in CI
(``CI=true``), where a missing browser is a failure, so CI can never pass by
running none of them. Every page records its console errors and uncaught
exceptions; a test fails if there are any.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"browser tests cannot run in CI: {reason}", pytrace=False)
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def base_url() -> Iterator[str]:
    import uvicorn

    from app.cli import SERVER_OPTIONS
    from app.main import create_app
    from app.settings import Settings

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(Settings(db_path=None)), host="127.0.0.1", port=port, log_level="warning",
                                           **SERVER_OPTIONS))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(url + "/api/health", timeout=1) as r:
                if json.load(r).get("status") == "ok":
                    break
        except OSError:
            pass
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the test server did not answer /api/health", pytrace=False)
        time.sleep(0.1)
    yield url
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        _unavailable(f"{CHROMIUM} is not installed")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@dataclass
class Playground:
    """One browser page on the playground, with the helpers tests need."""

    page: Any
    base_url: str
    errors: list[str] = field(default_factory=list)
    # a test that provokes a refusal on purpose says so; Chromium logs every 4xx answer as an error
    allow_refusals: bool = False

    def open(self, path: str = "/") -> Playground:
        self.page.goto(self.base_url + path)
        self.wait_ready()
        return self

    def wait_ready(self) -> None:
        self.page.wait_for_function("window.__chainrule && window.__chainrule.ready === true", timeout=20_000)

    def js(self, expression: str) -> Any:
        return self.page.evaluate(expression)

    def step_count(self) -> int:
        return int(self.page.text_content("[data-testid=step-count]"))

    def wait_step(self, n: int) -> None:
        self.page.wait_for_function(
            f"Number(document.querySelector('[data-testid=step-count]').textContent) === {n}", timeout=10_000)

    def wait_step_above(self, n: int) -> None:
        self.page.wait_for_function(
            f"Number(document.querySelector('[data-testid=step-count]').textContent) > {n}", timeout=10_000)

    def session_id(self) -> str:
        return self.js("window.__chainrule.sessionId")

    def api(self, path: str) -> Any:
        with urllib.request.urlopen(self.base_url + path, timeout=10) as r:
            return json.load(r)

    def sizes(self) -> str:
        return self.page.get_attribute("[data-testid=network]", "data-sizes")

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path))
        return path

    def assert_no_errors(self) -> None:
        errors = self.errors
        if self.allow_refusals:
            errors = [e for e in errors if "status of 422" not in e]
        assert errors == [], "console errors:\n" + "\n".join(errors)


def _new_playground(browser: Any, base_url: str, width: int = 1280, height: int = 720, init: str | None = None,
                    **options: Any) -> tuple[Any, Playground]:
    """A page in a context of its own: ``options`` are Playwright's context options (a device's,
    touch, colours), ``init`` a script run before the page's own."""
    options.setdefault("viewport", {"width": width, "height": height})
    context = browser.new_context(**options)
    if init:
        context.add_init_script(init)
    page = context.new_page()
    pg = Playground(page, base_url)
    page.on("console", lambda m: pg.errors.append(f"console: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: pg.errors.append(f"page error: {e}\n{e.stack}"))
    return context, pg


@pytest.fixture
def playground(browser: Any, base_url: str) -> Iterator[Playground]:
    context, pg = _new_playground(browser, base_url)
    yield pg
    context.close()
    pg.assert_no_errors()


@pytest.fixture
def new_playground(browser: Any, base_url: str) -> Iterator[Any]:
    """A factory for more pages (other sizes, a second viewer)."""
    made: list[tuple[Any, Playground]] = []

    def make(width: int = 1280, height: int = 720) -> Playground:
        made.append(_new_playground(browser, base_url, width, height))
        return made[-1][1]

    yield make
    for context, pg in made:
        context.close()
        pg.assert_no_errors()
