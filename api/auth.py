"""Authentication dependencies: `Authorization: Bearer <token>` -> `Principal`.

`CurrentUser` accepts any valid token; `RequireCounsellor` accepts counsellors and admins;
`RequireAdmin` admins only. Failures become 401/403 with a Chinese message and nothing else.
With `settings.auth_required = false` (single-machine trial only) a request without a token acts
as a local admin; a token that is sent is still checked.
"""
from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.deps import Service
from matcher.counsellor import access
from matcher.counsellor.access import LOCAL_ADMIN, Principal

_bearer = HTTPBearer(auto_error=False, description="jobcircle users add 发放的令牌")


def current_user(service: Service,
                 credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> Principal:
    token = credentials.credentials if credentials is not None else None
    if not token and not service.settings.auth_required:
        return LOCAL_ADMIN
    with service.db.session() as session:
        return access.authenticate(session, token)


CurrentUser = Annotated[Principal, Depends(current_user)]


def require_counsellor(principal: CurrentUser) -> Principal:
    access.require_staff(principal)
    return principal


def require_admin(principal: CurrentUser) -> Principal:
    access.require_admin(principal)
    return principal


RequireCounsellor = Annotated[Principal, Depends(require_counsellor)]
RequireAdmin = Annotated[Principal, Depends(require_admin)]
