"""Short Chinese explanations a counsellor can read aloud.

Every verdict is read off `Scored.components`, the same numbers the score is made of: there is no
second rule here. (Before, the explanation called a seeker one education level below the
requirement simply "below", while the score gave that half credit; now both say "one level below".)
"""
from __future__ import annotations

from matcher.ranking.scoring import NEUTRAL, Scored
from matcher.text.parsing import EDUCATION_LEVELS
from matcher.types import Side


def _list(items, limit: int = 4) -> str:
    items = list(items)
    shown = "、".join(items[:limit])
    return shown + (f"等{len(items)}项" if len(items) > limit else "")


def _salary(posting: Side) -> str | None:
    if posting.salary_text:
        return posting.salary_text
    low, high = posting.salary_low, posting.salary_high
    if not low and not high:
        return None
    if low and high and abs(low - high) > 1:
        return f"{low:.0f}-{high:.0f}元/月"
    return f"{(high or low):.0f}元/月"


def _education(seeker: Side, posting: Side, value: float) -> str | None:
    if not posting.education:
        return None
    need = EDUCATION_LEVELS.get(posting.education, "")
    if seeker.education is None:
        return f"要求{need}及以上，简历未写明学历"
    if value >= 1.0:
        return f"学历符合（要求{need}及以上）"
    if value >= NEUTRAL:
        return f"学历比要求低一级（要求{need}及以上）"
    return f"学历低于要求（要求{need}及以上）"


def _experience(seeker: Side, posting: Side, value: float) -> str | None:
    if not posting.experience:
        return None
    if seeker.experience is not None and value >= 1.0:
        return f"经验符合（要求{posting.experience:g}年以上）"
    return f"要求{posting.experience:g}年以上经验"


def _pay(seeker: Side, posting: Side, value: float) -> str | None:
    salary = _salary(posting)
    if salary and seeker.salary_low and posting.offered:
        verdict = "达到" if value >= 1.0 else "略低于" if value > 0 else "低于"
        return f"薪资{salary}，{verdict}期望的{seeker.salary_low:.0f}元"
    if salary:
        return f"薪资{salary}"
    if seeker.salary_low:
        return "薪资面议"
    return None


def gate_sentence(gate: dict) -> str:
    """One failed eligibility gate, said plainly (the posting was ranked lower for it)."""
    kind, name, status = gate["kind"], gate["name"], gate["status"]
    if kind == "certificate" and status == "denied":
        return f"岗位要求持{name}，简历写明没有此证（已降低排序）"
    if kind == "certificate":
        return f"岗位要求持{name}，简历未写明持有（已降低排序）"
    if kind == "schedule":
        return "岗位需要上夜班或倒班，简历写明只能上白班（已降低排序）"
    if kind == "intent":
        return f"岗位属于简历中以前做过、现在不想再做的“{name}”（已降低排序）"
    return f"{name}不符（已降低排序）"


def explain_match(seeker: Side, posting: Side, scored: Scored, *, occupation_name: str | None = None) -> str:
    """One paragraph: occupation, skills matched and missing, fit on education, experience and pay, travel."""
    parts: list[str] = []
    occupation_name = occupation_name or posting.occupation_name
    if occupation_name:
        parts.append(f"岗位属于“{occupation_name}”")
    if scored.matched:
        parts.append(f"具备岗位要求的{_list(scored.matched)}")
    parts += [gate_sentence(g) for g in scored.gates or []]
    other_missing = [m for m in scored.missing if m not in scored.missing_certificates]
    if other_missing:
        parts.append(f"简历未体现{_list(other_missing, 3)}")
    value = scored.components
    for part in (_education(seeker, posting, value.get("education", 0.0)),
                 _experience(seeker, posting, value.get("experience", 0.0)),
                 _pay(seeker, posting, value.get("salary", 0.0))):
        if part:
            parts.append(part)
    if scored.commute is not None:
        text = scored.commute.description
        if scored.commute.within_circle:
            text += "，在15分钟就业服务圈内"
        if scored.commute.approximate and "估算" not in text:
            text += "（位置按街道或地址估算）"
        parts.append(text)
    elif posting.point is None:
        parts.append("岗位未提供地点")
    return "；".join(parts) + "。" if parts else "与简历内容语义相近。"
