"""Offline evaluation harness: every ranking method on the same planted-truth data, in one table.

    python -m evaluation.harness [--quick] [--out DIR] [--postings N] [--seekers N]

Methods (all rank the same synthetic postings for the same synthetic seekers, see
`evaluation.synthetic` for how the data and the graded relevance are made):

- random, popularity (simulated past applications), tfidf (character 1-3-grams), bm25 (jieba words):
  `evaluation.baselines` over the texts the product embeds (`matcher.profiles.posting_text` /
  `seeker_text`);
- embedding: `JobCircle.match_seeker(..., weights={"semantic": 1.0})`;
- matcher: `JobCircle.match_seeker(...)` with the hand-set `matcher.scoring.WEIGHTS`;
- matcher-no-<component>: the hand-set weights without that component, renormalised to sum 1.

Every product ranking goes through `JobCircle.match_seeker` on a real SQLite database in a temporary
directory (the product's own code path: extraction, occupation coding, FAISS, commute, re-ranking).
Per method: recall / precision / nDCG / MAP / hit rate at k = 5, 10, 20, MRR, catalogue coverage and
exposure concentration (share of top-10 slots taken by the top 1% of postings), group parity across
seeker groups (priority group, 街道, education) of hit rate@10 and of *opportunity exposure* (per
seeker: sum over the top 10 of 1/log2(rank+1) for postings of grade >= 2, i.e. how much fitting work a
seeker is shown; a group's value is its members' mean; parity is max/min over groups), and latency
p50/p95 per query. A learned re-ranker (`evaluation.reranker`) is trained on outcomes simulated from
the planted relevance and compared with the hand-set weights on a time split.

`run_evaluate` writes a report folder (summary.md, metrics.json, metrics.csv, PNG plots);
The performance benchmarks live in `benchmarks/` (`benchmarks.run.run_bench`).
"""
from __future__ import annotations

import argparse
import contextlib
import io
import math
import re
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from evaluation import report, synthetic
from evaluation.baselines import BM25Ranker, PopularityRanker, RandomRanker, TfidfCharRanker
from evaluation.metrics import evaluate_rankings, group_hit_rate_parity, position_weight
from matcher.text import profiles
from matcher.ranking.scoring import WEIGHTS

KS = (5, 10, 20)
K_MAX = max(KS)
QUICK_SIZES = (2000, 200)
FULL_SIZES = (10000, 1000)
GROUPINGS = ("priority", "street", "education")
COMPONENTS = tuple(WEIGHTS)
DEFAULT_COORDER_CACHE = Path("reports") / ".cache" / "occupation"
TABLE_COLUMNS = (
    "method", "ndcg@5", "ndcg@10", "ndcg@20", "recall@5", "recall@10", "recall@20", "precision@5", "precision@10",
    "precision@20", "map@10", "mrr", "coverage@10", "exposure_top1pct@10",
    "hit_parity@10/priority", "hit_parity@10/street", "hit_parity@10/education",
    "exposure_parity@10/priority", "exposure_parity@10/street", "exposure_parity@10/education",
    "p50_ms", "p95_ms",
)


def ablation_weights(without: str, weights: Mapping[str, float] = WEIGHTS) -> dict[str, float]:
    """`weights` without one component, renormalised to sum 1."""
    if without not in weights:
        raise KeyError(f"unknown score component {without!r}")
    rest = {name: w for name, w in weights.items() if name != without}
    total = sum(rest.values())
    return {name: w / total for name, w in rest.items()}


def product_methods() -> dict[str, dict[str, float]]:
    """Name -> weights for every method that goes through `match_seeker`."""
    methods = {"embedding": {"semantic": 1.0}, "matcher": dict(WEIGHTS)}
    for component in COMPONENTS:
        methods[f"matcher-no-{component}"] = ablation_weights(component)
    return methods


