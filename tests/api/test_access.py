"""Who may see what: tokens, roles, station scope, masking, access log, export and deletion."""
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text

from api.app import create_app
from data.access_tables import AccessLog
from data.interview_tables import InterviewAnswer, InterviewSession
from data.schema import MatchOutcome, Seeker
from matcher.counsellor.access import add_user, employer_view
from matcher.counsellor.records import seeker_subject
from matcher.settings import Settings
from models.encoder import HashingEncoder

RESUME = "视觉传达设计专业，熟练Photoshop、Illustrator，做过海报设计。"
POSTING = {"title": "平面设计助理", "requirements": "熟练使用Photoshop、Illustrator", "street": "曲阳路街道"}


def _bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


class World:
    """An app with two stations, a seeker at each, and users of every kind."""

    def __init__(self, client: TestClient):
        self.client = client
        self.service = client.app.state.service
        self.stations = self.service.add_stations([{"name": "甲站", "kind": "street_centre"},
                                                   {"name": "乙站", "kind": "street_centre"}])
        with self.service.db.session() as session, session.begin():
            _, admin = add_user(session, name="管理员", role="admin")
        self.admin = _bearer(admin)
        self.counsellor = self.user("甲站援助员", "counsellor", station_ids=[self.stations[0]])
        self.other_counsellor = self.user("乙站援助员", "counsellor", station_ids=[self.stations[1]])
        self.district = self.user("区中心援助员", "counsellor", district_wide=True)
        self.mine = self.seeker(self.stations[0], phone="13812345678", id_number="310109199001011234")
        self.theirs = self.seeker(self.stations[1])
        self.seeker_token = self.user("求职者本人", "seeker", seeker_id=self.mine)

    def user(self, name, role, **options) -> dict:
        with self.service.db.session() as session, session.begin():
            _, token = add_user(session, name=name, role=role, **options)
        return _bearer(token)

    def seeker(self, station_id, **extra) -> int:
        body = {"resume_text": RESUME, "consent": True, "street": "广中路街道", "station_id": station_id, **extra}
        response = self.client.post("/seekers", json=body, headers=self.admin)
        assert response.status_code == 201, response.text
        return response.json()["id"]


@pytest.fixture
def world(settings):
    with TestClient(create_app(settings, encoder=HashingEncoder(256))) as client:
        yield World(client)


def _no_data(response) -> None:
    assert set(response.json()) == {"detail"}
    assert "Photoshop" not in response.text and "138" not in response.text


def test_missing_wrong_and_revoked_tokens_are_401_without_data(world):
    c = world.client
    for headers in ({}, _bearer("not-a-token"), {"Authorization": "Basic abc"}):
        response = c.get(f"/seekers/{world.mine}", params={"reason": "回访"}, headers=headers)
        assert response.status_code == 401
        _no_data(response)
        assert "令牌" in response.json()["detail"]
    token = world.seeker_token["Authorization"].removeprefix("Bearer ")
    assert c.get(f"/seekers/{world.mine}", headers=world.seeker_token).status_code == 200
    with world.service.db.session() as session, session.begin():
        from matcher.counsellor.access import revoke_token
        assert revoke_token(session, token)
    # Revoked outside this process's API (command line, another worker): refused once the
    # per-process token cache's entry has lived its `token_cache_s` (clock moved, not slept).
    cache = c.app.state.token_cache
    real_clock = cache.clock
    cache.clock = lambda: real_clock() + world.service.settings.token_cache_s + 0.01
    response = c.get(f"/seekers/{world.mine}", headers=world.seeker_token)
    assert response.status_code == 401
    _no_data(response)


def test_a_token_revoked_through_the_api_is_refused_at_once_despite_the_cache(world):
    c = world.client
    assert c.get(f"/seekers/{world.mine}", headers=world.seeker_token).status_code == 200  # now cached
    listed = c.get("/admin/tokens", headers=world.admin).json()["tokens"]
    seeker_token = next(t for t in listed if t["role"] == "seeker" and t["live"])
    assert c.post(f"/admin/tokens/{seeker_token['id']}/revoke", headers=world.admin).status_code == 200
    response = c.get(f"/seekers/{world.mine}", headers=world.seeker_token)
    assert response.status_code == 401
    _no_data(response)


def test_public_endpoints_need_no_token(world):
    c = world.client
    posting = c.post("/postings", json=POSTING, headers=world.admin).json()
    assert c.get("/health").status_code == 200 and c.get("/ready").status_code == 200
    assert c.get(f"/postings/{posting['id']}").status_code == 200
    assert c.post("/match", json={"resume_text": "Photoshop 海报设计", "k": 1}).status_code == 200
    assert c.get("/nearby", params={"street": "曲阳路街道"}).status_code == 200
    assert c.post("/postings", json=POSTING).status_code == 401


