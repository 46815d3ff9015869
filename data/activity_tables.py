"""Trainings (培训), events (活动: 招聘会, 宣讲会, 政策咨询, 创业活动, 陪跑计划) and registrations for them.

Scoped to stations like postings: an external id is unique within its station, so two stations may
both number their rows 1, 2, 3. Seats are counted in `seats_taken`, changed only by a conditional
UPDATE (see `matcher.activities.registrations`), so the last seat goes to exactly one person.
A registration's `active_key` is set while it is active and cleared on cancel; its uniqueness stops
the same seeker holding two active registrations for one activity (NULLs never collide).
Ids are never reused (SQLite AUTOINCREMENT), like postings and seekers.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from data.schema import Base, Located, utcnow

EVENT_KINDS = {
    "job_fair_onsite": "招聘会（现场）",
    "job_fair_online": "招聘会（线上）",
    "info_session": "宣讲会",
    "policy_consult": "政策咨询",
    "entrepreneurship": "创业活动",
    "mentoring": "陪跑计划",
}
SCHEDULE_DAYS = {"weekday": "工作日", "weekend": "周末", "both": "工作日和周末"}
SCHEDULE_TIMES = {"day": "白天", "evening": "晚上", "both": "白天和晚上"}
ACTIVITY_STATUSES = {"open": "正常", "cancelled": "已取消"}
REGISTRATION_STATUSES = {"registered": "已报名", "cancelled": "已取消"}


class Training(Located, Base):
    __tablename__ = "trainings"
    __table_args__ = (UniqueConstraint("station_id", "external_id", name="uq_trainings_station_external"),
                      {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    station_id: Mapped[int | None] = mapped_column(ForeignKey("stations.id", ondelete="SET NULL"), index=True)
    external_id: Mapped[str | None] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(200))
    provider: Mapped[str] = mapped_column(String(200), default="")
    occupation_codes: Mapped[list] = mapped_column(JSON, default=list)
    certificate: Mapped[str | None] = mapped_column(String(100))  # as published: 叉车证 N1, 养老护理员五级
    certificate_canonical: Mapped[str | None] = mapped_column(String(100), index=True)  # vocabulary name: 叉车证
    certificate_level: Mapped[str | None] = mapped_column(String(20))  # 五级, 四级, N1 ...
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    schedule_days: Mapped[str | None] = mapped_column(String(8))
    schedule_time: Mapped[str | None] = mapped_column(String(8))
    schedule_text: Mapped[str] = mapped_column(String(200), default="")
    duration_hours: Mapped[float | None] = mapped_column(Float)
    fee: Mapped[float | None] = mapped_column(Float)
    subsidised: Mapped[bool] = mapped_column(Boolean, default=False)
    eligibility_text: Mapped[str] = mapped_column(Text, default="")
    seats: Mapped[int | None] = mapped_column(Integer)  # None: not limited
    seats_taken: Mapped[int] = mapped_column(Integer, default=0)
    registration_deadline: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(12), default="open")
    note: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class Event(Located, Base):
    __tablename__ = "events"
    __table_args__ = (UniqueConstraint("station_id", "external_id", name="uq_events_station_external"),
                      {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    station_id: Mapped[int | None] = mapped_column(ForeignKey("stations.id", ondelete="SET NULL"), index=True)
    external_id: Mapped[str | None] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(24))
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    ends_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    link: Mapped[str | None] = mapped_column(String(300))
    organiser: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    seats: Mapped[int | None] = mapped_column(Integer)
    seats_taken: Mapped[int] = mapped_column(Integer, default=0)
    registration_deadline: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(12), default="open")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class EventParticipant(Base):
    """An employer (and optionally one of its postings) taking part in a 招聘会."""

    __tablename__ = "event_participants"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    employer: Mapped[str] = mapped_column(String(200), default="")
    posting_title: Mapped[str | None] = mapped_column(String(200))
    posting_ref: Mapped[str | None] = mapped_column(String(100))  # the posting's external id as written
    posting_id: Mapped[int | None] = mapped_column(ForeignKey("postings.id", ondelete="SET NULL"), index=True)


class Registration(Base):
    __tablename__ = "activity_registrations"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    training_id: Mapped[int | None] = mapped_column(ForeignKey("trainings.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    seeker_id: Mapped[int] = mapped_column(ForeignKey("seekers.id", ondelete="CASCADE"), index=True)
    registered_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    by_counsellor: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(12), default="registered")
    active_key: Mapped[str | None] = mapped_column(String(40), unique=True)
    service_record_id: Mapped[int | None] = mapped_column(Integer)
    ledger_seq: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class TrainingDecline(Base):
    """A seeker (or their counsellor) declined the suggestion to train for a certificate."""

    __tablename__ = "training_declines"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seeker_id: Mapped[int] = mapped_column(ForeignKey("seekers.id", ondelete="CASCADE"), index=True)
    certificate: Mapped[str] = mapped_column(String(100))
    training_id: Mapped[int | None] = mapped_column(ForeignKey("trainings.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(String(200), default="")
    declined_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class EventEscort(Base):
    """A counsellor went to this 招聘会 with this seeker (陪同招聘会): at most one per seeker and fair, held
    by the unique pair, so two fairs on one day are two escorts and a repeated click is refused
    (migration 0009). `service_record_id` is the service record (and ledger entry) it wrote."""

    __tablename__ = "event_escorts"
    __table_args__ = (UniqueConstraint("event_id", "seeker_id", name="uq_event_escorts_event_seeker"),
                      {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    seeker_id: Mapped[int] = mapped_column(ForeignKey("seekers.id", ondelete="CASCADE"), index=True)
    service_record_id: Mapped[int | None] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
