"""The station's workbench: Chinese pages served at `/` by the same app as the API (see issue 13).

Pages are rendered on the server (Jinja2) and need no script; everything they load comes from
`/static` on the same host. `install(app)` mounts the static files and includes the page routes.
"""
from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import MutableHeaders

STATIC_DIR = Path(__file__).resolve().parents[1] / "static"


#: Nothing may load from another host, even a logo a vendored script asks for (ReDoc's footer does).
CONTENT_SECURITY_POLICY = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
                           "script-src 'self' 'unsafe-inline'; worker-src 'self' blob:; connect-src 'self'; "
                           "font-src 'self' data:; frame-ancestors 'self'; form-action 'self'; base-uri 'self'")


SAME_HOST_HEADERS = (("Content-Security-Policy", CONTENT_SECURITY_POLICY), ("X-Content-Type-Options", "nosniff"),
                     ("Referrer-Policy", "same-origin"))


class SameHostOnly:
    """ASGI middleware: every HTTP response (pages, the API, errors) carries `SAME_HOST_HEADERS`
    unless the route set its own. A plain ASGI wrapper of `send`: starlette's `@app.middleware("http")`
    would run every request, the matches endpoint included, through a task group and memory streams."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SAME_HOST_HEADERS:
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def install(app: FastAPI) -> None:
    from api.web import activities, counsellor, imports, pages, seeker

    app.add_middleware(SameHostOnly)
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")
    for module in (pages, counsellor, imports, seeker, activities):
        app.include_router(module.router)
