"""Offline evaluation of the mock-interview scorer against hand-graded answers, traps included.

`python -m evaluation.interview_eval [--encoder m3e-small-onnx-int8]` scores, through
`matcher.interview.AnswerScorer` (the object the API uses), two splits:

- `dev` (tuned on): `datasets/interview_answers.jsonl` (96 answers, 4 per question graded 0 off-topic,
  1 weak but on topic, 2 adequate, 3 strong; 12 roles x 2 questions) and `datasets/interview_traps.jsonl`
  (60 traps: negated, keyword-stuffed, hedged, claim-only, English; grade 1). The six roles once called
  `heldout` were seen in the first session's held-out run and are dev now.
  `datasets/interview_fresh_answers.jsonl` (80 answers) and `datasets/interview_fresh_traps.jsonl` (60 traps),
  the second session's `fresh` split: its ten roles were seen in that session's run and are dev now.
  `datasets/interview_fresh2_answers.jsonl` (80 answers) and `datasets/interview_fresh2_traps.jsonl` (60 traps),
  the third session's `fresh2` split: seen in that session's run, dev from the fourth session on
  (`--split fresh2` scores only these rows, still as part of dev).
- `fresh3` (never tuned on, never opened while tuning): `datasets/interview_fresh3_answers.jsonl` and
  `datasets/interview_fresh3_traps.jsonl`, written by someone who cannot see the scorer; scored only when
  both files exist (otherwise the command says so and stops).

Per split it prints pairwise accuracy within each question (95% bootstrap interval over questions); per
trap kind how often the trap scores below its question's adequate answer and under half its strong
answer; how often the weak answer scores above the off-topic one. The same for baselines from the same
run: answer length, cosine between answer and question, and (`--baseline-rev`, default the scorer before
this evaluation's fourth session) the previous scorer, run from that git revision in a subprocess.
Targets on fresh3: every trap kind below adequate >= 95% and under half the strong answer; pairwise
>= 0.95. Timings live in `benchmarks/interview_bench.py`.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from matcher.interview import AnswerScorer, Question, Requirement, make_question, requirements_from_role
from models.encoder import Encoder
from models.registry import load_encoder

DATASETS = Path(__file__).resolve().parent / "datasets"
DATASET = DATASETS / "interview_answers.jsonl"
TRAPS = DATASETS / "interview_traps.jsonl"
FRESH = DATASETS / "interview_fresh_answers.jsonl"
FRESH_TRAPS = DATASETS / "interview_fresh_traps.jsonl"
FRESH2 = DATASETS / "interview_fresh2_answers.jsonl"
FRESH2_TRAPS = DATASETS / "interview_fresh2_traps.jsonl"
FRESH3 = DATASETS / "interview_fresh3_answers.jsonl"
FRESH3_TRAPS = DATASETS / "interview_fresh3_traps.jsonl"
# The scorer as it stood before this (fourth) session: the third session's final state. Earlier sessions
# ended at feaf0dd (second) and 4e2720d (first).
PREVIOUS_REV = "3a61a5f"
TRAP_KINDS = ("negated", "stuffed", "hedged", "claim", "english")


def load_items(path: Path = DATASET, traps: Path | None = TRAPS, *, split: str = "dev") -> list[dict[str, Any]]:
    """Graded answers, then the traps joined with the question they answer; each tagged `split`
    (the split a row was first written for is kept as `origin`)."""
    with open(path, encoding="utf-8") as handle:
        items = [json.loads(line) for line in handle if line.strip()]
    trap_rows = []
    if traps is not None and traps.exists():
        with open(traps, encoding="utf-8") as handle:
            trap_rows = [json.loads(line) for line in handle if line.strip()]
    origin = {t["role_id"]: t.get("split", split) for t in trap_rows}
    for row in (*items, *trap_rows):
        row["origin"] = row.get("split") or origin.get(row["role_id"], split)
        row["split"] = split
    base = {(i["role_id"], i["question_id"]): i for i in items}
    for trap in trap_rows:
        question = base[(trap["role_id"], trap["question_id"])]
        items.append({**{k: question[k] for k in ("role", "requirements_text", "resume", "question_kind",
                                                    "question", "targets")}, **trap})
    return items


def fresh3_available() -> bool:
    return FRESH3.exists() and FRESH3_TRAPS.exists()


def load_all(*, fresh3: bool = True) -> list[dict[str, Any]]:
    """Every split: `dev` (the first session's twelve roles, the ten `fresh` and the ten `fresh2` roles, all
    seen in an earlier run; `origin` tells them apart) and, when its files exist and `fresh3` is set,
    `fresh3` (never tuned on)."""
    rows = (load_items(DATASET, TRAPS, split="dev") + _tagged(load_items(FRESH, FRESH_TRAPS, split="dev"), "fresh")
            + _tagged(load_items(FRESH2, FRESH2_TRAPS, split="dev"), "fresh2"))
    if fresh3 and fresh3_available():
        rows += _tagged(load_items(FRESH3, FRESH3_TRAPS, split="fresh3"), "fresh3")
    return rows


def _tagged(rows: list[dict[str, Any]], origin: str) -> list[dict[str, Any]]:
    for row in rows:
        row["origin"] = origin
    return rows


def pairwise_accuracy(scores: Sequence[float], grades: Sequence[int], groups: Sequence[str]) -> float:
    """Share of same-group pairs with different grades that the scores order like the grades.

    Range 0.0-1.0: 1.0 = every pair ordered correctly, 0.0 = every pair reversed; a tie in score
    counts 0.5. Returns nan when there is no comparable pair.
    """
    correct, total = _pair_counts(scores, grades, groups)
    return correct / total if total else float("nan")


def _pair_counts(scores, grades, groups) -> tuple[float, int]:
    correct, total = 0.0, 0
    by_group: dict[str, list[int]] = defaultdict(list)
    for i, group in enumerate(groups):
        by_group[group].append(i)
    for members in by_group.values():
        for a in members:
            for b in members:
                if grades[a] > grades[b]:
                    total += 1
                    correct += 1.0 if scores[a] > scores[b] else (0.5 if scores[a] == scores[b] else 0.0)
    return correct, total


def bootstrap_pairwise(scores, grades, groups, *, rounds: int = 1000, seed: int = 0) -> tuple[float, float]:
    """95% interval of pairwise accuracy, resampling questions (groups) with replacement."""
    names = sorted(set(groups))
    per = {g: _pair_counts([scores[i] for i in range(len(groups)) if groups[i] == g],
                           [grades[i] for i in range(len(groups)) if groups[i] == g],
                           [g] * sum(1 for x in groups if x == g)) for g in names}
    rng = np.random.default_rng(seed)
    values = []
    for _ in range(rounds):
        pick = rng.integers(0, len(names), len(names))
        c = sum(per[names[k]][0] for k in pick)
        t = sum(per[names[k]][1] for k in pick)
        values.append(c / t if t else np.nan)
    return float(np.nanpercentile(values, 2.5)), float(np.nanpercentile(values, 97.5))


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


def score_items(encoder: Encoder, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each item with `score`, `on_topic`, `language` and the answer/question cosine (a baseline)."""
    scorer = AnswerScorer(encoder)
    out = []
    for item in items:
        requirements = requirements_from_role(title=item["role"], requirements_text=item["requirements_text"])
        question = question_for_item(item, requirements)
        feedback = scorer.score(question, item["answer"], requirements=requirements, resume_text=item["resume"])
        vectors = encoder.encode_documents([item["question"], item["answer"]])
        out.append({**item, "score": feedback.score, "on_topic": feedback.relevance["on_topic"],
                    "language": feedback.relevance.get("language", "zh"),
                    "cosine": float(vectors[0] @ vectors[1]), "feedback": feedback})
    return out


