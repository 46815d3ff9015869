"""The counsellors' side over HTTP and the command line: shortlist decisions, caseload, service record."""
import os
from datetime import datetime, timedelta, timezone

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text, update

from cli import main as cli
from api.app import create_app
from data.access_tables import Decision, User
from data.interview_tables import InterviewAnswer, InterviewSession
from data.schema import MatchOutcome, Seeker
from matcher.counsellor.access import add_user
from models.encoder import HashingEncoder

DESIGNER = "视觉传达设计专业，熟练Photoshop、Illustrator，做过海报设计。"
GUARD = "做过小区保安和门岗，持保安员证。"
POSTING = {"title": "平面设计助理", "requirements": "熟练使用Photoshop、Illustrator", "street": "曲阳路街道"}


def _bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def client(settings):
    with TestClient(create_app(settings, encoder=HashingEncoder(256))) as test_client:
        yield test_client


@pytest.fixture
def station(client):
    return client.app.state.service.add_stations([{"name": "甲站", "kind": "street_centre"}])[0]


@pytest.fixture
def counsellor(client, station):
    with client.app.state.service.db.session() as session, session.begin():
        user_id, token = add_user(session, name="甲站援助员", role="counsellor", station_ids=[station])
    return _bearer(token)


def _seeker(client, headers, resume, **extra) -> int:
    response = client.post("/seekers", json={"resume_text": resume, "consent": True, "street": "广中路街道", **extra},
                           headers=headers)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def test_shortlist_decisions_and_outcomes_are_stored(client, counsellor):
    posting = client.post("/postings", json=POSTING, headers=counsellor).json()
    designer = _seeker(client, counsellor, DESIGNER, priority_tags=["退役军人"])
    guard = _seeker(client, counsellor, GUARD)
    body = client.get(f"/postings/{posting['id']}/shortlist", params={"k": 5}, headers=counsellor).json()
    top = body["candidates"][0]
    assert [c["seeker_id"] for c in body["candidates"]] == [designer, guard]
    assert "Photoshop" in top["explanation"] and top["fit_score"] == pytest.approx(sum(top["breakdown"].values()), abs=1e-3)
    assert top["policy"]["groups"][0]["name"] == "退役军人"
    url = f"/postings/{posting['id']}/shortlist/{designer}"
    assert client.post(f"{url}/decision", json={"decision": "maybe"}, headers=counsellor).status_code == 422
    assert client.post(f"/postings/{posting['id']}/shortlist/{guard}/decision", json={"decision": "not_suitable"},
                       headers=counsellor).json()["field"] == "reason"
    decided = client.post(f"{url}/decision", json={"decision": "recommend", "reason": "作品集好"}, headers=counsellor)
    assert decided.status_code == 201 and decided.json()["decision_name"] == "推荐"
    assert client.post(f"{url}/outcome", json={"event": "interviewed"}, headers=counsellor).status_code == 201
    service = client.app.state.service
    with service.db.session() as session:
        decision = session.scalar(select(Decision))
        events = session.scalars(select(MatchOutcome.event).where(MatchOutcome.seeker_id == designer)
                                 .order_by(MatchOutcome.id)).all()
    assert (decision.seeker_id, decision.decision, decision.reason) == (designer, "recommend", "作品集好")
    assert events == ["recommended", "interviewed"]
    again = client.get(f"/postings/{posting['id']}/shortlist", headers=counsellor).json()["candidates"][0]
    assert again["decision"]["reason"] == "作品集好"


def test_caseload_puts_the_most_urgent_first_and_says_why(client, station, counsellor):
    service = client.app.state.service
    now = datetime.now(timezone.utc)
    long_unemployed = _seeker(client, counsellor, GUARD, unemployed_since=(now - timedelta(days=548)).isoformat())
    served = _seeker(client, counsellor, DESIGNER, unemployed_since=(now - timedelta(days=61)).isoformat())
    new_fit = _seeker(client, counsellor, DESIGNER)
    practising = _seeker(client, counsellor, "做过超市理货。")
    settled = _seeker(client, counsellor, "做过保洁。")
    with service.db.session() as session, session.begin():
        session.execute(update(Seeker).where(Seeker.id == long_unemployed).values(created_at=now - timedelta(days=60)))
        interview = InterviewSession(seeker_id=practising, role_title="理货员", requirements=[], questions=[],
                                     shared_with_counsellor=True)  # unshared practice would not count
        session.add(interview)
        session.flush()
        session.add_all([InterviewAnswer(session_id=interview.id, question_id="q1", answer_text="嗯", score=80),
                         InterviewAnswer(session_id=interview.id, question_id="q1", answer_text="不知道", score=30),
                         InterviewAnswer(session_id=interview.id, question_id="q2", answer_text="还行", score=50)])
    posting = client.post("/postings", json=POSTING, headers=counsellor).json()  # new since everyone's last contact
    assert client.post(f"/seekers/{served}/services", json={"service_code": "career_guidance"},
                       headers=counsellor).status_code == 201

    pages = [client.get(f"/stations/{station}/caseload", params={"page": n, "size": 2}, headers=counsellor).json()
             for n in (1, 2, 3)]
    order = [item["seeker_id"] for page in pages for item in page["items"]]
    assert order == [long_unemployed, practising, new_fit, served, settled]
    assert pages[0]["total"] == 5 and pages[0]["pages"] == 3
    first = pages[0]["items"][0]
    assert "长期失业" in first["explanation"] and "尚无服务记录" in first["explanation"]
    coaching = pages[0]["items"][1]
    assert coaching["interview_average"] == 40 and "面试辅导" in coaching["explanation"]  # latest answers: 30, 50
    fit = pages[1]["items"][0]
    assert [p["posting_id"] for p in fit["new_postings"]] == [posting["id"]] and "平面设计助理" in fit["explanation"]
    assert pages[1]["items"][1]["new_postings"] == []  # the posting predates this seeker's last service
    urgencies = [item["urgency"] for page in pages for item in page["items"]]
    assert urgencies == sorted(urgencies, reverse=True)


