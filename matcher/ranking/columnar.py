"""Jobs for a seeker, ranked as array expressions over the catalog's columns.

The same ranking as `pipeline.rank(Direction.JOBS, ...)` (its tests and the captured reference in
`tests/matcher/ranking/test_hot_path_reference.py` hold them equal, score for score), without a
Python step per candidate: filters, travel (`MetroCommute.minutes_many` over the cached station
access of every candidate), the travel limit, every score component, the eligibility gates and the
relevance threshold are one array expression each over all candidates. `Side` objects, the failed
gates' records and the commute sentences are made only for the rows shown.

At ~350 candidates a numpy call costs about what its per-call overhead costs, so the work is cut in
calls: the seeker's words are looked up once per request into one table of flag bits (`Words`); a
column or a run of words is gathered only when the seeker states something it is compared with
(a resume without an education never reads the postings' education); every component is a row of
one (9, n) matrix, so the weights, rounding and sums are one expression each; travel reads
`MetroCommute.minutes_many` (the minutes and the distance in one pass, no modes' names).
"""
from __future__ import annotations

import functools
import weakref
from dataclasses import dataclass

import numpy as np

from matcher.geo.commute import DEFAULT_MODES, circle_many
from matcher.geo.geo import haversine_km_many
from matcher.ranking.pool import Pool
from matcher.ranking.scoring import (GATE_PENALTY, LEXICAL_SHARE, NEUTRAL, RELEVANCE, SALARY_UNKNOWN,
                                     proximity_component, semantic_component)
from matcher.search.columns import PostingColumns
from matcher.types import Side


# Which of the seeker's lists a vocabulary number is on (bits of `Words.table`).
SKILL, HELD, DENIED, CODE, CODE7, CODE4, FORMER7 = (1 << i for i in range(7))
CODED = CODE | CODE7 | CODE4
# The rows of the component matrix (`ColumnarRanking.matrix`), in the order `components` makes them.
TABLE = ("semantic", "lexical", "coverage", "occupation", "education", "experience", "salary", "proximity", "gates")
ROW = {name: n for n, name in enumerate(TABLE)}
# `scoring.occupation_pair` by the levels a code shares: same 细类 1.0, else 小类 (7 chars) 0.7, else
# 中类 (4 chars) 0.4, else 0; indexed by the code's CODE | CODE7 | CODE4 bits.
LEVEL_VALUE = np.asarray([1.0 if bits & CODE else 0.7 if bits & CODE7 else 0.4 if bits & CODE4 else 0.0
                          for bits in range(CODED + 1)])


class Words:
    """The seeker's skills, certificates and occupation codes as vocabulary numbers, looked up once per
    request: one table of flag bits as long as the vocabulary, so a membership test of any gathered
    column is one lookup (NO_CODE, -1, reads the table's spare last cell, which stays 0). Words no
    posting uses are not in the vocabulary and match nothing; `has` holds the bits of lists with a match."""

    def __init__(self, seeker: Side, vocab):
        number, occupations = vocab.number, seeker.occupations
        table, self.has = bytearray(len(vocab.words) + 1), 0
        for flag, words in ((SKILL, seeker.skills), (HELD, seeker.certificates), (DENIED, seeker.denied),
                            (CODE, occupations), (CODE7, [a[:7] for a in occupations]),
                            (CODE4, [a[:4] for a in occupations]),
                            (FORMER7, [a[:7] for a in seeker.former_occupations])):
            found = [number[w] for w in words if w in number]
            for n in found:
                table[n] |= flag
            if found:
                self.has |= flag
        self.table = np.frombuffer(table, np.uint8)
        self.prefixes: tuple[np.ndarray, np.ndarray] | None = None  # set when codes are compared

    def code_values(self) -> np.ndarray:
        """Per vocabulary number of an occupation code, the best level the seeker shares with it: its
        own flag, its 7-character prefix's, its 4-character prefix's (`prefixes`), read as a value."""
        table, (p7, p4) = self.table, self.prefixes
        return LEVEL_VALUE[(table & CODE) | (table[p7] & CODE7) | (table[p4] & CODE4)]


_PREFIXES: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def prefixes(vocab) -> tuple[np.ndarray, np.ndarray]:
    """For each vocabulary number (and the spare last cell), the numbers of its word's first 7 and first
    4 characters, -1 (the spare cell) where that is no word: a posting's code numbers at the three
    levels are its full code's number, p7[it] and p4[it], so a code is compared at every level from
    one column. Made again when the vocabulary has grown (call under the catalog's lock)."""
    held = _PREFIXES.get(vocab)
    if held is None or len(held[0]) != len(vocab.words) + 1:
        number = vocab.number
        held = tuple(np.asarray([number.get(word[:width], -1) for word in vocab.words] + [-1], np.int64)
                     for width in (7, 4))
        _PREFIXES[vocab] = held
    return held


