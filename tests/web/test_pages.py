"""Workbench pages without a browser: sign-in by cookie, CSRF, access rules, export and the letter."""
from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from api.app import create_app
from cli.main import ensure_demo_users, seed_demo
from data.access_tables import AccessLog, ServiceRecord
from data.schema import Seeker
from matcher.counsellor import access
from matcher.settings import Settings
from models.encoder import HashingEncoder


@pytest.fixture(scope="module")
def demo_data(tmp_path_factory) -> Path:
    """The demo data seeded once per module; each test works on its own copy."""
    from matcher.service import JobCircle

    data_dir = tmp_path_factory.mktemp("demo") / "jobcircle"
    settings = _settings(data_dir)
    service = JobCircle(settings, HashingEncoder(256)).start()
    seed_demo(service, progress=False)
    ensure_demo_users(service, settings)
    service.stop()
    return data_dir


def _settings(data_dir: Path) -> Settings:
    return Settings(data_dir=data_dir, encoder="hashing-256", refresh_interval_s=0.0, occupation_coding=False)


@pytest.fixture
def demo(demo_data, tmp_path):
    from matcher.service import JobCircle

    data_dir = tmp_path / "jobcircle"
    shutil.copytree(demo_data, data_dir)
    settings = _settings(data_dir)
    service = JobCircle(settings, HashingEncoder(256)).start()
    tokens = ensure_demo_users(service, settings)
    try:
        with TestClient(create_app(settings, service=service)) as client:
            yield client, service, tokens
    finally:
        service.stop()


def sign_in(client, token: str):
    return client.post("/login", data={"token": token}, follow_redirects=True)


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def own_seeker(service, tokens) -> int:
    with service.db.session() as session:
        principal = access.authenticate(session, tokens["counsellor"])
        return session.scalar(select(Seeker.id).where(Seeker.station_id.in_(principal.station_ids)).order_by(Seeker.id))


