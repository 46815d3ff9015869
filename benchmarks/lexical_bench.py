"""Lexical search benchmark: the exact BM25 top k against scoring every document, in one run.

    python -m benchmarks.lexical_bench [--docs 100000] [--templates 1000] [--queries 100] [--k 100]

Documents are the profile texts of demo postings (`data.demo`, synthetic and labelled so): `--templates`
distinct postings copied to `--docs` ids, as the matching benchmark's table copies real postings, and
then a second collection where each document also holds one word of its own, so that every text is
distinct (the engine can share nothing). Queries are demo seekers' texts (`seeker_text`). For each
collection it times `LexicalIndex.search_terms` (the hot path's lexical channel) against the baseline of
`score_terms` over every document plus a full sort, interleaved query by query, and checks that both
give the same ids in the same order.
"""
from __future__ import annotations

import argparse
import os
import platform
import time
from collections import Counter

import numpy as np

from data import demo
from matcher.inputs import PostingInput
from matcher.search.lexical import LexicalIndex, WordsMemo, query_words
from matcher.text.profiles import build_profiles, seeker_text


def _collection(texts: list[str], docs: int, distinct: bool) -> LexicalIndex:
    index, words = LexicalIndex(), WordsMemo()
    for doc in range(1, docs + 1):
        counts = words(texts[doc % len(texts)])
        if distinct:
            counts[f"编号{doc}"] = 1
        index.upsert_terms(doc, counts)
    return index


def _run(index: LexicalIndex, queries: list[Counter], k: int, docs: int) -> tuple[float, float, int]:
    everyone = np.arange(1, docs + 1)
    for query in queries[:5]:  # warm-up: postings merged, impacts cached
        index.search_terms(query, k)
    fast, full, same = [], [], 0
    for query in queries:
        t0 = time.perf_counter()
        got = list(index.search_terms(query, k))
        fast.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        scores = index.score_terms(query, everyone)
        order = np.lexsort((everyone, -scores))[:k]
        expected = [int(everyone[n]) for n in order if scores[n] > 0]
        full.append(time.perf_counter() - t0)
        same += got == expected
    return float(np.median(fast) * 1000), float(np.median(full) * 1000), same


def main(argv=None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--templates", type=int, default=1000)
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--k", type=int, default=100)
    args = parser.parse_args(argv)
    postings = [PostingInput.model_validate(row) for row in demo.postings(args.templates, seed=102)]
    texts = [profile.text for profile in build_profiles(postings)]
    queries = [query_words(seeker_text(row.get("resume_text", ""), row.get("desired_roles") or [],
                                       row.get("skills") or [])) for row in demo.seekers(args.queries, seed=7)]
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores; {args.docs} documents "
          f"from {len(set(texts))} distinct demo posting texts; {len(queries)} demo seeker queries; k={args.k}",
          flush=True)
    for distinct in (False, True):
        t0 = time.perf_counter()
        index = _collection(texts, args.docs, distinct)
        built = time.perf_counter() - t0
        fast, full, same = _run(index, queries, args.k, args.docs)
        label = "every text distinct" if distinct else "copied texts"
        print(f"{label}: {index._texts.live} texts indexed in {built:.0f} s; search_terms p50 {fast:.3f} ms vs "
              f"scoring every document {full:.2f} ms ({full / fast:.0f}x); same top {args.k} in {same}/{len(queries)}; "
              f"load average {os.getloadavg()[0]:.1f}", flush=True)


if __name__ == "__main__":
    main()
