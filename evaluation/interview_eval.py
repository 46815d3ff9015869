"""Offline evaluation of the mock-interview scorer against hand-graded answers.

`python -m evaluation.interview_eval` loads the real model (m3e-small), scores every answer in
`evaluation/datasets/interview_answers.jsonl` through `matcher.interview.AnswerScorer` (the same
object the API uses) and prints ranking agreement with the grades and timings.
Targets: pairwise accuracy >= 0.9; every off-topic (grade 0) answer below every adequate (grade 2)
one; p50 time to score one answer under 200 ms.
"""
from __future__ import annotations

import argparse
import json
import time
from collections import defaultdict
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from matcher.interview import (
    AnswerScorer,
    Question,
    Requirement,
    build_session,
    make_question,
    requirements_from_role,
)
from models.encoder import Encoder
from models.registry import load_encoder

DATASET = Path(__file__).resolve().parent / "datasets" / "interview_answers.jsonl"


def load_items(path: Path = DATASET) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def pairwise_accuracy(scores: Sequence[float], grades: Sequence[int], groups: Sequence[str]) -> float:
    """Share of same-group pairs with different grades that the scores order like the grades.

    Range 0.0-1.0: 1.0 = every pair ordered correctly, 0.0 = every pair reversed; a tie in score
    counts 0.5. Returns nan when there is no comparable pair.
    """
    correct, total = 0.0, 0
    by_group: dict[str, list[int]] = defaultdict(list)
    for i, group in enumerate(groups):
        by_group[group].append(i)
    for members in by_group.values():
        for a in members:
            for b in members:
                if grades[a] > grades[b]:
                    total += 1
                    if scores[a] > scores[b]:
                        correct += 1.0
                    elif scores[a] == scores[b]:
                        correct += 0.5
    return correct / total if total else float("nan")


def all_below(low: Sequence[float], high: Sequence[float]) -> bool:
    """True when every value in `low` is strictly below every value in `high` (vacuously true)."""
    return not low or not high or max(low) < min(high)


def question_for_item(item: dict[str, Any], requirements: list[Requirement]) -> Question:
    """The dataset names the requirements a question tests by a fragment of their text."""
    targets = []
    for fragment in item["targets"]:
        matches = [r for r in requirements if fragment in r.text]
        if not matches:
            raise ValueError(f"{item['id']}: no requirement contains {fragment!r}")
        targets.append(matches[0])
    return make_question(item["question_id"], item["question"], item["question_kind"], targets, role_title=item["role"])


def evaluate(encoder: Encoder, items: list[dict[str, Any]], *, repeats: int = 3) -> dict[str, float]:
    scorer = AnswerScorer(encoder)
    scores, grades, groups, score_ms, flagged = [], [], [], [], []
    session_ms = []
    roles_done: set[str] = set()
    for item in items:
        requirements = requirements_from_role(title=item["role"], requirements_text=item["requirements_text"])
        if item["role_id"] not in roles_done:
            roles_done.add(item["role_id"])
            for _ in range(repeats):
                start = time.perf_counter()
                build_session(requirements=requirements, resume_text=item["resume"], role_title=item["role"],
                              encoder=encoder)
                session_ms.append((time.perf_counter() - start) * 1000)
        question = question_for_item(item, requirements)
        start = time.perf_counter()
        feedback = scorer.score(question, item["answer"], requirements=requirements, resume_text=item["resume"])
        score_ms.append((time.perf_counter() - start) * 1000)
        scores.append(feedback.score)
        flagged.append(not feedback.relevance["on_topic"])
        grades.append(item["grade"])
        groups.append(f"{item['role_id']}/{item['question_id']}")

    by_grade = {g: [s for s, gg in zip(scores, grades) if gg == g] for g in (0, 1, 2, 3)}
    per_question_ok = []
    for group in dict.fromkeys(groups):
        members = [i for i, g in enumerate(groups) if g == group]
        per_question_ok.append(all_below([scores[i] for i in members if grades[i] == 0],
                                         [scores[i] for i in members if grades[i] == 2]))
    metrics = {
        "answers": float(len(scores)),
        "questions": float(len(set(groups))),
        "pairwise_accuracy": pairwise_accuracy(scores, grades, groups),
        **{f"mean_score@grade{g}": float(np.mean(v)) if v else float("nan") for g, v in by_grade.items()},
        "gap_strong_minus_offtopic": float(np.mean(by_grade[3]) - np.mean(by_grade[0])),
        "offtopic_below_adequate_all": float(all_below(by_grade[0], by_grade[2])),
        "offtopic_below_adequate_within_question": float(all(per_question_ok)),
        "max_offtopic_score": float(max(by_grade[0])),
        "offtopic_flag_recall@grade0": float(np.mean([f for f, g in zip(flagged, grades) if g == 0])),
        "offtopic_flag_false_alarm@grade2-3": float(np.mean([f for f, g in zip(flagged, grades) if g >= 2])),
        "min_adequate_score": float(min(by_grade[2])),
        "build_session_ms_p50": float(np.percentile(session_ms, 50)),
        "build_session_ms_p95": float(np.percentile(session_ms, 95)),
        "score_answer_ms_p50": float(np.percentile(score_ms, 50)),
        "score_answer_ms_p95": float(np.percentile(score_ms, 95)),
    }
    return metrics


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--encoder", default="m3e-small", help="m3e-small (default) or hashing-<dim>")
    parser.add_argument("--dataset", type=Path, default=DATASET)
    parser.add_argument("--details", action="store_true", help="also print every answer's score")
    args = parser.parse_args(argv)
    encoder = load_encoder(args.encoder)
    items = load_items(args.dataset)
    if args.details:
        scorer = AnswerScorer(encoder)
        for item in items:
            reqs = requirements_from_role(title=item["role"], requirements_text=item["requirements_text"])
            fb = scorer.score(question_for_item(item, reqs), item["answer"], requirements=reqs, resume_text=item["resume"])
            parts = " ".join(f"{k[:3]}={v['points']:.0f}" for k, v in fb.breakdown.items())
            print(f"{item['id']:24s} grade={item['grade']} score={fb.score:3d} {parts} "
                  f"cos={fb.relevance['cosine']:.2f} lex={fb.relevance['lexical']:.2f}")
    metrics = evaluate(encoder, items)
    print(f"encoder: {encoder.name}; dataset: {args.dataset.name}")
    for name, value in metrics.items():
        print(f"{name:45s} {value:.3f}")


if __name__ == "__main__":
    main()
