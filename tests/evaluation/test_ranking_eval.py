"""The ranking benchmark: its data and grades, its split, its metrics, and one run end to end."""
from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest

from evaluation import ranking_eval
from evaluation.datasets.ranking import build
from evaluation.datasets.ranking.build import Benchmark, grade_pair, load, make_grades, make_split
from evaluation.ranking_eval import Answer, abstention_pr, resume_metrics, summarise, tune_threshold
from matcher.inputs import PostingInput
from models.encoder import HashingEncoder


@pytest.fixture(scope="module")
def bench() -> Benchmark:
    return load()


# ---------------------------------------------------------------- data and grades


def test_the_benchmark_has_the_size_and_mix_it_promises(bench):
    assert len(bench.postings) >= 150
    assert len(bench.resumes) >= 60
    strata = Counter(r["stratum"] for r in bench.resumes)
    assert strata["hard"] * 3 >= len(bench.resumes)
    assert len({p["occ"] for p in bench.postings}) >= 15
    tags = Counter(t for r in bench.resumes for t in r["tags"])
    for tag in ("synonym", "licence", "denied", "day_only", "career_change", "out_of_field", "garbage"):
        assert tags[tag] >= 2, tag
    assert all(p["source"] == "hand-written" for p in bench.postings)


def test_every_posting_is_a_valid_product_input(bench):
    for p in bench.postings:
        PostingInput.model_validate(p["posting"])


def test_grades_file_matches_the_written_judgements(bench):
    """The committed grades.csv is exactly what the judgements in pool_resumes.py give."""
    from evaluation.datasets.ranking.pool_resumes import R

    assert make_grades(R, build.posting_rows()) == bench.grades
    assert [p["id"] for p in build.posting_rows()] == [p["id"] for p in bench.postings]


def test_grades_are_complete_and_consistent(bench):
    posting_ids = {p["id"] for p in bench.postings}
    assert len(posting_ids) == len(bench.postings)
    assert set(bench.grades) == {r["id"] for r in bench.resumes}
    for resume in bench.resumes:
        grades = bench.grades[resume["id"]]
        assert set(grades) <= posting_ids
        assert all(g in (1, 2, 3) for g in grades.values())
        has_suitable = any(g >= 2 for g in grades.values())
        assert resume["nothing_suitable"] == (not has_suitable), resume["id"]
        assert resume["nothing_suitable"] == (resume["stratum"] == "none"), resume["id"]


def test_licence_and_day_shift_rules_cap_the_grade():
    posting = {"id": "x", "occ": "security", "shift": "night", "licence": "保安员证"}
    assert grade_pair({"targets": {"security": 3}}, posting) == 3
    assert grade_pair({"targets": {"security": 3}, "lacks": ["保安员证"]}, posting) == 1
    assert grade_pair({"targets": {"security": 3}, "day_only": True}, posting) == 1
    assert grade_pair({"targets": {"security": 3}, "day_only": True, "overrides": {"x": 2}}, posting) == 2
    assert grade_pair({"targets": {"x": 2, "security": 3}}, posting) == 2


def test_a_denied_licence_is_graded_below_the_postings_that_do_not_need_it(bench):
    # r110: 没有电工证 -> licensed electrician postings are 1, the apprentice post is 3.
    grades = bench.grades["r110"]
    assert grades["p101"] == 1 and grades["p104"] == 3


# ---------------------------------------------------------------- split


def test_split_is_deterministic_disjoint_complete_and_stratified(bench):
    assert make_split(bench.resumes) == make_split(bench.resumes) == bench.split
    dev, test = set(bench.split["dev"]), set(bench.split["test"])
    assert not dev & test
    assert dev | test == {r["id"] for r in bench.resumes}
    for stratum in build.STRATA:
        for garbage in (False, True):
            ids = {r["id"] for r in bench.resumes if r["stratum"] == stratum and ("garbage" in r["tags"]) == garbage}
            assert abs(len(ids & dev) - len(ids & test)) <= 1, stratum
    assert make_split(bench.resumes, seed=1) != bench.split


# ---------------------------------------------------------------- metrics on a worked example


def test_resume_metrics_on_a_worked_example():
    grades = {"a": 3, "b": 1, "c": 2}
    m = resume_metrics(Answer(["b", "a", "x"], False), grades, False)
    # DCG = (2^1-1)/log2(2) + (2^3-1)/log2(3) = 1 + 7/1.585 = 5.4165
    # ideal = 7 + 3/log2(3) + 1/2 = 7 + 1.8928 + 0.5 = 9.3928
    assert m["ndcg@5"] == pytest.approx((1 + 7 / math.log2(3)) / (7 + 3 / math.log2(3) + 0.5))
    assert m["hit@1"] == 0.0          # b has grade 1: not a suitable job
    assert m["mrr"] == pytest.approx(0.5)  # first suitable (a) at rank 2
    abstained = resume_metrics(Answer([], True), grades, False)
    assert abstained["ndcg@5"] == 0.0 and abstained["hit@1"] == 0.0 and abstained["abstained"] == 1.0
    nothing = resume_metrics(Answer([], True), {}, True)
    assert math.isnan(nothing["ndcg@5"]) and nothing["nothing_suitable"] == 1.0


