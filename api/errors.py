"""The exception handlers: a domain error becomes its status, invalid input a Chinese 422 naming the
field (the table lives in matcher.errors), anything unexpected a 500 whose trace stays in the log."""
from __future__ import annotations

import logging
import re

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError, ResponseValidationError
from api.responses import OrjsonResponse as JSONResponse
from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException

from matcher.errors import (Conflict, Forbidden, InvalidInput, JobCircleError, NotFound, NotReady, Unauthorized,
                            describe_validation)

log = logging.getLogger("jobcircle.api")

STATUS = {NotFound: 404, InvalidInput: 422, NotReady: 503, Conflict: 409, Unauthorized: 401, Forbidden: 403}
HTTP_MESSAGES = {404: "找不到该地址", 405: "不支持该请求方法", 400: "请求格式有误"}


def _invalid(errors) -> JSONResponse:
    described = describe_validation(errors)
    summary = "；".join(f"{e['field']}：{e['message']}" for e in described)
    return JSONResponse(status_code=422, content={"detail": f"请求内容有误：{summary}", "errors": described})


async def domain_error(_request: Request, exc: JobCircleError) -> JSONResponse:
    status = next((code for kind, code in STATUS.items() if isinstance(exc, kind)), 400)
    body = {"detail": exc.message}
    if exc.field:
        # The same shape as a request's validation error: `errors` always names the field.
        body["field"] = exc.field
        body["errors"] = [{"field": exc.field, "message": exc.message}]
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(status_code=status, content=body, headers=headers)


async def request_invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
    return _invalid(exc.errors())


async def domain_invalid(_request: Request, exc: ValidationError) -> JSONResponse:
    # A domain input rejected a merged record (e.g. a PATCH whose salary cannot be read). Its message
    # may quote what was typed (a phone number), so it goes to the person who typed it, never to the log.
    return _invalid(exc.errors(include_url=False, include_input=False))


def _allowed_methods(request: Request) -> str:
    # Starlette names only the first route that matched the path; a path served by several routes
    # (GET and PATCH /postings/{id}) supports all of them, as the OpenAPI document says.
    path = request.scope.get("path", "")
    methods: set[str] = set()
    for template, operations in request.app.openapi().get("paths", {}).items():
        if re.fullmatch(re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template)), path):
            methods |= {m.upper() for m in operations if m in _HTTP_METHODS}
    return ", ".join(sorted(methods))


_HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


async def integrity_error(_request: Request, exc: IntegrityError) -> JSONResponse:
    # Two writes raced for the same unique key (e.g. one external id): the loser is told, nothing is lost.
    log.warning("write refused by a database constraint: %s", type(exc.orig).__name__)
    return JSONResponse(status_code=409, content={"detail": "与已有记录冲突（如站点编号 external_id 重复），请检查后重试"})


async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    detail = HTTP_MESSAGES.get(exc.status_code, exc.detail)
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = _allowed_methods(request) or headers.get("Allow", "")
    return JSONResponse(status_code=exc.status_code, content={"detail": detail}, headers=headers or None)


async def unexpected(_request: Request, exc: Exception) -> JSONResponse:
    if isinstance(exc, ResponseValidationError):
        # The response body may hold personal data: log where it broke the contract, not what it held.
        log.error("response broke its declared model at %s", [e.get("loc") for e in exc.errors()])
    else:
        log.exception("unhandled error")  # the trace goes to the server log, never to the client
    return JSONResponse(status_code=500, content={"detail": "服务内部错误，已记录，请稍后重试或联系管理员"})


def install(app: FastAPI) -> None:
    app.add_exception_handler(JobCircleError, domain_error)
    app.add_exception_handler(RequestValidationError, request_invalid)
    app.add_exception_handler(ValidationError, domain_invalid)
    app.add_exception_handler(IntegrityError, integrity_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, unexpected)
