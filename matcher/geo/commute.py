"""Door-to-door commute estimates for Shanghai that claim only what the two locations support.

A trip is the best of the modes the seeker uses (`MODES`: walk, cycle or e-bike, metro, bus; walking
is always possible for short trips and station access). Metro: walk to one of the origin's nearest
stations, wait, ride (with transfers) on the 2026 network (`matcher.geo.metro`), walk from one of the
destination's nearest stations; the directions name the boarding station, each transfer and the
alighting station. Bus: straight-line distance times the detour factor at bus speed plus a wait (no bus
routes are bundled, so it says it is an estimate). Constants and sources: `matcher.geo.geo.CONSTANTS`.

Honesty rules, one home for `assess` (GET /places/commute), result rows and /nearby
(`MetroCommute.estimate(..., radius_km=...)`, `claimed`, `judge`) and ranking (`circle_many`):
- either end known only to its district (or none), or both radii together above COARSE_RADIUS_KM:
  `coarse` -- no minutes, no distance, `within_15min` None, a sentence that says why;
- otherwise the 15-minute judgement uses the radii: True only if even the far edge of both
  uncertainty circles is within 15 minutes, False only if even the near edge is beyond, else None;
- when the circles overlap (the places may coincide) no point distance or minutes are shown: the
  distance is a bound (相距不超过约X公里) and the minutes a range.
Stored rows keep the resolver's radius (`location_radius_km`, migration 0009); rows written before it
keep NULL and use their level's default (`geo.PRECISION_RADIUS_KM`), see `places.stored_radius_km`.
"""
from __future__ import annotations

import math
import sys
from dataclasses import dataclass

import numpy as np

from matcher.geo import geo
from matcher.geo.metro import MetroNetwork, network
from matcher.geo.many import (ACCESS_KM, NEARBY_CACHE, STATION_ENTRY_MINUTES, STATION_SEARCH, WAIT_MINUTES,
                              StationAccess)

C = geo.CONSTANTS
RIDE_DWELL_MINUTES = C["RIDE_DWELL_MINUTES"].value
RIDE_KMH = C["RIDE_KMH"].value
TRANSFER_MINUTES = C["TRANSFER_MINUTES"].value
MODES = ("walk", "cycle", "metro", "bus")
DEFAULT_MODES = frozenset({"walk", "cycle", "metro"})  # bus only when the seeker says so (no routes bundled)
MODE_LABELS = {"walk": "步行", "cycle": "骑行/电动车", "metro": "地铁", "bus": "公交"}
COARSE_NOTE = "位置只精确到区，无法判断是否在15分钟服务圈内"
ROUGH_NOTE = "位置为估算（误差约{r:.1f}公里），无法判断是否在15分钟服务圈内"
UNKNOWN_NOTE = "位置未知，无法估算通勤"
WIDE_STREET_NOTE = "位置只精确到范围较大的街道/镇，无法判断是否在15分钟服务圈内"

__all__ = ["MetroCommute", "MetroNetwork", "CommuteClaim", "assess", "judge", "circle_many", "parse_modes", "MODES"]


def parse_modes(value) -> frozenset[str]:
    """'walk,metro' / ['步行', '地铁'] -> frozenset; empty or None means DEFAULT_MODES. Raises ValueError in Chinese."""
    if value is None or value == "" or value == []:
        return DEFAULT_MODES
    items = value.replace("，", ",").split(",") if isinstance(value, str) else list(value)
    aliases = {label: mode for mode, label in MODE_LABELS.items()}
    aliases.update({"步行": "walk", "骑行": "cycle", "电动车": "cycle", "自行车": "cycle", "ebike": "cycle",
                    "e-bike": "cycle", "bike": "cycle", "subway": "metro"})
    out = set()
    for item in items:
        item = str(item).strip().lower()
        if not item:
            continue
        mode = item if item in MODES else aliases.get(item)
        if mode is None:
            raise ValueError(f"无法识别的出行方式：{item}（可选 walk 步行、cycle 骑行/电动车、metro 地铁、bus 公交）")
        out.add(mode)
    return frozenset(out or DEFAULT_MODES)


