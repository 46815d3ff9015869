"""Validated inputs for postings and seekers, shared by the JSON API and the bulk importer.

Raw station wording (`5000-6500元/月`, `大专及以上`, `1-3年`, `见习`) is accepted and normalised here;
every error message is Chinese and names what to fix.
"""
from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from matcher.text.normalise import is_blank
from matcher.text.parsing import EDUCATION_LEVELS, FieldError, parse_education, parse_experience, parse_headcount, parse_salary
from data.schema import EMPLOYMENT_TYPES, PRIORITY_GROUPS

MAX_TEXT = 20_000

_EMPLOYMENT_WORDS = {
    "全职": "full_time", "兼职": "part_time", "实习": "internship", "见习": "traineeship",
    "就业见习": "traineeship", "临时": "temporary", "小时工": "temporary", "钟点工": "temporary",
    "临时工": "temporary", "日结": "temporary",
}
_PRIORITY_WORDS = {name: key for key, name in PRIORITY_GROUPS.items()} | {
    "困难人员": "employment_difficulty", "就困": "employment_difficulty", "长期失业": "long_term_unemployed_youth",
    "残疾": "disabled", "残疾人员": "disabled", "应届毕业生": "graduate", "毕业生": "graduate",
    "高校毕业生": "graduate", "退役": "veteran", "退伍军人": "veteran", "低保": "low_income", "低收入": "low_income",
}
_YES = {"是", "有", "可", "y", "yes", "true", "1", "√", "✓"}


def _split_terms(value: Any) -> list[str]:
    if is_blank(value):
        return []
    if isinstance(value, (list, tuple)):
        items = [str(v) for v in value]
    else:
        items = re.split(r"[,，、;；/|\n]+", str(value))
    return [item.strip() for item in items if item and item.strip()]


def _employment_type(value: Any) -> str:
    if is_blank(value):
        return "full_time"
    text = str(value).strip()
    if text in EMPLOYMENT_TYPES:
        return text
    for word, key in _EMPLOYMENT_WORDS.items():
        if word in text:
            return key
    raise ValueError(f"无法识别用工形式“{text}”，请填写：全职、兼职、实习、见习或临时")


def _to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return not is_blank(value) and str(value).strip().lower() in _YES


def _coordinate(value: Any, low: float, high: float, name: str) -> float | None:
    if is_blank(value):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name}应为数字（WGS-84），实际为“{value}”") from None
    if not low <= number <= high:
        raise ValueError(f"{name}{number} 超出上海范围（{low}–{high}），请检查是否填反了经纬度")
    return number


def _education_level(value: Any) -> int | None:
    if is_blank(value):
        return None
    if isinstance(value, int) and value in EDUCATION_LEVELS:
        return value
    return parse_education(str(value))


def _salary_text(value: Any) -> str | None:
    if is_blank(value):
        return None
    text = str(value).strip()
    parse_salary(text)  # raises FieldError (a ValueError) with the reason
    return text


def _monthly_expectation(value: Any) -> float | None:
    if is_blank(value):
        return None
    if isinstance(value, (int, float)):
        salary = parse_salary(f"{value}元/月")
    else:
        text = str(value)
        salary = parse_salary(text if re.search(r"[元kK千万/薪天时年月]", text) else f"{text}元/月")
    return salary.monthly_min if salary and salary.monthly_min else None


def _headcount(value: Any) -> int | None:
    if is_blank(value):
        return None
    return value if isinstance(value, int) else parse_headcount(str(value))


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value


def _priority_tags(value: Any) -> list[str]:
    tags = []
    for term in _split_terms(value):
        key = term if term in PRIORITY_GROUPS else _PRIORITY_WORDS.get(term)
        if key is None:
            known = "、".join(PRIORITY_GROUPS.values())
            raise ValueError(f"无法识别重点群体“{term}”，可填：{known}")
        tags.append(key)
    return sorted(set(tags))


# Reusable field types: each accepts a station's raw wording and stores one normal form.
EducationLevel = Annotated[int | None, BeforeValidator(_education_level)]  # “大专及以上” -> 3
Terms = Annotated[list[str], BeforeValidator(_split_terms)]  # “Excel、Word” -> ["Excel", "Word"]
SalaryText = Annotated[str | None, BeforeValidator(_salary_text)]  # checked, kept as written
MonthlySalary = Annotated[float | None, BeforeValidator(_monthly_expectation)]  # “6000-8000” -> 6000.0
Headcount = Annotated[int | None, BeforeValidator(_headcount)]
EmploymentType = Annotated[str, BeforeValidator(_employment_type)]
Flag = Annotated[bool, BeforeValidator(_to_bool)]  # 是 / 有 / √ / yes -> True
PriorityTags = Annotated[list[str], BeforeValidator(_priority_tags)]
AwareDatetime = Annotated[datetime | None, AfterValidator(_aware)]
Latitude = Annotated[float | None, BeforeValidator(lambda value: _coordinate(value, 30.6, 31.9, "纬度"))]
Longitude = Annotated[float | None, BeforeValidator(lambda value: _coordinate(value, 120.8, 122.2, "经度"))]


