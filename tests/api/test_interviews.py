import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from matcher.counsellor import access
from models.encoder import HashingEncoder

ROLE = "超市收银员\n1. 持健康证\n2. 熟练使用收银系统\n3. 能适应早晚班"


@pytest.fixture
def app_client(settings):
    with TestClient(create_app(settings, encoder=HashingEncoder(256))) as client:
        yield client


def _token(client, **kwargs) -> dict:
    service = client.app.state.service
    with service.db.session() as session, session.begin():
        _, token = access.add_user(session, **kwargs)
    return {"Authorization": f"Bearer {token}"}


def _seeker(client, admin, station_id):
    body = {"resume_text": "做过两年超市收银，持健康证。", "consent": True, "station_id": station_id}
    return client.post("/seekers", json=body, headers=admin).json()["id"]


def test_a_seeker_practises_and_gets_a_report(app_client):
    admin = _token(app_client, name="管理员", role="admin")
    station = app_client.app.state.service.add_stations([{"name": "测试工作站", "kind": "community_workstation"}])[0]
    seeker_id = _seeker(app_client, admin, station)
    me = _token(app_client, name="小王", role="seeker", seeker_id=seeker_id)
    created = app_client.post("/interviews", json={"role_text": ROLE, "difficulty": "entry"}, headers=me)
    assert created.status_code == 201
    session = created.json()
    assert session["seeker_id"] == seeker_id and 5 <= len(session["questions"]) <= 8
    question = session["questions"][0]
    feedback = app_client.post(f"/interviews/{session['id']}/answers",
                               json={"question_id": question["id"], "answer": "我在超市做过两年收银，每天三百多笔，从没出错。"},
                               headers=me).json()
    assert {"score", "breakdown", "evidence", "missing", "suggestions"} <= set(feedback)
    for quote in feedback["evidence"]:
        assert quote["quote"] in "我在超市做过两年收银，每天三百多笔，从没出错。"
    report = app_client.get(f"/interviews/{session['id']}/report", headers=me)
    assert report.status_code == 200 and report.json()["answered"] == 1

    counsellor = _token(app_client, name="援助员", role="counsellor", station_ids=[station])
    assert app_client.get(f"/interviews/{session['id']}/report", headers=counsellor).status_code == 403
    other = _token(app_client, name="别人", role="seeker", seeker_id=_seeker(app_client, admin, station))
    assert app_client.get(f"/interviews/{session['id']}/report", headers=other).status_code == 404


def test_shared_reports_are_visible_to_the_counsellor(app_client):
    admin = _token(app_client, name="管理员", role="admin")
    station = app_client.app.state.service.add_stations([{"name": "测试工作站", "kind": "community_workstation"}])[0]
    seeker_id = _seeker(app_client, admin, station)
    me = _token(app_client, name="小王", role="seeker", seeker_id=seeker_id)
    session = app_client.post("/interviews", json={"role_text": ROLE, "shared_with_counsellor": True}, headers=me).json()
    counsellor = _token(app_client, name="援助员", role="counsellor", station_ids=[station])
    assert app_client.get(f"/interviews/{session['id']}/report", headers=counsellor).status_code == 200


def test_interview_bad_input_gets_clear_4xx(app_client):
    admin = _token(app_client, name="管理员", role="admin")
    assert app_client.post("/interviews", json={"resume_text": "做过保洁"}, headers=admin).status_code == 422
    assert app_client.post("/interviews", json={"resume_text": "做过保洁", "role_text": ROLE}).status_code == 401
    session = app_client.post("/interviews", json={"resume_text": "做过保洁", "occupation_code": "4-09-08-01"},
                              headers=admin).json()
    empty = app_client.post(f"/interviews/{session['id']}/answers", json={"question_id": "q1", "answer": ""}, headers=admin)
    assert empty.status_code == 422 and empty.json()["errors"][0]["field"] == "answer"
    unknown_q = app_client.post(f"/interviews/{session['id']}/answers", json={"question_id": "q99", "answer": "你好"},
                                headers=admin)
    assert unknown_q.status_code == 422 and unknown_q.json()["field"] == "question_id"
    assert app_client.get("/interviews/999/report", headers=admin).status_code == 404
    long = app_client.post(f"/interviews/{session['id']}/answers",
                           json={"question_id": session["questions"][0]["id"], "answer": "我做过保洁。" * 3000},
                           headers=admin)
    assert long.status_code == 200 and any("2000" in n or "2,000" in n for n in long.json().get("notices", []))


def test_occupation_coding_endpoint_reports_when_disabled(app_client):
    response = app_client.post("/occupations/code", json={"titles": ["保安员"]})
    assert response.status_code == 503 and "职业编码" in response.json()["detail"]
