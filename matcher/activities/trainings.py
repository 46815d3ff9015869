"""Trainings (培训): input validation, certificate naming, upsert within a station, public view."""
from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any, Sequence

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from sqlalchemy import select

from data import reference
from data.activity_tables import SCHEDULE_DAYS, SCHEDULE_TIMES, Training
from data.schema import Station
from matcher.activities import common
from matcher.errors import InvalidInput, NotFound
from matcher.text.extract import canonical_certificate, extract

DAY_LABELS = {"weekday": ["工作日", "周一至周五", "周中", "平日"], "weekend": ["周末", "双休日", "周六日", "周六", "周日"],
              "both": ["工作日和周末", "每天", "全周", "不限"]}
TIME_LABELS = {"day": ["白天", "日间", "上午", "下午", "全天"], "evening": ["晚上", "晚间", "夜间", "夜校"],
               "both": ["白天和晚上", "日夜", "不限"]}
_LEVEL_RE = re.compile(r"\s*[（(]?\s*(五级|四级|三级|二级|一级|初级工?|中级工?|高级工?|技师|高级技师|N\d|[A-C]\d)\s*[）)]?\s*$",
                       re.IGNORECASE)


def certificate_parts(text: str | None) -> tuple[str | None, str | None]:
    """('中式烹调师四级') -> ('厨师证', '四级'): the vocabulary's certificate name and the level, if any.

    Tries the extractor on the text, then the text without its level with and without a trailing 证.
    None when the certificate is not in the bundled vocabulary (the published name is still kept).
    """
    if not text or not str(text).strip():
        return None, None
    text = str(text).strip()
    level_match = _LEVEL_RE.search(text)
    level = level_match.group(1).upper() if level_match else None
    base = _LEVEL_RE.sub("", text).strip() if level_match else text
    for candidate in (base, base + "证", base.removesuffix("证书") + "证", re.sub(r"(职业)?(资格|技能等级)?证书?$", "证", base)):
        name = canonical_certificate(candidate)
        if name:
            return name, level
    # The extractor finds a certificate inside longer text; only a span covering most of the name counts
    # (so 无人机驾驶证 is not taken for 驾驶证).
    for span in extract(text).certificates:
        if len(span.text) >= 0.6 * len(base):
            return span.value, level
    return None, level


def _occupation_name(code: str) -> str | None:
    table = reference.occupations()
    rows = table[table["code"] == code]
    return None if rows.empty else re.sub(r"[SL]+$", "", rows.iloc[0]["name"])


class TrainingInput(BaseModel):
    """One training as a station enters it; Chinese values are accepted and parsed here."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    external_id: str | None = Field(default=None, max_length=100)
    title: str = Field(min_length=1, max_length=200)
    provider: str = Field(default="", max_length=200)
    occupation_code: str | None = Field(default=None, max_length=20)
    certificate: str | None = Field(default=None, max_length=100)
    start_date: date | None = None
    end_date: date | None = None
    schedule_days: str | None = None
    schedule_time: str | None = None
    schedule_text: str = Field(default="", max_length=200)
    duration_hours: float | None = Field(default=None, ge=0, le=5000)
    fee: float | None = Field(default=None, ge=0, le=1_000_000)
    subsidised: bool = False
    eligibility_text: str = Field(default="", max_length=2000)
    seats: common.Seats = None
    registration_deadline: common.Deadline = None
    address: str | None = Field(default=None, max_length=200)
    street: str | None = Field(default=None, max_length=40)
    lat: float | None = Field(default=None, ge=30.6, le=31.9)
    lon: float | None = Field(default=None, ge=120.8, le=122.2)
    note: str = Field(default="", max_length=200)

    @field_validator("start_date", "end_date", mode="before")
    @classmethod
    def _date(cls, value):
        return None if value in (None, "") else common.parse_date(value)

    @field_validator("schedule_days", mode="before")
    @classmethod
    def _days(cls, value):
        return None if value in (None, "") else common.choose(value, DAY_LABELS, "上课日期类型")

    @field_validator("schedule_time", mode="before")
    @classmethod
    def _time(cls, value):
        return None if value in (None, "") else common.choose(value, TIME_LABELS, "上课时段")

    @field_validator("fee", mode="before")
    @classmethod
    def _fee(cls, value):
        return None if value in (None, "") else common.parse_money(value)

    @field_validator("subsidised", mode="before")
    @classmethod
    def _subsidised(cls, value):
        return False if value in (None, "") else common.parse_bool(value)

    @field_validator("duration_hours", mode="before")
    @classmethod
    def _hours(cls, value):
        if value in (None, ""):
            return None
        text = str(value).strip()
        match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(课时|学时|小时|h)?", text)
        if not match:
            raise ValueError("时长应为学时数（如 40 或 40学时）")
        return float(match[1])

    @field_validator("occupation_code")
    @classmethod
    def _code(cls, value):
        if value and _occupation_name(value) is None:
            raise ValueError(f"职业编码“{value}”不在《职业分类大典（2022）》中，格式如 4-07-05-01")
        return value or None

    @model_validator(mode="after")
    def _dates(self) -> "TrainingInput":
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValueError("结束日期早于开班日期")
        return self


def upsert_trainings(service, inputs: Sequence[TrainingInput], station_id: int | None) -> list[int]:
    """Create or update (by external id within `station_id`) in one transaction; returns the ids."""
    if not inputs:
        return []
    places = []
    for n, inp in enumerate(inputs):
        place, error = common.resolve_place(inp.street, inp.address, inp.lat, inp.lon)
        if error:
            raise InvalidInput(error, field="street")
        places.append(place)
    coded = _code(service, [inp for inp in inputs])
    ids = []
    with service.db.session() as session, session.begin():
        if station_id is not None and session.get(Station, station_id) is None:
            raise NotFound(f"服务站点 {station_id} 不存在")
        for inp, place, codes in zip(inputs, places, coded):
            row = None
            if inp.external_id:
                row = session.scalar(select(Training).where(Training.station_id == station_id,
                                                            Training.external_id == inp.external_id))
            if row is None:
                row = Training(station_id=station_id, external_id=inp.external_id, seats_taken=0)
                session.add(row)
            canonical, level = certificate_parts(inp.certificate)
            fields = inp.model_dump(exclude={"street", "address", "lat", "lon", "occupation_code", "external_id"})
            for key, value in fields.items():
                setattr(row, key, value)
            row.certificate_canonical, row.certificate_level = canonical, level
            row.occupation_codes = codes
            common.set_place(row, inp.address, place)
            session.flush()
            ids.append(row.id)
    return ids


def _code(service, inputs: Sequence[TrainingInput]) -> list[list[dict]]:
    """A given 职业编码 wins; otherwise the service's occupation coder (when it runs) codes the title."""
    out: list[list[dict] | None] = []
    to_code = []
    for inp in inputs:
        if inp.occupation_code:
            out.append([{"code": inp.occupation_code, "name": _occupation_name(inp.occupation_code), "given": True}])
        else:
            out.append(None)
            to_code.append(inp)
    coder = getattr(service, "coder", None)
    results = iter(coder.code([re.sub(r"(培训班?|课程|考证班?|取证班?)$", "", i.title) for i in to_code], top_k=3)
                   if coder is not None and to_code else [])
    final = []
    for item in out:
        if item is not None:
            final.append(item)
            continue
        result = next(results, None)
        final.append([] if result is None else [
            {"code": c.code, "name": c.name, "score": round(float(c.score), 3), "level": c.level,
             "confidence": round(float(result.confidence), 3)} for c in result.candidates[:3]])
    return final


