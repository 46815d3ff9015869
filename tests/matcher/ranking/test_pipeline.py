"""The one ranking pipeline, through the service, with a keyword encoder whose cosines are exact."""
import math

import numpy as np
import pytest

from matcher.geo.geo import Commute
from matcher.inputs import PostingInput, SeekerInput
from matcher.ranking.explain import explain_match
from matcher.ranking.pipeline import rank
from matcher.ranking.scoring import WEIGHTS, score_pair
from matcher.service import JobCircle
from matcher.types import Direction, Side
from models.encoder import HashingEncoder
from tests.keyword_encoder import KeywordEncoder

KEYWORDS = ["焊", "叉车", "厨", "保洁"]


@pytest.fixture
def keyword_service(settings):
    service = JobCircle(settings, KeywordEncoder(KEYWORDS)).start()
    yield service
    service.stop()


def test_keyword_encoder_gives_exact_similarities_and_semantic_parts(keyword_service):
    service = keyword_service
    both, weld, cook = service.upsert_postings([
        PostingInput(title="叉车司机", requirements="会开叉车，懂一点焊接"),  # 焊 + 叉车: cosine 1
        PostingInput(title="电焊工", requirements="焊接"),  # 焊 only: cosine 1/sqrt(2)
        PostingInput(title="厨师", requirements="炒菜"),  # no shared keyword: cosine 0
    ])
    results = service.match_text("做过焊接，也开过叉车", k=3)["results"]
    by_id = {r["posting_id"]: r for r in results}
    assert [r["posting_id"] for r in results][:2] == [both, weld]
    assert by_id[both]["similarity"] == 1.0
    assert by_id[weld]["similarity"] == round(1 / math.sqrt(2), 4) == 0.7071
    assert by_id[cook]["similarity"] == 0.0
    w = WEIGHTS
    assert by_id[both]["breakdown"]["semantic"] == w["semantic"]
    assert by_id[weld]["breakdown"]["semantic"] == round(w["semantic"] * (1 / math.sqrt(2) - 0.6) / 0.3, 4)
    assert by_id[cook]["breakdown"]["semantic"] == 0.0
    for result in results:  # unknowns are neutral, with the values the table states
        assert result["breakdown"]["proximity"] == round(0.5 * w["proximity"], 4)
        assert result["breakdown"]["salary"] == round(0.7 * w["salary"], 4)
        assert result["breakdown"]["education"] == w["education"] and result["breakdown"]["experience"] == w["experience"]
        assert result["breakdown"]["occupation"] == round(0.5 * w["occupation"], 4)
        assert result["breakdown"]["gates"] == w["gates"] and result["gates"] == []
        assert result["score"] == pytest.approx(sum(result["breakdown"].values()), abs=1e-4)


def _world(service, fillers=80):
    """Many near postings that look right but fit badly, and one far posting that fits well.

    With equal cosines (keyword encoder) a cheap pre-score on similarity and distance alone puts the
    far posting below all the near ones; only scoring every candidate finds that it fits best.
    """
    near = [PostingInput(title=f"设计助理{n}", requirements="熟练CorelDRAW、InDesign", education="博士",
                         experience_min=10, salary="3000元/月", street="广中路街道") for n in range(fillers)]
    best = PostingInput(title="设计", requirements="熟练Photoshop", salary="8000元/月", lat=31.03, lon=121.22)
    ids = service.upsert_postings(near + [best])
    seeker_id = service.create_seeker(SeekerInput(resume_text="设计专业，熟练Photoshop", consent=True,
                                                  street="广中路街道", expected_salary=6500))["id"]
    return seeker_id, ids[-1]


def test_the_first_five_at_k50_are_the_top_five_at_k5(settings):
    service = JobCircle(settings, KeywordEncoder(["设计"])).start()
    try:
        seeker_id, best = _world(service)
        top5 = service.match_seeker(seeker_id, k=5)["results"]
        top50 = service.match_seeker(seeker_id, k=50)["results"]
        assert top5[0]["posting_id"] == best  # far, but the only one that fits
        assert [r["posting_id"] for r in top50[:5]] == [r["posting_id"] for r in top5]
        assert [r["score"] for r in top50[:5]] == [r["score"] for r in top5]
        scores = [r["score"] for r in top50]
        assert scores == sorted(scores, reverse=True)
    finally:
        service.stop()


class _Commute:
    """A stand-in travel model: minutes = 10 x |lat difference| x 100, symmetric."""

    def estimate(self, origin, dest, *, approximate=False):
        minutes = abs(origin[0] - dest[0]) * 1000
        return Commute(minutes, "walk", minutes / 12, f"步行约{minutes:.0f}分钟", approximate)

    def estimate_many(self, origin, dests, *, keys=None):
        return [self.estimate(origin, tuple(d)).minutes for d in dests], ["walk"] * len(dests)


