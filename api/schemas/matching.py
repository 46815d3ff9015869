"""Matching at the edge: the request, and the one declaration of a match result's keys."""
from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.activities import EventPublic, TrainingPublic
from api.schemas.common import Count, Flag, Latitude, Longitude, Number, Text
from matcher.inputs import MAX_TEXT


class MatchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "resume_text": "视觉传达设计专业本科应届生，熟练Photoshop、Illustrator，做过海报和公众号排版。",
        "street": "曲阳路街道", "k": 5,
    }]})

    resume_text: Text = Field(min_length=1, max_length=MAX_TEXT, description="粘贴的简历内容（不会被保存）")
    lat: Latitude | None = None
    lon: Longitude | None = None
    street: Text | None = Field(default=None, max_length=60, description="街道名称，没有坐标时用于估算位置")
    address: Text | None = Field(default=None, max_length=200)
    k: Count = Field(default=10, ge=1, le=100)
    max_commute_minutes: Number | None = Field(default=None, ge=5, le=180)
    min_salary: Number | None = Field(default=None, ge=0, le=200000, description="最低月薪（元）")
    accessible_only: Flag = False


class MatchResult(BaseModel):
    """One recommended posting with its score breakdown and Chinese explanation (keys declared only here)."""

    posting_id: int
    title: str
    employer: str | None = None
    score: float
    breakdown: dict[str, float]
    similarity: float
    matched: list[str]
    missing: list[str]
    salary: str | None = None
    commute_minutes: float | None = None
    commute_mode: str | None = None
    distance_km: float | None = None
    within_15min: bool | None = Field(description="null：位置不够精确，无法判断是否在15分钟服务圈内")
    location_approximate: bool
    travel: str | None = None
    occupation: str | None = None
    explanation: str
    relevance: float | None = Field(default=None, description="与求职者工作方向的相关度（0-1）")
    gates: list[dict] = Field(default_factory=list, description="未通过的资格条件：证书、班次、求职意向")
    duplicate_of: int | None = None
    weak: bool = False


class MatchResponse(BaseModel):
    results: list[MatchResult]
    message: str | None = Field(default=None, description="没有合适岗位时的说明")
    weak_alternatives: list[MatchResult] = Field(default_factory=list, description="相关度较低、仅供参考的岗位")


class NearbyPosting(BaseModel):
    model_config = ConfigDict(extra="allow")

    posting_id: int
    title: str
    employer: str | None = None
    salary: str | None = None
    distance_km: float | None = None
    commute_minutes: float | None = None
    within_15min: bool | None = None
    travel: str | None = None
    location_approximate: bool


class NearbyStation(BaseModel):
    model_config = ConfigDict(extra="allow")

    station_id: int
    name: str
    kind: str | None = None
    distance_km: float | None = None
    commute_minutes: float | None = None
    travel: str | None = None
    address: str | None = None


class NearbyResponse(BaseModel):
    origin: dict[str, Any]
    radius_km: float
    kinds: list[Literal["jobs", "stations", "trainings", "events"]] = Field(description="本次查询的类别")
    modes: list[str] | None = Field(default=None, description="通勤估算采用的出行方式；为空时按默认方式")
    now: str | None = None
    postings: list[NearbyPosting] | None = Field(default=None, description="附近的岗位（kinds 含 jobs 时；未查询为 null）")
    stations: list[NearbyStation] | None = Field(default=None, description="附近的就业服务站点（kinds 含 stations 时）")
    trainings: list[TrainingPublic] | None = Field(
        default=None, description="附近的培训（kinds 含 trainings 时）；报名已截止、开班或满员的标明 registration_open=false")
    events: list[EventPublic] | None = Field(default=None, description="附近即将举办的活动（kinds 含 events 时）；已结束的从不列出")


class CodeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "titles": ["急招保安（包吃住）", "拼多多运营", "蛋糕裱花师"], "top_k": 3}]})

    titles: list[Text] = Field(min_length=1, max_length=1000, description="岗位名称或求职意向，每项一个")
    top_k: Count = Field(default=5, ge=1, le=20)


class OccupationCandidate(BaseModel):
    code: str
    name: str
    score: float
    level: Any = None


class OccupationCode(BaseModel):
    model_config = ConfigDict(extra="allow")

    title: str
    candidates: list[OccupationCandidate]
    confidence: float
    level: Any = None
    note: str | None = None
    seniority: list[Any] = []


class CodeResponse(BaseModel):
    results: list[OccupationCode]


class HealthPublic(BaseModel):
    status: str


class ReadyPublic(BaseModel):
    model_config = ConfigDict(extra="allow")

    status: str
    postings_open: int | None = None
    seekers: int | None = None
    stations: int | None = None
    index_size: int | None = None
