"""A learned re-ranker over the matcher's score components, trained on recorded outcomes.

The features are exactly the score components the product already computes for a (seeker,
posting) pair (`matcher.scoring.WEIGHTS`: semantic, coverage, occupation, education, experience,
salary, proximity), read back from `JobCircle.match_seeker` breakdowns. Nothing about the person
(gender, age, ethnicity, hukou or anything else) is a feature; `check_features` enforces it.

The model is a logistic regression (scikit-learn) predicting "the seeker applied or better" from
the components. Because the features are the components themselves, its non-negative coefficients,
normalised to sum 1, are a weight vector the product can use directly
(`match_seeker(..., weights=learned)`): that is what is evaluated and what would be deployed.

Offline comparison: outcomes are split by time (`evaluation.interactions.time_split`); the model is
fitted on the earlier window, then each later seeker's candidate list is ranked by the hand-set
weights and by the learned weights and scored against the later outcomes (nDCG, recall, MRR).
The learned weights replace the hand-set ones only where they win: the paired bootstrap 95% lower
bound of the nDCG@10 gain over test seekers must be above zero (`decide`).

Saved without pickle: `reranker.json` (feature names, coefficients, intercept, learned weights)
and `model_card.json` (training window, features, excluded attributes, metrics, decision).
"""
from __future__ import annotations

import json
import math
import os
import random
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np

from evaluation.interactions import Interaction, outcome_relevance, time_split, window
from evaluation.metrics import evaluate_rankings, ndcg_at_k
from matcher.ranking.scoring import WEIGHTS

FEATURES: tuple[str, ...] = tuple(WEIGHTS)
# Protected or proxy attributes that must never become features: English words are matched against
# the name's words (so "coverage" is not "age"), Chinese ones as substrings.
FORBIDDEN_WORDS = ("gender", "sex", "age", "birth", "birthday", "dob", "ethnicity", "ethnic", "nation",
                   "nationality", "race", "hukou", "household", "registration")
FORBIDDEN_CHINESE = ("性别", "年龄", "出生", "民族", "户籍", "户口")
DECISION_METRIC = "ndcg@10"
KS = (5, 10, 20)
MODEL_FILE = "reranker.json"
CARD_FILE = "model_card.json"


def check_features(names: Sequence[str]) -> None:
    """Raise ValueError unless every feature is a score component and none names a protected attribute."""
    for name in names:
        words = set(re.split(r"[^a-z]+", str(name).lower()))
        if words & set(FORBIDDEN_WORDS) or any(word in str(name) for word in FORBIDDEN_CHINESE):
            raise ValueError(f"feature {name!r} names a protected attribute; the re-ranker may not use it")
        if name not in WEIGHTS:
            raise ValueError(f"feature {name!r} is not a score component of matcher.scoring.WEIGHTS")


# --------------------------------------------------------------------------------------------
# Candidates: the matcher's own lists with their components


@dataclass
class Candidates:
    """One seeker's candidate postings in the matcher's order, with component values (n x features)."""

    posting_ids: list
    components: np.ndarray
    hand_scores: np.ndarray


def components_of(result: Mapping, weights: Mapping[str, float] = WEIGHTS,
                  features: Sequence[str] = FEATURES) -> np.ndarray:
    """Component values in [0, 1] of a `match_seeker` result: its raw `components` (the numbers the score
    and the explanation are made of), or, for results saved before they were returned, its weighted
    breakdown divided by the weights."""
    if "components" in result:
        return np.array([result["components"][name] for name in features], dtype=float)
    return np.array([result["breakdown"][name] / weights[name] for name in features], dtype=float)


def collect_candidates(service, seeker_ids: Sequence, k: int = 50) -> dict:
    """`{seeker id: Candidates}` from `service.match_seeker(seeker_id, k)` with the hand-set weights."""
    out = {}
    for seeker_id in seeker_ids:
        results = service.match_seeker(seeker_id, k=k)["results"]
        if not results:
            continue
        out[seeker_id] = Candidates(
            posting_ids=[r["posting_id"] for r in results],
            components=np.vstack([components_of(r) for r in results]),
            hand_scores=np.array([r["score"] for r in results], dtype=float),
        )
    return out


# --------------------------------------------------------------------------------------------
# Simulated outcomes (synthetic data only)

APPLY = {0: 0.02, 1: 0.08, 2: 0.25, 3: 0.5}
INTERVIEW = {0: 0.1, 1: 0.2, 2: 0.4, 3: 0.6}
HIRE = {0: 0.1, 1: 0.2, 2: 0.3, 3: 0.5}