def test_abstention_precision_and_recall():
    abstained = np.array([True, True, False, False, True])
    positive = np.array([True, False, True, False, True])
    assert abstention_pr(abstained, positive) == (pytest.approx(2 / 3), pytest.approx(2 / 3))
    p, r = abstention_pr(np.zeros(3, bool), np.array([True, False, False]))
    assert math.isnan(p) and r == 0.0


def test_paired_interval_is_zero_when_the_matcher_equals_a_baseline():
    resumes = [{"id": f"r{i}", "stratum": "hard" if i % 2 else "easy", "nothing_suitable": False} for i in range(10)]
    rows = {r["id"]: {"ndcg@5": (i % 3) / 3, "hit@1": 1.0, "mrr": 1.0, "abstained": 0.0, "nothing_suitable": 0.0}
            for i, r in enumerate(resumes)}
    worse = {rid: dict(v, **{"ndcg@5": 0.0}) for rid, v in rows.items()}
    out = summarise({"tfidf": rows, "bm25": worse, "dense": worse, "matcher": rows}, resumes, n_boot=200)
    assert out["paired"]["all"]["best_baseline"] == "tfidf"
    assert out["paired"]["all"]["mean_diff"] == 0.0 and out["paired"]["all"]["ci"] == (0.0, 0.0)


def test_threshold_is_tuned_to_abstain_on_garbage(bench):
    baseline = ranking_eval.ScoredBaseline("tfidf", bench.postings)
    dev = bench.resumes_in("dev")
    threshold = tune_threshold(baseline, dev, bench.grades)
    assert baseline.answer("😀😀😀😀", 10, threshold).abstained
    assert not baseline.answer("持保安员证，在小区做过5年保安，门岗值班巡逻", 10, threshold).abstained


# ---------------------------------------------------------------- end to end through the product


def test_harness_runs_end_to_end_on_a_tiny_subset(bench, tmp_path):
    keep_resumes = {"r001", "r110", "r116", "r201", "r301", "r009"}
    resumes = [r for r in bench.resumes if r["id"] in keep_resumes]
    wanted = {pid for r in resumes for pid in bench.grades[r["id"]]}
    postings = [p for p in bench.postings if p["id"] in wanted][:30] + \
        [p for p in bench.postings if p["id"] not in wanted][:10]
    kept_ids = {p["id"] for p in postings}
    grades = {rid: {p: g for p, g in bench.grades[rid].items() if p in kept_ids} for rid in keep_resumes}
    split = {"dev": sorted(keep_resumes), "test": sorted(keep_resumes)}
    tiny = Benchmark(postings, resumes, grades, split)
    result = ranking_eval.run(tiny, "test", HashingEncoder(64), tmp_path / "svc", n_boot=50, log=lambda _: None)
    assert {row["method"] for row in result["rows"]} == set(ranking_eval.METHODS)
    assert set(result["answers"]["matcher"]) == keep_resumes
    for answer in result["answers"]["matcher"].values():
        assert set(answer["ranked"]) <= kept_ids  # product ids mapped back to benchmark ids
    assert set(result["paired"]) == {"all", "hard", "easy"}
    text = ranking_eval.markdown(result, "## tiny")
    assert "| all | matcher |" in text and "matcher −" in text


def test_command_line_writes_the_report(tmp_path, monkeypatch, capsys):
    small = load()
    monkeypatch.setattr(ranking_eval, "load", lambda: Benchmark(small.postings[:40], small.resumes,
                                                                small.grades, small.split))
    assert ranking_eval.main(["--split", "test", "--boot", "20", "--out", str(tmp_path / "rep")]) == 0
    out = capsys.readouterr().out
    assert "SMOKE RUN" in out and "| hard | bm25 |" in out
    assert (tmp_path / "rep" / "summary.md").exists() and (tmp_path / "rep" / "results.json").exists()


@pytest.mark.slow
def test_real_model_run_on_a_small_subset(bench, real_encoder, tmp_path):
    """The real m3e-small path: dense and matcher both put a suitable job first for a plain guard resume."""
    resumes = [r for r in bench.resumes if r["id"] in {"r001", "r013", "r301"}]
    tiny = Benchmark(bench.postings, resumes, {r["id"]: bench.grades[r["id"]] for r in resumes},
                     {"dev": [r["id"] for r in resumes], "test": [r["id"] for r in resumes]})
    result = ranking_eval.run(tiny, "test", real_encoder, tmp_path / "svc", n_boot=20, log=lambda _: None)
    for method in ("dense", "matcher"):
        first = result["answers"][method]["r001"]["ranked"][0]
        assert bench.grades["r001"].get(first, 0) >= 2, (method, first)


def test_every_benchmark_posting_is_publishable(bench):
    """A posting the product holds as a draft could never be ranked: the benchmark would measure compliance."""
    from matcher.text.compliance import blocks_publication, check_posting

    for p in bench.postings:
        fields = {k: p["posting"][k] for k in ("title", "description", "requirements")}
        assert not blocks_publication(check_posting(fields)), p["id"]
