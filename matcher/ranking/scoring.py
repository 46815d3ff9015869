"""The transparent re-ranking score: one pure, vectorised function per component.

Every component is in [0, 1]; the score is the weights' dot product with the components (weights
sum to 1). Relevance comes first (is this the person's kind of work?), then eligibility gates, then
logistics. Unknown on either side is neutral: a posting that states no education earns what one
whose requirement the resume is silent on earns. The same functions score seeker->posting matches
and posting->seeker shortlists, and `explain` reads the raw components they return. Weights and
ranges were tuned on the DEV split of `evaluation/datasets/ranking` only.

| group | component  | weight | value |
|---|------------|--------|-------|
| relevance | semantic | 0.30 | cosine of resume and posting embeddings, mapped from [0.6, 0.9] to [0, 1] |
| relevance | lexical | 0.22 | BM25 (jieba words) of the resume against the posting / (0.3 x the resume's ideal score) |
| relevance | occupation | 0.14 | same 细类 1.0 / 小类 0.7 / 中类 0.4 / different 0 (neutral 0.5 if uncoded) |
| relevance | coverage | 0.04 | share of the posting's hard skills held (soft traits are never requirements) |
| gates | gates | 0.15 | 1.0 if all pass; a denied certificate, ruled-out nights or work left behind 0; a missing certificate 0.5 |
| logistics | education | 0.03 | meets (or unknown) 1.0, one level below 0.5, further below 0 |
| logistics | experience | 0.02 | meets (or unknown) 1.0, else years / minimum x 0.8 |
| logistics | salary | 0.05 | offer reaches the expectation 1.0, falls to 0 at 70% of it; unknown 0.7 |
| logistics | proximity | 0.05 | door-to-door minutes: within 15 min 1.0, falling linearly to 0 at 75 min; unknown 0.5 |

`relevance()` (the weighted mean of the relevance group) decides "nothing suitable".
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np

from matcher.geo.geo import CIRCLE_MINUTES, Commute
from matcher.types import Side

# Relevance (is this the person's kind of work?) carries most of the score; then eligibility gates;
# then logistics. Tuned on the DEV split of evaluation/datasets/ranking only (see notes/ranking.md).
WEIGHTS: dict[str, float] = {
    "semantic": 0.30,
    "lexical": 0.22,
    "occupation": 0.14,
    "coverage": 0.04,
    "gates": 0.15,
    "education": 0.03,
    "experience": 0.02,
    "salary": 0.05,
    "proximity": 0.05,
}
RELEVANCE = ("semantic", "lexical", "occupation", "coverage")
NEUTRAL = 0.5
SALARY_UNKNOWN = NEUTRAL * 1.4  # unknown on either side: mildly positive, never decisive
SEMANTIC_RANGE = (0.60, 0.90)  # m3e-small cosines below 0.6 are unrelated text
LEXICAL_SHARE = 0.3  # matching 30% of what the resume says (its words' idf) is a full lexical match
GATE_PENALTY = {"denied": 1.0, "ruled_out": 1.0, "left": 1.0, "missing": 0.5}
GATE_LABELS = {"certificate": "证书", "schedule": "班次", "intent": "求职意向"}
COMPONENT_NAMES = {
    "semantic": "语义相似度",
    "lexical": "关键词匹配",
    "occupation": "职业类别",
    "coverage": "技能覆盖",
    "gates": "资格条件",
    "education": "学历",
    "experience": "工作经验",
    "salary": "薪资",
    "proximity": "通勤距离",
}


def _floats(values) -> np.ndarray:
    """An array of floats with None as NaN (unknown)."""
    if isinstance(values, np.ndarray) and values.dtype.kind in "fiub":
        return np.atleast_1d(values.astype(np.float64))
    return np.asarray([np.nan if v is None else v for v in np.atleast_1d(np.asarray(values, dtype=object))],
                      dtype=np.float64)


def semantic_component(cosine) -> np.ndarray:
    """Cosine mapped linearly from SEMANTIC_RANGE to [0, 1] and clipped. Range: [0, 1]."""
    low, high = SEMANTIC_RANGE
    return np.clip((np.asarray(cosine, dtype=np.float64) - low) / (high - low), 0.0, 1.0)


def lexical_component(raw, ideal=None) -> np.ndarray:
    """BM25 of the seeker's words against the posting, divided by LEXICAL_SHARE x the seeker's `ideal`
    score (`LexicalIndex.ideal`: every word of theirs matched once): how much of what the resume says
    the posting matches. Per pair, so both directions and every k agree. Unknown (NaN) is neutral.
    Range: [0, 1]."""
    raw = _floats(raw)
    if ideal is None:
        return np.full(len(raw), NEUTRAL)
    scale = LEXICAL_SHARE * np.broadcast_to(np.asarray(ideal, np.float64), raw.shape)
    value = np.where(scale > 0, raw / np.where(scale > 0, scale, 1.0), 0.0)
    return np.where(np.isnan(raw), NEUTRAL, np.clip(value, 0.0, 1.0))


def coverage_component(matched, required) -> np.ndarray:
    """Share of the posting's hard skills held; 0.5 when it requires none. Range: [0, 1]."""
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
    """Meets 1.0, one level below 0.5, further 0. Unknown on either side (nothing required, or the
    resume silent) is 1.0 too: only a stated shortfall costs, so saying less earns nothing. Range: [0, 1]."""
    seeker, required = _floats(seeker), _floats(required)
    gap = required - seeker
    known = np.where(gap <= 0, 1.0, np.where(gap == 1, 0.5, 0.0))
    unknown = np.isnan(required) | (required == 0) | np.isnan(seeker)
    return np.where(unknown, 1.0, known)


