"""The same storage code against a real PostgreSQL server (skipped without one; .ci/run starts one)."""

import pytest

from matcher.inputs import PostingInput, SeekerInput
from matcher.service import JobCircle
from matcher.settings import Settings
from models.encoder import HashingEncoder

pytestmark = pytest.mark.postgres


def test_service_runs_on_postgresql(tmp_path, pg_database):
    settings = Settings(data_dir=tmp_path, database_url=pg_database, refresh_interval_s=0)
    service = JobCircle(settings, HashingEncoder(128)).start()
    ids = service.upsert_postings([
        PostingInput(title="平面设计助理", requirements="Photoshop、Illustrator", street="曲阳路街道", external_id="A1"),
        PostingInput(title="保安员", requirements="持保安员证", street="欧阳路街道", external_id="A2"),
    ])
    assert service.upsert_postings([PostingInput(title="平面设计助理", salary="6000-8000元/月", external_id="A1")])[0] == ids[0]
    seeker = service.create_seeker(SeekerInput(resume_text="视觉传达设计，熟练Photoshop", consent=True))
    before = service.match_seeker(seeker["id"], k=2)["results"]
    assert before[0]["posting_id"] == ids[0]
    service.close_posting(ids[1])
    service.stop()
    again = JobCircle(settings, HashingEncoder(128)).start()
    assert [r["posting_id"] for r in again.match_seeker(seeker["id"], k=2)["results"]] == [ids[0]]
    assert again.stats()["postings_open"] == 1
    again.stop()


def test_duplicate_marks_are_recomputed_on_postgresql(tmp_path, pg_database):
    """The JSON queries behind `duplicate_of` (marked originals, their repeats) on PostgreSQL."""
    settings = Settings(data_dir=tmp_path, database_url=pg_database, refresh_interval_s=0, occupation_coding=False)
    service = JobCircle(settings, HashingEncoder(128)).start()
    try:
        rows = "岗位编号,岗位名称,公司名称,工作地点,岗位描述\nP-1,小区保安,虹馨物业,曲阳路500号,门岗值班、夜间巡逻、车辆登记\n" \
               "P-2,小区保安,虹馨物业,曲阳路500号,门岗值班、夜间巡逻、车辆登记。\n"
        path = tmp_path / "p.csv"
        path.write_text(rows, encoding="utf-8")
        from matcher.ingest import import_file

        first, second = import_file(service, "posting", path).ids
        service.update_posting(second, {"salary": "5000元/月"})
        assert service.get_posting(second)["duplicate_of"] == first
        service.update_posting(first, {"description": "商场监控室值守，消防巡查，持证上岗优先"})
        assert service.get_posting(second)["duplicate_of"] is None
    finally:
        service.stop()
