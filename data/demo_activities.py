"""Seeded synthetic trainings and events for the Hongkou demo (issue 14), labelled （示例）.

SYNTHETIC: providers, schedules, fees and events are invented for the demo; certificates and
occupations are those the demo postings ask for (`data.demo.CATEGORIES`). Dates are relative to
`today` (Shanghai date), so the demo always shows upcoming trainings and events, plus one past fair
that must never appear as upcoming. Fair participants name demo postings by their 岗位编号, so they
link to the postings once the demo is loaded.
"""
from __future__ import annotations

from datetime import date, timedelta

from data import demo

ONLINE_LINK = "https://example.com/hongkou-online-fair-demo"


def _postings_for(titles: tuple[str, ...], n: int) -> list[tuple[str, str, str]]:
    rows = [(p["employer"], p["title"], p["external_id"]) for p in demo.postings() if p["title"] in titles]
    return rows[:n]


def _participants(rows: list[tuple[str, str, str]]) -> str:
    by_employer: dict[str, list[str]] = {}
    for employer, title, ref in rows:
        by_employer.setdefault(employer, []).append(f"{title}/{ref}")
    return "；".join(f"{employer}:{'、'.join(items)}" for employer, items in by_employer.items())


def trainings(today: date) -> list[dict]:
    """Raw training rows (Chinese values, as a station enters them); `station` is the station's name."""
    d = lambda days: (today + timedelta(days=days)).isoformat()  # noqa: E731
    return [
        {"station": "曲阳路街道社区就业服务中心（示例）", "external_id": "DEMO-T001", "title": "保安员（五级）培训班（示例）",
         "provider": "曲阳路街道社区学校（示例）", "occupation_code": "4-07-05-01", "certificate": "保安员证",
         "start_date": d(14), "end_date": d(28), "schedule_days": "工作日", "schedule_time": "白天", "duration_hours": "40学时",
         "fee": "免费", "subsidised": "是", "eligibility_text": "本区登记失业人员、就业困难人员优先（示例条件）",
         "seats": "30", "registration_deadline": d(10), "street": "曲阳路街道", "address": "虹口区玉田路（示例地址）"},
        {"station": "欧阳路街道社区就业服务中心（示例）", "external_id": "DEMO-T002", "title": "养老护理员（五级）培训（示例）",
         "provider": "虹口区社区养老服务职业培训学校（示例）", "occupation_code": "4-10-01-05", "certificate": "养老护理员五级",
         "start_date": d(21), "end_date": d(60), "schedule_days": "周末", "schedule_time": "白天", "duration_hours": "120",
         "fee": "0", "subsidised": "是", "eligibility_text": "有意从事养老护理工作的本市劳动年龄段人员（示例条件）",
         "seats": "40", "registration_deadline": d(18), "lat": 31.2728, "lon": 121.4870, "address": "虹口区欧阳路（示例地址）"},
        {"station": "江湾镇街道社区就业服务中心（示例）", "external_id": "DEMO-T003", "title": "叉车司机（N1）取证班（示例）",
         "provider": "江湾职业技能培训中心（示例）", "occupation_code": "6-30-05-01", "certificate": "叉车证 N1",
         "start_date": d(9), "end_date": d(16), "schedule_days": "周末", "schedule_time": "白天", "duration_hours": "56",
         "fee": "1800元", "subsidised": "否", "eligibility_text": "年满18周岁，身体健康（示例条件）",
         "seats": "20", "registration_deadline": d(6), "street": "江湾镇街道"},
        {"station": "嘉兴路街道社区就业服务中心（示例）", "external_id": "DEMO-T004", "title": "中式烹调师（四级）夜校班（示例）",
         "provider": "嘉兴路街道社区学校（示例）", "occupation_code": "4-03-02-01", "certificate": "中式烹调师四级",
         "start_date": d(25), "end_date": d(85), "schedule_days": "工作日", "schedule_time": "晚上", "duration_hours": "160",
         "fee": "0", "subsidised": "是", "eligibility_text": "本区登记失业人员（示例条件）",
         "seats": "25", "registration_deadline": d(20), "street": "嘉兴路街道", "address": "虹口区海伦路（示例地址）"},
        {"station": "广中路街道社区就业服务中心（示例）", "external_id": "DEMO-T005", "title": "低压电工作业证培训（示例）",
         "provider": "虹口区安全生产培训中心（示例）", "occupation_code": "6-31-01-03", "certificate": "电工证",
         "start_date": d(30), "end_date": d(45), "schedule_days": "工作日", "schedule_time": "白天", "duration_hours": "80",
         "fee": "1500元", "subsidised": "是", "eligibility_text": "取证后按规定申领培训补贴（示例条件）",
         "seats": "2", "registration_deadline": d(25), "street": "广中路街道"},
        {"station": "四川北路街道社区就业服务中心（示例）", "external_id": "DEMO-T006", "title": "保育员（四级）培训（示例）",
         "provider": "四川北路社区托育指导中心（示例）", "occupation_code": "4-10-01-03", "certificate": "保育员（四级）",
         "start_date": d(3), "end_date": d(40), "schedule_days": "周末", "schedule_time": "白天", "duration_hours": "96",
         "fee": "0", "subsidised": "是", "eligibility_text": "有意从事托育工作的人员（示例条件）",
         "seats": "30", "registration_deadline": d(-1), "street": "四川北路街道"},  # registration closed yesterday
    ]


