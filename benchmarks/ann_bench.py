"""ANN benchmark: FAISS index quality and single-thread speed on embedding-like vectors.

    python -m benchmarks.ann_bench [--quick] [--sizes 10000,100000,1000000] [--out DIR]

For each collection size N it builds Flat, HNSW32 and IVF (Flat and SQ8) indexes with
`faiss.index_factory(d, spec, METRIC_INNER_PRODUCT)` and reports, per search setting
(efSearch, nprobe): recall@10 against exact search, single-query latency p50/p95/p99 on ONE
thread, build time and serialised bytes per vector. Target (issue 6): at 1M, recall@10 >= 0.95
with p50 < 2 ms on one core.

Vectors are synthetic (no postings are read): 512-d L2-normalised float32. The default
`--data embedding-like` is calibrated on real m3e-small vectors of occupation texts: a strong
shared direction, a power-law spectrum (low intrinsic dimension) and two-level Gaussian clusters
(60 families, 2,000 clusters, Zipf-like sizes); queries are drawn the same way. `--data isotropic`
(full-rank noise around the centres) is a much harder stress case for HNSW and IVF.
"""
from __future__ import annotations

import argparse
import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Sequence

import numpy as np

from evaluation import report

DIM = 512
K = 10
TARGET_N = 1_000_000
TARGET_RECALL = 0.95
TARGET_P50_MS = 2.0
HNSW_EF_SEARCH = (16, 32, 64, 128, 256)
IVF_NPROBE = (1, 4, 16, 32, 64, 128)
CHUNK = 50_000


# --------------------------------------------------------------------------------------------
# Synthetic embedding-like data


@dataclass(frozen=True)
class ClusteredSpace:
    """A generator of L2-normalised float32 vectors: x = normalise(offset + (c_label + noise) @ projection).

    `sample(n, seed)` draws cluster labels with Zipf-like weights, adds Gaussian noise with the
    cluster's own spread to the latent centre, maps it through `projection` and adds `offset`.
    """

    centres: np.ndarray  # (n_clusters, dim) latent centres
    spread: np.ndarray  # (n_clusters,) per-coordinate noise std of each cluster
    weights: np.ndarray  # (n_clusters,) Zipf-like cluster probabilities
    offset: np.ndarray  # (dim,) shared component of every vector (anisotropy)
    projection: np.ndarray | None = None  # (dim, dim) latent -> output map; None = identity

    @classmethod
    def embedding_like(
        cls,
        dim: int = DIM,
        n_clusters: int = 2000,
        n_super: int = 60,
        seed: int = 0,
        *,
        mean_weight: float = 2.2,
        spectrum_decay: float = 0.35,
        sub_spread: float = 0.7,
        noise: tuple[float, float] = (0.35, 0.65),
    ) -> "ClusteredSpace":
        """Calibrated on m3e-small vectors of 1,200 occupation texts (the default data).

        Measured there: norm of the mean vector 0.88, random-pair cosine median 0.78, mean
        nearest-neighbour cosine 0.92 (10th: 0.88), 22/145 principal components for 50%/90% of
        the centred variance. This generator at the same size gives 0.86, 0.74, 0.95/0.90,
        21/153: a strong shared direction, a power-law spectrum (low intrinsic dimension) and
        two-level clusters (60 occupation families, 2,000 occupations).
        """
        rng = np.random.default_rng(seed)
        rotation, _ = np.linalg.qr(rng.standard_normal((dim, dim)))
        scale = np.arange(1, dim + 1, dtype=float) ** -spectrum_decay
        scale /= np.linalg.norm(scale)
        mean_dir = rng.standard_normal(dim)
        mean_dir /= np.linalg.norm(mean_dir)
        families = rng.standard_normal((n_super, dim))
        centres = families[rng.integers(0, n_super, n_clusters)] + sub_spread * rng.standard_normal((n_clusters, dim))
        spread = rng.uniform(*noise, n_clusters)
        return cls(
            centres.astype(np.float32), spread.astype(np.float32), _zipf_weights(n_clusters, rng),
            (mean_weight * mean_dir).astype(np.float32), (scale[:, None] * rotation.T).astype(np.float32),
        )

    @classmethod
    def isotropic(cls, dim: int = DIM, n_clusters: int = 2000, seed: int = 0) -> "ClusteredSpace":
        """A harder stress case: full-rank isotropic noise around unit centres (cosine between
        unrelated vectors ~0.25, nearest neighbour ~0.55): intrinsic dimension close to `dim`."""
        rng = np.random.default_rng(seed)
        mean_dir = rng.standard_normal(dim)
        mean_dir /= np.linalg.norm(mean_dir)
        own = rng.standard_normal((n_clusters, dim))
        own /= np.linalg.norm(own, axis=1, keepdims=True)
        centres = mean_dir + 1.2 * own
        centres /= np.linalg.norm(centres, axis=1, keepdims=True)
        spread = rng.uniform(0.55, 1.1, n_clusters) / math.sqrt(dim)
        weights = 1.0 / np.arange(1, n_clusters + 1) ** 0.8
        weights = rng.permutation(weights / weights.sum())
        return cls(centres.astype(np.float32), spread.astype(np.float32), weights, np.zeros(dim, np.float32))

    def sample(self, n: int, seed: int) -> np.ndarray:
        rng = np.random.default_rng(seed)
        labels = rng.choice(len(self.weights), size=n, p=self.weights)
        dim = self.centres.shape[1] if self.projection is None else self.projection.shape[1]
        out = np.empty((n, dim), dtype=np.float32)
        for start in range(0, n, CHUNK):
            lab = labels[start : start + CHUNK]
            noise = rng.standard_normal((len(lab), self.centres.shape[1]), dtype=np.float32)
            block = self.centres[lab] + noise * self.spread[lab, None]
            if self.projection is not None:
                block = block @ self.projection
            block += self.offset
            block /= np.linalg.norm(block, axis=1, keepdims=True)
            out[start : start + len(lab)] = block
        return out


