"""Places as the rest of the product sees them: `Place`, `PRECISION_LABELS` and the `gazetteer()`.

The work is done by `matcher.geo.resolver` (address parsing, neighbourhood / station / road / 街道 /
district evidence, radii). This module keeps the names that the service, scoring and profiles use:
`Gazetteer.resolve(lat=, lon=, street=, address=) -> Place | None`, `street_code`, `street_point`,
`geocode`, `find_street`; a `Place` now also carries `radius_km`, `district_code` and `method`.
`import_report(places)` summarises an import for the clerk.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from matcher.geo import resolver
from matcher.geo.geo import PRECISION_RADIUS_KM, haversine_km
from matcher.geo.resolver import PRECISIONS, Resolution

PRECISION_LABELS = {
    "exact": "精确坐标",
    "neighbourhood": "按居委/小区位置估算",
    "station": "按地铁站位置估算",
    "street": "按街道或道路位置估算",
    "district": "只精确到区",
    "none": "未能识别位置",
}


COARSE_PRECISIONS = frozenset({"district", "none"})


def is_coarse(precision: str | None) -> bool:
    """A stored or resolved precision too coarse for any 15-minute claim (district, none, unknown)."""
    return precision is None or precision in COARSE_PRECISIONS


def stored_radius_km(precision: str | None, radius_km: float | None = None) -> float:
    """The uncertainty radius of a stored row: the resolver's radius kept with it (`location_radius_km`,
    migration 0009), else its precision's default from CONSTANTS (rows written before 0009 keep NULL and
    read exactly as they did); 0 for none/unknown, which are coarse anyway."""
    if radius_km is not None and radius_km == radius_km and radius_km >= 0:
        return float(radius_km)
    return PRECISION_RADIUS_KM.get(precision or "", 0.0)


def row_radius_km(row) -> float:
    """`stored_radius_km` of a located row (or anything with `location_precision` and, optionally,
    `location_radius_km`)."""
    return stored_radius_km(row.location_precision, getattr(row, "location_radius_km", None))


def radius_to_store(place) -> float | None:
    """What a row keeps as `location_radius_km` for a resolved place: its own radius (given coordinates:
    the exact default), or None without a place."""
    if place is None:
        return None
    radius = getattr(place, "radius_km", None)
    return float(radius) if radius is not None else stored_radius_km(place.precision)


def place_radius(place) -> float:
    """A resolved place's own radius, or its precision's default; 0 without a place."""
    if place is None:
        return 0.0
    radius = getattr(place, "radius_km", None)
    return float(radius) if radius is not None else stored_radius_km(place.precision)


def station_radius_km(precision: str | None, street_code: str | None, lat=None, lon=None) -> float | None:
    """The radius for a station row given with its precision but no radius (`JobCircle.add_stations`,
    the demo seed). A 街道-level point at its 街道's own point is that 街道's radius; a 街道-level point
    elsewhere is never tighter than the level's default. None without a precision."""
    if precision is None:
        return None
    default = stored_radius_km(precision)
    if precision == "street" and street_code:
        idx = resolver.index()
        if street_code in idx.street_radius:
            own = float(idx.street_radius[street_code])
            point = idx.street_points.get(street_code)
            if point and lat is not None and lon is not None and haversine_km(lat, lon, *point) <= 0.05:
                return own
            return max(own, default)
    return default


@dataclass(frozen=True)
class Place:
    lat: float
    lon: float
    precision: str  # exact | neighbourhood | station | street | district
    street_code: str | None = None
    label: str = ""
    radius_km: float | None = None
    district_code: str | None = None
    method: str = ""

    @property
    def approximate(self) -> bool:
        return self.precision != "exact"

    @property
    def street(self) -> str | None:
        return resolver.index().street_names.get(self.street_code) if self.street_code else None

    @property
    def district(self) -> str | None:
        code = self.district_code or (self.street_code[:6] if self.street_code else None)
        return resolver.index().district_names.get(code) if code else None

    @property
    def note(self) -> str:
        label = PRECISION_LABELS.get(self.precision, "")
        if self.radius_km and self.precision != "exact":
            return f"{label}（误差约{self.radius_km:.1f}公里）"
        return label

    @classmethod
    def from_resolution(cls, r: Resolution) -> "Place | None":
        if r.precision == "none" or r.lat is None:
            return None
        return cls(r.lat, r.lon, r.precision, r.street_code, r.label, r.radius_km, r.district_code, r.method)


