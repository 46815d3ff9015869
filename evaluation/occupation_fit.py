"""Fit the occupation coder's ranking weights and its confidence calibration (dev data only).

    python -m evaluation.occupation_eval --train       # refit the ranker, calibrate, then evaluate

The ranker (a conditional logit: softmax over all 细类 of a linear score of the coder's features) is
fitted on the `tune` split of occupation_devset.csv plus the `dev` split of occupation_jobboard.csv;
its L2 strength and the encoder-skipping threshold are chosen by 5-fold cross-validation inside them.
The calibration (a logistic map from the top probability to P(right), and the abstention threshold)
is fitted on the same titles' out-of-fold probabilities. No `holdout`/`test` title is ever used.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from matcher.occupations.coder import ENCODER_FEATURES, FEATURES, OccupationCoder, softmax_rows

L2_GRID = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0)
SKIP_GRID = (0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.98, 0.99, 1.01)  # 1.01: never skip the encoder
TARGET_PRECISION = 0.85  # the abstention threshold is the lowest at which answered titles are this often right


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
    named = coder.ranker_["features"]  # adapter features only when the coder was fitted with them
    weights = {kind: fit_ranker(x, labels, l2[kind]) for kind, x in (("full", full), ("lexical", lexical))}
    return {
        "note": ("Conditional-logit weights of matcher.occupations.FEATURES, fitted on the 'tune' split of "
                 "evaluation/datasets/occupation_devset.csv by `python -m evaluation.occupation_eval --train`; "
                 "l2 and skip_encoder_prob chosen by 5-fold CV inside 'tune'."),
        "encoder": coder.encoder.name,
        "n_titles": len(labels),
        "l2": l2,
        "features": list(named),
        "full": {f: round(float(v), 4) for f, v in zip(FEATURES, weights["full"]) if f in named},
        "lexical": {f: round(float(v), 4) for f, v in zip(FEATURES, weights["lexical"]) if f in named},
        "skip_encoder_prob": skip,
        "cv": report,
    }




# ---------------------------------------------------------------------- calibration
def fit_calibration(coder: OccupationCoder, titles: Sequence[str], codes: Sequence[str], *,
                    target: float = TARGET_PRECISION) -> dict:
    """Logistic map logit(top probability) -> P(top 细类 right), and the abstention threshold.

    `codes` may be empty for titles that name no single occupation: answering those counts as wrong.
    The threshold is the lowest calibrated confidence at which the titles answered are right at
    least `target` of the time (on these titles). Returns {'a', 'b', 'threshold', 'target', 'n'}.
    """
    from sklearn.linear_model import LogisticRegression

    results = coder.code(list(titles), top_k=1)
    top = np.array([r.best_detailed.score if r.best_detailed else 0.0 for r in results])
    right = np.array([bool(c) and r.best_detailed is not None and r.best_detailed.code == c
                      for r, c in zip(results, codes)])
    x = np.log(np.clip(top, 1e-6, 1 - 1e-6) / (1 - np.clip(top, 1e-6, 1 - 1e-6)))[:, None]
    model = LogisticRegression(C=10.0).fit(x, right.astype(int))
    a, b = float(model.coef_[0, 0]), float(model.intercept_[0])
    calibrated = 1.0 / (1.0 + np.exp(-(a * x[:, 0] + b)))
    threshold = 1.0
    for t in np.round(np.arange(0.05, 1.0, 0.01), 2):
        answered = calibrated >= t
        if answered.sum() >= 10 and right[answered].mean() >= target:
            threshold = float(t)
            break
    return {"a": round(a, 4), "b": round(b, 4), "threshold": threshold, "target": target, "n": len(titles)}
