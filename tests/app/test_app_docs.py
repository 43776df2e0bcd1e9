"""The API reference and the accuracy of the OpenAPI document.

``/docs`` is our own page, drawn from ``/openapi.json`` with nothing from the
internet (FastAPI's Swagger UI and ReDoc load from a CDN, so are blank
offline); the document shows the engine's true defaults, documents every
error answer as the ``Problem`` it is, and a 405 names every method of its path.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import jsonschema_rs
import pytest

from engine.config import PROPERTIES, resolve_config

PROBLEM = "#/components/schemas/Problem"
# a URL written into a page or a style sheet; SVG's namespace name is one but is never fetched
URL = re.compile(r"""(?:https?:)?//[A-Za-z0-9.-]+\.[A-Za-z]{2,}[^\s"'()<>]*""")
NAMESPACES = {"//www.w3.org/2000/svg", "http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}


class _Assets(HTMLParser):
    """What an HTML page loads: style sheets, scripts, images, icons."""

    def __init__(self) -> None:
        super().__init__()
        self.loads: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        for name in ("src", "href"):
            if a.get(name) and (tag != "a" or name != "href"):
                self.loads.append(a[name])


def _external(text: str) -> list[str]:
    return [u for u in URL.findall(text) if u not in NAMESPACES and not any(u.startswith(n) for n in NAMESPACES)]


def _imports(js: str) -> list[str]:
    """The modules an ES module imports (statically or not)."""
    return re.findall(r"""(?:\bfrom\s*|\bimport\s*\(?\s*)["']([^"']+)["']""", js)


def test_docs_is_our_own_page_and_loads_nothing_from_outside(client):
    r = client.get("/docs")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    html = r.text
    assert "swagger" not in html.lower() and "redoc" not in html.lower()
    assert _external(html) == [], "the page names an outside URL"

    # everything it loads, and what those load, comes from this server and names no outside URL
    parser = _Assets()
    parser.feed(html)
    assert any(u.split("?")[0].endswith("/docs.js") for u in parser.loads)
    seen: set[str] = set()
    todo = [urljoin("http://testserver/docs", u) for u in parser.loads if not u.startswith("data:")]
    while todo:
        url = todo.pop()
        parts = urlsplit(url)
        assert parts.netloc == "testserver", f"{url} is not on this server"
        if parts.path in seen:
            continue
        seen.add(parts.path)
        asset = client.get(parts.path + (f"?{parts.query}" if parts.query else ""))
        assert asset.status_code == 200, url
        assert _external(asset.text) == [], f"{parts.path} names an outside URL"
        if parts.path.endswith(".js"):
            todo += [urljoin(url, m) for m in _imports(asset.text)]
        if parts.path.endswith(".css"):
            todo += [urljoin(url, m) for m in re.findall(r"""@import\s+(?:url\()?["']?([^"')\s;]+)""", asset.text)]
    assert "/static/js/docs.js" in seen and "/static/css/docs.css" in seen


def test_the_swagger_and_redoc_pages_are_gone_and_openapi_json_stays(client):
    assert client.get("/redoc").status_code == 404
    assert client.get("/docs/oauth2-redirect").status_code == 404
    r = client.get("/openapi.json")
    assert r.status_code == 200
    assert r.json()["openapi"].startswith("3.")
    assert "/api/sessions" in r.json()["paths"]


def test_the_description_documents_the_live_protocol(client):
    description = client.get("/openapi.json").json()["info"]["description"]
    for text in ("/api/sessions/{session_id}/live", "/api/watch/{watch_id}/live", '"type": "play"',
                 '"type": "pause"', '"type": "step"', '"type": "reset"', '"type": "speed"', '"type": "frame"',
                 '"type": "error"', "4404"):
        assert text in description, text


def test_session_config_shows_the_engines_defaults(client):
    schema = client.get("/openapi.json").json()
    props = schema["components"]["schemas"]["SessionConfig"]["properties"]
    assert set(props) == {p.name for p in PROPERTIES}
    for p in PROPERTIES:
        if p.default is None:  # derived from other fields (the task, the inputs): the description says how
            assert "default" not in props[p.name], p.name
            assert "default" in props[p.name]["description"] or p.name in ("points", "task"), p.name
        else:
            assert props[p.name]["default"] == p.default, p.name
    assert props["hidden_layers"]["default"] == [4, 2] and props["learning_rate"]["default"] == 0.03
    # each default is a valid value of its own field
    for name, prop in props.items():
        if "default" in prop:
            standalone = {"components": schema["components"], **{k: v for k, v in prop.items() if k != "default"}}
            assert jsonschema_rs.validator_for(standalone).is_valid(prop["default"]), name


def test_a_session_made_without_a_body_has_the_documented_defaults(client):
    props = client.get("/openapi.json").json()["components"]["schemas"]["SessionConfig"]["properties"]
    config = client.post("/api/sessions").json()["config"]
    resolved = resolve_config({})
    shown = [name for name, prop in props.items() if "default" in prop]
    assert len(shown) == sum(p.default is not None for p in PROPERTIES)
    for name in shown:
        assert config[name] == props[name]["default"] == resolved[name], name


def test_a_change_documents_no_defaults(client):
    """PATCH keeps what is not sent: its body must not claim that a missing field becomes its default."""
    schema = client.get("/openapi.json").json()
    body = schema["paths"]["/api/sessions/{session_id}"]["patch"]["requestBody"]["content"]["application/json"]
    name = body["schema"]["$ref"].rsplit("/", 1)[1]
    change = schema["components"]["schemas"][name]
    assert set(change["properties"]) == set(schema["components"]["schemas"]["SessionConfig"]["properties"])
    assert all("default" not in p for p in change["properties"].values())


def _operations(schema):
    for path, item in schema["paths"].items():
        for method, op in item.items():
            yield path, method, op


def test_every_error_answer_is_documented_as_a_problem(client):
    schema = client.get("/openapi.json").json()
    assert "HTTPValidationError" not in schema["components"]["schemas"]
    assert "ValidationError" not in schema["components"]["schemas"]
    for path, method, op in _operations(schema):
        for status, answer in op["responses"].items():
            if status.startswith(("4", "5")):
                assert answer["content"]["application/json"]["schema"] == {"$ref": PROBLEM}, (method, path, status)
        has_body = "requestBody" in op
        # 413 exactly where a body is read; 422 there, and on every route that refuses a query parameter
        # (all of them but the health check)
        assert ("422" in op["responses"]) == (has_body or path != "/api/health"), (method, path)
        assert ("413" in op["responses"]) == has_body, (method, path)
        if "{" in path:
            assert "404" in op["responses"], (method, path)


@pytest.mark.parametrize("path", ["/api/watch/nope", "/api/watch/nope/history"])
def test_a_watch_route_answers_no_422_for_any_link(client, path):
    r = client.get(path + "%20%F0%9F%99%82")
    assert r.status_code == 404
    assert set(r.json()) == {"detail", "field"}


def test_a_body_over_the_limit_is_a_documented_413(client):
    r = client.post("/api/sessions", content=b" " * (32 * 1024 * 1024 + 1),
                    headers={"content-type": "application/json"})
    assert r.status_code == 413
    assert r.json()["field"] == "body"


@pytest.mark.parametrize(("path", "allowed"), [
    ("/api/sessions/some-id", {"GET", "PATCH", "DELETE"}),
    ("/api/sessions", {"POST"}),
    ("/api/sessions/import", {"POST"}),
    ("/api/sessions/some-id/step", {"POST"}),
    ("/api/watch/some-link", {"GET"}),
])
def test_options_names_every_method_of_the_path(client, path, allowed):
    schema = client.get("/openapi.json").json()
    template = next(t for t in schema["paths"] if re.fullmatch(re.sub(r"\{[^}]+\}", "[^/]+", t), path))
    assert {m.upper() for m in schema["paths"][template]} == allowed
    for method in ("OPTIONS", "PUT", "TRACE"):
        if method in allowed:
            continue
        r = client.request(method, path)
        assert r.status_code == 405, (method, path)
        assert {m.strip() for m in r.headers["allow"].split(",")} == allowed, (method, path, r.headers["allow"])
        assert set(r.json()) == {"detail", "field"}


def test_every_route_that_refuses_a_query_parameter_documents_that_422(client, api):
    """GET /api/sessions/{id}?x=1 answered a 422 that OpenAPI did not list (only 200 and 404)."""
    schema = client.get("/openapi.json").json()
    s = api.create(client)
    for path, method, op in _operations(schema):
        url = path.format(session_id=s["id"], watch_id=s["watch_id"])
        r = client.request(method, url + "?x=1")
        if path == "/api/health":  # an uptime checker's cache-buster goes through
            assert r.status_code == 200 and "422" not in op["responses"]
            continue
        assert r.status_code == 422 and r.json()["field"] == "x", (method, path, r.text)
        answer = op["responses"]["422"]
        assert answer["content"]["application/json"]["schema"] == {"$ref": PROBLEM}, (method, path)
        assert "query parameter" in answer["description"], (method, path)


def test_the_catalog_answer_is_documented_field_by_field(client):
    """/openapi.json had only {"type": "object", "additionalProperties": true} for the catalog, so /docs
    documented none of its fields; now every object in it is described, with no field left out."""
    schema = client.get("/openapi.json").json()
    answer = schema["paths"]["/api/catalog"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    catalog = schema["components"]["schemas"][answer["$ref"].rsplit("/", 1)[1]]
    fields = {"datasets", "activations", "losses", "optimizers", "inits", "features", "presets", "config", "limits"}
    assert set(catalog["properties"]) == set(catalog["required"]) == fields
    validator = jsonschema_rs.validator_for({"components": schema["components"], **answer})
    r = client.get("/api/catalog")
    served = r.json()
    assert set(served) == fields
    # the text as FastAPI made it of the route's dict before the answer had a model (compact, UTF-8)
    assert r.content == json.dumps(served, ensure_ascii=False, separators=(",", ":")).encode()
    assert validator.is_valid(served), [str(e) for e in validator.iter_errors(served)][:3]
    # and the schema says something: a field too many, or one missing, anywhere in it is not the catalog
    learning_rate = next(p for p in served["config"] if p["name"] == "learning_rate")
    assert learning_rate["exclusive_minimum"] is True and learning_rate["minimum"] == 0
    for change in (lambda c: c["config"][0].pop("exclusive_minimum"), lambda c: c["limits"].update(rows=[1, 2]),
                   lambda c: c["datasets"][0].update(inputs="two"), lambda c: c["presets"][0]["setup"].pop("seed"),
                   lambda c: c["features"][0].update(extra=True)):
        changed = client.get("/api/catalog").json()
        change(changed)
        assert not validator.is_valid(changed)
