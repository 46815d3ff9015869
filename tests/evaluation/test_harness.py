"""The evaluation harness on tiny synthetic data with the test encoder: every method, every metric."""
import json
import math

import pytest

from evaluation import harness, synthetic
from matcher.ranking.scoring import WEIGHTS
from models.encoder import HashingEncoder

METHODS = ["random", "popularity", "tfidf", "bm25", "embedding", "matcher"] + [f"matcher-no-{c}" for c in WEIGHTS]


@pytest.fixture(scope="module")
def evaluation(tmp_path_factory):
    dataset = synthetic.make_dataset(160, 24, seed=3)
    work = tmp_path_factory.mktemp("eval-db")
    return harness.evaluate(dataset, HashingEncoder(256), work_dir=work, with_reranker=False, log=lambda _: None)


def test_one_table_holds_every_method_with_every_metric(evaluation, tmp_path):
    assert [row["method"] for row in evaluation.rows] == METHODS
    for row in evaluation.rows:
        for column in harness.TABLE_COLUMNS[1:]:
            assert column in row, (row["method"], column)
            assert isinstance(row[column], float)
        for k in (5, 10, 20):
            assert 0.0 <= row[f"ndcg@{k}"] <= 1.0 and 0.0 <= row[f"recall@{k}"] <= 1.0
        assert row["p50_ms"] <= row["p95_ms"]
        assert row["n_queries"] == 24.0

    run_dir = harness.write_report(evaluation, tmp_path / "run")
    summary = (run_dir / "summary.md").read_text(encoding="utf-8")
    for method in METHODS:
        assert f"| {method} |" in summary
    assert "ndcg@10" in summary and "hit_parity@10/priority" in summary and "SYNTHETIC" in summary
    saved = json.loads((run_dir / "metrics.json").read_text(encoding="utf-8"))
    assert [m["method"] for m in saved["methods"]] == METHODS
    assert saved["machine"]["cpu_count"] >= 1
    header = (run_dir / "metrics.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
    assert {"method", "ndcg@10", "coverage@10", "exposure_top1pct@10", "p95_ms"} <= set(header)
    for plot in ("metric_bars.png", "group_exposure.png"):
        assert (run_dir / plot).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_text_methods_beat_random_on_planted_relevance(evaluation):
    by_name = {row["method"]: row for row in evaluation.rows}
    assert by_name["bm25"]["ndcg@10"] > by_name["random"]["ndcg@10"] + 0.2
    assert by_name["matcher"]["ndcg@10"] > by_name["random"]["ndcg@10"] + 0.2


def test_ablations_drop_exactly_one_component_and_renormalise():
    for component in WEIGHTS:
        weights = harness.ablation_weights(component)
        assert component not in weights and set(weights) == set(WEIGHTS) - {component}
        assert math.isclose(sum(weights.values()), 1.0)
    with pytest.raises(KeyError):
        harness.ablation_weights("gender")


def test_parity_covers_every_group_of_seekers(evaluation):
    dataset_groups = synthetic.make_dataset(160, 24, seed=3).groups()
    matcher = next(row for row in evaluation.rows if row["method"] == "matcher")
    for grouping in harness.GROUPINGS:
        exposure = matcher["groups"][grouping]["opportunity_exposure@10"]
        assert set(exposure) == set(dataset_groups[grouping].values())


def test_planted_relevance_follows_the_documented_grades():
    data = synthetic.make_dataset(300, 30, seed=1)
    postings = {p.key: p for p in data.postings}
    relevance = data.relevance()
    seen = set()
    for seeker in data.seekers:
        for key, grade in relevance[seeker.key].items():
            posting = postings[key]
            seen.add(grade)
            if grade >= 2:
                assert posting.code == seeker.code
            if grade == 3:
                assert posting.skills & seeker.skills
            if grade == 1:
                assert posting.category == seeker.category or posting.code[:7] == seeker.code[:7]
        unjudged = [p for p in data.postings if p.key not in relevance[seeker.key]]
        assert all(p.category != seeker.category and p.code[:7] != seeker.code[:7] for p in unjudged)
    assert seen == {1, 2, 3}
    # Same seed, same data.
    again = synthetic.make_dataset(300, 30, seed=1)
    assert [p.row for p in again.postings] == [p.row for p in data.postings]
