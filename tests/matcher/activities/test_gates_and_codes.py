"""Recommendations follow the ranking's own gates; registrations have their own service codes;
陪同招聘会 is recorded only when a counsellor went along."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from data.access_tables import ServiceRecord
from matcher.activities import common, recommend, registrations
from matcher.activities.fair import invite, record_escort
from matcher.counsellor import records
from matcher.counsellor.access import LOCAL_ADMIN, Principal
from matcher.errors import Conflict, InvalidInput
from matcher.inputs import PostingInput, SeekerInput
from matcher.service import JobCircle
from tests.keyword_encoder import KeywordEncoder
from tests.matcher.activities.conftest import add_event, add_training

KEYWORDS = ["保安", "叉车", "门岗", "仓库"]


@pytest.fixture
def keyword_service(settings):
    service = JobCircle(settings, KeywordEncoder(KEYWORDS)).start()
    yield service
    service.stop()


def _postings(service):
    return service.upsert_postings([
        PostingInput(external_id="S1", title="小区保安", street="曲阳路街道", requirements="做过门岗；持有保安员证"),
        PostingInput(external_id="S2", title="商场保安", street="曲阳路街道", requirements="门岗巡逻，须持保安员证"),
        PostingInput(external_id="S3", title="门岗保安", street="曲阳路街道", requirements="做过门岗，持保安员证者优先"),
        PostingInput(external_id="F1", title="仓库叉车司机", street="曲阳路街道", requirements="仓库叉车作业，持叉车证"),
    ])


def test_blocked_certificates_are_exactly_the_rankings_certificate_gates(keyword_service):
    service = keyword_service
    _postings(service)
    seeker = service.create_seeker(SeekerInput(resume_text="做过三年小区门岗保安，也在仓库开过叉车，没有叉车证",
                                               consent=True, street="曲阳路街道"))["id"]
    results = service.match_seeker(seeker, k=50)["results"]
    expected: dict[str, list[int]] = {}
    for r in results:
        for g in r["gates"]:
            if g["kind"] == "certificate" and g["status"] in ("missing", "denied"):
                expected.setdefault(g["name"], []).append(r["posting_id"])
    assert expected, "排序应对缺证岗位给出资格条件（gates）"
    assert recommend.blocked_by_certificates(service, seeker) == expected
    statuses = {g["status"] for r in results for g in r["gates"] if g["name"] == "叉车证"}
    assert statuses == {"denied"}  # the resume says it: the ranking's word "denied", kept as it said


def test_only_the_gates_decide_not_a_second_reading_of_the_posting(keyword_service, monkeypatch):
    """A posting whose text asks for a licence but which the ranking did not gate on opens nothing; a
    gate the ranking reported counts even where the text would not say it."""
    service = keyword_service
    ids = _postings(service)
    seeker = service.create_seeker(SeekerInput(resume_text="做过门岗保安", consent=True, street="曲阳路街道"))["id"]
    fake = {"results": [
        {"posting_id": ids[0], "score": 0.8, "gates": []},
        {"posting_id": ids[3], "score": 0.7, "gates": [{"kind": "certificate", "name": "保安员证", "status": "missing"}]},
        {"posting_id": ids[1], "score": 0.6, "gates": [{"kind": "schedule", "name": "夜班/倒班", "status": "ruled_out"}]},
    ], "message": None, "weak_alternatives": []}
    monkeypatch.setattr(service, "match_seeker", lambda seeker_id, k=10, **_: fake)
    assert recommend.blocked_by_certificates(service, seeker) == {"保安员证": [ids[3]]}


def test_a_seeker_blocked_by_a_missing_licence_is_offered_the_training_the_ranking_points_to(keyword_service, now):
    service = keyword_service
    station = service.add_stations([{"name": "曲阳路站（测试）", "kind": "street_centre", "street_code": "310109010",
                                     "lat": 31.2806, "lon": 121.4903, "location_precision": "street"}])[0]
    ids = _postings(service)
    seeker = service.create_seeker(SeekerInput(resume_text="做过三年小区门岗保安", consent=True, street="曲阳路街道",
                                               station_id=station))["id"]
    training = add_training(service, station, start_date=(now + timedelta(days=20)).date())
    gated = [r["posting_id"] for r in service.match_seeker(seeker, k=50)["results"]
             if any(g["name"] == "保安员证" for g in r["gates"])]
    body = recommend.recommend_trainings(service, LOCAL_ADMIN, seeker, now=now)
    rec = next(r for r in body["recommendations"] if r["certificate"] == "保安员证")
    assert rec["training"]["id"] == training and rec["posting_ids"] == gated
    assert ids[2] not in gated  # 持保安员证者优先: the ranking does not gate on a preference
    assert rec["message"].startswith(f"考取保安员证后，附近另有 {len(gated)} 个岗位符合您的条件")


def _seekers(service, station_id, n):
    return service.upsert_seekers([SeekerInput(resume_text=f"求职者{i}，做过小区门岗。", consent=True,
                                               street="曲阳路街道", station_id=station_id) for i in range(n)])


def _codes(service) -> list[str]:
    with service.db.session() as session:
        return list(session.scalars(select(ServiceRecord.service_code).order_by(ServiceRecord.id)))


def test_registrations_have_their_own_service_codes_by_kind(service, desk, stations, now):
    seeker = _seekers(service, stations[0], 1)[0]
    me = Principal(user_id=None, role="seeker", seeker_id=seeker)
    talk = add_event(service, stations[0], kind="宣讲会", title="企业宣讲会", external_id="talk")
    fair = add_event(service, stations[0], external_id="fair")
    training = add_training(service, stations[0])
    assert registrations.register(service, me, "event", talk, seeker, desk=desk)["service"]["service"] == "活动报名"
    assert registrations.register(service, me, "event", fair, seeker, desk=desk)["service"]["service"] == "招聘会报名"
    assert registrations.register(service, me, "training", training, seeker, desk=desk)["service"]["service"] == "培训报名"
    assert _codes(service) == ["event_registration", "job_fair_registration", "training_registration"]
    assert "job_fair_escort" not in _codes(service)  # a seeker's own registration is never 陪同招聘会


def test_old_records_with_the_old_codes_still_verify(service, desk, stations):
    seeker = _seekers(service, stations[0], 1)[0]
    # What a 宣讲会 self-registration wrote before the registration codes existed: left as it is.
    records.record_service(service.db.session, desk.ledger, service.secret, seeker_id=seeker, counsellor_id=None,
                           station_id=stations[0], service_code="job_fair_escort")
    training = add_training(service, stations[0])
    registrations.register(service, LOCAL_ADMIN, "training", training, seeker, desk=desk)
    assert _codes(service) == ["job_fair_escort", "training_registration"]
    assert desk.verify_ledger()["ok"]


def test_escort_is_recorded_by_the_counsellor_once_the_fair_has_begun(service, desk, stations, counsellor):
    real_now = common.utc_now()  # the service record is stamped with the real clock, so the fairs are placed by it
    seeker = _seekers(service, stations[0], 1)[0]
    coming = add_event(service, stations[0], external_id="coming", starts_at=(real_now + timedelta(days=5)).isoformat())
    invite(service, desk, counsellor, coming, [seeker])
    with pytest.raises(Conflict, match="尚未开始"):
        record_escort(service, desk, counsellor, coming, seeker)
    today = add_event(service, stations[0], external_id="today", starts_at=(real_now - timedelta(hours=1)).isoformat())
    done = record_escort(service, desk, counsellor, today, seeker)
    assert done["service"]["service"] == "招聘会陪同" and "已记录陪同招聘会" in done["message"]
    with pytest.raises(Conflict, match="已记录过"):
        record_escort(service, desk, counsellor, today, seeker)
    assert _codes(service) == ["job_fair_registration", "job_fair_escort"]
    talk = add_event(service, stations[0], kind="宣讲会", external_id="talk", starts_at=(real_now - timedelta(hours=1)).isoformat())
    with pytest.raises(InvalidInput, match="只有招聘会"):
        record_escort(service, desk, counsellor, talk, seeker)
    seeker_principal = Principal(user_id=None, role="seeker", seeker_id=seeker)
    from matcher.errors import Forbidden
    with pytest.raises(Forbidden):
        record_escort(service, desk, seeker_principal, today, seeker)
    assert desk.verify_ledger()["ok"]


def test_a_fair_organised_elsewhere_ranks_the_counsellors_own_seekers_by_default(service, desk, stations, now):
    service.upsert_postings([PostingInput(external_id="G0", title="小区保安", street="曲阳路街道",
                                          requirements="做过门岗巡逻", description="小区门岗")])
    mine = _seekers(service, stations[1], 1)[0]
    fair = add_event(service, stations[0], participants="上海虹信物业（示例）:小区保安/G0")
    other = Principal(user_id=None, role="counsellor", station_ids=frozenset({stations[1]}))
    desk.seekers.refresh(force=True)
    from matcher.activities.fair import fair_shortlist
    body = fair_shortlist(service, desk, other, fair, now=now)
    assert body["station_id"] == stations[1] and [c["seeker_id"] for c in body["candidates"]] == [mine]