def experience_component(seeker, required) -> np.ndarray:
    """Meets the minimum 1.0, else 0.8 x years / minimum; unknown on either side 1.0 (only a stated
    shortfall costs). Range: [0, 1]."""
    seeker, required = _floats(seeker), _floats(required)
    unknown = np.isnan(required) | (required == 0) | np.isnan(seeker)
    safe = np.where(unknown, 1.0, required)
    known = np.where(seeker >= safe, 1.0, 0.8 * seeker / safe)
    return np.where(unknown, 1.0, known)


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


def gates(seeker: Side, posting: Side) -> list[dict]:
    """The eligibility gates one pair fails: a required certificate the seeker lacks ("missing") or
    says they lack ("denied"); night or rotating shifts the seeker rules out ("ruled_out"); work the
    seeker says they leave behind ("left"). Empty when every gate passes or nothing is known."""
    failed = []
    held = seeker.certificates
    for name in sorted(posting.certificates - held):
        if name in seeker.denied:
            failed.append({"kind": "certificate", "name": name, "status": "denied"})
        elif not seeker.all_certificates:
            failed.append({"kind": "certificate", "name": name, "status": "missing"})
    if posting.night_work and seeker.nights_ruled_out:
        failed.append({"kind": "schedule", "name": "夜班/倒班", "status": "ruled_out"})
    if seeker.former_occupations and posting.occupations:
        top = posting.occupations[0]
        left = any(top[:7] == code[:7] for code in seeker.former_occupations)
        wanted = any(top[:7] == code[:7] for code in seeker.occupations)
        if left and not wanted:
            failed.append({"kind": "intent", "name": posting.occupation_name or top, "status": "left"})
    return failed


def gates_component(failed: Sequence[Sequence[dict]]) -> np.ndarray:
    """1.0 when every gate passes; each failed gate multiplies by (1 - its penalty). Range: [0, 1]."""
    return np.asarray([float(np.prod([1.0 - GATE_PENALTY[g["status"]] for g in f])) if f else 1.0 for f in failed],
                      dtype=np.float64)


