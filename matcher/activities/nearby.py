"""One nearby search: jobs, stations, trainings and upcoming events near a place, each with the
commute module's estimate (`nearby`); `nearby_activities` is its trainings-and-events part.

Past events are never returned; trainings that have ended or been cancelled are left out; a training
whose registration has closed (deadline passed, class started, seats gone) is returned with
`registration_open: false` and its state, never as open. Online events have no commute. A place known
only to its district gives no minutes, no distance and no 15-minute claim (matcher.geo).
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
from matcher.geo.commute import COARSE_NOTE, parse_modes
from matcher.geo.places import PRECISION_LABELS, gazetteer, is_coarse

DEFAULT_RADIUS_KM = 5.0
MAX_RADIUS_KM = 50.0
KINDS = {"jobs": "岗位", "stations": "服务站点", "trainings": "培训", "events": "活动"}
KIND_ALIASES = {"postings": "jobs", "岗位": "jobs", "站点": "stations", "服务站点": "stations", "培训": "trainings",
                "活动": "events", "招聘会": "events"}


def origin_of(*, lat=None, lon=None, street=None, address=None):
    if (lat is None) != (lon is None):
        raise InvalidInput("坐标需同时提供纬度 lat 和经度 lon", field="lon" if lon is None else "lat")
    if street and gazetteer().street_code(street) is None:
        raise InvalidInput(f"未找到街道“{street}”，请填写上海市的街道/镇名称", field="street")
    place = gazetteer().resolve(lat=lat, lon=lon, street=street, address=address)
    if place is None:
        if address:
            raise InvalidInput(f"无法识别地址“{address}”，请写明区和街道或道路（如 虹口区曲阳路街道），或改用坐标",
                               field="address")
        raise InvalidInput("请提供坐标（lat、lon）、街道名称或可识别的上海地址", field="lat")
    return place


def parse_kinds(value) -> list[str]:
    """`jobs,stations,trainings,events` (any subset, Chinese names accepted) -> the kinds, in that order."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return list(KINDS)
    items = value.replace("，", ",").replace("、", ",").split(",") if isinstance(value, str) else list(value)
    chosen = set()
    for item in (i.strip() for i in items):
        if not item:
            continue
        kind = item if item in KINDS else KIND_ALIASES.get(item)
        if kind is None:
            allowed = "、".join(f"{k}（{v}）" for k, v in KINDS.items())
            raise InvalidInput(f"无法识别的类别“{item}”，可选：{allowed}", field="kinds")
        chosen.add(kind)
    return [k for k in KINDS if k in chosen] or list(KINDS)


def _modes(value):
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        return parse_modes(value)
    except ValueError as exc:
        raise InvalidInput(str(exc), field="modes") from None


def _radius(radius_km: float | None, default: float) -> float:
    radius = radius_km or default
    if not 0 < radius <= MAX_RADIUS_KM:
        raise InvalidInput(f"半径应在 0 到 {MAX_RADIUS_KM:g} 公里之间", field="radius_km")
    return radius


def _origin_public(place) -> dict:
    return {"lat": place.lat, "lon": place.lon, "precision": place.precision, "approximate": place.approximate,
            "note": COARSE_NOTE if is_coarse(place.precision) else PRECISION_LABELS.get(place.precision, place.precision)}


def nearby(service, *, lat: float | None = None, lon: float | None = None, street: str | None = None,
           address: str | None = None, kinds=None, radius_km: float | None = None, modes=None, limit: int = 20,
           now: datetime | None = None) -> dict:
    """Jobs (`postings`), `stations`, `trainings` and upcoming `events` near one place.

    A kind not asked for is `null` in the answer (not searched), never an empty list (none nearby).
    """
    kinds = parse_kinds(kinds)
    chosen = _modes(modes)
    place = origin_of(lat=lat, lon=lon, street=street, address=address)
    radius = _radius(radius_km, service.settings.default_radius_km)
    body = {"origin": _origin_public(place), "radius_km": radius, "kinds": kinds,
            "modes": sorted(chosen) if chosen else None, "now": common.iso(now or common.utc_now()),
            "postings": None, "stations": None, "trainings": None, "events": None}
    if "jobs" in kinds or "stations" in kinds:
        found = service.nearby(place=place, radius_km=radius, limit=limit, modes=chosen)
        body["postings"] = found["postings"] if "jobs" in kinds else None
        body["stations"] = found["stations"] if "stations" in kinds else None
    if "trainings" in kinds or "events" in kinds:
        found = nearby_activities(service, place=place, radius_km=radius, limit=limit, modes=chosen, now=now,
                                  trainings="trainings" in kinds, events="events" in kinds)
        body["trainings"] = found["trainings"] if "trainings" in kinds else None
        body["events"] = found["events"] if "events" in kinds else None
    return body


def nearby_activities(service, *, lat: float | None = None, lon: float | None = None, street: str | None = None,
                      address: str | None = None, radius_km: float | None = None, limit: int = 20,
                      include_online: bool = True, now: datetime | None = None, place=None, modes=None,
                      trainings: bool = True, events: bool = True) -> dict:
    """Trainings and upcoming events near a place (or an already resolved `place`)."""
    now = now or common.utc_now()
    place = place or origin_of(lat=lat, lon=lon, street=street, address=address)
    radius = _radius(radius_km, DEFAULT_RADIUS_KM)
    modes = _modes(modes) if isinstance(modes, str) else modes
    found_trainings, found_events = [], []
    with service.db.session() as session:
        names = dict(session.execute(select(Station.id, Station.name)).all())
        for row in session.scalars(select(Training).where(Training.status == "open")) if trainings else []:
            item = training_public(row, now, names)
            if item["state"] in ("已结束", "已取消"):
                continue
            commute = common.commute_to(service, place, row, modes)
            if not common.within(commute, radius):
                continue
            found_trainings.append(item | {"commute": commute})
        rows = [r for r in session.scalars(select(Event).where(Event.status == "open"))
                if not common.event_is_past(r, now)] if events else []
        parts = _participants(session, [r.id for r in rows])
        titles = _titles(session, parts)
        for row in rows:
            commute = common.commute_to(service, place, row, modes)
            if commute is None:
                if not (include_online and row.link):
                    continue
            elif not common.within(commute, radius):
                continue
            found_events.append(event_public(row, now, parts.get(row.id, []), names, titles) | {"commute": commute})
    found_trainings.sort(key=lambda t: (not t["registration_open"], common.minutes_key(t["commute"]),
                                        t["start_date"] or "", t["id"]))
    found_events.sort(key=lambda e: (e["starts_at"], common.minutes_key(e["commute"]), e["id"]))
    return {"origin": _origin_public(place), "radius_km": radius, "now": common.iso(now),
            "trainings": found_trainings[:limit], "events": found_events[:limit]}