def _straight_minutes(km, modes: frozenset[str]):
    """Best of walking, cycling and bus over straight-line km (scalar or array)."""
    factor = geo.DETOUR_FACTOR * 60.0
    best = np.asarray(km, dtype=float) * factor / geo.WALK_KMH
    if "cycle" in modes:
        best = np.minimum(best, np.asarray(km) * factor / geo.CYCLE_KMH)
    if "bus" in modes:
        best = np.minimum(best, np.asarray(km) * factor / geo.BUS_KMH + C["BUS_WAIT_MINUTES"].value)
    return best


def circle_many(km, minutes, radius, modes: frozenset[str] = DEFAULT_MODES):
    """The 15-minute judgement for many pairs at once (the one rule `assess`, `judge` and ranking use).

    `km`: straight-line distance between the two points; `minutes`: the estimate between the points;
    `radius`: both ends' uncertainty radii summed (scalar or array). Returns (circle, fastest, slowest):
    circle is 1.0 when even the far edge of both circles is within 15 minutes, 0.0 when even the near
    edge is beyond, NaN when the radii leave it open (or a figure is missing); fastest/slowest are the
    door-to-door minutes at the near and far edges.
    """
    km, minutes = np.asarray(km, dtype=float), np.asarray(minutes, dtype=float)
    radius = np.asarray(radius, dtype=float)
    if not np.isfinite(radius).all():
        radius = np.nan_to_num(radius, nan=0.0)
    near = _straight_minutes(np.maximum(km - radius, 0.0), modes)
    far = np.minimum(_straight_minutes(km + radius, modes), minutes + radius * geo.DETOUR_FACTOR / geo.WALK_KMH * 60.0)
    near = np.minimum(near, minutes)
    inside = (far <= geo.CIRCLE_MINUTES) & (minutes <= geo.CIRCLE_MINUTES)
    outside = (near > geo.CIRCLE_MINUTES) & (minutes > geo.CIRCLE_MINUTES)
    circle = np.where(inside, 1.0, np.where(outside, 0.0, np.nan))
    return circle, near, far


def _straight_one(km: float, modes: frozenset[str]) -> float:
    """`_straight_minutes` for one distance in plain floats (the same operations in the same order)."""
    factor = geo.DETOUR_FACTOR * 60.0
    best = km * factor / geo.WALK_KMH
    if "cycle" in modes:
        best = min(best, km * factor / geo.CYCLE_KMH)
    if "bus" in modes:
        best = min(best, km * factor / geo.BUS_KMH + C["BUS_WAIT_MINUTES"].value)
    return best


def _circle_one(km: float, minutes: float, radius: float, modes: frozenset[str]) -> tuple[float, float, float]:
    """`circle_many` for one pair in plain floats: the same rule, bit for bit (a test holds them
    together), at a tenth of the cost of numpy on scalars (it runs for every result shown)."""
    if radius != radius:
        radius = 0.0
    elif radius in (math.inf, -math.inf):  # as np.nan_to_num
        radius = sys.float_info.max if radius > 0 else -sys.float_info.max
    near = _straight_one(max(km - radius, 0.0), modes)
    far = min(_straight_one(km + radius, modes), minutes + radius * geo.DETOUR_FACTOR / geo.WALK_KMH * 60.0)
    near = min(near, minutes)
    if far <= geo.CIRCLE_MINUTES and minutes <= geo.CIRCLE_MINUTES:
        circle = 1.0
    elif near > geo.CIRCLE_MINUTES and minutes > geo.CIRCLE_MINUTES:
        circle = 0.0
    else:
        circle = math.nan
    return circle, near, far


def judge(est: geo.Commute, radius_km: float, modes: frozenset[str] = DEFAULT_MODES) -> geo.Commute:
    """`est` (made between the two points) judged with both ends' radii summed: the tri-state circle,
    the range of minutes, and, when the circles overlap, a sentence that says how close at most
    (相距不超过约X公里) instead of a point distance or "步行可达"."""
    if est.coarse or est.minutes != est.minutes:
        return est
    radius = max(float(radius_km or 0.0), 0.0)
    circle, near, far = _circle_one(float(est.distance_km), float(est.minutes), radius, modes)
    text = est.description
    if est.distance_km < radius:
        bound = round(max(radius, 0.1), 1)
        text = f"相距不超过约{bound}公里，通勤约{max(near, 1):.0f}-{max(far, 1):.0f}分钟（位置为估算，请以实际地址为准）"
    # `replace(est, ...)` spelled out (every field given): it runs for every result shown.
    return geo.Commute(est.minutes, est.mode, est.distance_km, text, est.approximate or radius > 0.2, est.coarse,
                       radius, True, None if circle != circle else bool(circle), (near, far))


