"""Bulk imports at the edge: a file becomes a background job; its report is read back by id."""
from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

ImportKind = Literal["postings", "seekers"]


class TableImportReport(BaseModel):
    """What every spreadsheet import reports: rows, ids, per-row errors and the header mapping."""

    kind: str
    total_rows: int
    imported: int
    skipped: int
    ids: list[int]
    errors: list[dict[str, Any]]
    unknown_columns: list[str]
    column_mapping: dict[str, str]


class ImportReport(TableImportReport):
    columns: list[dict[str, Any]] = Field(default_factory=list, description="每个表头对应的字段，或未导入的原因")
    left_out: list[dict[str, Any]] = Field(default_factory=list, description="未导入的列及原因（如网址链接列）")
    duplicates: list[dict[str, Any]] = Field(default_factory=list, description="重复的行（同一单位、岗位、地址，内容几乎相同）")
    dry_run: bool = False


class ImportJobPublic(BaseModel):
    """An import job: `status` queued -> running -> done (see `report`) or failed (see `error`)."""

    job_id: int
    kind: ImportKind
    status: Literal["queued", "running", "done", "failed"]
    status_name: str = Field(description="状态的中文名：排队中、导入中、已完成、失败")
    filename: str | None = None
    allow_partial: bool = False
    total_rows: int | None = Field(default=None, description="文件中的数据行数")
    created_at: str | None = None
    started_at: str | None = None
    finished_at: str | None = None
    report: ImportReport | None = Field(default=None, description="完成后的逐行报告（每个有误的行、列与原因）")
    error: str | None = Field(default=None, description="任务失败时的中文原因")
    status_url: str
