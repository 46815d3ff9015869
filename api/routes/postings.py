from fastapi import APIRouter

from api.deps import RequireCounsellor, ServiceDep
from api.schemas.common import AUTH, CONFLICT, NOT_FOUND, PostingIdPath
from api.schemas.postings import PostingCreate, PostingPublic, PostingUpdate
from matcher.counsellor import access
from matcher.inputs import PostingInput

router = APIRouter(prefix="/postings", tags=["岗位"])


@router.post("", status_code=201, response_model=PostingPublic, responses=AUTH | CONFLICT,
             summary="发布岗位（就业援助员或管理员；指定站点时须为本人所属站点）")
def create_posting(body: PostingCreate, service: ServiceDep, principal: RequireCounsellor):
    access.can_edit_posting(principal, None, body.station_id)
    return service.create_posting(PostingInput.model_validate(body.model_dump(exclude_unset=True)))


@router.get("/{posting_id}", response_model=PostingPublic, responses=NOT_FOUND, summary="查看岗位（公开，无需登录）")
def get_posting(service: ServiceDep, posting_id: PostingIdPath):
    return service.get_posting(posting_id)


@router.patch("/{posting_id}", response_model=PostingPublic, responses=AUTH | NOT_FOUND | CONFLICT,
              summary="修改岗位（所属站点的就业援助员或管理员）")
def update_posting(body: PostingUpdate, service: ServiceDep, principal: RequireCounsellor, posting_id: PostingIdPath):
    changes = body.model_dump(exclude_unset=True)
    access.can_edit_posting(principal, service.get_posting(posting_id)["station_id"], changes.get("station_id"))
    return service.update_posting(posting_id, changes)


@router.post("/{posting_id}/close", response_model=PostingPublic, responses=AUTH | NOT_FOUND,
             summary="关闭岗位：立即不再出现在匹配结果中（所属站点的就业援助员或管理员）")
def close_posting(service: ServiceDep, principal: RequireCounsellor, posting_id: PostingIdPath):
    access.can_edit_posting(principal, service.get_posting(posting_id)["station_id"])
    return service.close_posting(posting_id)


@router.post("/{posting_id}/reopen", response_model=PostingPublic, responses=AUTH | NOT_FOUND | CONFLICT,
             summary="重新开放岗位（所属站点的就业援助员或管理员）")
def reopen_posting(service: ServiceDep, principal: RequireCounsellor, posting_id: PostingIdPath):
    access.can_edit_posting(principal, service.get_posting(posting_id)["station_id"])
    return service.set_posting_status(posting_id, "open")
