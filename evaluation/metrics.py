"""Ranking, coverage and fairness metrics: pure functions over lists of item ids.

Conventions shared by every function here:

- `ranked` is a list of item ids, best first. A ranking should not repeat an item; if it does,
  repeats after the first occurrence are ignored (they cannot earn a second hit).
- `relevant` is either a collection of relevant item ids or a mapping `item -> grade`. With a
  mapping, an item is relevant when its grade is > 0; nDCG uses the grades themselves.
- `k` cuts the ranking to its first k items. `k=None` means the whole ranking.
- A per-query metric on a query with no relevant item is undefined and returns `nan`;
  `evaluate_rankings` leaves such queries out and reports how many it scored.
"""
from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Collection, Hashable, Iterable, Mapping, Sequence

import numpy as np

Item = Hashable
Relevance = Collection[Item] | Mapping[Item, float]


def _top(ranked: Sequence[Item], k: int | None) -> list[Item]:
    if k is not None and k < 1:
        raise ValueError(f"k must be >= 1, got {k}")
    seen: set[Item] = set()
    out: list[Item] = []
    for item in ranked:
        if item in seen:
            continue
        seen.add(item)
        out.append(item)
        if k is not None and len(out) == k:
            break
    return out


def _relevant_set(relevant: Relevance) -> set[Item]:
    if isinstance(relevant, Mapping):
        return {item for item, grade in relevant.items() if grade > 0}
    return set(relevant)


def _grades(relevant: Relevance) -> dict[Item, float]:
    if isinstance(relevant, Mapping):
        return {item: float(grade) for item, grade in relevant.items()}
    return {item: 1.0 for item in relevant}


# --------------------------------------------------------------------------------------------
# Per-query ranking metrics


def hits_at_k(ranked: Sequence[Item], relevant: Relevance, k: int | None = None) -> int:
    """Number of relevant items in the top k: an integer in [0, min(k, |relevant|)]."""
    rel = _relevant_set(relevant)
    return sum(1 for item in _top(ranked, k) if item in rel)


def recall_at_k(ranked: Sequence[Item], relevant: Relevance, k: int | None = None) -> float:
    """Share of the relevant items that appear in the top k, in [0, 1]; nan with no relevant item.

    1.0 when every relevant item is in the top k; 0.0 when none is. When |relevant| > k the
    maximum reachable value is k / |relevant|.
    """
    rel = _relevant_set(relevant)
    if not rel:
        return math.nan
    return hits_at_k(ranked, rel, k) / len(rel)


def precision_at_k(ranked: Sequence[Item], relevant: Relevance, k: int) -> float:
    """Relevant items in the top k divided by k, in [0, 1]; nan with no relevant item.

    The denominator is k even when the ranking is shorter than k: a system that returns fewer
    items than asked is not rewarded for it.
    """
    rel = _relevant_set(relevant)
    if not rel:
        return math.nan
    return hits_at_k(ranked, rel, k) / k


def hit_rate_at_k(ranked: Sequence[Item], relevant: Relevance, k: int | None = None) -> float:
    """1.0 if at least one relevant item is in the top k, else 0.0; nan with no relevant item."""
    rel = _relevant_set(relevant)
    if not rel:
        return math.nan
    return 1.0 if hits_at_k(ranked, rel, k) > 0 else 0.0


def dcg(gains: Sequence[float], k: int | None = None) -> float:
    """Discounted cumulative gain of graded relevances listed in rank order, >= 0.

    DCG@k = sum_{i=1..k} (2^rel_i - 1) / log2(i + 1): exponential gain, so a grade-3 item is
    worth 7 grade-1 items, and a log2 position discount (rank 1 undiscounted, rank 3 halved).
    """
    g = np.asarray(list(gains)[: k if k is not None else None], dtype=float)
    if g.size == 0:
        return 0.0
    discounts = np.log2(np.arange(2, g.size + 2))
    return float(np.sum((np.power(2.0, g) - 1.0) / discounts))


def ndcg_at_k(ranked: Sequence[Item], relevant: Relevance, k: int | None = None) -> float:
    """Normalised DCG@k with graded relevance, in [0, 1]; nan with no item of grade > 0.

    DCG of the ranking (see `dcg`) divided by the DCG of the ideal ranking of all judged items
    (grades sorted descending, cut at k). Unjudged items have grade 0. 1.0 for the ideal order,
    0.0 when no relevant item is in the top k.
    """
    grades = _grades(relevant)
    ideal = dcg(sorted((g for g in grades.values() if g > 0), reverse=True), k)
    if ideal == 0.0:
        return math.nan
    actual = dcg([grades.get(item, 0.0) for item in _top(ranked, k)])
    return actual / ideal


def reciprocal_rank(ranked: Sequence[Item], relevant: Relevance, k: int | None = None) -> float:
    """1 / rank of the first relevant item within the top k, in [0, 1]; 0.0 if none; nan with no relevant item."""
    rel = _relevant_set(relevant)
    if not rel:
        return math.nan
    for position, item in enumerate(_top(ranked, k), start=1):
        if item in rel:
            return 1.0 / position
    return 0.0


