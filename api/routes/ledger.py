"""Verification of the tamper-evident service record."""
from fastapi import APIRouter

from api.deps import DeskDep, RequireAdmin
from api.schemas.common import AUTH
from api.schemas.counsellors import LedgerVerifyPublic

router = APIRouter(prefix="/ledger", tags=["服务台账"])


@router.get("/verify", response_model=LedgerVerifyPublic, responses=AUTH,
            summary="校验防篡改服务台账：哈希链与签名检查点（管理员）")
def verify(desk: DeskDep, principal: RequireAdmin):
    return desk.verify_ledger()