def _zipf_weights(n: int, rng: np.random.Generator, exponent: float = 0.8) -> np.ndarray:
    weights = 1.0 / np.arange(1, n + 1) ** exponent
    return rng.permutation(weights / weights.sum())


DATA_KINDS = {"embedding-like": ClusteredSpace.embedding_like, "isotropic": ClusteredSpace.isotropic}


# --------------------------------------------------------------------------------------------
# Measurement helpers


def exact_topk(xb: np.ndarray, xq: np.ndarray, k: int = K) -> np.ndarray:
    """Ids of the exact top-k inner-product neighbours of each query (all threads)."""
    import faiss

    flat = faiss.IndexFlatIP(xb.shape[1])
    flat.add(xb)
    _, ids = flat.search(xq, k)
    return ids


def recall_at_k(found: np.ndarray, truth: np.ndarray, k: int = K) -> float:
    """Mean |found[:k] ∩ truth[:k]| / k over queries, in [0, 1]."""
    hits = [len(set(f[:k].tolist()) & set(t[:k].tolist())) for f, t in zip(found, truth)]
    return float(np.mean(hits) / k)


def single_query_latency_ms(index, xq: np.ndarray, k: int = K, warmup: int = 20) -> np.ndarray:
    """Per-query search latency in ms, one query per call, on one OpenMP thread."""
    import faiss

    previous = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)
    try:
        for i in range(min(warmup, len(xq))):
            index.search(xq[i : i + 1], k)
        times = np.empty(len(xq))
        for i in range(len(xq)):
            t0 = time.perf_counter()
            index.search(xq[i : i + 1], k)
            times[i] = time.perf_counter() - t0
    finally:
        faiss.omp_set_num_threads(previous)
    return times * 1e3


def serialized_bytes(index) -> int:
    import faiss

    return int(faiss.serialize_index(index).size)


def _chunks(n: int, size: int = CHUNK) -> Iterator[tuple[int, int]]:
    for start in range(0, n, size):
        yield start, min(n, start + size)


def _progress(total: int, desc: str, enabled: bool):
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit="vec", unit_scale=True, disable=not enabled, mininterval=2.0)


