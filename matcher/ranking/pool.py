"""The candidates of one match before ranking: every posting the three channels found, as arrays.

`pipeline.job_candidates` fills a `Pool` (vector hits best first, then the lexical index's own finds,
then the postings near the seeker) and `columnar.candidates` reads it; no per-candidate dict between
them.
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
