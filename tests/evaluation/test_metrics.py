import math

import pytest

from evaluation import metrics as m


# ---- per-query metrics: edge values -------------------------------------------------------


def test_perfect_ranking_scores_one_everywhere():
    ranked = ["a", "b", "c"]
    grades = {"a": 3, "b": 2, "c": 1}
    assert m.recall_at_k(ranked, grades, 3) == 1.0
    assert m.precision_at_k(ranked, grades, 3) == 1.0
    assert m.ndcg_at_k(ranked, grades, 3) == pytest.approx(1.0)
    assert m.reciprocal_rank(ranked, grades) == 1.0
    assert m.average_precision(ranked, grades, 3) == 1.0
    assert m.hit_rate_at_k(ranked, grades, 1) == 1.0


def test_no_hits_scores_zero_everywhere():
    ranked = ["x", "y", "z"]
    relevant = {"a", "b"}
    assert m.recall_at_k(ranked, relevant, 3) == 0.0
    assert m.precision_at_k(ranked, relevant, 3) == 0.0
    assert m.ndcg_at_k(ranked, relevant, 3) == 0.0
    assert m.reciprocal_rank(ranked, relevant) == 0.0
    assert m.average_precision(ranked, relevant, 3) == 0.0
    assert m.hit_rate_at_k(ranked, relevant, 3) == 0.0


def test_query_without_relevant_items_is_undefined_not_zero():
    assert math.isnan(m.recall_at_k(["a"], set(), 5))
    assert math.isnan(m.ndcg_at_k(["a"], {"a": 0, "b": 0}, 5))
    assert math.isnan(m.average_precision(["a"], {}, 5))


def test_hand_computed_dcg_and_ndcg():
    # grades in rank order: a=3, b=0, c=2, d=1; e (grade 3) was not retrieved.
    grades = {"a": 3, "b": 0, "c": 2, "d": 1, "e": 3}
    dcg = 7 / 1 + 0 / math.log2(3) + 3 / 2 + 1 / math.log2(5)  # gain 2^rel-1, discount log2(i+1)
    ideal = 7 / 1 + 7 / math.log2(3) + 3 / 2 + 1 / math.log2(5)  # grades sorted 3,3,2,1
    assert m.dcg([3, 0, 2, 1]) == pytest.approx(8.930677, abs=1e-6)
    assert m.dcg([3, 0, 2, 1]) == pytest.approx(dcg)
    assert m.ndcg_at_k(["a", "b", "c", "d"], grades, 4) == pytest.approx(dcg / ideal)
    assert m.ndcg_at_k(["a", "b", "c", "d"], grades, 4) == pytest.approx(0.669106, abs=1e-6)


def test_ndcg_rewards_putting_the_higher_grade_first():
    grades = {"good": 3, "ok": 1}
    assert m.ndcg_at_k(["good", "ok"], grades, 2) > m.ndcg_at_k(["ok", "good"], grades, 2)


def test_recall_precision_and_cutoff():
    ranked = ["a", "x", "b", "y", "c"]
    relevant = {"a", "b", "c", "d"}
    assert m.recall_at_k(ranked, relevant, 3) == pytest.approx(2 / 4)
    assert m.precision_at_k(ranked, relevant, 3) == pytest.approx(2 / 3)
    assert m.recall_at_k(ranked, relevant) == pytest.approx(3 / 4)


def test_precision_denominator_is_k_even_for_short_rankings():
    assert m.precision_at_k(["a"], {"a"}, 5) == pytest.approx(0.2)


def test_repeated_items_earn_no_second_hit():
    assert m.precision_at_k(["a", "a", "a"], {"a", "b"}, 3) == pytest.approx(1 / 3)
    assert m.recall_at_k(["a", "a", "b"], {"a", "b"}, 2) == pytest.approx(1.0)


def test_reciprocal_rank_and_average_precision_worked_examples():
    ranked = ["x", "a", "y", "b"]
    relevant = {"a", "b", "c"}
    assert m.reciprocal_rank(ranked, relevant) == pytest.approx(1 / 2)
    assert m.reciprocal_rank(ranked, relevant, k=1) == 0.0
    # hits at ranks 2 and 4: (1/2 + 2/4) / 3 relevant items
    assert m.average_precision(ranked, relevant) == pytest.approx((1 / 2 + 2 / 4) / 3)
    # at k=2 the normaliser is min(3, 2) = 2
    assert m.average_precision(ranked, relevant, 2) == pytest.approx((1 / 2) / 2)


def test_mrr_and_map_average_over_queries_and_skip_unjudged():
    rankings = [["a", "b"], ["x", "a"], ["a"]]
    relevants = [{"a"}, {"a"}, set()]
    assert m.mrr(rankings, relevants) == pytest.approx((1 + 0.5) / 2)
    assert m.mean_average_precision(rankings, relevants, 2) == pytest.approx((1 + 0.5) / 2)


def test_invalid_k_is_rejected():
    with pytest.raises(ValueError):
        m.recall_at_k(["a"], {"a"}, 0)


# ---- catalogue metrics --------------------------------------------------------------------


def test_catalogue_coverage_counts_distinct_items_in_top_k():
    lists = [[1, 2, 5], [2, 3, 6]]
    assert m.catalogue_coverage(lists, 10) == pytest.approx(5 / 10)
    assert m.catalogue_coverage(lists, 10, k=2) == pytest.approx(3 / 10)
    assert m.catalogue_coverage([], 10) == 0.0
    with pytest.raises(ValueError):
        m.catalogue_coverage(lists, 0)