def events(today: date) -> list[dict]:
    """Raw event rows; one past fair, the rest upcoming."""
    d = lambda days, at: f"{(today + timedelta(days=days)).isoformat()} {at}"  # noqa: E731
    fair = _postings_for(("保安员", "小区保安", "养老护理员", "中式厨师", "叉车司机"), 8)
    online = _postings_for(("电话客服", "在线客服专员", "电商运营专员", "行政文员"), 6)
    return [
        {"station": "曲阳路街道社区就业服务中心（示例）", "external_id": "DEMO-E001", "kind": "现场招聘会",
         "title": "曲阳路街道“家门口”就业专场招聘会（示例）", "starts_at": d(5, "09:30"), "ends_at": d(5, "12:00"),
         "organiser": "曲阳路街道社区就业服务中心（示例）", "street": "曲阳路街道", "address": "虹口区赤峰路（示例地址）",
         "description": "物业、养老、餐饮、仓储岗位现场面试（示例）", "participants": _participants(fair)},
        {"station": "虹口区就业促进中心（示例）", "external_id": "DEMO-E002", "kind": "线上招聘会",
         "title": "虹口区客服与电商岗位线上招聘会（示例）", "starts_at": d(9, "14:00"), "ends_at": d(9, "17:00"),
         "organiser": "虹口区就业促进中心（示例）", "link": ONLINE_LINK, "participants": _participants(online)},
        {"station": "江湾镇街道社区就业服务中心（示例）", "external_id": "DEMO-E003", "kind": "宣讲会",
         "title": "江湾高校园区企业宣讲会（示例）", "starts_at": d(3, "15:00"), "organiser": "江湾高校园区就业服务站（示例）",
         "street": "江湾镇街道", "seats": "80"},
        {"station": "欧阳路街道社区就业服务中心（示例）", "external_id": "DEMO-E004", "kind": "政策咨询",
         "title": "就业创业补贴政策咨询日（示例）", "starts_at": d(7, "09:00"), "ends_at": d(7, "11:30"),
         "organiser": "欧阳路街道社区就业服务中心（示例）", "street": "欧阳路街道"},
        {"station": "嘉兴路街道社区就业服务中心（示例）", "external_id": "DEMO-E005", "kind": "创业活动",
         "title": "音乐谷创业沙龙：小店开业第一步（示例）", "starts_at": d(12, "19:00"), "organiser": "音乐谷创意产业园区就业服务站（示例）",
         "street": "嘉兴路街道", "seats": "30"},
        {"station": "虹口区就业促进中心（示例）", "external_id": "DEMO-E006", "kind": "陪跑计划",
         "title": "高校毕业生求职陪跑计划·第3次小组活动（示例）", "starts_at": d(14, "14:00"),
         "organiser": "虹口区就业促进中心（示例）", "street": "欧阳路街道", "seats": "15"},
        {"station": "曲阳路街道社区就业服务中心（示例）", "external_id": "DEMO-E000", "kind": "现场招聘会",
         "title": "上月社区招聘会（示例，已结束）", "starts_at": d(-20, "09:30"), "ends_at": d(-20, "12:00"),
         "organiser": "曲阳路街道社区就业服务中心（示例）", "street": "曲阳路街道"},
    ]