def test_seeker_sees_only_their_own_record(world):
    c, me = world.client, world.seeker_token
    own = c.get(f"/seekers/{world.mine}", headers=me)
    assert own.status_code == 200 and own.json()["phone_masked"] == "138****5678"
    for path in (f"/seekers/{world.theirs}", f"/seekers/{world.theirs}/matches", f"/seekers/{world.theirs}/export",
                 f"/seekers/{world.theirs}/access-log"):
        response = c.get(path, headers=me)
        assert response.status_code == 404, path
        assert response.json() == c.get("/seekers/99999", headers=me).json() | {"detail": f"求职者 {world.theirs} 不存在"}
    assert c.patch(f"/seekers/{world.theirs}", json={"expected_salary": "9000"}, headers=me).status_code == 404
    assert c.delete(f"/seekers/{world.theirs}", headers=me).status_code == 404
    assert c.patch(f"/seekers/{world.mine}", json={"expected_salary": "9000"}, headers=me).json()["expected_salary"] == 9000
    assert c.get("/postings/1/shortlist", headers=me).status_code == 403
    assert c.get("/ledger/verify", headers=me).status_code == 403


def test_counsellor_is_scoped_to_their_station_and_must_give_a_reason(world):
    c = world.client
    response = c.get(f"/seekers/{world.theirs}", params={"reason": "岗位推荐"}, headers=world.counsellor)
    assert response.status_code == 403
    _no_data(response)
    for path in (f"/stations/{world.stations[1]}/caseload", f"/stations/{world.stations[1]}/exposure",
                 f"/seekers/{world.theirs}/matches"):
        response = c.get(path, headers=world.counsellor)
        assert response.status_code == 403, path
        _no_data(response)
    missing = c.get(f"/seekers/{world.mine}", headers=world.counsellor)
    assert missing.status_code == 422 and missing.json()["field"] == "reason"
    full = c.get(f"/seekers/{world.mine}", params={"reason": "岗位推荐"}, headers=world.counsellor)
    assert full.status_code == 200 and "Photoshop" in full.json()["resume_text"]
    assert "310109199001011234" not in full.text and full.json()["id_number_masked"] == "310***********1234"
    assert c.get(f"/seekers/{world.theirs}", params={"reason": "区级抽查"}, headers=world.district).status_code == 200
    assert c.get(f"/seekers/{world.mine}/access-log", headers=world.counsellor).status_code == 403
    log = c.get(f"/seekers/{world.mine}/access-log", headers=world.seeker_token).json()["entries"]
    assert [(e["user"], e["action"], e["reason"]) for e in log] == [("甲站援助员", "read", "岗位推荐")]
    with world.service.db.session() as session:
        assert session.scalar(select(AccessLog).where(AccessLog.seeker_id == world.theirs)).reason == "区级抽查"


def test_role_and_station_fields_cannot_be_set_through_seeker_endpoints(world):
    c = world.client
    for field, value in (("role", "admin"), ("station_ids", [world.stations[1]]), ("district_wide", True),
                         ("user_id", 1), ("seeker_id", world.theirs)):
        created = c.post("/seekers", json={"resume_text": "做过保洁", "consent": True, field: value}, headers=world.admin)
        assert created.status_code == 422 and created.json()["errors"][0]["field"] == field
        patched = c.patch(f"/seekers/{world.mine}", json={field: value}, headers=world.seeker_token)
        assert patched.status_code == 422, field
    moved = c.patch(f"/seekers/{world.mine}", json={"station_id": world.stations[1]}, headers=world.seeker_token)
    assert moved.status_code == 422
    assert c.get("/me", headers=world.seeker_token).json() == {
        "user_id": 5, "name": "求职者本人", "role": "seeker", "station_ids": [], "district_wide": False,
        "seeker_id": world.mine}
    elsewhere = c.post("/seekers", json={"resume_text": "做过保洁", "consent": True, "station_id": world.stations[1]},
                       headers=world.counsellor)
    assert elsewhere.status_code == 403
    here = c.post("/seekers", json={"resume_text": "做过保洁", "consent": True}, headers=world.counsellor)
    assert here.status_code == 201 and here.json()["station_id"] == world.stations[0]