def simulate_outcomes(candidates: Mapping, relevance: Mapping[object, Mapping[object, int]], *, shown: int = 20,
                      start: datetime | None = None, days: int = 180, seed: int = 0) -> list[Interaction]:
    """Outcome events for the first `shown` candidates of each seeker, from the planted grades plus noise.

    Each seeker is served once at a random time in a `days`-long window: every shown posting is
    `recommended`; the seeker applies with a probability that grows with the planted grade, falls with
    the rank (position bias 1/log2(rank+1)) and is scaled by the seeker's own activity (0.5-1.5);
    interviews and hires follow with grade-dependent probabilities, days later. SYNTHETIC.
    """
    rng = random.Random(seed)
    start = start or datetime(2026, 1, 1, tzinfo=timezone.utc)
    out: list[Interaction] = []
    for seeker_id in sorted(candidates, key=str):
        cand = candidates[seeker_id]
        grades = relevance.get(seeker_id, {})
        activity = rng.uniform(0.5, 1.5)
        served = start + timedelta(days=rng.uniform(0, days))
        for rank, posting_id in enumerate(cand.posting_ids[:shown], start=1):
            grade = int(grades.get(posting_id, 0))
            sid, pid = str(seeker_id), str(posting_id)
            out.append(Interaction(served, sid, pid, "recommended"))
            if rng.random() >= min(0.95, APPLY[grade] * activity / math.log2(rank + 1)):
                continue
            applied = served + timedelta(hours=rng.uniform(1, 72))
            out.append(Interaction(applied, sid, pid, "applied"))
            if rng.random() >= INTERVIEW[grade]:
                continue
            interviewed = applied + timedelta(days=rng.uniform(2, 10))
            out.append(Interaction(interviewed, sid, pid, "interviewed"))
            hired = rng.random() < HIRE[grade]
            out.append(Interaction(interviewed + timedelta(days=rng.uniform(3, 15)), sid, pid,
                                   "hired" if hired else "rejected"))
    out.sort()
    return out


# --------------------------------------------------------------------------------------------
# The model


class LinearReranker:
    """Logistic regression over score components (scikit-learn conventions: fitted state ends in `_`)."""

    def __init__(self, C: float = 1.0, features: Sequence[str] = FEATURES):
        self.C = C
        self.features = tuple(features)

    def fit(self, X: np.ndarray, y: np.ndarray) -> "LinearReranker":
        from sklearn.linear_model import LogisticRegression

        check_features(self.features)
        X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=int)
        if X.ndim != 2 or X.shape[1] != len(self.features):
            raise ValueError(f"X must have {len(self.features)} columns ({', '.join(self.features)}), got {X.shape}")
        if len(set(y.tolist())) < 2:
            raise ValueError("training outcomes hold only one class (no applications, or nothing but applications)")
        model = LogisticRegression(C=self.C, max_iter=1000).fit(X, y)
        self.coef_ = model.coef_[0].astype(float)
        self.intercept_ = float(model.intercept_[0])
        self.n_train_ = int(len(y))
        self.positive_rate_ = float(y.mean())
        return self

    def _check_fitted(self) -> None:
        if not hasattr(self, "coef_"):
            from sklearn.exceptions import NotFittedError

            raise NotFittedError("LinearReranker is not fitted yet: call fit(X, y) or load it first")

    def learned_weights(self) -> dict[str, float]:
        """Non-negative coefficients normalised to sum 1: a weight vector for `match_seeker`."""
        self._check_fitted()
        positive = np.clip(self.coef_, 0.0, None)
        total = positive.sum()
        if total <= 0:
            return {name: 1.0 / len(self.features) for name in self.features}
        return {name: round(float(v / total), 4) for name, v in zip(self.features, positive)}

    def scores(self, components: np.ndarray) -> np.ndarray:
        """Scores with the learned weights (what would be deployed), higher is better."""
        weights = self.learned_weights()
        return np.asarray(components, dtype=float) @ np.array([weights[f] for f in self.features])

    def to_json(self) -> dict:
        self._check_fitted()
        return {"kind": "logistic_regression", "features": list(self.features), "C": self.C,
                "coefficients": dict(zip(self.features, map(float, self.coef_))), "intercept": self.intercept_,
                "learned_weights": self.learned_weights(), "n_train": self.n_train_,
                "positive_rate": self.positive_rate_}

    @classmethod
    def from_json(cls, payload: Mapping) -> "LinearReranker":
        features = tuple(payload["features"])
        check_features(features)
        model = cls(C=float(payload.get("C", 1.0)), features=features)
        model.coef_ = np.array([float(payload["coefficients"][f]) for f in features])
        model.intercept_ = float(payload["intercept"])
        model.n_train_ = int(payload.get("n_train", 0))
        model.positive_rate_ = float(payload.get("positive_rate", math.nan))
        return model