def claimed(est: geo.Commute, radius_km: float, modes: frozenset[str] = DEFAULT_MODES) -> geo.Commute:
    """What may be claimed from an estimate made between two points whose radii sum to `radius_km`:
    no figures at all when that is above COARSE_RADIUS_KM (as `assess`), else `judge`."""
    if est.coarse:
        return est
    if radius_km != radius_km or radius_km > geo.COARSE_RADIUS_KM:
        note = COARSE_NOTE if radius_km != radius_km else ROUGH_NOTE.format(r=radius_km)
        return geo.Commute(float("nan"), "unknown", float("nan"), note, True, True, radius_km=radius_km)
    return judge(est, radius_km, modes)


class MetroCommute(StationAccess):
    """Best of the seeker's modes; `estimate` for one pair (with directions), `estimate_many` and
    `minutes_many` (`matcher.geo.many`) for ranking."""

    def __init__(self, network_: MetroNetwork | None = None, modes=None):
        self.network = network_ or network()
        self.modes = parse_modes(modes)

    def _nearby(self, lat: float, lon: float) -> tuple[np.ndarray, np.ndarray]:
        """The nearest stations within ACCESS_KM of a point and the minutes to walk in (cached per point)."""
        return self._nearby_entry(lat, lon)[:2]

    def _nearby_entry(self, lat: float, lon: float) -> tuple[np.ndarray, np.ndarray, tuple, tuple]:
        """`_nearby` as arrays (for `estimate_many`) and as tuples of plain numbers (for `_metro`)."""
        key = (float(lat), float(lon))
        found = self.__dict__.get("_nearby_cache", {}).get(key)  # a dict read is atomic: no lock to read
        if found is not None:
            return found
        with self._cache_lock:
            return self._nearby_locked(lat, lon)

    def _nearby_locked(self, lat: float, lon: float) -> tuple[np.ndarray, np.ndarray, tuple, tuple]:
        cache = self.__dict__.setdefault("_nearby_cache", {})
        key = (float(lat), float(lon))
        if key not in cache:
            if len(cache) > NEARBY_CACHE:
                cache.clear()
            nearest, km = self._nearest_stations(lat, lon)  # argsort's first STATION_SEARCH, exactly
            close = km <= ACCESS_KM
            nearest, km = nearest[close], km[close]
            walk = km * geo.DETOUR_FACTOR / geo.WALK_KMH * 60.0 + STATION_ENTRY_MINUTES
            cache[key] = (nearest, walk, tuple(nearest.tolist()), tuple(walk.tolist()))
        return cache[key]

    def _metro(self, origin, dest):
        """(minutes, boarding station, alighting station) of the best metro trip, or None. The same sum
        and the same choice as one numpy expression over the 3 x 3 station pairs (first minimum in row
        order), in plain floats: it runs once per result shown, where numpy's per-call cost dominated."""
        o_idx, o_walk = self._nearby_entry(*origin)[2:]
        d_idx, d_walk = self._nearby_entry(*dest)[2:]
        if not o_idx or not d_idx:
            return None
        ride_of = self.network.minutes.item
        best, board, alight = math.inf, -1, -1
        for o, walk_in in zip(o_idx, o_walk):
            for d, walk_out in zip(d_idx, d_walk):
                ride = ride_of(o, d)
                if ride == 0:  # the same station at both ends is a walk, not a metro trip
                    continue
                total = walk_in + WAIT_MINUTES + ride + walk_out
                if total < best:
                    best, board, alight = total, o, d
        if not best < math.inf:
            return None
        return best, board, alight

    def directions(self, origin, dest) -> str | None:
        """"8号线曲阳路站上车，在人民广场换乘2号线，南京西路站下车，约22分钟" for the best metro trip, or None."""
        found = self._metro(origin, dest)
        if found is None:
            return None
        minutes, board, alight = found
        route = self.network.route(board, alight)
        return route.sentence(minutes) if route else None

    def estimate(self, origin, dest, *, approximate: bool = False, coarse: bool = False,
                 modes=None, radius_km: float | None = None) -> geo.Commute:
        """One door-to-door estimate. `coarse=True` (an end known only to its district) gives no figures;
        `radius_km` (both ends' uncertainty radii summed) makes the 15-minute judgement tri-state (`judge`)."""
        modes = parse_modes(modes) if modes is not None else self.modes
        if coarse or radius_km is None:
            return self._estimate(origin, dest, approximate=approximate, coarse=coarse, modes=modes)
        if radius_km != radius_km or radius_km > geo.COARSE_RADIUS_KM:
            return claimed(geo.Commute(float("nan"), "unknown", float("nan"), "", True), radius_km, modes)
        return judge(self._estimate(origin, dest, approximate=approximate, modes=modes), radius_km, modes)

    def _estimate(self, origin, dest, *, approximate: bool = False, coarse: bool = False,
                  modes=DEFAULT_MODES) -> geo.Commute:
        km = geo.haversine_km(origin[0], origin[1], dest[0], dest[1])
        if coarse:
            return geo.Commute(float("nan"), "unknown", float("nan"), COARSE_NOTE, True, True)
        walk = geo.walking_minutes(km)
        cycle = geo.cycling_minutes(km) if "cycle" in modes else np.inf
        bus = float(_straight_minutes(km, frozenset({"bus"}))) if "bus" in modes else np.inf
        prefix = "约" if approximate else ""
        wheels = min(cycle, bus)
        if walk <= geo.CIRCLE_MINUTES or (math.isfinite(wheels) and walk <= wheels * 1.5):
            return geo.Commute(walk, "walk", km, geo.walk_description(km, walk, approximate), approximate)
        metro = self._metro(origin, dest) if "metro" in modes else None
        best = min((cycle, "cycle"), (bus, "bus"), ((metro[0], "metro") if metro else (np.inf, "metro")),
                   (walk, "walk"))
        minutes, mode = best
        if mode == "metro":
            route = self.network.route(metro[1], metro[2])
            text = f"地铁：{route.sentence(minutes)}" if route else f"地铁约{minutes:.0f}分钟"
            return geo.Commute(minutes, "metro", km, text + ("（位置为估算）" if approximate else ""), approximate)
        if mode == "cycle":
            text = f"距离{prefix}{km:.1f}公里，骑行约{cycle:.0f}分钟（步行约{walk:.0f}分钟）"
        elif mode == "bus":
            text = f"距离{prefix}{km:.1f}公里，公交约{bus:.0f}分钟（按直线距离估算，未含具体线路）"
        else:
            text = f"距离{prefix}{km:.1f}公里，步行约{walk:.0f}分钟"
        return geo.Commute(float(minutes), mode, km, text, approximate)

    def estimate_many(self, origin, dests: np.ndarray, *, modes=None, keys=None) -> tuple[np.ndarray, list[str]]:
        """Minutes and modes ('walk' | 'cycle' | 'metro' | 'bus' | 'unknown') from one origin to many rows.

        Same choice rule as `estimate`; rows with a missing coordinate give NaN and 'unknown'. `keys`
        (one non-negative id per row, e.g. posting ids) lets the station cache be array-indexed.
        """
        modes = parse_modes(modes) if modes is not None else self.modes
        dests = np.asarray(dests, dtype=float).reshape(-1, 2)
        km = geo.haversine_km_many(origin[0], origin[1], dests[:, 0], dests[:, 1])
        factor = geo.DETOUR_FACTOR * 60.0
        walk = km * factor / geo.WALK_KMH
        cycle = km * factor / geo.CYCLE_KMH if "cycle" in modes else np.full(len(dests), np.inf)
        bus = (km * factor / geo.BUS_KMH + C["BUS_WAIT_MINUTES"].value) if "bus" in modes \
            else np.full(len(dests), np.inf)
        metro = np.full(len(dests), np.inf)
        valid = ~np.isnan(km)
        o_idx, o_walk = self._nearby(*origin)
        if "metro" in modes and len(o_idx) and valid.any():
            near, d_walk = self._access(dests[valid], None if keys is None else np.asarray(keys)[valid])
            ride = self.network.minutes[o_idx][:, near]
            ride = np.where(ride == 0, np.inf, ride)
            total = o_walk[:, None, None] + WAIT_MINUTES + ride + d_walk[None, :, :]
            metro[valid] = total.min(axis=(0, 2))
        wheels = np.minimum(cycle, bus)
        walk_first = (walk <= geo.CIRCLE_MINUTES) | (np.isfinite(wheels) & (walk <= wheels * 1.5))
        stacked = np.vstack([cycle, bus, metro, walk])
        names = np.array(["cycle", "bus", "metro", "walk"], dtype=object)
        pick = np.argmin(np.where(np.isnan(stacked), np.inf, stacked), axis=0)
        minutes = np.where(walk_first, walk, stacked[pick, np.arange(len(dests))])
        chosen = np.where(walk_first, "walk", names[pick]).astype(object)
        minutes[~valid] = np.nan
        chosen[~valid] = "unknown"
        return minutes, chosen.tolist()


