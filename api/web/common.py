"""What every workbench page shares: templates, sign-in by cookie, CSRF, and errors shown as pages.

Sign-in: the login form takes the same token the API uses and keeps it in an HttpOnly, SameSite=Strict
cookie; a request may also send `Authorization: Bearer`. Every form that changes something carries a
CSRF token derived (HMAC) from the signed-in token, so another site cannot post on the user's behalf.
"""
from __future__ import annotations

import hashlib
import hmac
import logging
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates

from matcher.counsellor import access
from matcher.counsellor.access import Principal
from matcher.counsellor.casework import Casework, service_name
from matcher.errors import Forbidden, JobCircleError, NotFound, NotReady, Unauthorized
from matcher.interview.service import InterviewService

log = logging.getLogger("jobcircle.web")
COOKIE = "jc_token"
TEMPLATES = Jinja2Templates(directory=str(Path(__file__).resolve().parents[1] / "templates"))
TEMPLATES.env.filters["service_name"] = service_name
_STATUS = {NotFound: 404, Forbidden: 403, NotReady: 503, Unauthorized: 401}


class LoginRequired(Exception):
    """No valid sign-in: the page sends the browser to the login form."""


def service_of(request: Request):
    service = getattr(request.app.state, "service", None)
    if service is None or not service.ready:
        raise NotReady("服务正在启动（模型或索引尚未加载），请稍后再试")
    return service


def desk_of(request: Request):
    from api.deps import desk_of

    service_of(request)  # the service is ready first
    return desk_of(request)


def casework_of(request: Request) -> Casework:
    desk = desk_of(request)
    work = getattr(request.app.state, "casework", None)
    if work is None or work.desk is not desk:
        work = request.app.state.casework = Casework(desk)
    return work


def interviews_of(request: Request) -> InterviewService:
    if getattr(request.app.state, "interviews", None) is None:
        from matcher.activities.finder import training_finder

        service = service_of(request)
        request.app.state.interviews = InterviewService(service.db, lambda: service.encoder,
                                                        training_finder=training_finder(service.db))
    return request.app.state.interviews


def token_of(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return request.cookies.get(COOKIE) or None


def principal_or_none(request: Request) -> Principal | None:
    token = token_of(request)
    if not token:
        return None
    service = service_of(request)
    try:
        with service.db.session() as session:
            return access.authenticate(session, token, ttl_days=service.settings.token_ttl_days)
    except Unauthorized:
        return None


def signed_in(request: Request) -> Principal:
    principal = principal_or_none(request)
    if principal is None:
        raise LoginRequired()
    request.state.principal = principal
    return principal


def csrf_token(request: Request) -> str:
    token = token_of(request) or ""
    secret = service_of(request).secret or b"jobcircle"
    return hmac.new(secret, b"csrf:" + hashlib.sha256(token.encode()).digest(), hashlib.sha256).hexdigest()


def check_csrf(request: Request, form) -> None:
    sent = str(form.get("csrf") or "")
    if not hmac.compare_digest(sent, csrf_token(request)):
        raise Forbidden("表单已过期或来源不明（CSRF 校验未通过），请刷新页面后重试")


DEFAULT_REASON = "日常跟进服务"  # the stated reason for a counsellor's read when none is given


def staff_of(request: Request) -> Principal:
    """The signed-in counsellor or admin; anyone else gets the 403 page."""
    principal = signed_in(request)
    access.require_staff(principal)
    return principal


async def form_of(request: Request) -> dict[str, Any]:
    """The posted form after its CSRF check, as a plain dict (files kept as UploadFile)."""
    form = await request.form()
    check_csrf(request, form)
    return {key: form.get(key) for key in form.keys()}


def render(request: Request, template: str, context: dict | None = None, status_code: int = 200) -> HTMLResponse:
    principal = getattr(request.state, "principal", None)
    base = {"request": request, "principal": principal, "csrf": csrf_token(request) if principal else "",
            "errors": {}, "values": {}}
    return TEMPLATES.TemplateResponse(request, template, base | (context or {}), status_code=status_code)


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def error_page(request: Request, exc: JobCircleError) -> HTMLResponse:
    status = next((code for kind, code in _STATUS.items() if isinstance(exc, kind)), 422)
    return render(request, "error.html", {"message": exc.message, "status": status}, status_code=status)


class WebRoute(APIRoute):
    """A page route: a missing sign-in goes to the login form; a domain error becomes a Chinese page."""

    def get_route_handler(self):
        handler = super().get_route_handler()

        async def page(request: Request):
            try:
                return await handler(request)
            except LoginRequired:
                target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                return redirect(f"/login?next={quote(target)}")
            except JobCircleError as exc:
                return error_page(request, exc)
            except RequestValidationError as exc:
                fields = "、".join(str(e.get("loc", ["?"])[-1]) for e in exc.errors())
                return render(request, "error.html", {"message": f"地址中的参数有误：{fields}", "status": 422},
                              status_code=422)
            except Exception:
                log.exception("unhandled error on a workbench page")
                return render(request, "error.html", {"message": "服务内部错误，已记录，请稍后重试或联系管理员",
                                                      "status": 500}, status_code=500)

        return page
