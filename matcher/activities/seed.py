"""Load the demo trainings and events (`data.demo_activities`) into the demo stations."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from data import demo_activities
from data.schema import Station
from matcher.activities import common
from matcher.activities.events import EventInput, upsert_events
from matcher.activities.trainings import TrainingInput, upsert_trainings


def seed_demo_activities(service, today: date | None = None) -> dict:
    """Idempotent by external id within each station; dates move with `today` on every run."""
    today = today or common.local_date(common.utc_now())
    with service.db.session() as session:
        stations = dict(session.execute(select(Station.name, Station.id)).all())
    counts = {"trainings": 0, "events": 0}
    for kind, rows, model, upsert in (("trainings", demo_activities.trainings(today), TrainingInput, upsert_trainings),
                                      ("events", demo_activities.events(today), EventInput, upsert_events)):
        by_station: dict[int | None, list] = {}
        for row in rows:
            row = dict(row)
            by_station.setdefault(stations.get(row.pop("station")), []).append(model.model_validate(row))
        for station_id, inputs in by_station.items():
            counts[kind] += len(upsert(service, inputs, station_id))
    return counts
