"""Travel from one origin to many rows at once: the station access of every posting, cached by id, and
the minutes ranking reads (`StationAccess.minutes_many`), for `matcher.geo.commute.MetroCommute`.

The many-row figures equal the one-pair ones of `MetroCommute.estimate` (tests hold them together): the
same walk, cycle, bus and metro sums, with the origin's side of the metro sum folded first and cached
per origin (`_boarding`; rounding is monotone, so min_o(x_o) + d == min_o(x_o + d) exactly).
"""
from __future__ import annotations

import math
import threading

import numpy as np

from matcher.geo import geo

C = geo.CONSTANTS
STATION_SEARCH = int(C["STATION_SEARCH"].value)
ACCESS_KM = C["ACCESS_KM"].value
WAIT_MINUTES = C["WAIT_MINUTES"].value
STATION_ENTRY_MINUTES = C["STATION_ENTRY_MINUTES"].value
NEARBY_CACHE = 100_000  # points whose nearest stations are kept (cleared when full)
# `_nearest_stations`: stations whose flat-earth distance is within FLAT_MARGIN (squared: 1.1 ** 2) of the
# k-th nearest one's are measured properly; beyond FLAT_LIMIT (squared radians: ~0.35 degrees, ~40 km)
# the flat distance is not trusted and every station is measured.
FLAT_MARGIN = 1.21
FLAT_LIMIT = math.radians(0.35) ** 2
KEYED_LIMIT = 50_000_000  # ids above this use the point-keyed cache (the id-indexed arrays would be too large)


