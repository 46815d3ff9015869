"""Offline Shanghai place resolver with honest precision.

An address, a 街道 name or code, a station or coordinates become one point with a precision on the
ordered scale exact < neighbourhood < station < street < district < none and a radius of uncertainty
in km (about 90% of the true locations lie within it; see `evaluation/places_eval.py`).

Evidence, finest first, each kept only when it agrees with the district (and 街道/镇) the address names:
- coordinates -> `exact`;
- a 居委/村委/小区 name from the 1,794 neighbourhood-committee points -> `neighbourhood`;
- a station written as a station ("曲阳路站", "地铁人民广场") -> `station`;
- the main road (or a cross road) when a station or committee carries that road's name -> `street`
  precision with the road's own radius (a road point says the street, not the door);
- a 街道/镇 name or code -> `street` (the 街道 office point; radius from its committees' spread);
- a 街道/镇 named inside a place name ("七宝万科广场", "航头服务区"; not "田林路", "佘山站") -> the same;
- a district -> `district`; nothing -> `none`.
Any of these whose radius exceeds 3 km is reported as `district` (point and 街道 kept). A road's radius
grows with the house number written after it and when the number (or the road itself) is unknown, twice as
fast beyond the middle ring; with no road geometry bundled the number widens the radius, it cannot move
the point.
A name that merely contains a station's name never counts ("(金海路)" is a cross road; "交通大学"
inside a school's name is not 交通大学站), and no point may land outside the district the text names.
The 街道 of a point comes from the OSM polygons (eight central districts) or else the nearest
neighbourhood committee in the same district.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from data import reference
from matcher.geo import metro
from matcher.geo.address import ROAD_ANY_RE, ParsedAddress, normalise, parse
from matcher.geo.geo import PRECISION_RADIUS_KM, haversine_km, haversine_km_many
from matcher.geo.polygons import polygon_districts, polygon_street

PRECISIONS = ("exact", "neighbourhood", "station", "street", "district", "none")
# Default radius (km) per level; streets, districts and roads carry their own, measured from the data.
RADIUS_KM = dict(PRECISION_RADIUS_KM)  # sources: matcher.geo.geo.CONSTANTS
VILLAGE_RADIUS_KM = 1.5  # a 村委会 point stands for a village area, wider than an urban 居委
ROAD_RADIUS_KM = {"station": 2.0, "committee": 1.2, "street": 2.0}  # road named after the source's point
# A road point says little about where along the road a house number lies: widen by the number
# (Shanghai numbers run ~2 per 10 m of frontage, so No. 2000 is km from the road's start) and for
# highways (公路/大道), which run across whole towns. Chosen on the dev split of the POI evaluation.
ROAD_NUMBER_KM = ((2000, 2.5), (1000, 1.0), (0, 0.0))  # (house number at least, extra km)
ROAD_NUMBER_KM_PER_1000 = 1.0  # beyond No. 2000 the number lies ever farther from wherever the point is
ROAD_NO_NUMBER_KM = 1.0
ROAD_HIGHWAY_KM = 2.0
# Beyond the middle ring roads are longer and frontages wider: the same number lies about twice as far
# along the road, and an unknown position along it is twice as uncertain. Judged from the road point's
# distance to 人民广场 (the middle ring runs ~8-12 km out). Chosen on dev.
CITY_CENTRE = (31.2304, 121.4737)
CENTRAL_ROAD_KM = 10.0
OUTER_ROAD_FACTOR = 2
# A 街道/镇 or road point whose radius exceeds this cannot claim more than its district: precision is
# reported as `district` (the point and 街道 code are kept). Same figure as the commute's COARSE_RADIUS_KM.
FINE_MAX_RADIUS_KM = 3.0
AMBIGUOUS_SPREAD_KM = 3.0  # two readings of one name farther apart than this: do not choose
MIN_STREET_RADIUS_KM, MIN_DISTRICT_RADIUS_KM = 1.0, 3.0


@dataclass(frozen=True)
class Resolution:
    lat: float | None
    lon: float | None
    precision: str
    radius_km: float | None
    street_code: str | None
    district_code: str | None
    method: str  # coordinates | neighbourhood | station | road | street | district | none
    label: str  # what was matched, e.g. "曲阳路站", "科苑路", "张江镇"


def _short_street(name: str) -> list[str]:
    shorts = []
    stripped = re.sub(r"(街道|镇|乡)$", "", name)
    if stripped != name and len(stripped) >= 2:
        shorts.append(stripped)
        if stripped.endswith("镇") and len(stripped) >= 3:  # 真如镇街道 -> 真如
            shorts.append(stripped[:-1])
    return shorts


class PlaceIndex:
    """All look-up tables, built once from data/reference."""

    def __init__(self):
        districts = reference.districts()
        self.district_names = dict(zip(districts["code"], districts["name"]))
        self.district_by_name = {v: k for k, v in self.district_names.items()}
        streets = reference.streets()
        self.street_names = dict(zip(streets["code"], streets["name"]))
        self.street_district = dict(zip(streets["code"], streets["areaCode"]))
        points = pd.read_csv(reference.reference_path("shanghai_street_points.csv"), dtype={"code": str})
        points = points.dropna(subset=["lat_wgs84", "lon_wgs84"])
        self.street_points = {r.code: (float(r.lat_wgs84), float(r.lon_wgs84)) for r in points.itertuples()}
        com = pd.read_csv(reference.reference_path("shanghai_neighbourhood_points.csv"),
                          dtype={"code": str, "street_code": str})
        self.com_lat = com["lat_wgs84"].to_numpy(float)
        self.com_lon = com["lon_wgs84"].to_numpy(float)
        self.com_street = com["street_code"].to_numpy(str)
        self.com_district = np.array([c[:6] for c in self.com_street])
        self.com_name = com["name"].tolist()
        self._street_radius()
        self._district_points()
        self._name_tables(com)
        self.stations = metro.stations()
        self.station_patterns = sorted(self.stations, key=len, reverse=True)
        self.station_district = {
            s.name: self.district_of_point(s.lat, s.lon) for s in self.stations.values()
        }
        self._roads()

    # ----- tables -------------------------------------------------------------------------------
    def _street_radius(self) -> None:
        """Radius of a 街道 point: its farthest polygon vertex, else its farthest committee (+0.5 km)."""
        from matcher.geo.polygons import polygon_of

        self.street_radius = {}
        for code, (lat, lon) in self.street_points.items():
            poly = polygon_of(code)
            mask = self.com_street == code
            if poly is not None:
                pts = np.vstack(poly.rings)
                km = float(haversine_km_many(lat, lon, pts[:, 1], pts[:, 0]).max())
            elif mask.sum() >= 3:
                km = float(haversine_km_many(lat, lon, self.com_lat[mask], self.com_lon[mask]).max()) + 0.5
            else:
                km = RADIUS_KM["street"] * 2
            self.street_radius[code] = round(max(MIN_STREET_RADIUS_KM, km), 1)

    def _district_points(self) -> None:
        self.district_points, self.district_radius = {}, {}
        for code in self.district_names:
            pts = [p for s, p in self.street_points.items() if s[:6] == code]
            if not pts:
                continue
            lat = float(np.median([p[0] for p in pts]))
            lon = float(np.median([p[1] for p in pts]))
            mask = self.com_district == code
            km = haversine_km_many(lat, lon, self.com_lat[mask], self.com_lon[mask])
            self.district_points[code] = (lat, lon)
            self.district_radius[code] = round(max(MIN_DISTRICT_RADIUS_KM, float(np.percentile(km, 90))), 1)

    def _name_tables(self, com: pd.DataFrame) -> None:
        self.street_by_name: dict[str, list[str]] = {}
        for code, name in self.street_names.items():
            for variant in [name, *_short_street(name)]:
                self.street_by_name.setdefault(variant, []).append(code)
        self.street_patterns = sorted(self.street_by_name, key=len, reverse=True)
        # Neighbourhood cores: 曲阳新村居委会 -> 曲阳新村; 凌兆新村第三居委会 -> 凌兆新村.
        self.neighbourhoods: dict[str, list[int]] = {}
        for i, name in enumerate(self.com_name):
            core = re.sub(r"(居民委员会|村民委员会|居委会|村委会|社区)$", "", name)
            core = re.sub(r"(第[一二三四五六七八九十]+|[一二三四五六七八九十]+)$", "", core) or core
            if len(core) >= 2 and not re.search(r"(路|公路|大道|街)$", core):
                self.neighbourhoods.setdefault(core, []).append(i)
        self.neighbourhood_patterns = sorted(self.neighbourhoods, key=len, reverse=True)

    def _roads(self) -> None:
        """Road name -> points known to lie on it: stations, committees and 街道 named after the road."""
        roads: dict[str, list[tuple[float, float, str, str]]] = {}

        def add(road: str, lat: float, lon: float, district: str | None, source: str) -> None:
            if district:
                roads.setdefault(road, []).append((lat, lon, district, source))

        for s in self.stations.values():
            if re.search(r"(路|公路|大道|街)$", s.name):
                add(s.name, s.lat, s.lon, self.station_district[s.name], "station")
        for i, name in enumerate(self.com_name):
            for road in ROAD_ANY_RE.findall(name):
                if len(road) >= 3:
                    add(road, self.com_lat[i], self.com_lon[i], self.com_district[i], "committee")
        for code, name in self.street_names.items():
            core = re.sub(r"(街道|镇)$", "", name)
            if re.search(r"(路|公路|大道)$", core) and code in self.street_points:
                lat, lon = self.street_points[code]
                add(core, lat, lon, code[:6], "street")
        self.roads = roads

    # ----- geometry -----------------------------------------------------------------------------
    def street_of_point(self, lat: float, lon: float, district: str | None = None) -> str | None:
        code = polygon_street(lat, lon)
        if code and (district is None or code[:6] == district):
            return code
        mask = self.com_district == district if district else np.ones(len(self.com_lat), bool)
        if district in polygon_districts() and code is None:
            pass  # a gap between polygons: fall through to the committees
        if not mask.any():
            return None
        km = haversine_km_many(lat, lon, self.com_lat[mask], self.com_lon[mask])
        return str(self.com_street[mask][int(np.argmin(km))])

    def district_of_point(self, lat: float, lon: float) -> str | None:
        code = self.street_of_point(lat, lon)
        return code[:6] if code else None

    # ----- look-ups -----------------------------------------------------------------------------
    def street_code(self, text: str | None) -> str | None:
        """Official code for a 街道 given by code (9 or 12 digits), full name or short name."""
        if not text:
            return None
        text = normalise(text)
        if re.fullmatch(r"\d{9}(\d{3})?", text) and text[:9] in self.street_names:
            return text[:9]
        codes = self.street_by_name.get(text)
        if codes and len(codes) == 1:
            return codes[0]
        return None

    def street_resolution(self, code: str, label: str | None = None) -> Resolution:
        district = self.street_district.get(code)
        if code in self.street_points:
            lat, lon = self.street_points[code]
            return Resolution(lat, lon, "street", self.street_radius[code], code, district, "street",
                              label or self.street_names[code])
        return self.district_resolution(district, street_code=code)

    def district_resolution(self, district: str | None, street_code: str | None = None) -> Resolution:
        if district in self.district_points:
            lat, lon = self.district_points[district]
            return Resolution(lat, lon, "district", self.district_radius[district], street_code, district,
                              "district", self.district_names[district])
        return NONE


NONE = Resolution(None, None, "none", None, None, None, "none", "")


@lru_cache(maxsize=1)
def index() -> PlaceIndex:
    return PlaceIndex()


COORD_RE = re.compile(r"^\s*(-?\d{1,3}\.\d+)\s*[,，\s]\s*(-?\d{1,3}\.\d+)\s*$")


def resolve(address: str | None = None, *, lat: float | None = None, lon: float | None = None,
            street: str | None = None) -> Resolution:
    """The best honest point for what is given; `precision == "none"` when nothing is recognised."""
    idx = index()
    if lat is not None and lon is not None:
        return _exact(idx, float(lat), float(lon))
    if street:
        code = idx.street_code(street)
        if code:
            return _cap(idx.street_resolution(code))
        if not address:
            address = street
    if not address or not normalise(address):
        return NONE
    coords = COORD_RE.match(address)
    if coords:
        a, b = float(coords.group(1)), float(coords.group(2))
        if abs(a) > 90 and abs(b) <= 90:  # "lon,lat" (the order map services export)
            a, b = b, a
        if abs(a) > 90 or abs(b) > 180:
            return NONE
        return _exact(idx, a, b)
    code = idx.street_code(address)
    if code:
        return _cap(idx.street_resolution(code))
    return _resolve_text(idx, address)


def _exact(idx: PlaceIndex, lat: float, lon: float) -> Resolution:
    if not (30.6 <= lat <= 31.9 and 120.8 <= lon <= 122.2):
        return Resolution(lat, lon, "exact", RADIUS_KM["exact"], None, None, "coordinates", "上海市外的坐标")
    street = idx.street_of_point(lat, lon)
    return Resolution(lat, lon, "exact", RADIUS_KM["exact"], street, street[:6] if street else None,
                      "coordinates", "坐标")


def _named_street(idx: PlaceIndex, parsed: ParsedAddress, district: str | None) -> str | None:
    texts = [t for t in (parsed.town, parsed.text) if t]
    for text in texts:
        for name in idx.street_patterns:
            if name not in text:
                continue
            full = name in idx.street_names.values()
            # A short name counts only where it is written as a 街道/镇 or right after the district.
            if not full and not re.search(re.escape(name) + r"(街道|镇|乡)", text) and text is not parsed.town:
                continue
            codes = [c for c in idx.street_by_name[name] if district is None or c[:6] == district]
            if len(codes) == 1:
                return codes[0]
    return None


# A 街道/镇 short name inside a place name ("七宝万科广场", "顾村公园", "航头服务区", "安亭新镇") says the place
# is in or by that 街道, but not when the name is part of a road ("航头路", "田林路" run far beyond their
# 街道) or a station ("佘山站").
MENTION_NOT_BEFORE = ("路", "公路", "大道", "街", "道", "巷", "站", "高架", "高速", "环路")


def _mentioned_street(idx: PlaceIndex, parsed: ParsedAddress, district: str | None) -> str | None:
    """A 街道/镇 whose short name appears inside a place name of the address (only within a named district)."""
    if district is None:
        return None
    text = parsed.rest
    roads = [r for r in [parsed.road, *parsed.cross_roads] if r]
    for name in idx.street_patterns:
        if len(name) < 2 or name not in text:
            continue
        codes = [c for c in idx.street_by_name[name] if c[:6] == district]
        if len(codes) != 1:
            continue
        for match in re.finditer(re.escape(name), text):
            after = text[match.end():]
            if after.startswith(MENTION_NOT_BEFORE) or any(name in road for road in roads):
                continue
            return codes[0]
    return None


def _agrees(idx: PlaceIndex, lat: float, lon: float, district: str | None, street: str | None) -> bool:
    """The point lies in the named district, and near the named 街道 when one is named."""
    if district and idx.district_of_point(lat, lon) != district:
        return False
    if street and street in idx.street_points:
        slat, slon = idx.street_points[street]
        if haversine_km(lat, lon, slat, slon) > idx.street_radius[street] + 1.5:
            return False
    return True


def _neighbourhood(idx, parsed, district, street) -> Resolution | None:
    text = parsed.rest or parsed.text
    for core in idx.neighbourhood_patterns:
        if core not in text:
            continue
        if len(core) == 2 and not re.search(re.escape(core) + r"(新村|小区|村|苑|居委|花园|公寓)", text):
            continue
        hits = [i for i in idx.neighbourhoods[core] if district is None or idx.com_district[i] == district]
        if street:
            hits = [i for i in hits if idx.com_street[i] == street] or hits
        if not hits:
            continue
        lats, lons = idx.com_lat[hits], idx.com_lon[hits]
        if len(hits) > 1 and haversine_km_many(lats[0], lons[0], lats, lons).max() > AMBIGUOUS_SPREAD_KM:
            continue
        lat, lon = float(np.mean(lats)), float(np.mean(lons))
        if not _agrees(idx, lat, lon, district, street):
            continue
        village = all(idx.com_name[i].endswith(("村委会", "村民委员会")) for i in hits)
        radius = VILLAGE_RADIUS_KM if village else RADIUS_KM["neighbourhood"]
        code = str(idx.com_street[hits[0]])
        return Resolution(lat, lon, "neighbourhood", radius, code, code[:6], "neighbourhood", core)
    return None


STATION_BEFORE = ("地铁", "轨交", "号线", "近", "(", "（", "临", "靠")


def _written_stations(idx: PlaceIndex, text: str) -> list[str]:
    """Station names written as stations: the whole text, or "<name>站" that starts the text or follows
    地铁 / 号线 / 近 / a bracket or a non-Chinese character ("上海交通大学站" is not 交通大学站)."""
    found = [name for name in (text, re.sub(r"站$", "", text)) if name in idx.stations]
    for name in idx.station_patterns:
        if name + "站" not in text:  # most names are not in the text: skip the pattern
            continue
        for match in re.finditer(re.escape(name) + "站", text):
            before = text[:match.start()]
            if not before or before.endswith(STATION_BEFORE) or not re.match(r"[\u4e00-\u9fff]", before[-1]):
                found.append(name)
    return found


def _station(idx, parsed, district, street) -> Resolution | None:
    for name in [*parsed.stations, *_written_stations(idx, parsed.text)]:
        s = idx.stations.get(name) or idx.stations.get(re.sub(r"(地铁|站)$", "", name))
        if s is None or not _agrees(idx, s.lat, s.lon, district, street):
            continue
        code = idx.street_of_point(s.lat, s.lon, idx.station_district[s.name])
        return Resolution(s.lat, s.lon, "station", RADIUS_KM["station"], code, code[:6] if code else None,
                          "station", metro.station_label(s.name))
    return None


def _road(idx, parsed, district, street) -> Resolution | None:
    for road in [r for r in [parsed.road, *parsed.cross_roads] if r]:
        for variant in (road,):  # "申江南路" is not "申江路" (20 km apart): no fuzzy road names
            points = [p for p in idx.roads.get(variant, []) if district is None or p[2] == district]
            points = [p for p in points if _agrees(idx, p[0], p[1], district, street)]
            if not points:
                continue
            lats = np.array([p[0] for p in points])
            lons = np.array([p[1] for p in points])
            lat, lon = float(np.median(lats)), float(np.median(lons))
            spread = float(haversine_km_many(lat, lon, lats, lons).max())
            if spread > AMBIGUOUS_SPREAD_KM and street is None:
                continue
            radius = max(ROAD_RADIUS_KM[p[3]] for p in points) + spread
            outer = haversine_km(lat, lon, *CITY_CENTRE) > CENTRAL_ROAD_KM
            factor = OUTER_ROAD_FACTOR if outer else 1
            if road == parsed.road and parsed.road_number is not None:
                radius += _number_km(parsed.road_number * factor)
            else:  # no number, or only a cross road: where along the road is unknown
                radius += ROAD_NO_NUMBER_KM * factor
            if re.search(r"(公路|大道)$", variant):
                radius += ROAD_HIGHWAY_KM
            code = idx.street_of_point(lat, lon, district or idx.district_of_point(lat, lon))
            return Resolution(lat, lon, "street", round(radius, 1), code, code[:6] if code else None,
                              "road", variant)
    return None


def _number_km(number: int) -> float:
    """Extra radius for where house number `number` lies along a road whose point is somewhere on it."""
    extra = next(km for at_least, km in ROAD_NUMBER_KM if number >= at_least)
    if number > ROAD_NUMBER_KM[0][0]:
        extra += (number - ROAD_NUMBER_KM[0][0]) / 1000 * ROAD_NUMBER_KM_PER_1000
    return extra


def _cap(r: Resolution) -> Resolution:
    """A 街道 or road point too wide to say more than the district is reported as `district`."""
    if r.precision == "street" and r.radius_km is not None and r.radius_km > FINE_MAX_RADIUS_KM:
        return Resolution(r.lat, r.lon, "district", r.radius_km, r.street_code, r.district_code, r.method + "_wide",
                          r.label)
    return r


def _resolve_text(idx: PlaceIndex, text: str) -> Resolution:
    return _cap(_resolve_text_raw(idx, text))


def _resolve_text_raw(idx: PlaceIndex, text: str) -> Resolution:
    parsed = parse(text, list(idx.district_names.values()))
    district = idx.district_by_name.get(parsed.district) if parsed.district else None
    street = _named_street(idx, parsed, district)
    if street and district is None:
        district = street[:6]
    for finder in (_neighbourhood, _station, _road):
        found = finder(idx, parsed, district, street)
        if found is not None:
            if street and street in idx.street_points and (found.radius_km or 0) > idx.street_radius[street]:
                break  # the named 街道/镇 says more than a long road does
            if street and found.street_code != street:
                # The finer point lies near, not in, the named 街道: keep the point, trust the name.
                found = Resolution(found.lat, found.lon, found.precision, found.radius_km, street, street[:6],
                                   found.method, found.label)
            return found
    if street:
        return idx.street_resolution(street)
    mentioned = _mentioned_street(idx, parsed, district)
    if mentioned:
        r = idx.street_resolution(mentioned)
        return Resolution(r.lat, r.lon, r.precision, r.radius_km, r.street_code, r.district_code, "street_mention",
                          r.label)
    if district:
        return idx.district_resolution(district)
    return NONE


def precision_rank(precision: str) -> int:
    return PRECISIONS.index(precision) if precision in PRECISIONS else len(PRECISIONS) - 1
