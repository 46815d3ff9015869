"""Verification of the tamper-evident service record."""
from fastapi import APIRouter

from api.auth import RequireAdmin
from api.deps import Desk

router = APIRouter(prefix="/ledger", tags=["服务台账"])


@router.get("/verify", summary="校验防篡改服务台账：哈希链与签名检查点（管理员）")
def verify(desk: Desk, principal: RequireAdmin) -> dict:
    return desk.verify_ledger()
