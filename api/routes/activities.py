"""Trainings (培训) and events (活动): lists, nearby, imports, registrations, subsidy check,
training recommendations and 招聘会 shortlists. Thin: parse -> one matcher call -> a response model."""
from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Path, Query, UploadFile
from pydantic import BaseModel, ConfigDict, Field

from api.deps import CurrentUser, RequireCounsellor
from api.schemas.imports import TableImportReport
from api.schemas.activities import EventPublic, Origin, TrainingPublic
from api.schemas.common import AUTH, CONFLICT, MAX_ID, NOT_FOUND
from api.deps import DeskDep as Desk
from api.deps import ServiceDep as Service
from matcher.activities import events as events_mod
from matcher.activities import fair, recommend, registrations, subsidy, trainings
from matcher.activities.importers import import_activities
from matcher.activities.nearby import nearby_activities
from matcher.counsellor import access
from matcher.errors import InvalidInput

router = APIRouter(prefix="/activities", tags=["培训与活动"], responses=AUTH | NOT_FOUND | CONFLICT)
MAX_UPLOAD = 5 * 1024 * 1024
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
ActivityId = Path(ge=1, le=MAX_ID, description="培训或活动编号")
SeekerId = Path(ge=1, le=MAX_ID, description="求职者编号")


# ------------------------------------------------------------------ response models
class NearbyActivities(BaseModel):
    origin: Origin
    radius_km: float
    now: str
    trainings: list[TrainingPublic]
    events: list[EventPublic]


ActivityImportReport = TableImportReport  # trainings and events report like postings (no duplicates check)


class RegistrationPublic(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: int
    seeker_id: int
    activity_kind: Literal["training", "event"]
    activity_id: int
    activity_title: str | None = None
    status: str
    status_name: str
    by_counsellor: bool
    service_record_id: int | None = None
    ledger_seq: int | None = None
    created_at: str | None = None
    cancelled_at: str | None = None
    service: dict[str, Any] | None = None
    name: str | None = None
    phone_masked: str | None = None


class SubsidyAnswer(BaseModel):
    seeker_id: int
    training_id: int | None = None
    verdict: Literal["likely_eligible", "not_eligible", "needs_check"]
    verdict_name: str
    reasons_met: list[str]
    reasons_failed: list[str]
    to_check: list[str]
    published_eligibility: str | None = None
    rules_version: str
    illustrative: bool
    source: str
    note: str


class Recommendation(BaseModel):
    certificate: str
    postings_opened: int
    posting_ids: list[int]
    message: str
    why: list[str]
    training: TrainingPublic
    alternatives: list[TrainingPublic]
    declinable: bool


class Recommendations(BaseModel):
    seeker_id: int
    recommendations: list[Recommendation]
    declined: list[dict[str, Any]]
    no_training_nearby: list[dict[str, Any]]
    note: str
    origin_note: str | None = None


class DeclineCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"certificate": "保安员证", "training_id": 1, "reason": "本人暂不考虑保安工作"}]})

    certificate: str = Field(min_length=1, max_length=100, description="不需要的证书，如 保安员证")
    training_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    reason: str = Field(default="", max_length=200)


class DeclinePublic(BaseModel):
    id: int
    seeker_id: int
    certificate: str
    training_id: int | None = None
    reason: str
    at: str | None = None
    message: str


class RecommendRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"blocked": {"保安员证": [12, 15, 31]}}]})

    blocked: dict[Annotated[str, Field(min_length=1, max_length=100)], list[Id]] | None = Field(
        default=None, description="因缺少证书而未能匹配的岗位：证书 -> 岗位编号；不填则按岗位要求与简历自动找出")


class FairCandidate(BaseModel):
    model_config = ConfigDict(extra="ignore")

    rank: int
    seeker_id: int
    name: str | None = None
    phone_masked: str | None = None
    station_id: int | None = None
    best_rank_score: float
    good_fits: int
    why: str
    invited: bool
    postings: list[dict[str, Any]]


class FairShortlist(BaseModel):
    event_id: int
    title: str
    registration_open: bool
    state: str
    station_id: int | None = None
    postings: int
    candidates: list[FairCandidate]
    note: str


class InviteRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"seeker_ids": [3, 8]}]})

    seeker_ids: list[Id] = Field(min_length=1, max_length=200)


class InviteResult(BaseModel):
    event_id: int
    invited: list[RegistrationPublic]
    failed: list[dict[str, Any]]
    message: str


class RegisterRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"seeker_id": 3}]})

    seeker_id: int | None = Field(default=None, ge=1, le=MAX_ID, description="求职者本人报名时可不填")


# ------------------------------------------------------------------ routes
@router.get("/nearby", response_model=NearbyActivities, deprecated=True,
            summary="（已弃用，请用 GET /nearby?kinds=trainings,events）附近的培训与即将举办的活动（任何人）",
            description="已弃用：与 `GET /nearby?kinds=trainings,events` 为同一查询（同一段代码），保留供旧客户端使用。"
                        "已结束的活动不显示，报名已截止的培训标明不可报名。")