def test_exposure_concentration_on_tiny_cases():
    # 200 items, top 1% = 2 items. Every list shows items 0 and 1, plus one item of its own.
    concentrated = [[0, 1, 100 + i] for i in range(50)]
    assert m.exposure_concentration(concentrated, 0.01, k=3, catalogue_size=200) == pytest.approx(100 / 150)
    # Every item shown exactly once: the top 2 items hold 2 of 200 slots.
    even = [[2 * i, 2 * i + 1] for i in range(100)]
    assert m.exposure_concentration(even, 0.01, k=2, catalogue_size=200) == pytest.approx(0.01)
    # One item everywhere at k=1: all exposure on it.
    assert m.exposure_concentration([[7], [7], [7]], 0.01, k=1, catalogue_size=50) == 1.0


def test_exposure_concentration_validates_inputs():
    assert math.isnan(m.exposure_concentration([[], []], 0.01, k=10, catalogue_size=10))
    with pytest.raises(ValueError):
        m.exposure_concentration([[1, 2, 3]], 0.01, k=3, catalogue_size=2)
    with pytest.raises(ValueError):
        m.exposure_concentration([[1]], 0.0)


# ---- group parity -------------------------------------------------------------------------


def test_group_exposure_parity_per_member_and_position_weighted():
    groups = {"a": "X", "b": "X", "c": "Y", "d": "Y"}
    lists = [["a", "c"], ["a", "d"]]
    flat = m.group_exposure_parity(lists, groups, k=2, position_weighted=False)
    assert flat.values == {"X": pytest.approx(1.0), "Y": pytest.approx(1.0)}
    assert flat.ratio == pytest.approx(1.0)
    weighted = m.group_exposure_parity(lists, groups, k=2)
    # X: a at rank 1 twice -> 2 / 2 members; Y: c, d at rank 2 once each -> 2/log2(3) / 2 members
    assert weighted.values["X"] == pytest.approx(1.0)
    assert weighted.values["Y"] == pytest.approx(1 / math.log2(3))
    assert weighted.ratio == pytest.approx(math.log2(3))
    assert weighted.worst_group == "Y" and weighted.best_group == "X"


def test_group_never_exposed_gives_infinite_ratio():
    parity = m.group_exposure_parity([["a"]], {"a": "本市户籍", "b": "就业困难人员"}, k=1)
    assert parity.values["就业困难人员"] == 0.0
    assert parity.ratio == math.inf
    assert parity.worst_group == "就业困难人员"


def test_group_hit_rate_parity():
    rankings = {"q1": ["j1"], "q2": ["j2"], "q3": ["j3"], "q4": ["x"], "q5": ["j5"]}
    relevance = {"q1": {"j1": 1}, "q2": {"j2": 2}, "q3": {"j3": 1}, "q4": {"j4": 1}, "q5": {}}
    groups = {"q1": "高中", "q2": "高中", "q3": "初中及以下", "q4": "初中及以下", "q5": "初中及以下"}
    parity = m.group_hit_rate_parity(rankings, relevance, groups, k=1)
    assert parity.values == {"高中": 1.0, "初中及以下": 0.5}
    assert parity.sizes == {"高中": 2, "初中及以下": 2}  # q5 has nothing relevant: left out
    assert parity.ratio == pytest.approx(2.0)
    assert parity.worst_group == "初中及以下"


# ---- evaluator ----------------------------------------------------------------------------


def test_evaluate_rankings_perfect_and_flat_names():
    relevance = {"q1": {"a": 2, "b": 1}, "q2": {"c": 1}}
    rankings = {"q1": ["a", "b", "z"], "q2": ["c", "y"]}
    result = m.evaluate_rankings(rankings, relevance, ks=(1, 2))
    assert set(result) >= {"recall@2", "precision@1", "ndcg@1", "ndcg@2", "map@2", "hit_rate@1", "mrr", "n_queries"}
    assert result["ndcg@2"] == pytest.approx(1.0)
    assert result["recall@2"] == pytest.approx(1.0)
    assert result["mrr"] == pytest.approx(1.0)
    assert result["precision@2"] == pytest.approx((2 / 2 + 1 / 2) / 2)
    assert all(isinstance(v, float) for v in result.values())


def test_evaluate_rankings_counts_missing_rankings_as_misses_and_skips_unjudged():
    relevance = {"q1": {"a": 1}, "q2": {"b": 1}, "q3": {"c": 0}}
    rankings = {"q1": ["a"]}
    result = m.evaluate_rankings(rankings, relevance, ks=(5,))
    assert result["n_queries"] == 2.0
    assert result["recall@5"] == pytest.approx(0.5)
    assert result["ndcg@5"] == pytest.approx(0.5)


def test_evaluate_rankings_with_catalogue_and_groups():
    relevance = {"q1": {"a": 1}, "q2": {"b": 1}}
    rankings = {"q1": ["a", "c"], "q2": ["a", "c"]}
    result = m.evaluate_rankings(rankings, relevance, ks=(2,), catalogue_size=4,
                                 query_groups={"q1": "A", "q2": "B"})
    assert result["coverage@2"] == pytest.approx(2 / 4)
    assert result["exposure_top1pct@2"] == pytest.approx(0.5)
    assert result["hit_rate_parity@2/A"] == 1.0
    assert result["hit_rate_parity@2/B"] == 0.0
    assert result["hit_rate_parity@2/ratio"] == math.inf