def test_rank_scores_both_directions_with_the_same_numbers():
    seeker = Side(id=1, skills=frozenset({"叉车"}), point=(31.000, 121.0), salary_low=5000)
    posting = Side(id=7, skills=frozenset({"叉车", "电工证"}), point=(31.030, 121.0), salary_high=5000)
    jobs = rank(Direction.JOBS, seeker, [posting], [0.8], commute=_Commute(), k=1)
    seekers = rank(Direction.SEEKERS, posting, [seeker], [0.8], commute=_Commute(), k=1)
    assert jobs[0].scored.components == seekers[0].scored.components
    assert jobs[0].scored.score == seekers[0].scored.score
    assert jobs[0].scored.components["proximity"] == pytest.approx(1 - (30 - 15) / 60)


def test_travel_limits_drop_only_candidates_known_to_be_too_far():
    posting = Side(id=7, point=(31.0, 121.0))
    near = Side(id=1, point=(31.010, 121.0))  # 10 minutes
    far = Side(id=2, point=(31.050, 121.0))  # 50 minutes
    unknown = Side(id=3)
    ranked = rank(Direction.SEEKERS, posting, [near, far, unknown], [0.7, 0.9, 0.7], commute=_Commute(), k=3,
                  max_minutes=[30, 30, 30])
    assert sorted(r.side.id for r in ranked) == [1, 3]
    ranked = rank(Direction.SEEKERS, posting, [near, far], [0.7, 0.9], commute=_Commute(), k=3,
                  max_minutes=[None, 0])  # no limit given
    assert sorted(r.side.id for r in ranked) == [1, 2]


@pytest.mark.parametrize("seeker_level,expected", [
    (4, "学历符合（要求本科及以上）"), (3, "学历比要求低一级（要求本科及以上）"), (2, "学历低于要求（要求本科及以上）"),
    (None, "要求本科及以上，简历未写明学历"),
])
def test_explanation_judges_education_by_the_score_rule(seeker_level, expected):
    posting = Side(id=2, education=4)
    scored = score_pair(Side(id=1, education=seeker_level), posting, 0.7, None)
    text = explain_match(Side(id=1, education=seeker_level), posting, scored)
    assert expected in text
    assert scored.components["education"] == {4: 1.0, 3: 0.5, 2: 0.0, None: 1.0}[seeker_level]  # unknown: neutral


@pytest.mark.parametrize("offered,verdict", [(6000, "达到"), (5000, "略低于"), (4000, "低于")])
def test_explanation_reads_pay_off_the_salary_component(offered, verdict):
    posting = Side(id=2, salary_low=offered, salary_high=offered, salary_text=f"{offered}元/月")
    seeker = Side(id=1, salary_low=6000)
    text = explain_match(seeker, posting, score_pair(seeker, posting, 0.7, None))
    assert f"薪资{offered}元/月，{verdict}期望的6000元" in text


def test_explanation_names_the_occupation():
    posting = Side(id=2, occupation_name="平面设计人员")
    text = explain_match(Side(id=1), posting, score_pair(Side(id=1), posting, 0.7, None))
    assert text.startswith("岗位属于“平面设计人员”")


def test_the_shown_rows_are_read_in_the_full_order_however_far_duplicates_reach():
    """`_best_first` sorts only the best rows (ties with the last included) before falling back to
    the full order: the sequence must be `ranking.order()` exactly, with ties and at every k."""
    from types import SimpleNamespace

    from matcher.ranking.pipeline import _best_first

    rng = np.random.default_rng(4)
    for trial in range(40):
        n = int(rng.integers(1, 400))
        scores = np.round(rng.choice([0.5, 0.51, 0.7], n) if trial % 2 else rng.random(n), 4)  # many ties
        ids = rng.permutation(np.arange(1, 5 * n + 1))[:n].astype(np.int64)
        ranking = SimpleNamespace(scores=scores, cands=SimpleNamespace(ids=ids),
                                  order=lambda s=scores, i=ids: np.lexsort((i, -s)))
        for k in (1, 5, 10, 50):
            assert list(_best_first(ranking, k)) == ranking.order().tolist()


def test_the_pool_carries_every_channels_candidate_once_with_its_figures(keyword_service):
    """`job_candidates` hands `columnar.candidates` one Pool of arrays: distinct ids, a cosine and a BM25
    score for each, and the query's ideal BM25; the candidates keep the pool's order and numbers."""
    import time

    from matcher.ranking.columnar import candidates
    from matcher.ranking.pipeline import MatchFilters, job_candidates

    service = keyword_service
    service.upsert_postings([PostingInput(title=f"{word}工{n}", requirements=f"会{word}，肯吃苦")
                             for n in range(6) for word in KEYWORDS])
    seeker = Side(id=0, skills=frozenset({"叉车"}), point=(31.23, 121.47))
    vector = service.encoder.encode_queries(["叉车 焊工"])[0]
    postings = service.parts.postings
    pool = job_candidates(postings, vector, seeker, MatchFilters(), service.settings, "会开叉车，也会焊")
    assert len(pool) and pool.lexical is not None and (pool.lexical > 0).any() and pool.ideal > 0
    assert len(set(pool.ids.tolist())) == len(pool) == len(pool.cosines) == len(pool.lexical)
    with postings.lock:
        cands = candidates(postings.entries.columns, pool, now=time.time(), seeker=seeker)
    assert cands.ids.tolist() == pool.ids.tolist()  # every one open and unfiltered here
    assert np.array_equal(cands.cosines, pool.cosines) and np.array_equal(cands.lexical, pool.lexical)