_PREVIOUS_RUNNER = """
import json, sys
sys.path[:0] = [sys.argv[1], sys.argv[2]]
from matcher.interview import AnswerScorer, requirements_from_role
from evaluation.interview_eval import question_for_item
from models.registry import load_encoder
scorer = AnswerScorer(load_encoder(sys.argv[3]))
scores = []
for item in json.load(sys.stdin):
    requirements = requirements_from_role(title=item["role"], requirements_text=item["requirements_text"])
    feedback = scorer.score(question_for_item(item, requirements), item["answer"], requirements=requirements,
                            resume_text=item["resume"])
    scores.append(feedback.score)
json.dump(scores, sys.stdout)
"""


def previous_scores(items: list[dict[str, Any]], rev: str, encoder_name: str) -> list[float] | None:
    """Scores of the same items by `matcher/` as it was at git revision `rev` (run in a subprocess
    with that copy first on the path); None, with a note, when the revision cannot be read."""
    root = Path(__file__).resolve().parent.parent
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(["git", "-C", str(root), "archive", rev, "matcher"], capture_output=True)
        if archive.returncode != 0:
            print(f"(previous scorer {rev} not available: {archive.stderr.decode().strip()[:200]})")
            return None
        subprocess.run(["tar", "-x", "-C", tmp], input=archive.stdout, check=True)
        keys = ("role", "requirements_text", "resume", "question_kind", "question", "targets", "answer",
                "question_id", "id")
        payload = json.dumps([{k: i[k] for k in keys} for i in items], ensure_ascii=False)
        done = subprocess.run([sys.executable, "-c", _PREVIOUS_RUNNER, tmp, str(root), encoder_name],
                              input=payload.encode(), capture_output=True, cwd=tmp)
        if done.returncode != 0:
            print(f"(previous scorer {rev} failed: {done.stderr.decode().strip()[-300:]})")
            return None
        return [float(x) for x in json.loads(done.stdout)]