def training_matrix(candidates: Mapping, interactions: Sequence[Interaction],
                    features: Sequence[str] = FEATURES) -> tuple[np.ndarray, np.ndarray]:
    """Rows for every (seeker, posting) recommended in `interactions` and present in the candidates;
    label 1 when the seeker applied, was interviewed or hired, else 0."""
    index = {str(s): (cand, {str(p): n for n, p in enumerate(cand.posting_ids)}) for s, cand in candidates.items()}
    positive = {(i.seeker_id, i.posting_id) for i in interactions if i.event in ("applied", "interviewed", "hired")}
    shown = {(i.seeker_id, i.posting_id) for i in interactions if i.event == "recommended"} | positive
    rows, labels = [], []
    for seeker, posting in sorted(shown):
        if seeker not in index or posting not in index[seeker][1]:
            continue
        cand, position = index[seeker]
        rows.append(cand.components[position[posting]][[FEATURES.index(f) for f in features]])
        labels.append(1 if (seeker, posting) in positive else 0)
    width = len(features)
    return (np.vstack(rows) if rows else np.zeros((0, width))), np.asarray(labels, dtype=int)


# --------------------------------------------------------------------------------------------
# Offline comparison and decision


def _ranked(cand: Candidates, scores: np.ndarray) -> list:
    order = np.argsort(-scores, kind="stable")  # ties keep the matcher's order
    return [cand.posting_ids[i] for i in order]


def compare(model: LinearReranker, candidates: Mapping, relevance: Mapping[str, Mapping[str, int]],
            ks: Sequence[int] = KS, n_boot: int = 2000, seed: int = 0) -> dict:
    """Hand-set vs learned weights on the same candidate lists, scored against `relevance` (str ids).

    Returns `{"hand": metrics, "learned": metrics, "gain": {metric: mean}, "ci95_low": ..., "ci95_high":
    ..., "n_queries": ...}` with the bootstrap interval of the per-seeker nDCG@10 gain.
    """
    hand, learned, rel = {}, {}, {}
    for seeker, cand in candidates.items():
        grades = relevance.get(str(seeker))
        if not grades:
            continue
        ids = [str(p) for p in cand.posting_ids]
        view = Candidates(ids, cand.components, cand.hand_scores)
        hand[str(seeker)] = _ranked(view, cand.hand_scores)
        learned[str(seeker)] = _ranked(view, model.scores(cand.components))
        rel[str(seeker)] = dict(grades)
    hand_m = evaluate_rankings(hand, rel, ks)
    learned_m = evaluate_rankings(learned, rel, ks)
    k = int(DECISION_METRIC.split("@")[1])
    diffs = np.array([ndcg_at_k(learned[q], rel[q], k) - ndcg_at_k(hand[q], rel[q], k) for q in rel], dtype=float)
    diffs = diffs[~np.isnan(diffs)]
    low = high = math.nan
    if diffs.size:
        rng = np.random.default_rng(seed)
        boots = diffs[rng.integers(0, diffs.size, (n_boot, diffs.size))].mean(axis=1)
        low, high = (float(x) for x in np.percentile(boots, [2.5, 97.5]))
    gain = {name: learned_m[name] - hand_m[name] for name in hand_m if name != "n_queries"}
    return {"hand": hand_m, "learned": learned_m, "gain": gain, "ci95_low": low, "ci95_high": high,
            "n_queries": int(diffs.size), "decision_metric": DECISION_METRIC}


def decide(comparison: Mapping) -> bool:
    """True only when the learned weights win: the 95% lower bound of the nDCG@10 gain is above 0."""
    low = comparison.get("ci95_low", math.nan)
    return bool(comparison.get("n_queries", 0) > 0 and not math.isnan(low) and low > 0.0)


@dataclass
class RerankerResult:
    model: LinearReranker
    comparison: dict
    replace: bool
    card: dict = field(default_factory=dict)

    @property
    def weights(self) -> dict[str, float]:
        """The weights to use: learned where they won, the hand-set ones otherwise."""
        return self.model.learned_weights() if self.replace else dict(WEIGHTS)


