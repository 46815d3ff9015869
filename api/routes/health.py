from fastapi import APIRouter, Request
from api.responses import OrjsonResponse as JSONResponse

from api.schemas.common import ErrorPublic
from api.schemas.matching import HealthPublic, ReadyPublic

router = APIRouter(tags=["健康检查"])


@router.get("/health", response_model=HealthPublic, summary="存活检查（任何人可调用）")
def health():
    return {"status": "ok"}


@router.get("/ready", response_model=ReadyPublic, responses={503: {"model": ErrorPublic, "description": "尚未就绪"}},
            summary="就绪检查：模型与索引均已加载时返回 200（任何人可调用）")
def ready(request: Request):
    service = getattr(request.app.state, "service", None)
    if service is None or not service.ready:
        return JSONResponse(status_code=503, content={"status": "starting", "detail": "模型或索引尚未加载"})
    return {"status": "ready", **service.stats()}
