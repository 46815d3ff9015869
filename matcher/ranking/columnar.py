"""Jobs for a seeker, ranked as array expressions over the catalog's columns.

The same ranking as `pipeline.rank(Direction.JOBS, ...)` (its tests and the captured reference in
`tests/matcher/ranking/test_hot_path_reference.py` hold them equal, score for score), without a
Python step per candidate: filters, travel (`MetroCommute.estimate_many` over the cached station
access of every candidate), the travel limit, every score component, the eligibility gates and the
relevance threshold are one array expression each over all candidates. `Side` objects, the failed
gates' records and the commute sentences are made only for the rows shown.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from matcher.geo.commute import DEFAULT_MODES, circle_many
from matcher.geo.geo import haversine_km_many
from matcher.ranking.pool import Pool, as_arrays
from matcher.ranking.scoring import (GATE_PENALTY, NEUTRAL, combine, coverage_component, education_component,
                                     experience_component, lexical_component, proximity_component, relevance,
                                     salary_component, semantic_component)
from matcher.search.columns import NO_CODE, PostingColumns
from matcher.types import Side


@dataclass
class Candidates:
    """The candidates' facts, copied out of the catalog's columns under its lock."""

    ids: np.ndarray
    slots: np.ndarray
    cosines: np.ndarray
    lexical: np.ndarray | None
    lat: np.ndarray
    lon: np.ndarray
    radius: np.ndarray
    coarse: np.ndarray
    education: np.ndarray
    experience: np.ndarray
    offered: np.ndarray
    night: np.ndarray
    duplicate_of: np.ndarray
    codes: np.ndarray  # [row, level (code, 7 chars, 4 chars), n]
    ncodes: np.ndarray
    skill_rows: np.ndarray
    skill_words: np.ndarray
    certificate_rows: np.ndarray
    certificate_words: np.ndarray

    def __len__(self) -> int:
        return len(self.ids)


def candidates(columns: PostingColumns, found: Pool | dict[int, float], bm25: dict[int, float] | None = None, *,
               now: float, accessible_only: bool = False, min_salary: float | None = None) -> Candidates:
    """The live candidates among `found` (a `Pool`, or id -> cosine with id -> BM25 in `bm25`) that pass
    the filters, as arrays (call under the catalog's lock: the columns are copied, so ranking can go on
    without it)."""
    ids, cosines, lexical = as_arrays(found, bm25)
    slots = columns.slots(ids)
    keep = slots >= 0
    keep[keep] = columns.expires[slots[keep]] > now
    if accessible_only:
        keep[keep] = columns.accessible[slots[keep]]
    if min_salary:
        offered = columns.offered[slots[keep]]
        keep[keep] = np.isnan(offered) | (offered >= min_salary)
    ids, cosines, slots = ids[keep], cosines[keep], slots[keep]
    lexical = None if lexical is None else lexical[keep]
    skill_rows, skill_words = columns.skills.gather(slots)
    certificate_rows, certificate_words = columns.certificates.gather(slots)
    return Candidates(
        ids=ids, slots=slots, cosines=cosines, lexical=lexical, lat=columns.lat[slots], lon=columns.lon[slots],
        radius=columns.radius[slots], coarse=columns.coarse[slots], education=columns.education[slots],
        experience=columns.experience[slots], offered=columns.offered[slots], night=columns.night[slots],
        duplicate_of=columns.duplicate_of[slots], codes=columns.codes[slots], ncodes=columns.ncodes[slots],
        skill_rows=skill_rows, skill_words=skill_words, certificate_rows=certificate_rows,
        certificate_words=certificate_words,
    )


def _take(c: Candidates, keep: np.ndarray) -> Candidates:
    """The candidates at the (sorted) row numbers `keep`."""
    renumber = np.full(len(c), -1, np.int64)
    renumber[keep] = np.arange(len(keep))
    fields = {}
    for name in ("ids", "slots", "cosines", "lat", "lon", "radius", "coarse", "education", "experience", "offered",
                 "night", "duplicate_of", "codes", "ncodes"):
        fields[name] = getattr(c, name)[keep]
    fields["lexical"] = None if c.lexical is None else c.lexical[keep]
    for runs in ("skill", "certificate"):
        rows, words = getattr(c, f"{runs}_rows"), getattr(c, f"{runs}_words")
        inside = renumber[rows] >= 0
        fields[f"{runs}_rows"], fields[f"{runs}_words"] = renumber[rows[inside]], words[inside]
    return Candidates(**fields)


@dataclass
class ColumnarRanking:
    """Every candidate scored: the component table, scores, breakdown, relevance and the travel figures."""

    cands: Candidates
    table: dict[str, np.ndarray]
    scores: np.ndarray
    breakdown: dict[str, np.ndarray]
    relevant: np.ndarray
    minutes: np.ndarray
    pending: np.ndarray  # minutes known, the full estimate (with directions) still to be made

    def order(self) -> np.ndarray:
        """Every row, best first (ties by id)."""
        return np.lexsort((self.cands.ids, -self.scores))

    @property
    def best_relevance(self) -> float:
        return float(self.relevant.max()) if len(self.relevant) else 0.0

    @property
    def lexical_evidence(self) -> bool:
        lexical = self.cands.lexical
        if not len(self.cands):
            return False  # nothing left to rank (as `pipeline.RankedList()`)
        return bool(lexical is None or np.nanmax(lexical) > 0)


def _member(values: np.ndarray, numbers: np.ndarray, vocab) -> np.ndarray:
    """`np.isin(values, numbers)` for vocabulary numbers, by one lookup in a table as long as the
    vocabulary (NO_CODE, -1, reads the table's spare last cell, which stays False)."""
    if not len(numbers) or not values.size:
        return np.zeros(values.shape, bool)
    table = np.zeros(len(vocab.words) + 1, bool)
    table[numbers] = True
    return table[values]


def _count(rows: np.ndarray, mask: np.ndarray, n: int) -> np.ndarray:
    return np.bincount(rows[mask], minlength=n)


def _occupation(seeker: Side, c: Candidates, vocab) -> np.ndarray:
    """`scoring.occupation_pair` for every candidate: the best level any pair of codes shares."""
    n = len(c)
    if not seeker.occupations:
        return np.full(n, NEUTRAL)
    levels = [vocab.find(seeker.occupations), vocab.find(a[:7] for a in seeker.occupations),
              vocab.find(a[:4] for a in seeker.occupations)]
    best = np.zeros(n)
    for j in range(c.codes.shape[2]):
        present = c.codes[:, 0, j] != NO_CODE
        value = np.where(_member(c.codes[:, 0, j], levels[0], vocab), 1.0,
                         np.where(_member(c.codes[:, 1, j], levels[1], vocab), 0.7,
                                  np.where(_member(c.codes[:, 2, j], levels[2], vocab), 0.4, 0.0)))
        best = np.where(present, np.maximum(best, value), best)
    return np.where(c.ncodes > 0, best, NEUTRAL)


def gate_values(seeker: Side, c: Candidates, vocab) -> np.ndarray:
    """`scoring.gates_component(gates(...))` for every candidate: 0 for a denied certificate, ruled-out
    nights or work left behind, 0.5 per certificate the resume does not mention, else 1."""
    n = len(c)
    held = vocab.find(seeker.certificates)
    lacking = ~_member(c.certificate_words, held, vocab)
    denied = lacking & _member(c.certificate_words, vocab.find(seeker.denied), vocab)
    missing = lacking & ~denied
    shut = _count(c.certificate_rows, denied, n) > 0
    if seeker.nights_ruled_out:
        shut |= c.night
    if seeker.former_occupations:
        top = c.codes[:, 1, 0]  # the first code's 小类
        left = _member(top, vocab.find(code[:7] for code in seeker.former_occupations), vocab)
        wanted = _member(top, vocab.find(code[:7] for code in seeker.occupations), vocab)
        shut |= (c.ncodes > 0) & left & ~wanted
    value = np.ones(n)
    if not seeker.all_certificates:
        value = (1.0 - GATE_PENALTY["missing"]) ** _count(c.certificate_rows, missing, n)
    return np.where(shut, 0.0, value)


def rank_jobs(seeker: Side, c: Candidates, vocab, *, commute, weights, max_minutes=None,
              lexical_ideal: float | None = None) -> ColumnarRanking:
    """Travel, the travel limit and every component for all candidates at once."""
    n = len(c)
    minutes, km = np.full(n, np.nan), np.full(n, np.nan)
    pending = np.zeros(n, bool)
    if seeker.point is not None:
        located = ~np.isnan(c.lat)
        fine = located & ~(c.coarse | seeker.coarse_point)  # an end known only to its district: no figures
        if fine.any():
            dests = np.column_stack([c.lat[fine], c.lon[fine]])
            minutes[fine] = commute.estimate_many(seeker.point, dests, keys=c.ids[fine])[0]
            km[fine] = haversine_km_many(seeker.point[0], seeker.point[1], dests[:, 0], dests[:, 1])
            pending = fine.copy()
    if max_minutes is not None and n:
        limit = np.inf if max_minutes != max_minutes or max_minutes == 0 else float(max_minutes)
        keep = np.flatnonzero(~(minutes > limit))
        if len(keep) < n:
            c, minutes, km, pending = _take(c, keep), minutes[keep], km[keep], pending[keep]
            n = len(c)
    radii = seeker.radius_km + c.radius
    proximity = minutes
    if (radii > 0).any():
        circle, _, _ = circle_many(km, minutes, radii, getattr(commute, "modes", DEFAULT_MODES))
        proximity = np.where(np.isnan(circle) & (radii > 0), np.nan, minutes)
    skills = vocab.find(seeker.skills)
    table = {
        "semantic": semantic_component(c.cosines),
        "lexical": lexical_component(np.full(n, np.nan) if c.lexical is None else c.lexical, lexical_ideal),
        "coverage": coverage_component(_count(c.skill_rows, _member(c.skill_words, skills, vocab), n),
                                       np.bincount(c.skill_rows, minlength=n)),
        "occupation": _occupation(seeker, c, vocab),
        "education": education_component(np.full(n, _float(seeker.education)), c.education),
        "experience": experience_component(np.full(n, _float(seeker.experience)), c.experience),
        "salary": salary_component(np.full(n, _float(seeker.salary_low)), c.offered),
        "proximity": proximity_component(proximity),
        "gates": gate_values(seeker, c, vocab),
    }
    scores, breakdown = combine(table, weights)
    return ColumnarRanking(c, table, scores, breakdown, relevance(table, weights), minutes, pending)


def _float(value) -> float:
    return np.nan if value is None else float(value)
