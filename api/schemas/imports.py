"""Bulk imports at the edge."""
from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

ImportKind = Literal["postings", "seekers"]


class ImportReport(BaseModel):
    kind: str
    total_rows: int
    imported: int
    skipped: int
    ids: list[int]
    errors: list[dict[str, Any]]
    unknown_columns: list[str]
    column_mapping: dict[str, str]
    columns: list[dict[str, Any]] = Field(default_factory=list, description="每个表头对应的字段，或未导入的原因")
    left_out: list[dict[str, Any]] = Field(default_factory=list, description="未导入的列及原因（如网址链接列）")
    duplicates: list[dict[str, Any]] = Field(default_factory=list, description="重复的行（同一单位、岗位、地址，内容几乎相同）")
    dry_run: bool = False