class _Located(BaseModel):
    street: str | None = Field(default=None, description="街道名称或代码，如 曲阳路街道 / 310109010")
    address: str | None = Field(default=None, max_length=200, description="地址；没有坐标时用于估算位置")
    lat: Latitude = Field(default=None, description="纬度（WGS-84）")
    lon: Longitude = Field(default=None, description="经度（WGS-84）")

    @model_validator(mode="after")
    def _pair(self):
        if (self.lat is None) != (self.lon is None):
            raise ValueError("纬度和经度需同时填写，或都不填（可只填街道或地址）")
        return self


class PostingInput(_Located):
    """One job posting as a station records it."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    title: str = Field(min_length=1, max_length=100, description="岗位名称")
    employer: str | None = Field(default=None, max_length=200, description="用人单位名称")
    description: str = Field(default="", max_length=MAX_TEXT, description="岗位描述")
    requirements: str = Field(default="", max_length=MAX_TEXT, description="任职要求")
    skills: Terms = Field(default_factory=list, description="技能要求，可用逗号、顿号分隔")
    salary: SalaryText = Field(default=None, description="薪资原文，如 5000-6500元/月、8K-12K、200-300元/天、面议、年薪15万")
    education: EducationLevel = Field(default=None, description="学历要求：可填“大专及以上”“本科”等，存为等级 0-6")
    experience_min: float | None = Field(default=None, description="最少工作年限")
    experience_max: float | None = None
    employment_type: EmploymentType = Field(default="full_time", description="全职 / 兼职 / 实习 / 见习 / 临时")
    days_per_week: float | None = Field(default=None, gt=0, le=7, description="每周工作天数（如“4天/周”）；日薪按此折算月薪")
    headcount: Headcount = Field(default=None, ge=1, le=10_000, description="招聘人数")
    station_id: int | None = None
    expires_at: AwareDatetime = Field(default=None, description="截止日期")
    accessible: Flag = Field(default=False, description="是否适合残疾人就业（无障碍岗位）")
    external_id: str | None = Field(default=None, max_length=100, description="站点自己的岗位编号，重复导入时据此更新")

    @model_validator(mode="before")
    @classmethod
    def _raw_fields(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        if "experience" in data:
            raw = data.pop("experience")
            parsed = parse_experience(raw) if not is_blank(raw) else None
            if parsed:
                data.setdefault("experience_min", parsed[0])
                data.setdefault("experience_max", parsed[1])
        return data

    @field_validator("title")
    @classmethod
    def _title(cls, value: str) -> str:
        if not re.search(r"[\u4e00-\u9fffA-Za-z]", value):
            raise ValueError("岗位名称需包含文字，如“养老护理员”")
        return value


class SeekerInput(_Located):
    """One job-seeker's registration. Personal fields are handled as described in matcher.privacy."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    resume_text: str = Field(min_length=1, max_length=MAX_TEXT, description="简历正文")
    name: str | None = Field(default=None, max_length=50)
    phone: str | None = Field(default=None, description="手机号（列表中会打码显示）")
    id_number: str | None = Field(default=None, description="身份证号：只保存打码形式与加密散列")
    desired_roles: Terms = Field(default_factory=list, description="求职意向")
    skills: Terms = Field(default_factory=list)
    education: EducationLevel = Field(default=None, description="最高学历，可填“本科”“大专”等")
    experience_years: float | None = Field(default=None, ge=0, le=60)
    expected_salary: MonthlySalary = Field(default=None, description="期望月薪（元），也可填“6000-8000”等")
    max_commute_minutes: float | None = Field(default=None, ge=5, le=180, description="可接受的最长通勤时间（分钟）")
    station_id: int | None = None
    priority_tags: PriorityTags = Field(default_factory=list, description="重点群体：就业困难人员、长期失业青年、残疾人、应届高校毕业生、退役军人、低收入家庭成员")
    consent: Flag = Field(default=False, description="是否同意按《个人信息保护法》处理其个人信息用于就业服务")
    sensitive_consent: Flag = Field(default=False, description="是否单独同意处理残疾、低收入等敏感信息")
    unemployed_since: datetime | None = None
    external_id: str | None = Field(default=None, max_length=100)

    @field_validator("phone", mode="before")
    @classmethod
    def _phone(cls, value):
        if is_blank(value):
            return None
        digits = re.sub(r"[\s-]", "", str(value))
        if not re.fullmatch(r"1[3-9]\d{9}|0\d{2,3}\d{7,8}", digits):
            raise ValueError(f"手机号“{value}”格式不对，应为11位手机号或带区号的座机号")
        return digits

    @field_validator("id_number", mode="before")
    @classmethod
    def _id_number(cls, value):
        if is_blank(value):
            return None
        text = str(value).strip().upper()
        if not re.fullmatch(r"\d{17}[\dX]", text):
            raise ValueError("身份证号应为18位（最后一位可为X）")
        return text

    @model_validator(mode="after")
    def _consent(self):
        if not self.consent:
            raise ValueError("需先取得求职者对个人信息处理的同意（consent=true）才能登记")
        return self


def field_error_message(exc: Exception) -> str:
    return str(exc.args[0]) if isinstance(exc, FieldError) and exc.args else str(exc)
