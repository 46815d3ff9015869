"""Nearby trainings and events (past events never shown, closed registrations never open) and subsidy rules."""
from datetime import timedelta

import pytest

from matcher.activities import registrations, subsidy
from matcher.activities.nearby import nearby_activities
from matcher.counsellor.access import LOCAL_ADMIN
from matcher.errors import InvalidInput
from matcher.inputs import SeekerInput
from tests.matcher.activities.conftest import add_event, add_training


def test_nearby_lists_open_trainings_and_upcoming_events_with_commutes(service, stations, now):
    near = add_training(service, stations[0], external_id="near", lat=31.2810, lon=121.4910)
    closed = add_training(service, stations[0], external_id="closed", lat=31.2812, lon=121.4912,
                          registration_deadline=(now - timedelta(days=1)).isoformat())
    ended = add_training(service, stations[0], external_id="ended", start_date=(now - timedelta(days=30)).date(),
                         end_date=(now - timedelta(days=2)).date(), registration_deadline=None)
    far = add_training(service, stations[0], external_id="far", street=None, lat=31.1200, lon=121.2600)  # Songjiang
    vague = add_training(service, stations[0], external_id="vague", street="泗泾镇")  # a wide 镇: known to its district only
    fair = add_event(service, stations[0], external_id="fair", lat=31.2800, lon=121.4900)
    past = add_event(service, stations[0], external_id="past", starts_at=(now - timedelta(hours=3)).isoformat(),
                     ends_at=(now - timedelta(hours=1)).isoformat())
    online = add_event(service, stations[0], external_id="online", kind="线上招聘会", street=None,
                       link="https://example.org/fair", starts_at=(now + timedelta(days=2)).isoformat())
    body = nearby_activities(service, lat=31.2795, lon=121.4895, radius_km=3, now=now)
    trainings = {t["id"]: t for t in body["trainings"]}
    assert set(trainings) == {near, closed, vague}  # ended and far are not listed
    # A place known only to its district cannot be ruled in or out: listed last, with no minutes and no claim.
    assert trainings[vague]["commute"]["coarse"] and trainings[vague]["commute"]["minutes"] is None
    assert trainings[vague]["commute"]["within_15min"] is None and "只精确到区" in trainings[vague]["commute"]["travel"]
    assert trainings[near]["registration_open"] and trainings[near]["commute"]["within_15min"]
    assert not trainings[closed]["registration_open"] and trainings[closed]["state"] == "报名已截止"
    assert [t["id"] for t in body["trainings"]] == [near, vague, closed]  # open ones first, known minutes first
    assert "步行" in trainings[near]["commute"]["travel"]
    events = [e["id"] for e in body["events"]]
    assert past not in events and events == [online, fair]
    assert body["events"][0]["commute"] is None and body["events"][0]["online"]
    assert ended not in trainings and far not in trainings
    # The same call an hour after the fair started shows it no more as open, and once over, not at all.
    during = nearby_activities(service, lat=31.2795, lon=121.4895, radius_km=3, now=now + timedelta(days=5, hours=1))
    assert all(e["id"] != fair or not e["registration_open"] for e in during["events"])
    after = nearby_activities(service, lat=31.2795, lon=121.4895, radius_km=3, now=now + timedelta(days=6))
    assert fair not in [e["id"] for e in after["events"]]


def test_nearby_from_a_street_says_the_origin_is_approximate(service, stations, now):
    add_training(service, stations[0])
    body = nearby_activities(service, street="曲阳路街道", now=now)
    assert body["origin"]["approximate"] and body["origin"]["note"] == "按街道或道路位置估算"
    assert body["trainings"][0]["commute"]["approximate"]
    with pytest.raises(InvalidInput, match="未找到街道"):
        nearby_activities(service, street="火星街道", now=now)


def _seeker(service, station, **extra):
    return service.upsert_seekers([SeekerInput(resume_text="做过门岗。", consent=True, street="曲阳路街道",
                                               station_id=station, **extra)])[0]


def test_subsidy_answers_with_reasons_and_never_guesses_unknown_facts(service, stations, now):
    training_id = add_training(service, stations[0], seats=10)
    seeker = _seeker(service, stations[0], priority_tags=["退役军人"], unemployed_since="2026-05-01")
    unknown_age = subsidy.check(service, LOCAL_ADMIN, seeker, training_id, now=now)
    assert unknown_age["verdict"] == "needs_check" and unknown_age["illustrative"]
    assert any("年龄" in r for r in unknown_age["to_check"])
    ok = subsidy.check(service, LOCAL_ADMIN, seeker, training_id, age=35, now=now)
    assert ok["verdict_name"] == "可能符合补贴条件"
    assert "属于重点群体（退役军人），通常优先安排补贴性培训" in ok["reasons_met"]
    assert "须由就业援助员核实" in ok["note"] and ok["published_eligibility"] == "本区登记失业人员（示例）"
    old = subsidy.check(service, LOCAL_ADMIN, seeker, training_id, age=63, now=now)
    assert old["verdict"] == "not_eligible" and "63 岁，不在 16-60 岁" in old["reasons_failed"][0]
    # Already trained this year on another subsidised training: not eligible for a second one.
    other = add_training(service, stations[0], external_id="other", seats=10)
    registrations.register(service, LOCAL_ADMIN, "training", other, seeker)
    again = subsidy.check(service, LOCAL_ADMIN, seeker, training_id, age=35, now=now)
    assert again["verdict"] == "not_eligible" and "已达每年 1 次的上限" in again["reasons_failed"][0]
    paid = add_training(service, stations[0], external_id="paid", subsidised=False, fee=1800)
    assert subsidy.check(service, LOCAL_ADMIN, seeker, paid, age=35, now=now)["reasons_failed"][0].startswith("该培训未标注为补贴性")


def test_subsidy_rules_file_is_versioned_illustrative_and_has_its_source_text():
    rules = subsidy.load_rules()
    assert rules["illustrative"] is True and rules["version"] and "示例规则" in rules["source_text"]
    assert {r["kind"] for r in rules["rules"]} == {"priority_group", "registration_status", "age_band", "trained_this_year"}


def test_an_event_without_an_end_time_runs_to_the_end_of_its_day(service, stations, now):
    from matcher.activities.events import get_event, list_events

    started = add_event(service, stations[0], starts_at=(now - timedelta(hours=1)).isoformat())  # 09:00 Shanghai
    body = get_event(service, started, now)
    assert not body["registration_open"] and body["state"] == "进行中，报名已截止"
    assert [e["id"] for e in list_events(service, now=now)] == [started]
    assert list_events(service, now=now + timedelta(hours=14)) == []  # past midnight in Shanghai