def opportunity_exposure(rankings: Mapping[str, Sequence[str]], relevance: Mapping[str, Mapping[str, int]],
                         groups: Mapping[str, Any], k: int = 10, min_grade: int = 2) -> dict[str, Any]:
    """Per seeker group: mean over members of sum_{rank<=k, grade>=min_grade} 1/log2(rank+1), >= 0.

    Returns `{"values": {group: value}, "sizes": {...}, "ratio": max/min}` (ratio inf when a group
    gets none while another gets some, nan with no group).
    """
    totals: dict[Any, list[float]] = {}
    for seeker, group in groups.items():
        grades = relevance.get(seeker, {})
        ranked = list(rankings.get(seeker, ()))[:k]
        value = sum(position_weight(r) for r, item in enumerate(ranked, 1) if grades.get(item, 0) >= min_grade)
        totals.setdefault(group, []).append(value)
    values = {g: float(np.mean(v)) for g, v in totals.items()}
    sizes = {g: len(v) for g, v in totals.items()}
    if not values:
        return {"values": values, "sizes": sizes, "ratio": math.nan}
    hi, lo = max(values.values()), min(values.values())
    ratio = hi / lo if lo > 0 else (1.0 if hi == 0 else math.inf)
    return {"values": values, "sizes": sizes, "ratio": ratio}


# --------------------------------------------------------------------------------------------
# Building the product on synthetic data


@dataclass
class Loaded:
    """The started service and the map between synthetic keys and database ids."""

    service: Any
    posting_ids: dict[str, int]
    seeker_ids: dict[str, int]
    ingest_s: float = 0.0

    @property
    def posting_keys(self) -> dict[int, str]:
        return {v: k for k, v in self.posting_ids.items()}


def load_into_service(dataset: synthetic.SyntheticDataset, encoder, data_dir: Path, *,
                      occupation_coding: bool = False, coder_cache: Path | None = None,
                      progress: bool = False, batch: int = 1000) -> Loaded:
    """Start a `JobCircle` on a fresh SQLite database in `data_dir` and ingest the data set through
    `upsert_postings` / `upsert_seekers` (the product's own ingest path)."""
    from matcher.inputs import PostingInput, SeekerInput
    from matcher.service import JobCircle
    from matcher.settings import Settings

    settings = Settings(data_dir=data_dir, occupation_coding=occupation_coding, refresh_interval_s=3600)
    coder = None
    if occupation_coding:
        from matcher.occupations.coder import OccupationCoder

        coder = OccupationCoder(encoder).fit(cache_dir=coder_cache)
    service = JobCircle(settings, encoder, coder=coder).start()
    started = time.perf_counter()
    posting_ids: dict[str, int] = {}
    for start in range(0, len(dataset.postings), batch):
        chunk = dataset.postings[start:start + batch]
        ids = service.upsert_postings([PostingInput.model_validate(p.row) for p in chunk])
        posting_ids.update({p.key: i for p, i in zip(chunk, ids)})
        if progress:
            print(f"  ingested {min(start + batch, len(dataset.postings)):,}/{len(dataset.postings):,} postings "
                  f"({time.perf_counter() - started:.0f}s)", flush=True)
    ids = service.upsert_seekers([SeekerInput.model_validate(s.row) for s in dataset.seekers])
    seeker_ids = {s.key: i for s, i in zip(dataset.seekers, ids)}
    service.rebuild_index()
    return Loaded(service, posting_ids, seeker_ids, time.perf_counter() - started)


# --------------------------------------------------------------------------------------------
# Running the methods


def _percentiles(latencies_ms: Sequence[float]) -> dict[str, float]:
    arr = np.asarray(latencies_ms, dtype=float)
    return {"p50_ms": float(np.percentile(arr, 50)), "p95_ms": float(np.percentile(arr, 95))} if arr.size else {}


