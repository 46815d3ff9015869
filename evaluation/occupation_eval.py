"""Evaluate occupation coding on the hand-labelled dev set, against a nearest-alias embedding baseline.

    python -m evaluation.occupation_eval              # table for tune / holdout (+ messy copies), titles/s
    python -m evaluation.occupation_eval --no-speed   # the accuracy table only
    python -m evaluation.occupation_eval --train      # refit the ranker on 'tune', write its JSON, then evaluate

Both methods run in the same process with the same bundled encoder. The coder is called through its
public `code()`; the baseline ("nearest official name/alias by the model's cosine similarity") uses
the coder's fitted official-alias embeddings, so both see the same table.

The ranker (a conditional logit: softmax over all 细类 of a linear score of the coder's features) is
fitted here on the `tune` split only; its L2 strength and the encoder-skipping threshold are chosen
by 5-fold cross-validation inside `tune`. The `holdout` split is never used for fitting.
"""
from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from matcher.occupations.coder import (
    ENCODER_FEATURES, FEATURES, RANKER_FILE, CodingResult, OccupationCoder, softmax_rows, untrained_ranker,
)

DEVSET = Path(__file__).resolve().parent / "datasets" / "occupation_devset.csv"
SPEED_TITLES = 5000
L2_GRID = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0)
SKIP_GRID = (0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.98, 0.99, 1.01)  # 1.01: never skip the encoder
_DECORATIONS_BEFORE = ["", "急招", "诚聘", "高薪诚聘", "【急】", "浦东", "闵行区"]
_DECORATIONS_AFTER = ["", "（包吃住）", " 五险一金", " 月薪8k", " 6000-8000元/月", " 双休", "/主管", " 2名", " 长期"]
# Workplace words that survive cleaning, so '医院保安' and '工厂保安' are different texts to encode.
_WORKPLACES = ["", "医院", "工厂", "小区", "酒店", "商场", "学校", "仓库", "写字楼", "餐厅", "超市", "物流园",
               "养老院", "食堂", "门店", "社区", "园区", "公司", "银行", "机场"]


def same_prefix_rate(predicted: Sequence[str | None], truth: Sequence[str], prefix_len: int) -> float:
    """Share of titles whose top code agrees with the label on the first `prefix_len` characters.

    prefix 10 = 细类, 7 = 小类, 4 = 中类. Range [0, 1]; a missing prediction counts as wrong.
    """
    if len(truth) == 0:
        return 0.0
    hits = sum(p is not None and p[:prefix_len] == t[:prefix_len] for p, t in zip(predicted, truth))
    return hits / len(truth)


def top_k_rate(ranked: Sequence[Sequence[str]], truth: Sequence[str], k: int) -> float:
    """Share of titles whose label is among the first k codes. Range [0, 1]."""
    if len(truth) == 0:
        return 0.0
    return sum(t in list(r)[:k] for r, t in zip(ranked, truth)) / len(truth)


def metrics(ranked: Sequence[Sequence[str]], truth: Sequence[str]) -> dict[str, float]:
    top1 = [r[0] if len(r) else None for r in ranked]
    return {
        "top1@细类": same_prefix_rate(top1, truth, 10),
        "top5@细类": top_k_rate(ranked, truth, 5),
        "top1@小类": same_prefix_rate(top1, truth, 7),
        "top1@中类": same_prefix_rate(top1, truth, 4),
    }


def coder_ranking(results: Sequence[CodingResult]) -> list[list[str]]:
    """The 细类 codes of each result in rank order (a parent offered first is skipped)."""
    return [[c.code for c in r.candidates if c.level == 4] for r in results]


def baseline_ranking(coder: OccupationCoder, titles: Sequence[str], k: int = 5) -> list[list[str]]:
    """Nearest official name/alias by the encoder's cosine similarity on the raw title."""
    queries = coder.encoder.encode_queries(list(titles))
    official = coder.alias_official_
    sims = queries @ coder.alias_embeddings_[official].T
    alias_code = coder.alias_code_[official]
    ranked = []
    for row in sims:
        codes: list[str] = []
        for j in np.argsort(-row):
            code = coder.codes_[alias_code[j]]
            if code not in codes:
                codes.append(code)
                if len(codes) == k:
                    break
        ranked.append(codes)
    return ranked


