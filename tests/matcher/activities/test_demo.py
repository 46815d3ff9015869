"""The demo's trainings and events: labelled 示例, dated from today, fairs linked to demo postings."""
from datetime import timedelta

from data import demo
from matcher.activities.events import list_events
from matcher.activities.nearby import nearby_activities
from matcher.activities.seed import seed_demo_activities
from matcher.activities.trainings import list_trainings
from matcher.inputs import PostingInput
from tests.matcher.activities.conftest import NOW


def test_demo_activities_are_labelled_dated_from_today_and_linked(service):
    service.add_stations(demo.stations())
    service.upsert_postings([PostingInput.model_validate(row) for row in demo.postings(n=80)])
    today = (NOW + timedelta(hours=8)).date()
    assert seed_demo_activities(service, today) == {"trainings": 6, "events": 7}
    assert seed_demo_activities(service, today) == {"trainings": 6, "events": 7}  # idempotent
    trainings = list_trainings(service, now=NOW)
    assert len(trainings) == 6 and all("（示例）" in t["title"] and t["station_id"] for t in trainings)
    assert {t["certificate_canonical"] for t in trainings} >= {"保安员证", "养老护理员证", "叉车证", "厨师证", "保育员证"}
    closed = [t for t in trainings if not t["registration_open"]]
    assert [t["state"] for t in closed] == ["报名已截止"]
    events = list_events(service, now=NOW)
    assert len(events) == 6 and all("（示例" in e["title"] for e in events)  # the past fair is not listed
    fair = next(e for e in events if e["external_id"] == "DEMO-E001")
    assert fair["postings"] and all(p["linked"] for p in fair["postings"])
    near = nearby_activities(service, street="曲阳路街道", now=NOW)
    assert near["trainings"][0]["title"] == "保安员（五级）培训班（示例）"
