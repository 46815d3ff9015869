"""Encoding benchmark: the shipped model (sentence-transformers, torch fp32) against the ONNX Runtime
variants, speed and agreement, in one run.

    python -m benchmarks.encode_bench [--quick] [--out DIR]

Speed texts are built from the bundled 2022 occupation classification (no real postings):
posting-like documents and short seeker-like queries, sampled with a fixed seed. For each encoder
and thread count (1 and 2, the same for every encoder) it measures single-query latency p50/p95
with the query cache off (every query new), documents/s at batch 64, and, for the ONNX encoders,
the latency of a repeated query served from the LRU cache. Encoders are timed interleaved (each
query through every encoder in turn), so load from other processes on a shared machine hits all
of them alike; the 1-minute load average is recorded with every row.

Agreement with the shipped model, on texts no one tuned on:
- cosine of the two encodings of every text (occupation texts plus the ranking benchmark's postings
  and resumes): mean and minimum;
- top-10 overlap on the product's own ranking benchmark (`evaluation/datasets/ranking`, 158 postings,
  69 resumes): the dense ranking (resume vector against posting vectors), and the matcher's own
  top 10 (`evaluation.ranking_eval.start_matcher`, the product path, occupation coding off).

A variant qualifies when cosine mean and min are >= 0.99 and both overlaps are >= 0.95; the
fastest qualifying variant (single-query p50) is what settings use by default.
"""
from __future__ import annotations

import argparse
import re
import tempfile
import time
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np

from evaluation import report

MIN_COSINE = 0.99
MIN_OVERLAP = 0.95
TARGET_SPEEDUP = 2.5
BATCH_SIZE = 64
REFERENCE = "m3e-small"
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



def list_overlap(reference: Sequence[Sequence], other: Sequence[Sequence]) -> float:
    """Mean |reference top-k ∩ other top-k| / |reference top-k| over lists where the reference answered."""
    pairs = [(a, b) for a, b in zip(reference, other) if len(a)]
    return float(np.mean([len(set(a) & set(b)) / len(a) for a, b in pairs])) if pairs else float("nan")


def matcher_top10(encoder, bench) -> list[list[str]]:
    """The product's own top 10 for every benchmark resume, with `encoder` (fresh database)."""
    from evaluation.ranking_eval import K, start_matcher

    with tempfile.TemporaryDirectory(prefix="encode-bench-") as tmp:
        ask, stop = start_matcher(bench.postings, encoder, Path(tmp), occupation_coding=False)
        try:
            return [ask(r["text"], K).ranked for r in bench.resumes]
        finally:
            stop()


def build_encoders(threads: int, *, cache: bool) -> dict[str, object]:
    """The shipped model and the ONNX variants at `threads` intra-op threads (torch: process-wide)."""
    import torch

    from models.encoder import SentenceTransformerEncoder
    from models.onnx_encoder import OnnxEncoder

    torch.set_num_threads(threads)
    size = 2048 if cache else 0
    return {
        REFERENCE: SentenceTransformerEncoder(batch_size=BATCH_SIZE),
        "m3e-small-onnx": OnnxEncoder("fp32", threads=threads, query_cache_size=size),
        "m3e-small-onnx-int8": OnnxEncoder("int8", threads=threads, query_cache_size=size),
    }


