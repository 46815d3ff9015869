"""Metro-aware door-to-door commute estimates for Shanghai.

The metro network comes from `reference.metro_lines()` (stations per line in running order; a station
name on several lines is a transfer; line 4's list closes on itself, so the loop is kept). A trip by
metro is: walk to one of the origin's nearest stations, wait, ride (with transfers), walk from one of
the destination's nearest stations. The answer is the best of walking, cycling (`matcher.geo.geo`) and
metro. All station-to-station times are precomputed once (Dijkstra over ~360 line-station nodes),
so one estimate costs a few small array operations.

Constants and where they come from:
- STATION_SEARCH = 3 stations within ACCESS_KM = 1.5 km of each end: 1.5 km is about a 20-minute walk
  at `geo.WALK_KMH` with the detour factor, the usual outer limit of a metro station's catchment in
  Shanghai transit planning (轨道交通站点800米-1500米步行接驳范围).
- RIDE_DWELL_MINUTES = 0.5 and RIDE_KMH = 40: dwell per stop, and running speed between stops; an
  average central inter-station hop (about 1.1-1.5 km) then takes about 2.2-2.8 minutes, matching the
  ~2.5 min per stop that timetables imply, and line 1 end to end (莘庄-富锦路, 28 stations) about
  70 minutes (timetable: about 70).
- WAIT_MINUTES = 3: half of a typical off-peak headway of about 6 minutes (peak 2-4 minutes).
- TRANSFER_MINUTES = 5: walking between platforms plus part of the second line's wait; long
  interchanges (人民广场, 世纪大道) take longer, short cross-platform ones less.
- STATION_ENTRY_MINUTES = 2: entrance to platform and platform to exit (security check, stairs).
- Walking and cycling speeds and the detour factor are those of `matcher.geo.geo`.
The network file dates from about 2016 (lines 1-13 and 16); newer lines are missing, so metro times
can be pessimistic in outer districts.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from data import reference
from matcher.geo import geo

STATION_SEARCH = 3
ACCESS_KM = 1.5
RIDE_DWELL_MINUTES = 0.5
RIDE_KMH = 40.0
WAIT_MINUTES = 3.0
TRANSFER_MINUTES = 5.0
STATION_ENTRY_MINUTES = 2.0


def _short_line(line_name: str) -> str:
    match = re.search(r"\d+号线", str(line_name))
    return match.group(0) if match else str(line_name)


@dataclass(frozen=True)
class MetroNetwork:
    """Stations (WGS-84), and all-pairs ride times with the line boarded first."""

    names: list[str]
    lats: np.ndarray
    lons: np.ndarray
    minutes: np.ndarray  # (n, n) ride time incl. transfers, excl. walking, waiting and entry
    first_line: np.ndarray  # (n, n) index into `lines` of the line boarded at the origin station
    lines: list[str]

    @classmethod
    def build(cls) -> "MetroNetwork":
        from scipy.sparse import coo_matrix
        from scipy.sparse.csgraph import dijkstra

        stations = reference.metro_stations()
        names = stations["station"].tolist()
        station_index = {name: i for i, name in enumerate(names)}
        lat = stations["lat_wgs84"].to_numpy(float)
        lon = stations["lng_wgs84"].to_numpy(float)

        rows = reference.metro_lines().sort_values(["line_idx", "line_name", "seq"])
        lines = sorted({_short_line(n) for n in rows["line_name"]}, key=lambda s: int(re.sub(r"\D", "", s) or 0))
        line_index = {line: i for i, line in enumerate(lines)}
        node_of: dict[tuple[int, int], int] = {}

        def node(station: int, line: int) -> int:
            return node_of.setdefault((station, line), len(node_of))

        src, dst, weight = [], [], []

        def edge(a: int, b: int, w: float) -> None:
            src.extend([a, b])
            dst.extend([b, a])
            weight.extend([w, w])

        for _, branch in rows.groupby(["line_idx", "line_name"], sort=False):
            line = line_index[_short_line(branch["line_name"].iloc[0])]
            ids = [station_index[s] for s in branch["station"]]
            for a, b in zip(ids, ids[1:]):
                if a == b:
                    continue
                km = geo.haversine_km(lat[a], lon[a], lat[b], lon[b])
                edge(node(a, line), node(b, line), RIDE_DWELL_MINUTES + km / RIDE_KMH * 60.0)
        by_station: dict[int, list[int]] = {}
        for (station, _line), n in node_of.items():
            by_station.setdefault(station, []).append(n)
        for nodes in by_station.values():
            for i, a in enumerate(nodes):
                for b in nodes[i + 1:]:
                    edge(a, b, TRANSFER_MINUTES)

        size = len(node_of)
        graph = coo_matrix((weight, (src, dst)), shape=(size, size)).tocsr()
        node_times = dijkstra(graph, directed=False)
        n = len(names)
        minutes = np.full((n, n), np.inf)
        first_line = np.full((n, n), -1, dtype=np.int64)
        for (station, line), a in node_of.items():
            for (other, _), b in node_of.items():
                t = node_times[a, b]
                if t < minutes[station, other]:
                    minutes[station, other] = t
                    first_line[station, other] = line
        np.fill_diagonal(minutes, 0.0)
        return cls(names, lat, lon, minutes, first_line, lines)


class MetroCommute:
    """Best of walking, cycling and metro; same `estimate` signature as `geo.StraightLineCommute`."""

    def __init__(self, network: MetroNetwork | None = None):
        self.network = network or MetroNetwork.build()

    def _nearby(self, lat: float, lon: float) -> tuple[np.ndarray, np.ndarray]:
        """Indices and walking minutes (incl. station entry) of up to 3 stations within 1.5 km."""
        cache = self.__dict__.setdefault("_nearby_cache", {})
        key = (float(lat), float(lon))
        if key in cache:
            return cache[key]
        if len(cache) > 100_000:
            cache.clear()
        cache[key] = self._nearby_uncached(lat, lon)
        return cache[key]

    def _nearby_uncached(self, lat: float, lon: float) -> tuple[np.ndarray, np.ndarray]:
        km = geo.haversine_km_many(lat, lon, self.network.lats, self.network.lons)
        nearest = np.argsort(km)[:STATION_SEARCH]
        nearest = nearest[km[nearest] <= ACCESS_KM]
        walk = km[nearest] * geo.DETOUR_FACTOR / geo.WALK_KMH * 60.0 + STATION_ENTRY_MINUTES
        return nearest, walk

    def _metro(self, origin: tuple[float, float], dest: tuple[float, float]):
        o_idx, o_walk = self._nearby(*origin)
        d_idx, d_walk = self._nearby(*dest)
        if len(o_idx) == 0 or len(d_idx) == 0:
            return None
        ride = self.network.minutes[np.ix_(o_idx, d_idx)]
        total = o_walk[:, None] + WAIT_MINUTES + ride + d_walk[None, :]
        total[ride == 0] = np.inf  # the same station at both ends is a walk, not a metro trip
        i, j = np.unravel_index(np.argmin(total), total.shape)
        if not np.isfinite(total[i, j]):
            return None
        return float(total[i, j]), int(o_idx[i]), int(d_idx[j]), float(o_walk[i] - STATION_ENTRY_MINUTES)

    def estimate(self, origin: tuple[float, float], dest: tuple[float, float], *, approximate: bool = False) -> geo.Commute:
        km = geo.haversine_km(origin[0], origin[1], dest[0], dest[1])
        walk, cycle = geo.walking_minutes(km), geo.cycling_minutes(km)
        prefix = "约" if approximate else ""
        if walk <= geo.CIRCLE_MINUTES or walk <= cycle * 1.5:
            return geo.Commute(walk, "walk", km, geo.walk_description(km, walk, approximate), approximate)
        metro = self._metro(origin, dest)
        if metro is not None and metro[0] < cycle:
            minutes, board, alight, access = metro
            line = self.network.lines[self.network.first_line[board, alight]]
            description = (
                f"地铁约{minutes:.0f}分钟，{line}{self.network.names[board]}站上车，"
                f"步行约{max(access, 1):.0f}分钟到站"
            )
            return geo.Commute(minutes, "metro", km, description, approximate)
        return geo.Commute(
            cycle, "cycle", km, f"距离{prefix}{km:.1f}公里，骑行约{cycle:.0f}分钟（步行约{walk:.0f}分钟）", approximate
        )

    def _access(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Nearest stations (STATION_SEARCH) and walk-in minutes for each point; inf beyond ACCESS_KM.

        Posting locations repeat across queries, so results are cached per point: the hot path then
        costs a dictionary look-up per candidate instead of a distance to every station.
        """
        rows = self.__dict__.setdefault("_access_rows", {})
        keys = list(map(tuple, points.tolist()))
        missing = [n for n, key in enumerate(keys) if key not in rows]
        if missing:
            net = self.network
            sub = points[missing]
            factor = geo.DETOUR_FACTOR * 60.0
            lat1 = np.radians(sub[:, 0])[:, None]
            lat2 = np.radians(net.lats)[None, :]
            dlat = lat2 - lat1
            dlon = np.radians(net.lons)[None, :] - np.radians(sub[:, 1])[:, None]
            a = np.sin(dlat / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin(dlon / 2) ** 2
            station_km = 2 * geo.EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0, 1)))
            k = min(STATION_SEARCH, station_km.shape[1])
            near = np.argpartition(station_km, k - 1, axis=1)[:, :k]
            near_km = np.take_along_axis(station_km, near, axis=1)
            walk = np.where(near_km <= ACCESS_KM, near_km * factor / geo.WALK_KMH + STATION_ENTRY_MINUTES, np.inf)
            if len(rows) + len(missing) > 1_000_000:
                rows.clear()
                self._access_near, self._access_walk = np.zeros((0, k), np.int64), np.zeros((0, k))
            start = len(rows)
            self._access_near = np.concatenate([getattr(self, "_access_near", np.zeros((0, k), np.int64)), near])
            self._access_walk = np.concatenate([getattr(self, "_access_walk", np.zeros((0, k))), walk])
            for offset, n in enumerate(missing):
                rows.setdefault(keys[n], start + offset)
        index = np.fromiter((rows[key] for key in keys), dtype=np.int64, count=len(keys))
        return self._access_near[index], self._access_walk[index]

    def estimate_many(self, origin: tuple[float, float], dests: np.ndarray) -> tuple[np.ndarray, list[str]]:
        """Minutes and modes ('walk' | 'cycle' | 'metro' | 'unknown') from one origin to many (lat, lon) rows.

        Same choice rule as `estimate`; rows with a missing coordinate give NaN and 'unknown'.
        """
        dests = np.asarray(dests, dtype=float).reshape(-1, 2)
        km = geo.haversine_km_many(origin[0], origin[1], dests[:, 0], dests[:, 1])
        factor = geo.DETOUR_FACTOR * 60.0
        walk = km * factor / geo.WALK_KMH
        cycle = km * factor / geo.CYCLE_KMH
        metro = np.full(len(dests), np.inf)

        o_idx, o_walk = self._nearby(*origin)
        valid = ~np.isnan(km)
        if len(o_idx) and valid.any():
            net = self.network
            near, d_walk = self._access(dests[valid])
            ride = net.minutes[o_idx][:, near]  # (n_origin_stations, n_valid, k)
            ride = np.where(ride == 0, np.inf, ride)
            total = o_walk[:, None, None] + WAIT_MINUTES + ride + d_walk[None, :, :]
            metro[valid] = total.min(axis=(0, 2))

        walk_first = (walk <= geo.CIRCLE_MINUTES) | (walk <= cycle * 1.5)
        minutes = np.where(walk_first, walk, np.minimum(cycle, metro))
        modes = np.where(walk_first, "walk", np.where(metro < cycle, "metro", "cycle")).astype(object)
        minutes[~valid] = np.nan
        modes[~valid] = "unknown"
        return minutes, modes.tolist()