def trap_metrics(rows: list[dict[str, Any]], key: str, *, ratio_scale: bool) -> dict[str, float]:
    """Per trap kind: share below the adequate answer of its question, under half the strong one (only
    for a 0-100 score), above the off-topic one; and weak above off-topic over the graded answers."""
    out: dict[str, float] = {}
    by_group: dict[tuple, dict[int, float]] = defaultdict(dict)
    for r in rows:
        if "trap" not in r:
            by_group[(r["role_id"], r["question_id"])][r["grade"]] = r[key]
    weak_over_off = [g[1] > g[0] for g in by_group.values() if 0 in g and 1 in g]
    out["weak above off-topic (share of questions)"] = float(np.mean(weak_over_off)) if weak_over_off else float("nan")
    for kind in TRAP_KINDS:
        traps = [r for r in rows if r.get("trap") == kind]
        if not traps:
            continue
        group = [by_group[(r["role_id"], r["question_id"])] for r in traps]
        out[f"{kind} (n={len(traps)}): below adequate"] = float(np.mean([r[key] < g[2] for r, g in zip(traps, group)]))
        out[f"{kind}: under half of strong"] = (
            float(np.mean([r[key] < 0.5 * g[3] for r, g in zip(traps, group)])) if ratio_scale else float("nan"))
        out[f"{kind}: above off-topic"] = float(np.mean([r[key] > g[0] for r, g in zip(traps, group)]))
    return out


def metrics_for(rows: list[dict[str, Any]], methods: dict[str, tuple[str, bool]] | None = None) -> dict[str, dict[str, float]]:
    """{metric: {method: value}} for the methods {name: (row key, score on a 0-100 ratio scale)}."""
    methods = methods or {"scorer": ("score", True), "cosine": ("cosine", False), "length": ("length", False)}
    groups = [f"{r['role_id']}/{r['question_id']}" for r in rows]
    grades = [r["grade"] for r in rows]
    out: dict[str, dict[str, float]] = defaultdict(dict)
    for name, (key, ratio) in methods.items():
        scores = [r[key] for r in rows]
        lo, hi = bootstrap_pairwise(scores, grades, groups)
        out["pairwise accuracy"][name] = pairwise_accuracy(scores, grades, groups)
        out["  95% CI low"][name], out["  95% CI high"][name] = lo, hi
        for metric, value in trap_metrics(rows, key, ratio_scale=ratio).items():
            out[metric][name] = value
    originals = [r for r in rows if "trap" not in r]
    for name, (key, ratio) in methods.items():
        if ratio:
            for g in (0, 1, 2, 3):
                values = [r[key] for r in originals if r["grade"] == g]
                out[f"mean score, grade {g}"][name] = float(np.mean(values)) if values else float("nan")
            for kind in TRAP_KINDS:
                values = [r[key] for r in rows if r.get("trap") == kind]
                if values:
                    out[f"mean score, trap {kind}"][name] = float(np.mean(values))
    return dict(out)


