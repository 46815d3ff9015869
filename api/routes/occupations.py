from fastapi import APIRouter

from api.deps import ServiceDep
from api.schemas.matching import CodeRequest, CodeResponse
from matcher.errors import NotReady

router = APIRouter(prefix="/occupations", tags=["职业编码"])


@router.post("/code", response_model=CodeResponse, summary="按《职业分类大典（2022年版）》为岗位名称编码（任何人）")
def code(body: CodeRequest, service: ServiceDep):
    if service.coder is None:
        raise NotReady("职业编码未启用（JOBCIRCLE_OCCUPATION_CODING=false）")
    results = service.coder.code([t[:200] for t in body.titles], top_k=body.top_k)
    return {"results": [r.to_json() for r in results]}