def training_public(row: Training, now: datetime, station_names: dict[int, str] | None = None) -> dict[str, Any]:
    is_open, state = common.training_state(row, now)
    occupation = (row.occupation_codes or [None])[0]
    return {
        "id": row.id, "kind": "training", "external_id": row.external_id, "station_id": row.station_id,
        "station": (station_names or {}).get(row.station_id), "title": row.title, "provider": row.provider,
        "occupation": occupation, "certificate": row.certificate, "certificate_canonical": row.certificate_canonical,
        "certificate_level": row.certificate_level,
        "start_date": row.start_date.isoformat() if row.start_date else None,
        "end_date": row.end_date.isoformat() if row.end_date else None,
        "schedule_days": row.schedule_days, "schedule_time": row.schedule_time,
        "schedule": schedule_text(row), "duration_hours": row.duration_hours,
        "fee": row.fee, "subsidised": bool(row.subsidised), "eligibility_text": row.eligibility_text,
        "seats": row.seats, "seats_taken": row.seats_taken, "seats_left": common.seats_left(row),
        "registration_deadline": common.iso(row.registration_deadline),
        "registration_open": is_open, "state": state, "note": row.note, **common.place_public(row),
    }


def schedule_text(row: Training) -> str:
    parts = []
    if row.start_date:
        parts.append(f"{common.cn_date(row.start_date)}开班" + (f"，{common.cn_date(row.end_date)}结束" if row.end_date else ""))
    if row.schedule_days:
        parts.append(SCHEDULE_DAYS[row.schedule_days])
    if row.schedule_time:
        parts.append(SCHEDULE_TIMES[row.schedule_time])
    if row.duration_hours:
        parts.append(f"共{row.duration_hours:g}学时")
    if row.schedule_text:
        parts.append(row.schedule_text)
    return "，".join(parts)


def list_trainings(service, *, station_ids: list[int] | None = None, certificate: str | None = None,
                   include_closed: bool = False, now: datetime | None = None) -> list[dict]:
    now = now or common.utc_now()
    with service.db.session() as session:
        query = select(Training).order_by(Training.start_date, Training.id)
        if station_ids is not None:
            query = query.where(Training.station_id.in_(station_ids))
        if certificate:
            name, _ = certificate_parts(certificate)
            query = query.where(Training.certificate_canonical == (name or certificate))
        names = dict(session.execute(select(Station.id, Station.name)).all())
        rows = [training_public(r, now, names) for r in session.scalars(query)]
    return rows if include_closed else [r for r in rows if r["state"] not in ("已结束", "已取消")]


def get_training(service, training_id: int, now: datetime | None = None) -> dict:
    with service.db.session() as session:
        row = session.get(Training, training_id)
        if row is None:
            raise NotFound(f"培训 {training_id} 不存在")
        names = dict(session.execute(select(Station.id, Station.name)).all())
        return training_public(row, now or common.utc_now(), names)
