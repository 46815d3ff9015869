"""Request and response schemas of the HTTP API (separate from domain types), with Chinese examples."""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from matcher.inputs import MAX_TEXT, PostingInput, SeekerInput

POSTING_EXAMPLE = {
    "title": "平面设计助理",
    "employer": "上海虹口某文化传媒有限公司",
    "description": "协助设计师完成海报、宣传册和新媒体配图设计。",
    "requirements": "1. 视觉传达或相关专业，大专及以上；2. 熟练使用Photoshop、Illustrator；3. 有作品集者优先。",
    "skills": ["Photoshop", "Illustrator"],
    "salary": "6000-8000元/月",
    "education": "大专及以上",
    "experience": "经验不限",
    "employment_type": "全职",
    "headcount": 2,
    "street": "曲阳路街道",
    "address": "虹口区玉田路",
}
SEEKER_EXAMPLE = {
    "resume_text": "2024年视觉传达设计专业本科毕业，熟练使用Photoshop、Illustrator，做过校园海报和公众号排版。",
    "desired_roles": ["平面设计"],
    "education": "本科",
    "expected_salary": "6000",
    "street": "广中路街道",
    "max_commute_minutes": 40,
    "priority_tags": ["应届高校毕业生"],
    "consent": True,
}


class PostingCreate(PostingInput):
    model_config = ConfigDict(json_schema_extra={"examples": [POSTING_EXAMPLE]})


class PostingUpdate(BaseModel):
    """Any subset of a posting's fields; unspecified fields keep their values."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"salary": "7000-9000元/月"}]})

    title: str | None = None
    employer: str | None = None
    description: str | None = Field(default=None, max_length=MAX_TEXT)
    requirements: str | None = Field(default=None, max_length=MAX_TEXT)
    skills: list[str] | str | None = None
    salary: str | None = None
    education: str | int | None = None
    experience: str | None = None
    employment_type: str | None = None
    headcount: int | str | None = None
    street: str | None = None
    address: str | None = None
    lat: float | None = None
    lon: float | None = None
    expires_at: str | None = None
    accessible: bool | None = None
    station_id: int | None = None


class SeekerCreate(SeekerInput):
    model_config = ConfigDict(json_schema_extra={"examples": [SEEKER_EXAMPLE]})


class SeekerUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"expected_salary": "7000"}]})

    resume_text: str | None = Field(default=None, max_length=MAX_TEXT)
    name: str | None = None
    phone: str | None = None
    desired_roles: list[str] | str | None = None
    skills: list[str] | str | None = None
    education: str | int | None = None
    experience_years: float | None = None
    expected_salary: str | float | None = None
    max_commute_minutes: float | None = None
    street: str | None = None
    address: str | None = None
    lat: float | None = None
    lon: float | None = None
    priority_tags: list[str] | str | None = None
    sensitive_consent: bool | None = None


class MatchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "resume_text": "视觉传达设计专业本科应届生，熟练Photoshop、Illustrator，做过海报和公众号排版。",
        "street": "曲阳路街道", "k": 5,
    }]})

    resume_text: str = Field(min_length=1, max_length=MAX_TEXT, description="粘贴的简历内容（不会被保存）")
    lat: float | None = Field(default=None, ge=30.6, le=31.9)
    lon: float | None = Field(default=None, ge=120.8, le=122.2)
    street: str | None = Field(default=None, description="街道名称，没有坐标时用于估算位置")
    address: str | None = Field(default=None, max_length=200)
    k: int = Field(default=10, ge=1, le=100)
    max_commute_minutes: float | None = Field(default=None, ge=5, le=180)
    min_salary: float | None = Field(default=None, ge=0, le=200000, description="最低月薪（元）")
    accessible_only: bool = False


class MatchResult(BaseModel):
    posting_id: int
    title: str
    employer: str
    score: float
    breakdown: dict[str, float]
    similarity: float
    matched: list[str]
    missing: list[str]
    salary: str | None
    commute_minutes: float | None
    commute_mode: str | None
    distance_km: float | None
    within_15min: bool | None = Field(description="null：位置不够精确，无法判断是否在15分钟服务圈内")
    location_approximate: bool
    travel: str | None = None
    occupation: str | None = None
    explanation: str


class MatchResponse(BaseModel):
    results: list[MatchResult]


class ImportReport(BaseModel):
    kind: str
    total_rows: int
    imported: int
    skipped: int
    ids: list[int]
    errors: list[dict[str, Any]]
    unknown_columns: list[str]
    column_mapping: dict[str, str]
