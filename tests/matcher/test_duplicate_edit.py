"""A posting marked `duplicate_of` on import keeps the mark through an edit or a re-import, and loses it
only when the edit makes it no longer a repeat (the mark is recomputed, never dropped)."""
import pytest

from matcher.ingest import import_file
from matcher.inputs import PostingInput
from matcher.service import JobCircle
from tests.keyword_encoder import KeywordEncoder

ROWS = "岗位编号,岗位名称,公司名称,工作地点,岗位描述\n" + "\n".join([
    "D-1,小区保安,上海虹馨物业,曲阳路500号,门岗值班、夜间巡逻、车辆登记",
    "D-2,小区保安,上海虹馨物业,曲阳路500号,门岗值班、夜间巡逻、车辆登记。",
])


@pytest.fixture
def dup_service(settings, tmp_path):
    settings.relevance_threshold = 0.4
    service = JobCircle(settings, KeywordEncoder(["保安", "保洁"])).start()
    path = tmp_path / "postings.csv"
    path.write_text(ROWS, encoding="utf-8")
    result = import_file(service, "posting", path)
    first, second = result.ids
    assert service.get_posting(second)["duplicate_of"] == first
    yield service, path, first, second
    service.stop()


def shown(service):
    return [r["posting_id"] for r in service.match_text("做过小区保安，门岗巡逻", k=10)["results"]]


def test_an_edit_that_keeps_it_a_repeat_keeps_the_mark(dup_service):
    service, _, first, second = dup_service
    service.update_posting(second, {"salary": "5000-6000元/月", "headcount": 3})
    assert service.get_posting(second)["duplicate_of"] == first
    assert first in shown(service) and second not in shown(service)


def test_an_upsert_by_external_id_keeps_the_mark(dup_service):
    service, _, first, second = dup_service
    service.upsert_postings([PostingInput(external_id="D-2", title="小区保安", employer="上海虹馨物业",
                                          address="曲阳路500号", description="门岗值班、夜间巡逻、车辆登记。",
                                          salary="5500元/月")])
    assert service.get_posting(second)["duplicate_of"] == first
    assert second not in shown(service)


def test_a_reimport_keeps_and_reports_the_mark(dup_service):
    service, path, first, second = dup_service
    again = import_file(service, "posting", path)
    assert again.ids == [first, second]
    assert service.get_posting(second)["duplicate_of"] == first
    assert again.duplicates == [{"row": 3, "posting_id": second, "duplicate_of": first}]


def test_an_edit_that_makes_it_different_drops_the_mark(dup_service):
    service, _, first, second = dup_service
    service.update_posting(second, {"description": "商场夜班保安，负责监控室值守和消防巡查，持保安证优先"})
    assert service.get_posting(second)["duplicate_of"] is None
    assert first in shown(service) and second in shown(service)


def test_editing_the_original_away_frees_its_repeat(dup_service):
    service, _, first, second = dup_service
    service.update_posting(first, {"description": "商场夜班保安，负责监控室值守和消防巡查，持保安证优先"})
    assert service.get_posting(second)["duplicate_of"] is None
    assert first in shown(service) and second in shown(service)


def test_closing_the_original_frees_its_repeat(dup_service):
    service, _, first, second = dup_service
    service.close_posting(first)
    assert service.get_posting(second)["duplicate_of"] is None
    assert second in shown(service)