def decorate(titles: Sequence[str], seed: int = 1) -> list[str]:
    """Each title with a seeded prefix and suffix from the decorations spreadsheets carry."""
    rng = random.Random(seed)
    return [rng.choice(_DECORATIONS_BEFORE[1:]) + t + rng.choice(_DECORATIONS_AFTER[1:]) for t in titles]


def distinct_titles(titles: Sequence[str], n: int, seed: int = 0) -> list[str]:
    """n distinct raw titles: dev titles with seeded decorations and a seeded salary (cleaning removes
    both, so many share their cleaned form, as repeated postings do at a station)."""
    rng = random.Random(seed)
    out: dict[str, None] = {}
    while len(out) < n:
        salary = f" {rng.randrange(40, 150) * 100}元/月" if rng.random() < 0.7 else ""
        out[rng.choice(_DECORATIONS_BEFORE) + rng.choice(titles) + salary + rng.choice(_DECORATIONS_AFTER)] = None
    return list(out)


def distinct_core_titles(titles: Sequence[str], n: int, seed: int = 0) -> list[str]:
    """n titles whose cleaned forms are all different (a workplace word + a dev title): the worst
    case for speed, every one needs its own encoder pass unless the lexical model is sure."""
    rng = random.Random(seed)
    pool = sorted({w + t for w in _WORKPLACES for t in titles})
    rng.shuffle(pool)
    return [rng.choice(_DECORATIONS_BEFORE) + t for t in pool[:n]]


# ---------------------------------------------------------------------- ranker fitting
def fit_ranker(features: np.ndarray, labels: np.ndarray, l2: float) -> np.ndarray:
    """Conditional-logit weights: maximise sum log softmax(features @ w)[label] - l2/2 |w|^2.

    features (n, n_codes, n_features), labels (n,) code indices. Returns w (n_features,).
    """
    from scipy.optimize import minimize

    n, _, f = features.shape
    flat = features.reshape(-1, f).astype(np.float64)
    chosen = features[np.arange(n), labels].astype(np.float64)

    def objective(w: np.ndarray) -> tuple[float, np.ndarray]:
        scores = (flat @ w).reshape(n, -1)
        top = scores.max(axis=1, keepdims=True)
        exp = np.exp(scores - top)
        total = exp.sum(axis=1, keepdims=True)
        nll = float((np.log(total[:, 0]) + top[:, 0] - chosen @ w).sum() + 0.5 * l2 * w @ w)
        probs = (exp / total).reshape(-1)
        grad = flat.T @ probs - chosen.sum(axis=0) + l2 * w
        return nll, grad

    return minimize(objective, np.zeros(f), jac=True, method="L-BFGS-B").x


def _folds(n: int, k: int = 5, seed: int = 0) -> list[np.ndarray]:
    order = np.random.default_rng(seed).permutation(n)
    return [order[i::k] for i in range(k)]


def _out_of_fold_probs(features: np.ndarray, labels: np.ndarray, l2: float) -> np.ndarray:
    probs = np.zeros(features.shape[:2])
    for test in _folds(len(labels)):
        train = np.setdiff1d(np.arange(len(labels)), test)
        w = fit_ranker(features[train], labels[train], l2)
        probs[test] = softmax_rows(features[test] @ w)
    return probs


