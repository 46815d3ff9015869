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
from matcher.geo.commute import DEFAULT_MODES, circle_many, claimed, commute_fields
from matcher.geo.geo import CYCLE_KMH, DETOUR_FACTOR, Commute, haversine_km_many
from matcher.ranking.columnar import TABLE, ColumnarRanking, candidates, rank_jobs
from matcher.ranking.explain import explain_match
from matcher.ranking.pool import Pool
from matcher.ranking.scoring import WEIGHTS, Scored, combine, components, gates, relevance, scored_at, scored_row
from matcher.search.lexical import query_words
from matcher.types import Direction, PostingEntry, Side

DEFAULT_GEO_MINUTES = 30.0
MAX_GEO_RADIUS_KM = 15.0


@dataclass
class MatchFilters:
    max_commute_minutes: float | None = None
    min_salary: float | None = None
    accessible_only: bool = False


class RankedList(list):
    """`rank()`'s answer: the top k, best first, and the best relevance over EVERY candidate scored."""

    best_relevance: float = 0.0
    lexical_evidence: bool = False


@dataclass
class Ranked:
    """One ranked candidate: its side, its score record (raw components inside) and its cosine."""

    side: Side
    scored: Scored
    cosine: float
    travel_pending: bool = False  # minutes are known; the full estimate is still to be made (`described`)


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
        skip = set(coarse)
        located = [i for i in located if i not in skip]
        if not located:
            return minutes, modes, km, full
    if direction is Direction.JOBS:
        dests = np.asarray([candidates[i].point for i in located])
        keys = np.asarray([candidates[i].id for i in located], np.int64)
        est, est_modes = commute.estimate_many(query.point, dests, keys=keys)  # station access cached per id
        minutes[located] = est
        km[located] = haversine_km_many(query.point[0], query.point[1], dests[:, 0], dests[:, 1])
        for i, mode in zip(located, est_modes):
            modes[i] = mode
    else:  # each seeker travels from home to the one posting
        for i in located:
            side = candidates[i]
            raw, full[i] = trip(commute, side, query)
            minutes[i], km[i], modes[i] = raw.minutes, raw.distance_km, raw.mode
    return minutes, modes, km, full


def trip(commute, seeker: Side, posting: Side) -> tuple[Commute, Commute]:
    """The full estimate from the seeker's point to the posting's: as made between the two points
    (ranked and filtered on, like `estimate_many`), and as claimed with both ends' radii (shown)."""
    radius = seeker.radius_km + posting.radius_km
    raw = commute.estimate(seeker.point, posting.point,
                           approximate=seeker.approximate_point or posting.approximate_point)
    if radius <= 0:
        return raw, raw
    return raw, claimed(raw, radius, getattr(commute, "modes", DEFAULT_MODES))


def proximity_minutes(query: Side, candidates: Sequence[Side], minutes: np.ndarray, km: np.ndarray,
                      commute) -> np.ndarray:
    """The minutes proximity is scored on: NaN (neutral) where the two uncertainty circles leave the
    15-minute judgement open (the rule of `matcher.geo.commute.assess`), so two 街道 points that happen
    to coincide are not rewarded as 0 minutes apart. One array expression over all candidates."""
    radii = query.radius_km + np.fromiter((c.radius_km for c in candidates), np.float64, len(candidates))
    if not (radii > 0).any():
        return minutes
    circle, _, _ = circle_many(km, minutes, radii, getattr(commute, "modes", DEFAULT_MODES))
    return np.where(np.isnan(circle) & (radii > 0), np.nan, minutes)


