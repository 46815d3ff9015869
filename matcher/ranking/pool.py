"""The candidates of one match before ranking: every posting the three channels found, as arrays.

`pipeline.job_candidates` fills a `Pool` (vector hits best first, then the lexical index's own finds,
then the postings near the seeker) and `columnar.candidates` reads it; no per-candidate dict between
them. `as_arrays` also takes the older pair of maps (id -> cosine, id -> BM25), for callers that
still build those.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Pool:
    """Posting ids with their cosine to the query and, with a lexical query, their BM25 score."""

    ids: np.ndarray  # int64, distinct
    cosines: np.ndarray  # float64, one per id
    lexical: np.ndarray | None = None  # float64 BM25 per id; None: no lexical query (neutral)
    ideal: float | None = None  # the query's ideal BM25 (`LexicalIndex.ideal_terms`); None without one

    def __len__(self) -> int:
        return len(self.ids)

    def as_maps(self) -> tuple[dict[int, float], dict[int, float] | None]:
        """(id -> cosine, id -> BM25 or None): the pool as the pair of maps it replaced."""
        ids = self.ids.tolist()
        found = dict(zip(ids, self.cosines.tolist()))
        return found, None if self.lexical is None else dict(zip(ids, self.lexical.tolist()))


def as_arrays(found, bm25=None) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """(ids, cosines, BM25 or None) of a `Pool`, or of the maps id -> cosine and id -> BM25 (an id the
    BM25 map lacks scores 0)."""
    if isinstance(found, Pool):
        return found.ids, found.cosines, found.lexical
    ids = np.fromiter(found.keys(), np.int64, len(found))
    cosines = np.fromiter(found.values(), np.float64, len(found))
    lexical = None
    if bm25 is not None:
        lexical = np.fromiter((bm25.get(i, 0.0) for i in ids.tolist()), np.float64, len(ids))
    return ids, cosines, lexical