@dataclass
class Candidates:
    """The candidates' facts, copied out of the catalog's columns under its lock. A column the seeker
    cannot be compared on (no point: no places; no education: no education required ...) is None."""

    ids: np.ndarray
    slots: np.ndarray
    cosines: np.ndarray
    lexical: np.ndarray | None
    duplicate_of: np.ndarray
    words: Words
    skill_count: np.ndarray
    certificate_count: np.ndarray | None = None
    lat: np.ndarray | None = None
    lon: np.ndarray | None = None
    radius: np.ndarray | None = None
    coarse: np.ndarray | None = None
    education: np.ndarray | None = None
    experience: np.ndarray | None = None
    offered: np.ndarray | None = None
    night: np.ndarray | None = None
    codes: np.ndarray | None = None  # [row, n]: the number of each full code (NO_CODE: none)
    ncodes: np.ndarray | None = None
    skill_rows: np.ndarray | None = None  # only when a skill of the seeker's is in the vocabulary
    skill_words: np.ndarray | None = None
    certificate_rows: np.ndarray | None = None  # only when a certificate held or denied is
    certificate_words: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.ids)


COLUMNS = ("ids", "slots", "cosines", "lexical", "duplicate_of", "skill_count", "certificate_count", "lat", "lon",
           "radius", "coarse", "education", "experience", "offered", "night", "codes", "ncodes")


def candidates(columns: PostingColumns, pool: Pool, *, now: float, accessible_only: bool = False,
               min_salary: float | None = None, seeker: Side) -> Candidates:
    """The live candidates in `pool` that pass the filters, as arrays with the facts `seeker` is ranked on
    (call under the catalog's lock: the columns are copied, so ranking can go on without it)."""
    ids, cosines, lexical = pool.ids, pool.cosines, pool.lexical
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
    return _gather(columns, seeker, ids, slots, cosines, lexical)


def _gather(columns: PostingColumns, seeker: Side, ids, slots, cosines, lexical) -> Candidates:
    """The columns `rank_jobs` reads for this seeker, one fancy index each."""
    words = Words(seeker, columns.vocab)
    c = Candidates(ids=ids, slots=slots, cosines=cosines, lexical=lexical, duplicate_of=columns.duplicate_of[slots],
                   words=words, skill_count=columns.skills.length[slots])
    if words.has & SKILL:
        c.skill_rows, c.skill_words = columns.skills.gather(slots)
    if words.has & (HELD | DENIED):
        c.certificate_rows, c.certificate_words = columns.certificates.gather(slots)
    elif not seeker.all_certificates:
        c.certificate_count = columns.certificates.length[slots]
    if seeker.point is not None:
        c.lat, c.lon, c.radius, c.coarse = (columns.lat[slots], columns.lon[slots], columns.radius[slots],
                                            columns.coarse[slots])
    if seeker.education is not None:
        c.education = columns.education[slots]
    if seeker.experience is not None:
        c.experience = columns.experience[slots]
    if seeker.salary_low:
        c.offered = columns.offered[slots]
    if seeker.nights_ruled_out:
        c.night = columns.night[slots]
    if seeker.occupations or words.has & FORMER7:
        c.ncodes = columns.ncodes[slots]
        if words.has & (CODED | FORMER7):
            c.codes = columns.codes[slots, 0]
            words.prefixes = prefixes(columns.vocab)
    return c


def _take(c: Candidates, keep: np.ndarray) -> Candidates:
    """The candidates at the (sorted) row numbers `keep`."""
    fields = {name: None if getattr(c, name) is None else getattr(c, name)[keep] for name in COLUMNS}
    if c.skill_rows is not None or c.certificate_rows is not None:
        renumber = np.full(len(c), -1, np.int64)
        renumber[keep] = np.arange(len(keep))
        for runs in ("skill", "certificate"):
            rows, words = getattr(c, f"{runs}_rows"), getattr(c, f"{runs}_words")
            if rows is not None:
                inside = renumber[rows] >= 0
                fields[f"{runs}_rows"], fields[f"{runs}_words"] = renumber[rows[inside]], words[inside]
    return Candidates(words=c.words, **fields)


