"""The API edge holds against bad input and abuse (issue 12, items 4 and 5; tokens): every case here
gave a 500, read a body whole, or never throttled before."""
import logging
from datetime import datetime, timedelta, timezone

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from api.app import create_app
from data.access_tables import Token
from matcher.counsellor.access import add_user
from matcher.settings import Settings
from models.encoder import HashingEncoder

POSTING = {"title": "平面设计助理", "requirements": "熟练使用Photoshop", "street": "曲阳路街道", "salary": "6000-8000元/月"}
SEEKER = {"resume_text": "视觉传达设计专业，熟练Photoshop。", "consent": True, "street": "广中路街道",
          "phone": "13812345678"}
HUGE_ID = 2**63


def _bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def _token(client, **user) -> str:
    with client.app.state.service.db.session() as session, session.begin():
        return add_user(session, **({"name": "管理员", "role": "admin"} | user))[1]


def _app(settings, **overrides):
    return create_app(settings.model_copy(update=overrides), encoder=HashingEncoder(256))


@pytest.fixture
def client(settings):
    with TestClient(_app(settings)) as test_client:
        test_client.headers.update(_bearer(_token(test_client)))
        yield test_client


def _names_field_in_chinese(response, field: str) -> None:
    assert response.status_code == 422, response.text
    body = response.json()
    assert any(e["field"] == field for e in body["errors"]), body
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["detail"]), body["detail"]


# ---------------------------------------------------------------------------- item 4: bad input is a 422
@pytest.mark.parametrize("change,field", [({"salary": "abc"}, "salary"), ({"lat": 0, "lon": 121.5}, "lat")])
def test_invalid_posting_patch_is_422_naming_the_field(client, change, field):
    posting = client.post("/postings", json=POSTING).json()
    _names_field_in_chinese(client.patch(f"/postings/{posting['id']}", json=change), field)
    assert client.get(f"/postings/{posting['id']}").json()["salary"] == "6000-8000元/月"  # nothing changed


@pytest.mark.parametrize("change,field", [({"phone": "123"}, "phone"), ({"lat": 0, "lon": 121.5}, "lat"),
                                          ({"expected_salary": "abc"}, "expected_salary")])
def test_invalid_seeker_patch_is_422_and_the_typo_never_reaches_the_log(client, caplog, change, field):
    seeker = client.post("/seekers", json=SEEKER).json()
    with caplog.at_level(logging.DEBUG):
        response = client.patch(f"/seekers/{seeker['id']}", json=change)
    _names_field_in_chinese(response, field)
    assert "123" not in caplog.text or field != "phone"
    assert not any(r.levelno >= logging.ERROR for r in caplog.records), caplog.text
    assert client.get(f"/seekers/{seeker['id']}", params={"reason": "回访"}).json()["phone_masked"].endswith("5678")


@pytest.mark.parametrize("path", [f"/postings/{HUGE_ID}", f"/postings/{2**70}"])
def test_ids_beyond_64_bits_are_422_without_a_token(settings, path):
    with TestClient(_app(settings)) as anonymous:
        _names_field_in_chinese(anonymous.get(path), "posting_id")


def test_ids_beyond_64_bits_are_422_with_a_token(client):
    for path in (f"/seekers/{HUGE_ID}", f"/stations/{HUGE_ID}/caseload", f"/interviews/{HUGE_ID}"):
        assert client.get(path).status_code == 422, path
    body = dict(POSTING, station_id=HUGE_ID)
    _names_field_in_chinese(client.post("/postings", json=body), "station_id")


def test_a_lone_surrogate_is_422_everywhere(client):
    raw = '{"titles": ["\\ud800保安"]}'
    response = client.post("/occupations/code", content=raw, headers={"Content-Type": "application/json"})
    _names_field_in_chinese(response, "titles.0")
    raw = '{"resume_text": "会计\\udc00", "k": 3}'
    response = client.post("/match", content=raw, headers={"Content-Type": "application/json"})
    _names_field_in_chinese(response, "resume_text")
    raw = '{"title": "保安\\ud83d", "street": "曲阳路街道"}'
    response = client.post("/postings", content=raw, headers={"Content-Type": "application/json"})
    _names_field_in_chinese(response, "title")


@pytest.mark.parametrize("path,body,field", [
    ("/postings", dict(POSTING, description="夜班\x00保安"), "description"),
    ("/seekers", dict(SEEKER, resume_text="会计\x00出纳"), "resume_text"),
    ("/match", {"resume_text": "会计\x00"}, "resume_text"),
])
def test_nul_characters_are_422_before_the_database(client, path, body, field):
    _names_field_in_chinese(client.post(path, json=body), field)
    assert client.app.state.service.stats()["seekers"] == 0


