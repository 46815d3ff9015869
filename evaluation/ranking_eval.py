"""Ranking benchmark: the matcher against text baselines on graded, hard-on-purpose data, in one run.

    python -m evaluation.ranking_eval [--split dev|test|all] [--real-model] [--out DIR] [--boot N]

Data: `evaluation/datasets/ranking` (158 hand-written postings, 69 resumes, grades 0-3 written
before any method ran, a fixed dev/test split; see its README). Methods, all ranking the same pool
for the same resume texts:

- tfidf: cosine over character 1-3-gram TF-IDF (`evaluation.baselines.TfidfCharRanker`);
- bm25: Okapi BM25 over jieba words (`evaluation.baselines.BM25Ranker`);
- dense: cosine of the encoder's query vector of the resume and document vectors of the postings;
- matcher: the product itself, through `start_matcher` (the one adapter to the product's public API).

A baseline abstains ("nothing suitable") when its best score is below a threshold tuned on the dev
split only (maximising the mean answer quality below); the matcher abstains when its response has
no results (or it rejects the input as invalid). What the user sees is what is scored: an abstention
on a resume that has suitable postings scores 0 on every ranking metric.

Metrics per resume (resumes with at least one posting of grade >= 2): nDCG@5 over grades 0-3,
hit@1 (the first result has grade >= 2), MRR (1/rank of the first grade >= 2 result within 10).
Abstention precision / recall: positives are the resumes for which nothing is suitable (no posting
of grade >= 2). Every figure has a 95% percentile bootstrap interval over resumes, and the paired
bootstrap interval of (matcher - best baseline) nDCG@5 per subset (all / hard / easy).

Without `--real-model` the encoder is the hashing test encoder and occupation coding is off: a smoke
run whose figures mean nothing. Quality claims need `--real-model` (m3e-small, occupation coding on).
"""
from __future__ import annotations

import argparse
import math
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

from evaluation import report
from evaluation.baselines import BM25Ranker, TfidfCharRanker
from evaluation.datasets.ranking.build import Benchmark, load
from evaluation.metrics import ndcg_at_k, reciprocal_rank

K = 10
SUITABLE = 2  # a result of this grade or more is a suitable job
SUBSETS = ("all", "hard", "easy")
BASELINES = ("tfidf", "bm25", "dense")
METHODS = BASELINES + ("matcher",)
DEFAULT_COORDER_CACHE = Path("reports") / ".cache" / "occupation"


@dataclass
class Answer:
    """One method's answer to one resume: posting ids best first (empty when it abstained)."""

    ranked: list[str]
    abstained: bool
    message: str | None = None
    scores: list[float] = field(default_factory=list)


# --------------------------------------------------------------------------------------------
# The one adapter to the product. Only this function knows the product's API.


def start_matcher(postings: Sequence[dict], encoder, data_dir: Path, *, occupation_coding: bool,
                  coder_cache: Path | None = None) -> tuple[Callable[[str, int], Answer], Callable[[], None]]:
    """Start a `JobCircle` on a fresh database in `data_dir`, ingest the postings through
    `upsert_postings`, and return `(ask, stop)`: `ask(resume_text, k)` calls `match_text` and maps
    the response to an `Answer` (abstained when `results` is empty or the input is rejected)."""
    from matcher.errors import InvalidInput
    from matcher.inputs import PostingInput
    from matcher.service import JobCircle
    from matcher.settings import Settings

    settings = Settings(data_dir=data_dir, occupation_coding=occupation_coding, refresh_interval_s=3600)
    coder = None
    if occupation_coding:
        from matcher.occupations.coder import OccupationCoder

        coder = OccupationCoder(encoder).fit(cache_dir=coder_cache)
    service = JobCircle(settings, encoder, coder=coder).start()
    ids = service.upsert_postings([PostingInput.model_validate(p["posting"]) for p in postings])
    key = {db_id: p["id"] for db_id, p in zip(ids, postings)}

    def ask(resume_text: str, k: int) -> Answer:
        try:
            response = service.match_text(resume_text, k=k)
        except InvalidInput as exc:
            return Answer([], True, str(exc))
        results = response.get("results", []) if isinstance(response, dict) else response
        message = response.get("message") if isinstance(response, dict) else None
        return Answer([key[r["posting_id"]] for r in results], not results, message,
                      [float(r.get("score", math.nan)) for r in results])

    return ask, service.stop


# --------------------------------------------------------------------------------------------
# Baselines: full score vectors, so a threshold can decide abstention


def posting_text(posting: dict) -> str:
    p = posting["posting"]
    return "\n".join(part for part in (p["title"], p["description"], p["requirements"]) if part)


