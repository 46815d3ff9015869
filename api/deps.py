"""Typed dependency aliases. Heavy objects (service, desk, interviews) are built once in the lifespan;
a request only picks them up from `app.state`."""
from __future__ import annotations

from typing import Annotated

from anyio import CapacityLimiter
from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.tokens import TokenCache
from matcher.counsellor import access
from matcher.counsellor.access import LOCAL_ADMIN, Principal
from matcher.counsellor.desk import CounsellorDesk
from matcher.errors import NotReady
from matcher.interview.service import InterviewService
from matcher.service import JobCircle
from matcher.settings import Settings

_bearer = HTTPBearer(auto_error=False, description="jobcircle users add 发放的令牌")


# The dependencies below only read `app.state` (and the token cache): `async def`, so FastAPI calls
# them on the event loop instead of handing each to the thread pool (a thread hop per dependency
# per request). Anything that may wait on the database goes to the thread pool explicitly.

async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_service(request: Request) -> JobCircle:
    service: JobCircle | None = getattr(request.app.state, "service", None)
    if service is None or not service.ready:
        raise NotReady("服务正在启动（模型或索引尚未加载），请稍后再试")
    return service


def desk_of(request: Request) -> CounsellorDesk:
    desk: CounsellorDesk | None = getattr(request.app.state, "desk", None)
    if desk is None:
        raise NotReady("就业援助员功能正在启动，请稍后再试")
    return desk


async def get_desk(request: Request, _service: Annotated[JobCircle, Depends(get_service)]) -> CounsellorDesk:
    return desk_of(request)


async def get_interviews(request: Request, _service: Annotated[JobCircle, Depends(get_service)]) -> InterviewService:
    interviews: InterviewService | None = getattr(request.app.state, "interviews", None)
    if interviews is None:
        raise NotReady("模拟面试功能正在启动，请稍后再试")
    return interviews


async def get_match_slots(request: Request) -> CapacityLimiter:
    """The worker's slots for ranking jobs (`Settings.match_concurrency`, default 1). Ranking is CPU-bound
    Python and numpy: two requests ranked at once in one process only take turns at the interpreter
    lock, with its switching on top (two workers at 100k served about 13% more with one slot each
    than with the thread pool's 40: `docs/performance.md`). Waiting requests wait on the event loop."""
    slots = getattr(request.app.state, "match_slots", None)
    if slots is None:  # made on the event loop, on first use (no await between the check and the set)
        slots = request.app.state.match_slots = CapacityLimiter(request.app.state.settings.match_concurrency)
    return slots


SettingsDep = Annotated[Settings, Depends(get_settings)]
MatchSlotsDep = Annotated[CapacityLimiter, Depends(get_match_slots)]
ServiceDep = Annotated[JobCircle, Depends(get_service)]
MatcherDep = ServiceDep
DeskDep = Annotated[CounsellorDesk, Depends(get_desk)]
InterviewsDep = Annotated[InterviewService, Depends(get_interviews)]


async def current_user(request: Request, service: ServiceDep,
                       credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> Principal:
    """`Authorization: Bearer <token>` -> Principal. Without a token and with `auth_required=false`
    (single-machine trial only) the caller acts as a local admin; a token that is sent is still checked
    (through the per-process `TokenCache`: see api/tokens.py for how soon a revocation holds). A token
    in the cache is answered on the event loop; a database check runs in the thread pool."""
    token = credentials.credentials if credentials is not None else None
    if not token and not service.settings.auth_required:
        return LOCAL_ADMIN
    if not token:
        return await run_in_threadpool(_authenticate, service, token)  # raises the Chinese "please sign in"
    cache: TokenCache | None = getattr(request.app.state, "token_cache", None)
    if cache is None:
        cache = request.app.state.token_cache = TokenCache(service.settings.token_cache_s,
                                                           data_dir=service.settings.data_dir)
    principal = cache.peek(token)
    if principal is not None:
        return principal
    return await run_in_threadpool(cache.principal, service.db.session, token,
                                   ttl_days=service.settings.token_ttl_days)


def _authenticate(service: JobCircle, token: str | None) -> Principal:
    with service.db.session() as session:
        return access.authenticate(session, token)


CurrentUser = Annotated[Principal, Depends(current_user)]


async def require_counsellor(principal: CurrentUser) -> Principal:
    access.require_staff(principal)
    return principal


async def require_admin(principal: CurrentUser) -> Principal:
    access.require_admin(principal)
    return principal


RequireCounsellor = Annotated[Principal, Depends(require_counsellor)]
RequireAdmin = Annotated[Principal, Depends(require_admin)]