def test_shortlist_masks_contacts_and_employer_view_hides_personal_data(world):
    c = world.client
    posting = c.post("/postings", json=POSTING, headers=world.admin).json()
    shortlist = c.get(f"/postings/{posting['id']}/shortlist", headers=world.counsellor)
    assert shortlist.status_code == 200
    candidates = shortlist.json()["candidates"]
    assert [x["seeker_id"] for x in candidates] == [world.mine]  # the other station's seeker is not listed
    assert candidates[0]["phone_masked"] == "138****5678" and candidates[0]["id_number_masked"] == "310***********1234"
    assert "13812345678" not in shortlist.text and "310109199001011234" not in shortlist.text
    with world.service.db.session() as session:
        row = session.get(Seeker, world.mine)
        row.address = "虹口区某路1号"
        row.priority_tags = ["graduate"]
        view = employer_view(row)
    assert "Photoshop" in view["skills"]
    flat = repr(view)
    for secret in ("13812345678", "138****5678", "310109", "虹口区某路1号", "graduate", "priority"):
        assert secret not in flat
    assert not {"phone", "phone_masked", "id_number_masked", "address", "priority_tags", "lat", "lon"} & set(view)


def test_export_and_deletion(world):
    c, me = world.client, world.seeker_token
    service = world.service
    posting = c.post("/postings", json=POSTING, headers=world.admin).json()
    recorded = c.post(f"/seekers/{world.mine}/services", json={"service_code": "岗位推荐", "posting_id": posting["id"],
                                                               "outcome": "applied"}, headers=world.counsellor)
    assert recorded.status_code == 201
    c.post(f"/postings/{posting['id']}/shortlist/{world.mine}/decision",
           json={"decision": "recommend", "reason": "技能对口"}, headers=world.counsellor)
    with service.db.session() as session, session.begin():
        interview = InterviewSession(seeker_id=world.mine, role_title="平面设计助理", requirements=[], questions=[])
        session.add(interview)
        session.flush()
        session.add(InterviewAnswer(session_id=interview.id, question_id="q1", answer_text="我做过海报。", score=55))
    c.get(f"/seekers/{world.mine}", params={"reason": "回访"}, headers=world.counsellor)
    assert c.get(f"/seekers/{world.mine}/export", headers=world.counsellor).status_code == 403
    export = c.get(f"/seekers/{world.mine}/export", headers=me)
    assert export.status_code == 200
    data = export.json()
    assert data["profile"]["id"] == world.mine and "Photoshop" in data["profile"]["resume_text"]
    assert data["profile"]["id"] == world.mine and "photoshop" in data["profile"]["match_words"]
    assert {o["event"] for o in data["outcomes"]} == {"applied", "recommended"}
    assert data["decisions"][0]["reason"] == "技能对口"
    assert data["services"][0]["service"] == "岗位推荐"
    assert data["interview_sessions"][0]["answers"][0]["score"] == 55
    assert data["access_log"][0]["reason"] == "回访"

    with service.db.session() as session:
        subject = seeker_subject(service.secret, world.mine, session.get(Seeker, world.mine).ledger_key)
    deleted = c.delete(f"/seekers/{world.mine}", headers=me)
    assert deleted.status_code == 200 and deleted.json()["removed"]["interview_sessions"] == 1
    assert c.get(f"/seekers/{world.mine}", params={"reason": "回访"}, headers=world.admin).status_code == 404
    assert c.get(f"/seekers/{world.mine}", headers=me).status_code == 401  # the seeker's account went with it
    with service.db.session() as session:
        assert session.get(Seeker, world.mine) is None
        assert session.scalar(select(MatchOutcome).where(MatchOutcome.seeker_id == world.mine)) is None
        assert session.scalar(select(InterviewSession)) is None and session.scalar(select(InterviewAnswer)) is None
        ledger = session.execute(text("SELECT subject, service_code FROM ledger_entries")).all()
    assert ledger == [(subject, "job_referral")]
    shortlist = c.get(f"/postings/{posting['id']}/shortlist", headers=world.admin).json()["candidates"]
    assert world.mine not in [x["seeker_id"] for x in shortlist]  # its vector is gone from the seeker index
    assert c.get("/ledger/verify", headers=world.admin).json()["ok"] is True


def test_local_mode_without_auth_acts_as_admin(tmp_path):
    settings = Settings(data_dir=tmp_path / "open", encoder="hashing-256", refresh_interval_s=0.0,
                        occupation_coding=False, auth_required=False)
    with TestClient(create_app(settings, encoder=HashingEncoder(256))) as client:
        assert client.post("/postings", json=POSTING).status_code == 201
        assert client.get("/me").json()["role"] == "admin"
        assert client.get("/me", headers=_bearer("wrong")).status_code == 401


def test_a_seeker_account_registers_once_and_is_linked_to_its_record(world):
    c = world.client
    newcomer = world.user("新求职者", "seeker")
    created = c.post("/seekers", json={"resume_text": "做过收银。", "consent": True}, headers=newcomer)
    assert created.status_code == 201
    assert c.get("/me", headers=newcomer).json()["seeker_id"] == created.json()["id"]
    assert c.get(f"/seekers/{created.json()['id']}", headers=newcomer).status_code == 200
    again = c.post("/seekers", json={"resume_text": "做过收银。", "consent": True}, headers=newcomer)
    assert again.status_code == 403