def rank(direction: Direction, query: Side, candidates: Sequence[Side], cosines: Sequence[float], *, commute,
         k: int, weights: Mapping[str, float] = WEIGHTS, max_minutes=None, lexical=None,
         lexical_ideal: float | None = None) -> RankedList:
    """The top `k` candidates for `query`, best first (ties by id).

    `max_minutes` is one limit for all (jobs) or one per candidate (seekers' own limits); NaN or None
    means no limit, and a candidate whose travel time is unknown is never dropped by it. `lexical`
    holds each candidate's raw BM25 score against the query (None: unknown, neutral), `lexical_ideal`
    the query's own ideal score (`LexicalIndex.ideal`).
    """
    if not candidates:
        return RankedList()
    cosines = np.asarray(cosines, np.float64)
    raw_lexical = np.asarray(lexical, np.float64) if lexical is not None else None
    minutes, modes, km, full = _travel(direction, query, candidates, commute)
    if max_minutes is not None:
        limit = np.asarray([np.nan if m is None else m for m in np.broadcast_to(
            np.asarray(max_minutes, dtype=object), (len(candidates),))], dtype=np.float64)
        keep = np.flatnonzero(~(minutes > np.where(np.isnan(limit) | (limit == 0), np.inf, limit)))
        candidates = [candidates[i] for i in keep]
        cosines, minutes, km = cosines[keep], minutes[keep], km[keep]
        modes, full = [modes[i] for i in keep], [full[i] for i in keep]
        if raw_lexical is not None:
            raw_lexical = raw_lexical[keep]
        if lexical_ideal is not None and np.ndim(lexical_ideal):
            lexical_ideal = np.asarray(lexical_ideal, np.float64)[keep]
        if not candidates:
            return RankedList()
    if direction is Direction.JOBS:
        seekers, postings = [query] * len(candidates), list(candidates)
    else:
        seekers, postings = list(candidates), [query] * len(candidates)
    failed = [gates(s, p) for s, p in zip(seekers, postings)]
    table = components(seekers, postings, cosines, proximity_minutes(query, candidates, minutes, km, commute),
                       raw_lexical, failed, lexical_ideal)
    scores, breakdown = combine(table, weights)
    relevant = relevance(table, weights)
    ids = np.asarray([c.id for c in candidates], np.int64)
    order = np.lexsort((ids, -scores))[:k]
    out = RankedList()
    out.best_relevance = float(relevant.max())
    out.lexical_evidence = bool(raw_lexical is None or np.nanmax(raw_lexical) > 0)
    for n in order:
        # The full estimate, with its directions, is made later and only for what is shown (`described`).
        out.append(Ranked(candidates[n], scored_at(n, seekers[n], postings[n], table, scores, breakdown, full[n],
                                                   failed[n], relevant[n]), float(cosines[n]),
                          full[n] is None and not np.isnan(minutes[n])))
    return out


def described(item: Ranked, seeker: Side, posting: Side, commute) -> Ranked:
    """`item` with its full commute estimate (minutes, mode and the sentence naming stations), made
    here so that only the results actually shown pay for directions."""
    if item.travel_pending:
        item.scored.commute = trip(commute, seeker, posting)[1]
        item.travel_pending = False
    return item


# ---------------------------------------------------------------------------------------------------
# Jobs for a seeker
# ---------------------------------------------------------------------------------------------------

def job_candidates(postings, vector: np.ndarray, side: Side, filters: MatchFilters, settings,
                   query_text: str | None = None, words=None) -> Pool:
    """The union of the vector search's pool, the lexical index's pool (BM25 over jieba words) and the
    postings near the seeker, with every member's cosine and BM25 score: vector hits best first, then
    the lexical finds, then the near ones. Every posting in the union is scored in full, so a posting
    only one channel finds is never lost to a cut."""
    lexical = postings.lexical if query_text is not None or words is not None else None
    if lexical is None or words is None:  # (a stored seeker's words come cut: `matcher.seeker_query`)
        words = query_words(query_text) if lexical is not None else None  # the query is cut into words once
    with postings.lock:
        index, catalog = postings.index, postings.entries
        pool = min(settings.candidate_pool, max(1, len(index)))
        scores, ids = index.search(vector[None, :], pool)
        hit = ids[0] >= 0
        found, cosines = ids[0][hit], scores[0][hit].astype(np.float64)
        taken = set(found.tolist())
        extra: list[int] = []
        if lexical is not None:
            extra = [i for i in lexical.top_terms(words, settings.candidate_pool)[0].tolist() if i not in taken]
        if side.point is not None and settings.geo_pool:
            minutes = filters.max_commute_minutes or DEFAULT_GEO_MINUTES
            radius = min(MAX_GEO_RADIUS_KM, CYCLE_KMH * minutes / 60.0 / DETOUR_FACTOR)
            near, _ = catalog.nearest(side.point[0], side.point[1], radius, settings.geo_pool + len(found))
            taken.update(extra)
            extra += [i for i in near.tolist() if i not in taken][: settings.geo_pool]
        if extra:  # (no repeats: the lexical ids are distinct, the near ones exclude them)
            extra = np.asarray(extra, np.int64)
            extra = extra[catalog.columns.slots(extra) >= 0]  # still in the catalog
            if len(extra):
                found = np.concatenate([found, extra])
                cosines = np.concatenate([cosines, postings.cosines(extra, vector).astype(np.float64)])
        if lexical is None:
            return Pool(found, cosines)
        return Pool(found, cosines, lexical.score_terms(words, found), lexical.ideal_terms(words))


