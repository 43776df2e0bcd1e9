"""The API reference at /docs, in Chromium: drawn from /openapi.json with
nothing fetched from outside this server, every operation of the document on
the page with its parameters, body fields and answers, a curl example that
works. Screenshots land in tests/artifacts/ for a human look."""

from __future__ import annotations

import json
import re
import urllib.request

import pytest

pytestmark = pytest.mark.browser

READY = "document.body.dataset.ready === 'true'"

RENDERED = """() => [...document.querySelectorAll('[data-testid=operation]')].map((op) => ({
  method: op.dataset.method, path: op.dataset.path,
  statuses: [...op.querySelectorAll('.response')].map((r) => r.dataset.status),
  params: [...op.querySelectorAll('[data-testid=parameters] tr[data-field]')].map((r) => r.dataset.field),
  body: op.querySelector('[data-testid=request-body]') ? [...op.querySelectorAll('[data-testid=request-body] tr[data-field]')].map((r) => r.dataset.field) : null,
  text: op.innerText,
}))"""


def open_docs(pg, requests: list[str]) -> None:
    pg.page.on("request", lambda r: requests.append(r.url))
    pg.page.goto(pg.base_url + "/docs")
    pg.page.wait_for_function(READY, timeout=20_000)


def _only_here(base_url: str, requests: list[str]) -> None:
    outside = [u for u in requests if not u.startswith(base_url + "/") and not u.startswith("data:")]
    assert outside == [], f"the page fetched from outside this server: {outside}"
    assert any(u.startswith(base_url + "/openapi.json") for u in requests)


def test_docs_renders_every_operation_of_the_document(playground):
    requests: list[str] = []
    open_docs(playground, requests)
    spec = playground.api("/openapi.json")
    _only_here(playground.base_url, requests)

    expected = {(m.upper(), p) for p, item in spec["paths"].items() for m in item}
    rendered = playground.js(RENDERED)
    assert len(rendered) == len(expected), "an operation is drawn twice, or one is missing"
    assert {(op["method"], op["path"]) for op in rendered} == expected

    schemas = spec["components"]["schemas"]
    for op in rendered:
        doc = spec["paths"][op["path"]][op["method"].lower()]
        assert op["statuses"] == sorted(doc["responses"]), (op["method"], op["path"])  # in order of status
        if doc.get("summary"):
            assert doc["summary"] in op["text"]
        for param in doc.get("parameters", []):
            assert param["name"] in op["params"], (op["method"], op["path"], param["name"])
        body = doc.get("requestBody")
        if body is None:
            assert op["body"] is None, (op["method"], op["path"])
            continue
        schema = body["content"]["application/json"]["schema"]
        ref = schema.get("$ref") or next(a["$ref"] for a in schema["anyOf"] if "$ref" in a)
        fields = list(schemas[ref.rsplit("/", 1)[1]]["properties"])
        assert op["body"] == fields, (op["method"], op["path"])
        for status, answer in doc["responses"].items():
            assert status in op["text"] and answer["description"].split(":")[0] in op["text"]

    # the side bar links every operation and every schema
    nav = playground.js("[...document.querySelectorAll('#docs-nav a')].map((a) => a.getAttribute('href'))")
    assert sorted(h for h in nav if h.startswith("#op-")) == sorted(
        playground.js("[...document.querySelectorAll('[data-testid=operation]')].map((op) => '#' + op.id)"))
    assert sorted(h for h in nav if h.startswith("#schema-")) == sorted(f"#schema-{name}" for name in schemas)
    assert "[object" not in playground.page.inner_text("body")

    # every component schema has its section, and every link on the page lands somewhere
    drawn = playground.js("[...document.querySelectorAll('[data-testid=schema]')].map((s) => s.id)")
    assert set(drawn) == {f"schema-{name}" for name in schemas}
    dangling = playground.js("""[...document.querySelectorAll('a[href^="#"]')]
        .map((a) => a.getAttribute('href')).filter((h) => !document.getElementById(decodeURIComponent(h.slice(1))))""")
    assert dangling == []

    # the defaults are shown where the configuration is listed
    row = playground.js("""[...document.querySelectorAll('#schema-SessionConfig tr[data-field]')]
        .map((r) => [r.dataset.field, r.querySelector('.field-default')?.textContent])""")
    defaults = dict(row)
    assert defaults["learning_rate"] == "0.03"
    assert defaults["hidden_layers"] == "[4,2]"
    assert defaults["dataset"] == '"circle"'

    # the description's live protocol
    heading = playground.page.locator("#live-protocol-websocket")
    assert heading.is_visible()
    assert "4404" in playground.page.inner_text("#overview")
    playground.screenshot("docs-1280x720")
    playground.page.evaluate("document.getElementById('op-post-api-sessions-session_id-step').scrollIntoView()")
    playground.screenshot("docs-operation-1280x720")  # an operation: parameters, body, answers


def test_the_curl_example_creates_a_session(playground):
    requests: list[str] = []
    open_docs(playground, requests)
    for testid in ("curl", "curl-create"):
        text = playground.page.inner_text(f"[data-testid={testid}]")
        assert text.startswith("curl -s -X POST " + playground.base_url + "/api/sessions"), text
        assert "content-type: application/json" in text
        body = re.search(r"-d '(.*)'", text, re.S).group(1)
        request = urllib.request.Request(playground.base_url + "/api/sessions", data=body.encode(), method="POST",
                                         headers={"content-type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as answer:
            assert answer.status == 201
            created = json.load(answer)
        for name, value in json.loads(body).items():
            assert created["config"][name] == value
    playground.page.locator("[data-testid=curl-create]").scroll_into_view_if_needed()
    assert playground.page.locator("[data-testid=curl-create]").is_visible()


def test_docs_follow_the_dark_system_setting(new_playground):
    pg = new_playground(1280, 720)
    pg.page.emulate_media(color_scheme="dark")
    requests: list[str] = []
    open_docs(pg, requests)
    _only_here(pg.base_url, requests)
    assert pg.js("document.documentElement.dataset.theme") == "dark"
    # dark page, light text (the variables of theme-dark.css)
    colours = pg.js("""(() => { const s = getComputedStyle(document.body);
        const op = getComputedStyle(document.querySelector('[data-testid=operation]'));
        return { bg: s.backgroundColor, ink: s.color, panel: op.backgroundColor }; })()""")

    def lightness(rgb: str) -> float:
        r, g, b = (int(v) for v in re.findall(r"\d+", rgb)[:3])
        return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255

    assert lightness(colours["bg"]) < 0.2 and lightness(colours["panel"]) < 0.2, colours
    assert lightness(colours["ink"]) > 0.8, colours
    pg.page.evaluate("document.getElementById('op-patch-api-sessions-session_id').scrollIntoView()")
    pg.screenshot("docs-dark-1280x720")