class ScoredBaseline:
    """A text ranker or the dense cosine, returning every posting's score for a resume text."""

    def __init__(self, name: str, postings: Sequence[dict], encoder=None):
        self.name = name
        self.ids = [p["id"] for p in postings]
        texts = [posting_text(p) for p in postings]
        self.encoder = encoder
        if name == "dense":
            self.doc_vectors = np.asarray(encoder.encode_documents(texts), dtype=np.float32)
        else:
            self.ranker = (TfidfCharRanker() if name == "tfidf" else BM25Ranker()).fit(self.ids, texts)

    def scores(self, text: str) -> np.ndarray:
        if self.name == "dense":
            return self.doc_vectors @ np.asarray(self.encoder.encode_queries([text])[0], dtype=np.float32)
        return np.asarray(self.ranker._scores(text), dtype=float)  # the fitted ranker's own scoring

    def answer(self, text: str, k: int, threshold: float) -> Answer:
        scores = self.scores(text)
        order = np.argsort(-scores, kind="stable")[:k]
        if not len(order) or scores[order[0]] < threshold:
            return Answer([], True, None, [])
        return Answer([self.ids[i] for i in order], False, None, [float(scores[i]) for i in order])


# --------------------------------------------------------------------------------------------
# Per-resume metrics, tuning, bootstrap


def resume_metrics(answer: Answer, grades: dict[str, int], nothing_suitable: bool) -> dict[str, float]:
    """nDCG@5, hit@1, MRR (nan when nothing is suitable) and whether the answer abstained."""
    out = {"abstained": float(answer.abstained), "nothing_suitable": float(nothing_suitable)}
    if nothing_suitable:
        return out | {"ndcg@5": math.nan, "hit@1": math.nan, "mrr": math.nan}
    suitable = {pid for pid, g in grades.items() if g >= SUITABLE}
    ranked = answer.ranked
    return out | {
        "ndcg@5": ndcg_at_k(ranked, grades, 5),
        "hit@1": float(bool(ranked) and ranked[0] in suitable),
        "mrr": reciprocal_rank(ranked, suitable, K),
    }


def utility(rows: Sequence[dict[str, float]]) -> float:
    """Mean answer quality: nDCG@5 where something is suitable, 1 for a correct abstention, else 0."""
    values = [r["abstained"] if r["nothing_suitable"] else r["ndcg@5"] for r in rows]
    return float(np.mean(values)) if values else math.nan


def tune_threshold(baseline: ScoredBaseline, resumes: Sequence[dict], grades: dict[str, dict[str, int]]) -> float:
    """The abstention threshold with the best `utility` on `resumes` (call with dev only);
    candidates are midpoints between consecutive best scores, ties go to the lowest threshold."""
    answers = {r["id"]: baseline.answer(r["text"], K, -math.inf) for r in resumes}
    tops = sorted({a.scores[0] for a in answers.values() if a.scores})
    candidates = [-math.inf] + [(a + b) / 2 for a, b in zip(tops, tops[1:])] + ([tops[-1] + 1.0] if tops else [])
    best, best_value = -math.inf, -math.inf
    for threshold in candidates:
        rows = []
        for r in resumes:
            a = answers[r["id"]]
            abstain = not a.scores or a.scores[0] < threshold
            rows.append(resume_metrics(Answer([] if abstain else a.ranked, abstain), grades[r["id"]], r["nothing_suitable"]))
        value = utility(rows)
        if value > best_value + 1e-12:
            best, best_value = threshold, value
    return best


def abstention_pr(abstained: np.ndarray, positive: np.ndarray) -> tuple[float, float]:
    """Precision and recall of abstaining, positives being resumes where nothing is suitable (nan if undefined)."""
    tp = float(np.sum(abstained & positive))
    precision = tp / abstained.sum() if abstained.sum() else math.nan
    recall = tp / positive.sum() if positive.sum() else math.nan
    return precision, recall


def bootstrap_ci(values: np.ndarray, n_boot: int, rng: np.random.Generator,
                 stat: Callable[[np.ndarray], float] = np.mean) -> tuple[float, float]:
    """95% percentile interval of `stat` over rows resampled with replacement (nan-valued draws skipped)."""
    if len(values) == 0:
        return math.nan, math.nan
    draws = np.array([stat(values[rng.integers(0, len(values), len(values))]) for _ in range(n_boot)], dtype=float)
    draws = draws[~np.isnan(draws)]
    if not len(draws):
        return math.nan, math.nan
    return float(np.percentile(draws, 2.5)), float(np.percentile(draws, 97.5))