def agreement(encoders: Mapping[str, object], texts: Sequence[str], bench) -> dict[str, dict]:
    """Cosine and top-10 overlaps of each encoder against the shipped model."""
    from evaluation.ranking_eval import posting_text

    posting_texts = [posting_text(p) for p in bench.postings]
    resume_texts = [r["text"] for r in bench.resumes]
    out: dict[str, dict] = {}
    vectors, tops = {}, {}
    for label, enc in encoders.items():
        d = enc.encode_documents(posting_texts)
        q = enc.encode_queries(resume_texts)
        vectors[label] = (np.vstack([enc.encode_documents(list(texts)), d, q]), q, d)
        t0 = time.perf_counter()
        tops[label] = matcher_top10(enc, bench)
        print(f"{label}: product ranking of {len(resume_texts)} resumes in {time.perf_counter() - t0:.1f} s", flush=True)
    ref_all, ref_q, ref_d = vectors[REFERENCE]
    for label in encoders:
        all_v, q, d = vectors[label]
        cos = cosine_agreement(ref_all, all_v)
        out[label] = {
            "cos_mean": round(float(cos.mean()), 5), "cos_min": round(float(cos.min()), 5),
            "dense_top10_overlap": round(topk_overlap(ref_q, ref_d, q, d), 4),
            "matcher_top10_overlap": round(list_overlap(tops[REFERENCE], tops[label]), 4),
            "n_cosine_texts": len(cos),
        }
        a = out[label]
        a["agrees"] = bool(a["cos_mean"] >= MIN_COSINE and a["cos_min"] >= MIN_COSINE
                           and a["dense_top10_overlap"] >= MIN_OVERLAP and a["matcher_top10_overlap"] >= MIN_OVERLAP)
    return out


def speed(encoders: Mapping[str, object], documents: Sequence[str], queries: Sequence[str], threads: int) -> list[dict]:
    """Latency and throughput, interleaved: each query (and each chunk of documents) goes through every
    encoder in turn, so load from other processes on a shared machine hits all encoders alike."""
    labels = list(encoders)
    for enc in encoders.values():  # warm-up
        enc.encode_documents(list(documents[:16]))
        for text in queries[:3]:
            enc.encode_queries([text + "。"])
    lat: dict[str, list[float]] = {label: [] for label in labels}
    for text in queries:
        for label in labels:
            t0 = time.perf_counter()
            encoders[label].encode_queries([text])
            lat[label].append((time.perf_counter() - t0) * 1e3)
    doc_time = dict.fromkeys(labels, 0.0)
    for start in range(0, len(documents), BATCH_SIZE):
        chunk = list(documents[start:start + BATCH_SIZE])
        for label in labels:
            t0 = time.perf_counter()
            encoders[label].encode_documents(chunk)
            doc_time[label] += time.perf_counter() - t0
    rows = []
    for label, enc in encoders.items():
        row = {"encoder": label, "threads": threads, "docs_per_s": round(len(documents) / doc_time[label], 1),
               "query_p50_ms": round(float(np.percentile(lat[label], 50)), 2),
               "query_p95_ms": round(float(np.percentile(lat[label], 95)), 2), "cached_p50_ms": None,
               "load_1m": report.load_average()}
        if hasattr(enc, "clear_cache"):
            cached = type(enc)(enc.variant, threads=threads, query_cache_size=2048)
            cached.encode_queries([queries[0]])
            row["cached_p50_ms"] = round(float(np.percentile(single_query_latency_ms(cached, [queries[0]] * 50), 50)), 3)
        rows.append(row)
        print(f"{label} threads={threads}: query p50 {row['query_p50_ms']} ms, {row['docs_per_s']} docs/s", flush=True)
    base = next(r for r in rows if r["encoder"] == REFERENCE)
    for row in rows:
        row["query_speedup"] = round(base["query_p50_ms"] / row["query_p50_ms"], 2)
        row["docs_speedup"] = round(row["docs_per_s"] / base["docs_per_s"], 2)
    return rows


COLUMNS = ("encoder", "threads", "query_p50_ms", "query_p95_ms", "query_speedup", "docs_per_s", "docs_speedup",
           "cached_p50_ms", "load_1m")
AGREEMENT_COLUMNS = ("encoder", "cos_mean", "cos_min", "dense_top10_overlap", "matcher_top10_overlap", "agrees")


def choose(rows: Sequence[dict], agreement_rows: Mapping[str, dict]) -> str | None:
    """The fastest variant (single-query p50 at the most threads measured) that meets the agreement bar."""
    threads = max(r["threads"] for r in rows)
    ok = [r for r in rows if r["threads"] == threads and r["encoder"] != REFERENCE
          and agreement_rows[r["encoder"]]["agrees"]]
    return min(ok, key=lambda r: r["query_p50_ms"])["encoder"] if ok else None


