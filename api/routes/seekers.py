import functools

from anyio import to_thread
from fastapi import APIRouter, Query

from api.deps import CurrentUser, DeskDep, MatchSlotsDep, RequireCounsellor, ServiceDep
from api.schemas.common import AUTH, CONFLICT, NOT_FOUND, SeekerIdPath, Text
from api.schemas.matching import MatchResponse
from api.schemas.seekers import (AccessLogPublic, SeekerCreate, SeekerDeletedPublic, SeekerExportPublic, SeekerPublic,
                                 SeekerUpdate, ServiceCreate, ServicePublic, ServicesPublic)
from matcher.counsellor import access
from matcher.errors import Conflict
from matcher.inputs import SeekerInput
from matcher.service import MatchFilters

router = APIRouter(prefix="/seekers", tags=["求职者"])
SEEKER = AUTH | NOT_FOUND


@router.post("", status_code=201, response_model=SeekerPublic, responses=AUTH | CONFLICT,
             summary="登记求职者（需本人同意；本站就业援助员、管理员，或尚未登记的求职者本人）")
def create_seeker(body: SeekerCreate, desk: DeskDep, principal: CurrentUser):
    return desk.create_seeker(principal, SeekerInput.model_validate(body.model_dump(exclude_unset=True)))


@router.get("/{seeker_id}", response_model=SeekerPublic, responses=SEEKER,
            summary="查看完整求职信息（本人；本站就业援助员或管理员须填写理由 reason，并记入访问记录）")
def get_seeker(desk: DeskDep, principal: CurrentUser, seeker_id: SeekerIdPath,
               reason: Text | None = Query(None, max_length=200,
                                           description="查看理由，如：岗位推荐、职业指导、回访（工作人员必填）")):
    return desk.read_seeker(principal, seeker_id, reason)


@router.patch("/{seeker_id}", response_model=SeekerPublic, responses=SEEKER | CONFLICT,
              summary="修改求职者信息（本人、本站就业援助员或管理员）；consent=false 撤回同意，sensitive_consent=false 撤回敏感信息同意，均记入访问记录")
def update_seeker(body: SeekerUpdate, desk: DeskDep, principal: CurrentUser, seeker_id: SeekerIdPath):
    return desk.update_seeker(principal, seeker_id, body.model_dump(exclude_unset=True))


@router.delete("/{seeker_id}", response_model=SeekerDeletedPublic, responses=SEEKER,
               summary="删除求职者的个人信息（本人、本站就业援助员或管理员；服务台账只保留假名）")
def delete_seeker(desk: DeskDep, principal: CurrentUser, seeker_id: SeekerIdPath):
    return desk.delete_seeker(principal, seeker_id)


@router.get("/{seeker_id}/export", response_model=SeekerExportPublic, responses=SEEKER,
            summary="导出本人的全部个人信息（JSON；本人或管理员）")
def export_seeker(desk: DeskDep, principal: CurrentUser, seeker_id: SeekerIdPath):
    return desk.export(principal, seeker_id)


@router.get("/{seeker_id}/access-log", response_model=AccessLogPublic, responses=SEEKER,
            summary="谁在何时因何查看过我的信息（本人或管理员）")
def access_log(desk: DeskDep, principal: CurrentUser, seeker_id: SeekerIdPath):
    return {"seeker_id": seeker_id, "entries": desk.access_log(principal, seeker_id)}


@router.post("/{seeker_id}/services", status_code=201, response_model=ServicePublic, responses=SEEKER,
             summary="记录一次就业服务或其结果，同时写入防篡改服务台账（本站就业援助员或管理员）")
def record_service(body: ServiceCreate, desk: DeskDep, principal: RequireCounsellor, seeker_id: SeekerIdPath):
    return desk.record_service(principal, seeker_id, body.service_code, body.posting_id, body.outcome)


@router.get("/{seeker_id}/services", response_model=ServicesPublic, responses=SEEKER,
            summary="求职者接受过的服务（本人、本站就业援助员或管理员）")
def list_services(desk: DeskDep, principal: CurrentUser, seeker_id: SeekerIdPath):
    return {"seeker_id": seeker_id, "services": desk.services(principal, seeker_id)}


@router.get("/{seeker_id}/matches", response_model=MatchResponse, responses=SEEKER | CONFLICT,
            summary="为求职者推荐岗位（本人、本站就业援助员或管理员）")
async def seeker_matches(
    service: ServiceDep,
    principal: CurrentUser,
    slots: MatchSlotsDep,
    seeker_id: SeekerIdPath,
    k: int = Query(10, ge=1, le=100, description="返回条数"),
    max_commute_minutes: float | None = Query(None, ge=5, le=180, description="最长通勤分钟数，默认取求职者登记值"),
    min_salary: float | None = Query(None, ge=0, le=200000, description="最低月薪（元）"),
    accessible_only: bool = Query(False, description="只看适合残疾人的岗位"),
):
    def allow(row) -> None:  # the one row the ranking reads also answers who may see it
        access.can_read_seeker(principal, row, seeker_id)
        if row.consent_withdrawn_at is not None:
            raise Conflict("该求职者已撤回个人信息处理同意，暂停岗位推荐；重新同意（consent=true）后恢复")

    filters = MatchFilters(max_commute_minutes, min_salary, accessible_only)
    # The ranking runs in a worker thread, at most `match_concurrency` at once per process; the answer
    # is checked against MatchResponse back on the event loop (a sync route would hand that check to the
    # pool as a second thread hop).
    rank = functools.partial(service.match_seeker, seeker_id, k, filters, allow=allow)
    return await to_thread.run_sync(rank, limiter=slots)
