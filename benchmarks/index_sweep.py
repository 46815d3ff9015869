"""Candidate-step sweep: recall@10 against exact search, latency and bytes per vector for FAISS index
kinds on the benchmark's own kind of collection, without building product rows.

    python -m benchmarks.index_sweep [--n 1000000] [--queries 300] [--kinds ivf,hnsw]

The collection is drawn as `benchmarks.bulk_postings` grows the product table for `bench_matching`:
real m3e-small vectors of 1,000 demo postings (the bundled model, through the product's posting text)
and, for the rest, copies of them with Gaussian noise (`bulk_postings.noisy_copies`). The queries are
real seeker vectors (demo seekers encoded by the same model). The exact top 10 of a seeker is then mostly
the real postings themselves (a copy's noise costs it ~0.09 of cosine), ten different ones, each in its
own IVF list: much harder for IVF than `--copies-only` (where the top 10 are copies of one or two
postings, close together). The matrices are saved under `--cache` and reused.

For each index kind and search setting it prints recall@10 against exact search, the share of the exact
top 10 inside the top `--pool` (what the product's candidate step fetches), single-query latency on
one thread (p50/p95), build time and bytes per vector (FAISS's serialised size, plus the fp16 re-rank
store where one is used). `+rerank R` rows re-score the index's top R with the float16 copy of the
vectors (`matcher.search.index.RerankedIndex`). The load average is printed with every row.
"""
from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import faiss
import numpy as np

from benchmarks.bulk_postings import noisy_copies

K = 10
CHUNK = 20_000


def _load() -> str:
    return f"{os.getloadavg()[0]:.1f}"


def real_vectors(cache: Path, queries: int) -> tuple[np.ndarray, np.ndarray]:
    """(template posting vectors, seeker query vectors) from the bundled model, cached as npy."""
    tpath, qpath = cache / "templates.npy", cache / f"seekers-{queries}.npy"
    if tpath.exists() and qpath.exists():
        return np.load(tpath), np.load(qpath)
    from data import demo
    from matcher.inputs import PostingInput, SeekerInput
    from matcher.settings import Settings
    from matcher.text import profiles
    from matcher.text.compliance import blocks_publication
    from models.registry import load_encoder

    encoder = load_encoder(Settings().encoder)
    # The postings bench_matching writes through the product path (--sample 400 --templates 1000).
    rows = demo.postings(400, seed=101) + demo.postings(600, seed=102)
    built = profiles.build_profiles([PostingInput.model_validate(r) for r in rows])
    texts = [p.text for p in built if not blocks_publication(list(p.findings))]
    seekers = profiles.build_profiles([SeekerInput.model_validate(r) for r in demo.seekers(queries, seed=7)])
    t0 = time.perf_counter()
    templates = np.asarray(encoder.encode_documents(texts), np.float32)
    query_vectors = np.asarray(encoder.encode_documents([p.text for p in seekers]), np.float32)
    print(f"encoded {len(texts)} postings and {len(seekers)} seekers with {encoder.name} in "
          f"{time.perf_counter() - t0:.0f} s", flush=True)
    cache.mkdir(parents=True, exist_ok=True)
    np.save(tpath, templates)
    np.save(qpath, query_vectors)
    return templates, query_vectors


def collection(cache: Path, n: int, templates: np.ndarray, originals: bool) -> np.ndarray:
    """The n x d noisy-copy matrix, memory-mapped from `cache` (drawn once, seed 0). With `originals`, its
    first rows are the template vectors themselves, as in the product table bench_matching grows (the
    real postings stay next to their copies)."""
    path = cache / f"base-{n}{'-originals' if originals else ''}.npy"
    if originals and not path.exists():
        copies = collection(cache, n, templates, False)
        tmp = path.with_suffix(".part.npy")
        out = np.lib.format.open_memmap(tmp, mode="w+", dtype=np.float32, shape=copies.shape)
        for start in range(0, n, 100_000):
            out[start:start + 100_000] = copies[start:start + 100_000]
        out[:len(templates)] = templates
        out.flush()
        del out
        os.replace(tmp, path)
    if not path.exists():
        tmp = path.with_suffix(".part.npy")
        out = np.lib.format.open_memmap(tmp, mode="w+", dtype=np.float32, shape=(n, templates.shape[1]))
        rng = np.random.default_rng(0)
        for start in range(0, n, CHUNK):
            stop = min(n, start + CHUNK)
            out[start:stop] = noisy_copies(templates, stop - start, rng)[1]
        out.flush()
        del out
        os.replace(tmp, path)
    return np.load(path, mmap_mode="r")


