"""Gazetteer: turn a 街道 name or code, a district, or a free address into an approximate point.

Station spreadsheets rarely carry coordinates. Resolution order for text:
1. a 街道/镇 name in the text -> that street's point;
2. a metro station name in the text (e.g. "曲阳路站", or a road that names a station) -> the station;
3. a district name -> the district's point.
Every resolved point says how it was obtained (`precision`), and all but `exact` are approximate.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from data import reference

PRECISION_LABELS = {
    "exact": "精确坐标",
    "station": "按地铁站位置估算",
    "street": "按街道中心估算",
    "district": "按区中心估算",
}


@dataclass(frozen=True)
class Place:
    lat: float
    lon: float
    precision: str  # exact | station | street | district
    street_code: str | None = None
    label: str = ""

    @property
    def approximate(self) -> bool:
        return self.precision != "exact"


def _short(name: str) -> str:
    return re.sub(r"(街道|镇|乡)$", "", name)


class Gazetteer:
    """Look-ups over the bundled official street table, metro stations and approximate points."""

    def __init__(self):
        streets = reference.streets()
        self.street_names = dict(zip(streets["code"], streets["name"]))
        self.street_district = dict(zip(streets["code"], streets["areaCode"]))
        self.district_names = dict(zip(reference.districts()["code"], reference.districts()["name"]))
        table = reference.approximate_points()
        self._district_points = {
            r.code: (r.lat_wgs84, r.lon_wgs84) for r in table.itertuples() if r.kind == "district"
        }
        self._street_points = {r.code: (r.lat_wgs84, r.lon_wgs84) for r in table.itertuples() if r.kind == "street"}
        stations = reference.metro_stations()
        self._stations = {r.station: (r.lat_wgs84, r.lng_wgs84) for r in stations.itertuples()}
        # Longest names first so "四川北路" wins over "四川".
        self._street_patterns = sorted(
            ((name, code) for code, name in self.street_names.items()), key=lambda item: -len(item[0])
        )
        self._station_patterns = sorted(self._stations, key=len, reverse=True)

    def street_code(self, text: str | None) -> str | None:
        """Official code for a 街道 given by code, full name or short name (e.g. 曲阳路街道 / 曲阳路)."""
        if not text:
            return None
        text = text.strip()
        if text in self.street_names:
            return text
        for name, code in self._street_patterns:
            if text == name or text == _short(name):
                return code
        return None

    def street_point(self, code: str) -> Place | None:
        name = self.street_names.get(code)
        if name is None:
            return None
        if code in self._street_points:
            lat, lon = self._street_points[code]
            return Place(lat, lon, "street", code, name)
        station = _short(name)
        if station in self._stations:
            lat, lon = self._stations[station]
            return Place(lat, lon, "street", code, name)
        district = self.street_district.get(code)
        if district in self._district_points:
            lat, lon = self._district_points[district]
            return Place(lat, lon, "district", code, self.district_names.get(district, ""))
        return None

    def resolve(self, *, lat: float | None = None, lon: float | None = None, street: str | None = None,
                address: str | None = None) -> Place | None:
        """Best available point: given coordinates, else the 街道, else whatever the address names."""
        code = self.street_code(street) if street else None
        if lat is not None and lon is not None:
            return Place(float(lat), float(lon), "exact", code or (self.find_street(address) if address else None))
        if code:
            return self.street_point(code)
        if address:
            return self.geocode(address)
        return None

    def find_street(self, text: str) -> str | None:
        for name, code in self._street_patterns:
            if name in text:
                return code
        return None

    def geocode(self, address: str) -> Place | None:
        """Approximate point for a free-text Shanghai address; None when nothing is recognised."""
        code = self.find_street(address)
        if code:
            return self.street_point(code)
        for station in self._station_patterns:
            if len(station) >= 2 and (f"{station}站" in address or (len(station) >= 3 and station in address)):
                lat, lon = self._stations[station]
                return Place(lat, lon, "station", None, f"{station}站")
        for dcode, dname in self.district_names.items():
            if dname in address or (len(_short_district(dname)) >= 2 and _short_district(dname) + "区" in address):
                if dcode in self._district_points:
                    lat, lon = self._district_points[dcode]
                    return Place(lat, lon, "district", None, dname)
        return None


def _short_district(name: str) -> str:
    return re.sub(r"(新区|区)$", "", name)


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    return Gazetteer()
