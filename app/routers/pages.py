"""The pages: ``/`` (the playground), ``/watch/{watch_id}``, ``/docs`` (the API
reference), static files, plotly.js."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import plotly
from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.responses import Response
from starlette.types import Scope

from .. import __version__


def _asset_dir(name: str) -> Path:
    """``static/`` or ``templates/``: beside the source tree when run from a
    checkout, else from the installed package data."""
    checkout = Path(__file__).resolve().parents[2]
    if (checkout / "pyproject.toml").is_file() and (checkout / name).is_dir():
        return checkout / name
    spec = importlib.util.find_spec(f"chainrule_{name}")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"chainrule's {name}/ folder is missing: reinstall chainrule")
    return Path(list(spec.submodule_search_locations)[0])


STATIC_DIR = _asset_dir("static")
TEMPLATES_DIR = _asset_dir("templates")
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"

templates = Jinja2Templates(directory=str(TEMPLATES_DIR))


class StaticAssets(StaticFiles):
    """``static/`` with ``Cache-Control: no-cache``: the page's ES modules
    import each other without version tags, so the browser must revalidate
    them (a cheap 304) or it could mix old and new modules after an upgrade."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        response.headers.setdefault("Cache-Control", "no-cache")
        return response

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
async def index(request: Request) -> HTMLResponse:
    return templates.TemplateResponse(request, "index.html", {"watch_id": None, "version": __version__})


@router.get("/watch/{watch_id}", response_class=HTMLResponse)
async def watch(request: Request, watch_id: str) -> HTMLResponse:
    return templates.TemplateResponse(request, "index.html", {"watch_id": watch_id, "version": __version__})


@router.get("/docs", response_class=HTMLResponse)
async def docs(request: Request) -> HTMLResponse:
    """The API reference, drawn in the page from ``/openapi.json`` by
    ``static/js/docs.js``: FastAPI's Swagger UI loads from a CDN, so it is
    blank offline; this page needs nothing but this server."""
    return templates.TemplateResponse(request, "docs.html", {"version": __version__})


@router.get("/vendor/plotly.min.js")
async def plotly_js() -> FileResponse:
    return FileResponse(PLOTLY_JS, media_type="text/javascript", headers={"Cache-Control": "public, max-age=86400"})
