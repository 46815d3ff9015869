"""Bulk import: validate every row first, report each bad row in Chinese, then import all or none.

Row numbers are spreadsheet rows as a counsellor sees them (the header is row 1). The report shows
which header went to which field and what was left out (a column of web addresses is a link, never
an address; an unrecognised column is named, never dropped silently); `dry_run` stops there. A
posting repeating another (same employer, title and address, near-identical text) is imported but
marked `duplicate_of` the first one, and matching shows only the first of each group.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

import re

from sqlalchemy import select

from data.importers import FIELD_LABELS, LINK, ImportFileError, map_columns, read_table
from data.schema import Posting
from matcher.errors import InvalidInput, validation_message
from matcher.text.normalise import is_blank
from matcher.inputs import PostingInput, SeekerInput
from matcher.geo.places import gazetteer
from matcher.duplicates import dup_key as _dup_key, near_identical, original_of, set_mark


@dataclass
class ImportResult:
    kind: str
    total_rows: int
    imported: int = 0
    skipped: int = 0
    ids: list[int] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)
    column_mapping: dict[str, str] = field(default_factory=dict)
    columns: list[dict] = field(default_factory=list)  # per header: the field it fills, or why it was left out
    left_out: list[dict] = field(default_factory=list)
    duplicates: list[dict] = field(default_factory=list)  # per row: {row, duplicate_of_row | duplicate_of}
    dry_run: bool = False

    def to_dict(self) -> dict:
        return dict(vars(self))


_CN_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7}
_DAYS = re.compile(r"(\d+(?:\.\d+)?|[一二两三四五六七])\s*天\s*(?:/|每|一)?\s*(?:周|星期|礼拜)"
                   r"|(?:每周|一周|周)\s*(?:至少|工作|出勤|实习)?\s*(\d+(?:\.\d+)?|[一二两三四五六七])\s*天")
_WEEKDAYS = re.compile(r"周一(?:至|到|-|~)周([五六日])")


def days_per_week(text) -> float | None:
    """'4天/周', '每周3天', '一周五天', '周一至周五' -> days a week (None when the text states none)."""
    text = str(text or "")
    m = _DAYS.search(text)
    if m:
        raw = m.group(1) or m.group(2)
        value = float(_CN_DIGITS.get(raw, raw) if raw in _CN_DIGITS else raw)
        return value if 0 < value <= 7 else None
    m = _WEEKDAYS.search(text)
    return {"五": 5.0, "六": 6.0, "日": 7.0}[m.group(1)] if m else None


def _posting_row(data: dict) -> dict:
    """Cell values a station writes, made into what `PostingInput` takes: 时间要求 as days a week
    (the text kept in the description when it states none), an internship recognised by its title."""
    if "days_per_week" in data:
        raw = data.pop("days_per_week")
        days = days_per_week(raw)
        if days is not None:
            data["days_per_week"] = days
        else:
            data["description"] = "\n".join(p for p in (str(data.get("description") or ""), f"时间要求：{raw}") if p)
    if "employment_type" not in data and re.search(r"实习", str(data.get("title") or "")):
        data["employment_type"] = "实习"
    return data


def describe_columns(frame, kind: str, mapping: dict[str, str]) -> tuple[list[dict], list[dict]]:
    """(every header with the field it fills, the headers left out and why)."""
    labels = FIELD_LABELS[kind]
    columns, left_out = [], []
    for header in map(str, frame.columns):
        target = mapping.get(header)
        if target == LINK:
            item = {"header": header, "field": None, "reason": "整列是网址链接，不作为地址或其他字段导入"}
        elif target is None:
            filled = [v for v in frame[header].tolist() if v is not None]
            item = {"header": header, "field": None,
                    "reason": "未识别的表头，此列内容未导入" + ("（该列为空）" if not filled else "，请改为可识别的表头")}
        else:
            columns.append({"header": header, "field": target, "label": labels.get(target, target)})
            continue
        columns.append(item)
        left_out.append(item)
    return columns, left_out


def file_duplicates(good: list[tuple[int, object]]) -> list[dict]:
    """Rows of one file repeating an earlier row: same employer, title and address (or street), near-identical text."""
    seen: dict[tuple, list[tuple[int, str]]] = {}
    out = []
    for row_number, inp in good:
        key = _dup_key(inp.employer, inp.title, inp.address or inp.street)
        text = f"{inp.description}\n{inp.requirements}"
        first = next((r for r, t in seen.get(key, []) if near_identical(t, text)), None)
        if first is not None:
            out.append({"row": row_number, "duplicate_of_row": first})
        seen.setdefault(key, []).append((row_number, text))
    return out


def mark_duplicates(db, ids: list[int]) -> dict[int, int]:
    """Mark each of `ids` that repeats an earlier open posting (same employer, title and address or street,
    near-identical text) with `duplicate_of` = that posting's id (and unmark one that no longer does);
    returns {id: duplicate_of} for every repeat among `ids`, marked now or before."""
    repeats: dict[int, int] = {}
    changed: list[int] = []
    with db.session() as session, session.begin():
        rows = session.scalars(select(Posting).where(Posting.id.in_(ids)).order_by(Posting.id)).all()
        for row in rows:
            first = original_of(session, row)
            if set_mark(row, first):
                changed.append(row.id)
            if first is not None:
                repeats[row.id] = first
        if changed:
            seq = db.take_seq(session, "postings", len(changed))
            for offset, posting_id in enumerate(sorted(changed)):
                session.get(Posting, posting_id).change_seq = seq + offset
    return repeats


def validate_rows(frame, kind: str, mapping: dict[str, str]) -> tuple[list[tuple[int, object]], list[dict]]:
    model = PostingInput if kind == "posting" else SeekerInput
    header_of = {fieldname: header for header, fieldname in mapping.items()}
    labels = FIELD_LABELS[kind]
    good, errors = [], []
    for offset, record in enumerate(frame.to_dict(orient="records")):
        row_number = offset + 2
        data = {mapping[h]: v for h, v in record.items()
                if h in mapping and mapping[h] != LINK and not is_blank(v)}
        if kind == "posting":
            data = _posting_row(data)
        street = data.get("street")
        if street and gazetteer().street_code(str(street)) is None:
            errors.append({"row": row_number, "column": header_of["street"],
                           "reason": f"未找到街道“{street}”，请填写上海市的街道/镇名称或9位代码"})
            street = None
        try:
            inp = model.model_validate(data)
            if street is not None or "street" not in data:
                good.append((row_number, inp))
        except ValidationError as exc:
            for error in exc.errors():
                name = str(error["loc"][0]) if error["loc"] else ""
                column = header_of.get(name) or labels.get(name, name or "（整行）")
                reason = validation_message(error)
                errors.append({"row": row_number, "column": column, "reason": reason})
    return good, errors


def import_file(service, kind: str, source, *, filename: str | None = None, allow_partial: bool = False,
                progress: bool = False, dry_run: bool = False, check=None,
                upsert_options: dict | None = None) -> ImportResult:
    """Validate the whole file, then upsert (by external id) everything, or only good rows if allowed.

    `dry_run`: report the column mapping, errors and duplicates, and import nothing.
    `check(inputs)` may refuse valid rows for who is importing them: it returns (position, field,
    Chinese reason) triples, reported per row like any other error; `upsert_options` (the
    `matcher.counsellor.access.upsert_guard`, a consent log) are passed on to the upsert."""
    if kind not in ("posting", "seeker"):
        raise InvalidInput("导入类型应为 postings 或 seekers", field="kind")
    try:
        frame = read_table(source, filename or (str(source) if isinstance(source, (str, Path)) else None))
    except ImportFileError as exc:
        raise InvalidInput(str(exc), field="file") from exc
    mapping, unknown = map_columns(frame.columns, kind, frame)
    required = "title" if kind == "posting" else "resume_text"
    result = ImportResult(kind=kind, total_rows=len(frame), unknown_columns=unknown, column_mapping=mapping,
                          dry_run=dry_run)
    result.columns, result.left_out = describe_columns(frame, kind, mapping)
    if required not in mapping.values():
        label = FIELD_LABELS[kind][required]
        raise InvalidInput(f"缺少必需的列“{label}”（可识别的表头见说明文档）；文件表头为：{'、'.join(map(str, frame.columns))}",
                           field="file")
    good, errors = validate_rows(frame, kind, mapping)
    if check is not None:
        header_of = {fieldname: header for header, fieldname in mapping.items()}
        refused = check([inp for _, inp in good])
        for position, fieldname, reason in refused:
            column = header_of.get(fieldname) or FIELD_LABELS[kind].get(fieldname, fieldname)
            errors.append({"row": good[position][0], "column": column, "reason": reason})
        dropped = {position for position, _, _ in refused}
        good = [item for n, item in enumerate(good) if n not in dropped]
        errors.sort(key=lambda error: error["row"])
    result.errors = errors
    if kind == "posting":
        result.duplicates = file_duplicates(good)
    bad_rows = {error["row"] for error in errors}
    result.skipped = len(bad_rows)
    if dry_run or (errors and not allow_partial):
        result.skipped = result.total_rows
        return result
    inputs = [inp for _, inp in good]
    upsert = service.upsert_postings if kind == "posting" else service.upsert_seekers
    result.ids = upsert(inputs, progress=progress, **(upsert_options or {}))
    result.imported = len(result.ids)
    if kind == "posting" and result.ids:
        marked = mark_duplicates(service.db, result.ids)
        row_of = {posting_id: row for (row, _), posting_id in zip(good, result.ids)}
        result.duplicates = [{"row": row_of[i], "posting_id": i, "duplicate_of": d} for i, d in sorted(marked.items())]
    return result


EXPORT_FORMATS = ("csv", "xlsx", "jsonl")


def export_postings(db, out, fmt: str) -> int:
    """Write the public view of every posting (`posting_public`: place with its precision, description,
    requirements, duplicate_of …) to `out` (a path, or a text stream for csv/jsonl); returns the count."""
    import json

    import pandas as pd

    from matcher.postings import posting_public

    if fmt not in EXPORT_FORMATS:
        raise InvalidInput(f"导出格式应为 {'、'.join(EXPORT_FORMATS)} 之一", field="format")
    with db.session() as session:
        records = [posting_public(row) for row in session.scalars(select(Posting).order_by(Posting.id))]
    if fmt == "jsonl":
        lines = "".join(json.dumps(r, ensure_ascii=False, default=str) + "\n" for r in records)
        if hasattr(out, "write"):
            out.write(lines)
        else:
            Path(out).write_text(lines, encoding="utf-8")
        return len(records)
    flat = [{k: json.dumps(v, ensure_ascii=False) if isinstance(v, (list, dict)) else v for k, v in r.items()}
            for r in records]
    frame = pd.DataFrame(flat, columns=list(records[0]) if records else None)
    if fmt == "csv":
        if hasattr(out, "write"):
            frame.to_csv(out, index=False)
        else:
            frame.to_csv(out, index=False, encoding="utf-8-sig")
    else:
        if hasattr(out, "write"):
            raise InvalidInput("xlsx 格式需要用 --out 指定文件", field="out")
        frame.to_excel(out, index=False, engine="openpyxl")
    return len(records)
