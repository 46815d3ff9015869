"""Casework: notes, dated follow-ups, closing a case, and today's caseload built on the desk."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from data.workbench_tables import CaseNote, FollowUp
from matcher.counsellor import access
from matcher.counsellor.access import Principal
from matcher.counsellor.casework import Casework
from matcher.counsellor.desk import CounsellorDesk
from matcher.errors import Forbidden, InvalidInput
from matcher.inputs import SeekerInput


@pytest.fixture
def setup(service):
    first, second = service.add_stations([
        {"name": "曲阳路街道社区就业服务站（测试）", "kind": "community_station", "street": "曲阳路街道"},
        {"name": "欧阳路街道社区就业服务站（测试）", "kind": "community_station", "street": "欧阳路街道"},
    ])
    ids = service.upsert_seekers([
        SeekerInput(resume_text="做过五年仓库管理员，会开叉车", consent=True, station_id=first, name="甲"),
        SeekerInput(resume_text="做过两年超市收银员，持健康证", consent=True, station_id=first, name="乙"),
        SeekerInput(resume_text="做过保安，持保安员证", consent=True, station_id=second, name="丙"),
    ])
    desk = CounsellorDesk(service).start()
    with service.db.session() as session, session.begin():
        user_id, _token = access.add_user(session, name="援助员", role="counsellor", station_ids=[first])
    counsellor = Principal(user_id=user_id, role="counsellor", station_ids=frozenset({first}), name="援助员")
    yield Casework(desk), counsellor, first, ids
    desk.stop()


def test_a_due_follow_up_puts_the_seeker_first_and_says_when(setup):
    work, counsellor, station, (a, b, _c) = setup
    before = [item["seeker_id"] for item in work.today(counsellor, station)["items"]]
    later = before[-1]
    today = date.today()
    work.set_follow_up(counsellor, later, today.isoformat(), "问面试结果")
    items = work.today(counsellor, station)["items"]
    assert items[0]["seeker_id"] == later
    assert items[0]["reasons"][0] == f"约定{today.isoformat()}回访（今天）：问面试结果"
    # A follow-up set for later does not count yet.
    other = before[0] if before[0] != later else before[1]
    work.set_follow_up(counsellor, other, (today + timedelta(days=3)).isoformat())
    assert work.today(counsellor, station)["items"][0]["seeker_id"] == later


def test_follow_up_dates_are_checked_in_chinese(setup):
    work, counsellor, _station, (a, _b, _c) = setup
    with pytest.raises(InvalidInput, match="回访日期格式应为") as bad:
        work.set_follow_up(counsellor, a, "下周三")
    assert bad.value.field == "due_on"
    with pytest.raises(InvalidInput, match="不能早于今天"):
        work.set_follow_up(counsellor, a, (date.today() - timedelta(days=1)).isoformat())


def test_closing_as_employed_needs_employer_and_date_and_removes_the_case(setup):
    work, counsellor, station, (a, _b, _c) = setup
    with pytest.raises(InvalidInput) as missing:
        work.close_case(counsellor, a, "已就业")
    assert missing.value.field == "employer"
    closed = work.close_case(counsellor, a, "已就业", employer="上海某物流公司", on_date=date.today().isoformat())
    assert closed["outcome_name"] == "已就业"
    caseload = work.today(counsellor, station)
    assert a not in [item["seeker_id"] for item in caseload["items"]] and caseload["closed"] == 1
    with pytest.raises(InvalidInput, match="已结案"):
        work.close_case(counsellor, a, "暂缓")
    work.reopen_case(counsellor, a)
    assert a in [item["seeker_id"] for item in work.today(counsellor, station)["items"]]
    with pytest.raises(InvalidInput, match="已就业、暂缓 或 转介"):
        work.close_case(counsellor, a, "失联")


def test_another_stations_seeker_is_out_of_reach(setup):
    work, counsellor, _station, (_a, _b, c) = setup
    with pytest.raises(Forbidden):
        work.add_note(counsellor, c, "不应写入")
    with pytest.raises(Forbidden):
        work.read_with_contact(counsellor, c, "岗位推荐")


def _practise(service, seeker_id: int, *, shared: bool) -> int:
    from data.interview_tables import InterviewAnswer, InterviewSession

    with service.db.session() as session, session.begin():
        practice = InterviewSession(seeker_id=seeker_id, role_title="仓库管理员", difficulty="standard", requirements=[],
                                    questions=[], shared_with_counsellor=shared)
        session.add(practice)
        session.flush()
        for n in range(3):
            session.add(InterviewAnswer(session_id=practice.id, question_id=f"q{n}", answer_text="……", score=20,
                                        feedback={}))
        return practice.id


def test_unshared_interview_practice_is_not_shown_and_does_not_change_urgency(setup, service):
    work, counsellor, station, (a, _b, _c) = setup
    before = next(i for i in work.today(counsellor, station)["items"] if i["seeker_id"] == a)
    _practise(service, a, shared=False)
    item = next(i for i in work.today(counsellor, station)["items"] if i["seeker_id"] == a)
    assert item["interview_average"] is None
    assert not any("模拟面试" in reason for reason in item["reasons"])
    assert item["urgency"] == before["urgency"] and item["days_since_contact"] == before["days_since_contact"]
    # The desk's own caseload (the HTTP API) neither shows nor counts it either.
    raw = next(i for i in work.desk.caseload(counsellor, station)["items"] if i["seeker_id"] == a)
    assert raw["interview_average"] is None and raw["urgency"] == before["urgency"]
    # Shared, it counts and is shown.
    _practise(service, a, shared=True)
    shared = next(i for i in work.today(counsellor, station)["items"] if i["seeker_id"] == a)
    assert shared["interview_average"] == 20 and shared["urgency"] == before["urgency"] + 16
    assert any("模拟面试平均20分" in reason for reason in shared["reasons"])


def test_a_seeker_never_served_is_not_said_to_have_been_contacted(setup, service):
    from datetime import datetime, timezone

    from sqlalchemy import update

    from data.schema import Seeker

    work, counsellor, station, (a, b, _c) = setup
    with service.db.session() as session, session.begin():
        session.execute(update(Seeker).where(Seeker.id == a).values(
            created_at=datetime.now(timezone.utc) - timedelta(days=40)))
    work.desk.record_service(counsellor, b, "职业指导")
    items = {i["seeker_id"]: i for i in work.today(counsellor, station)["items"]}
    assert items[a]["days_since_contact"] is None and items[a]["days_since_registration"] == 40
    assert items[a]["contact_text"] == "尚未服务（登记于40天前）"
    assert "登记40天以来尚无服务记录" in items[a]["explanation"]
    assert items[b]["days_since_contact"] == 0 and items[b]["contact_text"] == "今天"


def test_notes_and_follow_ups_go_with_the_seekers_deleted_data(setup, service):
    work, counsellor, _station, (a, _b, _c) = setup
    work.add_note(counsellor, a, "本人希望做白班")
    work.set_follow_up(counsellor, a, date.today().isoformat())
    assert [n["text"] for n in work.notes(counsellor, a)] == ["本人希望做白班"]
    work.desk.delete_seeker(counsellor, a)
    with service.db.session() as session:
        assert session.scalar(select(func.count()).select_from(CaseNote)) == 0
        assert session.scalar(select(func.count()).select_from(FollowUp)) == 0
