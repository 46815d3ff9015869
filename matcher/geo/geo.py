"""Great-circle distance and the simple travel-time model behind the 15-minute circle.

Every constant of the commute model lives in `CONSTANTS`, with its source; the module-level names below
are read from it (documented in the README).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np



@dataclass(frozen=True)
class Constant:
    value: float
    unit: str
    source: str


CONSTANTS: dict[str, Constant] = {
    "WALK_KMH": Constant(4.5, "km/h", "typical urban walking speed in 上海市15分钟社区生活圈规划导则 (2016) practice"),
    "CYCLE_KMH": Constant(12.0, "km/h", "urban cycling / e-bike at city speeds; same guidance"),
    "BUS_KMH": Constant(15.0, "km/h", "Shanghai ground bus operating speed, about 13-16 km/h in the city's annual "
                        "transport reports (上海市综合交通年度报告); door to door by bus is an estimate, no bus routes bundled"),
    "BUS_WAIT_MINUTES": Constant(10.0, "min", "half of a typical 10 min bus headway plus about 300 m on foot to "
                                 "and from the stops (公交站点300米覆盖 in Shanghai planning)"),
    "DETOUR_FACTOR": Constant(1.3, "ratio", "street-network over straight-line distance in a dense grid"),
    "CIRCLE_MINUTES": Constant(15.0, "min", "the 15-minute employment service circle (15分钟就业服务圈)"),
    "STATION_SEARCH": Constant(3, "stations", "nearest stations considered at each end"),
    "ACCESS_KM": Constant(1.5, "km", "outer limit of a metro catchment on foot (轨道交通站点800-1500米步行接驳范围)"),
    "RIDE_DWELL_MINUTES": Constant(0.5, "min", "dwell per stop; with RIDE_KMH gives the ~2.5 min/stop timetables imply"),
    "RIDE_KMH": Constant(40.0, "km/h", "running speed between stops; line 1 end to end ~70 min as timetabled"),
    "WAIT_MINUTES": Constant(3.0, "min", "half of a typical off-peak metro headway of ~6 min"),
    "TRANSFER_MINUTES": Constant(5.0, "min", "walking between platforms plus part of the second line's wait"),
    "STATION_ENTRY_MINUTES": Constant(2.0, "min", "entrance to platform and platform to exit"),
    "COARSE_RADIUS_KM": Constant(3.0, "km", "combined uncertainty of both ends above which no 15-minute judgement is "
                                 "made: more than a 15-minute cycle (12 km/h / 1.3 detour = 2.3 km)"),
    # Default uncertainty radius per precision. The resolver starts from these and measures its own for
    # 街道/镇 (from their extent) and roads (from the house number); stored rows keep that radius
    # (`location_radius_km`, migration 0009). Rows written before it (NULL) use these defaults.
    "RADIUS_EXACT_KM": Constant(0.05, "km", "coordinates typed or picked on a map: about one building"),
    "RADIUS_NEIGHBOURHOOD_KM": Constant(1.0, "km", "a 居委会 point stands for its 居委 area, about 1 km across "
                                        "in the city (shanghai_neighbourhood_points.csv spacing)"),
    "RADIUS_STATION_KM": Constant(0.8, "km", "a metro station named: the 800 m walking catchment of a station"),
    "RADIUS_STREET_KM": Constant(2.0, "km", "a 街道/镇 point: half the typical spread of a central 街道 in the "
                                 "OSM street polygons (shanghai_street_polygons_osm_central.geojson)"),
    "RADIUS_DISTRICT_KM": Constant(8.0, "km", "a district centre: the 90th-percentile distance of a district's "
                                   "街道 points from its centre is several km; no 15-minute claim is made"),
}
EARTH_RADIUS_KM = 6371.0088
WALK_KMH = CONSTANTS["WALK_KMH"].value
CYCLE_KMH = CONSTANTS["CYCLE_KMH"].value
BUS_KMH = CONSTANTS["BUS_KMH"].value
DETOUR_FACTOR = CONSTANTS["DETOUR_FACTOR"].value
CIRCLE_MINUTES = CONSTANTS["CIRCLE_MINUTES"].value
COARSE_RADIUS_KM = CONSTANTS["COARSE_RADIUS_KM"].value
PRECISION_RADIUS_KM = {level: CONSTANTS[f"RADIUS_{level.upper()}_KM"].value
                       for level in ("exact", "neighbourhood", "station", "street", "district")}


def default_radius_km(precision: str | None) -> float:
    """The stated uncertainty radius of a precision level; NaN for none/unknown (no point to judge)."""
    return PRECISION_RADIUS_KM.get(precision or "", float("nan"))


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Straight-line (great-circle) distance in km between two WGS-84 points."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, a)))


def haversine_km_many(lat: float, lon: float, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    """Vectorised distances from one point to many; NaN where a coordinate is missing."""
    p1 = np.radians(lat)
    p2 = np.radians(lats)
    dp = p2 - p1
    dl = np.radians(lons - lon)
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def walking_minutes(distance_km: float) -> float:
    return distance_km * DETOUR_FACTOR / WALK_KMH * 60.0


def cycling_minutes(distance_km: float) -> float:
    return distance_km * DETOUR_FACTOR / CYCLE_KMH * 60.0


@dataclass(frozen=True)
class Commute:
    """A door-to-door estimate: best mode, its minutes, and a sentence a counsellor can read aloud."""

    minutes: float
    mode: str  # "walk" | "cycle" | "metro" | "bus"
    distance_km: float
    description: str
    approximate: bool = False
    coarse: bool = False  # an end is only known to its district (or too roughly): no 15-minute claim
    # Set by `matcher.geo.commute.judge` from both ends' uncertainty radii (summed): the 15-minute
    # judgement (None: cannot tell) and the fastest/slowest door-to-door minutes the circles allow.
    radius_km: float = 0.0
    judged: bool = False
    circle: bool | None = None
    minutes_range: tuple[float, float] | None = None

    @property
    def within_circle(self) -> bool:
        """True only when the circle is claimed (kept bool for callers; prefer `within_15min`)."""
        return self.within_15min is True

    @property
    def within_15min(self) -> bool | None:
        """True / False, or None when the locations are too coarse or too uncertain to tell."""
        if self.coarse:
            return None
        return self.circle if self.judged else self.minutes <= CIRCLE_MINUTES

    @property
    def may_coincide(self) -> bool:
        """The two uncertainty circles overlap: the places may be the same, so no point distance is shown."""
        return self.judged and not self.coarse and self.distance_km < self.radius_km

    @property
    def shown_distance_km(self) -> float | None:
        """The distance to show a person: None when coarse, the bound ("at most") when the ends may
        coincide, and never 0."""
        if self.coarse:
            return None
        if self.may_coincide:
            return round(max(self.radius_km, 0.1), 1)
        return max(round(self.distance_km, 1), 0.1)


NEAR_APPROXIMATE_KM = 0.5


def walk_description(km: float, walk: float, approximate: bool) -> str:
    """The walking sentence; two approximate points this close only say they share a neighbourhood."""
    if approximate and km < NEAR_APPROXIMATE_KM:
        return "在同一街道或片区，步行可达（位置按街道或地址估算，请以实际地址为准）"
    prefix = "约" if approximate else ""
    return f"距离{prefix}{km:.1f}公里，步行约{walk:.0f}分钟"
