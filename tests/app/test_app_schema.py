"""Property-based tests of the whole OpenAPI schema with schemathesis, in-process.

For every operation, generated requests (valid and invalid) must never get a
5xx, never a status code the schema does not document, and every answer must
conform to its declared schema.  Most cases are aimed at a real, freshly
created session (a random id only ever finds a 404).
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis.configuration import set_hypothesis_home_dir
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    allow_header_conformance,
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette: "Using `httpx` with the TestClient is deprecated"
    from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings

# hypothesis keeps its files (example database, constants cache) with the other test
# artifacts, not in a .hypothesis/ folder at the top of the project
set_hypothesis_home_dir(Path(__file__).resolve().parents[1] / "artifacts" / "hypothesis")

APP = create_app(Settings(host="127.0.0.1", port=8000, max_sessions=40, idle_timeout=3600.0, step_time_limit=0.3,
                          max_fps=30.0, sweep_interval=3600.0, db_path=None))
CLIENT = TestClient(APP)  # no lifespan needed: the store lives on the app
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)

# CHAINRULE_SCHEMA_EXAMPLES=500 for a deeper (random) run; the default is a quick, reproducible one.
EXAMPLES = int(os.environ.get("CHAINRULE_SCHEMA_EXAMPLES", "25"))
# an undocumented method gets 405 and an Allow header that names exactly the documented methods of its path
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          unsupported_method, allow_header_conformance]

pytestmark = pytest.mark.timeout(300)


def aim_at_a_real_session(case) -> None:
    """Two cases in three get the id (or watch link) of a session that exists,
    chosen from the generated value so that hypothesis can replay the case."""
    params = case.path_parameters or {}
    for name in ("session_id", "watch_id"):
        if name in params and len(str(params[name])) % 3 != 0:
            created = CLIENT.post("/api/sessions", json={"n_samples": 60, "hidden_layers": [3]}).json()
            CLIENT.post(f"/api/sessions/{created['id']}/step", json={"steps": 2})
            params[name] = created["id"] if name == "session_id" else created["watch_id"]


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck),
          derandomize="CHAINRULE_SCHEMA_EXAMPLES" not in os.environ)
def test_api_conforms_to_its_schema(case):
    aim_at_a_real_session(case)
    case.call_and_validate(checks=CHECKS)


def test_the_schema_documents_every_route():
    paths = CLIENT.get("/openapi.json").json()["paths"]
    expected = {
        "/api/health": {"get"}, "/api/catalog": {"get"}, "/api/sessions": {"post"},
        "/api/sessions/import": {"post"},
        "/api/sessions/{session_id}": {"get", "patch", "delete"},
        "/api/sessions/{session_id}/step": {"post"}, "/api/sessions/{session_id}/reset": {"post"},
        "/api/sessions/{session_id}/trace": {"post"}, "/api/sessions/{session_id}/weights": {"put"},
        "/api/sessions/{session_id}/data": {"get"}, "/api/sessions/{session_id}/history": {"get"},
        "/api/sessions/{session_id}/export": {"get"},
        "/api/watch/{watch_id}": {"get"}, "/api/watch/{watch_id}/history": {"get"},
        "/api/watch/{watch_id}/fork": {"post"},
        "/api/sessions/{session_id}/gradcheck": {"post"}, "/api/sessions/{session_id}/batch": {"get"},
    }
    for path, methods in expected.items():
        assert path in paths, path
        assert methods <= set(paths[path]), path
