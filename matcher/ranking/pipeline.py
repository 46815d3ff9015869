"""One ranking pipeline for both directions: jobs for a seeker, seekers for a posting.

`rank()` takes the query's side, every candidate's side and cosine, estimates travel, drops
candidates beyond a travel limit, scores the WHOLE remaining set with the vectorised components
(no pre-cut: the first 5 at k=50 are the top 5 at k=5), and returns the top k with raw components
kept in `Scored`, from which the score, the breakdown and the explanation are all read.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np

from matcher.errors import InvalidInput
from matcher.geo.commute import commute_fields
from matcher.geo.geo import CYCLE_KMH, DETOUR_FACTOR, Commute, haversine_km_many
from matcher.ranking.explain import explain_match
from matcher.ranking.scoring import WEIGHTS, Scored, combine, components, scored_at
from matcher.types import Direction, PostingEntry, Side

DEFAULT_GEO_MINUTES = 30.0
MAX_GEO_RADIUS_KM = 15.0


@dataclass
class MatchFilters:
    max_commute_minutes: float | None = None
    min_salary: float | None = None
    accessible_only: bool = False


@dataclass
class Ranked:
    """One ranked candidate: its side, its score record (raw components inside) and its cosine."""

    side: Side
    scored: Scored
    cosine: float


def _travel(direction: Direction, query: Side, candidates: Sequence[Side], commute):
    """(minutes, modes, km, full estimates or None) per candidate; NaN where either point is unknown."""
    n = len(candidates)
    minutes, km = np.full(n, np.nan), np.full(n, np.nan)
    modes: list[str | None] = [None] * n
    full: list[Commute | None] = [None] * n
    if query.point is None:
        return minutes, modes, km, full
    located = [i for i, c in enumerate(candidates) if c.point is not None]
    if not located:
        return minutes, modes, km, full
    coarse = [i for i in located if query.coarse_point or candidates[i].coarse_point]
    if coarse:
        # An end known only to its district: no minutes, no distance, no 15-minute claim.
        for i in coarse:
            full[i] = commute.estimate(query.point, candidates[i].point, coarse=True)
            modes[i] = full[i].mode
        located = [i for i in located if i not in set(coarse)]
        if not located:
            return minutes, modes, km, full
    if direction is Direction.JOBS:
        dests = np.asarray([candidates[i].point for i in located])
        est, est_modes = commute.estimate_many(query.point, dests)  # cached per point
        minutes[located] = est
        km[located] = haversine_km_many(query.point[0], query.point[1], dests[:, 0], dests[:, 1])
        for i, mode in zip(located, est_modes):
            modes[i] = mode
    else:  # each seeker travels from home to the one posting
        for i in located:
            side = candidates[i]
            full[i] = commute.estimate(side.point, query.point,
                                       approximate=side.approximate_point or query.approximate_point)
            minutes[i], km[i], modes[i] = full[i].minutes, full[i].distance_km, full[i].mode
    return minutes, modes, km, full


def rank(direction: Direction, query: Side, candidates: Sequence[Side], cosines: Sequence[float], *, commute,
         k: int, weights: Mapping[str, float] = WEIGHTS, max_minutes=None) -> list[Ranked]:
    """The top `k` candidates for `query`, best first (ties by id).

    `max_minutes` is one limit for all (jobs) or one per candidate (seekers' own limits); NaN or None
    means no limit, and a candidate whose travel time is unknown is never dropped by it.
    """
    if not candidates:
        return []
    cosines = np.asarray(cosines, np.float64)
    minutes, modes, km, full = _travel(direction, query, candidates, commute)
    if max_minutes is not None:
        limit = np.asarray([np.nan if m is None else m for m in np.broadcast_to(
            np.asarray(max_minutes, dtype=object), (len(candidates),))], dtype=np.float64)
        keep = np.flatnonzero(~(minutes > np.where(np.isnan(limit) | (limit == 0), np.inf, limit)))
        candidates = [candidates[i] for i in keep]
        cosines, minutes, km = cosines[keep], minutes[keep], km[keep]
        modes, full = [modes[i] for i in keep], [full[i] for i in keep]
        if not candidates:
            return []
    if direction is Direction.JOBS:
        seekers, postings = [query] * len(candidates), list(candidates)
    else:
        seekers, postings = list(candidates), [query] * len(candidates)
    table = components(seekers, postings, cosines, minutes)
    scores, breakdown = combine(table, weights)
    ids = np.asarray([c.id for c in candidates], np.int64)
    order = np.lexsort((ids, -scores))[:k]
    out = []
    for n in order:
        commute_n = full[n]
        if commute_n is None and not np.isnan(minutes[n]):
            # The full estimate, with its sentence, only for what is shown.
            commute_n = commute.estimate(seekers[n].point, postings[n].point,
                                         approximate=seekers[n].approximate_point or postings[n].approximate_point)
        out.append(Ranked(candidates[n], scored_at(n, seekers[n], postings[n], table, scores, breakdown, commute_n),
                          float(cosines[n])))
    return out


# ---------------------------------------------------------------------------------------------------
# Jobs for a seeker
# ---------------------------------------------------------------------------------------------------

def job_candidates(postings, vector: np.ndarray, side: Side, filters: MatchFilters, settings) -> dict[int, float]:
    """Posting id -> cosine: the vector search's pool plus postings near the seeker (`geo_pool`)."""
    with postings.lock:
        index = postings.index
        pool = min(settings.candidate_pool, max(1, len(index)))
        scores, ids = index.search(vector[None, :], pool)
        found = {int(i): float(s) for s, i in zip(scores[0], ids[0]) if i >= 0}
        if side.point is not None and settings.geo_pool:
            minutes = filters.max_commute_minutes or DEFAULT_GEO_MINUTES
            radius = min(MAX_GEO_RADIUS_KM, CYCLE_KMH * minutes / 60.0 / DETOUR_FACTOR)
            near, _ = postings.entries.nearest(side.point[0], side.point[1], radius, settings.geo_pool + len(found))
            near = np.asarray([i for i in near.tolist() if i not in found], dtype=np.int64)[: settings.geo_pool]
            if len(near):
                found.update(zip(near.tolist(), postings.cosines(near, vector).tolist()))
    return found


def match_jobs(postings, commute, settings, vector: np.ndarray, side: Side, k: int, filters: MatchFilters,
               weights: Mapping[str, float] = WEIGHTS) -> list[dict]:
    """Open, live postings ranked for one seeker side, as result dicts."""
    if not 1 <= k <= settings.max_k:
        raise InvalidInput(f"k 应在 1 到 {settings.max_k} 之间", field="k")
    postings.refresh()
    now = time.time()
    found = job_candidates(postings, vector, side, filters, settings)
    with postings.lock:
        entries = [(postings.entries.get(i), c) for i, c in found.items()]
    entries = [(e, c) for e, c in entries if e is not None and e.is_live(now)]
    if filters.accessible_only:
        entries = [(e, c) for e, c in entries if e.accessible]
    if filters.min_salary:
        entries = [(e, c) for e, c in entries if e.side.offered is None or e.side.offered >= filters.min_salary]
    by_id = {e.side.id: e for e, _ in entries}
    ranked = rank(Direction.JOBS, side, [e.side for e, _ in entries], [c for _, c in entries], commute=commute,
                  k=k, weights=weights, max_minutes=filters.max_commute_minutes)
    return [job_result(side, r, by_id[r.side.id]) for r in ranked]


def job_result(seeker: Side, ranked: Ranked, entry: PostingEntry) -> dict:
    scored, commute = ranked.scored, ranked.scored.commute
    return {
        "posting_id": entry.side.id,
        "title": entry.side.title,
        "employer": entry.employer,
        "score": scored.score,
        "breakdown": scored.breakdown,
        "components": {name: round(value, 6) for name, value in scored.components.items()},
        "similarity": round(ranked.cosine, 4),
        "matched": scored.matched,
        "missing": scored.missing,
        "salary": entry.salary_text,
        **commute_fields(commute),
        "occupation": entry.side.occupation_name,
        "explanation": explain_match(seeker, entry.side, scored),
    }
