"""Matching-service benchmark: ingest throughput, in-process match latency at scale, index memory.

    python -m benchmarks.bench_matching [--sizes 10000,100000] [--quick]

Phase 1 ingests real-looking synthetic postings through the product path (`JobCircle.upsert_postings`:
parsing, extraction, batched encoding with the bundled model, SQLite writes) and prints postings/s
next to the raw model's encode throughput on the same texts.
Phase 2 grows the collection to each size. Encoding 100k texts would take ~15 minutes on 2 cores, so
this phase encodes 2,000 distinct postings with the real model and gives further postings those real
vectors plus small Gaussian noise (re-normalised): the index sees a realistic vector distribution, while
everything else (database rows, extraction, catalog, FAISS, re-ranking) is the product's own code.
It then times `match_seeker` for stored seekers (p50/p95) and reports index bytes per posting.
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

import faiss
import numpy as np

from data import demo
from matcher.inputs import PostingInput, SeekerInput
from matcher.service import JobCircle
from matcher.settings import Settings
from models.registry import load_encoder


class _ReuseEncoder:
    """Real vectors for the first texts seen; later texts reuse one of them plus small noise."""

    def __init__(self, real, base: int, seed: int = 0):
        self.real, self.base = real, base
        self.name, self.dim = real.name, real.dim
        self._bank: list[np.ndarray] = []
        self._rng = np.random.default_rng(seed)

    def encode_queries(self, texts):
        return self.real.encode_queries(texts)

    def encode_documents(self, texts, *, show_progress=False):
        if len(self._bank) < self.base:
            vectors = self.real.encode_documents(texts)
            self._bank.extend(vectors)
            return vectors
        picks = np.stack([self._bank[i] for i in self._rng.integers(0, len(self._bank), len(texts))])
        noisy = picks + self._rng.normal(0, 0.02, picks.shape).astype(np.float32)
        return (noisy / np.linalg.norm(noisy, axis=1, keepdims=True)).astype(np.float32)


def _postings(n: int, seed: int) -> list[PostingInput]:
    return [PostingInput.model_validate(row | {"external_id": f"B{seed}-{k}"})
            for k, row in enumerate(demo.postings(n, seed=seed))]


def _percentile(values, q):
    return float(np.percentile(np.asarray(values), q))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--quick", action="store_true", help="1,000 and 3,000 postings (CI-sized)")
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args(argv)
    sizes = [1000, 3000] if args.quick else [int(s) for s in args.sizes.split(",")]
    faiss.omp_set_num_threads(1)
    real = load_encoder("m3e-small")
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores; FAISS one thread")

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), refresh_interval_s=3600)
        encoder = _ReuseEncoder(real, base=2000)
        service = JobCircle(settings, encoder).start()

        sample = _postings(500 if args.quick else 1000, seed=101)
        from matcher.text import profiles

        texts = [profiles.posting_text(p.title, p.description, p.requirements, p.skills) for p in sample]
        start = time.perf_counter()
        real.encode_documents(texts)
        raw_rate = len(texts) / (time.perf_counter() - start)
        start = time.perf_counter()
        service.upsert_postings(sample)
        ingest_rate = len(sample) / (time.perf_counter() - start)
        print(f"ingest: {ingest_rate:.0f} postings/s through the product path; raw model encode: {raw_rate:.0f} texts/s "
              f"({len(sample)} postings)")

        seekers = [SeekerInput.model_validate(row) for row in demo.seekers(50, seed=7)]
        seeker_ids = service.upsert_seekers(seekers)
        total, batch_seed = len(sample), 1000
        for size in sizes:
            while total < size:
                step = min(5000, size - total)
                service.upsert_postings(_postings(step, seed=batch_seed))
                batch_seed += 1
                total += step
                print(f"  ... {total} postings", flush=True)
            service.rebuild_index()  # picks the index type the settings choose for this size
            for seeker_id in seeker_ids[:5]:
                service.match_seeker(seeker_id, k=10)  # warm-up
            latencies = []
            for n in range(args.queries):
                seeker_id = seeker_ids[n % len(seeker_ids)]
                start = time.perf_counter()
                service.match_seeker(seeker_id, k=10)
                latencies.append((time.perf_counter() - start) * 1000)
            index_bytes = faiss.serialize_index(service.index.raw).nbytes
            print(f"size {size}: index {service.factory}; match_seeker p50 {_percentile(latencies, 50):.2f} ms, "
                  f"p95 {_percentile(latencies, 95):.2f} ms ({args.queries} queries); "
                  f"index {index_bytes / len(service.index):.0f} bytes/posting")
        service.stop()


if __name__ == "__main__":
    main()