def exact_top(cache: Path, base: np.ndarray, queries: np.ndarray, k: int = 100) -> np.ndarray:
    path = cache / f"truth-{Path(base.filename).stem}-{len(queries)}.npy"
    if path.exists():
        return np.load(path)
    flat = faiss.IndexFlatIP(base.shape[1])
    for start in range(0, len(base), 100_000):
        flat.add(np.ascontiguousarray(base[start:start + 100_000]))
    truth = flat.search(queries, k)[1]
    np.save(path, truth)
    return truth


def recall(found: np.ndarray, truth: np.ndarray, k: int = K) -> float:
    return float(np.mean([len(set(f.tolist()) & set(t[:k].tolist())) / k for f, t in zip(found, truth)]))


def time_queries(search, queries: np.ndarray, k: int) -> tuple[np.ndarray, float, float]:
    """Found ids (one query at a time, one thread), p50 and p95 latency in ms."""
    for q in queries[:5]:
        search(q[None, :], k)
    found, times = [], []
    for q in queries:
        t0 = time.perf_counter()
        found.append(search(q[None, :], k))
        times.append((time.perf_counter() - t0) * 1000)
    return np.vstack(found), float(np.percentile(times, 50)), float(np.percentile(times, 95))


def rerank_search(index, store: np.ndarray, depth: int):
    """Search `index` for the top `depth`, re-score them exactly with `store` (float16 rows)."""
    def search(q, k):
        _, labels = index.search(q, max(depth, k))
        labels = labels[0][labels[0] >= 0]
        scores = store[labels].astype(np.float32) @ q[0]
        top = np.argsort(-scores, kind="stable")[:k]
        return labels[top][None, :]
    return search


def plain_search(index):
    return lambda q, k: index.search(q, k)[1]


def row(name, setting, found_pool, truth, p50, p95, bytes_per, build_s, pool):
    r10 = recall(found_pool[:, :K], truth)
    inside = recall(found_pool[:, :pool], truth) if found_pool.shape[1] >= pool else float("nan")
    print(f"| {name} | {setting} | {r10:.3f} | {inside:.3f} | {p50:.2f} | {p95:.2f} | {bytes_per:.0f} | "
          f"{build_s:.0f} | {_load()} |", flush=True)