def summarise(per_resume: dict[str, dict[str, dict[str, float]]], resumes: Sequence[dict], n_boot: int,
              seed: int = 0) -> dict[str, Any]:
    """Table rows (method x subset with intervals) and the paired matcher-vs-best-baseline intervals."""
    rng = np.random.default_rng(seed)
    methods = [m for m in METHODS if m in per_resume]
    rows, paired = [], {}
    for subset in SUBSETS:
        members = [r for r in resumes if subset == "all" or r["stratum"] == subset]
        ranked_ids = [r["id"] for r in members if not r["nothing_suitable"]]
        means = {}
        for method in methods:
            row: dict[str, Any] = {"subset": subset, "method": method, "n": len(ranked_ids)}
            for metric in ("ndcg@5", "hit@1", "mrr"):
                values = np.array([per_resume[method][i][metric] for i in ranked_ids], dtype=float)
                row[metric] = float(values.mean()) if len(values) else math.nan
                row[f"{metric}_ci"] = bootstrap_ci(values, n_boot, rng)
            means[method] = row["ndcg@5"]
            abst = np.array([per_resume[method][r["id"]]["abstained"] > 0 for r in members], dtype=bool)
            pos = np.array([bool(r["nothing_suitable"]) for r in members], dtype=bool)
            row["abstain_p"], row["abstain_r"] = abstention_pr(abst, pos)
            both = np.stack([abst, pos], axis=1)
            row["abstain_p_ci"] = bootstrap_ci(both, n_boot, rng, lambda b: abstention_pr(b[:, 0], b[:, 1])[0])
            row["abstain_r_ci"] = bootstrap_ci(both, n_boot, rng, lambda b: abstention_pr(b[:, 0], b[:, 1])[1])
            row["false_abstentions"] = int(sum(per_resume[method][i]["abstained"] > 0 for i in ranked_ids))
            rows.append(row)
        if "matcher" in methods and ranked_ids:
            best = max((m for m in methods if m != "matcher"), key=lambda m: means[m])
            diff = np.array([per_resume["matcher"][i]["ndcg@5"] - per_resume[best][i]["ndcg@5"] for i in ranked_ids])
            paired[subset] = {"best_baseline": best, "mean_diff": float(diff.mean()),
                              "ci": bootstrap_ci(diff, n_boot, rng), "n": len(ranked_ids)}
    return {"rows": rows, "paired": paired}


# --------------------------------------------------------------------------------------------
# One run


def run(bench: Benchmark, split: str, encoder, work_dir: Path, *, occupation_coding: bool = False,
        coder_cache: Path | None = None, n_boot: int = 2000, log: Callable[[str], None] = print) -> dict[str, Any]:
    """Every method on the resumes of `split`; baseline thresholds tuned on dev. Returns the results dict."""
    resumes = bench.resumes_in(split)
    dev = bench.resumes_in("dev")
    answers: dict[str, dict[str, Answer]] = {}
    thresholds: dict[str, float] = {}
    timings: dict[str, float] = {}
    for name in BASELINES:
        started = time.perf_counter()
        baseline = ScoredBaseline(name, bench.postings, encoder)
        thresholds[name] = tune_threshold(baseline, dev, bench.grades)
        answers[name] = {r["id"]: baseline.answer(r["text"], K, thresholds[name]) for r in resumes}
        timings[name] = time.perf_counter() - started
        log(f"  {name:<8} threshold {thresholds[name]:.4g} (tuned on dev)  {timings[name]:.1f}s")
    started = time.perf_counter()
    ask, stop = start_matcher(bench.postings, encoder, work_dir, occupation_coding=occupation_coding,
                              coder_cache=coder_cache)
    try:
        answers["matcher"] = {r["id"]: ask(r["text"], K) for r in resumes}
    finally:
        stop()
    timings["matcher"] = time.perf_counter() - started
    log(f"  matcher  {timings['matcher']:.1f}s (ingest and {len(resumes)} queries)")
    per_resume = {m: {r["id"]: resume_metrics(answers[m][r["id"]], bench.grades[r["id"]], r["nothing_suitable"])
                      for r in resumes} for m in answers}
    summary = summarise(per_resume, resumes, n_boot)
    return {"split": split, "n_resumes": len(resumes), "n_postings": len(bench.postings), "k": K,
            "thresholds": thresholds, "timings_s": timings, **summary, "per_resume": per_resume,
            "answers": {m: {rid: {"ranked": a.ranked, "scores": a.scores, "abstained": a.abstained,
                                  "message": a.message} for rid, a in by.items()} for m, by in answers.items()},
            "by_tag": by_tag(per_resume, resumes)}


def by_tag(per_resume: dict, resumes: Sequence[dict]) -> dict[str, dict[str, dict[str, float]]]:
    """Per hard-case tag: mean nDCG@5 (suitable resumes) or abstention rate (nothing suitable) per method."""
    tags = sorted({t for r in resumes for t in r["tags"]})
    out: dict[str, dict[str, dict[str, float]]] = {}
    for tag in tags:
        members = [r for r in resumes if tag in r["tags"]]
        out[tag] = {"n": len(members)}
        for method, rows in per_resume.items():
            if all(r["nothing_suitable"] for r in members):
                out[tag][method] = float(np.mean([rows[r["id"]]["abstained"] for r in members]))
            else:
                out[tag][method] = float(np.nanmean([rows[r["id"]]["ndcg@5"] for r in members]))
    return out