def format_table(split: str, rows: list[dict[str, Any]], metrics: dict[str, dict[str, float]],
                 names: Sequence[str]) -> str:
    questions = len({(r["role_id"], r["question_id"]) for r in rows})
    lines = [f"\n== split: {split} ({len({r['role_id'] for r in rows})} roles, {questions} questions, "
             f"{sum('trap' not in r for r in rows)} graded answers + {sum('trap' in r for r in rows)} traps)",
             f"{'':46s}" + "".join(f"{n:>10s}" for n in names)]
    for metric, values in metrics.items():
        spec = ".1f" if metric.startswith("mean score") else ".3f"
        cells = "".join(f"{'-' if np.isnan(values.get(n, np.nan)) else format(values[n], spec):>10s}" for n in names)
        lines.append(f"{metric:46s}{cells}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--encoder", default="m3e-small",
                        help="m3e-small (torch, default), m3e-small-onnx-int8 (the product default), "
                             "m3e-small-onnx, or hashing-<dim> (smoke only)")
    parser.add_argument("--split", choices=("dev", "fresh2", "fresh3", "all"), default="dev",
                        help="which split to score: dev (tune on it; fresh2 is part of it, `fresh2` scores "
                             "only those rows), fresh3 (held out: run once, never tune), or all")
    parser.add_argument("--baseline-rev", default=PREVIOUS_REV,
                        help="git revision whose matcher/ is run as the 'previous' baseline; '' to skip")
    parser.add_argument("--details", action="store_true", help="also print every answer's score")
    args = parser.parse_args(argv)
    if args.split in ("fresh3", "all") and not fresh3_available():
        missing = [p.name for p in (FRESH3, FRESH3_TRAPS) if not p.exists()]
        print(f"split fresh3: {', '.join(missing)} not found in {DATASETS}; nothing to score for fresh3.")
        if args.split == "fresh3":
            return
    encoder = load_encoder(args.encoder)
    items = load_all(fresh3=args.split in ("fresh3", "all"))
    if args.split == "fresh2":
        items = [i for i in items if i["origin"] == "fresh2"]
    elif args.split != "all":
        items = [i for i in items if i["split"] == args.split]
    rows = score_items(encoder, items)
    for r in rows:
        r["length"] = float(len(r["answer"]))
    methods = {"scorer": ("score", True)}
    previous = previous_scores(items, args.baseline_rev, args.encoder) if args.baseline_rev else None
    if previous is not None:
        for r, value in zip(rows, previous):
            r["previous"] = value
        methods["previous"] = ("previous", True)
    methods.update({"cosine": ("cosine", False), "length": ("length", False)})
    if args.details:
        for r in rows:
            fb = r["feedback"]
            parts = " ".join(f"{k[:3]}={v['points']:.0f}" for k, v in fb.breakdown.items())
            before = f" prev={r['previous']:3.0f}" if "previous" in r else ""
            print(f"{r['split']:5s} {r['id']:30s} g={r['grade']} score={r['score']:3d}{before} {parts} "
                  f"cos={fb.relevance['cosine'] or 0:.2f} lex={fb.relevance['lexical'] or 0:.2f} {fb.suggestions[:1]}")
    print(f"encoder: {encoder.name}; previous = matcher/ at {args.baseline_rev or '(skipped)'}; "
          f"cosine = answer vs question; length = characters")
    for split in ("dev", "fresh3"):
        part = [r for r in rows if r["split"] == split]
        if part:
            label = "dev (fresh2 rows only)" if split == "dev" and args.split == "fresh2" else split
            print(format_table(label, part, metrics_for(part, methods), list(methods)))


if __name__ == "__main__":
    main()