@dataclass(frozen=True)
class CommuteClaim:
    """What a seeker or counsellor is told about one trip; JSON-safe through `as_dict`."""

    minutes: float | None
    mode: str | None
    distance_km: float | None
    within_15min: bool | None
    travel: str
    note: str
    precision: tuple[str, str]
    radius_km: float | None  # both ends' radii together

    @property
    def coarse(self) -> bool:
        return self.minutes is None

    def as_dict(self) -> dict:
        return {"commute_minutes": None if self.minutes is None else round(self.minutes, 1),
                "commute_mode": self.mode, "distance_km": self.distance_km, "within_15min": self.within_15min,
                "travel": self.travel, "location_note": self.note, "location_approximate": self.radius_km is None
                or self.radius_km > 0.2, "precision": list(self.precision), "radius_km": self.radius_km}


def assess(origin, dest, *, modes=None, commute: MetroCommute | None = None) -> CommuteClaim:
    """An honest commute between two resolved places (`Place` or `resolver.Resolution`)."""
    commute = commute or _default_commute()
    modes = parse_modes(modes)
    precision = (origin.precision, dest.precision)
    if origin.lat is None or dest.lat is None or "none" in precision:
        return CommuteClaim(None, None, None, None, UNKNOWN_NOTE, UNKNOWN_NOTE, precision, None)
    radius = float((origin.radius_km or 0.0) + (dest.radius_km or 0.0))
    if "district" in precision or radius > geo.COARSE_RADIUS_KM:
        wide_street = any(p.precision == "district" and p.street_code for p in (origin, dest))
        note = (WIDE_STREET_NOTE if wide_street else COARSE_NOTE) if "district" in precision \
            else ROUGH_NOTE.format(r=radius)
        if any(p.precision == "district" and not p.street_code for p in (origin, dest)):
            note = COARSE_NOTE
        return CommuteClaim(None, None, None, None, note, note, precision, round(radius, 1))
    a, b = (origin.lat, origin.lon), (dest.lat, dest.lon)
    est = judge(commute._estimate(a, b, approximate=radius > 0.2, modes=modes), radius, modes)
    within = est.within_15min
    if within is True:
        note = "在15分钟就业服务圈内"
    elif within is False:
        note = "不在15分钟就业服务圈内"
    else:
        note = ROUGH_NOTE.format(r=radius) if est.approximate else "在15分钟服务圈边缘"
    return CommuteClaim(est.minutes, est.mode, est.shown_distance_km, within, est.description, note, precision,
                        round(radius, 2))


