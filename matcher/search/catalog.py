"""In-memory view of open postings for the hot path: ranking facts as column arrays and a spatial grid.

A cache of the database like the vector index; rebuilt from it on start and kept current by the
service's change feed. Only open postings are held; expiry is checked at query time. The facts live
in `PostingColumns` (one array per fact, addressed by slot); `get` makes a `PostingEntry` again for
the callers that want one object (results shown, /nearby).
"""
from __future__ import annotations

import math
import time

import numpy as np

from matcher.geo.geo import EARTH_RADIUS_KM, haversine_km_many
from matcher.search.columns import PostingColumns
from matcher.types import PostingEntry

CELL_DEG = 0.0025  # ~280 m north-south, ~240 m east-west at Shanghai's latitude

__all__ = ["PostingCatalog", "PostingEntry", "CELL_DEG"]


BOUND_SLACK_DEG = 1e-9  # cell edges widened by this much: a point on an edge may be floored either way


def _cell_bound_km(lat: float, lon: float, cos_lat: float, i: int, j: int) -> float:
    """A lower bound on the great-circle distance (km, as `haversine_km_many`) from (lat, lon) to any
    point of grid cell (i, j): hav(c) >= hav(dlat) + cos(lat) * cos(farthest latitude of the cell) *
    hav(dlon), with dlat and dlon the gaps to the cell's edges; shrunk a little against rounding."""
    lat0, lat1 = i * CELL_DEG - BOUND_SLACK_DEG, (i + 1) * CELL_DEG + BOUND_SLACK_DEG
    lon0, lon1 = j * CELL_DEG - BOUND_SLACK_DEG, (j + 1) * CELL_DEG + BOUND_SLACK_DEG
    dlat = math.radians(max(lat0 - lat, lat - lat1, 0.0))
    dlon = math.radians(max(lon0 - lon, lon - lon1, 0.0))
    if not dlat and not dlon:
        return 0.0
    far = math.radians(max(abs(lat0), abs(lat1)))
    h = math.sin(dlat / 2) ** 2 + cos_lat * max(math.cos(far), 0.0) * math.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, h))) * (1 - 1e-9) - 1e-9


def _ring(ci: int, cj: int, ring: int):
    """The cells at Chebyshev distance `ring` from (ci, cj), row by row (8 * ring of them, 1 for ring 0)."""
    if ring == 0:
        yield ci, cj
        return
    for j in range(cj - ring, cj + ring + 1):
        yield ci - ring, j
    for i in range(ci - ring + 1, ci + ring):
        yield i, cj - ring
        yield i, cj + ring
    for j in range(cj - ring, cj + ring + 1):
        yield ci + ring, j


SPREAD_OUT = 6  # below this many postings per distinct point measured, ranked as postings (one repeat), above as points


def _kth(km: np.ndarray, counts: np.ndarray, k: int) -> float:
    """The k-th smallest distance when each point's distance counts `counts` times (inf below k):
    among the k smallest points (each counts at least once), put in order."""
    total = int(counts.sum())
    if total < k:
        return math.inf
    if total < SPREAD_OUT * len(km):  # few postings share a point: one partition over every posting
        return float(np.partition(km if total == len(km) else np.repeat(km, counts), k - 1)[k - 1])
    if k < len(km):
        few = np.argpartition(km, k - 1)[:k]
        km, counts = km[few], counts[few]
    order = np.argsort(km, kind="stable")
    return float(km[order[int(np.searchsorted(np.cumsum(counts[order]), k))]])


def _counts(km_parts: list[np.ndarray], count_parts: list[np.ndarray | None]) -> np.ndarray:
    """The member counts of every point measured (rings without a shared point: all 1)."""
    return np.concatenate([np.ones(len(km), np.int64) if c is None else c for km, c in zip(km_parts, count_parts)])


