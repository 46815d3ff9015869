"""Item 6 of issue 12: an HTTP import is a background job the server answers around; its report is
read back by id, only by whoever sent it; rows are checked against the sender's stations."""
from __future__ import annotations

import threading

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from models.encoder import HashingEncoder
from tests.api.test_access import World


@pytest.fixture
def world(settings):
    with TestClient(create_app(settings, encoder=HashingEncoder(256))) as client:
        yield World(client)


def _csv(rows: list[str], header: str = "岗位名称,公司名称,薪资,街道,服务站点编号,职位编号") -> dict:
    return {"file": ("岗位.csv", ("\n".join([header, *rows]) + "\n").encode("utf-8"), "text/csv")}


def _finish(client, accepted, headers) -> dict:
    assert accepted.status_code == 202, accepted.text
    job_id = accepted.json()["job_id"]
    client.app.state.imports.wait(job_id, timeout=120)
    job = client.get(f"/imports/jobs/{job_id}", headers=headers).json()
    assert job["status"] == "done", job
    return job


def test_the_server_answers_while_a_300_row_import_runs(world):
    c, writer = world.client, world.service.parts.posting_writer
    gate, entered = threading.Event(), threading.Event()
    original = writer.upsert

    def held_upsert(inputs, **kwargs):
        entered.set()
        gate.wait(timeout=60)  # the import is "slow" until the test has checked the server
        return original(inputs, **kwargs)

    writer.upsert = held_upsert
    rows = [f"仓库理货员{n},某物流{n % 7},5000-6000元/月,曲阳路街道,{world.stations[0]},IMP-{n}" for n in range(300)]
    try:
        accepted = c.post("/imports/postings", files=_csv(rows), headers=world.counsellor)
        assert accepted.status_code == 202
        job_id = accepted.json()["job_id"]
        assert accepted.json()["status"] in ("queued", "running") and accepted.json()["total_rows"] == 300
        assert entered.wait(timeout=60)
        # The import is mid-way: the server still answers, and says so.
        assert c.get("/health").status_code == 200
        assert c.get("/ready").status_code == 200
        assert c.get(f"/imports/jobs/{job_id}", headers=world.counsellor).json()["status"] == "running"
    finally:
        gate.set()
        writer.upsert = original
    job = _finish(c, accepted, world.counsellor)
    assert job["report"]["imported"] == 300 and job["report"]["errors"] == []
    assert c.get("/ready").json()["postings_open"] == 300


def test_a_job_is_visible_only_to_its_sender_and_admins(world):
    c = world.client
    job = _finish(c, c.post("/imports/postings", files=_csv([f"收银员,某超市,5000,曲阳路街道,{world.stations[0]},"]),
                            headers=world.counsellor), world.counsellor)
    assert c.get(f"/imports/jobs/{job['job_id']}", headers=world.other_counsellor).status_code == 404
    assert c.get(f"/imports/jobs/{job['job_id']}", headers=world.admin).json()["report"]["imported"] == 1
    assert c.get(f"/imports/jobs/{job['job_id']}", headers=world.seeker_token).status_code == 403
    assert c.get("/imports/jobs/999999", headers=world.admin).status_code == 404


def test_import_rows_must_name_the_senders_stations_and_not_take_over_others_postings(world):
    c = world.client
    theirs = c.post("/postings", json={"title": "乙站岗位 保安员", "external_id": "B-1", "station_id": world.stations[1]},
                    headers=world.admin).json()
    rows = [f"收银员,某超市,5000,曲阳路街道,{world.stations[0]},A-1",
            f"理货员,某超市,5000,曲阳路街道,{world.stations[1]},A-2",
            f"改写乙站岗位,某超市,5000,曲阳路街道,{world.stations[0]},B-1"]
    job = _finish(c, c.post("/imports/postings", files=_csv(rows), headers=world.counsellor), world.counsellor)
    report = job["report"]
    assert report["imported"] == 0
    errors = {(e["row"], e["column"]): e["reason"] for e in report["errors"]}
    assert "不是本人所属站点" in errors[(3, "服务站点编号")]
    assert "其他服务站点" in errors[(4, "职位编号")]
    assert c.get(f"/postings/{theirs['id']}").json()["title"] == "乙站岗位 保安员"
    partial = _finish(c, c.post("/imports/postings", files=_csv(rows), params={"allow_partial": "true"},
                                headers=world.counsellor), world.counsellor)
    assert partial["report"]["imported"] == 1
    assert c.get(f"/postings/{theirs['id']}").json()["title"] == "乙站岗位 保安员"


def test_an_unreadable_file_is_refused_at_once(world):
    response = world.client.post("/imports/postings", files=_csv(["某超市,5000"], header="公司名称,薪资"),
                                 headers=world.counsellor)
    assert response.status_code == 422 and "岗位名称" in response.json()["detail"]