def nearby(service: Service,
           lat: float | None = Query(None, ge=30.6, le=31.9, description="纬度（WGS-84）"),
           lon: float | None = Query(None, ge=120.8, le=122.2, description="经度（WGS-84）"),
           street: str | None = Query(None, max_length=40, description="街道名称，如 曲阳路街道"),
           address: str | None = Query(None, max_length=200, description="地址"),
           radius_km: float = Query(5.0, gt=0, le=50, description="半径（公里）"),
           limit: int = Query(20, ge=1, le=100)) -> dict:
    return nearby_activities(service, lat=lat, lon=lon, street=street, address=address, radius_km=radius_km, limit=limit)


@router.get("/trainings", response_model=list[TrainingPublic], summary="培训列表（任何人）；可按站点、证书筛选")
def list_trainings(service: Service, station_id: int | None = Query(None, ge=1, le=MAX_ID),
                   certificate: str | None = Query(None, max_length=100, description="证书，如 保安员证"),
                   include_closed: bool = Query(False, description="是否包含已结束、已取消的培训")) -> list[dict]:
    return trainings.list_trainings(service, station_ids=[station_id] if station_id else None, certificate=certificate,
                                    include_closed=include_closed)


@router.get("/trainings/{activity_id}", response_model=TrainingPublic, summary="一个培训（任何人）")
def get_training(service: Service, activity_id: int = ActivityId) -> dict:
    return trainings.get_training(service, activity_id)


@router.get("/events", response_model=list[EventPublic], summary="即将举办的活动（任何人）；可按站点、类型筛选")
def list_events(service: Service, station_id: int | None = Query(None, ge=1, le=MAX_ID),
                kind: str | None = Query(None, max_length=20, description="如 招聘会、宣讲会、政策咨询、创业活动、陪跑计划"),
                include_past: bool = Query(False, description="是否包含已结束的活动")) -> list[dict]:
    return events_mod.list_events(service, station_ids=[station_id] if station_id else None, kind=kind,
                                  include_past=include_past)


@router.get("/events/{activity_id}", response_model=EventPublic, summary="一个活动（任何人）")
def get_event(service: Service, activity_id: int = ActivityId) -> dict:
    return events_mod.get_event(service, activity_id)


@router.post("/imports/{kind}", response_model=ActivityImportReport,
             summary="从 CSV/XLSX 导入本站的培训（trainings）或活动（events）；默认任一行有误则全部不导入（就业援助员或管理员）")
async def import_table(kind: Literal["trainings", "events"], service: Service, principal: RequireCounsellor,
                       file: UploadFile = File(..., description="CSV（UTF-8 或 GBK）或 XLSX"),
                       station_id: int | None = Query(None, ge=1, le=MAX_ID, description="导入到哪个站点；只属于一个站点的援助员可不填"),
                       allow_partial: bool = Query(False, description="为 true 时只导入通过校验的行")) -> dict:
    station_id = _station(principal, station_id)
    raw = await file.read(MAX_UPLOAD + 1)
    if len(raw) > MAX_UPLOAD:
        raise InvalidInput("文件过大：上限 5 MB，请拆分后导入", field="file")
    return import_activities(service, kind, raw, station_id=station_id, filename=file.filename,
                             allow_partial=allow_partial).to_dict()


def _station(principal, station_id: int | None) -> int:
    if station_id is None:
        if len(principal.station_ids) != 1:
            raise InvalidInput("请用 station_id 指定导入到哪个服务站点", field="station_id")
        station_id = next(iter(principal.station_ids))
    access.can_access_station(principal, station_id)
    return station_id


@router.get("/seekers/{seeker_id}/registrations", response_model=list[RegistrationPublic],
            summary="求职者的报名记录（本人或其站点的就业援助员）")
def seeker_registrations(service: Service, principal: CurrentUser, seeker_id: int = SeekerId) -> list[dict]:
    return registrations.registrations_of_seeker(service, principal, seeker_id)


def _register(kind: str, body: RegisterRequest, service, desk, principal, activity_id: int) -> dict:
    seeker_id = body.seeker_id or principal.seeker_id
    if seeker_id is None:
        raise InvalidInput("请填写求职者编号 seeker_id", field="seeker_id")
    return registrations.register(service, principal, kind, activity_id, seeker_id, desk=desk)


REGISTER_SUMMARY = "：求职者本人，或就业援助员为本站求职者报名；名额有限时先到先得，记入服务台账"
LIST_SUMMARY = "的有效报名（就业援助员：本站求职者；管理员：全部），手机号打码"


@router.post("/trainings/{activity_id}/registrations", response_model=RegistrationPublic, status_code=201,
             summary="报名培训" + REGISTER_SUMMARY)
def register_training(body: RegisterRequest, service: Service, desk: Desk, principal: CurrentUser,
                      activity_id: int = ActivityId) -> dict:
    return _register("training", body, service, desk, principal, activity_id)


@router.post("/events/{activity_id}/registrations", response_model=RegistrationPublic, status_code=201,
             summary="报名活动" + REGISTER_SUMMARY)