def average_precision(ranked: Sequence[Item], relevant: Relevance, k: int | None = None) -> float:
    """Average precision at k, in [0, 1]; nan with no relevant item.

    AP@k = (1 / min(|relevant|, k)) * sum over ranks i <= k holding a relevant item of
    precision@i. The min() normaliser makes a top-k list filled entirely with relevant items
    score 1.0 even when more than k items are relevant.
    """
    rel = _relevant_set(relevant)
    if not rel:
        return math.nan
    hits, total = 0, 0.0
    for position, item in enumerate(_top(ranked, k), start=1):
        if item in rel:
            hits += 1
            total += hits / position
    denominator = len(rel) if k is None else min(len(rel), k)
    return total / denominator


# --------------------------------------------------------------------------------------------
# Means over queries


def _mean_defined(values: Iterable[float]) -> float:
    arr = np.asarray([v for v in values if not math.isnan(v)], dtype=float)
    return float(arr.mean()) if arr.size else math.nan


def mrr(rankings: Sequence[Sequence[Item]], relevants: Sequence[Relevance], k: int | None = None) -> float:
    """Mean reciprocal rank over queries with at least one relevant item, in [0, 1]."""
    return _mean_defined(reciprocal_rank(r, rel, k) for r, rel in zip(rankings, relevants, strict=True))


def mean_average_precision(
    rankings: Sequence[Sequence[Item]], relevants: Sequence[Relevance], k: int | None = None
) -> float:
    """MAP@k: mean of `average_precision` over queries with at least one relevant item, in [0, 1].

    (Not named `map`, which would shadow the builtin.)
    """
    return _mean_defined(average_precision(r, rel, k) for r, rel in zip(rankings, relevants, strict=True))


# --------------------------------------------------------------------------------------------
# Catalogue-level metrics


def catalogue_coverage(
    recommended_lists: Iterable[Sequence[Item]], catalogue_size: int, k: int | None = None
) -> float:
    """Share of the catalogue recommended at least once in the top k of any list, in [0, 1].

    Items outside the catalogue are still counted, so pass the true catalogue size.
    """
    if catalogue_size <= 0:
        raise ValueError(f"catalogue_size must be positive, got {catalogue_size}")
    distinct: set[Item] = set()
    for ranked in recommended_lists:
        distinct.update(_top(ranked, k))
    return min(1.0, len(distinct) / catalogue_size)


def exposure_counts(recommended_lists: Iterable[Sequence[Item]], k: int | None = 10) -> Counter:
    """How many top-k lists each item appears in."""
    counts: Counter = Counter()
    for ranked in recommended_lists:
        counts.update(_top(ranked, k))
    return counts


def exposure_concentration(
    recommended_lists: Iterable[Sequence[Item]],
    top_share: float = 0.01,
    k: int = 10,
    catalogue_size: int | None = None,
) -> float:
    """Share of all top-k exposure taken by the `top_share` most-exposed items, in (0, 1].

    With a catalogue of n items (`catalogue_size`, or the number of distinct recommended items
    when not given), the top ceil(top_share * n) items by exposure are taken, and their share of
    all top-k slots returned. Exposure spread evenly over the catalogue gives ~top_share; 1.0
    means every list shows the same few items. nan when the lists hold no item.
    """
    if not 0.0 < top_share <= 1.0:
        raise ValueError(f"top_share must be in (0, 1], got {top_share}")
    counts = exposure_counts(recommended_lists, k)
    total = sum(counts.values())
    if total == 0:
        return math.nan
    n_items = catalogue_size if catalogue_size is not None else len(counts)
    if n_items < len(counts):
        raise ValueError(f"catalogue_size {n_items} is smaller than the {len(counts)} distinct items recommended")
    n_top = max(1, math.ceil(top_share * n_items))
    top = sorted(counts.values(), reverse=True)[:n_top]
    return sum(top) / total


# --------------------------------------------------------------------------------------------
# Group parity


@dataclass(frozen=True)
class GroupParity:
    """Per-group values of one metric and their spread.

    `ratio` is max/min over groups with a defined value: 1.0 is perfect parity; `inf` when some
    group scores 0 while another scores above 0; nan with fewer than one scored group.
    """

    values: dict[Any, float]
    sizes: dict[Any, int]
    ratio: float
    best_group: Any = None
    worst_group: Any = None
    metric: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def as_flat_dict(self, prefix: str) -> dict[str, float]:
        out = {f"{prefix}/ratio": self.ratio}
        for group, value in self.values.items():
            out[f"{prefix}/{group}"] = value
        return out


def _parity(values: dict[Any, float], sizes: dict[Any, int], metric: str) -> GroupParity:
    defined = {g: v for g, v in values.items() if not math.isnan(v)}
    if not defined:
        return GroupParity(values, sizes, math.nan, metric=metric)
    best = max(defined, key=defined.get)
    worst = min(defined, key=defined.get)
    hi, lo = defined[best], defined[worst]
    if lo > 0:
        ratio = hi / lo
    else:
        ratio = 1.0 if hi == 0 else math.inf
    return GroupParity(values, sizes, ratio, best, worst, metric)


