"""The page: ``/`` (the playground), ``/watch/{watch_id}``, static files, plotly.js."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import plotly
from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.templating import Jinja2Templates

from .. import __version__


def _asset_dir(name: str) -> Path:
    """``static/`` or ``templates/``: beside the source tree when run from a
    checkout, else from the installed package data."""
    here = Path(__file__).resolve().parents[2] / name
    if here.is_dir():
        return here
    return Path(str(resources.files(f"chainrule_{name}")))


STATIC_DIR = _asset_dir("static")
TEMPLATES_DIR = _asset_dir("templates")
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"

templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
async def index(request: Request) -> HTMLResponse:
    return templates.TemplateResponse(request, "index.html", {"watch_id": None, "version": __version__})


@router.get("/watch/{watch_id}", response_class=HTMLResponse)
async def watch(request: Request, watch_id: str) -> HTMLResponse:
    return templates.TemplateResponse(request, "index.html", {"watch_id": watch_id, "version": __version__})


@router.get("/vendor/plotly.min.js")
async def plotly_js() -> FileResponse:
    return FileResponse(PLOTLY_JS, media_type="text/javascript", headers={"Cache-Control": "public, max-age=86400"})