def _shortlist(features: np.ndarray, labels: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Keep each title's `size` most plausible codes (label always kept) so fitting is fast; the
    softmax over the far tail, which any ranker scores near zero, hardly moves the weights."""
    evidence = features[:, :, [FEATURES.index(f) for f in
                               ("contain", "tfidf_alias", "tfidf_definition", "emb_alias", "emb_definition")]].sum(axis=2)
    keep = np.argsort(-evidence, axis=1, kind="stable")[:, :size]
    for row, label in enumerate(labels):
        if label not in keep[row]:
            keep[row, -1] = label
    short = np.take_along_axis(features, keep[:, :, None], axis=1)
    return short, np.array([int(np.flatnonzero(k == label)[0]) for k, label in zip(keep, labels)])


def train_ranker(coder: OccupationCoder, titles: Sequence[str], codes: Sequence[str], *,
                 shortlist: int = 200) -> dict:
    """Fit the full and lexical rankers on (titles, codes) and pick L2 and the skip threshold by CV."""
    index = {c: i for i, c in enumerate(coder.codes_)}
    keep = [i for i, c in enumerate(codes) if c in index]
    titles, labels = [titles[i] for i in keep], np.array([index[codes[i]] for i in keep])
    full, labels = _shortlist(coder.ranking_features(titles, use_encoder=True), labels, shortlist)
    full = full.astype(np.float64)
    lexical = full.copy()
    lexical[:, :, [FEATURES.index(f) for f in ENCODER_FEATURES]] = 0.0
    report: dict = {"cv_top1": {}}
    best: dict[str, tuple[float, float, np.ndarray]] = {}
    for kind, x in (("full", full), ("lexical", lexical)):
        for l2 in L2_GRID:
            probs = _out_of_fold_probs(x, labels, l2)
            acc = float((probs.argmax(axis=1) == labels).mean())
            loglik = float(np.log(probs[np.arange(len(labels)), labels] + 1e-12).mean())
            report["cv_top1"][f"{kind} l2={l2}"] = round(acc, 4)
            if kind not in best or (acc, loglik) > best[kind][:2]:
                best[kind] = (acc, loglik, probs)
    l2 = {kind: L2_GRID[[round(v, 4) for k, v in report["cv_top1"].items() if k.startswith(kind)].index(
        round(best[kind][0], 4))] for kind in best}
    # Skip the encoder where the lexical model is at least as accurate as the full one (out of fold).
    lex_probs, full_probs = best["lexical"][2], best["full"][2]
    lex_right = lex_probs.argmax(axis=1) == labels
    full_right = full_probs.argmax(axis=1) == labels
    skip = 1.01
    for threshold in SKIP_GRID:
        sure = lex_probs.max(axis=1) >= threshold
        if lex_right[sure].sum() >= full_right[sure].sum():
            skip = threshold
            break
    report["skipped_share_tune"] = round(float((lex_probs.max(axis=1) >= skip).mean()), 4)
    weights = {kind: fit_ranker(x, labels, l2[kind]) for kind, x in (("full", full), ("lexical", lexical))}
    return {
        "note": ("Conditional-logit weights of matcher.occupations.FEATURES, fitted on the 'tune' split of "
                 "evaluation/datasets/occupation_devset.csv by `python -m evaluation.occupation_eval --train`; "
                 "l2 and skip_encoder_prob chosen by 5-fold CV inside 'tune'."),
        "encoder": coder.encoder.name,
        "n_titles": len(labels),
        "l2": l2,
        "features": list(FEATURES),
        "full": {f: round(float(v), 4) for f, v in zip(FEATURES, weights["full"])},
        "lexical": {f: round(float(v), 4) for f, v in zip(FEATURES, weights["lexical"])},
        "skip_encoder_prob": skip,
        "cv": report,
    }


# ---------------------------------------------------------------------- evaluation
def accuracy_table(coder: OccupationCoder, devset: pd.DataFrame) -> pd.DataFrame:
    titles, truth = devset["title"].tolist(), devset["code"].tolist()
    results = coder.code(titles, top_k=5)
    ours, base = coder_ranking(results), baseline_ranking(coder, titles)
    messy = decorate(titles)
    messy_ours, messy_base = coder_ranking(coder.code(messy, top_k=5)), baseline_ranking(coder, messy)
    rows = []
    for split, column, (r_ours, r_base) in (
        ("tune", "tune", (ours, base)), ("holdout", "holdout", (ours, base)),
        ("messy-holdout", "holdout", (messy_ours, messy_base)),
    ):
        mask = (devset["split"] == column).to_numpy()
        t = [x for x, m in zip(truth, mask) if m]
        for method, ranking in (("coder", r_ours), ("baseline", r_base)):
            r = [x for x, m in zip(ranking, mask) if m]
            rows.append({"method": method, "split": split, "n": len(t), **metrics(r, t)})
    table = pd.DataFrame(rows)
    table.attrs["results"] = results
    return table


def speed(coder: OccupationCoder, titles: Sequence[str], n: int = SPEED_TITLES) -> dict[str, float]:
    """Titles/s for n distinct raw titles, and for n titles with distinct cleaned forms (worst case)."""
    out: dict[str, float] = {}
    for label, batch in (("distinct titles", distinct_titles(titles, n)),
                         ("distinct cleaned forms", distinct_core_titles(titles, n))):
        started = time.perf_counter()
        coder.code(batch, top_k=5)
        seconds = time.perf_counter() - started
        out[f"coder, {len(batch)} {label}: seconds"] = seconds
        out[f"coder, {len(batch)} {label}: titles/s"] = len(batch) / seconds
    started = time.perf_counter()
    texts = list(dict.fromkeys(distinct_core_titles(titles, n)))[:1000]
    coder.encoder.encode_queries(texts)
    out["encoder alone: texts/s (1,000 short titles)"] = len(texts) / (time.perf_counter() - started)
    return out


def main(argv: Sequence[str] | None = None) -> None:
    from models.registry import load_encoder

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--encoder", default="m3e-small")
    parser.add_argument("--speed-n", type=int, default=SPEED_TITLES)
    parser.add_argument("--no-speed", action="store_true", help="skip the titles/s measurement")
    parser.add_argument("--train", action="store_true", help=f"refit the ranker on 'tune' and write {RANKER_FILE.name}")
    parser.add_argument("--cache-dir", type=Path, default=None, help="reuse alias/definition embeddings from here")
    parser.add_argument("--errors", type=int, default=0, help="print this many tune-split errors")
    args = parser.parse_args(argv)

    devset = pd.read_csv(DEVSET, dtype=str)
    started = time.perf_counter()
    coder = OccupationCoder(load_encoder(args.encoder)).fit(
        cache_dir=args.cache_dir, ranker=untrained_ranker() if args.train else None)
    print(f"fit: {time.perf_counter() - started:.1f}s ({len(coder.alias_texts_)} names/aliases, "
          f"{len(coder.codes_)} definitions embedded or loaded)")
    if args.train:
        tune = devset[devset["split"] == "tune"]
        ranker = train_ranker(coder, tune["title"].tolist(), tune["code"].tolist())
        RANKER_FILE.write_text(json.dumps(ranker, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"ranker written to {RANKER_FILE} (l2={ranker['l2']}, skip_encoder_prob={ranker['skip_encoder_prob']}, "
              f"encoder skipped for {ranker['cv']['skipped_share_tune']:.0%} of tune titles)")
        coder = OccupationCoder(coder.encoder).fit(cache_dir=args.cache_dir)
    table = accuracy_table(coder, devset)
    pd.set_option("display.width", 200)
    print(table.to_string(index=False, float_format=lambda x: f"{x:.3f}"))
    if not args.no_speed:
        for name, value in speed(coder, devset["title"].tolist(), args.speed_n).items():
            print(f"{name}: {value:.1f}")
    if args.errors:
        shown = 0
        for r, row in zip(table.attrs["results"], devset.itertuples()):
            best = r.best_detailed
            if row.split == "tune" and (best is None or best.code != row.code) and shown < args.errors:
                got = f"{best.code} {best.name}" if best else "-"
                print(f"  {row.title} -> {got} (want {row.code} {row.name}) conf={r.confidence:.2f}")
                shown += 1


if __name__ == "__main__":
    main()
