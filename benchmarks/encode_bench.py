"""Encoding benchmark: the bundled model as shipped vs. the int8 fast path, speed and agreement.

    python -m benchmarks.encode_bench [--quick] [--out DIR]

Texts are built from the bundled 2022 occupation classification (no real postings): posting-like
documents ("招聘<职业>。岗位职责：<定义><主要工作任务>") and short seeker-like queries
("想找<职业>的工作"), sampled with a fixed seed. For each encoder and torch thread count it
measures documents/s at batch 64 and single-query latency p50/p95; for the fast path it reports
mean/min cosine agreement with the shipped model over all texts and the overlap of their top-10
retrieval lists. The fast path qualifies only when mean AND min cosine agreement are >= 0.98.
"""
from __future__ import annotations

import argparse
import re
import time
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np

from evaluation import report

MIN_AGREEMENT = 0.98
BATCH_SIZE = 64
QUERY_TEMPLATES = ("想找{}的工作", "求职意向：{}", "做过{}，想找类似岗位", "{}")
# Trailing digital (S) / green (L) occupation markers in the classification's names.
_MARKER = re.compile(r"(?<=[\u4e00-\u9fff）)])(?:L/S|S/L|L|S)$")


def clean_occupation_name(name: str) -> str:
    return _MARKER.sub("", name.strip())


def job_texts(n_documents: int = 400, n_queries: int = 100, seed: int = 0) -> tuple[list[str], list[str]]:
    """Posting-like documents and seeker-like queries from level-4 occupations (seeded sample)."""
    from data import reference

    occ = reference.occupations()
    occ = occ[(occ["level"] == 4) & (occ["definition"].str.len() > 0)]
    rng = np.random.default_rng(seed)
    doc_rows = occ.iloc[rng.choice(len(occ), size=min(n_documents, len(occ)), replace=False)]
    documents = []
    for name, definition, tasks in zip(doc_rows["name"], doc_rows["definition"], doc_rows["tasks"]):
        text = f"招聘{clean_occupation_name(name)}。岗位职责：{definition}"
        if tasks:
            text += tasks[:200]
        documents.append(text)
    query_rows = occ.iloc[rng.choice(len(occ), size=min(n_queries, len(occ)), replace=False)]
    queries = [
        QUERY_TEMPLATES[i % len(QUERY_TEMPLATES)].format(clean_occupation_name(name))
        for i, name in enumerate(query_rows["name"])
    ]
    return documents, queries


def documents_per_second(encoder, documents: Sequence[str], batch_size: int = BATCH_SIZE) -> float:
    """Throughput of `encode_documents` after one warm-up batch (the encoder's batch size is used)."""
    encoder.encode_documents(list(documents[:batch_size]))
    t0 = time.perf_counter()
    encoder.encode_documents(list(documents))
    return len(documents) / (time.perf_counter() - t0)


def single_query_latency_ms(encoder, queries: Sequence[str], warmup: int = 5) -> np.ndarray:
    for text in queries[:warmup]:
        encoder.encode_queries([text])
    times = np.empty(len(queries))
    for i, text in enumerate(queries):
        t0 = time.perf_counter()
        encoder.encode_queries([text])
        times[i] = time.perf_counter() - t0
    return times * 1e3


def cosine_agreement(reference_vectors: np.ndarray, other_vectors: np.ndarray) -> np.ndarray:
    """Row-wise cosine between two encodings of the same texts, in [-1, 1]."""
    a = reference_vectors / np.linalg.norm(reference_vectors, axis=1, keepdims=True)
    b = other_vectors / np.linalg.norm(other_vectors, axis=1, keepdims=True)
    return np.sum(a * b, axis=1)


def topk_overlap(ref_q: np.ndarray, ref_d: np.ndarray, q: np.ndarray, d: np.ndarray, k: int = 10) -> float:
    """Mean |top-k under reference ∩ top-k under other| / k for query→document retrieval, in [0, 1]."""
    k = min(k, ref_d.shape[0])
    ref_top = np.argsort(-(ref_q @ ref_d.T), axis=1)[:, :k]
    top = np.argsort(-(q @ d.T), axis=1)[:, :k]
    return float(np.mean([len(set(a) & set(b)) / k for a, b in zip(ref_top, top)]))


def bench(
    encoders: Mapping[str, object],
    documents: Sequence[str],
    queries: Sequence[str],
    *,
    reference: str,
    thread_counts: Sequence[int | None] = (None, 1),
) -> list[dict]:
    """One row per (encoder, thread count); agreement columns compare each encoder to `reference`.

    `None` in `thread_counts` means torch's default. Thread count is process-wide in torch, so it
    is set around each measurement and restored.
    """
    import torch

    default_threads = torch.get_num_threads()
    texts = list(documents) + list(queries)
    vectors = {label: (enc.encode_documents(list(documents)), enc.encode_queries(list(queries)))
               for label, enc in encoders.items()}
    ref_d, ref_q = vectors[reference]
    ref_all = np.vstack([ref_d, ref_q])
    rows = []
    for label, enc in encoders.items():
        d, q = vectors[label]
        agreement = cosine_agreement(ref_all, np.vstack([d, q]))
        for threads in thread_counts:
            torch.set_num_threads(threads or default_threads)
            try:
                tps = documents_per_second(enc, documents)
                lat = single_query_latency_ms(enc, queries)
            finally:
                torch.set_num_threads(default_threads)
            rows.append({
                "encoder": label,
                "name": getattr(enc, "name", label),
                "threads": threads or default_threads,
                "docs_per_s": round(tps, 1),
                "query_p50_ms": round(float(np.percentile(lat, 50)), 2),
                "query_p95_ms": round(float(np.percentile(lat, 95)), 2),
                "cos_mean": round(float(agreement.mean()), 4),
                "cos_min": round(float(agreement.min()), 4),
                "cos_p01": round(float(np.percentile(agreement, 1)), 4),
                "top10_overlap": round(topk_overlap(ref_q, ref_d, q, d), 4),
                "qualifies": None if label == reference else bool(
                    agreement.mean() >= MIN_AGREEMENT and agreement.min() >= MIN_AGREEMENT),
                "n_texts": len(texts),
                "load_1m": report.load_average(),
            })
            print(f"{label} threads={rows[-1]['threads']}: {rows[-1]['docs_per_s']} docs/s, "
                  f"p50 {rows[-1]['query_p50_ms']} ms", flush=True)
    return rows