@dataclass
class ColumnarRanking:
    """Every candidate scored: the component matrix (rows in `TABLE` order) and its rows by name, the
    weighted parts (rows in the weights' order) and by name, scores, relevance and the travel figures."""

    cands: Candidates
    matrix: np.ndarray
    parts: np.ndarray
    weights: tuple[str, ...]
    scores: np.ndarray
    relevant: np.ndarray
    minutes: np.ndarray
    pending: np.ndarray  # minutes known, the full estimate (with directions) still to be made

    @property
    def table(self) -> dict[str, np.ndarray]:
        return {name: self.matrix[n] for n, name in enumerate(TABLE)}

    @property
    def breakdown(self) -> dict[str, np.ndarray]:
        return {name: self.parts[n] for n, name in enumerate(self.weights)}

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
        return bool(lexical is None or (lexical > 0).any())  # (`np.nanmax(lexical) > 0`: NaN is no evidence)


def _occupation(seeker: Side, c: Candidates) -> np.ndarray | float:
    """`scoring.occupation_pair` for every candidate: the best level any pair of codes shares (an absent
    code reads 0 at every level, as does a code no level of the seeker's shares)."""
    if not seeker.occupations:
        return NEUTRAL
    if not c.words.has & CODED:
        return np.where(c.ncodes > 0, 0.0, NEUTRAL)
    values = c.words.code_values()
    best = values[c.codes[:, 0]]
    for j in range(1, c.codes.shape[1]):  # (a chain of maxima: a short-axis reduction costs ten times more)
        best = np.maximum(best, values[c.codes[:, j]])
    return np.where(c.ncodes > 0, best, NEUTRAL)


def gate_values(seeker: Side, c: Candidates) -> np.ndarray | float:
    """`scoring.gates_component(gates(...))` for every candidate: 0 for a denied certificate, ruled-out
    nights or work left behind, 0.5 per certificate the resume does not mention, else 1."""
    n, table, shut = len(c), c.words.table, None
    count = c.certificate_count  # certificates missing: all of them unless one is held or denied
    if c.certificate_rows is not None:
        rows, flags = c.certificate_rows, table[c.certificate_words]
        lacking = (flags & HELD) == 0
        denied = lacking & ((flags & DENIED) != 0)
        shut = np.bincount(rows[denied], minlength=n) > 0
        if not seeker.all_certificates:
            count = np.bincount(rows[lacking & ~denied], minlength=n)
    if seeker.nights_ruled_out:
        shut = c.night if shut is None else shut | c.night
    if c.words.has & FORMER7:
        top = table[c.words.prefixes[0][c.codes[:, 0]]]  # the first code's 小类
        left = (c.ncodes > 0) & ((top & FORMER7) != 0) & ((top & CODE7) == 0)
        shut = left if shut is None else shut | left
    value = 1.0 if seeker.all_certificates else (1.0 - GATE_PENALTY["missing"]) ** count
    return value if shut is None else np.where(shut, 0.0, value)


def _travel(commute, point, lat, lon, ids) -> tuple[np.ndarray, np.ndarray]:
    """(minutes, km) from `point` to each row (any commute with `estimate_many` will do)."""
    many = getattr(commute, "minutes_many", None)
    if many is not None:
        return many(point, lat, lon, keys=ids)
    minutes = commute.estimate_many(point, np.column_stack([lat, lon]), keys=ids)[0]
    return np.asarray(minutes, np.float64), haversine_km_many(point[0], point[1], lat, lon)


def rank_jobs(seeker: Side, c: Candidates, vocab=None, *, commute, weights, max_minutes=None,
              lexical_ideal: float | None = None) -> ColumnarRanking:
    """Travel, the travel limit and every component for all candidates at once (`c` made by
    `candidates` for this `seeker`; `vocab` is no longer read: the seeker's words came with `c`)."""
    n = len(c)
    minutes, km = np.full(n, np.nan), None
    pending = np.zeros(n, bool)
    if seeker.point is not None and n and not seeker.coarse_point:
        fine = ~(np.isnan(c.lat) | c.coarse)  # an end known only to its district: no figures
        if fine.all():
            minutes, km = _travel(commute, seeker.point, c.lat, c.lon, c.ids)
            pending = fine
        elif fine.any():
            km = np.full(n, np.nan)
            minutes[fine], km[fine] = _travel(commute, seeker.point, c.lat[fine], c.lon[fine], c.ids[fine])
            pending = fine
    if max_minutes is not None and n and km is not None:  # (no minutes known: nothing is dropped)
        limit = np.inf if max_minutes != max_minutes or max_minutes == 0 else float(max_minutes)
        keep = np.flatnonzero(~(minutes > limit))
        if len(keep) < n:
            c, minutes, km, pending = _take(c, keep), minutes[keep], km[keep], pending[keep]
            n = len(c)
    matrix = np.empty((len(TABLE), n))
    matrix[0] = semantic_component(c.cosines)
    matrix[1] = _lexical(c.lexical, lexical_ideal)
    matched = 0.0 if c.skill_rows is None else \
        np.bincount(c.skill_rows[(c.words.table[c.skill_words] & SKILL) != 0], minlength=n)
    matrix[2] = np.where(c.skill_count > 0, matched / np.maximum(c.skill_count, 1), NEUTRAL)
    matrix[3] = _occupation(seeker, c)
    matrix[4] = 1.0 if c.education is None else _education(float(seeker.education), c.education)
    matrix[5] = 1.0 if c.experience is None else _experience(float(seeker.experience), c.experience)
    matrix[6] = SALARY_UNKNOWN if c.offered is None else _salary(float(seeker.salary_low), c.offered)
    matrix[7] = NEUTRAL if km is None else proximity_component(_proximity(seeker, c, minutes, km, commute))
    matrix[8] = gate_values(seeker, c)
    names, rows, column, relevant = _weighted(tuple(weights.items()))
    weighted = matrix[rows] * column  # each component times its weight, in the weights' order
    parts = np.round(weighted, 4)
    scores = np.round(np.add.reduce(parts, axis=0, initial=0.0), 4)  # summed in the weights' order, from 0
    return ColumnarRanking(c, matrix, parts, names, scores, _relevance(weighted, relevant), minutes, pending)


