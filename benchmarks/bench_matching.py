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


def _seeker_vectors(service, seeker_ids) -> dict[int, np.ndarray]:
    from sqlalchemy import select

    from data.schema import Seeker

    with service.db.session() as session:
        rows = session.execute(select(Seeker.id, Seeker.embedding).where(Seeker.id.in_(seeker_ids))).all()
    return {row.id: np.frombuffer(row.embedding, dtype=np.float32)[None, :].copy() for row in rows if row.embedding}


def ingest_phase(service, real, sample, parts: int = 4) -> tuple[float, float]:
    """Postings/s through `upsert_postings` and raw `encode_documents` texts/s on the same texts,
    interleaved part by part so load from other processes hits both alike."""
    from matcher.text import profiles

    texts = [p.text for p in profiles.build_profiles(sample)]
    real.encode_documents(texts[:32])  # warm-up
    raw_s = ingest_s = 0.0
    step = -(-len(sample) // parts)
    for start in range(0, len(sample), step):
        t0 = time.perf_counter()
        real.encode_documents(texts[start:start + step])
        raw_s += time.perf_counter() - t0
        t0 = time.perf_counter()
        service.upsert_postings(sample[start:start + step])
        ingest_s += time.perf_counter() - t0
    return len(sample) / ingest_s, len(sample) / raw_s


def main(argv=None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--quick", action="store_true", help="1,000 and 3,000 postings (CI-sized)")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--ingest-only", action="store_true", help="only the ingest comparison")
    parser.add_argument("--encoder", default=None, help="encoder name (default: the settings default)")
    parser.add_argument("--coder-cache", default=str(Path("reports") / ".cache" / "occupation"),
                        help="occupation coder state cache (fitting it takes minutes the first time)")
    args = parser.parse_args(argv)
    sizes = [1000, 3000] if args.quick else [int(s) for s in args.sizes.split(",")]
    faiss.omp_set_num_threads(1)
    name = args.encoder or Settings().encoder
    real = load_encoder(name)
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores; FAISS one thread; "
          f"encoder {real.name}; load average {os.getloadavg()[0]:.1f}")

    with tempfile.TemporaryDirectory() as tmp:
        from matcher.occupations.coder import OccupationCoder

        settings = Settings(data_dir=Path(tmp), refresh_interval_s=3600, encoder=name)
        coder = OccupationCoder(real).fit(cache_dir=Path(args.coder_cache))
        encoder = _ReuseEncoder(real, base=2000)
        service = JobCircle(settings, encoder, coder=coder).start()

        sample = _postings(400 if args.quick else 1000, seed=101)
        ingest_rate, raw_rate = ingest_phase(service, real, sample)
        print(f"ingest: {ingest_rate:.1f} postings/s through the product path (occupation coding on); raw model "
              f"encode: {raw_rate:.1f} texts/s on the same texts; ratio {ingest_rate / raw_rate:.2f} (target >= 0.9) "
              f"({len(sample)} postings, interleaved in 4 parts; load average {os.getloadavg()[0]:.1f})", flush=True)
        if args.ingest_only:
            service.stop()
            return

        seekers = [SeekerInput.model_validate(row) for row in demo.seekers(50, seed=7)]
        seeker_ids = service.upsert_seekers(seekers)
        vectors = _seeker_vectors(service, seeker_ids)
        seeker_ids = [s for s in seeker_ids if s in vectors]
        total, batch_seed = len(sample), 1000
        for size in sizes:
            while total < size:
                step = min(5000, size - total)
                service.upsert_postings(_postings(step, seed=batch_seed))
                batch_seed += 1
                total += step
                print(f"  ... {total} postings", flush=True)
            service.rebuild_index()  # picks the index type the settings choose for this size
            raw_index = service.index.raw
            for seeker_id in seeker_ids[:5]:
                service.match_seeker(seeker_id, k=10)  # warm-up
                raw_index.search(vectors[seeker_id], 10)
            latencies, raw = [], []
            for n in range(args.queries):  # interleaved: product call, then raw FAISS on the same vector
                seeker_id = seeker_ids[n % len(seeker_ids)]
                start = time.perf_counter()
                service.match_seeker(seeker_id, k=10)
                latencies.append((time.perf_counter() - start) * 1000)
                start = time.perf_counter()
                raw_index.search(vectors[seeker_id], 10)
                raw.append((time.perf_counter() - start) * 1000)
            index_bytes = faiss.serialize_index(raw_index).nbytes
            p50, raw50 = _percentile(latencies, 50), _percentile(raw, 50)
            print(f"size {size}: index {service.factory}; match_seeker p50 {p50:.2f} ms, "
                  f"p95 {_percentile(latencies, 95):.2f} ms; raw FAISS search (k=10, same vector) p50 {raw50:.3f} ms; "
                  f"ratio {p50 / raw50:.1f}x (target <= 3x) ({args.queries} queries); "
                  f"index {index_bytes / len(service.index):.0f} bytes/posting; load average {os.getloadavg()[0]:.1f}",
                  flush=True)
        service.stop()


if __name__ == "__main__":
    main()
