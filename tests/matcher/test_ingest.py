"""Imports that do not lie: links are not addresses, 岗位需求 fills requirements, 4天/周 keeps a day
rate per day, internships are 实习, the mapping is shown first (dry run), nothing is dropped silently;
and `postings export` writes the public view of every posting."""
import io
import json

import pandas as pd
import pytest

from cli.main import main
from matcher.ingest import days_per_week, export_postings, import_file

SCRAPE = (
    "地址,岗位名称,公司名称,岗位需求,薪资,时间要求,福利标签\n"
    "https://www.shixiseng.com/intern/inn_1,Java后端实习生,上海某科技有限公司,熟悉Java和MySQL,150元/天,4天/周,弹性工作\n"
    "https://www.zhipin.com/job_detail/2.html,数据分析实习生,上海某数据有限公司,熟悉Python和pandas,200元/天,每周3天,下午茶\n"
)


@pytest.fixture
def scrape(tmp_path):
    path = tmp_path / "scrape.csv"
    path.write_text(SCRAPE, encoding="utf-8")
    return path


def test_dry_run_shows_the_mapping_and_imports_nothing(service, scrape):
    result = import_file(service, "posting", scrape, dry_run=True)
    assert result.dry_run and result.imported == 0 and result.ids == [] and service.stats()["postings_open"] == 0
    fields = {c["header"]: c["field"] for c in result.columns}
    assert fields["地址"] is None and fields["岗位需求"] == "requirements" and fields["时间要求"] == "days_per_week"
    left = {c["header"]: c["reason"] for c in result.left_out}
    assert "网址" in left["地址"] and "福利标签" in left  # the link and the unknown text column are both named


def test_a_scraped_file_imports_truthfully(service, scrape):
    result = import_file(service, "posting", scrape)
    assert result.errors == [] and result.imported == 2
    java = service.get_posting(result.ids[0])
    assert java["address"] is None  # the URL column was never taken as the address
    assert java["requirements"] == "熟悉Java和MySQL"
    assert java["employment_type"] == "internship"
    assert java["days_per_week"] == 4 and java["salary"] == "150元/天"
    assert java["salary_monthly_min"] == pytest.approx(150 * 4 * 52 / 12, abs=0.01)


@pytest.mark.parametrize("text,days", [("4天/周", 4), ("每周3天", 3), ("一周五天", 5), ("周一至周五", 5), ("弹性", None)])
def test_days_per_week(text, days):
    assert days_per_week(text) == days


def test_export_writes_the_public_view_of_every_posting(service, scrape, tmp_path, settings, monkeypatch):
    import_file(service, "posting", scrape)
    out = io.StringIO()
    assert export_postings(service.db, out, "jsonl") == 2
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    for key in ("lat", "lon", "location_precision", "description", "requirements", "duplicate_of"):
        assert key in rows[0]
    assert rows[0]["requirements"] == "熟悉Java和MySQL"
    service.stop()
    monkeypatch.setenv("JOBCIRCLE_DATA_DIR", str(settings.data_dir))
    for fmt in ("csv", "xlsx"):
        path = tmp_path / f"postings.{fmt}"
        assert main(["postings", "export", "--format", fmt, "--out", str(path)]) == 0
        frame = pd.read_csv(path) if fmt == "csv" else pd.read_excel(path)
        assert len(frame) == 2 and {"lat", "lon", "location_precision", "duplicate_of"} <= set(frame.columns)
