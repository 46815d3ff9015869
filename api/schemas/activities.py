"""Response models of trainings (培训) and events (活动), shared by `/activities/...` and `/nearby`."""
from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field


class Commute(BaseModel):
    minutes: float | None = Field(description="分钟；位置只精确到区时为空")
    mode: str | None = None
    distance_km: float | None = None
    within_15min: bool | None = Field(description="是否在15分钟内；位置太粗时为空（无法判断）")
    travel: str
    approximate: bool
    coarse: bool = False
    minutes_range: list[float] | None = Field(default=None, description="两端位置可能重合时的分钟范围（最快-最慢）")


class Located(BaseModel):
    address: str | None = None
    street_code: str | None = None
    street_name: str | None = None
    lat: float | None = None
    lon: float | None = None
    location_precision: str | None = None
    location_radius_km: float | None = Field(
        default=None, description="位置误差半径（公里）：地址解析时得到的半径；早于该字段的数据按位置精度的默认半径")
    location_approximate: bool = False
    location_note: str = ""


class TrainingPublic(Located):
    id: int
    kind: Literal["training"] = "training"
    external_id: str | None = None
    station_id: int | None = None
    station: str | None = None
    title: str
    provider: str
    occupation: dict[str, Any] | None = None
    certificate: str | None = None
    certificate_canonical: str | None = None
    certificate_level: str | None = None
    start_date: str | None = None
    end_date: str | None = None
    schedule_days: str | None = None
    schedule_time: str | None = None
    schedule: str
    duration_hours: float | None = None
    fee: float | None = None
    subsidised: bool
    eligibility_text: str
    seats: int | None = None
    seats_taken: int
    seats_left: int | None = None
    registration_deadline: str | None = None
    registration_open: bool = Field(description="报名是否开放：截止、开班、满员后为 false")
    state: str
    note: str = ""
    commute: Commute | None = None


class FairPosting(BaseModel):
    employer: str
    title: str | None = None
    posting_ref: str | None = None
    posting_id: int | None = None
    linked: bool


class EventPublic(Located):
    id: int
    kind: Literal["event"] = "event"
    event_kind: str
    event_kind_name: str
    external_id: str | None = None
    station_id: int | None = None
    station: str | None = None
    title: str
    starts_at: str
    ends_at: str | None = None
    when: str
    link: str | None = None
    online: bool
    organiser: str
    description: str
    seats: int | None = None
    seats_taken: int
    seats_left: int | None = None
    registration_deadline: str | None = None
    registration_open: bool
    state: str
    employers: list[str]
    postings: list[FairPosting]
    commute: Commute | None = None


class Origin(BaseModel):
    lat: float
    lon: float
    precision: str
    approximate: bool
    note: str
