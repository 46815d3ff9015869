from datetime import datetime, timedelta, timezone

import pytest

from matcher.activities.events import EventInput, upsert_events
from matcher.activities.trainings import TrainingInput, upsert_trainings
from matcher.counsellor.access import Principal
from matcher.counsellor.desk import CounsellorDesk

NOW = datetime(2026, 11, 30, 2, 0, tzinfo=timezone.utc)  # 10:00 in Shanghai


@pytest.fixture
def now():
    return NOW


@pytest.fixture
def stations(service):
    return service.add_stations([
        {"name": "曲阳路街道社区就业服务中心（测试）", "kind": "street_centre", "street_code": "310109010",
         "lat": 31.2806, "lon": 121.4903, "location_precision": "street"},
        {"name": "嘉兴路街道社区就业服务中心（测试）", "kind": "street_centre", "street_code": "310109014"},
    ])


@pytest.fixture
def counsellor(stations):
    return Principal(user_id=None, role="counsellor", station_ids=frozenset({stations[0]}), name="测试援助员")


@pytest.fixture
def desk(service):
    return CounsellorDesk(service).start()


def training(**extra) -> TrainingInput:
    base = {"title": "保安员培训班", "provider": "曲阳路街道社区学校", "certificate": "保安员证",
            "start_date": (NOW + timedelta(days=20)).date(), "end_date": (NOW + timedelta(days=40)).date(),
            "schedule_days": "工作日", "schedule_time": "白天", "duration_hours": 40, "fee": 0, "subsidised": True,
            "eligibility_text": "本区登记失业人员（示例）", "seats": 2,
            "registration_deadline": (NOW + timedelta(days=10)).isoformat(), "street": "曲阳路街道"}
    return TrainingInput.model_validate(base | extra)


def event(**extra) -> EventInput:
    base = {"kind": "现场招聘会", "title": "曲阳路街道专场招聘会", "starts_at": (NOW + timedelta(days=5)).isoformat(),
            "organiser": "曲阳路街道社区就业服务中心", "street": "曲阳路街道"}
    return EventInput.model_validate(base | extra)


def add_training(service, station_id, **extra) -> int:
    return upsert_trainings(service, [training(**extra)], station_id)[0]


def add_event(service, station_id, **extra) -> int:
    return upsert_events(service, [event(**extra)], station_id)[0]
