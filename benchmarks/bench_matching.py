"""Matching-service benchmark: ingest throughput, in-process match latency at scale, index memory.

    python -m benchmarks.bench_matching [--sizes 10000,100000] [--quick]

Phase 1 ingests real-looking synthetic postings through the product path (`JobCircle.upsert_postings`:
parsing, extraction, batched encoding with the bundled model, SQLite writes) and prints postings/s
next to the raw model's encode throughput on the same texts.
Phase 2 grows the collection to each size without the model (`benchmarks.bulk_postings`): further rows
copy the real postings written in phase 1 (2,000 by default), each with its vector plus Gaussian
noise (re-normalised) and its place moved a few hundred metres, inserted in bulk as the product stores
them; the product then builds its catalog, lexical index and FAISS index (`rebuild_index`, factory
`auto`). It times `match_seeker` for stored seekers (p50/p95) interleaved with a raw FAISS search of
the same seeker vector on the same index, measures the candidate step's recall@10 against exact
search, and reports memory per posting (index bytes, and process RSS growth over the rebuild).

    python -m benchmarks.bench_matching --sizes 100000,1000000
"""
from __future__ import annotations

import argparse
import cProfile
import gc
import os
import platform
import pstats
import statistics
import tempfile
import time
from pathlib import Path

import faiss
import numpy as np

from benchmarks.bulk_postings import grow_postings
from data import demo
from matcher.inputs import PostingInput, SeekerInput
from matcher.service import JobCircle
from matcher.settings import Settings
from models.registry import load_encoder


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


def _rss_bytes() -> int:
    gc.collect()
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _exact_top(service, queries: np.ndarray, k: int) -> np.ndarray:
    """Ids of the exact top k (brute-force inner product over every open posting's stored vector)."""
    from sqlalchemy import select

    from data.schema import Posting

    flat = faiss.IndexIDMap2(faiss.IndexFlatIP(service.encoder.dim))
    with service.db.session() as session:
        rows = session.execute(select(Posting.id, Posting.embedding).where(Posting.status == "open")
                               .execution_options(yield_per=50_000))
        for part in rows.partitions():
            ids = np.asarray([r.id for r in part], np.int64)
            flat.add_with_ids(np.stack([np.frombuffer(r.embedding, np.float32) for r in part]), ids)
    return flat.search(queries, k)[1]


def _status_kb(field: str) -> int:
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def measure_start(args) -> None:
    """In a fresh process: start the service on an existing data directory (the saved, memory-mapped
    index and the catalog from the database), serve a few matches, and print what that cost in time and
    resident memory beyond the model and coder (one JSON line)."""
    import json

    from matcher.occupations.coder import OccupationCoder

    real = load_encoder(args.encoder)
    coder = OccupationCoder(real).fit(cache_dir=Path(args.coder_cache))
    gc.collect()
    anon0, file0 = _status_kb("RssAnon"), _status_kb("RssFile")
    settings = Settings(data_dir=Path(args.measure_start), refresh_interval_s=3600, encoder=args.encoder)
    t0 = time.perf_counter()
    service = JobCircle(settings, real, coder=coder).start()
    start_s = time.perf_counter() - t0
    for seeker_id in [int(s) for s in args.start_seekers.split(",") if s]:
        service.match_seeker(seeker_id, k=10)
    gc.collect()
    n = len(service.catalog)
    print(json.dumps({"postings": n, "start_s": start_s, "factory": service.factory,
                      "anon_per_posting": (_status_kb("RssAnon") - anon0) * 1024 / n,
                      "file_per_posting": (_status_kb("RssFile") - file0) * 1024 / n,
                      "load": os.getloadavg()[0]}), flush=True)


