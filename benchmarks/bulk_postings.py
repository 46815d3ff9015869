"""Grow a posting table to 100k or 1M rows fast, as the product stores them, without the model.

Encoding a million posting texts would take days on 2 cores, so the large collections reuse the
real postings already written through the product path (`JobCircle.upsert_postings`: parsing,
extraction, occupation coding, the real model's vectors): every further row copies one of them
(text, extracted facts, codes, employer) with
- its vector plus Gaussian noise (sigma 0.02 per dimension, re-normalised), as the benchmark always did,
- its coordinates moved by a few hundred metres (exact places only), so grid cells and commute
  caches see a city's spread of points rather than a few hundred repeated ones,
- a fresh external id and change number (reserved with the product's own `Database.take_seq`).

Rows go in with one multi-row INSERT per 10,000 through SQLAlchemy Core; the index is then built by
the product (`JobCircle.rebuild_index`, whose factory `auto` picks for the size). Copies share their
template's text, so BM25 document frequencies scale with the table but the vocabulary does not grow:
a caveat for the lexical figures, stated with them.
"""
from __future__ import annotations

import numpy as np
from sqlalchemy import insert, select

from data.schema import Posting

BATCH = 10_000
NOISE = 0.02
PLACE_JITTER_DEG = 0.004  # ~400 m


def _templates(session) -> list[dict]:
    table = Posting.__table__
    rows = session.execute(select(table).where(table.c.status == "open", table.c.embedding.is_not(None))).mappings()
    return [dict(row) for row in rows]


def noisy_copies(vectors: np.ndarray, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """(template picks, vectors): `n` copies of random rows of `vectors`, each plus Gaussian noise
    (sigma `NOISE` per dimension) and re-normalised. `benchmarks.index_sweep` draws its matrix with this
    same function, so the sweep and the product benchmark search the same kind of collection."""
    picks = rng.integers(0, len(vectors), n)
    noisy = vectors[picks] + rng.normal(0, NOISE, (n, vectors.shape[1])).astype(np.float32)
    noisy /= np.linalg.norm(noisy, axis=1, keepdims=True)
    return picks, noisy


def grow_postings(db, target: int, *, seed: int = 0, progress=print) -> int:
    """Add copies of the stored open postings until the table holds `target` rows; returns rows added."""
    table = Posting.__table__
    rng = np.random.default_rng(seed)
    with db.session() as session:
        templates = _templates(session)
        present = session.scalar(select(table.c.id).order_by(table.c.id.desc()).limit(1)) or 0
        count = session.query(Posting).count()
    if not templates:
        raise RuntimeError("no open posting with a vector to copy")
    vectors = np.stack([np.frombuffer(t["embedding"], np.float32) for t in templates])
    need, added = target - count, 0
    while added < need:
        n = min(BATCH, need - added)
        picks, noisy = noisy_copies(vectors, n, rng)
        jitter = rng.normal(0, PLACE_JITTER_DEG, (n, 2))
        with db.session() as session, session.begin():
            seq = db.take_seq(session, "postings", n)
            rows = []
            for j in range(n):
                row = dict(templates[picks[j]])
                row.pop("id")
                row["external_id"] = f"bulk-{present + added + j}"
                row["embedding"] = noisy[j].tobytes()
                row["change_seq"] = seq + j
                if row["lat"] is not None and row["location_precision"] == "exact":
                    row["lat"] += float(jitter[j, 0])
                    row["lon"] += float(jitter[j, 1])
                rows.append(row)
            session.execute(insert(table), rows)
        added += n
        if progress and (added % 100_000 == 0 or added == need):
            progress(f"  ... {count + added} postings")
    return added