def run_product(loaded: Loaded, dataset: synthetic.SyntheticDataset, weights: Mapping[str, float],
                k: int = K_MAX) -> tuple[dict[str, list[str]], list[float]]:
    """Rankings `{seeker key: [posting key, ...]}` from `match_seeker`, and per-query latency in ms."""
    keys = loaded.posting_keys
    rankings, latencies = {}, []
    for seeker in dataset.seekers:
        started = time.perf_counter()
        results = loaded.service.match_seeker(loaded.seeker_ids[seeker.key], k=k, weights=dict(weights))["results"]
        latencies.append((time.perf_counter() - started) * 1000)
        rankings[seeker.key] = [keys[r["posting_id"]] for r in results]
    return rankings, latencies


def run_text_baseline(ranker, dataset: synthetic.SyntheticDataset, k: int = K_MAX) -> tuple[dict, list[float], float]:
    """Fit on posting texts, rank for each seeker text; returns rankings, latencies (ms), fit seconds."""
    started = time.perf_counter()
    ranker.fit([p.key for p in dataset.postings], [posting_text(p) for p in dataset.postings])
    fit_s = time.perf_counter() - started
    rankings, latencies = {}, []
    for seeker in dataset.seekers:
        started = time.perf_counter()
        rankings[seeker.key] = ranker.rank(seeker_text(seeker), k)
        latencies.append((time.perf_counter() - started) * 1000)
    return rankings, latencies, fit_s


def posting_text(p: synthetic.SyntheticPosting) -> str:
    row = p.row
    return profiles.posting_text(row["title"], row["description"], row["requirements"], row["skills"])


def seeker_text(s: synthetic.SyntheticSeeker) -> str:
    return profiles.seeker_text(s.row["resume_text"], s.row["desired_roles"], [])


def score_method(name: str, rankings: Mapping[str, Sequence[str]], latencies: Sequence[float],
                 dataset: synthetic.SyntheticDataset) -> dict[str, Any]:
    """Flat metrics for one method plus per-group details (under "groups")."""
    relevance = dataset.relevance()
    groups = dataset.groups()
    flat: dict[str, Any] = {"method": name}
    flat.update(evaluate_rankings(rankings, relevance, KS, catalogue_size=len(dataset.postings)))
    details: dict[str, Any] = {}
    for grouping in GROUPINGS:
        hits = group_hit_rate_parity(rankings, relevance, groups[grouping], 10)
        exposure = opportunity_exposure(rankings, relevance, groups[grouping], 10)
        flat[f"hit_parity@10/{grouping}"] = hits.ratio
        flat[f"exposure_parity@10/{grouping}"] = exposure["ratio"]
        details[grouping] = {"hit_rate@10": hits.values, "opportunity_exposure@10": exposure["values"],
                             "sizes": exposure["sizes"]}
    flat.update(_percentiles(latencies))
    flat["groups"] = details
    return flat


@dataclass
class Evaluation:
    rows: list[dict[str, Any]]
    settings: dict[str, Any]
    reranker: Any = None
    reranker_markdown: str = ""
    timings: dict[str, float] = field(default_factory=dict)