def _members(ids: np.ndarray, first: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """The ids of the points starting at `first` with `counts` members each, point by point."""
    total = int(counts.sum())
    if not total:
        return np.zeros(0, np.int64)
    return ids[np.repeat(first - (np.cumsum(counts) - counts), counts) + np.arange(total)]


class PostingCatalog:
    def __init__(self):
        self.columns = PostingColumns()
        self._grid: dict[tuple[int, int], set[int]] = {}
        self._cell_arrays: dict[tuple[int, int], tuple[np.ndarray, ...]] = {}

    @staticmethod
    def _cell(lat: float, lon: float) -> tuple[int, int]:
        return (math.floor(lat / CELL_DEG), math.floor(lon / CELL_DEG))

    def upsert(self, entry: PostingEntry) -> None:
        self.remove(entry.side.id, keep_slot=True)
        self.columns.put(entry)
        if entry.side.point:
            cell = self._cell(*entry.side.point)
            self._grid.setdefault(cell, set()).add(entry.side.id)
            self._cell_arrays.pop(cell, None)

    def remove(self, posting_id: int, *, keep_slot: bool = False) -> None:
        """Drop a posting (`keep_slot`: from the grid only, its slot is about to be rewritten)."""
        columns = self.columns
        slot = columns.slot(posting_id)
        if slot < 0:
            return
        point = columns.point(slot)
        if point:
            key = self._cell(*point)
            cell = self._grid.get(key)
            if cell:
                cell.discard(posting_id)
            self._cell_arrays.pop(key, None)
        if not keep_slot:
            columns.drop(posting_id)

    def _arrays(self, cell: tuple[int, int]) -> tuple[np.ndarray, ...]:
        """One grid cell as arrays, cached until the cell changes: its distinct points (lat, lon rows)
        and each one's member count, and its posting ids grouped by point (each group by id) with each
        point's first member (postings at one address are measured once)."""
        cached = self._cell_arrays.get(cell)
        if cached is None:
            ids = np.fromiter(self._grid.get(cell, ()), dtype=np.int64)
            slots = self.columns.slots(ids)
            lat, lon = self.columns.lat[slots], self.columns.lon[slots]
            order = np.lexsort((ids, lon, lat))
            ids, lat, lon = ids[order], lat[order], lon[order]
            first = np.flatnonzero(np.concatenate([[True], (lat[1:] != lat[:-1]) | (lon[1:] != lon[:-1])]))
            first = first[:len(ids)]  # (an empty cell has no point)
            counts = np.diff(np.append(first, len(ids)))
            points = np.column_stack([lat[first], lon[first]]).reshape(-1, 2)
            cached = self._cell_arrays[cell] = (points, counts, ids, first)
        return cached

    def nearest(self, lat: float, lon: float, radius_km: float, limit: int) -> tuple[np.ndarray, np.ndarray]:
        """Up to `limit` posting ids within `radius_km`, nearest first (ties by id), and their distances in km.

        Searches grid rings outward from the point and stops once `limit` postings lie within the
        distance every unsearched cell is beyond, so the cost depends on local density and `limit`,
        not on the size of the catalog, and the answer equals a brute-force scan. Each distinct point
        is measured once however many postings it holds.
        """
        ci, cj = self._cell(lat, lon)
        # The query sits inside the centre cell: any cell of ring r+1 is at least r cell-widths away.
        cell_km = CELL_DEG * 111.0 * min(1.0, math.cos(math.radians(lat)))
        max_ring = int(radius_km / cell_km) + 1
        measured, km_parts, count_parts = [], [], []  # cells measured; per ring: km, counts (None: all 1)
        found = distinct = 0  # postings and distinct points measured
        grid, arrays = self._grid, self._arrays
        cos_lat = math.cos(math.radians(lat))
        for ring in range(max_ring + 1):
            cells = [cell for cell in _ring(ci, cj, ring) if cell in grid]
            if cells and 0 < limit <= found:
                # `limit` postings are measured already: a cell whose nearest corner lies beyond the
                # farthest of the best `limit` so far (or beyond the radius) cannot hold an answer, so
                # its postings are not measured (a dense centre cell spares most of the next ring).
                km = np.concatenate(km_parts)
                if found == distinct:
                    kth = float(np.partition(km, limit - 1)[limit - 1])
                else:
                    kth = _kth(km, _counts(km_parts, count_parts), limit)
                reach = min(radius_km, kth)
                cells = [cell for cell in cells if _cell_bound_km(lat, lon, cos_lat, *cell) <= reach]
            parts = [part for part in map(arrays, cells) if len(part[1])]
            if parts:  # one distance computation per ring, not per cell
                points = np.concatenate([p[0] for p in parts]) if len(parts) > 1 else parts[0][0]
                postings = sum(len(p[2]) for p in parts)
                counts = None
                if postings > len(points):
                    counts = np.concatenate([p[1] for p in parts]) if len(parts) > 1 else parts[0][1]
                measured += parts
                km_parts.append(haversine_km_many(lat, lon, points[:, 0], points[:, 1]))
                count_parts.append(counts)
                found, distinct = found + postings, distinct + len(points)
            if found >= limit and ring >= 1:
                settled = ring * cell_km
                if sum(int(np.count_nonzero(km <= settled)) if c is None else int(c[km <= settled].sum())
                       for km, c in zip(km_parts, count_parts)) >= limit:
                    break
        if not measured:
            return np.zeros(0, np.int64), np.zeros(0)
        km = np.concatenate(km_parts)
        ids = np.concatenate([p[2] for p in measured]) if len(measured) > 1 else measured[0][2]
        inside = km <= radius_km
        counts = None if found == distinct else _counts(km_parts, count_parts)
        if found < SPREAD_OUT * distinct:  # few postings share a point: every posting's distance, as is
            if counts is not None:
                inside, km = np.repeat(inside, counts), np.repeat(km, counts)
            ids, km = ids[inside], km[inside]
            if 0 < limit < len(km):
                keep = np.flatnonzero(km <= np.partition(km, limit - 1)[limit - 1])
                ids, km = ids[keep], km[keep]
            order = np.lexsort((ids, km))[:limit]
            return ids[order], km[order]
        first = np.concatenate([p[3] for p in measured]) if len(measured) > 1 else measured[0][3]
        if len(measured) > 1:  # each cell's first members, renumbered into the joined ids
            sizes = [len(p[2]) for p in measured]
            first = first + np.repeat(np.cumsum([0] + sizes[:-1]), [len(p[3]) for p in measured])
        km, first, counts = km[inside], first[inside], counts[inside]
        if 0 < limit < int(counts.sum()):
            # Only the `limit` nearest are put in order: every posting nearer than the limit-th, and of
            # those tied with it the smallest ids (one address can hold thousands of postings).
            kth = _kth(km, counts, limit)
            below, tied = km < kth, km == kth
            near = _members(ids, first[below], counts[below])
            level = _members(ids, first[tied], counts[tied])
            need = limit - len(near)
            if need < len(level):
                level = np.partition(level, need - 1)[:need]
            ids = np.concatenate([near, level])
            km = np.concatenate([np.repeat(km[below], counts[below]), np.full(len(level), kth)])
        else:
            ids, km = _members(ids, first, counts), np.repeat(km, counts)
        order = np.lexsort((ids, km))[:limit]
        return ids[order], km[order]

    def get(self, posting_id: int) -> PostingEntry | None:
        slot = self.columns.slot(posting_id)
        return None if slot < 0 else self.columns.entry_at(slot)

    def __contains__(self, posting_id: int) -> bool:
        return self.columns.slot(posting_id) >= 0

    def __len__(self) -> int:
        return self.columns.live

    def ids(self) -> list[int]:
        ids = self.columns.ids[:self.columns.size]
        return ids[ids != 0].tolist()

    def live_ids(self) -> np.ndarray:
        columns = self.columns
        ids, expires = columns.ids[:columns.size], columns.expires[:columns.size]
        return ids[(ids != 0) & (expires > time.time())]

    def near(self, lat: float, lon: float, radius_km: float) -> np.ndarray:
        """Ids of postings whose grid cell may lie within `radius_km` (a superset; callers measure)."""
        dlat = radius_km / 111.0
        dlon = radius_km / (111.0 * math.cos(math.radians(lat)))
        (i0, j0), (i1, j1) = self._cell(lat - dlat, lon - dlon), self._cell(lat + dlat, lon + dlon)
        out: list[int] = []
        for i in range(i0, i1 + 1):
            for j in range(j0, j1 + 1):
                out.extend(self._grid.get((i, j), ()))
        return np.asarray(out, dtype=np.int64)