def test_service_record_verifies_and_a_raw_sql_edit_is_detected(client, station, counsellor, settings, monkeypatch, capsys):
    seeker = _seeker(client, counsellor, DESIGNER)
    posting = client.post("/postings", json=POSTING, headers=counsellor).json()
    with client.app.state.service.db.session() as session, session.begin():
        _, admin = add_user(session, name="管理员", role="admin")
    admin = _bearer(admin)
    for body in ({"service_code": "职业指导"}, {"service_code": "job_recommendation", "posting_id": posting["id"]},
                 {"service_code": "job_referral", "posting_id": posting["id"], "outcome": "hired"}):
        assert client.post(f"/seekers/{seeker}/services", json=body, headers=counsellor).status_code == 201
    assert client.post(f"/seekers/{seeker}/services", json={"service_code": "聊天"}, headers=counsellor).status_code == 422
    assert client.get("/ledger/verify", headers=counsellor).status_code == 403
    ok = client.get("/ledger/verify", headers=admin).json()
    assert ok["ok"] is True and ok["size"] == 3
    services = client.get(f"/seekers/{seeker}/services", headers=counsellor).json()["services"]
    assert [s["ledger_seq"] for s in services] == [1, 2, 3] and services[2]["outcome"] == "hired"

    monkeypatch.setenv("JOBCIRCLE_DATA_DIR", str(settings.data_dir))
    assert cli.main(["ledger", "checkpoint"]) == 0
    assert cli.main(["ledger", "verify"]) == 0
    export = settings.data_dir / "checkpoints.json"
    assert cli.main(["ledger", "export-checkpoints", str(export)]) == 0
    with client.app.state.service.db.engine.begin() as connection:
        connection.execute(text("UPDATE ledger_entries SET service_code = 'career_guidance' WHERE seq = 2"))
    bad = client.get("/ledger/verify", headers=admin).json()
    assert bad["ok"] is False and bad["first_bad_seq"] == 2 and "第 2 条" in bad["problems"][0]
    capsys.readouterr()
    assert cli.main(["ledger", "verify"]) == 1
    assert "第 2 条记录" in capsys.readouterr().err
    assert cli.main(["ledger", "verify", "--checkpoints", str(export)]) == 1


def test_users_command_issues_lists_and_revokes_tokens(client, station, settings, monkeypatch, capsys):
    monkeypatch.setenv("JOBCIRCLE_DATA_DIR", str(settings.data_dir))
    capsys.readouterr()
    assert cli.main(["users", "add", "--name", "李老师", "--role", "counsellor", "--station", str(station)]) == 0
    token = capsys.readouterr().out.strip()
    assert client.get("/me", headers=_bearer(token)).json()["station_ids"] == [station]
    with client.app.state.service.db.session() as session:
        stored = session.execute(text("SELECT token_hash FROM tokens")).scalars().all()
    assert token not in stored and len(stored[0]) == 64  # only the SHA-256 hash is kept
    assert cli.main(["users", "add", "--name", "王", "--role", "counsellor"]) == 2  # a counsellor needs a station
    assert cli.main(["users", "list"]) == 0
    listing = capsys.readouterr().out
    assert "李老师" in listing and token not in listing
    assert cli.main(["users", "revoke", "--token", token]) == 0
    assert client.get("/me", headers=_bearer(token)).status_code == 401
    assert cli.main(["users", "revoke", "--token", token]) == 1


def test_demo_users_are_created_once_and_their_tokens_kept_private(client, station, counsellor, settings):
    service = client.app.state.service
    seeker = _seeker(client, counsellor, DESIGNER)
    tokens = cli.ensure_demo_users(service, settings)
    path = settings.data_dir / cli.DEMO_TOKEN_FILE
    assert oct(os.stat(path).st_mode & 0o777) == "0o600"
    assert f"TOKEN={tokens['admin']}" in path.read_text(encoding="utf-8").splitlines()
    assert client.get("/ledger/verify", headers=_bearer(tokens["admin"])).status_code == 200
    assert client.get(f"/stations/{station}/caseload", headers=_bearer(tokens["counsellor"])).status_code == 200
    assert client.get(f"/seekers/{seeker}", headers=_bearer(tokens["seeker"])).status_code == 200
    assert cli.ensure_demo_users(service, settings) == tokens
    with service.db.session() as session:
        assert len(session.scalars(select(User).where(User.name.like("示例%"))).all()) == 3
    path.unlink()
    fresh = cli.ensure_demo_users(service, settings)
    assert fresh["admin"] != tokens["admin"]
    assert client.get("/ledger/verify", headers=_bearer(fresh["admin"])).status_code == 200