def ivf_nlist(n: int) -> int:
    """nlist ~ 4*sqrt(N), at least 16 and never more than N/39 (faiss wants >= 39 points per list)."""
    return int(max(16, min(round(4 * math.sqrt(n)), n // 39)))


# --------------------------------------------------------------------------------------------
# The benchmark


def _row(n: int, spec: str, param: str, recall: float, lat: np.ndarray, build_s: float, nbytes: int, note: str = ""):
    p50, p95, p99 = (float(np.percentile(lat, q)) for q in (50, 95, 99))
    return {
        "n": n,
        "index": spec,
        "search_param": param,
        "recall@10": round(recall, 4),
        "p50_ms": round(p50, 3),
        "p95_ms": round(p95, 3),
        "p99_ms": round(p99, 3),
        "latency_queries": int(len(lat)),
        "build_s": round(build_s, 2),
        "bytes_per_vector": round(nbytes / n, 1),
        "meets_target": bool(recall >= TARGET_RECALL and p50 < TARGET_P50_MS),
        "load_1m": report.load_average(),
        "note": note,
    }


def bench_size(
    space: ClusteredSpace,
    n: int,
    *,
    n_queries: int = 1000,
    n_latency: int = 1000,
    n_latency_flat: int = 200,
    hnsw_ef_construction: int = 40,
    progress: bool = True,
    log=print,
) -> list[dict]:
    """All index configurations at collection size `n`; returns one row per search setting."""
    import faiss
    from faiss.contrib.ivf_tools import add_preassigned

    rows: list[dict] = []
    t0 = time.perf_counter()
    xb = space.sample(n, seed=1_000 + n)
    xq = space.sample(n_queries, seed=2_000_000 + n)
    log(f"[N={n:,}] data generated in {time.perf_counter() - t0:.1f}s")
    t0 = time.perf_counter()
    truth = exact_topk(xb, xq)
    log(f"[N={n:,}] exact ground truth for {n_queries} queries in {time.perf_counter() - t0:.1f}s")
    lat_q = xq[:n_latency]

    # Flat: exact, the reference for latency.
    t0 = time.perf_counter()
    flat = faiss.index_factory(DIM, "Flat", faiss.METRIC_INNER_PRODUCT)
    flat.add(xb)
    build = time.perf_counter() - t0
    _, found = flat.search(xq, K)
    lat = single_query_latency_ms(flat, xq[:n_latency_flat])
    rows.append(_row(n, "Flat", "-", recall_at_k(found, truth), lat, build, serialized_bytes(flat)))
    log(f"[N={n:,}] Flat done (p50 {rows[-1]['p50_ms']} ms)")
    del flat

    # HNSW32: graph build is incremental, so add in chunks to show progress.
    t0 = time.perf_counter()
    hnsw = faiss.index_factory(DIM, "HNSW32", faiss.METRIC_INNER_PRODUCT)
    hnsw.hnsw.efConstruction = hnsw_ef_construction
    with _progress(n, f"HNSW32 build N={n:,}", progress) as bar:
        for a, b in _chunks(n):
            hnsw.add(xb[a:b])
            bar.update(b - a)
    build = time.perf_counter() - t0
    nbytes = serialized_bytes(hnsw)
    log(f"[N={n:,}] HNSW32 built in {build:.1f}s")
    for ef in HNSW_EF_SEARCH:
        hnsw.hnsw.efSearch = ef
        _, found = hnsw.search(xq, K)
        lat = single_query_latency_ms(hnsw, lat_q)
        rows.append(_row(n, "HNSW32", f"efSearch={ef}", recall_at_k(found, truth), lat, build, nbytes,
                         f"efConstruction={hnsw_ef_construction}"))
        log(f"[N={n:,}] HNSW32 efSearch={ef}: recall {rows[-1]['recall@10']}, p50 {rows[-1]['p50_ms']} ms")
    del hnsw

    # IVF: coarse centroids trained once on a sample and shared by IVF-Flat and IVF-SQ8; list
    # assignment computed once too. Each variant's build time includes that shared work.
    nlist = ivf_nlist(n)
    train_n = min(n, 32 * nlist)
    rng = np.random.default_rng(n)
    sample = xb[np.sort(rng.choice(n, size=train_n, replace=False))]
    t0 = time.perf_counter()
    base = faiss.index_factory(DIM, f"IVF{nlist},Flat", faiss.METRIC_INNER_PRODUCT)
    base_ivf = faiss.extract_index_ivf(base)
    base_ivf.cp.niter = 10
    base.train(sample)
    train_s = time.perf_counter() - t0
    log(f"[N={n:,}] IVF{nlist} coarse k-means on {train_n:,} vectors in {train_s:.1f}s")
    t0 = time.perf_counter()
    assign = np.empty(n, dtype=np.int64)
    with _progress(n, f"IVF assign N={n:,}", progress) as bar:
        for a, b in _chunks(n):
            _, lab = base_ivf.quantizer.search(xb[a:b], 1)
            assign[a:b] = lab[:, 0]
            bar.update(b - a)
    assign_s = time.perf_counter() - t0
    centroids = base_ivf.quantizer.reconstruct_n(0, nlist)

    for suffix in ("Flat", "SQ8"):
        spec = f"IVF{nlist},{suffix}"
        t0 = time.perf_counter()
        if suffix == "Flat":
            index = base
        else:
            index = faiss.index_factory(DIM, spec, faiss.METRIC_INNER_PRODUCT)
            ivf = faiss.extract_index_ivf(index)
            ivf.quantizer.add(centroids)  # trained quantizer with nlist rows: train() skips k-means
            index.train(sample)  # trains the SQ8 per-dimension ranges only
        ivf = faiss.extract_index_ivf(index)
        for a, b in _chunks(n):
            add_preassigned(ivf, xb[a:b], assign[a:b])
        build = train_s + assign_s + (time.perf_counter() - t0)
        nbytes = serialized_bytes(index)
        log(f"[N={n:,}] {spec} built in {build:.1f}s")
        for nprobe in IVF_NPROBE:
            if nprobe > nlist:
                continue
            ivf.nprobe = nprobe
            _, found = index.search(xq, K)
            lat = single_query_latency_ms(index, lat_q)
            rows.append(_row(n, spec, f"nprobe={nprobe}", recall_at_k(found, truth), lat, build, nbytes,
                             f"k-means on {train_n:,} samples, shared"))
            log(f"[N={n:,}] {spec} nprobe={nprobe}: recall {rows[-1]['recall@10']}, p50 {rows[-1]['p50_ms']} ms")
        del index
    del base, xb
    return rows


COLUMNS = ("n", "index", "search_param", "recall@10", "p50_ms", "p95_ms", "p99_ms", "build_s",
           "bytes_per_vector", "meets_target", "load_1m")


def plot_recall_latency(rows: Sequence[dict], path: Path) -> Path:
    """Recall@10 vs single-thread p50 latency, one line per (index, N)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 5.5))
    groups: dict[tuple[int, str], list[dict]] = {}
    for row in rows:
        family = row["index"].split(",")[-1] if row["index"].startswith("IVF") else row["index"]
        family = f"IVF,{family}" if row["index"].startswith("IVF") else family
        groups.setdefault((row["n"], family), []).append(row)
    sizes = sorted({n for n, _ in groups})
    markers = {n: m for n, m in zip(sizes, "os^Dv")}
    for (n, family), grp in sorted(groups.items()):
        grp = sorted(grp, key=lambda r: r["p50_ms"])
        ax.plot([r["p50_ms"] for r in grp], [r["recall@10"] for r in grp], marker=markers[n],
                label=f"{family} N={n:,}")
    ax.axhline(TARGET_RECALL, color="grey", ls="--", lw=0.8)
    ax.axvline(TARGET_P50_MS, color="grey", ls="--", lw=0.8)
    ax.set_xscale("log")
    ax.set_xlabel("single-query p50 latency, 1 thread (ms, log scale)")
    ax.set_ylabel("recall@10 vs exact")
    ax.set_title("FAISS recall vs latency (synthetic clustered 512-d embeddings)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7, ncol=2)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def run(
    sizes: Sequence[int], out: str | None, *, n_queries: int, n_latency: int, data: str = "embedding-like",
    progress: bool = True,
) -> Path:
    import faiss

    run_dir = report.make_run_dir("ann", out)
    info = report.machine_info()
    info["faiss_omp_max_threads"] = faiss.omp_get_max_threads()
    space = DATA_KINDS[data]()
    rows: list[dict] = []
    started = time.perf_counter()
    for n in sizes:
        t0 = time.perf_counter()
        rows.extend(bench_size(space, n, n_queries=n_queries, n_latency=n_latency, progress=progress))
        print(f"[N={n:,}] finished in {time.perf_counter() - t0:.1f}s", flush=True)
        # Write after every size so a long run leaves usable partial results.
        _write(run_dir, info, rows, sizes, n_queries, n_latency, data, time.perf_counter() - started)
    return run_dir


def _write(run_dir: Path, info: dict, rows: list[dict], sizes, n_queries: int, n_latency: int, data: str,
           elapsed: float):
    settings = {
        "dim": DIM, "k": K, "sizes": list(sizes), "n_queries": n_queries, "n_latency": n_latency,
        "data": f"synthetic {data}: " + " ".join((DATA_KINDS[data].__doc__ or "").split()),
        "target": {"n": TARGET_N, "recall@10": TARGET_RECALL, "p50_ms": TARGET_P50_MS, "threads": 1},
    }
    report.write_json(run_dir, "ann.json", {"settings": settings, "machine": info, "results": rows,
                                            "elapsed_s": round(elapsed, 1)})
    report.write_csv(run_dir, "ann.csv", rows)
    plot_recall_latency(rows, run_dir / "ann_recall_latency.png")
    table = report.markdown_table(rows, COLUMNS, digits=None)
    report.write_markdown(run_dir, "ann.md", f"# ANN benchmark ({data} synthetic vectors)\n\n"
                          + report.machine_markdown(info) + "\n" + table
                          + "\n" + target_summary(rows) + "\n")


def target_summary(rows: Sequence[dict]) -> str:
    at_target = [r for r in rows if r["n"] == TARGET_N]
    if not at_target:
        return f"Target (N={TARGET_N:,}) not measured in this run."
    ok = [r for r in at_target if r["meets_target"]]
    if not ok:
        return f"No configuration meets recall@10 >= {TARGET_RECALL} with p50 < {TARGET_P50_MS} ms at N={TARGET_N:,}."
    best = min(ok, key=lambda r: r["p50_ms"])
    return (f"Target met at N={TARGET_N:,} by {len(ok)} setting(s); fastest: {best['index']} {best['search_param']} "
            f"(recall@10 {best['recall@10']}, p50 {best['p50_ms']} ms, {best['bytes_per_vector']} B/vector).")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="only N=10,000 and fewer queries (CI, seconds)")
    parser.add_argument("--sizes", default="10000,100000,1000000", help="comma-separated collection sizes")
    parser.add_argument("--queries", type=int, default=1000, help="queries for recall")
    parser.add_argument("--latency-queries", type=int, default=1000, help="queries timed one by one")
    parser.add_argument("--out", default=None, help="run folder (default reports/ann-<timestamp>/)")
    parser.add_argument("--data", choices=sorted(DATA_KINDS), default="embedding-like",
                        help="synthetic vector distribution (isotropic is a harder stress case)")
    parser.add_argument("--no-progress", action="store_true")
    args = parser.parse_args(argv)
    if args.quick:
        sizes, n_queries, n_latency = [10_000], 200, 200
    else:
        sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
        n_queries, n_latency = args.queries, min(args.latency_queries, args.queries)
    run_dir = run(sizes, args.out, n_queries=n_queries, n_latency=n_latency, data=args.data,
                  progress=not args.no_progress)
    print()
    print((run_dir / "ann.md").read_text(encoding="utf-8"))
    print(f"Written to {run_dir}/ (ann.json, ann.csv, ann.md, ann_recall_latency.png)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