def relevance(table: Mapping[str, np.ndarray], weights: Mapping[str, float]) -> np.ndarray:
    """Is this the person's kind of work: the weighted mean of the relevance components. Range: [0, 1]."""
    names = [n for n in RELEVANCE if weights.get(n)]
    total = sum(weights[n] for n in names)
    if not total:
        return np.zeros(len(next(iter(table.values()))))
    return sum(table[n] * weights[n] for n in names) / total


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
    gates: list[dict] = None  # failed eligibility gates (see `gates`)
    relevance: float = 0.0


def components(seekers: Sequence[Side], postings: Sequence[Side], cosines, minutes, lexical=None,
               failed: Sequence[Sequence[dict]] | None = None, lexical_ideal: float | None = None) -> dict[str, np.ndarray]:
    """Every component for aligned (seeker, posting) pairs, as arrays of raw values in [0, 1].
    `lexical`: raw BM25 scores (None: unknown, neutral); `failed`: each pair's failed gates."""
    matched = [len(p.skills & s.skills) for s, p in zip(seekers, postings)]
    required = [len(p.skills) for p in postings]
    if failed is None:
        failed = [gates(s, p) for s, p in zip(seekers, postings)]
    return {
        "semantic": semantic_component(cosines),
        "lexical": lexical_component([None] * len(postings) if lexical is None else lexical, lexical_ideal),
        "coverage": coverage_component(matched, required),
        "occupation": occupation_component([s.occupations for s in seekers], [p.occupations for p in postings]),
        "education": education_component([s.education for s in seekers], [p.education for p in postings]),
        "experience": experience_component([s.experience for s in seekers], [p.experience for p in postings]),
        "salary": salary_component([s.salary_low for s in seekers], [p.offered for p in postings]),
        "proximity": proximity_component(minutes),
        "gates": gates_component(failed),
    }


def combine(table: Mapping[str, np.ndarray], weights: Mapping[str, float]) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """(scores, breakdown): breakdown = weight x component rounded to 4 places, score = their sum.
    `weights` may drop components (ablations)."""
    breakdown = {name: np.round(table[name] * weight, 4) for name, weight in weights.items()}
    total = np.zeros(len(next(iter(table.values()))), dtype=np.float64)
    for values in breakdown.values():
        total = total + values
    return np.round(total, 4), breakdown


def scored_at(n: int, seeker: Side, posting: Side, table, scores, breakdown, commute: Commute | None,
              failed: list[dict] | None = None, relevance_value: float = 0.0) -> Scored:
    """The `Scored` record of row `n` of a component table."""
    return scored_row(seeker, posting, float(scores[n]), {name: float(values[n]) for name, values in table.items()},
                      {name: float(values[n]) for name, values in breakdown.items()}, commute,
                      list(failed if failed is not None else gates(seeker, posting)), relevance_value)


def scored_row(seeker: Side, posting: Side, score: float, components: dict[str, float], breakdown: dict[str, float],
               commute: Commute | None, failed: list[dict], relevance_value: float,
               have: frozenset[str] | None = None) -> Scored:
    """The `Scored` record of one pair from its figures as plain floats (`have`: the seeker's skills and
    certificates together, when the caller holds them already)."""
    required = posting.skills | posting.certificates
    if have is None:
        have = seeker.skills | seeker.certificates
    return Scored(score=score, components=components, breakdown=breakdown, matched=sorted(required & have),
                  missing=sorted(required - have), missing_certificates=sorted(posting.certificates - have),
                  commute=commute, gates=failed, relevance=round(float(relevance_value), 4))


def score_pair(seeker: Side, posting: Side, cosine: float, commute: Commute | None,
               weights: Mapping[str, float] = WEIGHTS, lexical: float | None = None) -> Scored:
    """Score one seeker against one posting (the one-row case of `components`)."""
    table = components([seeker], [posting], [cosine], [commute.minutes if commute else None],
                       None if lexical is None else [lexical])
    scores, breakdown = combine(table, weights)
    return scored_at(0, seeker, posting, table, scores, breakdown, commute, None, relevance(table, weights)[0])
