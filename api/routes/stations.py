"""A station's caseload and shortlist exposure."""
from fastapi import APIRouter, Query

from api.deps import DeskDep, RequireCounsellor
from api.schemas.common import AUTH, NOT_FOUND, StationIdPath
from api.schemas.counsellors import CaseloadPublic, ExposurePublic

router = APIRouter(prefix="/stations", tags=["就业援助员"])


@router.get("/{station_id}/caseload", response_model=CaseloadPublic, responses=AUTH | NOT_FOUND,
            summary="本站需优先跟进的求职者：长期失业、久未服务、有新的合适岗位、面试练习需辅导，按紧迫度排序并分页（本站就业援助员或管理员）")
def caseload(desk: DeskDep, principal: RequireCounsellor, station_id: StationIdPath,
             page: int = Query(1, ge=1, le=1_000_000, description="页码，从 1 开始"),
             size: int = Query(20, ge=1, le=100, description="每页条数")):
    return desk.caseload(principal, station_id, page, size)


@router.get("/{station_id}/exposure", response_model=ExposurePublic, responses=AUTH | NOT_FOUND,
            summary="近30天本站求职者被列入候选名单的次数，用于避免总是推荐同几个人（本站就业援助员或管理员）")
def exposure(desk: DeskDep, principal: RequireCounsellor, station_id: StationIdPath):
    return desk.exposure(principal, station_id)