def fresh_start(service, seeker_ids, args) -> None:
    """`measure_start` in a subprocess on this service's data directory (the index saved first)."""
    import json
    import subprocess
    import sys

    service.save_index()
    command = [sys.executable, "-m", "benchmarks.bench_matching", "--measure-start", str(service.settings.data_dir),
               "--encoder", service.encoder.name, "--coder-cache", args.coder_cache,
               "--start-seekers", ",".join(map(str, seeker_ids[:20]))]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1]
    got = json.loads(out)
    print(f"fresh start on the saved {got['postings']} postings ({got['factory']}): {got['start_s']:.0f} s to "
          f"serve (mapped index; catalog and BM25 from the start-up snapshot, caught up by the change feed); resident memory beyond model and coder "
          f"after 20 matches: {got['anon_per_posting']:.0f} bytes/posting private + {got['file_per_posting']:.0f} "
          f"bytes/posting mapped index pages (shared by every worker); load average {got['load']:.1f}", flush=True)


def scale_phase(service, size: int, seeker_ids, vectors, args) -> None:
    """Grow to `size` postings (copies of real ones), rebuild the index, time match_seeker against a raw
    FAISS search of the same vector (interleaved), candidate recall@10 against exact search, memory."""
    start = time.perf_counter()
    grow_postings(service.db, size)
    grown_s = time.perf_counter() - start
    rss_before = _rss_bytes()
    start = time.perf_counter()
    faiss.omp_set_num_threads(os.cpu_count() or 1)  # building may use every core; timing uses one
    service.rebuild_index()  # the product's own build: catalog, lexical index, `auto` factory
    faiss.omp_set_num_threads(1)
    build_s = time.perf_counter() - start
    rss_after = _rss_bytes()
    n = len(service.index)
    phases = ", ".join(f"{name} {seconds:.0f} s" for name, seconds in service.postings.build_seconds.items())
    print(f"size {size}: rows added in {grown_s:.0f} s, index {service.factory} built in {build_s:.0f} s ({phases}; "
          f"the rest: stale-vector check and saving) "
          f"(load average {os.getloadavg()[0]:.1f})", flush=True)
    raw_index = service.index.raw
    queries = np.vstack([vectors[s] for s in seeker_ids])
    truth = _exact_top(service, queries, 10)
    found = service.index.search(queries, 10)[1]
    recall = np.mean([len(set(f[f >= 0]) & set(t[t >= 0])) / max(1, len(t[t >= 0])) for f, t in zip(found, truth)])
    pool = service.settings.candidate_pool  # what the candidate step actually fetches
    pooled = service.index.search(queries, pool)[1]
    covered = np.mean([len(set(f[f >= 0]) & set(t[t >= 0])) / max(1, len(t[t >= 0])) for f, t in zip(pooled, truth)])
    for seeker_id in seeker_ids[:5]:
        service.match_seeker(seeker_id, k=10)  # warm-up
        raw_index.search(vectors[seeker_id], 10)
    profiler = cProfile.Profile() if args.profile else None
    latencies, raw = [], []
    for q in range(args.queries):  # interleaved: product call, then raw FAISS on the same vector
        seeker_id = seeker_ids[q % len(seeker_ids)]
        if profiler:
            profiler.enable()
        t0 = time.perf_counter()
        service.match_seeker(seeker_id, k=10)
        latencies.append((time.perf_counter() - t0) * 1000)
        if profiler:
            profiler.disable()
        t0 = time.perf_counter()
        raw_index.search(vectors[seeker_id], 10)
        raw.append((time.perf_counter() - t0) * 1000)
    index = getattr(service.index, "base", service.index)  # the mapped index (the default) keeps its ids on the base
    store = getattr(index, "store", None)  # the float16 re-rank store of a `+rerank` factory
    index_bytes = faiss.serialize_index(raw_index).nbytes + index.label_ids.nbytes + (store.nbytes if store is not None else 0)
    p50, raw50 = _percentile(latencies, 50), _percentile(raw, 50)
    print(f"size {size}: match_seeker p50 {p50:.2f} ms, p95 {_percentile(latencies, 95):.2f} ms; raw FAISS search "
          f"(k=10, same vector, same index) p50 {raw50:.3f} ms; ratio {p50 / raw50:.1f}x (target <= 3x) "
          f"({args.queries} queries over {len(seeker_ids)} seekers); recall@10 vs exact {recall:.3f}, exact top 10 "
          f"inside the candidate step's pool of {pool}: {covered:.3f} (target >= 0.95 at 1M); memory: index {index_bytes / n:.0f} bytes/posting, process RSS growth over "
          f"the rebuild {(rss_after - rss_before) / n:.0f} bytes/posting (index + catalog + lexical + caches; "
          f"an upper bound: freed memory the allocator keeps counts too) (target <= 4096); "
          f"load average {os.getloadavg()[0]:.1f}", flush=True)
    if profiler:
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
    if args.fresh_start:
        fresh_start(service, seeker_ids, args)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--quick", action="store_true", help="1,000 and 3,000 postings (CI-sized)")
    parser.add_argument("--sample", type=int, default=None, help="postings in the ingest comparison (1,000)")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seekers", type=int, default=100, help="demo seekers whose vectors are the queries")
    parser.add_argument("--templates", type=int, default=2000, help="real postings the large tables copy")
    parser.add_argument("--profile", action="store_true", help="cProfile the timed match_seeker calls")
    parser.add_argument("--ingest-only", action="store_true", help="only the ingest comparison")
    parser.add_argument("--encoder", default=None, help="encoder name (default: the settings default)")
    parser.add_argument("--coder-cache", default=str(Path("reports") / ".cache" / "occupation"),
                        help="occupation coder state cache (fitting it takes minutes the first time)")
    parser.add_argument("--fresh-start", action="store_true",
                        help="after each size, time a fresh process starting on the saved data and report its memory")
    parser.add_argument("--data-dir", default=None,
                        help="keep the service's data here (default: a temporary directory, removed at the end)")
    parser.add_argument("--measure-start", default=None, help=argparse.SUPPRESS)  # the subprocess of --fresh-start
    parser.add_argument("--start-seekers", default="", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure_start:
        measure_start(args)
        return
    sizes = [1000, 3000] if args.quick else [int(s) for s in args.sizes.split(",")]
    faiss.omp_set_num_threads(1)
    name = args.encoder or Settings().encoder
    real = load_encoder(name)
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores; FAISS one thread; "
          f"encoder {real.name}; load average {os.getloadavg()[0]:.1f}")

    with tempfile.TemporaryDirectory() as scratch:
        from matcher.occupations.coder import OccupationCoder

        tmp = args.data_dir or scratch

        settings = Settings(data_dir=Path(tmp), refresh_interval_s=3600, encoder=name)
        coder = OccupationCoder(real).fit(cache_dir=Path(args.coder_cache))
        service = JobCircle(settings, real, coder=coder).start()

        sample = _postings(args.sample or (400 if args.quick else 1000), seed=101)
        ingest_rate, raw_rate = ingest_phase(service, real, sample)
        print(f"ingest: {ingest_rate:.1f} postings/s through the product path (occupation coding on); raw model "
              f"encode: {raw_rate:.1f} texts/s on the same texts; ratio {ingest_rate / raw_rate:.2f} (target >= 0.9) "
              f"({len(sample)} postings, interleaved in 4 parts; load average {os.getloadavg()[0]:.1f})", flush=True)
        if args.ingest_only:
            service.stop()
            return

        seekers = [SeekerInput.model_validate(row) for row in demo.seekers(args.seekers, seed=7)]
        seeker_ids = service.upsert_seekers(seekers)
        vectors = _seeker_vectors(service, seeker_ids)
        seeker_ids = [s for s in seeker_ids if s in vectors]
        if not args.quick and args.templates > len(sample):  # more real postings to copy from, through the product path
            service.upsert_postings(_postings(args.templates - len(sample), seed=102))
        for size in sizes:
            scale_phase(service, size, seeker_ids, vectors, args)
        if args.data_dir:
            service.save_index()
        service.stop()


if __name__ == "__main__":
    main()