def evaluate(dataset: synthetic.SyntheticDataset, encoder, *, work_dir: Path, occupation_coding: bool = False,
             coder_cache: Path | None = None, with_reranker: bool = True, reranker_dir: Path | None = None,
             log: Callable[[str], None] = print) -> Evaluation:
    """Every method on `dataset`; product methods through a `JobCircle` started in `work_dir`."""
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    relevance = dataset.relevance()
    timings["relevance_s"] = time.perf_counter() - t0
    log(f"data: {len(dataset.postings):,} postings, {len(dataset.seekers):,} seekers; mean relevant postings per "
        f"seeker by grade {synthetic.grade_counts(relevance)}")
    rows = []
    popularity = dataset.popularity()
    baselines = {"random": RandomRanker(seed=0), "popularity": PopularityRanker(popularity),
                 "tfidf": TfidfCharRanker(), "bm25": BM25Ranker()}
    for name, ranker in baselines.items():
        rankings, latencies, fit_s = run_text_baseline(ranker, dataset)
        rows.append(score_method(name, rankings, latencies, dataset) | {"fit_s": fit_s})
        log(f"  {name:<22} ndcg@10 {rows[-1]['ndcg@10']:.3f}  p50 {rows[-1]['p50_ms']:.1f} ms")
    log(f"ingesting through JobCircle (encoder {encoder.name}, occupation coding {'on' if occupation_coding else 'off'})")
    loaded = load_into_service(dataset, encoder, work_dir, occupation_coding=occupation_coding,
                               coder_cache=coder_cache, progress=True)
    timings["ingest_s"] = loaded.ingest_s
    log(f"  ingest took {loaded.ingest_s:.0f}s; index {loaded.service.factory}")
    try:
        for seeker in dataset.seekers[:5]:  # warm-up: commute caches, FAISS, SQLite page cache
            loaded.service.match_seeker(loaded.seeker_ids[seeker.key], k=K_MAX)
        for name, weights in product_methods().items():
            rankings, latencies = run_product(loaded, dataset, weights)
            rows.append(score_method(name, rankings, latencies, dataset) | {"weights": weights})
            log(f"  {name:<22} ndcg@10 {rows[-1]['ndcg@10']:.3f}  p50 {rows[-1]['p50_ms']:.1f} ms")
        result, markdown = None, ""
        if with_reranker:
            result, markdown = _reranker_section(loaded, dataset, reranker_dir, log)
    finally:
        loaded.service.stop()
    settings = {
        "n_postings": len(dataset.postings), "n_seekers": len(dataset.seekers), "seed": dataset.seed,
        "encoder": encoder.name, "occupation_coding": occupation_coding, "ks": list(KS),
        "data": synthetic.SYNTHETIC_NOTE, "relevance_grades": synthetic.GRADE_NAMES,
        "mean_relevant_per_seeker": synthetic.grade_counts(relevance),
        "opportunity_exposure": "per seeker sum over top 10 of 1/log2(rank+1) for postings of grade >= 2",
    }
    return Evaluation(rows, settings, result, markdown, timings)


def _reranker_section(loaded: Loaded, dataset, reranker_dir: Path | None, log) -> tuple[Any, str]:
    from evaluation import interactions, reranker

    seeker_db = [loaded.seeker_ids[s.key] for s in dataset.seekers]
    candidates = reranker.collect_candidates(loaded.service, seeker_db, k=50)
    planted = {loaded.seeker_ids[s]: {loaded.posting_ids[p]: g for p, g in grades.items()}
               for s, grades in dataset.relevance().items()}
    events = reranker.simulate_outcomes(candidates, planted, seed=dataset.seed)
    try:
        result = reranker.train_and_compare(
            candidates, events,
            extra_relevance={str(q): {str(p): g for p, g in grades.items()} for q, grades in planted.items()},
            data_description="SYNTHETIC outcomes simulated from the planted relevance (evaluation.reranker."
                             "simulate_outcomes) over the matcher's top 20 per seeker",
        )
    except ValueError as exc:
        log(f"  re-ranker not trained: {exc}")
        return None, f"Re-ranker not trained: {exc}\n"
    if reranker_dir is not None:
        reranker.save(result, reranker_dir)
        interactions.write_interactions(reranker_dir / "simulated_outcomes.csv", events)
        (reranker_dir / "README.md").write_text(
            "SYNTHETIC: simulated_outcomes.csv holds outcome events simulated from planted relevance "
            "(evaluation/reranker.py simulate_outcomes), not real seekers. reranker.json and model_card.json "
            "are the fitted re-ranker and its card (JSON, no pickle).\n", encoding="utf-8")
    c = result.comparison
    log(f"  re-ranker: ndcg@10 hand {c['hand']['ndcg@10']:.3f} vs learned {c['learned']['ndcg@10']:.3f} "
        f"(gain CI [{c['ci95_low']:.3f}, {c['ci95_high']:.3f}]) -> {'replace' if result.replace else 'keep hand-set'}")
    return result, reranker.card_markdown(result)


