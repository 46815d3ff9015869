"""The FastAPI application factory: `create_app(settings)` builds the service once in the lifespan."""
from __future__ import annotations

import logging
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.routes import counsellors, health, imports, interviews, ledger, matching, occupations, postings, seekers, stations
from api.routes import places as places_routes
from matcher.errors import Conflict, Forbidden, InvalidInput, JobCircleError, NotFound, NotReady, Unauthorized
from matcher.counsellor.desk import CounsellorDesk
from matcher.service import JobCircle
from matcher.settings import Settings
from models.encoder import Encoder

log = logging.getLogger("jobcircle.api")
MAX_BODY_BYTES = 5 * 1024 * 1024

_STATUS = {NotFound: 404, InvalidInput: 422, NotReady: 503, Conflict: 409, Unauthorized: 401, Forbidden: 403}
_VALIDATION_CN = {
    "missing": "必填项缺失",
    "extra_forbidden": "不认识的字段，请删除",
    "string_too_short": "不能为空",
    "string_too_long": "内容过长",
    "int_parsing": "应为整数",
    "float_parsing": "应为数字",
    "greater_than_equal": "数值过小",
    "less_than_equal": "数值过大",
    "json_invalid": "请求体不是合法的 JSON",
    "bool_parsing": "应为 true 或 false",
}


def _field(loc) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path")]
    return ".".join(parts) or "body"


def create_app(settings: Settings | None = None, *, encoder: Encoder | None = None, service: JobCircle | None = None,
               coder=None, commute=None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        app.state.service = service or JobCircle(settings, encoder, coder=coder, commute=commute)
        if not app.state.service.ready:
            app.state.service.start()
        # The counsellors' side (seeker index) is built here too, not on the first request.
        app.state.desk = CounsellorDesk(app.state.service).start()
        yield
        app.state.desk.stop()
        app.state.service.stop()

    app = FastAPI(
        title="jobcircle 15分钟就业服务圈 岗位匹配服务",
        description="为社区就业服务站点提供岗位与求职者的智能匹配。所有匹配结果附带评分明细和中文推荐理由。",
        version="0.1.0",
        lifespan=lifespan,
    )

    @app.middleware("http")
    async def limit_body(request: Request, call_next):
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > MAX_BODY_BYTES:
            return JSONResponse(status_code=413, content={"detail": f"请求体过大：上限 {MAX_BODY_BYTES // 1024 // 1024} MB"})
        return await call_next(request)

    @app.exception_handler(JobCircleError)
    async def domain_error(_request: Request, exc: JobCircleError):
        status = next((code for kind, code in _STATUS.items() if isinstance(exc, kind)), 400)
        body = {"detail": exc.message}
        if exc.field:
            body["field"] = exc.field
        return JSONResponse(status_code=status, content=body)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_request: Request, exc: RequestValidationError):
        errors = []
        for error in exc.errors():
            message = str(error.get("msg", "")).removeprefix("Value error, ")
            errors.append({"field": _field(error.get("loc", ())), "message": _VALIDATION_CN.get(error["type"], message)})
        summary = "；".join(f"{e['field']}：{e['message']}" for e in errors)
        return JSONResponse(status_code=422, content={"detail": f"请求内容有误：{summary}", "errors": errors})

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException):
        detail = {404: "找不到该地址", 405: "不支持该请求方法"}.get(exc.status_code, exc.detail)
        return JSONResponse(status_code=exc.status_code, content={"detail": detail})

    @app.exception_handler(Exception)
    async def unexpected(_request: Request, exc: Exception):
        log.exception("unhandled error")  # the trace goes to the server log, never to the client
        return JSONResponse(status_code=500, content={"detail": "服务内部错误，已记录，请稍后重试或联系管理员"})

    for module in (health, postings, seekers, matching, imports, interviews, occupations, counsellors, stations, ledger,
                   places_routes):
        app.include_router(module.router)
    return app
