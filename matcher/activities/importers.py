"""Station spreadsheets of trainings and events, imported the way postings are (`matcher.ingest`):
every row is validated first and each bad row reported in Chinese; by default nothing is imported
when any row is bad; rows are upserted by external id within the caller's station.

Recognised headers (compared without spaces, brackets or a trailing colon, case-insensitively):
see TRAINING_COLUMNS and EVENT_COLUMNS below; unknown columns are reported, never silently dropped.
"""
from __future__ import annotations

import re
from pathlib import Path

from pydantic import ValidationError

from data.importers import ImportFileError, read_table
from matcher.activities import common
from matcher.activities.events import EventInput, upsert_events
from matcher.activities.trainings import TrainingInput, upsert_trainings
from matcher.errors import InvalidInput
from matcher.ingest import ImportResult

TRAINING_COLUMNS: dict[str, list[str]] = {
    "external_id": ["培训编号", "课程编号", "班级编号", "编号", "external_id", "id"],
    "title": ["培训名称", "课程名称", "培训项目", "班级名称", "项目名称", "title"],
    "provider": ["培训机构", "承办机构", "举办单位", "培训单位", "provider"],
    "occupation_code": ["职业编码", "职业代码", "occupation_code"],
    "certificate": ["可获证书", "证书", "取得证书", "证书等级", "颁发证书", "certificate"],
    "start_date": ["开班日期", "开课日期", "开始日期", "开班时间", "start_date"],
    "end_date": ["结束日期", "结业日期", "结课日期", "end_date"],
    "schedule_days": ["上课日期类型", "上课日", "工作日周末", "schedule_days"],
    "schedule_time": ["上课时段", "时段", "白天晚上", "schedule_time"],
    "schedule_text": ["上课时间", "课程安排", "schedule"],
    "duration_hours": ["学时", "课时", "培训时长", "时长", "duration_hours"],
    "fee": ["费用", "培训费用", "收费", "学费", "fee"],
    "subsidised": ["补贴性", "是否补贴", "补贴性培训", "是否补贴性培训", "subsidised"],
    "eligibility_text": ["补贴条件", "报名条件", "适用对象", "招生对象", "eligibility"],
    "seats": ["名额", "招生人数", "计划人数", "人数", "seats"],
    "registration_deadline": ["报名截止", "报名截止日期", "截止日期", "registration_deadline", "deadline"],
    "address": ["培训地点", "上课地点", "地址", "地点", "address"],
    "street": ["街道", "所属街道", "street"],
    "lat": ["纬度", "lat"],
    "lon": ["经度", "lon", "lng"],
    "note": ["备注", "note"],
}
EVENT_COLUMNS: dict[str, list[str]] = {
    "external_id": ["活动编号", "编号", "external_id", "id"],
    "kind": ["活动类型", "类型", "kind"],
    "title": ["活动名称", "名称", "主题", "title"],
    "starts_at": ["开始时间", "活动时间", "举办时间", "日期", "starts_at"],
    "ends_at": ["结束时间", "ends_at"],
    "link": ["活动链接", "链接", "线上链接", "网址", "link"],
    "organiser": ["主办单位", "主办方", "组织单位", "organiser"],
    "description": ["活动简介", "简介", "内容", "description"],
    "seats": ["名额", "人数上限", "seats"],
    "registration_deadline": ["报名截止", "报名截止时间", "registration_deadline"],
    "address": ["活动地点", "地点", "地址", "address"],
    "street": ["街道", "所属街道", "street"],
    "lat": ["纬度", "lat"],
    "lon": ["经度", "lon", "lng"],
    "participants": ["参会单位及岗位", "参会企业", "参会单位", "参会岗位", "participants"],
}
KINDS = {"trainings": (TRAINING_COLUMNS, TrainingInput, upsert_trainings, "培训名称"),
         "events": (EVENT_COLUMNS, EventInput, upsert_events, "活动名称")}
_PYDANTIC_CN = {
    "missing": "必填项为空", "string_too_short": "不能为空", "string_too_long": "内容过长", "int_parsing": "应为整数",
    "float_parsing": "应为数字", "greater_than_equal": "数值过小", "less_than_equal": "数值过大",
    "too_long": "条目过多", "string_type": "应为文字", "datetime_from_date_parsing": "日期格式应为 2026-12-04",
}


def _blank(value) -> bool:
    return value is None or (isinstance(value, float) and value != value) or (isinstance(value, str) and not value.strip())


def _key(header) -> str:
    return re.sub(r"[\s（）()【】\[\]:：*]", "", str(header)).lower()


def map_columns(headers, table: dict[str, list[str]]) -> tuple[dict[str, str], list[str]]:
    lookup = {_key(alias): name for name, aliases in table.items() for alias in aliases}
    mapping, unknown, used = {}, [], set()
    for header in headers:
        name = lookup.get(_key(header))
        if name and name not in used:
            mapping[str(header)] = name
            used.add(name)
        else:
            unknown.append(str(header))
    return mapping, unknown


def validate_rows(frame, kind: str, mapping: dict[str, str]) -> tuple[list[tuple[int, object]], list[dict]]:
    table, model, _, _ = KINDS[kind]
    header_of = {name: header for header, name in mapping.items()}
    good, errors = [], []
    for offset, record in enumerate(frame.to_dict(orient="records")):
        row_number = offset + 2
        data = {mapping[h]: v for h, v in record.items() if h in mapping and not _blank(v)}
        street = data.get("street")
        place, error = common.resolve_place(str(street) if street else None, None, None, None)
        if error:
            errors.append({"row": row_number, "column": header_of["street"], "reason": error})
            continue
        try:
            good.append((row_number, model.model_validate(data)))
        except ValidationError as exc:
            for item in exc.errors():
                name = str(item["loc"][0]) if item["loc"] else ""
                column = header_of.get(name) or (table[name][0] if name in table else "（整行）")
                reason = _PYDANTIC_CN.get(item["type"]) or str(item.get("msg", "")).removeprefix("Value error, ")
                errors.append({"row": row_number, "column": column, "reason": reason})
    return good, errors


def import_activities(service, kind: str, source, *, station_id: int | None, filename: str | None = None,
                      allow_partial: bool = False) -> ImportResult:
    """Validate the whole file, then upsert everything into `station_id` (or only the good rows if allowed)."""
    if kind not in KINDS:
        raise InvalidInput("导入类型应为 trainings（培训）或 events（活动）", field="kind")
    table, _, upsert, required_label = KINDS[kind]
    try:
        frame = read_table(source, filename or (str(source) if isinstance(source, (str, Path)) else None))
    except ImportFileError as exc:
        raise InvalidInput(str(exc), field="file") from exc
    mapping, unknown = map_columns(frame.columns, table)
    result = ImportResult(kind=kind, total_rows=len(frame), unknown_columns=unknown, column_mapping=mapping)
    if "title" not in mapping.values():
        raise InvalidInput(f"缺少必需的列“{required_label}”；文件表头为：{'、'.join(map(str, frame.columns))}", field="file")
    good, errors = validate_rows(frame, kind, mapping)
    result.errors = errors
    result.skipped = len({e["row"] for e in errors})
    if errors and not allow_partial:
        result.skipped = result.total_rows
        return result
    result.ids = upsert(service, [inp for _, inp in good], station_id)
    result.imported = len(result.ids)
    return result