def register_event(body: RegisterRequest, service: Service, desk: Desk, principal: CurrentUser,
                   activity_id: int = ActivityId) -> dict:
    return _register("event", body, service, desk, principal, activity_id)


@router.get("/trainings/{activity_id}/registrations", response_model=list[RegistrationPublic], summary="培训" + LIST_SUMMARY)
def training_registrations(service: Service, principal: RequireCounsellor, activity_id: int = ActivityId) -> list[dict]:
    return registrations.registrations_of_activity(service, principal, "training", activity_id)


@router.get("/events/{activity_id}/registrations", response_model=list[RegistrationPublic], summary="活动" + LIST_SUMMARY)
def event_registrations(service: Service, principal: RequireCounsellor, activity_id: int = ActivityId) -> list[dict]:
    return registrations.registrations_of_activity(service, principal, "event", activity_id)


@router.delete("/registrations/{registration_id}", response_model=RegistrationPublic,
               summary="取消报名，释放名额（求职者本人或其站点的就业援助员）")
def cancel(service: Service, principal: CurrentUser, registration_id: int = Path(ge=1, le=MAX_ID)) -> dict:
    return registrations.cancel(service, principal, registration_id)


@router.get("/seekers/{seeker_id}/subsidy", response_model=SubsidyAnswer,
            summary="培训补贴资格初判：可能符合 / 不符合 / 需核实，并说明理由；规则为示例，须援助员核实确认（就业援助员或管理员）")
def subsidy_check(service: Service, principal: RequireCounsellor, seeker_id: int = SeekerId,
                  training_id: int | None = Query(None, ge=1, le=MAX_ID, description="培训编号"),
                  age: int | None = Query(None, ge=14, le=100, description="年龄（系统不保存出生日期，由援助员核实后填写）"),
                  registered_unemployed: bool | None = Query(None, description="是否已办理失业登记；不填则按失业时间判断")) -> dict:
    return subsidy.check(service, principal, seeker_id, training_id, age=age, registered_unemployed=registered_unemployed)


@router.post("/seekers/{seeker_id}/training-recommendations", response_model=Recommendations,
             summary="推荐能补上所缺证书的附近培训，并说明能多匹配几个岗位；仅为建议，可拒绝（求职者本人或其站点的就业援助员）")
def training_recommendations(body: RecommendRequest, service: Service, principal: CurrentUser,
                             seeker_id: int = SeekerId,
                             radius_km: float = Query(10.0, gt=0, le=50, description="培训地点半径（公里）")) -> dict:
    return recommend.recommend_trainings(service, principal, seeker_id, body.blocked, radius_km=radius_km)


@router.post("/seekers/{seeker_id}/training-declines", response_model=DeclinePublic, status_code=201,
             summary="记录“不需要这项培训”：该证书的培训不再推荐（求职者本人或其站点的就业援助员）")
def decline(body: DeclineCreate, service: Service, principal: CurrentUser, seeker_id: int = SeekerId) -> dict:
    return recommend.decline(service, principal, seeker_id, body.certificate, training_id=body.training_id, reason=body.reason)


@router.get("/events/{activity_id}/shortlist", response_model=FairShortlist,
            summary="招聘会邀请名单：按参会岗位与本站求职者的匹配程度排序（与岗位候选人名单同一排序方法）（就业援助员或管理员）")
def fair_shortlist(service: Service, desk: Desk, principal: RequireCounsellor, activity_id: int = ActivityId,
                   station_id: int | None = Query(None, ge=1, le=MAX_ID, description="按哪个站点的求职者排序；默认为主办站点（若不是本人所属站点，则为本人所属站点）"),
                   k: int = Query(20, ge=1, le=100)) -> dict:
    return fair.fair_shortlist(service, desk, principal, activity_id, station_id=station_id, k=k)


@router.post("/events/{activity_id}/invitations", response_model=InviteResult, status_code=201,
             summary="邀请求职者参加招聘会：为每人报名并记入服务台账（招聘会报名）（就业援助员或管理员）")
def invite(body: InviteRequest, service: Service, desk: Desk, principal: RequireCounsellor,
           activity_id: int = ActivityId) -> dict:
    return fair.invite(service, desk, principal, activity_id, body.seeker_ids)


class EscortRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"seeker_id": 3}]})

    seeker_id: int = Field(ge=1, le=MAX_ID, description="援助员陪同参加招聘会的求职者")


class EscortResult(BaseModel):
    event_id: int
    title: str
    seeker_id: int
    service: dict[str, Any]
    message: str


@router.post("/events/{activity_id}/escorts", response_model=EscortResult, status_code=201,
             summary="记录陪同招聘会：招聘会开始后，援助员陪同本站求职者参加（记入服务台账：招聘会陪同）；报名本身不算陪同（就业援助员或管理员）")
def escort(body: EscortRequest, service: Service, desk: Desk, principal: RequireCounsellor,
           activity_id: int = ActivityId) -> dict:
    return fair.record_escort(service, desk, principal, activity_id, body.seeker_id)
