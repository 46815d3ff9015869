"""Domain errors; the API maps each to one HTTP status in a single handler."""
from __future__ import annotations


class JobCircleError(Exception):
    """Base class; `message` is Chinese and tells the reader what to fix."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(JobCircleError):
    pass


class InvalidInput(JobCircleError):
    pass


class NotReady(JobCircleError):
    pass


class Conflict(JobCircleError):
    pass


class Unauthorized(JobCircleError):
    """No valid credentials (missing, unknown or revoked token)."""


class Forbidden(JobCircleError):
    """Valid credentials, but this person may not do this."""


# The one table of pydantic error types in Chinese: the API's validation handler and the bulk
# importer both read it (a type not listed keeps pydantic's own message, which our validators
# already write in Chinese).
VALIDATION_MESSAGES: dict[str, str] = {
    "missing": "必填项缺失",
    "extra_forbidden": "不认识的字段，请删除",
    "string_too_short": "不能为空",
    "string_too_long": "内容过长",
    "int_parsing": "应为整数",
    "float_parsing": "应为数字",
    "datetime_from_date_parsing": "日期格式应为 2025-12-31",
    "datetime_parsing": "日期格式应为 2025-12-31",
    "greater_than_equal": "数值过小",
    "less_than_equal": "数值过大",
    "json_invalid": "请求体不是合法的 JSON",
    "bool_parsing": "应为 true 或 false",
}


def validation_message(error: dict) -> str:
    """The Chinese reason for one pydantic error dict (`ValidationError.errors()` item)."""
    known = VALIDATION_MESSAGES.get(error.get("type", ""))
    if known:
        return known
    message = str(error.get("msg", ""))
    return message.removeprefix("Value error, ").removeprefix("Assertion failed, ")
