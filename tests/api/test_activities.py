"""Trainings and events over HTTP: import, nearby, registration (seat limit, cancel), subsidy,
recommendations with declines, and the 招聘会 shortlist with invitations."""
from datetime import datetime, timedelta, timezone

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from matcher.counsellor.access import add_user
from models.encoder import HashingEncoder


def _bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def _day(days: int) -> str:
    return (datetime.now(timezone.utc) + timedelta(days=days)).astimezone(timezone(timedelta(hours=8))).strftime("%Y-%m-%d")


@pytest.fixture
def client(settings):
    with TestClient(create_app(settings, encoder=HashingEncoder(256))) as test_client:
        yield test_client


@pytest.fixture
def station(client):
    return client.app.state.service.add_stations([{"name": "曲阳路站（测试）", "kind": "street_centre"}])[0]


@pytest.fixture
def counsellor(client, station):
    with client.app.state.service.db.session() as session, session.begin():
        _, token = add_user(session, name="曲阳路援助员", role="counsellor", station_ids=[station])
    return _bearer(token)


def _seeker(client, headers, resume, **extra) -> int:
    response = client.post("/seekers", json={"resume_text": resume, "consent": True, "lat": 31.2800, "lon": 121.4900,
                                             **extra}, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def _import(client, headers, kind, csv, **params):
    return client.post(f"/activities/imports/{kind}", files={"file": ("a.csv", csv.encode("utf-8"), "text/csv")},
                       params=params, headers=headers)


def test_import_nearby_and_register_with_a_seat_limit(client, counsellor, station):
    csv = ("培训编号,培训名称,培训机构,可获证书,开班日期,上课日期类型,上课时段,学时,费用,是否补贴,名额,报名截止,纬度,经度\n"
           f"T1,保安员培训班,曲阳路街道社区学校,保安员证,{_day(20)},工作日,白天,40,免费,是,1,{_day(10)},31.2810,121.4910\n")
    report = _import(client, counsellor, "trainings", csv)
    assert report.status_code == 200 and report.json()["imported"] == 1, report.text
    training_id = report.json()["ids"][0]
    bad = _import(client, counsellor, "trainings", csv.replace(",1,", ",很多,"))
    assert bad.json()["imported"] == 0 and bad.json()["errors"][0] == {"row": 2, "column": "名额", "reason": "名额应为整数"}
    near = client.get("/activities/nearby", params={"lat": 31.2795, "lon": 121.4895}).json()
    assert near["trainings"][0]["id"] == training_id and near["trainings"][0]["registration_open"]
    assert near["trainings"][0]["commute"]["within_15min"]
    first = _seeker(client, counsellor, "做过小区门岗。")
    second = _seeker(client, counsellor, "做过小区巡逻。")
    url = f"/activities/trainings/{training_id}/registrations"
    done = client.post(url, json={"seeker_id": first}, headers=counsellor)
    assert done.status_code == 201 and done.json()["service"]["service"] == "培训报名"
    full = client.post(url, json={"seeker_id": second}, headers=counsellor)
    assert full.status_code == 409 and "名额已满" in full.json()["detail"]
    listed = client.get(url, headers=counsellor).json()
    assert [r["seeker_id"] for r in listed] == [first] and "phone" not in listed[0]
    cancelled = client.delete(f"/activities/registrations/{done.json()['id']}", headers=counsellor)
    assert cancelled.status_code == 200 and cancelled.json()["status_name"] == "已取消"
    assert client.post(url, json={"seeker_id": second}, headers=counsellor).status_code == 201
    history = client.get(f"/activities/seekers/{first}/registrations", headers=counsellor).json()
    assert [r["status"] for r in history] == ["cancelled"]
    assert client.get("/activities/nearby", params={"street": "火星街道"}).status_code == 422
    assert client.post(url, json={"seeker_id": first}).status_code == 401


def test_subsidy_recommendations_and_declines(client, counsellor, station):
    service = client.app.state.service
    for n in range(3):
        client.post("/postings", json={"title": "小区保安", "requirements": "持有保安员证，做过门岗", "lat": 31.2802,
                                       "lon": 121.4902, "external_id": f"G{n}"}, headers=counsellor)
    csv = ("培训名称,培训机构,可获证书,开班日期,是否补贴,名额,纬度,经度\n"
           f"保安员培训班,曲阳路街道社区学校,保安员证,{_day(20)},是,30,31.2810,121.4910\n")
    training_id = _import(client, counsellor, "trainings", csv).json()["ids"][0]
    seeker = _seeker(client, counsellor, "做过三年小区门岗和巡逻。", priority_tags=["退役军人"],
                     unemployed_since="2026-03-01")
    answer = client.get(f"/activities/seekers/{seeker}/subsidy", params={"training_id": training_id, "age": 40},
                        headers=counsellor).json()
    assert answer["verdict"] == "likely_eligible" and answer["illustrative"] and "核实" in answer["note"]
    body = client.post(f"/activities/seekers/{seeker}/training-recommendations", json={}, headers=counsellor).json()
    [rec] = body["recommendations"]
    start = datetime.strptime(_day(20), "%Y-%m-%d")
    assert rec["message"] == (f"考取保安员证后，附近另有 3 个岗位符合您的条件；曲阳路街道社区学校 "
                              f"{start.month}月{start.day}日开班，补贴性培训")
    declined = client.post(f"/activities/seekers/{seeker}/training-declines",
                           json={"certificate": "保安员证", "reason": "暂不考虑"}, headers=counsellor)
    assert declined.status_code == 201
    again = client.post(f"/activities/seekers/{seeker}/training-recommendations", json={}, headers=counsellor).json()
    assert again["recommendations"] == [] and again["declined"][0]["reason"] == "暂不考虑"
    assert service.db is not None


def test_fair_shortlist_and_invitations_over_http(client, counsellor, station):
    posting = client.post("/postings", json={"title": "小区保安", "requirements": "做过门岗巡逻", "street": "曲阳路街道",
                                             "external_id": "FAIR-G1"}, headers=counsellor).json()
    guard = _seeker(client, counsellor, "做过三年小区门岗和巡逻，监控室值班。")
    clerk = _seeker(client, counsellor, "会计专业，熟练使用Excel和用友财务软件。")
    csv = ("活动类型,活动名称,开始时间,活动地点,街道,参会单位及岗位\n"
           f"现场招聘会,曲阳路专场招聘会,{_day(5)} 09:30,曲阳路街道社区服务中心,曲阳路街道,上海虹信物业（示例）:小区保安/FAIR-G1\n")
    event_id = _import(client, counsellor, "events", csv).json()["ids"][0]
    event = client.get(f"/activities/events/{event_id}").json()
    assert event["postings"][0]["posting_id"] == posting["id"] and event["when"].endswith("09:30")
    body = client.get(f"/activities/events/{event_id}/shortlist", headers=counsellor).json()
    assert [c["seeker_id"] for c in body["candidates"]][:2] == [guard, clerk]
    invited = client.post(f"/activities/events/{event_id}/invitations", json={"seeker_ids": [guard]}, headers=counsellor)
    assert invited.status_code == 201 and invited.json()["invited"][0]["service"]["service"] == "招聘会报名"
    services = client.get(f"/seekers/{guard}/services", headers=counsellor).json()["services"]
    assert [s["service"] for s in services] == ["招聘会报名"]
    assert client.get(f"/activities/events/{event_id}/shortlist").status_code == 401
