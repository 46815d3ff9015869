"""Shared pieces: times, Chinese value parsing, registration state, commute to an activity."""
from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone
from typing import Annotated

from pydantic import BeforeValidator, Field

from matcher.geo.commute import commute_fields
from matcher.geo.geo import haversine_km
from matcher.geo.places import PRECISION_LABELS, gazetteer, is_coarse, place_radius, radius_to_store, row_radius_km

SHANGHAI = timezone(timedelta(hours=8))
_TRUE = {"是", "有", "y", "yes", "true", "1", "√", "补贴", "补贴性", "补贴性培训", "免费（补贴）"}
_FALSE = {"否", "无", "n", "no", "false", "0", "×", "非补贴", "自费"}


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def aware(value: datetime | None) -> datetime | None:
    """Datetimes read back from SQLite are naive; every stored time is UTC."""
    if value is not None and value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value


def local_date(moment: datetime) -> date:
    return aware(moment).astimezone(SHANGHAI).date()


def iso(value: datetime | None) -> str | None:
    value = aware(value)
    return value.isoformat() if value else None


def cn_date(day: date | None) -> str:
    return f"{day.month}月{day.day}日" if day else ""


def cn_time(moment: datetime | None) -> str:
    if moment is None:
        return ""
    local = aware(moment).astimezone(SHANGHAI)
    return f"{local.month}月{local.day}日 {local:%H:%M}"


_DATE_RE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
_TIME_RE = re.compile(r"(\d{1,2})\s*[:：点时]\s*(\d{1,2})?")


def parse_date(value) -> date:
    """2026-12-04, 2026/12/4, 2026年12月4日 (an Excel date cell arrives as 2026-12-04 00:00:00)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    match = _DATE_RE.match(str(value))
    if not match:
        raise ValueError("日期格式应为 2026-12-04")
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError as exc:
        raise ValueError("日期不存在，请检查年月日") from exc


def parse_datetime(value, *, default_time: time = time(0, 0)) -> datetime:
    """A local (Shanghai) date with an optional time (2026-12-04 14:00) -> an aware UTC datetime."""
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=SHANGHAI)
        return moment.astimezone(timezone.utc)
    text = str(value).strip()
    if "T" in text and text[:4].isdigit():
        try:
            moment = datetime.fromisoformat(text)
            return (moment if moment.tzinfo else moment.replace(tzinfo=SHANGHAI)).astimezone(timezone.utc)
        except ValueError:
            pass
    day = parse_date(text)
    rest = _DATE_RE.sub("", text, count=1)
    clock = default_time
    found = _TIME_RE.search(rest)
    if found:
        hour, minute = int(found[1]), int(found[2] or 0)
        if "下午" in rest or "晚" in rest:
            hour = hour + 12 if hour < 12 else hour
        if not (0 <= hour < 24 and 0 <= minute < 60):
            raise ValueError("时间应为 14:00 这样的格式")
        clock = time(hour, minute)
    return datetime.combine(day, clock, SHANGHAI).astimezone(timezone.utc)


def parse_bool(value) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError("请填写“是”或“否”")


def parse_money(value) -> float:
    """免费 -> 0; 1200, 1200元, ￥1,200 -> 1200."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    text = str(value).strip().replace(",", "").replace("，", "")
    if text in ("免费", "0元", "无"):
        return 0.0
    match = re.fullmatch(r"[￥¥]?\s*(\d+(?:\.\d+)?)\s*元?", text)
    if not match:
        raise ValueError("费用应为金额（如 1200 或 1200元），免费请填“免费”或 0")
    return float(match[1])


def parse_int(value, what: str) -> int:
    text = str(value).strip().removesuffix("人").removesuffix("名").removesuffix("个")
    try:
        number = int(float(text))
    except ValueError as exc:
        raise ValueError(f"{what}应为整数") from exc
    if number < 0:
        raise ValueError(f"{what}不能为负数")
    return number


def choose(value, table: dict[str, list[str]], what: str) -> str:
    """Map a Chinese (or English) label to its code using `table` {code: [labels]}."""
    text = re.sub(r"[\s（）()]", "", str(value)).lower()
    for code, labels in table.items():
        if text == code or text in (re.sub(r"[\s（）()]", "", label).lower() for label in labels):
            return code
    allowed = "、".join(labels[0] for labels in table.values())
    raise ValueError(f"无法识别的{what}“{value}”，可填：{allowed}")


def resolve_place(street: str | None, address: str | None, lat: float | None, lon: float | None):
    """(place, error): the gazetteer's best point, or a Chinese error for an unknown 街道."""
    if street and gazetteer().street_code(street) is None:
        return None, f"未找到街道“{street}”，请填写上海市的街道/镇名称或9位代码"
    return gazetteer().resolve(lat=lat, lon=lon, street=street, address=address), None


def set_place(row, address: str | None, place) -> None:
    row.address = address
    if place is None:
        row.lat = row.lon = row.location_precision = row.location_radius_km = None
        row.street_code = None
        return
    row.lat, row.lon, row.location_precision, row.street_code = place.lat, place.lon, place.precision, place.street_code
    row.location_radius_km = radius_to_store(place)  # the resolver's radius (migration 0009)


