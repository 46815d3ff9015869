"""Where `match_seeker`'s time goes, item by item, on a saved collection (no profiler in the timed run).

    python -m benchmarks.hot_path_items DATA_DIR [--queries 300] [--answers OUT.json] [--profile]

DATA_DIR is a service data directory such as `python -m benchmarks.bench_matching --data-dir DIR` keeps
(copy it first: the service may write to it). The service starts on it as the product does; every
stored seeker with a vector is a query. The timed run calls `match_seeker(k=10)` interleaved with a
raw FAISS search of the same vector (as `bench_matching`), with thin wall-clock wrappers around the
hot path's steps, and prints each step's mean per request, the p50s, their ratio and the load average.
`--answers` first writes every answer (k=10; k=40 with a 45-minute and 5000-yuan filter; k=5
accessible only) as JSON: two checkouts that must answer alike can be compared byte for byte,
e.g. an older one with `PYTHONPATH=<checkout> python <this file> ...` (steps it lacks are skipped).
`--profile` adds a cProfile of 100 more calls, per request, for the same steps.
"""
from __future__ import annotations

import argparse
import cProfile
import functools
import json
import os
import pstats
import time
from pathlib import Path

import faiss
import numpy as np

STEPS = [  # (module, attribute path, label): wrapped where present
    ("matcher.service", "match_jobs", "match_jobs"),
    ("matcher.service", "seeker_text", "seeker_text"),
    ("matcher.ranking.pipeline", "job_candidates", "job_candidates"),
    ("matcher.search.lexical", "LexicalIndex.search_terms", "lexical search_terms"),
    ("matcher.search.lexical", "LexicalIndex.top_terms", "lexical top_terms"),
    ("matcher.search.lexical", "LexicalIndex.score_terms", "lexical score_terms"),
    ("matcher.search.mapped", "MappedIndex.search", "index search (FAISS + re-rank)"),
    ("matcher.search.catalog", "PostingCatalog.nearest", "catalog nearest"),
    ("matcher.search.synced", "SyncedIndex.cosines", "cosines (lexical/geo-only)"),
    ("matcher.ranking.pipeline", "candidates", "candidates (columns)"),
    ("matcher.ranking.pipeline", "rank_jobs", "rank_jobs"),
    ("matcher.ranking.pipeline", "_shown", "_shown"),
    ("matcher.ranking.pipeline", "described", "described (directions)"),
    ("matcher.ranking.pipeline", "job_result", "job_result (+ explanation)"),
]


def _wrap(spent: dict, module_name: str, path: str, label: str) -> None:
    import importlib

    owner = importlib.import_module(module_name)
    *parents, name = path.split(".")
    for parent in parents:
        owner = getattr(owner, parent, None)
    original = getattr(owner, name, None) if owner is not None else None
    if original is None:
        return

    @functools.wraps(original)
    def timed(*args, **kwargs):
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            spent[label] = spent.get(label, 0.0) + time.perf_counter() - start

    setattr(owner, name, timed)


def _answers(service, ids) -> dict:
    from matcher.service import MatchFilters

    out = {}
    for seeker_id in ids:
        out[f"{seeker_id}/10"] = service.match_seeker(seeker_id, k=10)
    for seeker_id in ids[:50]:
        out[f"{seeker_id}/40/filtered"] = service.match_seeker(
            seeker_id, k=40, filters=MatchFilters(max_commute_minutes=45, min_salary=5000))
        out[f"{seeker_id}/5/accessible"] = service.match_seeker(seeker_id, k=5, filters=MatchFilters(accessible_only=True))
    return out


def open_collection(data_dir, coder_cache):
    """(service, seeker ids with a vector, their vectors) of a saved collection, started as the product
    starts (default encoder, occupation coder from its cache), FAISS on one thread as the raw side."""
    from benchmarks.bench_matching import _seeker_vectors
    from data.schema import Seeker
    from matcher.occupations.coder import OccupationCoder
    from matcher.service import JobCircle
    from matcher.settings import Settings
    from models.registry import load_encoder
    from sqlalchemy import select

    faiss.omp_set_num_threads(1)
    name = Settings().encoder
    real = load_encoder(name)
    coder = OccupationCoder(real).fit(cache_dir=Path(coder_cache))
    service = JobCircle(Settings(data_dir=Path(data_dir), refresh_interval_s=3600, encoder=name), real,
                        coder=coder).start()
    with service.db.session() as session:
        ids = list(session.scalars(select(Seeker.id)))
    vectors = _seeker_vectors(service, ids)
    return service, [i for i in ids if i in vectors], vectors


def main(argv=None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("data_dir")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--answers", default=None, help="write every answer here as JSON first")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--coder-cache", default=str(Path("reports") / ".cache" / "occupation"))
    args = parser.parse_args(argv)

    service, ids, vectors = open_collection(args.data_dir, args.coder_cache)
    if args.answers:
        Path(args.answers).write_text(json.dumps(_answers(service, ids), ensure_ascii=False, sort_keys=True,
                                                 default=str))
    spent: dict[str, float] = {}
    for module_name, path, label in STEPS:
        _wrap(spent, module_name, path, label)
    for seeker_id in ids[:5]:
        service.match_seeker(seeker_id, k=10)
    spent.clear()
    latency, raw = [], []
    for q in range(args.queries):
        seeker_id = ids[q % len(ids)]
        start = time.perf_counter()
        service.match_seeker(seeker_id, k=10)
        latency.append(time.perf_counter() - start)
        start = time.perf_counter()
        service.index.raw.search(vectors[seeker_id], 10)
        raw.append(time.perf_counter() - start)
    n = args.queries
    print(f"{len(service.catalog)} postings, {len(ids)} seekers, {n} queries; load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"  {'match_seeker (all)':34s} {sum(latency) / n * 1000:7.3f} ms/request (mean)")
    print(f"  {'  before match_jobs (row, text)':34s} {(sum(latency) - spent.get('match_jobs', 0.0)) / n * 1000:7.3f}")
    for _, _, label in STEPS:
        if label in spent:
            print(f"  {label:34s} {spent[label] / n * 1000:7.3f}")
    p50, raw50 = np.median(latency) * 1000, np.median(raw) * 1000
    print(f"p50 match_seeker {p50:.3f} ms, raw FAISS {raw50:.3f} ms, ratio {p50 / raw50:.1f}x")
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for q in range(100):
            service.match_seeker(ids[q % len(ids)], k=10)
        profiler.disable()
        stats = pstats.Stats(profiler)
        names = {path.split(".")[-1] for _, path, _ in STEPS} | {"match_seeker", "one_or_none", "execute"}
        print("cProfile, 100 calls (profiler overhead included), cumulative ms per request:")
        rows = sorted(((ct, nc, f, line, fn) for (f, line, fn), (_, nc, _, ct, _) in stats.stats.items() if fn in names),
                      reverse=True)
        for ct, nc, f, line, fn in rows:
            print(f"  {ct / 100 * 1000:8.3f}  {nc / 100:5.1f}/req  {fn}  {f.rsplit('/', 2)[-2:]}:{line}")
    service.stop()


if __name__ == "__main__":
    main()
