"""Background import jobs: one row per uploaded file, with its state and its per-row report.

The uploaded file is kept only until the job has run (seeker files hold resumes), then cleared.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from data.schema import Base, utcnow

JOB_STATUSES = {"queued": "排队中", "running": "导入中", "done": "已完成", "failed": "失败"}


class ImportJob(Base):
    __tablename__ = "import_jobs"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="queued", index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    station_ids: Mapped[list] = mapped_column(JSON, default=list)  # the uploader's stations when it was sent
    filename: Mapped[str | None] = mapped_column(String(200))
    allow_partial: Mapped[bool] = mapped_column(default=False)
    content: Mapped[bytes | None] = mapped_column(LargeBinary)  # cleared once the job has run
    worker: Mapped[str | None] = mapped_column(String(100))  # host:pid of the process running it
    total_rows: Mapped[int | None] = mapped_column(Integer)
    report: Mapped[dict | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


#: A workbench import preview's states.
DRAFT_STATES = {"preview": "待确认", "running": "导入中", "done": "已完成", "failed": "失败"}


class ImportDraft(Base):
    """A workbench import preview, from upload to its end: who uploaded it, for which station, until when.

    Kept in the database (not in one process's memory), so a restart or another server worker still
    finds it; the file is cleared once it has run or its preview expired."""

    __tablename__ = "import_drafts"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # unguessable token, in the page's URL
    kind: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    station_id: Mapped[int | None] = mapped_column(ForeignKey("stations.id", ondelete="CASCADE"))
    filename: Mapped[str] = mapped_column(String(200), default="")
    content: Mapped[bytes | None] = mapped_column(LargeBinary)
    total_rows: Mapped[int] = mapped_column(Integer, default=0)
    good_rows: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[str] = mapped_column(String(16), default="preview", index=True)
    done: Mapped[int] = mapped_column(Integer, default=0)
    ids: Mapped[list] = mapped_column(JSON, default=list)
    message: Mapped[str] = mapped_column(Text, default="")
    worker: Mapped[str | None] = mapped_column(String(100))  # host:pid of the process running it
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
