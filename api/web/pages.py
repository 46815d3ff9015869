"""Sign-in, sign-out and the front door, which sends each role to its own start page."""
from __future__ import annotations

from fastapi import APIRouter, Request

from api.web.common import COOKIE, WebRoute, check_csrf, principal_or_none, redirect, render, service_of
from matcher.counsellor import access
from matcher.errors import Unauthorized

router = APIRouter(route_class=WebRoute, include_in_schema=False)


def _start(principal) -> str:
    return "/my" if principal.role == "seeker" else "/workbench/caseload"


def _safe_next(target: str | None) -> str | None:
    """Only a path on this site (never //host or a full URL) may follow the login."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None


@router.get("/")
def front(request: Request):
    principal = principal_or_none(request)
    return redirect(_start(principal) if principal else "/login")


@router.get("/login")
def login_form(request: Request, next: str | None = None):
    return render(request, "login.html", {"next": _safe_next(next) or ""})


@router.post("/login")
async def login(request: Request):
    form = await request.form()
    token = str(form.get("token") or "").strip()
    target = _safe_next(str(form.get("next") or ""))
    service = service_of(request)
    try:
        with service.db.session() as session:
            principal = access.authenticate(session, token, ttl_days=service.settings.token_ttl_days)
    except Unauthorized:
        message = "请输入令牌" if not token else "令牌无效或已被吊销，请向管理员重新申请"
        return render(request, "login.html", {"next": target or "", "errors": {"token": message}}, status_code=401)
    response = redirect(target or _start(principal))
    secure = request.url.scheme == "https"
    response.set_cookie(COOKIE, token, httponly=True, samesite="strict", secure=secure, path="/", max_age=12 * 3600)
    return response


@router.post("/logout")
async def logout(request: Request):
    form = await request.form()
    if principal_or_none(request) is not None:
        check_csrf(request, form)
    response = redirect("/login")
    response.delete_cookie(COOKIE, path="/")
    return response
