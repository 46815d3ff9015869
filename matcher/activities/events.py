"""Events (活动): 招聘会 (现场/线上), 宣讲会, 政策咨询, 创业活动, 陪跑计划 sessions.

A 招聘会 lists its employers and postings; a posting named by its 岗位编号 (external id) is linked
to the posting row when the database holds it, otherwise kept as written.
"""
from __future__ import annotations

import re
from datetime import datetime, time
from typing import Any, Sequence

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from sqlalchemy import delete, select

from data.activity_tables import EVENT_KINDS, Event, EventParticipant
from data.schema import Posting, Station
from matcher.activities import common
from matcher.errors import InvalidInput, NotFound

KIND_LABELS = {
    "job_fair_onsite": ["招聘会（现场）", "现场招聘会", "招聘会", "现场招聘", "专场招聘会", "job_fair"],
    "job_fair_online": ["招聘会（线上）", "线上招聘会", "网络招聘会", "直播带岗", "云招聘"],
    "info_session": ["宣讲会", "企业宣讲会", "宣讲"],
    "policy_consult": ["政策咨询", "政策宣讲", "政策咨询会"],
    "entrepreneurship": ["创业活动", "创业沙龙", "创业培训", "创业指导"],
    "mentoring": ["陪跑计划", "陪跑", "毕业生陪跑计划", "陪跑计划活动"],
}
JOB_FAIRS = ("job_fair_onsite", "job_fair_online")


