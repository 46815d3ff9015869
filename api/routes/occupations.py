from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from api.deps import Service
from matcher.errors import NotReady

router = APIRouter(prefix="/occupations", tags=["职业编码"])


class CodeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "titles": ["急招保安（包吃住）", "拼多多运营", "蛋糕裱花师"], "top_k": 3}]})

    titles: list[str] = Field(min_length=1, max_length=1000, description="岗位名称或求职意向，每项一个")
    top_k: int = Field(default=5, ge=1, le=20)


@router.post("/code", summary="按《职业分类大典（2022年版）》为岗位名称编码（任何人）")
def code(body: CodeRequest, service: Service) -> dict:
    if service.coder is None:
        raise NotReady("职业编码未启用（JOBCIRCLE_OCCUPATION_CODING=false）")
    results = service.coder.code([t[:200] for t in body.titles], top_k=body.top_k)
    return {"results": [r.to_json() for r in results]}
