"""Title cleaning for occupation coding: strip what job boards and station spreadsheets add to a title.

NFKC and lower case; drop bracketed asides, urgency words (急招/诚聘/高薪), benefits (包吃住/五险一金),
salaries, headcounts, Shanghai place names and platform/company names; pull seniority words
(主管/经理/高级/实习...) out as a separate signal; split several titles joined by '/'. Each title gives
a few *variants* (with and without seniority words, each '/' part); `core` are the variants worth
the encoder's time.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Sequence

_MARKER = re.compile(r"(?<=[\u4e00-\u9fff])(?:L/S|S/L|L|S)$")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_BRACKETS = re.compile(r"[（(【\[「『<《{][^）)】\]」』>》}]*[）)】\]」』>》}]")
_URGENCY = re.compile(r"急招|急聘|诚聘|诚招|高薪诚聘|高薪|热招|直招|急需|急缺|长期招聘?|大量招聘?|招聘|招募|聘请|^招")
_BENEFITS = re.compile(
    r"包吃包住|包吃住|包食宿|包住宿|包住|包吃|管吃住|五险一金|六险一金|五险|社保|双休|单休|周末双休|做一休一|长白班|"
    r"日结|周结|月结|高提成|提成|底薪|年终奖|带薪年假|节假日福利|入职即缴|免费培训|可培训|包培训|无经验可|经验不限|"
    r"男女不限|限男性?|限女性?|不限|兼职|全职|临时工?|长期|多名|若干|可居家|居家办公|持证优先|持证|优先|以下|以上|岁"
)
_SALARY = re.compile(
    r"(?:月薪|日薪|时薪|年薪|底薪|薪资|工资)?\s*(?<![a-z0-9.])\d+(?:\.\d+)?\s*[kw千万]?"
    r"(?:\s*[-~]\s*\d+(?:\.\d+)?\s*[kw千万]?)?\s*(?:元|块)?(?:/(?:月|天|日|小时|时|年))?(?:以上|起|\+)?"
    r"(?![0-9.]*\s*(?:米|号|吨|座|层))"
)
_HEADCOUNT = re.compile(r"\d+\s*(?:名|人|位)")
_PLATFORMS = re.compile(
    r"亚马逊|amazon|ebay|shopee|lazada|tiktok|1688|阿里巴巴|阿里|淘宝|天猫|京东|拼多多|抖音|快手|小红书|美团|饿了么|"
    r"唯品会|苏宁|盒马|叮咚|顺丰|中通|圆通|申通|韵达|菜鸟|滴滴|星巴克|麦当劳|肯德基|全家|罗森|链家|我爱我家"
)
_COMPANY = re.compile(r"^\S{2,20}?(?:有限责任公司|股份有限公司|有限公司|公司|集团)")
_SENIORITY = re.compile(r"实习生|实习|见习|学徒|储备|高级|资深|初级|中级|主管|总监|经理|组长|领班|队长|主任|助理|专员")
# Words that make a title a management post (大类 1 candidates); seniority words such as 主管 do not.
_MANAGER = re.compile(r"总经理|经理|总监|院长|校长|厂长|馆长|书记|负责人|总干事|理事长|董事长|主任|局长|处长|行长|总裁")
_SPLIT = re.compile(r"[/|、]|或")
_ASCII_TOKEN = re.compile(r"[a-z0-9+#.]*[a-z][a-z0-9+#.]*")
_GENERIC_HEAD = re.compile(r"(?<=[\u4e00-\u9fff]{2})师傅$")


def _strip_marker(name: str) -> str:
    return _MARKER.sub("", str(name).strip())


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", str(text)).lower().strip()


@dataclass(frozen=True)
class CleanedTitle:
    """A title prepared for coding: variants to score, seniority words found, and whether it is junk."""

    original: str
    variants: tuple[str, ...]
    seniority: tuple[str, ...]
    junk: bool
    core: tuple[str, ...] = ()  # the variants worth the encoder's time: '/' parts without seniority words


def clean_title(title: str, places: Sequence[str] = ()) -> CleanedTitle:
    """Strip urgency, benefits, salary, places, platforms and brackets; split '/'; keep seniority aside."""
    text = _fold(title or "")
    inner = " ".join(m.group(0)[1:-1] for m in _BRACKETS.finditer(text))
    text = _BRACKETS.sub(" ", text)
    if not _CJK.search(text) and not re.search(r"[a-z]{2,}", text):
        text = inner  # the whole title was in brackets, e.g. '【保安】'
    text = _SALARY.sub(" ", text)
    text = _HEADCOUNT.sub(" ", text)
    text = _URGENCY.sub(" ", text)
    text = _BENEFITS.sub(" ", text)
    for place in places:
        text = text.replace(place, " ")
    text = re.sub(r"上海市?|沪", " ", text)
    light = _PLATFORMS.sub(" ", text)
    light = _COMPANY.sub(" ", light)

    seniority = tuple(dict.fromkeys(_SENIORITY.findall(light)))
    variants: list[str] = []

    def add(candidate: str) -> None:
        candidate = re.sub(r"\s+", "", candidate).strip("-_·.,，:：;；!！?？*#")
        if candidate and (_CJK.search(candidate) or re.search(r"[a-z]{2,}|\.net|c\+\+|c#", candidate)):
            if candidate not in variants:
                variants.append(candidate)

    # Platform names stay in the first variant: official aliases such as 拼多多运营 include them.
    add(text)
    add(light)
    parts = [p for p in _SPLIT.split(light) if p.strip()]
    core: list[str] = []
    for part in parts if len(parts) > 1 else [light]:
        part = re.sub(r"\s+", "", part)
        stripped = _SENIORITY.sub("", part)
        if len(parts) > 1 and not stripped:
            continue  # '主管/经理': the second title is only a seniority word
        add(part)
        if len(stripped) >= 2:  # '总经理' must not shrink to '总'
            add(stripped)
            core.append(stripped)
        else:
            core.append(part)
    core = [c for c in dict.fromkeys(core) if c in variants] or variants[-1:]
    junk = not variants
    return CleanedTitle(str(title), tuple(variants), seniority, junk, tuple(core))
