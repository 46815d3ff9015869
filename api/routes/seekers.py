from typing import Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from api.auth import CurrentUser, RequireCounsellor
from api.deps import Desk, Service
from api.schemas import MatchResponse, SeekerCreate, SeekerUpdate
from matcher.service import MatchFilters

router = APIRouter(prefix="/seekers", tags=["求职者"])
SeekerId = Path(ge=1, description="求职者编号")


class ServiceCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"service_code": "job_referral", "posting_id": 1}, {"service_code": "职业指导"},
        {"service_code": "job_referral", "posting_id": 1, "outcome": "hired"},
    ]})

    service_code: str = Field(min_length=1, max_length=32, description="服务类型代码或中文名：职业指导、岗位推荐、招聘会陪同、培训推荐、心理疏导、模拟面试、创业指导")
    posting_id: int | None = Field(default=None, ge=1, description="相关岗位（岗位推荐、结果记录时填写）")
    outcome: Literal["applied", "interviewed", "hired"] | None = Field(default=None, description="结果：已投递 / 已面试 / 已录用")


@router.post("", status_code=201, summary="登记求职者（需本人同意；本站就业援助员、管理员，或尚未登记的求职者本人）")
def create_seeker(body: SeekerCreate, desk: Desk, principal: CurrentUser) -> dict:
    return desk.create_seeker(principal, body)


@router.get("/{seeker_id}", summary="查看完整求职信息（本人；本站就业援助员或管理员须填写理由 reason，并记入访问记录）")
def get_seeker(desk: Desk, principal: CurrentUser, seeker_id: int = SeekerId,
               reason: str | None = Query(None, max_length=200, description="查看理由，如：岗位推荐、职业指导、回访（工作人员必填）")) -> dict:
    return desk.read_seeker(principal, seeker_id, reason)


@router.patch("/{seeker_id}", summary="修改求职者信息（本人、本站就业援助员或管理员）")
def update_seeker(body: SeekerUpdate, desk: Desk, principal: CurrentUser, seeker_id: int = SeekerId) -> dict:
    return desk.update_seeker(principal, seeker_id, body.model_dump(exclude_unset=True))


@router.delete("/{seeker_id}", summary="删除求职者的个人信息（本人、本站就业援助员或管理员；服务台账只保留假名）")
def delete_seeker(desk: Desk, principal: CurrentUser, seeker_id: int = SeekerId) -> dict:
    return desk.delete_seeker(principal, seeker_id)


@router.get("/{seeker_id}/export", summary="导出本人的全部个人信息（JSON；本人或管理员）")
def export_seeker(desk: Desk, principal: CurrentUser, seeker_id: int = SeekerId) -> dict:
    return desk.export(principal, seeker_id)


@router.get("/{seeker_id}/access-log", summary="谁在何时因何查看过我的信息（本人或管理员）")
def access_log(desk: Desk, principal: CurrentUser, seeker_id: int = SeekerId) -> dict:
    return {"seeker_id": seeker_id, "entries": desk.access_log(principal, seeker_id)}


@router.post("/{seeker_id}/services", status_code=201,
             summary="记录一次就业服务或其结果，同时写入防篡改服务台账（本站就业援助员或管理员）")
def record_service(body: ServiceCreate, desk: Desk, principal: RequireCounsellor, seeker_id: int = SeekerId) -> dict:
    return desk.record_service(principal, seeker_id, body.service_code, body.posting_id, body.outcome)


@router.get("/{seeker_id}/services", summary="求职者接受过的服务（本人、本站就业援助员或管理员）")
def list_services(desk: Desk, principal: CurrentUser, seeker_id: int = SeekerId) -> dict:
    return {"seeker_id": seeker_id, "services": desk.services(principal, seeker_id)}


@router.get("/{seeker_id}/matches", response_model=MatchResponse, summary="为求职者推荐岗位（本人、本站就业援助员或管理员）")
def seeker_matches(
    service: Service,
    desk: Desk,
    principal: CurrentUser,
    seeker_id: int = SeekerId,
    k: int = Query(10, ge=1, le=100, description="返回条数"),
    max_commute_minutes: float | None = Query(None, ge=5, le=180, description="最长通勤分钟数，默认取求职者登记值"),
    min_salary: float | None = Query(None, ge=0, le=200000, description="最低月薪（元）"),
    accessible_only: bool = Query(False, description="只看适合残疾人的岗位"),
) -> dict:
    desk.check_seeker(principal, seeker_id)
    filters = MatchFilters(max_commute_minutes, min_salary, accessible_only)
    return service.match_seeker(seeker_id, k, filters)
