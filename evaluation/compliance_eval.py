"""Precision and recall of the posting compliance check on the hand-written sentence set.

Positive = non-compliant (a sentence the check should hold back). The set is split in two by a hash
of each sentence: `dev` is what patterns may be tuned on, `test` is held out and only reported. The
`batch` column says when a sentence was written (1: before the patterns, 2: after the first run).

    python -m evaluation.compliance_eval            # dev, test, all; misclassified sentences listed
    python -m evaluation.compliance_eval --split test --batch 2
    python -m evaluation.compliance_eval --batch 3 --bootstrap 2000   # with 95% bootstrap intervals
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from matcher.text.compliance import ComplianceResult, check_text

DATASET = Path(__file__).resolve().parent / "datasets" / "compliance_sentences.csv"
SPLITS = ("dev", "test", "all")


@dataclass(frozen=True)
class Example:
    text: str
    compliant: bool
    ground: str
    batch: int = 1

    @property
    def split(self) -> str:
        return "dev" if hashlib.sha256(self.text.encode("utf-8")).digest()[0] % 2 == 0 else "test"


def load_examples(path: Path = DATASET) -> list[Example]:
    """Rows of `text,compliant,ground`; lines starting with '#' before the header are the set's note."""
    with path.open(encoding="utf-8", newline="") as fh:
        lines = [line for line in fh if not line.startswith("#")]
    rows = csv.DictReader(lines)
    return [
        Example(r["text"], r["compliant"].strip().lower() == "true", r["ground"], int(r.get("batch") or 1))
        for r in rows
    ]


def precision_recall(y_true: Sequence[bool], y_pred: Sequence[bool]) -> dict[str, float]:
    """Precision, recall and F1 of the positive class, each in [0, 1]; 0.0 where undefined (no predictions or no positives)."""
    if len(y_true) != len(y_pred):
        raise ValueError("y_true and y_pred differ in length")
    tp = sum(t and p for t, p in zip(y_true, y_pred))
    fp = sum((not t) and p for t, p in zip(y_true, y_pred))
    fn = sum(t and (not p) for t, p in zip(y_true, y_pred))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "tp": tp, "fp": fp, "fn": fn, "n": len(y_true)}


def evaluate(examples: Iterable[Example], check: Callable[[str], ComplianceResult] = check_text) -> tuple[dict[str, float], list[tuple[Example, ComplianceResult]]]:
    """Run the product's own check over the examples; returns metrics and the misclassified pairs."""
    examples = list(examples)
    results = [check(e.text) for e in examples]
    metrics = precision_recall([not e.compliant for e in examples], [not r.compliant for r in results])
    wrong = [(e, r) for e, r in zip(examples, results) if e.compliant != r.compliant]
    return metrics, wrong


def bootstrap(examples: Sequence[Example], results: Sequence[bool], rounds: int, seed: int = 20261130) -> dict[str, tuple[float, float]]:
    """95% percentile intervals of precision and recall, resampling sentences with replacement."""
    rng = random.Random(seed)
    truth = [not e.compliant for e in examples]
    pairs = list(zip(truth, results))
    stats: dict[str, list[float]] = {"precision": [], "recall": []}
    for _ in range(rounds):
        sample = [pairs[rng.randrange(len(pairs))] for _ in pairs]
        m = precision_recall([t for t, _ in sample], [p for _, p in sample])
        for key in stats:
            stats[key].append(m[key])
    out = {}
    for key, values in stats.items():
        values.sort()
        out[key] = (values[int(0.025 * (rounds - 1))], values[int(0.975 * (rounds - 1))])
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=SPLITS, default=None, help="默认分别报告 dev、test 和全部")
    parser.add_argument("--batch", type=int, default=None, help="只评估某一批句子（1 或 2）")
    parser.add_argument("--dataset", type=Path, default=DATASET)
    parser.add_argument("--bootstrap", type=int, default=0, help="自助法重抽样次数（给出 95% 区间），0 为不计算")
    args = parser.parse_args(argv)
    examples = [e for e in load_examples(args.dataset) if args.batch is None or e.batch == args.batch]
    for split in [args.split] if args.split else list(SPLITS):
        subset = [e for e in examples if split == "all" or e.split == split]
        metrics, wrong = evaluate(subset)
        print(f"[{split}] n={metrics['n']} positives={metrics['tp'] + metrics['fn']} "
              f"precision={metrics['precision']:.3f} recall={metrics['recall']:.3f} f1={metrics['f1']:.3f} "
              f"(tp={metrics['tp']} fp={metrics['fp']} fn={metrics['fn']})")
        if args.bootstrap and subset:
            ci = bootstrap(subset, [not check_text(e.text).compliant for e in subset], args.bootstrap)
            print(f"  95% bootstrap ({args.bootstrap}x): precision [{ci['precision'][0]:.3f}, {ci['precision'][1]:.3f}] "
                  f"recall [{ci['recall'][0]:.3f}, {ci['recall'][1]:.3f}]")
        if split != "all" or args.split == "all":
            for e, r in wrong:
                kind = "漏报" if not e.compliant else "误报"
                spans = "；".join(f"{f.span}（{f.ground}）" for f in r.findings) or "-"
                print(f"  {kind} [{e.ground}] (batch {e.batch}) {e.text}  -> {spans}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