def position_weight(rank: int) -> float:
    """Attention weight of a 1-based rank: 1 / log2(rank + 1) (rank 1 -> 1.0, rank 3 -> 0.5)."""
    return 1.0 / math.log2(rank + 1)


def group_exposure_parity(
    recommended_lists: Iterable[Sequence[Item]],
    item_groups: Mapping[Item, Any],
    k: int = 10,
    *,
    position_weighted: bool = True,
) -> GroupParity:
    """Mean exposure per member of each group of ranked items, and the max/min ratio.

    Use it where people are the ranked items, e.g. seekers ranked for postings: `item_groups`
    maps every seeker (exposed or not) to a group such as priority group, 街道 or education
    level. A member's exposure is the sum over top-k lists of 1/log2(rank+1)
    (`position_weighted`) or of 1 per appearance; a group's value is its members' mean, >= 0.
    Items missing from `item_groups` are ignored.
    """
    exposure: dict[Item, float] = {}
    for ranked in recommended_lists:
        for position, item in enumerate(_top(ranked, k), start=1):
            exposure[item] = exposure.get(item, 0.0) + (position_weight(position) if position_weighted else 1.0)
    totals: dict[Any, float] = {}
    sizes: dict[Any, int] = {}
    for item, group in item_groups.items():
        totals[group] = totals.get(group, 0.0) + exposure.get(item, 0.0)
        sizes[group] = sizes.get(group, 0) + 1
    values = {g: totals[g] / sizes[g] for g in totals}
    return _parity(values, sizes, f"exposure@{k}")


def group_hit_rate_parity(
    rankings: Mapping[Hashable, Sequence[Item]],
    relevance: Mapping[Hashable, Relevance],
    query_groups: Mapping[Hashable, Any],
    k: int = 10,
) -> GroupParity:
    """Hit rate@k per group of queries (e.g. seekers by priority group), and the max/min ratio.

    A query's hit is 1 when its top k holds at least one relevant item; a group's value is the
    mean over its queries that have a relevant item, in [0, 1]. Queries with no relevant item or
    no group are left out; a query with no ranking counts as a miss.
    """
    hits: dict[Any, list[float]] = {}
    for query, rel in relevance.items():
        if query not in query_groups:
            continue
        value = hit_rate_at_k(rankings.get(query, ()), rel, k)
        if math.isnan(value):
            continue
        hits.setdefault(query_groups[query], []).append(value)
    values = {g: float(np.mean(v)) for g, v in hits.items()}
    sizes = {g: len(v) for g, v in hits.items()}
    return _parity(values, sizes, f"hit_rate@{k}")


# --------------------------------------------------------------------------------------------
# Evaluator


def evaluate_rankings(
    rankings: Mapping[Hashable, Sequence[Item]],
    relevance: Mapping[Hashable, Mapping[Item, float]],
    ks: Sequence[int] = (5, 10, 20),
    *,
    catalogue_size: int | None = None,
    query_groups: Mapping[Hashable, Any] | None = None,
) -> dict[str, float]:
    """Mean ranking metrics over the judged queries, as a flat dict of named floats.

    Scores every query in `relevance` with at least one grade > 0; a query absent from
    `rankings` counts as an empty ranking (all zeros). Keys: `recall@k`, `precision@k`,
    `ndcg@k`, `map@k`, `hit_rate@k` for each k in `ks`, `mrr` (whole ranking), `n_queries`;
    with `catalogue_size`: `coverage@k` and `exposure_top1pct@k` over all given rankings; with
    `query_groups`: `hit_rate_parity@k/ratio` and `hit_rate_parity@k/<group>` for the largest k.
    """
    judged = [q for q, rel in relevance.items() if _relevant_set(rel)]
    out: dict[str, float] = {"n_queries": float(len(judged))}
    ranked_lists = [list(rankings.get(q, ())) for q in judged]
    rels = [relevance[q] for q in judged]
    for k in ks:
        out[f"recall@{k}"] = _mean_defined(recall_at_k(r, rel, k) for r, rel in zip(ranked_lists, rels))
        out[f"precision@{k}"] = _mean_defined(precision_at_k(r, rel, k) for r, rel in zip(ranked_lists, rels))
        out[f"ndcg@{k}"] = _mean_defined(ndcg_at_k(r, rel, k) for r, rel in zip(ranked_lists, rels))
        out[f"map@{k}"] = mean_average_precision(ranked_lists, rels, k)
        out[f"hit_rate@{k}"] = _mean_defined(hit_rate_at_k(r, rel, k) for r, rel in zip(ranked_lists, rels))
    out["mrr"] = mrr(ranked_lists, rels)
    if catalogue_size is not None:
        for k in ks:
            out[f"coverage@{k}"] = catalogue_coverage(rankings.values(), catalogue_size, k)
            out[f"exposure_top1pct@{k}"] = exposure_concentration(
                rankings.values(), 0.01, k, catalogue_size=catalogue_size
            )
    if query_groups is not None and ks:
        k = max(ks)
        out.update(group_hit_rate_parity(rankings, relevance, query_groups, k).as_flat_dict(f"hit_rate_parity@{k}"))
    return out
