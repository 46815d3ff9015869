"""A seeker held back by a missing licence is offered the training that grants it; fair shortlists."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from data.access_tables import ServiceRecord
from matcher.activities import recommend
from matcher.activities.fair import fair_shortlist, invite
from matcher.counsellor.access import LOCAL_ADMIN, Principal
from matcher.errors import Conflict
from matcher.inputs import PostingInput, SeekerInput
from tests.matcher.activities.conftest import add_event, add_training

GUARD_POSTINGS = [PostingInput(external_id=f"G{i}", title="小区保安", street="曲阳路街道",
                               requirements="1. 做过门岗巡逻\n2. 持有保安员证", description="小区门岗、巡逻、监控室值班")
                  for i in range(3)]
FORKLIFT = PostingInput(external_id="F1", title="叉车司机", street="曲阳路街道", requirements="持叉车证，做过仓库")
DESIGN = PostingInput(external_id="D1", title="平面设计助理", street="曲阳路街道", requirements="熟练Photoshop、Illustrator")


def _guard_seeker(service, station, text="做过三年小区门岗和巡逻，监控室值班，身体健康。"):
    return service.upsert_seekers([SeekerInput(resume_text=text, consent=True, lat=31.2800, lon=121.4900,
                                               station_id=station)])[0]


def test_a_seeker_without_the_licence_is_offered_the_training_that_grants_it(service, stations, now):
    posting_ids = service.upsert_postings(GUARD_POSTINGS + [DESIGN])
    seeker = _guard_seeker(service, stations[0])
    blocked = recommend.blocked_by_certificates(service, seeker)
    assert sorted(blocked["保安员证"]) == sorted(posting_ids[:3])
    training_id = add_training(service, stations[0], lat=31.2810, lon=121.4910,
                               start_date=(now + timedelta(days=20)).date())
    closed = add_training(service, stations[0], external_id="closed", lat=31.2801, lon=121.4901,
                          registration_deadline=(now - timedelta(days=1)).isoformat())
    body = recommend.recommend_trainings(service, LOCAL_ADMIN, seeker, now=now)
    [rec] = body["recommendations"]
    assert rec["training"]["id"] == training_id and closed not in [a["id"] for a in rec["alternatives"]]
    assert rec["message"] == "考取保安员证后，附近另有 3 个岗位符合您的条件；曲阳路街道社区学校 12月20日开班，补贴性培训"
    assert "3 个要求保安员证" in rec["why"][0] and "小区保安" in rec["why"][0]
    assert rec["declinable"] and "共同决定" in body["note"]
    # Declined: stored, listed apart, not suggested again.
    recommend.decline(service, LOCAL_ADMIN, seeker, "保安证", training_id=training_id, reason="不想上夜班")
    after = recommend.recommend_trainings(service, LOCAL_ADMIN, seeker, now=now)
    assert after["recommendations"] == [] and after["declined"][0]["certificate"] == "保安员证"


def test_a_seeker_who_holds_the_licence_gets_no_training_and_the_gate_mapping_is_accepted(service, stations, now):
    ids = service.upsert_postings(GUARD_POSTINGS + [FORKLIFT])
    holder = _guard_seeker(service, stations[0], "做过三年小区门岗，持保安员证。")
    add_training(service, stations[0], lat=31.2810, lon=121.4910)
    assert "保安员证" not in recommend.blocked_by_certificates(service, holder)
    assert recommend.recommend_trainings(service, LOCAL_ADMIN, holder, {"保安证": ids[:3]}, now=now)["recommendations"] == []
    # The ranking's gate results come as certificate -> posting ids; a certificate without a training nearby is said so.
    other = _guard_seeker(service, stations[0])
    body = recommend.recommend_trainings(service, LOCAL_ADMIN, other, {"保安证": ids[:2], "叉车证": [ids[3]]}, now=now)
    assert [r["certificate"] for r in body["recommendations"]] == ["保安员证"]
    assert body["recommendations"][0]["postings_opened"] == 2
    assert body["no_training_nearby"] == [{"certificate": "叉车证", "postings": 1, "note": "附近暂无可报名的叉车证培训"}]


def test_fair_shortlist_ranks_the_stations_seekers_by_the_fairs_postings_and_invites(service, desk, stations, now):
    service.upsert_postings(GUARD_POSTINGS[:1] + [DESIGN])
    guard = _guard_seeker(service, stations[0])
    designer = _guard_seeker(service, stations[0], "视觉传达设计专业，熟练Photoshop、Illustrator，做过海报设计。")
    cook = _guard_seeker(service, stations[0], "社区食堂帮厨，持健康证。")
    elsewhere = _guard_seeker(service, stations[1], "做过三年小区门岗和巡逻，监控室值班。")
    fair = add_event(service, stations[0], participants="上海虹信物业（示例）:小区保安/G0；上海申虹文化传媒（示例）:平面设计助理/D1")
    counsellor = Principal(user_id=None, role="counsellor", station_ids=frozenset({stations[0]}))
    desk.seekers.refresh(force=True)
    body = fair_shortlist(service, desk, counsellor, fair, now=now)
    ranked = [c["seeker_id"] for c in body["candidates"]]
    assert elsewhere not in ranked and set(ranked[:2]) == {guard, designer} and ranked[-1] == cook
    top = {c["seeker_id"]: c for c in body["candidates"]}
    assert top[designer]["postings"][0]["title"] == "平面设计助理" and "最适合本场的“平面设计助理”" in top[designer]["why"]
    result = invite(service, desk, counsellor, fair, [guard, designer, elsewhere], now=now)
    assert [r["seeker_id"] for r in result["invited"]] == [guard, designer]
    assert result["failed"][0]["seeker_id"] == elsewhere and "没有权限" in result["failed"][0]["reason"]
    with service.db.session() as session:
        codes = session.scalars(select(ServiceRecord.service_code)).all()
    assert codes == ["job_fair_registration", "job_fair_registration"]  # inviting registers; escort is separate
    again = fair_shortlist(service, desk, counsellor, fair, now=now)
    assert {c["seeker_id"] for c in again["candidates"] if c["invited"]} == {guard, designer}


def test_fair_shortlist_needs_linked_postings(service, desk, stations, now):
    fair = add_event(service, stations[0], participants="某公司（示例）:保洁员")
    with pytest.raises(Conflict, match="尚未关联库中的岗位"):
        fair_shortlist(service, desk, LOCAL_ADMIN, fair, now=now)


def test_a_licence_the_posting_only_prefers_does_not_hold_it_back(service, stations):
    required, preferred = service.upsert_postings([
        PostingInput(external_id="R1", title="小区保安", street="曲阳路街道", requirements="做过门岗巡逻；持有保安员证"),
        PostingInput(external_id="R2", title="小区保安", street="曲阳路街道", requirements="做过门岗巡逻；持保安员证者优先"),
    ])
    seeker = _guard_seeker(service, stations[0])
    assert recommend.blocked_by_certificates(service, seeker)["保安员证"] == [required]
