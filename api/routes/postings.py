from fastapi import APIRouter, Path

from api.auth import RequireCounsellor
from api.deps import Service
from api.schemas import PostingCreate, PostingUpdate
from matcher.counsellor.access import Principal, can_access_station

router = APIRouter(prefix="/postings", tags=["岗位"])
PostingId = Path(ge=1, description="岗位编号")


def _check_posting_station(service, principal: Principal, posting_id: int) -> None:
    station_id = service.get_posting(posting_id)["station_id"]  # 404 for an unknown posting
    if station_id is not None:
        can_access_station(principal, station_id)


@router.post("", status_code=201, summary="发布岗位（就业援助员或管理员；指定站点时须为本人所属站点）")
def create_posting(body: PostingCreate, service: Service, principal: RequireCounsellor) -> dict:
    if body.station_id is not None:
        can_access_station(principal, body.station_id)
    return service.create_posting(body)


@router.get("/{posting_id}", summary="查看岗位（公开，无需登录）")
def get_posting(service: Service, posting_id: int = PostingId) -> dict:
    return service.get_posting(posting_id)


@router.patch("/{posting_id}", summary="修改岗位（所属站点的就业援助员或管理员）")
def update_posting(body: PostingUpdate, service: Service, principal: RequireCounsellor, posting_id: int = PostingId) -> dict:
    _check_posting_station(service, principal, posting_id)
    changes = body.model_dump(exclude_unset=True)
    if changes.get("station_id") is not None:
        can_access_station(principal, changes["station_id"])
    return service.update_posting(posting_id, changes)


@router.post("/{posting_id}/close", summary="关闭岗位：立即不再出现在匹配结果中（所属站点的就业援助员或管理员）")
def close_posting(service: Service, principal: RequireCounsellor, posting_id: int = PostingId) -> dict:
    _check_posting_station(service, principal, posting_id)
    return service.close_posting(posting_id)


@router.post("/{posting_id}/reopen", summary="重新开放岗位（所属站点的就业援助员或管理员）")
def reopen_posting(service: Service, principal: RequireCounsellor, posting_id: int = PostingId) -> dict:
    _check_posting_station(service, principal, posting_id)
    return service.set_posting_status(posting_id, "open")