# --------------------------------------------------------------------------------------------
# Output


def _ci(value: float, ci: Sequence[float]) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:.3f} [{ci[0]:.2f}, {ci[1]:.2f}]"


def markdown(result: dict[str, Any], header: str) -> str:
    lines = [header, "",
             "| subset | method | n | nDCG@5 | hit@1 | MRR | abstain P | abstain R | false abstentions |",
             "|---|---|---|---|---|---|---|---|---|"]
    for row in result["rows"]:
        abst = row["subset"] == "all"
        lines.append(
            f"| {row['subset']} | {row['method']} | {row['n']} | {_ci(row['ndcg@5'], row['ndcg@5_ci'])} | "
            f"{_ci(row['hit@1'], row['hit@1_ci'])} | {_ci(row['mrr'], row['mrr_ci'])} | "
            f"{_ci(row['abstain_p'], row['abstain_p_ci']) if abst else ''} | "
            f"{_ci(row['abstain_r'], row['abstain_r_ci']) if abst else ''} | {row['false_abstentions']} |")
    lines += ["", "Paired bootstrap, matcher − best baseline on nDCG@5 (best chosen per subset in this run):", ""]
    for subset, p in result["paired"].items():
        lines.append(f"- {subset}: matcher − {p['best_baseline']} = {p['mean_diff']:+.3f} "
                     f"[{p['ci'][0]:+.3f}, {p['ci'][1]:+.3f}] over {p['n']} resumes")
    methods = [m for m in METHODS if m in result["per_resume"]]
    lines += ["", "By tag (nDCG@5; for out_of_field / garbage: share abstained):", "",
              "| tag | n | " + " | ".join(methods) + " |", "|---|---|" + "---|" * len(methods)]
    for tag, values in result["by_tag"].items():
        lines.append(f"| {tag} | {values['n']} | " + " | ".join(f"{values[m]:.3f}" for m in methods) + " |")
    lines += ["", "Baseline abstention thresholds (tuned on dev): " +
              ", ".join(f"{m} {t:.4g}" for m, t in result["thresholds"].items())]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evaluation.ranking_eval", description=__doc__.split("\n")[0])
    parser.add_argument("--split", choices=("dev", "test", "all"), default="dev")
    parser.add_argument("--real-model", action="store_true", help="m3e-small and occupation coding (else a smoke run)")
    parser.add_argument("--out", default=None, help="report folder (default reports/ranking-<time>)")
    parser.add_argument("--boot", type=int, default=2000, help="bootstrap resamples")
    parser.add_argument("--coder-cache", default=str(DEFAULT_COORDER_CACHE))
    parser.add_argument("--encoder", default="m3e-small",
                        help="with --real-model: m3e-small (torch, as tuned) or the product default m3e-small-onnx-int8")
    args = parser.parse_args(argv)
    if args.real_model:
        from models.registry import load_encoder

        encoder = load_encoder(args.encoder)
    else:
        from models.encoder import HashingEncoder

        encoder = HashingEncoder(256)
    bench = load()
    started = time.perf_counter()
    print(f"ranking benchmark, split {args.split}: {len(bench.resumes_in(args.split))} resumes, "
          f"{len(bench.postings)} postings, encoder {encoder.name}")
    with tempfile.TemporaryDirectory(prefix="ranking-eval-") as tmp:
        result = run(bench, args.split, encoder, Path(tmp), occupation_coding=args.real_model,
                     coder_cache=Path(args.coder_cache), n_boot=args.boot)
    info = report.machine_info()
    header = (f"## Ranking benchmark — split {args.split} ({result['n_resumes']} resumes, {result['n_postings']} postings), "
              f"encoder {encoder.name}{'' if args.real_model else ' (SMOKE RUN: figures mean nothing)'}\n\n"
              f"Command: `python -m evaluation.ranking_eval --split {args.split}{' --real-model' if args.real_model else ''}`"
              f"; {time.perf_counter() - started:.0f}s on {info['cpu_model']} ({info['cpu_usable']} usable cores).")
    text = markdown(result, header)
    print(text)
    run_dir = report.make_run_dir(f"ranking-{args.split}", args.out)
    report.write_markdown(run_dir, "summary.md", text + "\n" + report.machine_markdown(info))
    report.write_json(run_dir, "results.json", result | {"machine": info, "real_model": args.real_model})
    print(f"report: {run_dir}/summary.md, results.json")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
