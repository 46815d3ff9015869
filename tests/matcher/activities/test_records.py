"""Trainings and events as records: parsing, certificates, station-scoped upsert, spreadsheet import."""
from datetime import timedelta

import pytest

from data.activity_tables import Training
from matcher.activities import common
from matcher.activities.events import get_event, list_events
from matcher.activities.importers import import_activities
from matcher.activities.trainings import certificate_parts, get_training, list_trainings
from tests.matcher.activities.conftest import NOW, add_event, add_training

TRAININGS_CSV = (
    "培训编号,培训名称,培训机构,可获证书,开班日期,结束日期,上课日期类型,上课时段,学时,费用,是否补贴,补贴条件,名额,报名截止,街道,培训地点\n"
    "T1,保安员培训班,曲阳路街道社区学校,保安员证,2026-12-20,2027-01-10,工作日,白天,40,免费,是,本区登记失业人员,30,2026-12-15,曲阳路街道,虹口区玉田路（示例）\n"
    "T2,叉车司机培训,江湾职业培训学校,叉车证 N1,2026/12/22,,周末,白天,56学时,1800元,否,,20,,,虹口区江湾镇街道纪念路（示例）\n"
    "T3,中式烹调师（四级）,嘉兴路社区学校,中式烹调师四级,2027-01-05,,工作日,晚上,80,0,是,,25,2026-12-30,嘉兴路街道,\n"
)


def test_certificates_are_named_as_the_vocabulary_and_the_level_is_kept():
    assert certificate_parts("保安员证") == ("保安员证", None)
    assert certificate_parts("养老护理员五级") == ("养老护理员证", "五级")
    assert certificate_parts("叉车证 N1") == ("叉车证", "N1")
    assert certificate_parts("中式烹调师四级") == ("厨师证", "四级")
    assert certificate_parts("无人机驾驶证") == (None, None)  # not mistaken for 驾驶证


def test_import_trainings_parses_chinese_cells_and_upserts_within_the_station(service, stations, now):
    result = import_activities(service, "trainings", TRAININGS_CSV.encode(), filename="t.csv", station_id=stations[0])
    assert result.errors == [] and result.imported == 3, result.errors
    rows = {t["external_id"]: t for t in list_trainings(service, now=now)}
    guard, forklift, cook = rows["T1"], rows["T2"], rows["T3"]
    assert guard["subsidised"] and guard["fee"] == 0 and guard["seats"] == 30 and guard["registration_open"]
    assert guard["schedule"].startswith("12月20日开班，1月10日结束，工作日，白天，共40学时")
    assert guard["location_precision"] == "street" and guard["location_approximate"]
    assert forklift["certificate_canonical"] == "叉车证" and forklift["certificate_level"] == "N1"
    assert forklift["fee"] == 1800 and forklift["duration_hours"] == 56 and not forklift["subsidised"]
    assert forklift["street_code"] == "310109019"  # found in the address, approximate
    assert cook["certificate_canonical"] == "厨师证" and cook["schedule_time"] == "evening"
    # Importing the same file again updates; the same external id at another station is another training.
    again = import_activities(service, "trainings", TRAININGS_CSV.replace("30,2026-12-15", "35,2026-12-15").encode(),
                              filename="t.csv", station_id=stations[0])
    assert sorted(again.ids) == sorted(result.ids)
    assert get_training(service, guard["id"], now)["seats"] == 35
    other = import_activities(service, "trainings", TRAININGS_CSV.encode(), filename="t.csv", station_id=stations[1])
    assert set(other.ids).isdisjoint(result.ids)
    assert len(list_trainings(service, station_ids=[stations[0]], now=now)) == 3


