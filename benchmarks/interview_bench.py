"""Mock-interview speed: building a session and scoring one answer, with the real model.

    python -m benchmarks.interview_bench [--encoder m3e-small-onnx-int8] [--threads 1] [--repeats 3]

The encoder defaults to the product's (`m3e-small-onnx-int8`, one ONNX thread unless
JOBCIRCLE_ONNX_THREADS says otherwise); `--threads` sets torch's threads for `m3e-small`.
For each of the 32 roles of the interview evaluation's dev split it builds a session the
way `InterviewService.start` does (requirements from the posting text, `build_session` on a fresh
scorer, so nothing of the role is cached yet), then scores every graded and trap answer of that
role in that session (the role's requirement and resume vectors are then cached: one encoder call
per answer, the question's own vector riding along on its first answer). Each role is repeated
`--repeats` times on a fresh scorer. Prints p50/p95 of both in milliseconds, and the number of
encoder calls per answer. CPU time (process time) is printed too: on a shared machine wall time
measures the neighbours; with one thread the CPU time is the wall time an idle core would take,
an upper bound for two. The load average is printed before and after. Targets (issue 15): score p50
<= 100 ms, session p50 <= 300 ms, on 2 cores.
"""
from __future__ import annotations

import argparse
import os
import time
from collections import defaultdict
from typing import Sequence

import numpy as np

from evaluation.interview_eval import load_all, question_for_item
from matcher.interview import AnswerScorer, build_session, requirements_from_role
from models.registry import load_encoder


class CountingEncoder:
    """Wraps an encoder and counts its calls (a benchmark aid, not used by the product)."""

    def __init__(self, inner):
        self.inner, self.calls = inner, 0
        self.name, self.dim = inner.name, inner.dim

    def encode_documents(self, texts, *, show_progress=False):
        self.calls += 1
        return self.inner.encode_documents(texts, show_progress=show_progress)

    def encode_queries(self, texts):
        self.calls += 1
        return self.inner.encode_documents(texts)


def run(encoder_name: str = "m3e-small-onnx-int8", *, repeats: int = 3) -> dict[str, float]:
    encoder = CountingEncoder(load_encoder(encoder_name))
    items = load_all(fresh3=False)  # the held-out split is scored once, by the evaluation only
    by_role: dict[str, list[dict]] = defaultdict(list)
    for item in items:
        by_role[item["role_id"]].append(item)
    encoder.encode_documents(["预热"])  # first call loads kernels; not part of any figure
    session_ms, score_ms, calls, session_cpu, score_cpu = [], [], [], [], []
    for _ in range(repeats):
        for role_items in by_role.values():
            first = role_items[0]
            scorer = AnswerScorer(encoder)
            start, cpu = time.perf_counter(), time.process_time()
            requirements = requirements_from_role(title=first["role"], requirements_text=first["requirements_text"])
            build_session(requirements=requirements, resume_text=first["resume"], role_title=first["role"],
                          encoder=encoder, cache=scorer.cache)
            session_ms.append((time.perf_counter() - start) * 1000)
            session_cpu.append((time.process_time() - cpu) * 1000)
            for item in role_items:
                question = question_for_item(item, requirements)
                before = encoder.calls
                start, cpu = time.perf_counter(), time.process_time()
                scorer.score(question, item["answer"], requirements=requirements, resume_text=item["resume"])
                score_ms.append((time.perf_counter() - start) * 1000)
                score_cpu.append((time.process_time() - cpu) * 1000)
                calls.append(encoder.calls - before)
    return {
        "sessions": float(len(session_ms)), "answers": float(len(score_ms)),
        "build_session_ms_p50": float(np.percentile(session_ms, 50)),
        "build_session_ms_p95": float(np.percentile(session_ms, 95)),
        "score_answer_ms_p50": float(np.percentile(score_ms, 50)),
        "score_answer_ms_p95": float(np.percentile(score_ms, 95)),
        "build_session_cpu_ms_p50": float(np.percentile(session_cpu, 50)),
        "score_answer_cpu_ms_p50": float(np.percentile(score_cpu, 50)),
        "score_answer_cpu_ms_p95": float(np.percentile(score_cpu, 95)),
        "encoder_calls_per_answer_mean": float(np.mean(calls)),
        "encoder_calls_per_answer_max": float(np.max(calls)),
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--encoder", default="m3e-small-onnx-int8", help="the product default; or m3e-small (torch)")
    parser.add_argument("--threads", type=int, default=1, help="torch intra-op threads for m3e-small")
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args(argv)
    try:
        import torch

        torch.set_num_threads(args.threads)
    except ImportError:  # the hashing encoder needs no torch
        pass
    load_before = os.getloadavg()
    figures = run(args.encoder, repeats=args.repeats)
    load_after = os.getloadavg()
    print(f"encoder: {args.encoder}; torch threads: {args.threads}; cores: {os.cpu_count()}; "
          f"load average (1/5/15 min) before {' '.join(f'{x:.1f}' for x in load_before)}, "
          f"after {' '.join(f'{x:.1f}' for x in load_after)}")
    for name, value in figures.items():
        print(f"{name:40s} {value:.1f}")


if __name__ == "__main__":
    main()