# ---------------------------------------------------------------------------- item 5: limits that hold
def test_a_chunked_body_over_the_limit_is_413_in_chinese(settings):
    with TestClient(_app(settings, max_body_bytes=64 * 1024, auth_required=False)) as client:
        sent = {"n": 0}

        def chunks():  # no Content-Length: the body is streamed in pieces
            for _ in range(200):
                sent["n"] += 1
                yield b'{"resume_text": "' if sent["n"] == 1 else b"x" * 4096

        response = client.post("/match", content=chunks(), headers={"Content-Type": "application/json"})
        assert response.status_code == 413, response.text
        assert "请求体过大" in response.json()["detail"]
        declared = client.post("/match", content=b"x" * (65 * 1024), headers={"Content-Type": "application/json"})
        assert declared.status_code == 413
        assert client.post("/match", json={"resume_text": "会计，熟悉用友"}).status_code == 200


def test_flooding_gets_429_with_retry_after_per_token_and_per_address(settings):
    with TestClient(_app(settings, rate_limit_per_token="5/minute", rate_limit_per_client="8/minute")) as client:
        token = _bearer(_token(client))
        statuses = [client.get("/me", headers=token).status_code for _ in range(6)]
        assert statuses == [200] * 5 + [429]
        throttled = client.get("/me", headers=token)
        assert throttled.status_code == 429 and "请求过于频繁" in throttled.json()["detail"]
        assert 1 <= int(throttled.headers["Retry-After"]) <= 60
        # Another token from the same address still has its own budget, until the address runs out.
        other = _bearer(_token(client, name="另一位管理员"))
        assert client.get("/me", headers=other).status_code == 200  # the address's 8th request
        assert client.get("/me", headers=other).status_code == 429  # the address has had its 8
        assert client.get("/health").status_code == 200  # probes are never throttled


def test_the_address_limit_holds_without_a_token(settings):
    with TestClient(_app(settings, rate_limit_per_client="3/minute")) as client:
        statuses = [client.get("/postings/1").status_code for _ in range(4)]
    assert statuses[:3] == [404] * 3 and statuses[3] == 429


# ---------------------------------------------------------------------------- tokens expire and are revoked
def test_tokens_expire_after_the_configured_days(settings):
    with TestClient(_app(settings, token_ttl_days=30)) as client:
        token = _token(client)
        assert client.get("/me", headers=_bearer(token)).status_code == 200
        with client.app.state.service.db.session() as session, session.begin():
            session.execute(update(Token).values(created_at=datetime.now(timezone.utc) - timedelta(days=31)))
        # Changed straight in the database: the worker's cached check lives out its token_cache_s first.
        cache, real_clock = client.app.state.token_cache, client.app.state.token_cache.clock
        cache.clock = lambda: real_clock() + client.app.state.settings.token_cache_s + 0.01
        response = client.get("/me", headers=_bearer(token))
        assert response.status_code == 401 and "过期" in response.json()["detail"]


def test_an_admin_lists_and_revokes_tokens(client):
    counsellor_token = _token(client, name="甲站援助员", role="counsellor", district_wide=True)
    listed = client.get("/admin/tokens").json()
    assert listed["ttl_days"] == 90
    row = next(t for t in listed["tokens"] if t["user_name"] == "甲站援助员")
    assert row["live"] and row["expires_at"] and counsellor_token not in str(listed)
    assert client.get("/me", headers=_bearer(counsellor_token)).status_code == 200
    revoked = client.post(f"/admin/tokens/{row['id']}/revoke").json()
    assert revoked["live"] is False and revoked["revoked_at"]
    assert client.get("/me", headers=_bearer(counsellor_token)).status_code == 401
    # Only an admin may see or revoke tokens.
    seeker_token = _token(client, name="求职者", role="seeker")
    assert client.get("/admin/tokens", headers=_bearer(seeker_token)).status_code == 403
    assert client.post(f"/admin/tokens/{HUGE_ID}/revoke").status_code == 422
    assert client.post("/admin/tokens/999999/revoke").status_code == 404


# ---------------------------------------------------------------------------- the contract is declared
def test_every_route_declares_its_response_model(client):
    from fastapi.routing import APIRoute

    paths = client.app.openapi()["paths"]
    for path, operations in paths.items():
        for method, operation in operations.items():
            ok = [code for code in operation["responses"] if code.startswith("2")]
            assert ok, (method, path)
            content = operation["responses"][ok[0]].get("content", {}).get("application/json", {})
            assert content.get("schema"), f"{method.upper()} {path} declares no response model"
            assert {"413", "422", "429"} <= set(operation["responses"]), (method, path)
    # Every API route; the workbench's pages and the /docs pages are HTML and stay out of the schema.
    routes = [r for r in client.app.routes if isinstance(r, APIRoute)]
    assert all(r.response_model is not None for r in routes if r.include_in_schema)


def test_blank_external_ids_are_no_ids_and_a_duplicate_is_not_a_500(client):
    first = client.post("/postings", json=dict(POSTING, external_id=""))
    second = client.post("/postings", json=dict(POSTING, external_id="  "))
    assert first.status_code == second.status_code == 201, second.text
    assert first.json()["id"] != second.json()["id"] and second.json()["external_id"] is None
    seekers = [client.post("/seekers", json=dict(SEEKER, external_id="", phone=None)) for _ in range(2)]
    assert [s.status_code for s in seekers] == [201, 201], seekers[1].text
