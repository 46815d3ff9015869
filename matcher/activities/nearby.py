"""Trainings and upcoming events near a place, each with the commute module's estimate.

Past events are never returned; trainings that have ended or been cancelled are left out; a training
whose registration has closed (deadline passed, class started, seats gone) is returned with
`registration_open: false` and its state, never as open. Online events have no commute.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from data.activity_tables import Event, Training
from data.schema import Station
from matcher.activities import common
from matcher.activities.events import _participants, _titles, event_public
from matcher.activities.trainings import training_public
from matcher.errors import InvalidInput
from matcher.geo.places import PRECISION_LABELS, gazetteer

DEFAULT_RADIUS_KM = 5.0


def origin_of(*, lat=None, lon=None, street=None, address=None):
    if street and gazetteer().street_code(street) is None:
        raise InvalidInput(f"未找到街道“{street}”，请填写上海市的街道/镇名称", field="street")
    place = gazetteer().resolve(lat=lat, lon=lon, street=street, address=address)
    if place is None:
        raise InvalidInput("请提供坐标（lat、lon）、街道名称或可识别的上海地址", field="lat")
    return place


def nearby_activities(service, *, lat: float | None = None, lon: float | None = None, street: str | None = None,
                      address: str | None = None, radius_km: float | None = None, limit: int = 20,
                      include_online: bool = True, now: datetime | None = None) -> dict:
    now = now or common.utc_now()
    place = origin_of(lat=lat, lon=lon, street=street, address=address)
    radius = radius_km or DEFAULT_RADIUS_KM
    if not 0 < radius <= 50:
        raise InvalidInput("半径应在 0 到 50 公里之间", field="radius_km")
    trainings, events = [], []
    with service.db.session() as session:
        names = dict(session.execute(select(Station.id, Station.name)).all())
        for row in session.scalars(select(Training).where(Training.status == "open")):
            item = training_public(row, now, names)
            if item["state"] in ("已结束", "已取消"):
                continue
            commute = common.commute_to(service, place, row)
            if not common.within(commute, radius):
                continue
            trainings.append(item | {"commute": commute})
        rows = [r for r in session.scalars(select(Event).where(Event.status == "open"))
                if not common.event_is_past(r, now)]
        parts = _participants(session, [r.id for r in rows])
        titles = _titles(session, parts)
        for row in rows:
            commute = common.commute_to(service, place, row)
            if commute is None:
                if not (include_online and row.link):
                    continue
            elif not common.within(commute, radius):
                continue
            events.append(event_public(row, now, parts.get(row.id, []), names, titles) | {"commute": commute})
    trainings.sort(key=lambda t: (not t["registration_open"], common.minutes_key(t["commute"]), t["start_date"] or "", t["id"]))
    events.sort(key=lambda e: (e["starts_at"], common.minutes_key(e["commute"]), e["id"]))
    return {
        "origin": {"lat": place.lat, "lon": place.lon, "precision": place.precision, "approximate": place.approximate,
                   "note": PRECISION_LABELS.get(place.precision, place.precision)},
        "radius_km": radius, "now": common.iso(now),
        "trainings": trainings[:limit], "events": events[:limit],
    }
