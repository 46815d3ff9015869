"""Evaluate occupation coding on the hand-labelled dev set, against a nearest-alias embedding baseline.

    python -m evaluation.occupation_eval            # table for all / tune / holdout, plus titles/s
    python -m evaluation.occupation_eval --calibrate  # also fit the confidence constants on 'tune'

Both methods run in the same process with the same bundled encoder. The coder is called through its
public `code()`; the baseline ("nearest official name/alias by the model's cosine similarity") uses
the coder's fitted official-alias embeddings, so both see the same table.
"""
from __future__ import annotations

import argparse
import random
import time
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from matcher.occupations import CodingResult, OccupationCoder

DEVSET = Path(__file__).resolve().parent / "datasets" / "occupation_devset.csv"
SPEED_TITLES = 5000
_DECORATIONS_BEFORE = ["", "急招", "诚聘", "高薪诚聘", "【急】", "浦东", "闵行区"]
_DECORATIONS_AFTER = ["", "（包吃住）", " 五险一金", " 月薪8k", " 6000-8000元/月", " 双休", "/主管", " 2名", " 长期"]


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


def speed_titles(titles: Sequence[str], n: int, seed: int = 0) -> list[str]:
    """n mostly-unique, messy titles made by decorating dev-set titles (seeded)."""
    rng = random.Random(seed)
    return [rng.choice(_DECORATIONS_BEFORE) + rng.choice(titles) + rng.choice(_DECORATIONS_AFTER) for _ in range(n)]


def decorate(titles: Sequence[str], seed: int = 1) -> list[str]:
    """Each title with a seeded prefix and suffix from the decorations spreadsheets carry."""
    rng = random.Random(seed)
    return [rng.choice(_DECORATIONS_BEFORE[1:]) + t + rng.choice(_DECORATIONS_AFTER[1:]) for t in titles]


def calibrate(results: Sequence[CodingResult], truth: Sequence[str]) -> tuple[float, float, float]:
    """Logistic regression of 'top 细类 is right' on (top score, margin); returns (A, B, C)."""
    from sklearn.linear_model import LogisticRegression

    features, labels = [], []
    for r, t in zip(results, truth):
        detailed = [c for c in r.candidates if c.level == 4]
        if len(detailed) < 2:
            continue
        features.append([detailed[0].score, detailed[0].score - detailed[1].score])
        labels.append(int(detailed[0].code == t))
    model = LogisticRegression(C=10.0).fit(np.array(features), np.array(labels))
    (a, b), c = model.coef_[0], model.intercept_[0]
    return float(a), float(b), float(c)


def run(coder: OccupationCoder, devset: pd.DataFrame, *, speed_n: int = SPEED_TITLES) -> pd.DataFrame:
    titles, truth = devset["title"].tolist(), devset["code"].tolist()
    started = time.perf_counter()
    results = coder.code(titles, top_k=5)
    coder_seconds = time.perf_counter() - started
    started = time.perf_counter()
    base = baseline_ranking(coder, titles)
    base_seconds = time.perf_counter() - started
    ours = coder_ranking(results)

    rows = []
    for split in ("all", "tune", "holdout"):
        mask = np.ones(len(devset), bool) if split == "all" else (devset["split"] == split).to_numpy()
        t = [x for x, m in zip(truth, mask) if m]
        for method, ranking in (("coder", ours), ("baseline", base)):
            r = [x for x, m in zip(ranking, mask) if m]
            rows.append({"method": method, "split": split, "n": len(t), **metrics(r, t)})
    # The same titles dressed the way spreadsheets dress them (seeded urgency, benefits, salary, places).
    messy = decorate(titles)
    messy_ours = coder_ranking(coder.code(messy, top_k=5))
    messy_base = baseline_ranking(coder, messy)
    holdout = (devset["split"] == "holdout").to_numpy()
    for split, mask in (("messy-all", np.ones(len(devset), bool)), ("messy-holdout", holdout)):
        t = [x for x, m in zip(truth, mask) if m]
        for method, ranking in (("coder", messy_ours), ("baseline", messy_base)):
            r = [x for x, m in zip(ranking, mask) if m]
            rows.append({"method": method, "split": split, "n": len(t), **metrics(r, t)})
    table = pd.DataFrame(rows)

    speed = speed_titles(titles, speed_n)
    started = time.perf_counter()
    coder.code(speed, top_k=5)
    speed_seconds = time.perf_counter() - started
    started = time.perf_counter()
    baseline_ranking(coder, speed)
    base_speed_seconds = time.perf_counter() - started
    table.attrs["speed"] = {
        "coder titles/s (dev set)": len(titles) / coder_seconds,
        "baseline titles/s (dev set)": len(titles) / base_seconds,
        f"coder: {speed_n} messy titles, seconds": speed_seconds,
        f"coder titles/s ({speed_n})": speed_n / speed_seconds,
        f"baseline titles/s ({speed_n})": speed_n / base_speed_seconds,
    }
    table.attrs["results"] = results
    return table


def main(argv: Sequence[str] | None = None) -> None:
    from models.encoder import load_encoder

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--encoder", default="m3e-small")
    parser.add_argument("--speed-n", type=int, default=SPEED_TITLES)
    parser.add_argument("--calibrate", action="store_true")
    parser.add_argument("--errors", type=int, default=0, help="print this many holdout errors")
    args = parser.parse_args(argv)

    devset = pd.read_csv(DEVSET, dtype=str)
    started = time.perf_counter()
    coder = OccupationCoder(load_encoder(args.encoder)).fit()
    print(f"fit: {time.perf_counter() - started:.1f}s ({len(coder.alias_texts_)} names/aliases embedded)")
    table = run(coder, devset, speed_n=args.speed_n)
    pd.set_option("display.width", 200)
    print(table.to_string(index=False, float_format=lambda x: f"{x:.3f}"))
    for name, value in table.attrs["speed"].items():
        print(f"{name}: {value:.1f}")
    results = table.attrs["results"]
    if args.calibrate:
        mask = (devset["split"] == "tune").to_numpy()
        a, b, c = calibrate([r for r, m in zip(results, mask) if m], devset["code"][mask].tolist())
        print(f"calibration on tune: CONFIDENCE_A={a:.2f} CONFIDENCE_B={b:.2f} CONFIDENCE_C={c:.2f}")
    if args.errors:
        shown = 0
        for r, row in zip(results, devset.itertuples()):
            best = r.best_detailed
            if row.split == "holdout" and (best is None or best.code != row.code) and shown < args.errors:
                got = f"{best.code} {best.name}" if best else "-"
                print(f"  {row.title} -> {got} (want {row.code} {row.name}) conf={r.confidence:.2f}")
                shown += 1


if __name__ == "__main__":
    main()