class StationAccess:
    """The station caches and many-row travel of `MetroCommute` (which supplies `network`, `modes` and
    `_nearby`, the origin's nearest stations)."""

    # The station-access caches grow by replacing arrays; server threads share one instance, so a
    # lookup and its growth happen under this lock (without it, concurrent matches read half-grown arrays).
    _cache_lock = threading.RLock()

    def _station_rows(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Nearest stations and walk-in minutes (inf beyond ACCESS_KM) for each point, computed."""
        net, k = self.network, min(STATION_SEARCH, len(self.network.names))
        lat1 = np.radians(points[:, 0])[:, None]
        lat2 = np.radians(net.lats)[None, :]
        dlon = np.radians(net.lons)[None, :] - np.radians(points[:, 1])[:, None]
        a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin(dlon / 2) ** 2
        station_km = 2 * geo.EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0, 1)))
        near = np.argpartition(station_km, k - 1, axis=1)[:, :k]
        near_km = np.take_along_axis(station_km, near, axis=1)
        walk = np.where(near_km <= ACCESS_KM,
                        near_km * geo.DETOUR_FACTOR * 60.0 / geo.WALK_KMH + STATION_ENTRY_MINUTES, np.inf)
        return near, walk

    def _access(self, points: np.ndarray, keys: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Nearest stations and walk-in minutes per point (inf beyond ACCESS_KM), cached.

        With `keys` (posting ids) the cache is a set of arrays indexed by id, checked against the
        point it was computed for (a moved posting is recomputed): a few array operations for any
        number of candidates. Without keys it is a dict keyed by the point."""
        with self._cache_lock:
            return self._access_locked(points, keys)

    def _access_locked(self, points: np.ndarray, keys: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        if keys is not None and len(keys) and 0 <= int(keys.min()) and int(keys.max()) < KEYED_LIMIT:
            return self._access_keyed(points, np.asarray(keys, np.int64))
        rows = self.__dict__.setdefault("_access_rows", {})
        keys_ = list(map(tuple, points.tolist()))
        missing = [n for n, key in enumerate(keys_) if key not in rows]
        k = min(STATION_SEARCH, len(self.network.names))
        if missing:
            near, walk = self._station_rows(points[missing])
            if len(rows) + len(missing) > 1_000_000:
                rows.clear()
                self._access_near, self._access_walk = np.zeros((0, k), np.int64), np.zeros((0, k))
            start = len(rows)
            self._access_near = np.concatenate([getattr(self, "_access_near", np.zeros((0, k), np.int64)), near])
            self._access_walk = np.concatenate([getattr(self, "_access_walk", np.zeros((0, k))), walk])
            for offset, n in enumerate(missing):
                rows.setdefault(keys_[n], start + offset)
        index = np.fromiter((rows[key] for key in keys_), dtype=np.int64, count=len(keys_))
        return self._access_near[index], self._access_walk[index]

    def _access_keyed(self, points: np.ndarray, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        k = min(STATION_SEARCH, len(self.network.names))
        size = len(getattr(self, "_keyed_points", ()))
        if int(keys.max()) >= size:
            grow = max(int(keys.max()) + 1, 2 * size, 1024) - size
            self._keyed_points = np.concatenate([getattr(self, "_keyed_points", np.zeros((0, 2))),
                                                 np.full((grow, 2), np.nan)])
            self._keyed_near = np.concatenate([getattr(self, "_keyed_near", np.zeros((0, k), np.int32)),
                                               np.zeros((grow, k), np.int32)])
            self._keyed_walk = np.concatenate([getattr(self, "_keyed_walk", np.zeros((0, k))), np.zeros((grow, k))])
        stale = np.flatnonzero(~(self._keyed_points[keys] == points).all(axis=1))
        if len(stale):
            near, walk = self._station_rows(points[stale])
            self._keyed_near[keys[stale]] = near
            self._keyed_walk[keys[stale]] = walk
            self._keyed_points[keys[stale]] = points[stale]
        return self._keyed_near[keys], self._keyed_walk[keys]

    def warm(self, keys, points, *, chunk: int = 8192) -> int:
        """Work out the station access of many rows ahead (every open posting when the service starts),
        so the first query that meets a posting does not pay for it (without this, each query's new
        candidates cost ~2 ms at 100k postings). Chunked, taking the lock per chunk so queries go on;
        rows without a point are skipped. Returns the rows computed."""
        keys = np.asarray(keys, np.int64).reshape(-1)
        points = np.asarray(points, np.float64).reshape(-1, 2)
        usable = ~np.isnan(points).any(axis=1) & (keys >= 0) & (keys < KEYED_LIMIT)
        keys, points = keys[usable], points[usable]
        for start in range(0, len(keys), chunk):
            with self._cache_lock:
                self._access_keyed(points[start:start + chunk], keys[start:start + chunk])
        return len(keys)

    def _nearest_stations(self, lat: float, lon: float) -> tuple[np.ndarray, np.ndarray]:
        """(stations, km): the first STATION_SEARCH of `np.argsort(haversine_km_many(lat, lon, all
        stations))` and their distances, the same numbers, at a third of the cost (it runs the first time
        each point is shown). A flat-earth distance, within a few per cent of the true one this close,
        picks the few stations that can be among the nearest; their great-circle distances are made by
        `haversine_km_many`'s own operations (the station side taken from the same full-array results);
        a tie among them (where argsort's order is its own) or a point far from every station is left
        to the full computation."""
        net, k = self.network, STATION_SEARCH
        flat = self.__dict__.get("_flat_stations")
        if flat is None:
            p2 = np.radians(net.lats)
            flat = self.__dict__.setdefault("_flat_stations", (p2, np.cos(p2), net.lons))
        p2, cos2, lons = flat
        if len(p2) <= k:
            return self._nearest_full(lat, lon)
        p1 = np.radians(lat)
        dy, dx = p2 - p1, np.radians(lons - lon) * math.cos(p1)
        flat_km = dy * dy + dx * dx  # (squared, in radians)
        reach = float(np.partition(flat_km, k - 1)[k - 1])
        if not reach <= FLAT_LIMIT:  # (NaN too)
            return self._nearest_full(lat, lon)
        near = np.flatnonzero(flat_km <= reach * FLAT_MARGIN + 1e-16)
        dp = p2[near] - p1
        dl = np.radians(lons[near] - lon)
        a = np.sin(dp / 2) ** 2 + np.cos(p1) * cos2[near] * np.sin(dl / 2) ** 2
        km = 2 * geo.EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
        order = np.argsort(km, kind="stable")[:k + 1]
        ranked = km[order]
        if not (ranked[1:] > ranked[:-1]).all():  # a tie: argsort's own order decides
            return self._nearest_full(lat, lon)
        return near[order[:k]], ranked[:k]

    def _nearest_full(self, lat: float, lon: float) -> tuple[np.ndarray, np.ndarray]:
        km = geo.haversine_km_many(lat, lon, self.network.lats, self.network.lons)
        nearest = np.argsort(km)[:STATION_SEARCH]
        return nearest, km[nearest]

    def _boarding(self, origin) -> np.ndarray:
        """Per station, the best minutes from `origin` to alighting there (walk in, wait, ride; a ride
        from a station to itself is no metro trip), cached per origin: `estimate_many`'s sum with the
        origin's side folded first. Rounding is monotone, so min_o(x_o) + d == min_o(x_o + d) exactly."""
        key = (float(origin[0]), float(origin[1]))
        cache = self.__dict__.setdefault("_boarding_cache", {})
        found = cache.get(key)
        if found is None:
            o_idx, o_walk = self._nearby(*origin)
            ride = self.network.minutes[o_idx]
            found = ((o_walk[:, None] + WAIT_MINUTES) + np.where(ride == 0, np.inf, ride)).min(axis=0)
            if len(cache) > NEARBY_CACHE:
                cache.clear()
            cache[key] = found
        return found

    def _access_columns(self, lat: np.ndarray, lon: np.ndarray, keys) -> tuple[np.ndarray, np.ndarray]:
        """`_access` for points given as two columns: with keys that are all cached for these very
        points (the usual case once `warm` has run), a few gathers and no (n, 2) array is made."""
        if keys is not None and len(keys):
            keys = np.asarray(keys, np.int64)
            with self._cache_lock:
                points = self.__dict__.get("_keyed_points")
                if points is not None and 0 <= keys.min() and keys.max() < len(points):
                    held = points[keys]
                    if not ((held[:, 0] != lat) | (held[:, 1] != lon)).any():
                        return self._keyed_near[keys], self._keyed_walk[keys]
        return self._access(np.column_stack([lat, lon]), keys)

    def _metro_many(self, origin, near: np.ndarray, d_walk: np.ndarray) -> np.ndarray:
        """The best metro minutes per row from the destination's nearest stations (`_access`): the
        minimum over the few stations as a chain of `np.minimum` over columns (a reduction along a short
        last axis costs ten times as much at a few hundred rows)."""
        total = self._boarding(origin)[near] + d_walk
        best = total[:, 0]
        for j in range(1, total.shape[1]):
            best = np.minimum(best, total[:, j])
        return best

    def minutes_many(self, origin, lat: np.ndarray, lon: np.ndarray, *, keys=None) -> tuple[np.ndarray, np.ndarray]:
        """(minutes, straight-line km) from one origin to many rows with this instance's modes: the
        minutes of `estimate_many`, bit for bit (a test holds them together), without the modes' names
        (ranking reads only the minutes; the shown rows get their full estimate later)."""
        modes = self.modes
        km = geo.haversine_km_many(origin[0], origin[1], lat, lon)
        scaled = km * (geo.DETOUR_FACTOR * 60.0)
        walk = scaled / geo.WALK_KMH
        wheels = scaled / geo.CYCLE_KMH if "cycle" in modes else None
        if "bus" in modes:
            bus = scaled / geo.BUS_KMH + C["BUS_WAIT_MINUTES"].value
            wheels = bus if wheels is None else np.minimum(wheels, bus)
        walk_first = walk <= geo.CIRCLE_MINUTES
        if wheels is not None:
            walk_first |= walk <= wheels * 1.5  # (walk is NaN, and the row NaN, where km is)
        best = walk.copy() if wheels is None else np.minimum(wheels, walk)
        if "metro" in modes and len(self._nearby(*origin)[0]):
            need = ~(walk_first | np.isnan(km))  # the metro can only matter here
            if need.all():
                best = np.minimum(best, self._metro_many(origin, *self._access_columns(lat, lon, keys)))
            elif need.any():
                rows = np.flatnonzero(need)
                metro = self._metro_many(origin, *self._access_columns(lat[rows], lon[rows],
                                                                        None if keys is None else keys[rows]))
                best[rows] = np.minimum(best[rows], metro)
        return np.where(walk_first, walk, best), km