# --------------------------------------------------------------------------------------------
# Report


def _rounded(row: Mapping[str, Any], digits: int = 3) -> dict[str, Any]:
    out = {}
    for key, value in row.items():
        if isinstance(value, float):
            out[key] = value if math.isinf(value) or math.isnan(value) else round(value, digits)
        else:
            out[key] = value
    return out


def results_table(rows: Sequence[Mapping[str, Any]]) -> str:
    return report.markdown_table([_rounded(r) for r in rows], TABLE_COLUMNS, digits=None)


def plot_metric_bars(rows: Sequence[Mapping[str, Any]], path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    metrics = ("ndcg@10", "recall@10", "map@10", "mrr")
    names = [r["method"] for r in rows]
    fig, ax = plt.subplots(figsize=(max(8, 0.7 * len(names)), 5))
    width = 0.8 / len(metrics)
    x = np.arange(len(names))
    for n, metric in enumerate(metrics):
        ax.bar(x + n * width, [r[metric] for r in rows], width, label=metric)
    ax.set_xticks(x + width * (len(metrics) - 1) / 2, names, rotation=45, ha="right", fontsize=8)
    ax.set_ylabel("value")
    ax.set_title("Ranking quality per method (synthetic planted relevance)")
    ax.legend(fontsize=8)
    ax.grid(True, axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def plot_group_exposure(rows: Sequence[Mapping[str, Any]], path: Path,
                        methods: Sequence[str] = ("random", "bm25", "embedding", "matcher")) -> Path:
    """Opportunity exposure per seeker group; without a CJK font, groups are labelled by their code only."""
    cjk = _font_for_chinese()
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    chosen = [r for r in rows if r["method"] in methods]
    fig, axes = plt.subplots(1, len(GROUPINGS), figsize=(6 * len(GROUPINGS), 4.8))
    for ax, grouping in zip(axes, GROUPINGS):
        groups = sorted(chosen[0]["groups"][grouping]["opportunity_exposure@10"]) if chosen else []
        x = np.arange(len(groups))
        width = 0.8 / max(1, len(chosen))
        for n, row in enumerate(chosen):
            values = row["groups"][grouping]["opportunity_exposure@10"]
            ax.bar(x + n * width, [values.get(g, 0.0) for g in groups], width, label=row["method"])
        labels = groups if cjk else [str(g).split(" ")[0] for g in groups]
        ax.set_xticks(x + width * (len(chosen) - 1) / 2, labels, rotation=45, ha="right", fontsize=8)
        ax.set_title(f"opportunity exposure@10 by {grouping}")
        ax.grid(True, axis="y", alpha=0.3)
    if chosen:
        axes[0].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def _font_for_chinese() -> bool:
    """Use a CJK font when one is installed, so 街道 names on the group plot are legible."""
    import matplotlib
    from matplotlib import font_manager

    wanted = ("Noto Sans CJK SC", "WenQuanYi Zen Hei", "SimHei", "Source Han Sans SC", "AR PL UMing CN")
    available = {f.name for f in font_manager.fontManager.ttflist}
    for name in wanted:
        if name in available:
            matplotlib.rcParams["font.sans-serif"] = [name] + list(matplotlib.rcParams["font.sans-serif"])
            return True
    return False


def write_report(evaluation: Evaluation, run_dir: Path, info: Mapping[str, Any] | None = None) -> Path:
    """summary.md, metrics.json, metrics.csv, metric_bars.png, group_exposure.png in `run_dir`."""
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    info = dict(info or report.machine_info())
    flat_rows = [{k: v for k, v in r.items() if k not in ("groups", "weights")} for r in evaluation.rows]
    report.write_json(run_dir, "metrics.json", {"settings": evaluation.settings, "machine": info,
                                                "methods": evaluation.rows, "timings": evaluation.timings,
                                                "reranker": evaluation.reranker.card if evaluation.reranker else None})
    report.write_csv(run_dir, "metrics.csv", flat_rows)
    plot_metric_bars(evaluation.rows, run_dir / "metric_bars.png")
    plot_group_exposure(evaluation.rows, run_dir / "group_exposure.png")
    s = evaluation.settings
    text = (
        "# Matching evaluation\n\n"
        f"SYNTHETIC data with planted relevance (evaluation/synthetic.py): {s['n_postings']:,} postings, "
        f"{s['n_seekers']:,} seekers, seed {s['seed']}; encoder {s['encoder']}; occupation coding at ingest "
        f"{'on' if s['occupation_coding'] else 'off'}. Grades: 3 = {s['relevance_grades'][3]}; 2 = "
        f"{s['relevance_grades'][2]}; 1 = {s['relevance_grades'][1]}. Mean relevant postings per seeker by grade: "
        f"{s['mean_relevant_per_seeker']}.\n\n"
        "Product methods call `JobCircle.match_seeker` on SQLite; latency is per query, in process. "
        "Parity columns are max/min ratios over seeker groups (1.0 = equal); exposure = opportunity exposure "
        "(position-weighted count of grade>=2 postings in the top 10).\n\n"
        + results_table(evaluation.rows) + "\n"
        + ("## Learned re-ranker vs hand-set weights\n\n" + evaluation.reranker_markdown + "\n"
           if evaluation.reranker_markdown else "")
        + "## Machine\n\n" + report.machine_markdown(info)
    )
    report.write_markdown(run_dir, "summary.md", text)
    return run_dir


# --------------------------------------------------------------------------------------------
# Entry points


def run_evaluate(out_dir: Path | None = None, quick: bool = False, *, n_postings: int | None = None,
                 n_seekers: int | None = None, seed: int = 0, encoder=None, occupation_coding: bool = True,
                 coder_cache: Path | None = DEFAULT_COORDER_CACHE) -> Path:
    """One evaluation run with the real bundled model; returns the report folder.

    Quick: 2,000 postings x 200 seekers (a few minutes on 2 cores); full: 10,000 x 1,000.
    """
    default_postings, default_seekers = QUICK_SIZES if quick else FULL_SIZES
    n_postings, n_seekers = n_postings or default_postings, n_seekers or default_seekers
    run_dir = report.make_run_dir("evaluate", out_dir)
    info = report.machine_info()
    print(f"evaluation run -> {run_dir}", flush=True)
    if encoder is None:
        from models.registry import load_encoder

        print("loading the bundled model m3e-small ...", flush=True)
        encoder = load_encoder("m3e-small")
    dataset = synthetic.make_dataset(n_postings, n_seekers, seed)
    with tempfile.TemporaryDirectory(prefix="jobcircle-eval-") as tmp:
        evaluation = evaluate(dataset, encoder, work_dir=Path(tmp), occupation_coding=occupation_coding,
                              coder_cache=coder_cache, reranker_dir=run_dir / "reranker")
    write_report(evaluation, run_dir, info)
    print()
    print(results_table(evaluation.rows))
    if evaluation.reranker_markdown:
        print(evaluation.reranker_markdown)
    print(f"Written to {run_dir}/ (summary.md, metrics.json, metrics.csv, metric_bars.png, group_exposure.png, reranker/)")
    return run_dir


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Offline evaluation of jobcircle's matching on synthetic data")
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_SIZES[0]:,} postings x {QUICK_SIZES[1]} seekers")
    parser.add_argument("--out", type=Path, default=None, help="report folder (default reports/evaluate-<time>/)")
    parser.add_argument("--postings", type=int, default=None)
    parser.add_argument("--seekers", type=int, default=None)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-occupation-coding", action="store_true",
                        help="skip occupation coding at ingest (the occupation component is then neutral)")
    args = parser.parse_args(argv)
    run_evaluate(args.out, args.quick, n_postings=args.postings, n_seekers=args.seekers, seed=args.seed,
                 occupation_coding=not args.no_occupation_coding)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
