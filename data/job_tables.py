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