NO_WORDS = ("简历与岗位库中的岗位没有任何共同的工作内容、技能或证书，因此不推荐岗位。"
            "如果简历只有几个字，请写明做过什么工作、会什么技能、想找什么工作。")
NOTHING_SUITABLE = ("岗位库中暂时没有与简历所写工作方向相符的岗位（最高相关度{best:.2f}，低于{threshold:.2f}），"
                    "因此不推荐岗位。{more}")
WEAK_NOTE = "下面列出的几个岗位相关度较低，仅供参考。"
WEAK_SHOWN = 3
# Set on the DEV split only (`python -m evaluation.ranking_eval --split dev --real-model`; notes/ranking.md).
# The ONNX exports of the same model agree with it to cosine >= 0.996 (benchmarks.encode_bench), so they
# share its threshold; it was not re-set on their own vectors.
CALIBRATED_THRESHOLDS = {"m3e-small": 0.339, "m3e-small-onnx": 0.339, "m3e-small-onnx-int8": 0.339}


def relevance_threshold(settings, model_name: str) -> float:
    """The abstention threshold: the configured one, else the one set for this encoder on the DEV split
    of the ranking benchmark (an encoder without one never abstains on relevance alone)."""
    if settings.relevance_threshold is not None:
        return float(settings.relevance_threshold)
    return CALIBRATED_THRESHOLDS.get(model_name, 0.0)


def answer(results: list[dict], message: str | None = None, weak: list[dict] | None = None) -> dict:
    """The one response shape of matching: results, a Chinese message when there are none, weak alternatives."""
    return {"results": results, "message": message, "weak_alternatives": weak or []}


def collapse_duplicates(ranked: Sequence[Ranked], entries: Mapping[int, PostingEntry]) -> list[Ranked]:
    """Keep the best-ranked posting of each group of duplicates (same employer, title, address, text)."""
    seen: set[int] = set()
    out = []
    for item in ranked:
        entry = entries[item.side.id]
        group = entry.duplicate_of or entry.id
        if group in seen:
            continue
        seen.add(group)
        out.append(item)
    return out


def match_jobs(postings, commute, settings, vector: np.ndarray, side: Side, k: int, filters: MatchFilters,
               weights: Mapping[str, float] = WEIGHTS, query_text: str | None = None, *, words=None) -> dict:
    """Open, live postings ranked for one seeker side: `{results, message, weak_alternatives}`.

    `results` is empty, with a Chinese `message`, when the resume shares no word with any posting and
    names no skill or certificate (garbage), or when the best relevance of every candidate is below
    `settings.relevance_threshold` (nothing is the person's kind of work); the nearest few then come
    as `weak_alternatives`, each marked `weak`."""
    if not 1 <= k <= settings.max_k:
        raise InvalidInput(f"k 应在 1 到 {settings.max_k} 之间", field="k")
    postings.refresh()
    now = time.time()
    found = job_candidates(postings, vector, side, filters, settings, query_text, words)
    with postings.lock:  # the candidates' facts are copied out of the catalog's columns
        columns = postings.entries.columns
        cands = candidates(columns, found, now=now, accessible_only=filters.accessible_only,
                           min_salary=filters.min_salary, seeker=side)
    ranking = rank_jobs(side, cands, columns.vocab, commute=commute, weights=weights,
                        max_minutes=filters.max_commute_minutes, lexical_ideal=found.ideal)
    if found.lexical is not None and not ranking.lexical_evidence and not (side.skills or side.certificates):
        return answer([], NO_WORDS)
    threshold = relevance_threshold(settings, getattr(postings, "model_name", ""))
    weak = len(ranking.cands) and ranking.best_relevance < threshold
    shown = _shown(postings, ranking, side, commute, min(k, WEAK_SHOWN) if weak else k)
    if weak:
        weak = [job_result(side, described(r, side, r.side, commute), entry) | {"weak": True} for r, entry in shown]
        more = WEAK_NOTE if weak else ""
        return answer([], NOTHING_SUITABLE.format(best=ranking.best_relevance, threshold=threshold, more=more), weak)
    results = [job_result(side, described(r, side, r.side, commute), entry) for r, entry in shown]
    return answer(results, None if results else "没有符合筛选条件的岗位。")


