"""One nearby search: GET /nearby returns jobs, stations, trainings and upcoming events near a place,
each with an honest commute; past events and closed registrations are never shown as open."""
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from matcher.activities import common
from matcher.inputs import PostingInput
from models.encoder import HashingEncoder
from tests.matcher.activities.conftest import add_event, add_training

NEAR = {"lat": 31.2795, "lon": 121.4895}


@pytest.fixture
def client(settings):
    with TestClient(create_app(settings, encoder=HashingEncoder(256))) as test_client:
        yield test_client


@pytest.fixture
def world(client):
    service = client.app.state.service
    now = common.utc_now()
    station = service.add_stations([{"name": "曲阳路站（测试）", "kind": "street_centre", "street_code": "310109010",
                                     "lat": 31.2806, "lon": 121.4903, "location_precision": "exact"}])[0]
    [posting] = service.upsert_postings([PostingInput(external_id="P1", title="小区保安", lat=31.2801, lon=121.4901,
                                                      requirements="做过门岗")])
    day = lambda n: (now + timedelta(days=n)).isoformat()  # noqa: E731
    ids = {
        "posting": posting, "station": station,
        "open": add_training(service, station, external_id="open", lat=31.2810, lon=121.4910,
                             start_date=(now + timedelta(days=20)).date(), end_date=(now + timedelta(days=40)).date(),
                             registration_deadline=day(10)),
        "closed": add_training(service, station, external_id="closed", lat=31.2811, lon=121.4911,
                               start_date=(now + timedelta(days=20)).date(), end_date=(now + timedelta(days=40)).date(),
                               registration_deadline=day(-1)),
        "fair": add_event(service, station, external_id="fair", starts_at=day(5), lat=31.2812, lon=121.4912),
        "past": add_event(service, station, external_id="past", starts_at=day(-3), lat=31.2812, lon=121.4912),
        "district": add_event(service, station, external_id="district", kind="政策咨询", starts_at=day(6),
                              street=None, address="虹口区"),
    }
    service.refresh()
    return ids


def test_one_search_returns_all_four_kinds_with_commutes(client, world):
    body = client.get("/nearby", params=NEAR).json()
    assert body["kinds"] == ["jobs", "stations", "trainings", "events"]
    assert [p["posting_id"] for p in body["postings"]] == [world["posting"]]
    assert [s["station_id"] for s in body["stations"]] == [world["station"]]
    assert body["stations"][0]["within_15min"] is True and body["stations"][0]["distance_km"] > 0
    trainings = {t["id"]: t for t in body["trainings"]}
    assert trainings[world["open"]]["registration_open"] and trainings[world["open"]]["commute"]["within_15min"]
    closed = trainings[world["closed"]]  # listed, never as open
    assert closed["registration_open"] is False and closed["state"] != "可报名"
    events = {e["id"]: e for e in body["events"]}
    assert world["past"] not in events and world["fair"] in events
    assert events[world["fair"]]["commute"]["minutes"] is not None


def test_a_place_known_only_to_its_district_claims_no_minutes_or_15_minutes(client, world):
    body = client.get("/nearby", params=NEAR | {"kinds": "events"}).json()
    district = next(e for e in body["events"] if e["id"] == world["district"])
    commute = district["commute"]
    assert commute["coarse"] and commute["within_15min"] is None
    assert commute["minutes"] is None and commute["distance_km"] is None  # never "0 km"
    coarse_origin = client.get("/nearby", params={"address": "虹口区", "kinds": "jobs,trainings"}).json()
    assert coarse_origin["origin"]["precision"] in ("district", "city")
    for item in coarse_origin["postings"]:
        assert item["within_15min"] is None and item["distance_km"] is None
    for item in coarse_origin["trainings"]:
        assert item["commute"]["within_15min"] is None and item["commute"]["distance_km"] is None


def test_kinds_choose_what_is_searched_and_the_rest_is_null(client, world):
    body = client.get("/nearby", params=NEAR | {"kinds": "trainings,events"}).json()
    assert body["postings"] is None and body["stations"] is None
    assert body["trainings"] and body["events"] is not None
    chinese = client.get("/nearby", params=NEAR | {"kinds": "岗位"}).json()
    assert chinese["kinds"] == ["jobs"] and chinese["trainings"] is None


def test_modes_change_the_estimate(client, world):
    walk = client.get("/nearby", params=NEAR | {"kinds": "trainings", "modes": "walk"}).json()
    assert walk["modes"] == ["walk"]
    assert all(t["commute"]["mode"] in ("walk", None) for t in walk["trainings"])


@pytest.mark.parametrize("params, field, words", [
    ({"kinds": "jobs,飞机"}, "kinds", "无法识别的类别"),
    ({"modes": "飞机"}, "modes", "无法识别的出行方式"),
    ({}, "lat", "请提供坐标"),
    ({"street": "火星街道"}, "street", "未找到街道"),
    ({"lat": 31.28}, "lon", "同时提供"),
])
def test_bad_input_is_a_chinese_422_naming_the_field(client, params, field, words):
    response = client.get("/nearby", params=params | ({} if "lat" in params or "street" in params or params == {}
                                                     else NEAR))
    assert response.status_code == 422
    assert words in response.text and field in response.text


def test_the_old_activities_nearby_is_the_same_search_and_marked_deprecated(client, world):
    old = client.get("/activities/nearby", params=NEAR | {"radius_km": 3}).json()
    new = client.get("/nearby", params=NEAR | {"radius_km": 3, "kinds": "trainings,events"}).json()
    assert [t["id"] for t in old["trainings"]] == [t["id"] for t in new["trainings"]]
    assert [e["id"] for e in old["events"]] == [e["id"] for e in new["events"]]
    operation = client.get("/openapi.json").json()["paths"]["/activities/nearby"]["get"]
    assert operation.get("deprecated") is True and "已弃用" in operation["summary"]


def test_escort_over_http_only_once_the_fair_has_begun(client, world):
    from matcher.counsellor.access import add_user
    from matcher.inputs import SeekerInput

    service = client.app.state.service
    with service.db.session() as session, session.begin():
        _, token = add_user(session, name="曲阳路援助员", role="counsellor", station_ids=[world["station"]])
    me = {"Authorization": f"Bearer {token}"}
    seeker = service.upsert_seekers([SeekerInput(resume_text="做过门岗", consent=True, street="曲阳路街道",
                                                 station_id=world["station"])])[0]
    early = client.post(f"/activities/events/{world['fair']}/escorts", json={"seeker_id": seeker}, headers=me)
    assert early.status_code == 409 and "尚未开始" in early.json()["detail"]
    done = client.post(f"/activities/events/{world['past']}/escorts", json={"seeker_id": seeker}, headers=me)
    assert done.status_code == 201 and done.json()["service"]["service"] == "招聘会陪同"
    again = client.post(f"/activities/events/{world['past']}/escorts", json={"seeker_id": seeker}, headers=me)
    assert again.status_code == 409
    assert client.post(f"/activities/events/{world['district']}/escorts", json={"seeker_id": seeker},
                       headers=me).status_code == 422
    assert client.post(f"/activities/events/{world['past']}/escorts", json={"seeker_id": seeker}).status_code == 401
