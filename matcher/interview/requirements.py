"""Atomic requirements of a role from posting text, listed skills and official occupation duties."""
from __future__ import annotations

import re
from typing import Iterable, Mapping, Sequence

from matcher.interview.text import CJK, words
from matcher.interview.types import InterviewError, Requirement

# ----------------------------------------------------------------------------------------------
# Requirements
# ----------------------------------------------------------------------------------------------
_NUMBERING = re.compile(r"(?:^|(?<=\s)|(?<=[。；;，,：:]))\s*(?:\(?\d{1,2}[)）.．、]|[①-⑩]|[一二三四五六七八九十][、.．])\s*")
_HEADER = re.compile(
    r"^\s*(?:【)?(岗位职责|工作职责|工作内容|职位描述|岗位描述|任职要求|任职资格|岗位要求|职位要求|招聘要求|"
    r"要求|条件|福利待遇|薪资待遇|待遇|工作时间|工作地点)(?:】)?\s*[:：]?\s*"
)
_SKIP_SECTIONS = {"福利待遇", "薪资待遇", "待遇", "工作时间", "工作地点"}
_DUTY_SECTIONS = {"岗位职责", "工作职责", "工作内容", "职位描述", "岗位描述"}
_CERT_WORD_RE = re.compile(r"执照|资格|资质|上岗证|等级")
# Two-character words with 证 that name a certificate; any other two-character word with 证 (凭证, 保证,
# 认证, 验证, 证明, 证件 …) does not, while longer words (健康证, 电工证, 驾驶证者, 资格证) and a bare 证
# after its trade (叉车 证, 人员 证) do.
_CERT_PAIRS = frozenset({"证书", "持证", "有证", "考证", "领证"})
_CONDITION_RE = re.compile(
    # an age range is a condition on the applicant unless it describes the people served ("0-3岁婴幼儿")
    r"年龄|\d+\s*(?:-|~|至|到)\s*\d+\s*(?:周)?岁(?![\u4e00-\u9fff])|\d+\s*(?:-|~|至|到)\s*\d+\s*(?:周)?岁(?=之间|以[下上内]|左右)|"
    r"岁以[下上内]|周岁(?![\u4e00-\u9fff])|周岁(?=之间|以[下上内]|左右)|身体健康|男女不限|性别|学历|初中|高中|中专|大专|本科|"
    r"户籍|户口|倒班|夜班|轮班|排班|加班|住宿|无犯罪|身高|形象|退伍|驾龄|能接受|服从安排|周末"
)
_EXPERIENCE_RE = re.compile(r"经验|经历|年以上|从事过|做过|干过")
_SOFT_RE = re.compile(
    r"沟通|责任心|责任感|耐心|细心|吃苦|团队|服务意识|亲和|踏实|认真|主动|抗压|礼貌|普通话|表达|爱心|"
    r"诚实|守时|品行|积极|热情|细致|稳重|合作|协调"
)
_SKILL_RE = re.compile(r"熟悉|熟练|掌握|会使用|能使用|会用|能够|操作|软件|电脑|办公|驾驶|技能|[A-Za-z]{2,}")
_DUTY_RE = re.compile(r"^(?:负责|协助|完成|做好|按时|按照|配合|参与|处理|维护|管理|照料|巡逻|打扫|清洁)")


NOT_A_REQUIREMENT = re.compile(r"不限|无要求|无需经验|不需要经验|零经验|均可|皆可|不作要求|无门槛")


def names_certificate(text: str) -> bool:
    """True when the text names a certificate or licence, read on jieba words: "持有健康证", "有叉车证",
    "资格证"; not "负责凭证录入" or "能保证出勤"."""
    if _CERT_WORD_RE.search(text):
        return True
    for word in words(text):
        if "证" in word and (len(word) != 2 or word in _CERT_PAIRS) and not re.search(r"证[明据件]", word):
            return True
    return False


def classify_requirement(text: str) -> str:
    """Kind of one atomic requirement: certificate, condition, experience, soft, skill or duty."""
    if names_certificate(text):
        return "certificate"
    if _CONDITION_RE.search(text) and not _SKILL_RE.search(text):
        return "condition"
    if _EXPERIENCE_RE.search(text):
        return "experience"
    if _DUTY_RE.search(text):
        return "duty"
    if _SOFT_RE.search(text) and not _SKILL_RE.search(text):
        return "soft"
    if _SKILL_RE.search(text):
        return "skill"
    if _SOFT_RE.search(text):
        return "soft"
    return "duty"


