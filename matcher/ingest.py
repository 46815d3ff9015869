"""Bulk import: validate every row first, report each bad row in Chinese, then import all or none.

Row numbers are spreadsheet rows as a counsellor sees them (the header is row 1).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from data.importers import FIELD_LABELS, ImportFileError, map_columns, read_table
from matcher.errors import InvalidInput, validation_message
from matcher.text.normalise import is_blank
from matcher.inputs import PostingInput, SeekerInput
from matcher.geo.places import gazetteer


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

    def to_dict(self) -> dict:
        return dict(vars(self))


def validate_rows(frame, kind: str, mapping: dict[str, str]) -> tuple[list[tuple[int, object]], list[dict]]:
    model = PostingInput if kind == "posting" else SeekerInput
    header_of = {fieldname: header for header, fieldname in mapping.items()}
    labels = FIELD_LABELS[kind]
    good, errors = [], []
    for offset, record in enumerate(frame.to_dict(orient="records")):
        row_number = offset + 2
        data = {mapping[h]: v for h, v in record.items() if h in mapping and not is_blank(v)}
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
                progress: bool = False) -> ImportResult:
    """Validate the whole file, then upsert (by external id) everything, or only good rows if allowed."""
    if kind not in ("posting", "seeker"):
        raise InvalidInput("导入类型应为 postings 或 seekers", field="kind")
    try:
        frame = read_table(source, filename or (str(source) if isinstance(source, (str, Path)) else None))
    except ImportFileError as exc:
        raise InvalidInput(str(exc), field="file") from exc
    mapping, unknown = map_columns(frame.columns, kind)
    required = "title" if kind == "posting" else "resume_text"
    result = ImportResult(kind=kind, total_rows=len(frame), unknown_columns=unknown, column_mapping=mapping)
    if required not in mapping.values():
        label = FIELD_LABELS[kind][required]
        raise InvalidInput(f"缺少必需的列“{label}”（可识别的表头见说明文档）；文件表头为：{'、'.join(map(str, frame.columns))}",
                           field="file")
    good, errors = validate_rows(frame, kind, mapping)
    result.errors = errors
    bad_rows = {error["row"] for error in errors}
    result.skipped = len(bad_rows)
    if errors and not allow_partial:
        result.skipped = result.total_rows
        return result
    inputs = [inp for _, inp in good]
    upsert = service.upsert_postings if kind == "posting" else service.upsert_seekers
    result.ids = upsert(inputs, progress=progress)
    result.imported = len(result.ids)
    return result
