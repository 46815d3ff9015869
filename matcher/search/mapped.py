"""One index file shared by every server process: a memory-mapped base plus a small in-memory delta.

Each worker maps the saved index read-only (`load_index(..., mmap=True)`), so N workers hold one copy
of the vectors and graph in the page cache, not N. Writes made after the snapshot reach each worker
through the change feed and land in `MappedIndex`: the new vectors in a small exact (Flat) delta, the
superseded or closed ones as tombstones over the base. A compaction (the base copied into memory,
tombstones and delta applied, saved with checksums and swapped in with an atomic rename by
`save_index`) is done by one process at a time under `IndexLock`; the others see the new manifest
and map the new file.

Works for whatever index kind the manifest records (Flat, HNSW, HNSW+SQ, IVF...): the base is only
searched and reconstructed, never written.
"""
from __future__ import annotations

import fcntl
import os
import threading
from pathlib import Path

import faiss
import numpy as np

from matcher.search.index import COMPACT_ABOVE, FaissIndex, _as_ids, _as_vectors

DELTA_FACTORY = "Flat"
COMPACT_MIN = 2_000  # delta + tombstones above max(COMPACT_MIN, COMPACT_SHARE * base) trigger a compaction
COMPACT_SHARE = 0.05


class IndexLock:
    """An exclusive advisory lock (`flock`) on `<index dir>.lock`, held by one process at a time.

    Taken around "load or rebuild" at start and around a compaction, so N workers starting together
    build a missing index once and never write the same directory at the same time."""

    def __init__(self, directory: Path):
        self.path = Path(directory).with_name(Path(directory).name + ".lock")
        self._fd: int | None = None
        self._depth = 0
        self._threads = threading.RLock()  # reentrant within this process (flock is per open file)

    def acquire(self, *, blocking: bool = True) -> bool:
        if not self._threads.acquire(blocking=blocking):
            return False
        if self._depth == 0:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
            except BlockingIOError:
                os.close(fd)
                self._threads.release()
                return False
            self._fd = fd
        self._depth += 1
        return True

    def release(self) -> None:
        self._depth -= 1
        if self._depth == 0 and self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
        self._threads.release()

    def __enter__(self) -> "IndexLock":
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()


class MappedIndex:
    """The `VectorIndex` contract over a read-only mapped `FaissIndex` (`base`) and an exact delta."""

    def __init__(self, base: FaissIndex, *, data_version: int):
        if not base.read_only:
            raise ValueError("MappedIndex needs a read-only (memory-mapped) base")
        self.base = base
        self.dim, self.factory = base.dim, base.factory
        self.data_version = data_version  # the change number the mapped file was saved at
        self.delta = FaissIndex(base.dim, DELTA_FACTORY)

    # ------------------------------------------------------------------ writes (memory only)
    def add(self, ids, vectors) -> None:
        ids, vectors = _as_ids(ids), _as_vectors(vectors, self.dim)
        self.base.remove(ids, compact=False)  # tombstones: the old vector is never found again
        self.delta.add(ids, vectors)

    def remove(self, ids) -> None:
        ids = _as_ids(ids)
        self.base.remove(ids, compact=False)
        self.delta.remove(ids)

    @property
    def pending(self) -> int:
        """Changes held in memory on top of the mapped file (delta vectors plus base tombstones)."""
        return len(self.delta) + self.base.dead

    def wants_compaction(self) -> bool:
        return self.pending > max(COMPACT_MIN, COMPACT_SHARE * len(self.base))

    # ------------------------------------------------------------------ reads
    def search(self, queries, k, *, subset=None):
        queries = _as_vectors(queries, self.dim)
        base_scores, base_ids = self.base.search(queries, k, subset=subset)
        if not len(self.delta):
            return base_scores, base_ids
        delta_scores, delta_ids = self.delta.search(queries, k, subset=subset)
        scores = np.hstack([base_scores, delta_scores])
        ids = np.hstack([base_ids, delta_ids])
        order = np.argsort(-scores, axis=1, kind="stable")[:, :k]
        return np.take_along_axis(scores, order, axis=1), np.take_along_axis(ids, order, axis=1)

    def vectors(self, ids) -> np.ndarray:
        ids = _as_ids(ids)
        if not len(self.delta):  # nothing written since the file was mapped: all of them are in the base
            return self.base.vectors(ids)
        out = np.zeros((len(ids), self.dim), np.float32)
        in_delta = self.delta.holds(ids)
        if in_delta.any():
            out[in_delta] = self.delta.vectors(ids[in_delta])
        if (~in_delta).any():
            out[~in_delta] = self.base.vectors(ids[~in_delta])
        return out

    def cosines(self, ids, query: np.ndarray) -> np.ndarray:
        """`vectors(ids) @ query`, bit for bit (read from the base's float16 store while the delta is empty)."""
        if not len(self.delta):
            return self.base.cosines(ids, query)
        return self.vectors(ids) @ np.asarray(query, np.float32)

    def __contains__(self, item: int) -> bool:
        return item in self.delta or item in self.base

    def __len__(self) -> int:
        return len(self.base) + len(self.delta)  # disjoint: an id added to the delta is a base tombstone

    @property
    def raw(self):
        """The mapped FAISS index (without the delta): what a raw-search benchmark compares against."""
        return self.base.raw

    # ------------------------------------------------------------------ compaction
    def snapshot(self) -> "MappedIndex":
        """A frozen twin (same mapped base, copied tombstones and delta) to compact from while this one
        keeps serving and taking writes."""
        twin = MappedIndex.__new__(MappedIndex)
        twin.dim, twin.factory, twin.data_version = self.dim, self.factory, self.data_version
        twin.base = FaissIndex(self.dim, self.factory, ef_search=self.base.ef_search, nprobe=self.base.nprobe,
                               index=self.base.raw, label_ids=self.base.label_ids, read_only=True,
                               store=self.base.store, rerank_depth=self.base.rerank_depth)
        twin.delta = FaissIndex(self.dim, DELTA_FACTORY, index=faiss.clone_index(self.delta.raw),
                                label_ids=self.delta.label_ids)
        return twin

    def merged(self) -> FaissIndex:
        """An in-memory index holding exactly the live vectors: the base copied out of the mapping
        (FAISS's own serialisation, so every index kind copies), tombstones removed, delta added."""
        copy = faiss.deserialize_index(faiss.serialize_index(self.base.raw))
        store = None if self.base.store is None else np.array(self.base.store)  # out of the mapping, writable
        merged = FaissIndex(self.dim, self.factory, ef_search=self.base.ef_search, nprobe=self.base.nprobe,
                            index=copy, label_ids=self.base.label_ids, store=store,
                            rerank_depth=self.base.rerank_depth)
        # The copied label map already marks tombstones (-1); clear them out of FAISS too where the
        # kind can delete (Flat, IVF). HNSW keeps them, filtered at search, until they pass
        # COMPACT_ABOVE of the index, when compact() rebuilds it from the live vectors.
        dead = np.flatnonzero(merged.label_ids < 0).astype(np.int64)
        if merged.dead and merged.supports_remove:
            merged.raw.remove_ids(faiss.IDSelectorArray(len(dead), faiss.swig_ptr(dead)))
        elif merged.dead_fraction > COMPACT_ABOVE:
            merged.compact()
        if len(self.delta):
            live = np.flatnonzero(self.delta.label_ids >= 0)
            merged.add(self.delta.label_ids[live], self.delta.vectors(self.delta.label_ids[live]))
        return merged
