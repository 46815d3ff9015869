"""With the real bundled model: a guard without the licence is matched to guard postings by meaning,
and is offered the nearby training that grants the licence; the designer is offered none."""
from datetime import timedelta

import pytest

from matcher.activities import recommend
from matcher.counsellor.access import LOCAL_ADMIN
from matcher.inputs import PostingInput, SeekerInput
from matcher.service import JobCircle
from tests.matcher.activities.conftest import add_training

pytestmark = pytest.mark.slow

POSTINGS = [
    PostingInput(title="小区保安", requirements="持有保安员证，能适应倒班", description="负责小区门岗值守和夜间巡逻", lat=31.2802, lon=121.4902),
    PostingInput(title="商场安保员", requirements="须持保安证", description="商场巡查、监控室值班、消防通道检查", lat=31.2790, lon=121.4880),
    PostingInput(title="写字楼秩序维护员", requirements="持保安员上岗证优先", description="大堂值守、访客登记、巡逻", lat=31.2815, lon=121.4920),
    PostingInput(title="平面设计助理", requirements="熟练使用Photoshop、Illustrator", description="海报与新媒体配图设计", lat=31.2800, lon=121.4900),
    PostingInput(title="社区食堂帮厨", requirements="持健康证", description="切配、洗碗、打扫后厨", lat=31.2805, lon=121.4905),
]


def test_real_model_guard_is_offered_the_licence_training(settings, real_encoder, now):
    service = JobCircle(settings, real_encoder).start()
    try:
        station = service.add_stations([{"name": "曲阳路站（测试）", "kind": "street_centre"}])[0]
        ids = service.upsert_postings(POSTINGS)
        guard, designer = service.upsert_seekers([
            SeekerInput(resume_text="退伍后在物业公司做了三年门卫，负责门岗值守、夜班巡逻和监控。", consent=True,
                        lat=31.2800, lon=121.4900, station_id=station),
            SeekerInput(resume_text="视觉传达设计专业，熟练Photoshop、Illustrator，做过海报设计。", consent=True,
                        lat=31.2800, lon=121.4900, station_id=station),
        ])
        add_training(service, station, lat=31.2810, lon=121.4910, start_date=(now + timedelta(days=20)).date())
        blocked = recommend.blocked_by_certificates(service, guard, k=3)
        assert sorted(blocked["保安员证"]) == sorted(ids[:2])  # the third only prefers the licence (优先)
        [rec] = recommend.recommend_trainings(service, LOCAL_ADMIN, guard, blocked, now=now)["recommendations"]
        assert rec["message"].startswith("考取保安员证后，附近另有 2 个岗位符合您的条件；曲阳路街道社区学校")
        assert "保安员证" not in recommend.blocked_by_certificates(service, designer, k=1)
    finally:
        service.stop()
