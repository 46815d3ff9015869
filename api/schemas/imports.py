"""Bulk imports at the edge."""
from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel

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