_COMMUTE: list[MetroCommute] = []


def _default_commute() -> MetroCommute:
    if not _COMMUTE:
        _COMMUTE.append(MetroCommute())
    return _COMMUTE[0]


def commute_fields(commute: geo.Commute | None) -> dict:
    """JSON-safe match fields for one estimate: no minutes or distance when coarse, never 0 km, tri-state circle.

    For the service's result rows: `commute_minutes`, `commute_mode`, `distance_km`, `within_15min`,
    `travel`, `location_approximate`.
    """
    if commute is None:
        return {"commute_minutes": None, "commute_mode": None, "distance_km": None, "within_15min": None,
                "travel": UNKNOWN_NOTE, "location_approximate": True}
    coarse = commute.coarse or commute.minutes != commute.minutes
    coincide = commute.may_coincide  # the places may be the same: a range of minutes, not a point figure
    fields = {"commute_minutes": None if coarse or coincide else round(commute.minutes, 1),
              "commute_mode": None if coarse else commute.mode,
              "distance_km": None if coarse else commute.shown_distance_km,
              "within_15min": None if coarse else commute.within_15min,
              "travel": (commute.description or COARSE_NOTE) if coarse else commute.description,
              "location_approximate": bool(commute.approximate or coarse)}
    if coincide and commute.minutes_range is not None:
        near, far = commute.minutes_range
        fields["commute_minutes_range"] = [round(max(near, 1.0), 1), round(max(far, 1.0), 1)]
    return fields
