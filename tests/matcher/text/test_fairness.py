"""Counterfactual resumes that differ only in a protected word rank identically (issue 12, item 10).

Each pair differs only in words about gender (先生/女士, 他/她, 小伙子/姑娘, a given name), hukou
or origin (本地人/外地人, 安徽籍) or childbearing (二胎妈妈). Both directions go through the
product's own matching: jobs for pasted and stored resumes (top 20 of 150 postings from the demo set,
which this test did not write), and seekers on a posting's shortlist.
"""
from __future__ import annotations

import numpy as np
import pytest

from data import demo
from matcher.counsellor.access import LOCAL_ADMIN
from matcher.counsellor.desk import CounsellorDesk
from matcher.inputs import PostingInput, SeekerInput
from matcher.service import JobCircle
from matcher.text.fairness import ProtectedAttributes

BASE = "做过三年仓库管理和出入库盘点，会开叉车，持叉车证，熟悉WMS系统和Excel，期望在虹口区工作。"
PAIRS = [
    ("张先生，", "张女士，"),
    ("他做事认真负责，", "她做事认真负责，"),
    ("小伙子，", "姑娘，"),
    ("本地人，", "外地人，"),
    ("张伟，", "张丽，"),
    ("", "安徽籍，"),
    ("", "二胎妈妈，"),
    ("我叫王强，本地人，小伙子，他", "我叫王芳，安徽籍，二胎妈妈，她"),
]
STREET = "曲阳路街道"


def _postings(n: int = 150) -> list[PostingInput]:
    return [PostingInput.model_validate(row) for row in demo.postings()[:n]]


def _top(results: list[dict]) -> list[tuple[int, float]]:
    return [(r["posting_id"], r["score"]) for r in results]


def test_neutraliser_makes_every_pair_the_same_text():
    protected = ProtectedAttributes()
    for first, second in PAIRS:
        assert protected.neutralise(first + BASE) == protected.neutralise(second + BASE), (first, second)
    # Ordinary words that share characters stay: 其他, 吉他, 本地人才, 高中, 育儿阿姨, 男装.
    kept = "高中学历，熟悉其他办公软件，会弹吉他，做过本地人才招聘、育儿阿姨和男装导购。"
    assert protected.neutralise(kept) == kept
    assert protected.neutralise("王某，做过收银。") == "王某，做过收银。"  # already pseudonymous


@pytest.fixture
def matched(service):
    service.upsert_postings(_postings())
    return service


def test_pasted_resumes_differing_only_in_protected_words_get_the_same_top_20(matched):
    encoded = matched.encoder.encode_documents([PAIRS[-1][0] + BASE, PAIRS[-1][1] + BASE])
    assert not np.array_equal(encoded[0], encoded[1])  # equality below comes from neutralising
    for first, second in PAIRS:
        a = matched.match_text(first + BASE, k=20, street=STREET)["results"]
        b = matched.match_text(second + BASE, k=20, street=STREET)["results"]
        assert len(a) == 20
        assert _top(a) == _top(b), (first, second)
        assert [r["explanation"] for r in a] == [r["explanation"] for r in b]


def test_stored_seekers_differing_only_in_protected_words_get_the_same_jobs_and_ranks(matched):
    desk = CounsellorDesk(matched).start()
    posting_id = matched.create_posting(PostingInput(
        title="仓库管理员", description="负责仓库出入库、盘点和叉车作业。", requirements="持叉车证，熟悉WMS系统", street=STREET))["id"]
    pairs = []
    for first, second in PAIRS:
        a = matched.create_seeker(SeekerInput(resume_text=first + BASE, consent=True, street="广中路街道"))["id"]
        b = matched.create_seeker(SeekerInput(resume_text=second + BASE, consent=True, street="广中路街道"))["id"]
        assert _top(matched.match_seeker(a, k=20)["results"]) == _top(matched.match_seeker(b, k=20)["results"]), (first, second)
        pairs.append((a, b))
    candidates = desk.shortlist(LOCAL_ADMIN, posting_id, k=100)["candidates"]
    order = [c["seeker_id"] for c in candidates]
    by_id = {c["seeker_id"]: c for c in candidates}
    for a, b in pairs:
        assert by_id[a]["fit_score"] == by_id[b]["fit_score"] and by_id[a]["breakdown"] == by_id[b]["breakdown"]
        assert [i for i in order if i != b].index(a) == [i for i in order if i != a].index(b)


@pytest.mark.slow
def test_real_model_gives_counterfactual_pairs_the_same_top_20(settings, real_encoder):
    service = JobCircle(settings, real_encoder).start()
    try:
        service.upsert_postings(_postings(80))
        for first, second in PAIRS:
            a = service.match_text(first + BASE, k=20, street=STREET)["results"]
            b = service.match_text(second + BASE, k=20, street=STREET)["results"]
            assert _top(a) == _top(b), (first, second)
    finally:
        service.stop()