def train_and_compare(candidates: Mapping, interactions: Sequence[Interaction], *, test_fraction: float = 0.3,
                      extra_relevance: Mapping[str, Mapping[str, int]] | None = None,
                      data_description: str = "", C: float = 1.0) -> RerankerResult:
    """Time split, fit on the earlier window, compare on the later one, decide, and build the model card.

    `extra_relevance` (e.g. planted synthetic grades, str ids) is reported next to the outcome-based
    comparison but never decides.
    """
    train, test, cutoff = time_split(interactions, test_fraction)
    train_seekers = {i.seeker_id for i in train}
    test_seekers = {i.seeker_id for i in test if i.event == "recommended"} - train_seekers
    X, y = training_matrix(candidates, train)
    model = LinearReranker(C=C).fit(X, y)
    test_candidates = {s: c for s, c in candidates.items() if str(s) in test_seekers}
    comparison = compare(model, test_candidates, outcome_relevance(test))
    replace = decide(comparison)
    card = {
        "model": "logistic regression over score components -> non-negative normalised weights",
        "data": data_description or "recorded outcomes",
        "training_window": window(train),
        "test_window": window(test),
        "split": {"kind": "time", "cutoff": cutoff.isoformat(timespec="seconds"), "test_fraction": test_fraction,
                  "test_seekers": len(test_candidates), "train_pairs": int(len(y)),
                  "train_positive_rate": round(float(y.mean()), 4)},
        "features": list(model.features),
        "excluded_attributes": "gender, age, ethnicity, hukou and every other personal attribute: "
                               "features are only the matcher's score components",
        "label": "applied, interviewed or hired (1) vs recommended only (0)",
        "hand_weights": dict(WEIGHTS),
        "learned_weights": model.learned_weights(),
        "metrics_outcomes": {"hand": comparison["hand"], "learned": comparison["learned"],
                             "gain_ci95": [comparison["ci95_low"], comparison["ci95_high"]]},
        "decision": {"replace_hand_weights": replace,
                     "rule": f"replace only if the paired bootstrap 95% lower bound of the {DECISION_METRIC} "
                             f"gain on the later window is above 0"},
        "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    if extra_relevance is not None:
        planted = compare(model, test_candidates, extra_relevance)
        card["metrics_planted_relevance"] = {"hand": planted["hand"], "learned": planted["learned"],
                                             "gain_ci95": [planted["ci95_low"], planted["ci95_high"]]}
    return RerankerResult(model, comparison, replace, card)


# --------------------------------------------------------------------------------------------
# Storage: JSON only


def _write_json(path: Path, payload) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    with tmp.open("w", encoding="utf-8") as handle:
        json.dump(payload, handle, ensure_ascii=False, indent=2, default=float)
        handle.write("\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def save(result: RerankerResult, directory: str | os.PathLike) -> Path:
    """Write `reranker.json` and `model_card.json` (no pickle) into `directory`; returns it."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    check_features(result.model.features)
    _write_json(directory / MODEL_FILE, result.model.to_json() | {"replace_hand_weights": result.replace})
    _write_json(directory / CARD_FILE, result.card)
    return directory


def load(directory: str | os.PathLike) -> tuple[LinearReranker, dict]:
    """The saved model and its card (plain JSON)."""
    directory = Path(directory)
    model = LinearReranker.from_json(json.loads((directory / MODEL_FILE).read_text(encoding="utf-8")))
    card = json.loads((directory / CARD_FILE).read_text(encoding="utf-8"))
    return model, card


def product_weights(directory: str | os.PathLike) -> dict[str, float]:
    """Weights for `match_seeker`: the saved learned ones if they won, else the hand-set `WEIGHTS`."""
    model, card = load(directory)
    return model.learned_weights() if card.get("decision", {}).get("replace_hand_weights") else dict(WEIGHTS)


def card_markdown(result: RerankerResult) -> str:
    """A short markdown section: weights side by side, metrics, decision."""
    from evaluation import report

    c = result.comparison
    rows = [{"component": f, "hand": WEIGHTS[f], "learned": result.model.learned_weights()[f],
             "coefficient": round(float(result.model.coef_[n]), 3)} for n, f in enumerate(result.model.features)]
    metric_rows = []
    for name in ("ndcg@5", "ndcg@10", "ndcg@20", "recall@10", "mrr"):
        metric_rows.append({"metric (later window, outcomes)": name, "hand-set": round(c["hand"][name], 4),
                            "learned": round(c["learned"][name], 4), "gain": round(c["gain"][name], 4)})
    planted = result.card.get("metrics_planted_relevance")
    text = (report.markdown_table(rows, digits=3) + "\n" + report.markdown_table(metric_rows, digits=None)
            + f"\nnDCG@10 gain 95% interval [{c['ci95_low']:.4f}, {c['ci95_high']:.4f}] over {c['n_queries']} "
              f"later seekers -> {'REPLACE hand-set weights' if result.replace else 'keep hand-set weights'}.\n")
    if planted:
        text += (f"Against the planted relevance: nDCG@10 hand {planted['hand']['ndcg@10']:.4f}, "
                 f"learned {planted['learned']['ndcg@10']:.4f}.\n")
    return text