COLUMNS = ("encoder", "threads", "docs_per_s", "query_p50_ms", "query_p95_ms", "cos_mean", "cos_min",
           "top10_overlap", "qualifies", "load_1m")


def plot(rows: Sequence[dict], path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = [f"{r['encoder']}\n{r['threads']} thr" for r in rows]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
    ax1.bar(labels, [r["docs_per_s"] for r in rows], color="tab:blue")
    ax1.set_ylabel(f"documents/s (batch {BATCH_SIZE})")
    ax2.bar(labels, [r["query_p50_ms"] for r in rows], color="tab:orange", label="p50")
    ax2.scatter(labels, [r["query_p95_ms"] for r in rows], color="black", marker="_", s=200, label="p95")
    ax2.set_ylabel("single-query latency (ms)")
    ax2.legend()
    for ax in (ax1, ax2):
        ax.tick_params(axis="x", labelsize=7)
    fig.suptitle("Encoder speed: shipped vs int8 dynamic quantisation")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def summary(rows: Sequence[dict], reference: str) -> str:
    lines = []
    for label in dict.fromkeys(r["encoder"] for r in rows):
        if label == reference:
            continue
        r = next(x for x in rows if x["encoder"] == label)
        verdict = "QUALIFIES" if r["qualifies"] else "does NOT qualify"
        lines.append(f"{label}: {verdict} (cosine agreement mean {r['cos_mean']}, min {r['cos_min']}; "
                     f"needs both >= {MIN_AGREEMENT}; top-10 retrieval overlap {r['top10_overlap']})")
        for threads in dict.fromkeys(x["threads"] for x in rows):
            fast = next((x for x in rows if x["encoder"] == label and x["threads"] == threads), None)
            base = next((x for x in rows if x["encoder"] == reference and x["threads"] == threads), None)
            if fast and base:
                lines.append(f"  {threads} thread(s): {fast['docs_per_s'] / base['docs_per_s']:.2f}x documents/s, "
                             f"single-query p50 {base['query_p50_ms']} -> {fast['query_p50_ms']} ms")
    return "\n".join(lines) + "\n"


def run(out: str | None, *, quick: bool) -> Path:
    from models.encoder import SentenceTransformerEncoder
    from models.fast_encoder import QuantizedSentenceTransformerEncoder

    run_dir = report.make_run_dir("encode", out)
    info = report.machine_info()
    n_docs, n_queries = (80, 20) if quick else (400, 100)
    documents, queries = job_texts(n_docs, n_queries)
    t0 = time.perf_counter()
    shipped = SentenceTransformerEncoder(batch_size=BATCH_SIZE)
    load_shipped = time.perf_counter() - t0
    t0 = time.perf_counter()
    fast = QuantizedSentenceTransformerEncoder(batch_size=BATCH_SIZE)
    load_fast = time.perf_counter() - t0
    encoders = {"m3e-small (shipped)": shipped, fast.name: fast}
    rows = bench(encoders, documents, queries, reference="m3e-small (shipped)")
    settings = {"n_documents": len(documents), "n_queries": len(queries), "batch_size": BATCH_SIZE,
                "min_agreement": MIN_AGREEMENT, "load_s": {"shipped": round(load_shipped, 2), fast.name: round(load_fast, 2)},
                "texts": "synthetic, from data/reference occupations_csco2022 (seed 0)",
                "sample_documents": documents[:3], "sample_queries": queries[:3]}
    report.write_json(run_dir, "encode.json", {"settings": settings, "machine": info, "results": rows})
    report.write_csv(run_dir, "encode.csv", rows)
    plot(rows, run_dir / "encode_speed.png")
    text = ("# Encoding benchmark\n\n" + report.machine_markdown(info) + "\n"
            + f"{len(documents)} posting-like documents + {len(queries)} seeker-like queries from the occupation "
              f"classification; documents/s at batch {BATCH_SIZE}; single-query latency over {len(queries)} queries.\n\n"
            + report.markdown_table(rows, COLUMNS, digits=None) + "\n" + summary(rows, "m3e-small (shipped)"))
    report.write_markdown(run_dir, "encode.md", text)
    return run_dir


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="100 texts instead of 500")
    parser.add_argument("--out", default=None, help="run folder (default reports/encode-<timestamp>/)")
    args = parser.parse_args(argv)
    run_dir = run(args.out, quick=args.quick)
    print()
    print((run_dir / "encode.md").read_text(encoding="utf-8"))
    print(f"Written to {run_dir}/ (encode.json, encode.csv, encode.md, encode_speed.png)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