def ivf_family(base, queries, truth, nlist, storages, nprobes, reranks, pool, store, cache):
    d, n = base.shape[1], len(base)
    faiss.omp_set_num_threads(os.cpu_count() or 1)
    t0 = time.perf_counter()
    quantizer = faiss.IndexFlatIP(d)
    sample = np.ascontiguousarray(base[np.sort(np.random.default_rng(0).choice(n, min(n, 64 * nlist), replace=False))])
    centroids = cache / f"centroids-{Path(base.filename).stem}-{nlist}.npy"  # k-means as the product runs it (64 a list, 10 rounds)
    if centroids.exists():
        quantizer.add(np.load(centroids))
    else:
        km = faiss.Clustering(d, nlist)
        km.niter, km.seed, km.spherical = 10, 1234, True
        km.max_points_per_centroid = 64
        km.train(sample, quantizer)
        np.save(centroids, faiss.rev_swig_ptr(quantizer.get_xb(), nlist * d).reshape(nlist, d).copy())
    train_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    assign = np.concatenate([quantizer.search(np.ascontiguousarray(base[s:s + CHUNK]), 1)[1][:, 0]
                             for s in range(0, n, CHUNK)])
    assign_s = time.perf_counter() - t0
    print(f"IVF{nlist}: coarse k-means on {len(sample)} vectors {train_s:.0f} s, assignment {assign_s:.0f} s "
          f"(load {_load()})", flush=True)
    for storage in storages:
        t0 = time.perf_counter()
        if storage == "Flat":
            index = faiss.IndexIVFFlat(quantizer, d, nlist, faiss.METRIC_INNER_PRODUCT)
        else:
            qtype = {"SQ8": faiss.ScalarQuantizer.QT_8bit, "SQfp16": faiss.ScalarQuantizer.QT_fp16}[storage]
            index = faiss.IndexIVFScalarQuantizer(quantizer, d, nlist, qtype, faiss.METRIC_INNER_PRODUCT)
        index.train(sample)  # the coarse quantiser is already trained: only the SQ ranges (of residuals)
        for s in range(0, n, CHUNK):
            x = np.ascontiguousarray(base[s:s + CHUNK])
            a = np.ascontiguousarray(assign[s:s + CHUNK].astype(np.int64))
            index.add_core(len(x), faiss.swig_ptr(x), None, faiss.swig_ptr(a))
        build_s = train_s + assign_s + time.perf_counter() - t0
        bytes_per = faiss.serialize_index(index).nbytes / n
        faiss.omp_set_num_threads(1)
        for nprobe in nprobes:
            index.nprobe = nprobe
            found, p50, p95 = time_queries(plain_search(index), queries, pool)
            row(f"IVF{nlist},{storage}", f"nprobe {nprobe}", found, truth, p50, p95, bytes_per, build_s, pool)
            if storage != "Flat":
                for depth in reranks:
                    found, p50, p95 = time_queries(rerank_search(index, store, depth), queries, pool)
                    row(f"IVF{nlist},{storage} + fp16 re-rank", f"nprobe {nprobe}, top {depth}", found, truth,
                        p50, p95, bytes_per + store.itemsize * d, build_s, pool)
        faiss.omp_set_num_threads(os.cpu_count() or 1)
        del index
    del quantizer


def hnsw_family(base, queries, truth, spec, efs, reranks, pool, store):
    d, n = base.shape[1], len(base)
    faiss.omp_set_num_threads(os.cpu_count() or 1)
    t0 = time.perf_counter()
    index = faiss.index_factory(d, spec, faiss.METRIC_INNER_PRODUCT)
    faiss.downcast_index(index).hnsw.efConstruction = 80
    if not index.is_trained:
        index.train(np.ascontiguousarray(base[np.random.default_rng(0).choice(n, min(n, 100_000), replace=False)]))
    for s in range(0, n, CHUNK * 5):
        index.add(np.ascontiguousarray(base[s:s + CHUNK * 5]))
    build_s = time.perf_counter() - t0
    bytes_per = faiss.serialize_index(index).nbytes / n
    faiss.omp_set_num_threads(1)
    for ef in efs:
        faiss.downcast_index(index).hnsw.efSearch = ef
        found, p50, p95 = time_queries(plain_search(index), queries, pool)
        row(spec, f"efSearch {ef}", found, truth, p50, p95, bytes_per, build_s, pool)
        if "SQ" in spec:
            for depth in reranks:
                found, p50, p95 = time_queries(rerank_search(index, store, depth), queries, pool)
                row(f"{spec} + fp16 re-rank", f"efSearch {ef}, top {depth}", found, truth, p50, p95,
                    bytes_per + store.itemsize * d, build_s, pool)