def test_sign_in_sets_an_httponly_cookie_and_bearer_tokens_still_work(demo):
    client, _service, tokens = demo
    response = client.post("/login", data={"token": tokens["counsellor"]}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/workbench/caseload"
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    client.cookies.clear()
    api = client.get("/me", headers={"Authorization": f"Bearer {tokens['counsellor']}"})
    assert api.status_code == 200 and api.json()["role"] == "counsellor"


def test_bad_token_shows_chinese_error_next_to_the_field(demo):
    client, _service, _tokens = demo
    response = client.post("/login", data={"token": "not-a-token"})
    assert response.status_code == 401
    assert 'id="token-error"' in response.text and "令牌无效或已被吊销" in response.text


def test_login_never_redirects_to_another_host(demo):
    client, _service, tokens = demo
    response = client.post("/login", data={"token": tokens["counsellor"], "next": "//evil.example/x"},
                           follow_redirects=False)
    assert response.headers["location"] == "/workbench/caseload"


def test_a_form_without_the_csrf_token_changes_nothing(demo):
    client, service, tokens = demo
    sign_in(client, tokens["counsellor"])
    seeker_id = own_seeker(service, tokens)
    response = client.post(f"/workbench/seekers/{seeker_id}/services", data={"service_code": "home_visit", "csrf": "forged"})
    assert response.status_code == 403 and "CSRF" in response.text
    with service.db.session() as session:
        assert session.scalar(select(func.count()).select_from(ServiceRecord)) == 0


def test_reading_a_seeker_is_logged_with_its_reason_and_shows_the_full_phone(demo):
    client, service, tokens = demo
    sign_in(client, tokens["counsellor"])
    seeker_id = own_seeker(service, tokens)
    page = client.get(f"/workbench/seekers/{seeker_id}", params={"reason": "电话回访"})
    with service.db.session() as session:
        phone = session.get(Seeker, seeker_id).phone
        reasons = session.scalars(select(AccessLog.reason).where(AccessLog.seeker_id == seeker_id)).all()
    assert page.status_code == 200 and f'href="tel:{phone}"' in page.text
    assert "电话回访" in reasons


def test_a_counsellor_cannot_open_another_stations_seeker(demo):
    client, service, tokens = demo
    sign_in(client, tokens["counsellor"])
    with service.db.session() as session:
        principal = access.authenticate(session, tokens["counsellor"])
        other = session.scalar(select(Seeker.id).where(Seeker.station_id.not_in(principal.station_ids)))
    response = client.get(f"/workbench/seekers/{other}")
    assert response.status_code == 403 and "没有权限" in response.text
    assert "tel:" not in response.text


def test_a_seeker_cannot_open_the_counsellors_pages(demo):
    client, _service, tokens = demo
    sign_in(client, tokens["seeker"])
    response = client.get("/workbench/caseload")
    assert response.status_code == 403 and "就业援助员" in response.text


def test_service_types_are_the_stations_own(demo):
    client, service, tokens = demo
    sign_in(client, tokens["counsellor"])
    page = client.get(f"/workbench/seekers/{own_seeker(service, tokens)}").text
    options = re.findall(r'<option value="[a-z_]+"[^>]*>([^<]+)</option>', page)
    assert options[:7] == ["职业指导", "岗位推荐", "陪同招聘会", "电话回访", "家访", "政策咨询", "培训推荐"]


def test_closed_case_leaves_the_caseload(demo):
    client, service, tokens = demo
    html = sign_in(client, tokens["counsellor"]).text
    seeker_id = own_seeker(service, tokens)
    assert f"/workbench/seekers/{seeker_id}?" in html
    response = client.post(f"/workbench/seekers/{seeker_id}/close", follow_redirects=True,
                           data={"csrf": csrf_of(html), "outcome": "employed", "employer": "上海某超市", "on_date": "2026-01-05"})
    assert "已结案：已就业，上海某超市，2026-01-05" in response.text
    assert f"/workbench/seekers/{seeker_id}?" not in client.get("/workbench/caseload").text


def test_the_caseload_says_never_served_rather_than_a_contact(demo):
    client, service, tokens = demo
    seeker_id = own_seeker(service, tokens)
    with service.db.session() as session, session.begin():
        session.query(ServiceRecord).filter(ServiceRecord.seeker_id == seeker_id).delete()
    html = sign_in(client, tokens["counsellor"]).text
    card = html[html.index(f"/workbench/seekers/{seeker_id}?"):]
    card = card[:card.index("</li>")]
    assert "尚未服务（登记于" in card and "天前）" in card


def test_month_export_is_an_excel_file_of_the_stations_services(demo):
    from datetime import date

    from openpyxl import load_workbook

    client, service, tokens = demo
    html = sign_in(client, tokens["counsellor"]).text
    seeker_id = own_seeker(service, tokens)
    client.post(f"/workbench/seekers/{seeker_id}/services", data={"csrf": csrf_of(html), "service_code": "home_visit"})
    response = client.get("/workbench/export", params={"month": date.today().strftime("%Y-%m")})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("服务时间", "服务站点", "求职者编号", "求职者", "服务类型")
    assert [(r[2], r[4]) for r in rows[1:]] == [(seeker_id, "家访")]
    bad = client.get("/workbench/export", params={"month": "十一月"})
    assert bad.status_code == 422 and "月份格式应为" in bad.text


def test_the_letter_carries_no_phone_id_number_or_priority_group(demo):
    client, service, tokens = demo
    sign_in(client, tokens["counsellor"])
    seeker_id = own_seeker(service, tokens)
    posting_id = service.match_seeker(seeker_id, 1)["results"][0]["posting_id"]
    with service.db.session() as session:
        row = session.get(Seeker, seeker_id)
        phone, masked = row.phone, row.id_number_masked
    page = client.get("/workbench/letter", params={"seeker": seeker_id, "posting": posting_id})
    assert page.status_code == 200 and "推荐函" in page.text
    assert phone not in page.text and (not masked or masked not in page.text)
    assert "重点群体：" not in page.text


def test_a_seeker_registered_alone_is_told_no_counsellor_sees_the_file(demo):
    client, service, _tokens = demo
    with service.db.session() as session, session.begin():
        _user, token = access.add_user(session, name="自己注册的求职者", role="seeker")
    html = sign_in(client, token).text
    assert "不会有就业援助员看到我的档案" in html
    bad = client.post("/my/register", data={"csrf": csrf_of(html), "resume_text": "做过三年仓库管理", "phone": "123"})
    assert bad.status_code == 422 and 'id="phone-error"' in bad.text and "手机号“123”格式不对" in bad.text
    client.post("/my/register", data={"csrf": csrf_of(html), "resume_text": "做过三年仓库管理，会开叉车", "consent": "yes"})
    page = client.get("/my").text
    assert "还没有选择服务站点" in page and "没有就业援助员会看到你的档案" in page


def test_seeker_deletes_their_data(demo):
    client, service, tokens = demo
    html = sign_in(client, tokens["seeker"]).text
    with service.db.session() as session:
        seeker_id = access.authenticate(session, tokens["seeker"]).seeker_id
    refused = client.post("/my/delete", data={"csrf": csrf_of(html), "confirm": ""})
    assert refused.status_code == 422 and 'id="confirm-error"' in refused.text
    done = client.post("/my/delete", data={"csrf": csrf_of(html), "confirm": "删除"})
    assert "你的信息已删除" in done.text
    with service.db.session() as session:
        assert session.get(Seeker, seeker_id) is None


def test_docs_and_pages_forbid_loading_from_other_hosts(demo):
    client, _service, _tokens = demo
    for path in ("/docs", "/redoc", "/login"):
        response = client.get(path)
        assert response.status_code == 200
        policy = response.headers["content-security-policy"]
        assert "default-src 'self'" in policy and "img-src 'self' data:" in policy
        assert "cdn.jsdelivr.net" not in response.text and "fonts.googleapis" not in response.text



def test_api_answers_and_errors_carry_the_same_host_headers_once(demo):
    client, _service, tokens = demo
    answers = [client.get("/health"), client.get("/postings/999999", headers={"Authorization": f"Bearer {tokens['admin']}"}),
               client.get("/seekers/1/matches")]  # ok, a Chinese 404, a 401 without a token
    assert [r.status_code for r in answers] == [200, 404, 401]
    for response in answers:
        assert "default-src 'self'" in response.headers["content-security-policy"]
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "same-origin"
        assert len(response.headers.get_list("content-security-policy")) == 1


@pytest.mark.slow
def test_seeker_page_with_the_real_model(settings, real_encoder):
    """A seeker's matches on the workbench with m3e-small, over part of the demo postings."""
    from data import demo as demo_rows
    from matcher.inputs import PostingInput, SeekerInput
    from matcher.service import JobCircle

    service = JobCircle(settings, real_encoder).start()
    try:
        station = service.add_stations(demo_rows.stations())[0]
        service.upsert_postings([PostingInput.model_validate(row) for row in demo_rows.postings()[:40]])
        seeker_id = service.upsert_seekers([SeekerInput.model_validate(
            {"resume_text": "做过三年超市收银员，熟悉收银系统，持健康证，能上早晚班", "desired_roles": ["收银员"],
             "consent": True, "station_id": station, "street": "曲阳路街道"})])[0]
        with service.db.session() as session, session.begin():
            _user, token = access.add_user(session, name="试用求职者", role="seeker", seeker_id=seeker_id)
        with TestClient(create_app(settings, service=service)) as client:
            page = sign_in(client, token).text
        explanations = re.findall(r'<p class="why">([^<]+)</p>', page)
        assert len(explanations) >= 3 and all(len(text) > 10 for text in explanations)
    finally:
        service.stop()


def test_the_demo_prints_the_workbench_url_and_the_tokens(settings, monkeypatch, capsys):
    import argparse

    import uvicorn

    from cli import main as cli

    monkeypatch.setattr(uvicorn, "run", lambda app, **options: None)  # do not block serving
    assert cli.cmd_demo(argparse.Namespace(host="127.0.0.1", port=8123), settings) == 0
    printed = capsys.readouterr().err
    saved = (settings.data_dir / cli.DEMO_TOKEN_FILE).read_text(encoding="utf-8")
    assert "工作台 http://127.0.0.1:8123/" in printed
    for role in ("COUNSELLOR", "SEEKER"):
        token = next(line.split("=", 1)[1] for line in saved.splitlines() if line.startswith(f"{role}_TOKEN="))
        assert token in printed


def test_an_interview_without_a_role_shows_the_error_next_to_the_role_field(demo):
    client, _service, tokens = demo
    html = sign_in(client, tokens["seeker"]).text
    response = client.post("/my/interview", data={"csrf": csrf_of(html), "role_text": "", "difficulty": "standard"})
    assert response.status_code == 422
    assert 'id="role_text-error"' in response.text and 'aria-invalid="true"' in response.text
