"""Tokens, seen and revoked by an admin (the tokens themselves are never stored or shown)."""
from fastapi import APIRouter

from api.deps import RequireAdmin, ServiceDep
from api.schemas.common import AUTH, NOT_FOUND, TokenIdPath
from api.schemas.counsellors import TokenListPublic, TokenPublic
from matcher.counsellor import access

router = APIRouter(prefix="/admin", tags=["管理"])


@router.get("/tokens", response_model=TokenListPublic, responses=AUTH,
            summary="所有已发放的令牌：所属用户、发放时间、到期时间、是否已吊销（管理员；不显示令牌本身）")
def list_tokens(service: ServiceDep, principal: RequireAdmin):
    ttl = service.settings.token_ttl_days
    with service.db.session() as session:
        return {"ttl_days": ttl, "tokens": access.list_tokens(session, ttl_days=ttl)}


@router.post("/tokens/{token_id}/revoke", response_model=TokenPublic, responses=AUTH | NOT_FOUND,
             summary="吊销一个令牌：立即失效（管理员）")
def revoke_token(service: ServiceDep, principal: RequireAdmin, token_id: TokenIdPath):
    with service.db.session() as session, session.begin():
        return access.revoke_token_id(session, token_id, ttl_days=service.settings.token_ttl_days)
