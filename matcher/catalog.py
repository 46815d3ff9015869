"""In-memory view of open postings for the hot path: ranking facts by id and a spatial grid.

A cache of the database like the vector index; rebuilt from it on start and kept current by the
service's change feed. Only open postings are held; expiry is checked at query time.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from matcher.scoring import Side

CELL_DEG = 0.01  # ~1.1 km north-south, ~0.95 km east-west at Shanghai's latitude


@dataclass
class PostingEntry:
    side: Side
    employer: str
    expires_ts: float | None
    accessible: bool
    employment_type: str
    salary_text: str | None
    street_code: str | None
    station_id: int | None

    def is_live(self, now: float) -> bool:
        return self.expires_ts is None or self.expires_ts > now


class PostingCatalog:
    def __init__(self):
        self._entries: dict[int, PostingEntry] = {}
        self._grid: dict[tuple[int, int], set[int]] = {}

    @staticmethod
    def _cell(lat: float, lon: float) -> tuple[int, int]:
        return (math.floor(lat / CELL_DEG), math.floor(lon / CELL_DEG))

    def upsert(self, entry: PostingEntry) -> None:
        self.remove(entry.side.id)
        self._entries[entry.side.id] = entry
        if entry.side.point:
            self._grid.setdefault(self._cell(*entry.side.point), set()).add(entry.side.id)

    def remove(self, posting_id: int) -> None:
        old = self._entries.pop(posting_id, None)
        if old and old.side.point:
            cell = self._grid.get(self._cell(*old.side.point))
            if cell:
                cell.discard(posting_id)

    def get(self, posting_id: int) -> PostingEntry | None:
        return self._entries.get(posting_id)

    def __contains__(self, posting_id: int) -> bool:
        return posting_id in self._entries

    def __len__(self) -> int:
        return len(self._entries)

    def live_ids(self) -> np.ndarray:
        now = time.time()
        return np.fromiter((i for i, e in self._entries.items() if e.is_live(now)), dtype=np.int64)

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
