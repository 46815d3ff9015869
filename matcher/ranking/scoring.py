"""The transparent re-ranking score.

Every component is in [0, 1]; the score is their weighted sum (weights below sum to 1). Unknown
inputs (no salary given, no location) get a neutral value rather than a penalty, and the
explanation says so. The same function scores seeker->posting matches and posting->seeker
shortlists, so counsellors and seekers see the same reasoning.

| component  | weight | value |
|------------|--------|-------|
| semantic   | 0.35 | cosine of resume and posting embeddings, mapped from [0.5, 0.9] to [0, 1] |
| coverage   | 0.20 | share of the posting's required skills and certificates the seeker has |
| occupation | 0.10 | same 细类 1.0 / same 小类 0.7 / same 中类 0.4 / different 0 (neutral 0.5 if uncoded) |
| education  | 0.08 | meets the requirement 1.0, one level below 0.5, further below 0 |
| experience | 0.07 | meets the minimum 1.0, else years / minimum x 0.8 |
| salary     | 0.10 | posting's top of range (or its floor, for `5000元以上`) reaches the expectation 1.0, falls to 0 at 70% of it |
| proximity  | 0.10 | door-to-door minutes: within 15 min 1.0, falling linearly to 0 at 75 min |
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from matcher.geo.geo import CIRCLE_MINUTES, Commute

WEIGHTS: dict[str, float] = {
    "semantic": 0.35,
    "coverage": 0.20,
    "occupation": 0.10,
    "education": 0.08,
    "experience": 0.07,
    "salary": 0.10,
    "proximity": 0.10,
}
NEUTRAL = 0.5
COMPONENT_NAMES = {
    "semantic": "语义相似度",
    "coverage": "技能与证书覆盖",
    "occupation": "职业类别",
    "education": "学历",
    "experience": "工作经验",
    "salary": "薪资",
    "proximity": "通勤距离",
}


@dataclass
class Side:
    """The ranking-relevant facts of one seeker or one posting."""

    id: int
    skills: frozenset[str] = frozenset()
    certificates: frozenset[str] = frozenset()
    education: int | None = None
    experience: float | None = None  # seeker: years; posting: minimum years
    salary_low: float | None = None  # seeker: expected monthly; posting: monthly_min
    salary_high: float | None = None  # posting: monthly_max
    occupations: tuple[str, ...] = ()
    point: tuple[float, float] | None = None
    approximate_point: bool = False
    title: str = ""
    extra: dict = field(default_factory=dict)


def semantic_component(cosine: np.ndarray) -> np.ndarray:
    return np.clip((np.asarray(cosine, dtype=np.float64) - 0.5) / 0.4, 0.0, 1.0)


def proximity_component(minutes: float | None) -> float:
    if minutes is None or minutes != minutes:
        return NEUTRAL
    if minutes <= CIRCLE_MINUTES:
        return 1.0
    return float(max(0.0, 1.0 - (minutes - CIRCLE_MINUTES) / 60.0))


def occupation_component(seeker_codes, posting_codes) -> float:
    if not seeker_codes or not posting_codes:
        return NEUTRAL
    best = 0.0
    for a in seeker_codes:
        for b in posting_codes:
            if a == b:
                return 1.0
            if a[:7] == b[:7]:
                best = max(best, 0.7)
            elif a[:4] == b[:4]:
                best = max(best, 0.4)
    return best


def education_component(seeker: int | None, required: int | None) -> float:
    if not required:
        return 1.0
    if seeker is None:
        return NEUTRAL
    gap = required - seeker
    return 1.0 if gap <= 0 else 0.5 if gap == 1 else 0.0


def experience_component(seeker: float | None, required: float | None) -> float:
    if not required:
        return 1.0
    if seeker is None:
        return NEUTRAL
    return 1.0 if seeker >= required else 0.8 * seeker / required


def salary_component(expected: float | None, offered_high: float | None) -> float:
    if not expected or not offered_high:
        return NEUTRAL * 1.4  # unknown on either side: mildly positive, never decisive
    ratio = offered_high / expected
    return min(1.0, max(0.0, (ratio - 0.7) / 0.3))


@dataclass
class Scored:
    score: float
    breakdown: dict[str, float]
    matched: list[str]
    missing: list[str]
    missing_certificates: list[str]
    commute: Commute | None


def score_pair(seeker: Side, posting: Side, cosine: float, commute: Commute | None,
               weights: dict[str, float] = WEIGHTS) -> Scored:
    """Score one seeker against one posting; `weights` may drop components (ablations)."""
    required = posting.skills | posting.certificates
    have = seeker.skills | seeker.certificates
    matched = sorted(required & have)
    missing = sorted(required - have)
    coverage = len(matched) / len(required) if required else NEUTRAL
    components = {
        "semantic": min(1.0, max(0.0, (float(cosine) - 0.5) / 0.4)),
        "coverage": coverage,
        "occupation": occupation_component(seeker.occupations, posting.occupations),
        "education": education_component(seeker.education, posting.education),
        "experience": experience_component(seeker.experience, posting.experience),
        "salary": salary_component(seeker.salary_low, posting.salary_high or posting.salary_low),
        "proximity": proximity_component(commute.minutes if commute else None),
    }
    breakdown = {name: round(components[name] * weight, 4) for name, weight in weights.items()}
    return Scored(
        score=round(sum(breakdown.values()), 4),
        breakdown=breakdown,
        matched=matched,
        missing=missing,
        missing_certificates=sorted(posting.certificates - have),
        commute=commute,
    )
