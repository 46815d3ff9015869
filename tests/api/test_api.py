import io

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.schemas import POSTING_EXAMPLE, SEEKER_EXAMPLE
from matcher.counsellor.access import add_user
from models.encoder import HashingEncoder


def admin_headers(test_client) -> dict:
    """Issue an admin token in the app's own database and return the header that sends it."""
    service = test_client.app.state.service
    with service.db.session() as session, session.begin():
        _user_id, token = add_user(session, name="测试管理员", role="admin")
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def client(settings):
    with TestClient(create_app(settings, encoder=HashingEncoder(256))) as test_client:
        test_client.headers.update(admin_headers(test_client))
        yield test_client


def _csv(text: str):
    return {"file": ("岗位.csv", text.encode("utf-8"))}


def test_posting_lifecycle_and_matches(client):
    posting = client.post("/postings", json=POSTING_EXAMPLE)
    assert posting.status_code == 201
    other = client.post("/postings", json={"title": "社区食堂帮厨", "requirements": "持健康证", "street": "欧阳路街道"})
    seeker = client.post("/seekers", json=SEEKER_EXAMPLE).json()
    matches = client.get(f"/seekers/{seeker['id']}/matches", params={"k": 2}).json()["results"]
    assert matches[0]["posting_id"] == posting.json()["id"]
    assert matches[0]["explanation"] and matches[0]["breakdown"]
    assert client.post(f"/postings/{posting.json()['id']}/close").json()["status"] == "closed"
    matches = client.get(f"/seekers/{seeker['id']}/matches").json()["results"]
    assert [m["posting_id"] for m in matches] == [other.json()["id"]]


def test_validation_errors_name_the_field_in_chinese(client):
    response = client.post("/postings", json={"title": "保安", "salary": "5-6元/月"})
    assert response.status_code == 422
    body = response.json()
    assert body["errors"][0]["field"] == "salary" and "薪资" in body["errors"][0]["message"]
    response = client.post("/seekers", json={"resume_text": "做过保洁", "consent": False})
    assert response.status_code == 422 and "同意" in response.json()["detail"]
    response = client.post("/postings", json={"title": "保安", "role": "admin"})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "role"


def test_unknown_ids_are_404_and_bounds_are_enforced(client):
    assert client.get("/postings/12345").status_code == 404
    assert client.get("/seekers/12345/matches").status_code == 404
    response = client.get("/seekers/1/matches", params={"k": 5000})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "k"
    response = client.post("/match", json={"resume_text": "x" * 30000})
    assert response.status_code == 422


def test_ad_hoc_match_and_nearby_by_street(client):
    client.post("/postings", json=POSTING_EXAMPLE)
    results = client.post("/match", json={"resume_text": "视觉传达设计，Photoshop", "street": "曲阳路街道", "k": 3}).json()
    assert results["results"][0]["title"] == POSTING_EXAMPLE["title"]
    nearby = client.get("/nearby", params={"street": "曲阳路街道", "radius_km": 2}).json()
    assert nearby["origin"]["approximate"] is True and nearby["postings"]
    assert client.get("/nearby").status_code == 422


def test_readiness_reports_the_index(client):
    body = client.get("/ready").json()
    assert body["status"] == "ready" and body["index_factory"] == "Flat"


def _import(client, files, **params) -> dict:
    """An HTTP import is a background job: 202 with its id, then its report from GET /imports/jobs/{id}."""
    accepted = client.post("/imports/postings", files=files, params=params)
    assert accepted.status_code == 202, accepted.text
    job_id = accepted.json()["job_id"]
    client.app.state.imports.wait(job_id)
    job = client.get(f"/imports/jobs/{job_id}").json()
    assert job["status"] == "done", job
    return job["report"]


def test_import_reports_every_bad_row_and_imports_nothing(client):
    text = ("岗位名称,公司名称,薪资,学历要求,街道,备注栏\n"
            "收银员,某超市,4500-5500元/月,高中,嘉兴路街道,x\n"
            ",某超市,5-6元/月,本科,火星街道,y\n"
            "理货员,某超市,面议,看情况,嘉兴路街道,z\n")
    report = _import(client, _csv(text))
    assert report["imported"] == 0
    errors = {(e["row"], e["column"]) for e in report["errors"]}
    assert {(3, "岗位名称"), (3, "薪资"), (3, "街道"), (4, "学历要求")} <= errors
    assert report["unknown_columns"] == ["备注栏"]
    assert client.get("/ready").json()["postings_open"] == 0
    partial = _import(client, _csv(text), allow_partial="true")
    assert partial["imported"] == 1


def test_reimport_with_ids_updates_and_xlsx_is_read(client):
    frame = pd.DataFrame([{"职位编号": "HK-9", "职位名称": "仓库管理员", "单位名称": "某物流", "薪酬": "6000-7000元/月",
                           "经验": "1-3年", "工作地点": "上海市虹口区凉城新村街道车站北路1号", "招聘人数": "3人"}])
    buffer = io.BytesIO()
    frame.to_excel(buffer, index=False)
    files = {"file": ("岗位.xlsx", buffer.getvalue())}
    first = _import(client, files)
    second = _import(client, files)
    assert first["imported"] == 1 and first["ids"] == second["ids"]
    posting = client.get(f"/postings/{first['ids'][0]}").json()
    assert posting["street_code"] == "310109016" and posting["location_approximate"] is True
    assert posting["headcount"] == 3 and posting["experience_min"] == 1


def test_import_preview_shows_the_mapping_and_writes_nothing(client):
    text = ("岗位名称,公司名称,岗位需求,地址,薪资\n"
            "收银员,某超市,会用收银机,https://example.com/job/1,4500-5500元/月\n"
            ",某超市,细心,https://example.com/job/2,5000元/月\n")
    response = client.post("/imports/postings/preview", files=_csv(text))
    assert response.status_code == 200
    report = response.json()
    assert report["dry_run"] is True and report["imported"] == 0
    assert {e["row"] for e in report["errors"]} == {3}
    assert report["column_mapping"].get("岗位需求") == "requirements"
    assert report["column_mapping"]["地址"] == "link"  # a column of links is never taken as the address
    assert client.get("/ready").json()["postings_open"] == 0


def test_import_without_a_title_column_says_which_column_is_missing(client):
    response = client.post("/imports/postings", files=_csv("公司名称,薪资\n某超市,5000元/月\n"))
    assert response.status_code == 422 and "岗位名称" in response.json()["detail"]


def test_no_stack_trace_reaches_the_client(settings):
    app = create_app(settings, encoder=HashingEncoder(256))

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals")

    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/boom")
    assert response.status_code == 500 and "secret" not in response.text and "Traceback" not in response.text
