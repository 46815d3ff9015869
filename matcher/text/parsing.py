"""Parsers for the field formats found in Shanghai station spreadsheets (学历, 经验, 薪资, 招聘人数).

All functions are pure. Blank input gives ``None``; text that cannot be understood, or a value that is
clearly wrong (``5-6元/月``), raises :class:`FieldError` whose message is Chinese and says what to fix,
so an importer can show it to the counsellor next to the offending cell.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

from matcher.text.normalise import compact, is_blank

EDUCATION_LEVELS: dict[int, str] = {0: "不限", 1: "初中", 2: "高中/中专", 3: "大专", 4: "本科", 5: "硕士", 6: "博士"}

# Statutory conversion factors (人社部: 月计薪天数 21.75, 月工作小时 174).
DAYS_PER_MONTH = 21.75
HOURS_PER_MONTH = 174.0
MONTHS_PER_YEAR = 12.0
# Plausibility bounds on a monthly salary; Shanghai's 2023 minimum wage is 2,690 元, so anything under
# 1,000 is almost always a unit slip (千元 written as 元, 日薪 written as 月薪).
MONTHLY_MIN_PLAUSIBLE = 1000.0
MONTHLY_MAX_PLAUSIBLE = 200000.0


class FieldError(ValueError):
    """A spreadsheet cell that cannot be stored as is; the message (Chinese) says what to fix."""


def _normalise(text: str) -> str:
    return compact(text)


def _is_blank(text: object) -> bool:
    return is_blank(text, placeholders=True)


_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def _cn_to_number(token: str) -> float | None:
    """'3' -> 3, '一' -> 1, '十五' -> 15, '二十' -> 20, '半' -> 0.5, '一年半' handled by caller."""
    if not token:
        return None
    if re.fullmatch(r"\d+(?:\.\d+)?", token):
        return float(token)
    if token == "半":
        return 0.5
    if "十" in token:
        tens, _, ones = token.partition("十")
        t = _CN_DIGITS.get(tens, None) if tens else 1
        o = _CN_DIGITS.get(ones, None) if ones else 0
        if t is None or o is None:
            return None
        return float(t * 10 + o)
    if len(token) == 1 and token in _CN_DIGITS:
        return float(_CN_DIGITS[token])
    return None


_NUM = r"(\d+(?:\.\d+)?|[零〇一二两三四五六七八九十]{1,3}|半)"


# --------------------------------------------------------------------------------------------- 学历

_EDU_KEYWORDS: list[tuple[str, int]] = [
    ("博士", 6),
    ("硕士", 5), ("研究生", 5),
    ("本科", 4), ("学士", 4), ("大学", 4),
    ("大专", 3), ("专科", 3), ("高职", 3), ("高专", 3),
    ("中专", 2), ("高中", 2), ("技校", 2), ("职高", 2), ("中技", 2), ("中职", 2),
    ("初中", 1),
    ("小学", 0), ("不限", 0), ("无要求", 0), ("无限制", 0),
]


def parse_education(text: str | None) -> int | None:
    """Minimum education level (key of EDUCATION_LEVELS); '大专及以上' -> 3, '中专/高中' -> 2.

    Alternatives separated by '/', '、', '或' give the lowest level (any of them is accepted).
    """
    if _is_blank(text):
        return None
    norm = _normalise(text)
    levels = []
    for piece in re.split(r"[/|、,，或]", norm):
        if not piece:
            continue
        # 大学专科 is a 大专 degree, not 本科; check the more specific phrase first.
        piece = piece.replace("大学专科", "专科").replace("大学本科", "本科")
        found = [level for word, level in _EDU_KEYWORDS if word in piece]
        if found:
            levels.append(max(found))
    if not levels:
        raise FieldError(
            f"无法识别学历“{text}”：请填写 不限、初中、高中/中专、大专、本科、硕士 或 博士（可加“及以上”）"
        )
    return min(levels)


# --------------------------------------------------------------------------------------------- 经验

_NO_EXPERIENCE = ("不限", "无经验", "无要求", "应届", "在校", "无需", "零经验", "不需要", "可培训", "无工作经验", "接受小白")


def parse_experience(text: str | None) -> tuple[float, float | None] | None:
    """(minimum years, maximum years or None): '1-3年' -> (1, 3), '3年以上' -> (3, None), '经验不限' -> (0, None)."""
    if _is_blank(text):
        return None
    norm = _normalise(text)
    if any(word in norm for word in _NO_EXPERIENCE):
        return (0.0, None)
    norm = norm.replace("个月", "月").replace("一年半", "1.5年")
    unit = r"(年|月)"
    m = re.search(_NUM + r"-" + _NUM + unit, norm)
    if m:
        low, high = _cn_to_number(m.group(1)), _cn_to_number(m.group(2))
        if low is not None and high is not None:
            scale = 1 / 12 if m.group(3) == "月" else 1
            low, high = round(low * scale, 2), round(high * scale, 2)
            if low > high:
                raise FieldError(f"经验要求“{text}”的下限大于上限：请写成“{high:g}-{low:g}年”")
            return (low, high)
    m = re.search(_NUM + unit + r"(以下|以内|之内)", norm)
    if m:
        value = _cn_to_number(m.group(1))
        if value is not None:
            return (0.0, round(value / 12 if m.group(2) == "月" else value, 2))
    m = re.search(_NUM + unit, norm)
    if m:
        value = _cn_to_number(m.group(1))
        if value is not None:
            years = round(value / 12 if m.group(2) == "月" else value, 2)
            if years > 50:
                raise FieldError(f"经验要求“{text}”超过50年，不合理：请检查是否多写了数字")
            return (years, None)
    raise FieldError(f"无法识别经验要求“{text}”：请写成“经验不限”“1-3年”或“3年以上”这样的格式")


# --------------------------------------------------------------------------------------------- 薪资

_UNIT_LABEL = {"month": "月", "day": "天", "hour": "小时", "year": "年", "piece": "件"}


@dataclass(frozen=True)
class Salary:
    """A parsed salary: bounds in 元 per `unit`; `text` is the original cell."""

    min: float | None
    max: float | None
    unit: str | None  # "month" | "day" | "hour" | "year" | "piece"
    negotiable: bool
    text: str
    days_per_week: float | None = None  # a stated schedule (4天/周): a day rate x days x 52/12 per month

    def _monthly(self, value: float | None) -> float | None:
        if value is None or self.unit is None:
            return None
        days = self.days_per_week * 52 / 12 if self.days_per_week else DAYS_PER_MONTH
        factor = {"month": 1.0, "day": days, "hour": HOURS_PER_MONTH, "year": 1 / MONTHS_PER_YEAR}
        if self.unit not in factor:
            return None  # piece rates cannot be converted without a volume
        return round(value * factor[self.unit], 2)

    @property
    def monthly_min(self) -> float | None:
        return self._monthly(self.min)

    @property
    def monthly_max(self) -> float | None:
        return self._monthly(self.max)


_UNIT_PATTERNS: list[tuple[str, str]] = [
    ("year", r"年薪|/年|每年|元年|一年"),
    ("hour", r"时薪|/小时|每小时|元小时|/时|/h\b|一小时|/h$"),
    ("day", r"日薪|/天|/日|每天|元天|一天|/d\b|/d$"),
    ("piece", r"计件|/件|每件|/单|每单"),
    ("month", r"月薪|/月|每月|元月|/m\b|/m$"),
]
# The one pattern for a salary written inside free text (`extract` reads resumes and postings with it).
_SALARY_NUM = r"\d+(?:\.\d+)?\s*[kKwW千万]?"
SALARY_SPAN = re.compile(
    r"(?:(年薪|月薪|日薪|时薪|底薪)\s*[:：]?\s*)?"
    rf"({_SALARY_NUM}\s*(?:元|块)?\s*(?:[-~～至到—]\s*{_SALARY_NUM})?)"
    r"\s*(元|块)?\s*((?:/|每|一)\s*(?:月|天|日|小时|时|年|件|单|h))?"
    r"(\s*[·.]?\s*\d{2}薪)?(以上|起|\+)?"
)
_MULTIPLIER = {"k": 1000.0, "千": 1000.0, "w": 10000.0, "万": 10000.0}
_AMOUNT = r"(\d+(?:\.\d+)?)(k|千|w|万)?"


def _detect_unit(norm: str) -> str | None:
    for unit, pattern in _UNIT_PATTERNS:
        if re.search(pattern, norm):
            return unit
    return None


def parse_salary(text: str | None) -> Salary | None:
    """Parse a salary cell; '8k-12k·13薪' -> 8000-12000 per month, '面议' -> negotiable with no numbers.

    Raises FieldError for unreadable text and for implausible values (monthly under 1,000 or over
    200,000 元 after conversion, minimum above maximum).
    """
    if _is_blank(text):
        return None
    original = str(text).strip()
    norm = _normalise(original)
    negotiable = "面议" in norm or "面谈" in norm or "协商" in norm
    # Bonus months (13薪) and dates are not part of the rate.
    norm_numbers = re.sub(r"\d+薪", "", norm)
    unit = _detect_unit(norm_numbers)

    low = high = None
    m = re.search(_AMOUNT + r"元?-" + _AMOUNT, norm_numbers)
    if m:
        low_mult = m.group(2) or m.group(4)  # '8-12k': the trailing multiplier covers both ends
        high_mult = m.group(4) or m.group(2)
        low = float(m.group(1)) * _MULTIPLIER.get(low_mult, 1.0)
        high = float(m.group(3)) * _MULTIPLIER.get(high_mult, 1.0)
    else:
        m = re.search(_AMOUNT, norm_numbers)
        if m:
            value = float(m.group(1)) * _MULTIPLIER.get(m.group(2), 1.0)
            rest = norm_numbers[m.end():]
            if re.match(r"元?[^0-9]{0,3}?(以上|起|\+|及以上|左右起)", rest) or "底薪" in norm_numbers[: m.start()]:
                low = value
            elif re.match(r"元?[^0-9]{0,3}?(以下|以内)", rest):
                high = value
            else:
                low = high = value

    if low is None and high is None:
        if negotiable:
            return Salary(None, None, None, True, original)
        raise FieldError(f"无法识别薪资“{original}”：请写成“5000-6500元/月”“200元/天”或“面议”这样的格式")

    if unit is None:
        # Bare '15万' style amounts in the tens of thousands per year are how annual pay is quoted.
        unit = "month"
    salary = Salary(low, high, unit, negotiable, original)
    _check_salary(salary)
    return salary


def _check_salary(salary: Salary) -> None:
    text = salary.text
    if salary.min is not None and salary.max is not None and salary.min > salary.max:
        raise FieldError(
            f"薪资“{text}”的下限 {salary.min:g} 大于上限 {salary.max:g}：请检查是否写反，"
            f"应为“{salary.max:g}-{salary.min:g}”"
        )
    if salary.unit == "piece":
        return
    unit_label = _UNIT_LABEL[salary.unit]
    for monthly in (salary.monthly_min, salary.monthly_max):
        if monthly is None:
            continue
        if monthly < MONTHLY_MIN_PLAUSIBLE:
            hint = "是否应为“千元/月”（如5k-6k）或日薪/时薪" if salary.unit == "month" else f"按每{unit_label}计算是否有误"
            raise FieldError(
                f"薪资“{text}”明显不合理：折合月薪约{monthly:g}元，月薪应在{MONTHLY_MIN_PLAUSIBLE:g}元以上，"
                f"请检查单位（{hint}）"
            )
        if monthly > MONTHLY_MAX_PLAUSIBLE:
            raise FieldError(
                f"薪资“{text}”明显不合理：折合月薪约{monthly:g}元，超过{MONTHLY_MAX_PLAUSIBLE:g}元，"
                f"请检查是否多写了零，或单位应为“元/年”"
            )


# --------------------------------------------------------------------------------------------- 人数

def parse_headcount(text: str | None) -> int | None:
    """Number of openings: '3人' -> 3, '10' -> 10, '3-5人' -> 5 (upper bound), '若干'/'不限' -> None."""
    if _is_blank(text):
        return None
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        value = float(text)
        values = [value]
    else:
        norm = _normalise(text)
        if any(word in norm for word in ("若干", "不限", "多名", "数名", "大量", "长期")):
            return None
        values = [_cn_to_number(tok) for tok in re.findall(_NUM, norm)]
        values = [v for v in values if v is not None]
        if not values:
            raise FieldError(f"无法识别招聘人数“{text}”：请填写数字（如“3”或“3人”），人数不定可写“若干”")
    value = max(values)
    if value != int(value) or value < 1:
        raise FieldError(f"招聘人数“{text}”不合理：应为至少1的整数，人数不定可写“若干”")
    if value > 10000:
        raise FieldError(f"招聘人数“{text}”超过10000，不合理：请检查是否多写了数字")
    return int(value)
