"""The transparent re-ranking score: one pure, vectorised function per component.

Every component is in [0, 1]; the score is the weights' dot product with the components (weights
below sum to 1). Unknown inputs (no salary given, no location) get a neutral value rather than a
penalty, and the explanation says so. The same functions score seeker->posting matches and
posting->seeker shortlists, and `explain` reads the raw components they return, so counsellors and
seekers see the same reasoning.

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

from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np

from matcher.geo.geo import CIRCLE_MINUTES, Commute
from matcher.types import Side

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
SALARY_UNKNOWN = NEUTRAL * 1.4  # unknown on either side: mildly positive, never decisive
COMPONENT_NAMES = {
    "semantic": "语义相似度",
    "coverage": "技能与证书覆盖",
    "occupation": "职业类别",
    "education": "学历",
    "experience": "工作经验",
    "salary": "薪资",
    "proximity": "通勤距离",
}


def _floats(values) -> np.ndarray:
    """An array of floats with None as NaN (unknown)."""
    return np.asarray([np.nan if v is None else v for v in np.atleast_1d(np.asarray(values, dtype=object))],
                      dtype=np.float64)


def semantic_component(cosine) -> np.ndarray:
    """Cosine mapped linearly from [0.5, 0.9] to [0, 1] and clipped. Range: [0, 1]."""
    return np.clip((np.asarray(cosine, dtype=np.float64) - 0.5) / 0.4, 0.0, 1.0)


def coverage_component(matched, required) -> np.ndarray:
    """Share of required skills/certificates held; 0.5 when the posting requires none. Range: [0, 1]."""
    matched, required = np.asarray(matched, np.float64), np.asarray(required, np.float64)
    return np.where(required > 0, matched / np.maximum(required, 1), NEUTRAL)


def occupation_pair(seeker_codes: Sequence[str], posting_codes: Sequence[str]) -> float:
    """Same 细类 1.0, same 小类 (first 7 chars) 0.7, same 中类 (first 4) 0.4, else 0; uncoded 0.5. Range: [0, 1]."""
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


def occupation_component(seeker_codes, posting_codes) -> np.ndarray:
    """`occupation_pair` over aligned lists of code tuples. Range: [0, 1]."""
    return np.asarray([occupation_pair(a, b) for a, b in zip(seeker_codes, posting_codes)], dtype=np.float64)


def education_component(seeker, required) -> np.ndarray:
    """Meets 1.0, one level below 0.5, further 0; nothing required 1.0; seeker unknown 0.5. Range: [0, 1]."""
    seeker, required = _floats(seeker), _floats(required)
    gap = required - seeker
    known = np.where(gap <= 0, 1.0, np.where(gap == 1, 0.5, 0.0))
    no_requirement = np.isnan(required) | (required == 0)
    return np.where(no_requirement, 1.0, np.where(np.isnan(seeker), NEUTRAL, known))


def experience_component(seeker, required) -> np.ndarray:
    """Meets the minimum 1.0, else 0.8 x years / minimum; none required 1.0; unknown 0.5. Range: [0, 1]."""
    seeker, required = _floats(seeker), _floats(required)
    no_requirement = np.isnan(required) | (required == 0)
    safe = np.where(no_requirement, 1.0, required)
    known = np.where(seeker >= safe, 1.0, 0.8 * seeker / safe)
    return np.where(no_requirement, 1.0, np.where(np.isnan(seeker), NEUTRAL, known))


def salary_component(expected, offered) -> np.ndarray:
    """1.0 once the offer reaches the expectation, falling linearly to 0 at 70% of it; 0.7 if either
    side is unknown (mildly positive, never decisive). Range: [0, 1]."""
    expected, offered = _floats(expected), _floats(offered)
    unknown = np.isnan(expected) | np.isnan(offered) | (expected == 0) | (offered == 0)
    ratio = offered / np.where(unknown, 1.0, expected)
    return np.where(unknown, SALARY_UNKNOWN, np.clip((ratio - 0.7) / 0.3, 0.0, 1.0))


def proximity_component(minutes) -> np.ndarray:
    """1.0 within the 15-minute circle, falling linearly to 0 at 75 minutes; unknown (NaN) 0.5. Range: [0, 1]."""
    minutes = _floats(minutes)
    known = np.clip(1.0 - (minutes - CIRCLE_MINUTES) / 60.0, 0.0, 1.0)
    return np.where(np.isnan(minutes), NEUTRAL, np.where(minutes <= CIRCLE_MINUTES, 1.0, known))


@dataclass
class Scored:
    """One scored pair: raw components (each in [0, 1]), the weighted breakdown and the score."""

    score: float
    components: dict[str, float]
    breakdown: dict[str, float]
    matched: list[str]
    missing: list[str]
    missing_certificates: list[str]
    commute: Commute | None


def components(seekers: Sequence[Side], postings: Sequence[Side], cosines, minutes) -> dict[str, np.ndarray]:
    """Every component for aligned (seeker, posting) pairs, as arrays of raw values in [0, 1]."""
    matched = [len((p.skills | p.certificates) & (s.skills | s.certificates)) for s, p in zip(seekers, postings)]
    required = [len(p.skills | p.certificates) for p in postings]
    return {
        "semantic": semantic_component(cosines),
        "coverage": coverage_component(matched, required),
        "occupation": occupation_component([s.occupations for s in seekers], [p.occupations for p in postings]),
        "education": education_component([s.education for s in seekers], [p.education for p in postings]),
        "experience": experience_component([s.experience for s in seekers], [p.experience for p in postings]),
        "salary": salary_component([s.salary_low for s in seekers], [p.offered for p in postings]),
        "proximity": proximity_component(minutes),
    }


def combine(table: Mapping[str, np.ndarray], weights: Mapping[str, float]) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """(scores, breakdown): breakdown = weight x component rounded to 4 places, score = their sum.
    `weights` may drop components (ablations)."""
    breakdown = {name: np.round(table[name] * weight, 4) for name, weight in weights.items()}
    total = np.zeros(len(next(iter(table.values()))), dtype=np.float64)
    for values in breakdown.values():
        total = total + values
    return np.round(total, 4), breakdown


def scored_at(n: int, seeker: Side, posting: Side, table, scores, breakdown, commute: Commute | None) -> Scored:
    """The `Scored` record of row `n` of a component table."""
    required = posting.skills | posting.certificates
    have = seeker.skills | seeker.certificates
    return Scored(
        score=float(scores[n]),
        components={name: float(values[n]) for name, values in table.items()},
        breakdown={name: float(values[n]) for name, values in breakdown.items()},
        matched=sorted(required & have),
        missing=sorted(required - have),
        missing_certificates=sorted(posting.certificates - have),
        commute=commute,
    )


def score_pair(seeker: Side, posting: Side, cosine: float, commute: Commute | None,
               weights: Mapping[str, float] = WEIGHTS) -> Scored:
    """Score one seeker against one posting (the one-row case of `components`)."""
    table = components([seeker], [posting], [cosine], [commute.minutes if commute else None])
    scores, breakdown = combine(table, weights)
    return scored_at(0, seeker, posting, table, scores, breakdown, commute)
