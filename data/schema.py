"""The relational schema: the database is the source of truth; vectors in FAISS are a cache of it.

Coordinates are WGS-84. `location_precision` says how a point was obtained: `exact` (given),
`address`/`street`/`station`/`district` (approximated from text; shown to users as approximate).
`location_radius_km` is the resolver's radius of uncertainty for that point (migration 0009); NULL on
rows written before it, which read as their precision's default (`matcher.geo.places.stored_radius_km`).
"""
from __future__ import annotations

import json
import uuid
from datetime import datetime, timezone

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.types import TypeDecorator
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Base(DeclarativeBase):
    pass


class CompactJSON(TypeDecorator):
    """JSON kept as compact UTF-8 text (no \\u escapes, no spaces): about 30% shorter than the JSON
    type's default for Chinese and half the decoding time, for a value read on every request."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    def process_result_value(self, value, dialect):
        return None if value is None else json.loads(value)


STATION_KINDS = {
    "district_centre": "区级就业服务中心",
    "street_centre": "街道就业服务中心",
    "community_workstation": "社区就业服务工作站",
    "featured_site": "特色服务站点",
}
FEATURED_SITE_TYPES = {"park": "产业园区", "building": "商务楼宇", "campus": "高校园区"}
EMPLOYMENT_TYPES = {
    "full_time": "全职",
    "part_time": "兼职",
    "internship": "实习",
    "traineeship": "见习",
    "temporary": "临时/小时工",
}
POSTING_STATUSES = {"open": "招聘中", "closed": "已关闭", "draft": "待修改（未发布）"}
OUTCOME_EVENTS = {
    "recommended": "已推荐",
    "applied": "已投递",
    "interviewed": "已面试",
    "hired": "已录用",
    "rejected": "未录用",
    "saved": "已收藏",  # the seeker saved the posting on the workbench
}
PRIORITY_GROUPS = {
    "employment_difficulty": "就业困难人员",
    "long_term_unemployed_youth": "长期失业青年",
    "disabled": "残疾人",
    "graduate": "应届高校毕业生",
    "veteran": "退役军人",
    "low_income": "低收入家庭成员",
}
# Tags that reveal sensitive personal information (PIPL art. 28) and need their own consent.
SENSITIVE_PRIORITY_GROUPS = {"disabled", "low_income", "employment_difficulty"}


class Located:
    """Columns shared by everything that sits somewhere in the city."""

    street_code: Mapped[str | None] = mapped_column(String(12), index=True)
    address: Mapped[str | None] = mapped_column(String(200))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    location_precision: Mapped[str | None] = mapped_column(String(16))
    location_radius_km: Mapped[float | None] = mapped_column(Float)  # migration 0009; NULL: the precision's default


class Station(Located, Base):
    __tablename__ = "stations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    site_type: Mapped[str | None] = mapped_column(String(16))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("stations.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Employer(Located, Base):
    __tablename__ = "employers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Posting(Located, Base):
    __tablename__ = "postings"
    # AUTOINCREMENT: SQLite never hands a deleted posting's id to a new one (PostgreSQL serials never do).
    __table_args__ = (Index("ix_postings_status_seq", "status", "change_seq"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(100), unique=True)
    employer_id: Mapped[int | None] = mapped_column(ForeignKey("employers.id", ondelete="SET NULL"))
    station_id: Mapped[int | None] = mapped_column(ForeignKey("stations.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    requirements: Mapped[str] = mapped_column(Text, default="")
    skills: Mapped[list] = mapped_column(JSON, default=list)
    salary_text: Mapped[str | None] = mapped_column(String(100))
    salary_min: Mapped[float | None] = mapped_column(Float)
    salary_max: Mapped[float | None] = mapped_column(Float)
    salary_unit: Mapped[str | None] = mapped_column(String(8))
    monthly_min: Mapped[float | None] = mapped_column(Float)
    monthly_max: Mapped[float | None] = mapped_column(Float)
    education_level: Mapped[int | None] = mapped_column(Integer)
    experience_min: Mapped[float | None] = mapped_column(Float)
    experience_max: Mapped[float | None] = mapped_column(Float)
    employment_type: Mapped[str] = mapped_column(String(16), default="full_time")
    headcount: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(8), default="open")
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    accessible: Mapped[bool] = mapped_column(Boolean, default=False)
    occupation_codes: Mapped[list] = mapped_column(JSON, default=list)
    extracted: Mapped[dict] = mapped_column(JSON, default=dict)
    embedding: Mapped[bytes | None] = mapped_column(LargeBinary)
    embedding_model: Mapped[str | None] = mapped_column(String(64))
    change_seq: Mapped[int] = mapped_column(Integer, default=0, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    employer: Mapped[Employer | None] = relationship(lazy="joined")


class Seeker(Located, Base):
    """A job-seeker. Phone and ID number are personal data: ID numbers are kept only as a keyed
    hash (for de-duplication) and a masked form; nothing here is logged."""

    __tablename__ = "seekers"
    # AUTOINCREMENT: a new person never gets a deleted person's id (and so never their records).
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Random, never reused: the service ledger's pseudonym is keyed to it, not to the id
    # (`matcher.counsellor.records.seeker_subject`). NULL only on rows registered before migration 0004.
    ledger_key: Mapped[str | None] = mapped_column(String(32), default=lambda: uuid.uuid4().hex)
    external_id: Mapped[str | None] = mapped_column(String(100), unique=True)
    station_id: Mapped[int | None] = mapped_column(ForeignKey("stations.id", ondelete="SET NULL"))
    name: Mapped[str | None] = mapped_column(String(50))
    phone: Mapped[str | None] = mapped_column(String(20))
    id_number_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    id_number_masked: Mapped[str | None] = mapped_column(String(20))
    resume_text: Mapped[str] = mapped_column(Text, default="")
    desired_roles: Mapped[list] = mapped_column(JSON, default=list)
    skills: Mapped[list] = mapped_column(JSON, default=list)
    education_level: Mapped[int | None] = mapped_column(Integer)
    experience_years: Mapped[float | None] = mapped_column(Float)
    expected_salary_monthly: Mapped[float | None] = mapped_column(Float)
    max_commute_minutes: Mapped[float | None] = mapped_column(Float)
    unemployed_since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    priority_tags: Mapped[list] = mapped_column(JSON, default=list)
    consent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    sensitive_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    # Set when the seeker withdraws consent (PIPL art. 15): out of matching, shortlists and caseloads
    # until they consent again. Migration 0007.
    consent_withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    occupation_codes: Mapped[list] = mapped_column(JSON, default=list)
    extracted: Mapped[dict] = mapped_column(JSON, default=dict)
    embedding: Mapped[bytes | None] = mapped_column(LargeBinary)
    # The match query derived from this row when it was written (BM25 words, Side fields, and the
    # fingerprint of the code that derived them; `matcher.seeker_query`). Personal data, like the
    # resume it comes from. NULL on rows written before migration 0010: derived on first match.
    match_query: Mapped[dict | None] = mapped_column(CompactJSON)
    embedding_model: Mapped[str | None] = mapped_column(String(64))
    change_seq: Mapped[int] = mapped_column(Integer, default=0, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class MatchOutcome(Base):
    __tablename__ = "match_outcomes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seeker_id: Mapped[int] = mapped_column(ForeignKey("seekers.id", ondelete="CASCADE"), index=True)
    posting_id: Mapped[int] = mapped_column(ForeignKey("postings.id", ondelete="CASCADE"), index=True)
    event: Mapped[str] = mapped_column(String(16))
    score: Mapped[float | None] = mapped_column(Float)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Counter(Base):
    """Monotonic change counters: every write to a posting or seeker takes the next value, so an
    index can catch up with exactly the rows changed since the version in its manifest."""

    __tablename__ = "counters"
    __table_args__ = (UniqueConstraint("name"),)

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)
