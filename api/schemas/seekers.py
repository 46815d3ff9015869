"""Seekers at the edge: registration, changes, the seeker's own view, services and access records."""
from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.common import Date, EducationLevel, ExternalKey, Flag, Id, Latitude, Longitude, Number, Text
from matcher.inputs import MAX_TEXT

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
# The same rule the domain applies; declared here too so the contract shows it (and a typo never
# travels further than the edge, or into a log).
PHONE_PATTERN = r"^\s*(1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}|0\d{2,3}[\s-]?\d{7,8})\s*$"
Terms = list[Text] | Text


class _SeekerFields(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: Text | None = Field(default=None, max_length=50)
    phone: Text | None = Field(default=None, pattern=PHONE_PATTERN, description="11位手机号或带区号的座机号（列表中打码显示）")
    desired_roles: Terms | None = Field(default=None, description="求职意向")
    skills: Terms | None = None
    education: EducationLevel | Text | None = Field(default=None, description="最高学历，可填“本科”“大专”等")
    experience_years: Number | None = Field(default=None, ge=0, le=60)
    expected_salary: Text | Number | None = Field(default=None, description="期望月薪（元），也可填“6000-8000”等")
    max_commute_minutes: Number | None = Field(default=None, ge=5, le=180, description="可接受的最长通勤时间（分钟）")
    street: Text | None = Field(default=None, max_length=60)
    address: Text | None = Field(default=None, max_length=200)
    lat: Latitude | None = None
    lon: Longitude | None = None
    priority_tags: Terms | None = Field(default=None, description="重点群体：就业困难人员、长期失业青年、残疾人、应届高校毕业生、退役军人、低收入家庭成员")
    sensitive_consent: Flag | None = Field(default=None, description="是否单独同意处理残疾、低收入等敏感信息")


class SeekerCreate(_SeekerFields):
    model_config = ConfigDict(json_schema_extra={"examples": [SEEKER_EXAMPLE]})

    resume_text: Text = Field(min_length=1, max_length=MAX_TEXT, description="简历正文")
    id_number: Text | None = Field(default=None, pattern=r"^\s*\d{17}[\dXx]\s*$", description="身份证号：只保存打码形式与加密散列")
    consent: Flag = Field(description="是否同意按《个人信息保护法》处理其个人信息用于就业服务（登记须为 true；"
                                      "对已登记的外部编号或身份证号填 false 即撤回同意）")
    station_id: Id | None = None
    unemployed_since: Date | None = None
    external_id: ExternalKey | None = None


class SeekerUpdate(_SeekerFields):
    """Any subset of a seeker's fields; unspecified fields keep their values."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"expected_salary": "7000"}]})

    resume_text: Text | None = Field(default=None, min_length=1, max_length=MAX_TEXT)
    consent: Flag | None = Field(default=None, description="false：撤回个人信息处理同意（单独提交；停止匹配、候选名单与工作台名单，服务台账依法保留）；true：重新同意")


class SeekerPublic(BaseModel):
    """The seeker's own record as they (or their counsellor) see it: phone and ID number masked."""

    id: int
    external_id: str | None = None
    name: str | None = None
    phone_masked: str | None = None
    id_number_masked: str | None = None
    resume_text: str
    desired_roles: list[str] = []
    skills: list[str] = []
    education: int | None = None
    experience_years: float | None = None
    expected_salary: float | None = None
    max_commute_minutes: float | None = None
    street_code: str | None = None
    lat: float | None = None
    lon: float | None = None
    location_precision: str | None = None
    location_radius_km: float | None = Field(
        default=None, description="位置误差半径（公里）：地址解析时得到的半径；早于该字段的数据按位置精度的默认半径")
    station_id: int | None = None
    priority_tags: list[str] = Field(default=[], description="重点群体标签（敏感标签仅在单独同意有效时展示）")
    sensitive_consent: bool | None = None
    consent_withdrawn: bool = Field(default=False, description="是否已撤回个人信息处理同意")
    consent_note: str | None = None
    extracted_skills: list[str] = []
    extracted_certificates: list[str] = []
    occupation_codes: list[dict[str, Any]] | None = None


class SeekerExportPublic(BaseModel):
    """Everything stored about a seeker (PIPL art. 45)."""

    model_config = ConfigDict(extra="allow")

    exported_at: str
    profile: dict[str, Any]
    outcomes: list[dict[str, Any]]
    decisions: list[dict[str, Any]]
    shortlists: list[dict[str, Any]]
    services: list[dict[str, Any]]
    interview_sessions: list[dict[str, Any]]
    access_log: list[dict[str, Any]]


class SeekerDeletedPublic(BaseModel):
    deleted: bool
    seeker_id: int
    removed: dict[str, int]
    note: str


class AccessEntryPublic(BaseModel):
    model_config = ConfigDict(extra="allow")

    at: str | None = None
    user: str | None = None
    role: str | None = None
    action: str
    reason: str


class AccessLogPublic(BaseModel):
    seeker_id: int
    entries: list[AccessEntryPublic]


class ServiceCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"service_code": "job_referral", "posting_id": 1}, {"service_code": "职业指导"},
        {"service_code": "job_referral", "posting_id": 1, "outcome": "hired"},
    ]})

    service_code: Text = Field(min_length=1, max_length=32, description="服务类型代码或中文名：职业指导、岗位推荐、招聘会陪同、培训推荐、心理疏导、模拟面试、创业指导")
    posting_id: Id | None = Field(default=None, description="相关岗位（岗位推荐、结果记录时填写）")
    outcome: Literal["applied", "interviewed", "hired"] | None = Field(default=None, description="结果：已投递 / 已面试 / 已录用")


class ServicePublic(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: int
    service_code: str
    service: str | None = None
    posting_id: int | None = None
    outcome: str | None = None


class ServicesPublic(BaseModel):
    seeker_id: int
    services: list[ServicePublic]
