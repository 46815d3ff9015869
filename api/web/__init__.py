"""The station's workbench: Chinese pages served at `/` by the same app as the API (see issue 13).

Pages are rendered on the server (Jinja2) and need no script; everything they load comes from
`/static` on the same host. `install(app)` mounts the static files and includes the page routes.
"""
from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

STATIC_DIR = Path(__file__).resolve().parents[1] / "static"


#: Nothing may load from another host, even a logo a vendored script asks for (ReDoc's footer does).
CONTENT_SECURITY_POLICY = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
                           "script-src 'self' 'unsafe-inline'; worker-src 'self' blob:; connect-src 'self'; "
                           "font-src 'self' data:; frame-ancestors 'self'; form-action 'self'; base-uri 'self'")


def install(app: FastAPI) -> None:
    from api.web import activities, counsellor, imports, pages, seeker

    @app.middleware("http")
    async def same_host_only(request, call_next):
        response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response

    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")
    for module in (pages, counsellor, imports, seeker, activities):
        app.include_router(module.router)