def place_public(row) -> dict:
    return {"address": row.address, "street_code": row.street_code,
            "street_name": gazetteer().street_names.get(row.street_code) if row.street_code else None,
            "lat": row.lat, "lon": row.lon,
            "location_precision": row.location_precision,
            "location_radius_km": None if row.lat is None or row.lon is None else round(row_radius_km(row), 2),
            "location_approximate": row.location_precision not in (None, "exact"),
            "location_note": PRECISION_LABELS.get(row.location_precision or "", "未提供地点")}


def commute_to(service, origin, row, modes=None) -> dict | None:
    """The commute module's estimate from `origin` (a Place) to a located row, or None without a point.

    An end known only to its district (or coarser) gives no minutes, distance or 15-minute claim
    (`coarse: true`), as in the service's own nearby search; both ends' uncertainty radii decide the
    15-minute claim and whether a distance can be shown (`matcher.geo.commute.judge`).
    """
    if origin is None or row.lat is None or row.lon is None:
        return None
    approximate = origin.approximate or row.location_precision not in (None, "exact")
    coarse = is_coarse(origin.precision) or is_coarse(row.location_precision)
    trip = service.commute.estimate((origin.lat, origin.lon), (row.lat, row.lon), approximate=approximate, coarse=coarse,
                                    modes=modes, radius_km=place_radius(origin) + row_radius_km(row))
    fields = commute_fields(trip)
    out = {"minutes": fields["commute_minutes"], "mode": fields["commute_mode"], "distance_km": fields["distance_km"],
           "within_15min": fields["within_15min"], "travel": fields["travel"],
           "approximate": fields["location_approximate"], "coarse": bool(trip.coarse)}
    if "commute_minutes_range" in fields:
        out["minutes_range"] = fields["commute_minutes_range"]
    return out


def point_km(origin, row) -> float | None:
    """Straight-line km between the two stored points (for radius filters, never shown)."""
    if origin is None or row.lat is None or row.lon is None:
        return None
    return haversine_km(origin.lat, origin.lon, row.lat, row.lon)


def nearness(origin, row) -> float:
    """Sort key, nearest first: km between the two stored points; rows without a point, or where an
    end is known only to its district, last. An order, never shown (a 街道 point pair too uncertain
    for any figure still sorts by where its points are)."""
    if origin is None or row.lat is None or row.lon is None or is_coarse(origin.precision) \
            or is_coarse(row.location_precision):
        return float("inf")
    return point_km(origin, row)


def within(origin, row, commute: dict | None, radius_km: float) -> bool:
    """`row` lies within `radius_km` of `origin`, judged on the two stored points (a distance shown
    to a person may be a bound, or absent). An end known only to its district cannot be ruled out, so
    it is kept (and its commute says why)."""
    if commute is None:
        return False
    if is_coarse(origin.precision) or is_coarse(row.location_precision):
        return True
    return point_km(origin, row) <= radius_km


def seats_left(row) -> int | None:
    return None if row.seats is None else max(0, row.seats - (row.seats_taken or 0))


def training_state(row, now: datetime) -> tuple[bool, str]:
    """(registration open?, Chinese state). Closed registrations are never reported as open."""
    today = local_date(now)
    if row.status == "cancelled":
        return False, "已取消"
    if row.end_date is not None and row.end_date < today:
        return False, "已结束"
    deadline = aware(row.registration_deadline)
    if deadline is not None and deadline <= now:
        return False, "报名已截止"
    if deadline is None and row.start_date is not None and row.start_date <= today:
        return False, "已开班，报名已截止"
    left = seats_left(row)
    if left is not None and left <= 0:
        return False, "名额已满"
    return True, "可报名"


def event_end(row) -> datetime:
    """The end time, or, when none was given, the end of the start's day (Shanghai)."""
    if row.ends_at is not None:
        return aware(row.ends_at)
    day = local_date(row.starts_at)
    return datetime.combine(day + timedelta(days=1), time(0, 0), SHANGHAI).astimezone(timezone.utc)


def event_is_past(row, now: datetime) -> bool:
    return event_end(row) <= now


def event_state(row, now: datetime) -> tuple[bool, str]:
    if row.status == "cancelled":
        return False, "已取消"
    if event_is_past(row, now):
        return False, "已结束"
    if aware(row.starts_at) <= now:
        return False, "进行中，报名已截止"
    deadline = aware(row.registration_deadline)
    if deadline is not None and deadline <= now:
        return False, "报名已截止"
    left = seats_left(row)
    if left is not None and left <= 0:
        return False, "名额已满"
    return True, "可报名"


# Field types shared by trainings and events: a blank cell means "not given".
Seats = Annotated[int | None, BeforeValidator(lambda v: None if v in (None, "") else parse_int(v, "名额")),
                  Field(default=None, ge=0, le=100_000)]
Deadline = Annotated[datetime | None, BeforeValidator(
    lambda v: None if v in (None, "") else parse_datetime(v, default_time=time(23, 59)))]
