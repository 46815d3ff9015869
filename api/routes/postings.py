from fastapi import APIRouter, Path

from api.deps import Service
from api.schemas import PostingCreate, PostingUpdate

router = APIRouter(prefix="/postings", tags=["岗位"])
PostingId = Path(ge=1, description="岗位编号")


@router.post("", status_code=201, summary="发布岗位（站点工作人员）")
def create_posting(body: PostingCreate, service: Service) -> dict:
    return service.create_posting(body)


@router.get("/{posting_id}", summary="查看岗位（公开）")
def get_posting(service: Service, posting_id: int = PostingId) -> dict:
    return service.get_posting(posting_id)


@router.patch("/{posting_id}", summary="修改岗位（站点工作人员）")
def update_posting(body: PostingUpdate, service: Service, posting_id: int = PostingId) -> dict:
    return service.update_posting(posting_id, body.model_dump(exclude_unset=True))


@router.post("/{posting_id}/close", summary="关闭岗位：立即不再出现在匹配结果中（站点工作人员）")
def close_posting(service: Service, posting_id: int = PostingId) -> dict:
    return service.close_posting(posting_id)


@router.post("/{posting_id}/reopen", summary="重新开放岗位（站点工作人员）")
def reopen_posting(service: Service, posting_id: int = PostingId) -> dict:
    return service.set_posting_status(posting_id, "open")
