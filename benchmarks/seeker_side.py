"""The seeker side of a match request: the stored query against deriving it per request, interleaved.

    python -m benchmarks.seeker_side DATA_DIR [--queries 300] [--coder-cache DIR]

DATA_DIR is a saved service data directory (copy it first: the service stores each seeker's query on
its first match). Every stored seeker with a vector is a query. In one run, request by request in turn:

- `stored`: `JobCircle.match_seeker(k=10)` as shipped (one read of the slim row with `match_query`);
- `derived`: what `match_seeker` did before the query was stored: read the full row, `seeker_side`,
  `seeker_text`, and `match_jobs` with the text's BM25 words looked up in a memo of recent texts (as
  `query_words` kept until the query was stored; every seeker hits it here: the benchmark cycles a few);
- `derived, words cut`: the same with the words cut by jieba on the request (a seeker not among the
  4,096 most recent texts: the usual case for a station with more people than that);
- a raw FAISS search of the same vector.

The three ways take turns at going first, so none of them always runs on the caches the others left.

It prints the seeker-side steps' mean ms per request, each way's p50 and its ratio to the raw search,
and the load average. The answers of the three ways are checked equal first.
"""
from __future__ import annotations

import argparse
import os
import time
from collections import Counter
from pathlib import Path

import numpy as np


def main(argv=None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("data_dir")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--coder-cache", default=str(Path("reports") / ".cache" / "occupation"))
    args = parser.parse_args(argv)

    from benchmarks.hot_path_items import open_collection
    from matcher import seeker_query
    from matcher.prepared import PreparedRead
    from matcher.ranking import pipeline
    from matcher.search import lexical
    from matcher.search.sides import SEEKER_MATCH_ROW, seeker_side, vector_of
    from matcher.text.profiles import seeker_text

    service, ids, vectors = open_collection(args.data_dir, args.coder_cache)
    full_read = PreparedRead(service.db.engine, SEEKER_MATCH_ROW)
    spent: dict[str, float] = {}
    memo: dict[str, tuple] = {}  # the old `query_words` memo (texts to their words), emulated

    def clock(label, start):
        now = time.perf_counter()
        spent[label] = spent.get(label, 0.0) + now - start
        return now

    def derived(seeker_id: int, *, cut: bool) -> dict:
        """`match_seeker` before the query was stored (the access check aside)."""
        start = time.perf_counter()
        row = full_read.one_or_none(seeker_id=seeker_id)
        start = clock("derived: read (full row)", start)
        vector = vector_of(row.embedding, service.encoder.dim)
        side = seeker_side(row)
        start = clock("derived: vector_of + seeker_side", start)
        text = seeker_text(row.resume_text or "", row.desired_roles or [], row.skills or [])
        start = clock("derived: seeker_text", start)
        if cut:
            words = Counter(lexical.tokens(text))
        else:
            words = Counter(dict(memo.get(text) or memo.setdefault(text, tuple(Counter(lexical.tokens(text)).items()))))
        clock("derived: BM25 words (jieba)" if cut else "derived: BM25 words (memo hit)", start)
        filters = pipeline.MatchFilters(max_commute_minutes=row.max_commute_minutes)
        parts = service.parts
        return pipeline.match_jobs(parts.postings, parts.commute, service.settings, vector, side, 10, filters,
                                   words=words)

    def stored(seeker_id: int) -> dict:
        start = time.perf_counter()
        row = service._seeker_read.one_or_none(seeker_id=seeker_id)
        start = clock("stored: read (slim row + match_query)", start)
        assert seeker_query.is_current(row.match_query)
        vector_of(row.embedding, service.encoder.dim)
        seeker_query.side_of(row, row.match_query)
        start = clock("stored: vector_of + side_of", start)
        seeker_query.words_of(row.match_query)
        clock("stored: words_of", start)

    for seeker_id in ids:  # fills any query not stored yet, and checks the three ways answer alike
        answer = service.match_seeker(seeker_id, k=10)
        assert answer == derived(seeker_id, cut=False) == derived(seeker_id, cut=True), seeker_id
    for seeker_id in ids[:5]:
        stored(seeker_id)
    spent.clear()
    took: dict[str, list[float]] = {"stored": [], "derived": [], "derived, words cut": [], "raw FAISS": []}
    calls = {"stored": lambda i: service.match_seeker(i, k=10), "derived": lambda i: derived(i, cut=False),
             "derived, words cut": lambda i: derived(i, cut=True),
             "raw FAISS": lambda i: service.index.raw.search(vectors[i], 10)}
    ways = ["stored", "derived", "derived, words cut"]
    for q in range(args.queries):
        seeker_id = ids[q % len(ids)]
        # The ways take turns at going first (the first after a pause runs on colder caches).
        for label in ways[q % 3:] + ways[:q % 3] + ["raw FAISS"]:
            start = time.perf_counter()
            calls[label](seeker_id)
            took[label].append(time.perf_counter() - start)
        stored(seeker_id)  # the stored way's steps, timed alone (match_seeker runs them untimed)
    n = args.queries
    print(f"{len(service.catalog)} postings, {len(ids)} seekers, {n} queries each way, interleaved; load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print("seeker-side steps, mean ms per request:")
    for label in sorted(spent):
        print(f"  {label:40s} {spent[label] / n * 1000:7.4f}")
    raw50 = np.median(took["raw FAISS"]) * 1000
    for label, values in took.items():
        p50 = np.median(values) * 1000
        print(f"p50 {label:20s} {p50:7.3f} ms  mean {np.mean(values) * 1000:7.3f} ms  ratio to raw FAISS {p50 / raw50:5.1f}x")
    service.stop()


if __name__ == "__main__":
    main()