def summary(rows: Sequence[dict], agreement_rows: Mapping[str, dict]) -> str:
    lines = []
    for label, a in agreement_rows.items():
        if label == REFERENCE:
            continue
        verdict = "meets" if a["agrees"] else "does NOT meet"
        lines.append(f"{label}: {verdict} the agreement bar (cosine mean {a['cos_mean']}, min {a['cos_min']}; "
                     f"top-10 overlap dense {a['dense_top10_overlap']}, product {a['matcher_top10_overlap']}; "
                     f"needs cosine >= {MIN_COSINE}, overlap >= {MIN_OVERLAP})")
        for r in rows:
            if r["encoder"] == label:
                hit = "meets" if r["query_speedup"] >= TARGET_SPEEDUP else "BELOW"
                lines.append(f"  {r['threads']} thread(s): single query {r['query_speedup']}x faster than "
                             f"sentence-transformers fp32 ({hit} the {TARGET_SPEEDUP}x target), "
                             f"documents {r['docs_speedup']}x; cached query p50 {r['cached_p50_ms']} ms")
    chosen = choose(rows, agreement_rows)
    lines.append(f"fastest variant meeting the agreement bar: {chosen or 'none'}")
    return "\n".join(lines) + "\n"


def run(out: str | None, *, quick: bool) -> Path:
    from evaluation.datasets.ranking.build import load

    run_dir = report.make_run_dir("encode", out)
    info = report.machine_info()
    n_docs, n_queries = (80, 30) if quick else (256, 100)
    documents, queries = job_texts(n_docs, n_queries)
    bench = load()
    rows: list[dict] = []
    agreement_rows: dict[str, dict] = {}
    for threads in (1, 2):
        encoders = build_encoders(threads, cache=False)
        if not agreement_rows:
            agreement_rows = agreement(encoders, documents + queries, bench)
        rows += speed(encoders, documents, queries, threads)
    chosen = choose(rows, agreement_rows)
    settings = {"n_documents": len(documents), "n_queries": len(queries), "batch_size": BATCH_SIZE,
                "min_cosine": MIN_COSINE, "min_overlap": MIN_OVERLAP, "target_speedup": TARGET_SPEEDUP,
                "speed_texts": "synthetic, from data/reference occupations_csco2022 (seed 0)",
                "agreement_texts": "the speed texts plus evaluation/datasets/ranking postings and resumes"}
    report.write_json(run_dir, "encode.json", {"settings": settings, "machine": info, "results": rows,
                                               "agreement": agreement_rows, "chosen": chosen})
    report.write_csv(run_dir, "encode.csv", rows)
    text = ("# Encoding benchmark\n\n" + report.machine_markdown(info) + "\n"
            + f"Speed: {len(queries)} single queries (cache off) and {len(documents)} documents at batch {BATCH_SIZE}, "
              "same thread count for every encoder; ratios against sentence-transformers fp32 in this run.\n\n"
            + report.markdown_table(rows, COLUMNS, digits=None) + "\n"
            + "Agreement with sentence-transformers fp32:\n\n"
            + report.markdown_table([{"encoder": k, **v} for k, v in agreement_rows.items()], AGREEMENT_COLUMNS,
                                    digits=None)
            + "\n" + summary(rows, agreement_rows))
    report.write_markdown(run_dir, "encode.md", text)
    return run_dir


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer speed texts (agreement is always measured in full)")
    parser.add_argument("--out", default=None, help="run folder (default reports/encode-<timestamp>/)")
    args = parser.parse_args(argv)
    run_dir = run(args.out, quick=args.quick)
    print()
    print((run_dir / "encode.md").read_text(encoding="utf-8"))
    print(f"Written to {run_dir}/ (encode.json, encode.csv, encode.md)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
