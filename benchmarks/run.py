"""Runs the performance benchmarks (ANN, encoder, in-process matching, HTTP load) into one report folder."""
from __future__ import annotations

import contextlib
import io
import re
import shutil
import sys
import time
from pathlib import Path

from benchmarks import ann_bench, bench_matching, encode_bench, load_bench
from evaluation import report


class _Tee(io.TextIOBase):
    def __init__(self, *streams):
        self.streams = streams

    def write(self, text):
        for stream in self.streams:
            stream.write(text)
        return len(text)

    def flush(self):
        for stream in self.streams:
            stream.flush()


def run_bench(out_dir: Path | None = None, quick: bool = False) -> Path:
    """ANN, encoder, in-process matching and HTTP load benchmarks into one report folder.

    Quick: ANN at 10k, 100 texts, matching at 1k/3k postings, load at 5k postings (CI-sized);
    full: ANN at 10k/100k/1M, matching at 10k/100k, load at 100k (long: hours of CPU on 2 cores).
    """
    run_dir = report.make_run_dir("bench", out_dir)
    print(f"benchmark run -> {run_dir}", flush=True)
    sections = []
    started = time.perf_counter()

    print("\n== ANN (FAISS) ==", flush=True)
    if quick:
        ann_dir = ann_bench.run([10_000], str(run_dir / "ann"), n_queries=200, n_latency=200)
    else:
        ann_dir = ann_bench.run([10_000, 100_000, 1_000_000], str(run_dir / "ann"), n_queries=1000, n_latency=1000)
    shutil.copy(ann_dir / "ann_recall_latency.png", run_dir / "ann_recall_latency.png")
    sections.append((ann_dir / "ann.md").read_text(encoding="utf-8"))

    print("\n== Encoder ==", flush=True)
    encode_dir = encode_bench.run(str(run_dir / "encode"), quick=quick)
    sections.append((encode_dir / "encode.md").read_text(encoding="utf-8"))

    print("\n== In-process matching (benchmarks.bench_matching) ==", flush=True)
    captured = io.StringIO()
    with contextlib.redirect_stdout(_Tee(sys.stdout, captured)):
        bench_matching.main(["--quick"] if quick else [])
    (run_dir / "bench_matching.txt").write_text(captured.getvalue(), encoding="utf-8")
    sections.append("# In-process matching\n\n```\n" + captured.getvalue().strip() + "\n```\n")

    print("\n== HTTP load (benchmarks.load_bench) ==", flush=True)
    load_dir = load_bench.run(run_dir / "load", n_postings=5_000 if quick else 100_000,
                              requests=300 if quick else 3000)
    sections.append((load_dir / "load.md").read_text(encoding="utf-8"))

    info = report.machine_info()
    text = ("# Benchmarks\n\n" + f"Mode: {'quick' if quick else 'full'}; total {time.perf_counter() - started:.0f}s.\n\n"
            + report.machine_markdown(info) + "\n" + "\n\n".join(re.sub(r"(?m)^#", "##", s) for s in sections))
    report.write_markdown(run_dir, "summary.md", text)
    report.write_json(run_dir, "bench.json", {"machine": info, "quick": quick,
                                              "parts": {"ann": str(ann_dir), "encode": str(encode_dir),
                                                        "load": str(load_dir)}})
    print(f"\nWritten to {run_dir}/ (summary.md, ann/, encode/, bench_matching.txt, load/)")
    return run_dir