def locate(address: str | None = None, *, lat=None, lon=None, street=None) -> dict:
    """The `places locate` record: query, lat, lon, street_code, street, district, precision, radius_km."""
    r = resolver.resolve(address, lat=lat, lon=lon, street=street)
    idx = resolver.index()
    district = r.district_code or (r.street_code[:6] if r.street_code else None)
    return {
        "query": address if address is not None else street,
        "lat": None if r.lat is None else round(r.lat, 6),
        "lon": None if r.lon is None else round(r.lon, 6),
        "street_code": r.street_code,
        "street": idx.street_names.get(r.street_code) if r.street_code else None,
        "district": idx.district_names.get(district) if district else None,
        "precision": r.precision,
        "radius_km": r.radius_km,
        "matched": r.label or None,
        "note": "坐标不在上海市内，请核对经纬度" if r.precision == "exact" and district is None
        else precision_note(r.precision, r.street_code, r.radius_km, r.method),
    }


def precision_note(precision: str, street_code: str | None, radius_km: float | None, method: str = "") -> str:
    """What a reader is told: a wide 街道/镇 or a long road kept at district precision says so."""
    if precision == "district" and street_code and method.startswith("road"):
        return f"只知道所在道路，门牌位置不明（约{radius_km:.1f}公里范围），按区级精度处理"
    if precision == "district" and street_code:
        return f"街道/镇范围较大（约{radius_km:.1f}公里），按区级精度处理"
    return PRECISION_LABELS.get(precision, "")


def import_report(places: list, labels: list | None = None) -> dict:
    """For an import: rows per precision and the rows placed only at a district (or not at all).

    `places` holds one `Place`, `Resolution`, `locate()` dict or None per row; `labels` (optional) the
    row's address or number to show. Returns {"total", "by_precision", "district_only", "unresolved"}:
    the two lists hold {"row": 1-based row number, "label", "district"} so a clerk can fix the address or
    add a 街道.
    """
    counts: Counter = Counter()
    district_only, unresolved = [], []
    for n, place in enumerate(places):
        if place is None:
            precision, district = "none", None
        elif isinstance(place, dict):
            precision, district = place.get("precision") or "none", place.get("district")
        else:
            precision = place.precision
            code = getattr(place, "district_code", None) or (place.street_code[:6] if place.street_code else None)
            district = resolver.index().district_names.get(code) if code else None
        counts[precision] += 1
        entry = {"row": n + 1, "label": labels[n] if labels else None, "district": district}
        if precision == "district":
            district_only.append(entry)
        elif precision == "none":
            unresolved.append(entry)
    return {"total": len(places), "by_precision": {p: counts.get(p, 0) for p in PRECISIONS},
            "district_only": district_only, "unresolved": unresolved}


class Gazetteer:
    """Compatibility façade over `matcher.geo.resolver` (same method names as before)."""

    def __init__(self):
        idx = resolver.index()
        self.street_names = idx.street_names
        self.street_district = idx.street_district
        self.district_names = idx.district_names

    def street_code(self, text: str | None) -> str | None:
        return resolver.index().street_code(text)

    def street_point(self, code: str) -> Place | None:
        if code not in self.street_names:
            return None
        return Place.from_resolution(resolver.index().street_resolution(code))

    def resolve(self, *, lat: float | None = None, lon: float | None = None, street: str | None = None,
                address: str | None = None) -> Place | None:
        """Best available point: given coordinates, else the 街道, else whatever the address names."""
        if lat is not None and lon is not None:
            r = resolver.resolve(lat=lat, lon=lon)
            code = self.street_code(street) if street else None
            if code is None and address:
                code = resolver.resolve(address).street_code
            place = Place.from_resolution(r)
            if place and code:
                place = Place(place.lat, place.lon, place.precision, code, place.label, place.radius_km,
                              code[:6], place.method)
            return place
        return Place.from_resolution(resolver.resolve(address, street=street))

    def find_street(self, text: str) -> str | None:
        return resolver.resolve(text).street_code if text else None

    def geocode(self, address: str) -> Place | None:
        return Place.from_resolution(resolver.resolve(address))


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    return Gazetteer()