def _shown(postings, ranking: ColumnarRanking, side: Side, commute, k: int) -> list[tuple[Ranked, PostingEntry]]:
    """The best `k` rows, one per group of duplicates (same employer, title, address, text), each with
    its `Side` and score record made now: objects only for what is shown. The rows are picked first
    (a posting closed while this request was ranked is passed over); their entries are then made from
    the catalog's columns in one step (`entries_at`) and their figures read out of the arrays in one
    step each (`scored_row` reads plain lists)."""
    cands, picked, slots, seen = ranking.cands, [], [], set()
    ids, duplicate_of = cands.ids, cands.duplicate_of
    with postings.lock:
        columns = postings.entries.columns
        slot_of = columns.slot
        for n in _best_first(ranking, k):
            if len(picked) >= k:
                break
            posting_id = ids.item(n)
            group = duplicate_of.item(n) or posting_id
            if group in seen:
                continue
            seen.add(group)
            slot = slot_of(posting_id)
            if slot >= 0:  # else closed while this request was ranked
                picked.append(n)
                slots.append(slot)
        if not picked:
            return []
        entries = columns.entries_at(slots)
    rows = np.asarray(picked, np.int64)
    table, names = ranking.matrix[:, rows].T.tolist(), ranking.weights
    breakdown = ranking.parts[:, rows].T.tolist()
    scores, relevant = ranking.scores[rows].tolist(), ranking.relevant[rows].tolist()
    cosines, pending = cands.cosines[rows].tolist(), ranking.pending[rows].tolist()
    have, out = side.skills | side.certificates, []
    coarse_side = side.point is not None and side.coarse_point
    for m, entry in enumerate(entries):
        posting = entry.side
        full = None
        if side.point is not None and posting.point is not None and (coarse_side or posting.coarse_point):
            full = commute.estimate(side.point, posting.point, coarse=True)
        scored = scored_row(side, posting, scores[m], dict(zip(TABLE, table[m])), dict(zip(names, breakdown[m])),
                            full, gates(side, posting), relevant[m], have)
        out.append((Ranked(posting, scored, cosines[m], pending[m]), entry))
    return out


def _best_first(ranking: ColumnarRanking, k: int):
    """`ranking.order()`, row by row, sorting only as far as it is read: the best rows (with every row
    tied with the last of them) first, the full order only when duplicates or closed postings use
    those up. The same sequence either way: the best rows are a prefix of the full order."""
    scores, n = ranking.scores, len(ranking.scores)
    want = 2 * k + 8  # room for duplicates skipped
    if want >= n or np.isnan(scores).any():
        yield from ranking.order().tolist()
        return
    cut = np.partition(-scores, want - 1)[want - 1]
    best = np.flatnonzero(-scores <= cut)
    prefix = best[np.lexsort((ranking.cands.ids[best], -scores[best]))].tolist()
    yield from prefix
    yield from ranking.order().tolist()[len(prefix):]


def job_result(seeker: Side, ranked: Ranked, entry: PostingEntry) -> dict:
    scored, commute = ranked.scored, ranked.scored.commute
    return {
        "posting_id": entry.side.id,
        "title": entry.side.title,
        "employer": entry.employer,
        "score": scored.score,
        "relevance": scored.relevance,
        "gates": scored.gates,
        "duplicate_of": entry.duplicate_of,
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