def test_a_bad_row_stops_the_import_with_chinese_reasons_unless_partial(service, stations):
    bad = TRAININGS_CSV + "T4,,某机构,,2026-13-40,,周八,白天,四十,很贵,也许,,-1,,火星街道,\n"
    result = import_activities(service, "trainings", bad.encode(), filename="t.csv", station_id=stations[0])
    assert result.imported == 0 and result.skipped == 4
    reasons = {(e["row"], e["column"]): e["reason"] for e in result.errors}
    assert reasons == {(5, "街道"): "未找到街道“火星街道”，请填写上海市的街道/镇名称或9位代码"}
    fixed = bad.replace("火星街道", "曲阳路街道")
    result = import_activities(service, "trainings", fixed.encode(), filename="t.csv", station_id=stations[0])
    columns = {e["column"]: e["reason"] for e in result.errors}
    assert set(columns) == {"培训名称", "开班日期", "上课日期类型", "学时", "费用", "是否补贴", "名额"}
    assert columns["开班日期"] == "日期不存在，请检查年月日" and "周八" in columns["上课日期类型"]
    assert all(e["row"] == 5 for e in result.errors)
    with service.db.session() as session:
        assert session.query(Training).count() == 0
    partial = import_activities(service, "trainings", fixed.encode(), filename="t.csv", station_id=stations[0],
                                allow_partial=True)
    assert partial.imported == 3 and partial.skipped == 1


def test_import_events_links_fair_postings_present_in_the_database(service, stations, now):
    from matcher.inputs import PostingInput

    service.upsert_postings([PostingInput(external_id="P-GUARD-1", title="小区保安", requirements="持保安员证",
                                          street="曲阳路街道")])
    csv = ("活动编号,活动类型,活动名称,开始时间,结束时间,活动地点,街道,主办单位,活动链接,参会单位及岗位\n"
           "E1,现场招聘会,曲阳路专场招聘会,2026-12-05 09:30,2026-12-05 12:00,曲阳路街道社区服务中心,曲阳路街道,曲阳路街道,,"
           "上海虹信物业（示例）:小区保安/P-GUARD-1、保洁员；上海江湾养老（示例）\n"
           "E2,线上招聘会,云端招聘会,2026-12-08 14:00,,,,,https://example.org/fair,\n"
           "E3,政策咨询,创业担保贷款政策咨询,2026-11-01 14:00,,虹口区欧阳路街道,,区就业促进中心,,\n")
    result = import_activities(service, "events", csv.encode(), filename="e.csv", station_id=stations[0])
    assert result.errors == [] and result.imported == 3
    upcoming = list_events(service, now=now)
    assert [e["external_id"] for e in upcoming] == ["E1", "E2"]  # the past one is not listed
    fair = upcoming[0]
    assert fair["event_kind_name"] == "招聘会（现场）" and fair["when"] == "12月5日 09:30"
    assert fair["employers"] == ["上海虹信物业（示例）", "上海江湾养老（示例）"]
    linked = {p["title"]: p["linked"] for p in fair["postings"]}
    assert linked == {"小区保安": True, "保洁员": False}
    assert upcoming[1]["online"] and upcoming[1]["link"] == "https://example.org/fair"
    assert [e["external_id"] for e in list_events(service, now=now, include_past=True)] == ["E3", "E1", "E2"]


def test_event_rows_need_a_place_or_a_link_and_a_known_kind(service, stations):
    csv = ("活动类型,活动名称,开始时间\n"
           "线上招聘会,没有链接的线上招聘会,2026-12-08 14:00\n"
           "联欢会,不认识的类型,2026-12-08\n")
    result = import_activities(service, "events", csv.encode(), filename="e.csv", station_id=stations[0])
    reasons = [e["reason"] for e in result.errors]
    assert result.imported == 0 and "线上招聘会需填写活动链接" in reasons[0]
    assert "无法识别的活动类型“联欢会”" in reasons[1]


def test_training_states_never_call_a_closed_registration_open(service, stations, now):
    open_id = add_training(service, stations[0], external_id="open")
    late_id = add_training(service, stations[0], external_id="late",
                           registration_deadline=(now - timedelta(hours=1)).isoformat())
    started_id = add_training(service, stations[0], external_id="started", registration_deadline=None,
                              start_date=(now - timedelta(days=1)).date())
    full_id = add_training(service, stations[0], external_id="full", seats=0)
    states = {t["id"]: (t["registration_open"], t["state"]) for t in list_trainings(service, now=now)}
    assert states == {open_id: (True, "可报名"), late_id: (False, "报名已截止"),
                      started_id: (False, "已开班，报名已截止"), full_id: (False, "名额已满")}
    assert get_event(service, add_event(service, stations[0]), now)["registration_open"]
    assert common.parse_datetime("2026-12-05 下午2:30").isoformat() == "2026-12-05T06:30:00+00:00"
