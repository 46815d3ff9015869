"""The station's workbench: Chinese pages served at `/` by the same app as the API (see issue 13).

Pages are rendered on the server (Jinja2) and need no script; everything they load comes from
`/static` on the same host. `install(app)` mounts the static files and includes the page routes.
"""
from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

STATIC_DIR = Path(__file__).resolve().parents[1] / "static"


def install(app: FastAPI) -> None:
    from api.web import counsellor, imports, pages, seeker

    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")
    for module in (pages, counsellor, imports, seeker):
        app.include_router(module.router)
