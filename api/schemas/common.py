"""Field types and error responses shared by every route, so the OpenAPI contract tells the truth."""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path
from datetime import datetime

from pydantic import AfterValidator, BeforeValidator, BaseModel, ConfigDict, Field, Strict

# Ids are 64-bit signed integers in every database the product runs on; anything larger is a typo.
MAX_ID = 2**63 - 1


def _clean_text(value: str) -> str:
    # NUL is refused by PostgreSQL and a lone surrogate cannot be written as UTF-8: reject both here,
    # with the field named, instead of failing in the database or the encoder.
    if "\x00" in value:
        raise ValueError("不能包含空字符（NUL），请删除后重试")
    if any("\ud800" <= ch <= "\udfff" for ch in value):
        raise ValueError("含有无法识别的字符（单独的代理字符），请重新输入或粘贴")
    return value


def _date_text(value):
    if value is not None and not isinstance(value, (str, datetime)):
        raise ValueError("日期应写成文字，如 2026-12-31")
    return value


Text = Annotated[str, AfterValidator(_clean_text)]
# A station's own record number; left blank it means "none" (two blanks are not the same record).
ExternalKey = Annotated[str, Field(max_length=100), AfterValidator(_clean_text),
                        AfterValidator(lambda value: value.strip() or None)]
Count = Annotated[int, Strict()]
Id = Annotated[int, Strict(), Field(ge=1, le=MAX_ID)]
# JSON says true/false and dates are strings: 0, 1 or a bare number are typos, not answers.
Flag = Annotated[bool, Strict()]
Date = Annotated[datetime, BeforeValidator(_date_text)]
Number = Annotated[float, Strict()]
Latitude = Annotated[float, Strict(), Field(ge=30.6, le=31.9, description="纬度（WGS-84，上海范围）")]
Longitude = Annotated[float, Strict(), Field(ge=120.8, le=122.2, description="经度（WGS-84，上海范围）")]
EducationLevel = Annotated[int, Strict(), Field(ge=0, le=6, description="学历等级 0-6")]
Headcount = Annotated[int, Strict(), Field(ge=1, le=10_000)]


def id_path(description: str):
    return Path(ge=1, le=MAX_ID, description=description)


PostingIdPath = Annotated[int, id_path("岗位编号")]
SeekerIdPath = Annotated[int, id_path("求职者编号")]
StationIdPath = Annotated[int, id_path("服务站点编号")]
SessionIdPath = Annotated[int, id_path("模拟面试编号")]
TokenIdPath = Annotated[int, id_path("令牌编号")]


class FieldErrorPublic(BaseModel):
    field: str = Field(description="出错的字段")
    message: str = Field(description="中文说明：哪里不对、怎么改")


class ErrorPublic(BaseModel):
    """Every error body: a Chinese `detail`; `field` or `errors` name what to fix."""

    model_config = ConfigDict(extra="allow")

    detail: str = Field(description="中文错误说明")
    field: str | None = None
    errors: list[FieldErrorPublic] | None = None


def _error(description: str) -> dict[str, Any]:
    return {"model": ErrorPublic, "description": description}


UNAUTHORIZED = {401: _error("未登录，或令牌无效、已吊销、已过期")}
FORBIDDEN = {403: _error("没有权限")}
NOT_FOUND = {404: _error("记录不存在")}
CONFLICT = {409: _error("与现有状态冲突")}
INVALID = {422: _error("请求内容有误（中文说明指出字段）")}
NOT_READY = {503: _error("服务正在启动或功能未启用")}
# Every route: the body limit, the rate limit, bad input, and the start-up window.
EVERY_ROUTE = {
    400: _error("请求格式有误（如请求体不是 UTF-8 编码的 JSON）"),
    413: _error("请求体过大"),
    **INVALID,
    429: {**_error("请求过于频繁"), "headers": {"Retry-After": {"description": "多少秒后可重试",
                                                              "schema": {"type": "integer"}}}},
    **NOT_READY,
}
AUTH = UNAUTHORIZED | FORBIDDEN
