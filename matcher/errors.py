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
# importer both read it (our own validators already write their messages in Chinese).
VALIDATION_MESSAGES: dict[str, str] = {
    "missing": "必填项缺失",
    "extra_forbidden": "不认识的字段，请删除",
    "string_too_short": "不能为空",
    "string_too_long": "内容过长",
    "string_type": "应为文字",
    "string_pattern_mismatch": "格式不对",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "float_parsing": "应为数字",
    "float_type": "应为数字",
    "finite_number": "应为有限的数字",
    "greater_than": "数值过小",
    "greater_than_equal": "数值过小",
    "less_than": "数值过大",
    "less_than_equal": "数值过大",
    "too_short": "至少需要填写一项",
    "too_long": "项数过多",
    "list_type": "应为列表",
    "dict_type": "应为对象",
    "model_type": "应为 JSON 对象",
    "model_attributes_type": "应为 JSON 对象",
    "json_invalid": "请求体不是合法的 JSON",
    "json_type": "请求体不是合法的 JSON",
    "bool_parsing": "应为 true 或 false",
    "bool_type": "应为 true 或 false",
    "literal_error": "取值不在允许范围内",
    "enum": "取值不在允许范围内",
    "datetime_parsing": "日期格式不对，如 2026-12-31",
    "datetime_from_date_parsing": "日期格式不对，如 2026-12-31",
    "datetime_type": "日期格式不对，如 2026-12-31",
    "date_parsing": "日期格式不对，如 2026-12-31",
    "string_unicode": "含有无法识别的字符",
    "bytes_type": "应为文件",
    "union_tag_invalid": "取值不在允许范围内",
}


def validation_field(loc) -> str:
    """`("body", "phone")` -> `phone`: where the error is, as the person wrote it."""
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


def describe_validation(errors) -> list[dict]:
    """pydantic errors -> [{"field", "message"}] in Chinese; a custom validator's own message is kept."""
    out = []
    for error in errors:
        kind = error.get("type", "")
        message = str(error.get("msg", "")).removeprefix("Value error, ").removeprefix("Assertion failed, ")
        if kind != "value_error":
            message = VALIDATION_MESSAGES.get(kind, "取值不合法，请检查")
        out.append({"field": validation_field(error.get("loc", ())), "message": message})
    return out


def validation_message(error: dict) -> str:
    """The Chinese reason for one pydantic error dict (`ValidationError.errors()` item)."""
    known = VALIDATION_MESSAGES.get(error.get("type", ""))
    if known:
        return known
    message = str(error.get("msg", ""))
    return message.removeprefix("Value error, ").removeprefix("Assertion failed, ")