def _atomic_items(text: str) -> list[tuple[str, str | None]]:
    """Split posting text into (item, section) pairs at numbering, newlines and semicolons."""
    items: list[tuple[str, str | None]] = []
    section: str | None = None
    for line in re.split(r"[\n\r]+", text):
        header = _HEADER.match(line)
        if header:
            section = header.group(1)
            line = line[header.end():]
        parts = _NUMBERING.split(line)
        for part in parts:
            for piece in re.split(r"[；;。]", part):
                piece = piece.strip(" \t，,、:：.．")
                if not piece:
                    continue
                # A comma joins two requirements when both halves are substantial on their own.
                halves = [h.strip(" ，,") for h in re.split(r"[，,]", piece)]
                if len(halves) > 1 and all(len(re.findall(f"[{CJK}]", h)) >= 4 for h in halves):
                    items.extend((h, section) for h in halves)
                else:
                    items.append((piece, section))
    return items


def duties_for_occupation(code: str) -> list[str]:
    """Official duties (`tasks`, numbered `1.xxx 2.xxx`) of an occupation in the 2022 national
    classification, as a list of sentences. Raises InterviewError for an unknown code."""
    from data import reference

    table = reference.occupations()
    rows = table[table["code"] == code.strip()]
    if rows.empty:
        raise InterviewError(f"未找到职业编码 {code!r}，请使用《职业分类大典》中的编码，例如 4-10-01-05。")
    tasks = str(rows.iloc[0]["tasks"]).strip()
    parts = re.split(r"(?:^|\s+)\d{1,2}[.．、]", tasks)
    return [p.strip().rstrip("。；; ") for p in parts if p.strip().rstrip("。；; ")]


def occupation_name(code: str) -> str:
    """Display name of an occupation (trailing S/L digital/green markers stripped)."""
    from data import reference

    table = reference.occupations()
    rows = table[table["code"] == code.strip()]
    if rows.empty:
        raise InterviewError(f"未找到职业编码 {code!r}，请使用《职业分类大典》中的编码，例如 4-10-01-05。")
    return re.sub(r"[SL]+$", "", str(rows.iloc[0]["name"]).strip())


def requirements_from_role(
    *,
    title: str,
    requirements_text: str = "",
    skills: Sequence[str] = (),
    duties: Sequence[str] = (),
    thin_below: int = 3,
    max_duties: int = 4,
) -> list[Requirement]:
    """Atomic requirements of a role, in the order the posting lists them, then listed skills.

    When the posting yields fewer than `thin_below` interviewable requirements, up to `max_duties`
    of `duties` (the occupation's official duties) are added with kind "duty".
    """
    seen: set[str] = set()
    found: list[tuple[str, str, bool, str]] = []

    def add(text: str, kind: str | None, source: str) -> None:
        text = re.sub(r"\s+", " ", text).strip()
        if NOT_A_REQUIREMENT.search(text):
            return  # "学历不限", "经验不限": nothing to ask about
        key = re.sub(r"[^\w]", "", text)
        if len(key) < 2 or key in seen:
            return
        seen.add(key)
        preferred = bool(re.search(r"优先|者佳|更好|加分", text))
        found.append((text, kind or classify_requirement(text), preferred, source))

    for item, section in _atomic_items(requirements_text or ""):
        if section in _SKIP_SECTIONS:
            continue
        kind = classify_requirement(item)
        if section in _DUTY_SECTIONS and kind in {"skill", "duty"}:
            kind = "duty"
        add(item, kind, "posting")
    for skill in skills:
        if skill and skill.strip():
            kind = "certificate" if names_certificate(skill) else "skill"
            add(skill.strip(), kind, "skills")
    interviewable = [f for f in found if f[1] != "condition"]
    if len(interviewable) < thin_below:
        for duty in list(duties)[:max_duties]:
            add(duty, "duty", "occupation")
    return [
        Requirement(id=f"r{i + 1}", text=text, kind=kind, preferred=preferred, source=source)
        for i, (text, kind, preferred, source) in enumerate(found)
    ]



def requirements_from_dicts(items: Iterable[Mapping]) -> list[Requirement]:
    return [Requirement.from_dict(i) for i in items]
