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


class PostingCatalog:
    def __init__(self):
        self.columns = PostingColumns()
        self._grid: dict[tuple[int, int], set[int]] = {}
        self._cell_arrays: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]] = {}

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

    def _arrays(self, cell: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
        """(ids, points) of one grid cell as arrays, cached until the cell changes."""
        cached = self._cell_arrays.get(cell)
        if cached is None:
            ids = np.fromiter(self._grid.get(cell, ()), dtype=np.int64)
            slots = self.columns.slots(ids)
            points = np.column_stack([self.columns.lat[slots], self.columns.lon[slots]]).reshape(-1, 2)
            cached = self._cell_arrays[cell] = (ids, points)
        return cached

    def nearest(self, lat: float, lon: float, radius_km: float, limit: int) -> tuple[np.ndarray, np.ndarray]:
        """Up to `limit` posting ids within `radius_km`, nearest first (ties by id), and their distances in km.

        Searches grid rings outward from the point and stops once `limit` postings lie within the
        distance every unsearched cell is beyond, so the cost depends on local density and `limit`,
        not on the size of the catalog, and the answer equals a brute-force scan.
        """
        ci, cj = self._cell(lat, lon)
        # The query sits inside the centre cell: any cell of ring r+1 is at least r cell-widths away.
        cell_km = CELL_DEG * 111.0 * min(1.0, math.cos(math.radians(lat)))
        max_ring = int(radius_km / cell_km) + 1
        ids_parts, km_parts, found = [], [], 0
        grid, arrays = self._grid, self._arrays
        cos_lat = math.cos(math.radians(lat))
        for ring in range(max_ring + 1):
            cells = [cell for cell in _ring(ci, cj, ring) if cell in grid]
            if cells and 0 < limit <= found:
                # `limit` postings are measured already: a cell whose nearest corner lies beyond the
                # farthest of the best `limit` so far (or beyond the radius) cannot hold an answer, so
                # its postings are not measured (a dense centre cell spares most of the next ring).
                reach = min(radius_km, float(np.partition(np.concatenate(km_parts), limit - 1)[limit - 1]))
                cells = [cell for cell in cells if _cell_bound_km(lat, lon, cos_lat, *cell) <= reach]
            parts = [part for part in map(arrays, cells) if len(part[0])]
            if parts:  # one distance computation per ring, not per cell
                ids = np.concatenate([p[0] for p in parts]) if len(parts) > 1 else parts[0][0]
                points = np.concatenate([p[1] for p in parts]) if len(parts) > 1 else parts[0][1]
                ids_parts.append(ids)
                km_parts.append(haversine_km_many(lat, lon, points[:, 0], points[:, 1]))
                found += len(ids)
            if found >= limit and ring >= 1:
                settled = ring * cell_km
                if sum(int(np.count_nonzero(km <= settled)) for km in km_parts) >= limit:
                    break
        if not ids_parts:
            return np.zeros(0, np.int64), np.zeros(0)
        ids, km = np.concatenate(ids_parts), np.concatenate(km_parts)
        inside = km <= radius_km
        ids, km = ids[inside], km[inside]
        if 0 < limit < len(km):
            # Only the `limit` nearest (and any tied with the last of them) are put in order: a dense
            # centre cell holds thousands of postings, and sorting them all cost more than the search.
            keep = np.flatnonzero(km <= np.partition(km, limit - 1)[limit - 1])
            ids, km = ids[keep], km[keep]
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
