"""The array-based hot path answers exactly what the per-candidate path answered.

A fixed, seeded world (demo postings and seekers, hand-written gates, duplicates, coarse places, the
occupation coder fitted on the hashing encoder) is matched with several k and filters; every answer,
order and content (scores, components, explanations, commute sentences), must equal the reference
captured from the per-candidate implementation before it was replaced
(`tests/matcher/ranking/data/hot_path_reference.json`). To capture it again (only on purpose, when a
ranking change is intended):

    python -m tests.matcher.ranking.test_hot_path_reference --write
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from data import demo
from data.schema import Posting
from matcher.duplicates import original_of, set_mark
from matcher.inputs import PostingInput, SeekerInput
from matcher.ranking.pipeline import MatchFilters
from matcher.service import JobCircle
from matcher.settings import Settings
from models.encoder import HashingEncoder

REFERENCE = Path(__file__).parent / "data" / "hot_path_reference.json"

HAND_POSTINGS = [
    # Certificates, nights, coarse and wide places, duplicates (same employer, title, address, text).
    dict(title="叉车司机", employer="上海示例物流（示例）", requirements="持有叉车证，能上夜班倒班", street="广中路街道",
         salary="6000-7000元/月"),
    dict(title="叉车司机", employer="上海示例物流（示例）", requirements="持有叉车证，能上夜班倒班", street="广中路街道",
         salary="6000-7000元/月", external_id="DUP-1"),
    dict(title="电工", employer="上海示例物业（示例）", requirements="持有低压电工作业证，三年以上经验", lat=31.27, lon=121.48, address="虹口区广中路100号",
         salary="7000-9000元/月", experience_min=3),
    dict(title="电工", employer="上海示例物业（示例）", requirements="持有低压电工作业证，三年以上经验", lat=31.27, lon=121.48, address="虹口区广中路100号",
         salary="7000-9000元/月", experience_min=3, external_id="DUP-2"),
    dict(title="保洁员", employer="上海示例保洁（示例）", requirements="做事认真，夜班保洁", address="浦东新区"),
    dict(title="保安", employer="上海示例安保（示例）", requirements="持有保安员证，需倒班", address="上海市宝山区",
         salary="5000元/月"),
    dict(title="厨师", employer="上海示例餐饮（示例）", requirements="会炒菜，持健康证", lat=31.03, lon=121.22,
         salary="8000元/月", accessible=True),
    dict(title="仓库管理员", employer="上海示例仓储（示例）", requirements="熟悉库存管理，会用Excel", street="嘉兴路街道",
         salary="5000-6000元/月", education="高中"),
]
HAND_SEEKERS = [
    dict(name="甲", resume_text="想找电工的活，但没有电工证。做过三年物业维修。", street="广中路街道", expected_salary=7000),
    dict(name="乙", resume_text="保洁5年，只做白班，晚上要接孩子。", lat=31.27, lon=121.481, max_commute_minutes=30),
    dict(name="丙", resume_text="以前做保洁，现在想做仓库管理员，会用Excel。证件齐全。", street="嘉兴路街道"),
    dict(name="丁", resume_text="退伍军人，想做保安，门岗巡逻都行，没有保安员证。", address="上海市宝山区"),
    dict(name="戊", resume_text="开过叉车，有叉车证，能倒班。", lat=31.25, lon=121.50, expected_salary=6500),
    dict(name="己", resume_text="！！！…… 123", street="广中路街道"),
]
TEXTS = [
    dict(resume_text="做过焊接，也开过叉车，会电工", street="广中路街道"),
    dict(resume_text="厨师，会炒菜，持健康证", lat=31.04, lon=121.23),
    dict(resume_text="想找保洁的工作，只能上白班"),
]
CASES = [  # (k, filters)
    (10, {}),
    (3, {}),
    (25, {}),
    (10, {"max_commute_minutes": 20}),
    (10, {"min_salary": 6000}),
    (10, {"accessible_only": True}),
]


def build_service(data_dir: Path) -> tuple[JobCircle, list[int], list[int]]:
    from matcher.occupations.coder import OccupationCoder

    encoder = HashingEncoder(256)
    settings = Settings(data_dir=data_dir, encoder="hashing-256", refresh_interval_s=0.0, occupation_coding=True)
    service = JobCircle(settings, encoder, coder=OccupationCoder(encoder).fit()).start()
    posting_ids = service.upsert_postings([PostingInput.model_validate(r) for r in demo.postings(300, seed=5)])
    for row in HAND_POSTINGS:  # one at a time: a repeat is marked against an original already stored
        posting_ids += service.upsert_postings([PostingInput.model_validate(row)])
    with service.db.session() as session, session.begin():  # the twins marked as the import marks them
        for twin in (posting_ids[-7], posting_ids[-5]):
            row = session.get(Posting, twin)
            assert set_mark(row, original_of(session, row))
            row.change_seq = service.db.take_seq(session, "postings", 1)
    service.refresh(force=True)
    seekers = [SeekerInput.model_validate(r) for r in demo.seekers(24, seed=9)]
    seekers += [SeekerInput.model_validate(r | {"consent": True}) for r in HAND_SEEKERS]
    return service, service.upsert_seekers(seekers), posting_ids[-len(HAND_POSTINGS):]


def answers(service: JobCircle, seeker_ids: list[int]) -> dict:
    out = {}
    for seeker_id in seeker_ids:
        for k, filters in CASES:
            answer = service.match_seeker(seeker_id, k=k, filters=MatchFilters(**filters))
            out[f"seeker {seeker_id} k={k} {sorted(filters.items())}"] = answer
    for n, text in enumerate(TEXTS):
        body = dict(text)
        resume = body.pop("resume_text")
        for k, filters in CASES[:3]:
            out[f"text {n} k={k}"] = service.match_text(resume, k=k, filters=MatchFilters(**filters), **body)
    return json.loads(json.dumps(out, ensure_ascii=False))


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    service, seeker_ids, hand = build_service(tmp_path_factory.mktemp("hot_path"))
    yield service, seeker_ids, hand
    service.stop()


def test_answers_equal_the_reference_in_order_and_content(world):
    service, seeker_ids, hand = world
    expected = json.loads(REFERENCE.read_text(encoding="utf-8"))
    got = answers(service, seeker_ids)
    assert list(got) == list(expected)
    # Sanity: the world exercises what the array path must reproduce.
    flat = [r for a in expected.values() for r in a["results"] + a["weak_alternatives"]]
    assert any(r["gates"] for r in flat)
    shown = [{r["posting_id"] for r in a["results"]} for a in expected.values()]
    twins = [(hand[0], hand[1]), (hand[2], hand[3])]  # a duplicate is collapsed into its original
    assert all(not {a, b} <= ids for ids in shown for a, b in twins) and any(hand[2] in ids for ids in shown)
    assert any(r["commute_minutes"] is None and r["commute_mode"] is None for r in flat)
    assert any(r["components"]["occupation"] not in (0.5,) for r in flat)
    for key in expected:
        assert got[key] == expected[key], key


if __name__ == "__main__" and "--write" in sys.argv:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        svc, ids, _ = build_service(Path(tmp))
        REFERENCE.parent.mkdir(exist_ok=True)
        REFERENCE.write_text(json.dumps(answers(svc, ids), ensure_ascii=False), encoding="utf-8")
        svc.stop()
        print(f"wrote {REFERENCE}")
