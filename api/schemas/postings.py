"""Postings at the edge: what a station sends (PostingCreate / PostingUpdate) and what anyone sees."""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.common import Date, EducationLevel, ExternalKey, Flag, Headcount, Id, Latitude, Longitude, Number, Text
from matcher.inputs import MAX_TEXT

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


class _PostingFields(BaseModel):
    """Raw station wording is accepted (`5000-6500元/月`, `大专及以上`); the domain parses it."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    employer: Text | None = Field(default=None, max_length=200, description="用人单位名称")
    description: Text | None = Field(default=None, max_length=MAX_TEXT, description="岗位描述")
    requirements: Text | None = Field(default=None, max_length=MAX_TEXT, description="任职要求")
    skills: list[Text] | Text | None = Field(default=None, description="技能要求，列表或用逗号、顿号分隔")
    salary: Text | None = Field(default=None, max_length=100,
                                description="薪资原文，如 5000-6500元/月、8K-12K、200-300元/天、面议")
    education: EducationLevel | Text | None = Field(default=None, description="学历要求，如“大专及以上”，或等级 0-6")
    experience: Text | None = Field(default=None, max_length=50, description="经验要求，如 1-3年、经验不限")
    employment_type: Text | None = Field(default=None, max_length=20, description="全职 / 兼职 / 实习 / 见习 / 临时")
    headcount: Headcount | Text | None = Field(default=None, description="招聘人数，如 2 或“若干”")
    street: Text | None = Field(default=None, max_length=60, description="街道名称或代码，如 曲阳路街道")
    address: Text | None = Field(default=None, max_length=200, description="地址；没有坐标时用于估算位置")
    lat: Latitude | None = None
    lon: Longitude | None = None
    expires_at: Date | None = Field(default=None, description="截止日期")
    accessible: Flag | None = Field(default=None, description="是否适合残疾人就业（无障碍岗位）")
    station_id: Id | None = Field(default=None, description="所属服务站点")


class PostingCreate(_PostingFields):
    model_config = ConfigDict(json_schema_extra={"examples": [POSTING_EXAMPLE]})

    title: Text = Field(min_length=1, max_length=100, description="岗位名称")
    external_id: ExternalKey | None = Field(default=None, description="站点自己的岗位编号，重复导入时据此更新")


class PostingUpdate(_PostingFields):
    """Any subset of a posting's fields; unspecified fields keep their values."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"salary": "7000-9000元/月"}]})

    title: Text | None = Field(default=None, min_length=1, max_length=100, description="岗位名称")


class PostingPublic(BaseModel):
    """A posting as anyone may see it (postings hold no personal data)."""

    id: int
    external_id: str | None = None
    title: str
    employer: str | None = None
    description: str | None = None
    requirements: str | None = None
    skills: list[str] = []
    salary: str | None = None
    salary_monthly_min: float | None = None
    salary_monthly_max: float | None = None
    education: int | None = None
    education_name: str | None = None
    experience_min: float | None = None
    experience_max: float | None = None
    employment_type: str | None = None
    headcount: int | None = None
    street_code: str | None = None
    address: str | None = None
    lat: float | None = None
    lon: float | None = None
    location_precision: str | None = None
    location_radius_km: float | None = Field(
        default=None, description="位置误差半径（公里）：地址解析时得到的半径；早于该字段的数据按位置精度的默认半径")
    location_approximate: bool
    station_id: int | None = None
    status: str
    expires_at: str | None = None
    accessible: bool | None = None
    occupation_codes: list[dict[str, Any]] | None = None
    required_skills: list[str] = []
    required_certificates: list[str] = []
    compliance_findings: list[Any] = []
    status_note: str | None = None