class ParticipantInput(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    employer: str = Field(default="", max_length=200)
    posting_title: str | None = Field(default=None, max_length=200)
    posting_ref: str | None = Field(default=None, max_length=100, description="岗位编号（库中已有时自动关联）")
    posting_id: int | None = Field(default=None, ge=1)


def parse_participants(text: str) -> list[dict]:
    """'上海虹信物业（示例）:保安员/DEMO-P00012；上海江湾养老（示例）' -> participant dicts.

    Employers are separated by ；or ; or a new line; after a colon come its postings, separated by
    、 or ,; a posting is `岗位名称` or `岗位名称/岗位编号` or just a 岗位编号 (letters and digits).
    """
    out = []
    for chunk in re.split(r"[；;\n]+", text or ""):
        chunk = chunk.strip()
        if not chunk:
            continue
        employer, *rest = re.split(r"[:：]", chunk, maxsplit=1)
        employer, postings = employer.strip(), (rest[0] if rest else "")
        items = [p.strip() for p in re.split(r"[、,，]", postings or "") if p.strip()]
        if not items:
            out.append({"employer": employer})
        for item in items:
            title, _, ref = item.partition("/")
            if not ref and re.fullmatch(r"[A-Za-z0-9_-]+", title) and any(ch.isdigit() for ch in title):
                title, ref = "", title
            out.append({"employer": employer, "posting_title": title.strip() or None, "posting_ref": ref.strip() or None})
    return out


class EventInput(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    external_id: str | None = Field(default=None, max_length=100)
    kind: str
    title: str = Field(min_length=1, max_length=200)
    starts_at: datetime
    ends_at: datetime | None = None
    link: str | None = Field(default=None, max_length=300)
    organiser: str = Field(default="", max_length=200)
    description: str = Field(default="", max_length=4000)
    seats: common.Seats = None
    registration_deadline: common.Deadline = None
    address: str | None = Field(default=None, max_length=200)
    street: str | None = Field(default=None, max_length=40)
    lat: float | None = Field(default=None, ge=30.6, le=31.9)
    lon: float | None = Field(default=None, ge=120.8, le=122.2)
    participants: list[ParticipantInput] = Field(default_factory=list, max_length=500)

    @field_validator("kind", mode="before")
    @classmethod
    def _kind(cls, value):
        return common.choose(value, KIND_LABELS, "活动类型")

    @field_validator("starts_at", "ends_at", mode="before")
    @classmethod
    def _when(cls, value):
        return None if value in (None, "") else common.parse_datetime(value, default_time=time(9, 0))

    @field_validator("participants", mode="before")
    @classmethod
    def _participants(cls, value):
        if value in (None, ""):
            return []
        return parse_participants(value) if isinstance(value, str) else value

    @field_validator("link")
    @classmethod
    def _link(cls, value):
        if value and not re.match(r"^https?://", value):
            raise ValueError("线上链接应以 http:// 或 https:// 开头")
        return value or None

    @model_validator(mode="after")
    def _check(self) -> "EventInput":
        if self.ends_at and self.ends_at < self.starts_at:
            raise ValueError("结束时间早于开始时间")
        if self.kind == "job_fair_online" and not self.link:
            raise ValueError("线上招聘会需填写活动链接")
        if self.kind != "job_fair_online" and not (self.address or self.street or self.link
                                                    or (self.lat is not None and self.lon is not None)):
            raise ValueError("请填写活动地点（地址或街道），线上活动请填写链接")
        return self


def upsert_events(service, inputs: Sequence[EventInput], station_id: int | None) -> list[int]:
    """Create or update (by external id within `station_id`) in one transaction; participants are replaced."""
    places = []
    for inp in inputs:
        place, error = common.resolve_place(inp.street, inp.address, inp.lat, inp.lon)
        if error:
            raise InvalidInput(error, field="street")
        places.append(place)
    ids = []
    with service.db.session() as session, session.begin():
        if station_id is not None and session.get(Station, station_id) is None:
            raise NotFound(f"服务站点 {station_id} 不存在")
        for inp, place in zip(inputs, places):
            row = None
            if inp.external_id:
                row = session.scalar(select(Event).where(Event.station_id == station_id, Event.external_id == inp.external_id))
            if row is None:
                row = Event(station_id=station_id, external_id=inp.external_id, seats_taken=0)
                session.add(row)
            for key, value in inp.model_dump(exclude={"street", "address", "lat", "lon", "participants", "external_id"}).items():
                setattr(row, key, value)
            common.set_place(row, inp.address, place)
            session.flush()
            session.execute(delete(EventParticipant).where(EventParticipant.event_id == row.id))
            for part in inp.participants:
                posting_id = part.posting_id
                if posting_id is not None and session.get(Posting, posting_id) is None:
                    raise InvalidInput(f"参会岗位 {posting_id} 不存在", field="participants")
                if posting_id is None and part.posting_ref:
                    posting_id = session.scalar(select(Posting.id).where(Posting.external_id == part.posting_ref))
                session.add(EventParticipant(event_id=row.id, employer=part.employer, posting_title=part.posting_title,
                                             posting_ref=part.posting_ref, posting_id=posting_id))
            ids.append(row.id)
    return ids


def event_public(row: Event, now: datetime, participants: list[EventParticipant] = (),
                 station_names: dict[int, str] | None = None, posting_titles: dict[int, str] | None = None) -> dict[str, Any]:
    is_open, state = common.event_state(row, now)
    employers = list(dict.fromkeys(p.employer for p in participants if p.employer))
    return {
        "id": row.id, "kind": "event", "event_kind": row.kind, "event_kind_name": EVENT_KINDS.get(row.kind, row.kind),
        "external_id": row.external_id, "station_id": row.station_id, "station": (station_names or {}).get(row.station_id),
        "title": row.title, "starts_at": common.iso(row.starts_at), "ends_at": common.iso(row.ends_at),
        "when": common.cn_time(row.starts_at), "link": row.link, "online": row.kind == "job_fair_online" or
        (row.lat is None and bool(row.link)), "organiser": row.organiser, "description": row.description,
        "seats": row.seats, "seats_taken": row.seats_taken, "seats_left": common.seats_left(row),
        "registration_deadline": common.iso(row.registration_deadline), "registration_open": is_open, "state": state,
        "employers": employers,
        "postings": [{"employer": p.employer, "title": p.posting_title or (posting_titles or {}).get(p.posting_id),
                      "posting_ref": p.posting_ref, "posting_id": p.posting_id, "linked": p.posting_id is not None}
                     for p in participants if p.posting_title or p.posting_ref or p.posting_id],
        **common.place_public(row),
    }


def _participants(session, event_ids: list[int]) -> dict[int, list[EventParticipant]]:
    out: dict[int, list[EventParticipant]] = {}
    if event_ids:
        for p in session.scalars(select(EventParticipant).where(EventParticipant.event_id.in_(event_ids))
                                 .order_by(EventParticipant.id)):
            out.setdefault(p.event_id, []).append(p)
    return out


def list_events(service, *, station_ids: list[int] | None = None, kind: str | None = None,
                include_past: bool = False, now: datetime | None = None) -> list[dict]:
    """Upcoming events (past ones only with include_past), soonest first."""
    now = now or common.utc_now()
    with service.db.session() as session:
        query = select(Event).order_by(Event.starts_at, Event.id)
        if station_ids is not None:
            query = query.where(Event.station_id.in_(station_ids))
        if kind:
            try:
                query = query.where(Event.kind == common.choose(kind, KIND_LABELS, "活动类型"))
            except ValueError as exc:
                raise InvalidInput(str(exc), field="kind") from exc
        rows = [r for r in session.scalars(query) if include_past or not common.event_is_past(r, now)]
        parts = _participants(session, [r.id for r in rows])
        names = dict(session.execute(select(Station.id, Station.name)).all())
        titles = _titles(session, parts)
        return [event_public(r, now, parts.get(r.id, []), names, titles) for r in rows]


def _titles(session, parts: dict[int, list[EventParticipant]]) -> dict[int, str]:
    ids = {p.posting_id for ps in parts.values() for p in ps if p.posting_id}
    return dict(session.execute(select(Posting.id, Posting.title).where(Posting.id.in_(ids))).all()) if ids else {}


def get_event(service, event_id: int, now: datetime | None = None) -> dict:
    with service.db.session() as session:
        row = session.get(Event, event_id)
        if row is None:
            raise NotFound(f"活动 {event_id} 不存在")
        parts = _participants(session, [row.id])
        names = dict(session.execute(select(Station.id, Station.name)).all())
        return event_public(row, now or common.utc_now(), parts.get(row.id, []), names, _titles(session, parts))


def fair_posting_ids(service, event_id: int) -> list[int]:
    """The posting ids linked to a 招聘会 (open ones only)."""
    with service.db.session() as session:
        row = session.get(Event, event_id)
        if row is None:
            raise NotFound(f"活动 {event_id} 不存在")
        if row.kind not in JOB_FAIRS:
            raise InvalidInput("只有招聘会可以按参会岗位排序求职者", field="event_id")
        ids = session.scalars(select(EventParticipant.posting_id).join(Posting, Posting.id == EventParticipant.posting_id)
                              .where(EventParticipant.event_id == event_id, Posting.status == "open")).all()
    return list(dict.fromkeys(ids))