def _lexical(raw: np.ndarray | None, ideal) -> np.ndarray | float:
    """`scoring.lexical_component` for one query's ideal score (the same operations)."""
    if raw is None or ideal is None:
        return NEUTRAL
    scale = LEXICAL_SHARE * float(ideal)
    value = np.clip(raw / scale, 0.0, 1.0) if scale > 0 else 0.0
    return np.where(np.isnan(raw), NEUTRAL, value)


def _education(seeker: float, required: np.ndarray) -> np.ndarray:
    """`scoring.education_component` for one known seeker level."""
    gap = required - seeker
    known = np.where(gap <= 0, 1.0, np.where(gap == 1, 0.5, 0.0))
    return np.where(np.isnan(required) | (required == 0) | (seeker != seeker), 1.0, known)


def _experience(seeker: float, required: np.ndarray) -> np.ndarray:
    """`scoring.experience_component` for one known seeker figure."""
    unknown = np.isnan(required) | (required == 0) | (seeker != seeker)
    safe = np.where(unknown, 1.0, required)
    return np.where(unknown, 1.0, np.where(seeker >= safe, 1.0, 0.8 * seeker / safe))


def _salary(expected: float, offered: np.ndarray) -> np.ndarray | float:
    """`scoring.salary_component` for one stated expectation."""
    if expected != expected or expected == 0:
        return SALARY_UNKNOWN
    unknown = np.isnan(offered) | (offered == 0)
    ratio = offered / expected
    return np.where(unknown, SALARY_UNKNOWN, np.clip((ratio - 0.7) / 0.3, 0.0, 1.0))


def _proximity(seeker: Side, c: Candidates, minutes, km, commute) -> np.ndarray:
    """The minutes proximity is scored on: NaN (neutral) where the two uncertainty circles leave the
    15-minute judgement open (`pipeline.proximity_minutes`)."""
    radii = seeker.radius_km + c.radius
    if not (radii > 0).any():
        return minutes
    circle, _, _ = circle_many(km, minutes, radii, getattr(commute, "modes", DEFAULT_MODES))
    return np.where(np.isnan(circle) & (radii > 0), np.nan, minutes)


@functools.lru_cache(maxsize=64)
def _weighted(items: tuple) -> tuple[tuple[str, ...], np.ndarray, np.ndarray, tuple]:
    """For one set of weights: their names in order, the matrix rows they weigh, the weights as a
    column, and (rows of the weighted matrix, total) for `scoring.relevance` (None: no relevance weight)."""
    names = tuple(name for name, _ in items)
    weights = dict(items)
    column = np.asarray([weight for _, weight in items], np.float64)[:, None]
    kept = [name for name in RELEVANCE if weights.get(name)]
    total = sum(weights[name] for name in kept)
    relevant = (np.asarray([names.index(name) for name in kept], np.int64), total) if total else None
    return names, np.asarray([ROW[name] for name in names], np.int64), column, relevant


def _relevance(weighted: np.ndarray, relevant) -> np.ndarray:
    """`scoring.relevance` off the weighted matrix: the relevance rows (component x weight, the same
    products) summed in `RELEVANCE` order from 0, divided by their weights' total."""
    if relevant is None:
        return np.zeros(weighted.shape[1])
    rows, total = relevant
    return np.add.reduce(weighted[rows], axis=0, initial=0.0) / total
