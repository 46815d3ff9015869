"""Short Chinese explanations a counsellor can read aloud."""
from __future__ import annotations

from matcher.text.parsing import EDUCATION_LEVELS
from matcher.ranking.scoring import Scored, Side


def _list(items, limit: int = 4) -> str:
    items = list(items)
    shown = "、".join(items[:limit])
    return shown + (f"等{len(items)}项" if len(items) > limit else "")


def _salary(posting: Side) -> str | None:
    if posting.extra.get("salary_text"):
        return posting.extra["salary_text"]
    low, high = posting.salary_low, posting.salary_high
    if not low and not high:
        return None
    if low and high and abs(low - high) > 1:
        return f"{low:.0f}-{high:.0f}元/月"
    return f"{(high or low):.0f}元/月"


def explain_match(seeker: Side, posting: Side, scored: Scored, *, occupation_name: str | None = None) -> str:
    """One paragraph: skills matched and missing, fit on education, experience and pay, travel."""
    parts: list[str] = []
    if occupation_name:
        parts.append(f"岗位属于“{occupation_name}”")
    if scored.matched:
        parts.append(f"具备岗位要求的{_list(scored.matched)}")
    if scored.missing_certificates:
        parts.append(f"缺少{_list(scored.missing_certificates)}")
    other_missing = [m for m in scored.missing if m not in scored.missing_certificates]
    if other_missing:
        parts.append(f"简历未体现{_list(other_missing, 3)}")
    if posting.education:
        need = EDUCATION_LEVELS.get(posting.education, "")
        if seeker.education is None:
            parts.append(f"要求{need}及以上，简历未写明学历")
        elif seeker.education >= posting.education:
            parts.append(f"学历符合（要求{need}及以上）")
        else:
            parts.append(f"学历低于要求（要求{need}及以上）")
    if posting.experience:
        if seeker.experience is not None and seeker.experience >= posting.experience:
            parts.append(f"经验符合（要求{posting.experience:g}年以上）")
        else:
            parts.append(f"要求{posting.experience:g}年以上经验")
    salary = _salary(posting)
    if salary and seeker.salary_low:
        offered = posting.salary_high or posting.salary_low or 0
        verdict = "达到" if offered >= seeker.salary_low else "低于"
        parts.append(f"薪资{salary}，{verdict}期望的{seeker.salary_low:.0f}元")
    elif salary:
        parts.append(f"薪资{salary}")
    elif seeker.salary_low:
        parts.append("薪资面议")
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