def product_build(base, queries, truth, pool, exact_below: int = 20_000, chunk: int = 20_000):
    """The product's own index (`FaissIndex` with the `auto` factory and default nprobe), built as
    `SyncedIndex._build_index` builds it: trained on a seeded sample, then added chunk by chunk."""
    from matcher.search.index import FaissIndex, _training_sample, resolve_factory, training_size
    from matcher.settings import Settings

    d, n = base.shape[1], len(base)
    settings = Settings()
    factory = resolve_factory("auto", n, exact_below)
    faiss.omp_set_num_threads(os.cpu_count() or 1)
    t0 = time.perf_counter()
    index = FaissIndex(d, factory, nprobe=settings.ivf_nprobe)
    ids = np.arange(n, dtype=np.int64) + 1
    if not index.raw.is_trained:
        pick = np.sort(np.random.default_rng(0).choice(n, training_size(index, n), replace=False))
        index.train(_training_sample(index, np.ascontiguousarray(base[pick])))
    train_s = time.perf_counter() - t0
    index.reserve(n)
    for s in range(0, n, chunk):
        index.add(ids[s:s + chunk], np.ascontiguousarray(base[s:s + chunk]))
    build_s = time.perf_counter() - t0
    print(f"product {factory}: trained in {train_s:.0f} s, built in {build_s:.0f} s (both cores; load {_load()})",
          flush=True)
    faiss.omp_set_num_threads(1)
    found, p50, p95 = time_queries(lambda q, k: index.search(q, k)[1] - 1, queries, pool)
    bytes_per = (faiss.serialize_index(index.raw).nbytes + index.label_ids.nbytes
                 + (index.store.nbytes if index.store is not None else 0)) / n
    row(f"product auto: {factory}", f"nprobe {settings.ivf_nprobe}, re-rank {index.rerank_depth}", found, truth,
        p50, p95, bytes_per, build_s, pool)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=300, help="demo seekers (seed 7) whose vectors are the queries")
    parser.add_argument("--cache", default=str(Path("reports") / ".cache" / "sweep"))
    parser.add_argument("--kinds", default="ivf", help="comma list of ivf, hnsw, product (the `auto` index as built)")
    parser.add_argument("--nlists", default="4096")
    parser.add_argument("--storages", default="Flat,SQ8")
    parser.add_argument("--nprobes", default="16,32,64,128")
    parser.add_argument("--efs", default="64,128,256")
    parser.add_argument("--hnsw-specs", default="HNSW32,SQ8")
    parser.add_argument("--reranks", default="100,300")
    parser.add_argument("--copies-only", action="store_true",
                        help="leave the real template vectors out (only their noisy copies)")
    parser.add_argument("--pool", type=int, default=100, help="the candidate step's pool (settings.candidate_pool)")
    args = parser.parse_args(argv)
    cache = Path(args.cache)
    templates, queries = real_vectors(cache, args.queries)
    queries = np.ascontiguousarray(queries, np.float32)
    base = collection(cache, args.n, templates, not args.copies_only)
    t0 = time.perf_counter()
    truth = exact_top(cache, base, queries)
    print(f"collection {args.n} x {base.shape[1]} ({'' if args.copies_only else 'the real vectors and '}noisy copies "
          f"of {len(templates)} real posting vectors), "
          f"{len(queries)} real seeker queries; exact top 100 in {time.perf_counter() - t0:.0f} s; "
          f"{os.cpu_count()} cores; latency on one thread, one query at a time", flush=True)
    store = np.ascontiguousarray(base, dtype=np.float16) if set(args.kinds.split(",")) - {"product"} else None
    print(f"| index | search | recall@10 | exact top 10 in top {args.pool} | p50 ms | p95 ms | bytes/vector "
          f"| build s | load |\n|---|---|---|---|---|---|---|---|---|", flush=True)
    ints = lambda s: [int(x) for x in s.split(",") if x]  # noqa: E731
    for kind in args.kinds.split(","):
        if kind == "ivf":
            for nlist in ints(args.nlists):
                ivf_family(base, queries, truth, nlist, args.storages.split(","), ints(args.nprobes),
                           ints(args.reranks), args.pool, store, cache)
        elif kind == "product":
            product_build(base, queries, truth, args.pool)
        elif kind == "hnsw":
            for spec in args.hnsw_specs.split(";"):
                hnsw_family(base, queries, truth, spec, ints(args.efs), ints(args.reranks), args.pool, store)


if __name__ == "__main__":
    main()
