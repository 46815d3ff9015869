"""Nearest-neighbour search over L2-normalised vectors keyed by database ids.

Two implementations share one contract (`VectorIndex`): `ExactIndex` (numpy, the reference) and
`FaissIndex` (any FAISS factory string, inner-product metric, wrapped in an id map). On disk:
`matcher.search.persist`.
"""
from __future__ import annotations

import math
import threading
from typing import Protocol

import faiss
import numpy as np

from matcher.search.arrays import ExactIndex, LabelMap, _as_ids, _as_vectors, half_dot, widen_half  # noqa: F401 (re-exported)

COMPACT_ABOVE = 0.2  # tombstone share at which an index that cannot delete is compacted


class VectorIndex(Protocol):
    dim: int

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None: ...

    def remove(self, ids: np.ndarray) -> None: ...

    def search(self, queries: np.ndarray, k: int, *, subset: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Top-k (scores, ids) per query row, best first; missing slots have id -1.
        `subset` restricts the search to those ids."""
        ...

    def vectors(self, ids: np.ndarray) -> np.ndarray: ...

    def __len__(self) -> int: ...


_SEARCH_THREADS = threading.local()


def single_threaded() -> None:
    """One OpenMP thread for this thread's FAISS calls (set once per thread). OpenMP's thread count
    is per calling thread: `Components.build` sets one for the main thread, but a web server's worker
    threads start with one per core, and the idle OpenMP thread's spin-wait took a core from the
    request next to it (a 300-posting match: 6 ms in the main thread, 15 ms in a worker thread)."""
    if not getattr(_SEARCH_THREADS, "single", False):
        faiss.omp_set_num_threads(1)
        _SEARCH_THREADS.single = True


RERANK = "+rerank"  # factory suffix: compressed codes searched, the top RERANK_DEPTH re-scored exactly
RERANK_DEPTH = 100  # candidates re-scored per query: the candidate pool (index_sweep: 300 finds no more at 1M)


def split_factory(factory: str) -> tuple[str, bool]:
    """(FAISS factory string, whether a float16 re-rank store comes with it)."""
    if factory.endswith(RERANK):
        return factory[:-len(RERANK)], True
    return factory, False


class FaissIndex:
    """A FAISS index from a factory string (`Flat`, `HNSW32`, `IVF1024,SQ8`...), keyed by db ids.

    FAISS holds *labels* (one per vector ever added), and `_label_ids` maps each label back to its
    database id (-1 once superseded). Indexes that can delete (Flat, IVF) drop the vector; those that
    cannot (HNSW) keep it as a tombstone that every search filters out with an `IDSelector`, so an
    updated posting is never found under its old text. When tombstones pass `COMPACT_ABOVE` of the
    index, the live vectors are copied into a fresh index.

    A factory ending in `+rerank` (`IVF4096,SQ8+rerank`) keeps one float16 copy of every vector, row =
    label (`store`, memory-mapped from `vectors.npy` when the index is): FAISS searches its compressed
    codes for the top `RERANK_DEPTH`, which are re-scored exactly against that copy. It is also the copy
    `vectors()` reads, so the process holds the vectors once, in float16 (1 KB at 512-d).
    """

    def __init__(self, dim: int, factory: str = "Flat", *, ef_search: int = 96, nprobe: int = 16, index=None,
                 label_ids: np.ndarray | None = None, read_only: bool = False, store: np.ndarray | None = None,
                 rerank_depth: int = RERANK_DEPTH):
        self.dim = dim
        # A memory-mapped index (`load_index(..., mmap=True)`): FAISS aborts the process on any write
        # to a mapped vector, so removals are tombstones only and nothing is ever added.
        self.read_only = read_only
        self.factory = factory
        faiss_factory, self.rerank = split_factory(factory)
        self.rerank_depth = rerank_depth
        self.ef_search = ef_search
        self.nprobe = nprobe
        self._index = index if index is not None else self._new(dim, faiss_factory)
        self._label_ids = np.zeros(0, np.int64) if label_ids is None else _as_ids(label_ids).copy()
        self._label_of = LabelMap(self._label_ids)
        if self.rerank:
            if store is None:
                store = np.zeros((0, dim), np.float16)
            if len(store) < len(self._label_ids):
                raise ValueError("re-rank store shorter than the label map")
        self._store = store  # float16 rows by label (capacity may exceed the labels in use)
        self._selector = None  # cached "not a tombstone" selector (and what it wraps, kept alive)
        self._configure()

    @staticmethod
    def _new(dim: int, factory: str):
        base = faiss.index_factory(dim, factory, faiss.METRIC_INNER_PRODUCT)
        ivf = faiss.try_extract_index_ivf(base)
        if ivf is not None and ivf is not False:
            # IVF keeps labels in its own lists and renumbers nothing on removal: no id map on top
            # (an IDMap would shift its positions and point at the wrong vectors); a hashtable
            # direct map lets it reconstruct and remove by label.
            ivf.set_direct_map_type(faiss.DirectMap.Hashtable)
            ivf.cp.niter = TRAIN_ROUNDS
            return base
        return faiss.IndexIDMap2(base)

    def _inner(self):
        """The index doing the search (under the id map, when there is one)."""
        if isinstance(self._index, (faiss.IndexIDMap, faiss.IndexIDMap2)):
            return faiss.downcast_index(self._index.index)
        return faiss.downcast_index(self._index)

    def _configure(self) -> None:
        inner = self._inner()
        if isinstance(inner, faiss.IndexHNSW):
            inner.hnsw.efSearch = self.ef_search
            if inner.ntotal == 0:
                inner.hnsw.efConstruction = 80
        if isinstance(inner, faiss.IndexIVF):
            inner.nprobe = self.nprobe

    @property
    def supports_remove(self) -> bool:
        return not self.read_only and not isinstance(self._inner(), faiss.IndexHNSW)

    @property
    def dead(self) -> int:
        """Tombstones: superseded vectors still inside FAISS (only for indexes that cannot delete)."""
        return int(self._index.ntotal) - len(self._label_of)

    @property
    def dead_fraction(self) -> float:
        return self.dead / max(1, int(self._index.ntotal))

    @property
    def label_ids(self) -> np.ndarray:
        return self._label_ids

    @property
    def store(self) -> np.ndarray | None:
        """The float16 re-rank store, one row per label (None without `+rerank`)."""
        return None if self._store is None else self._store[:len(self._label_ids)]

    def reserve(self, n: int) -> None:
        """Room for n more vectors in the re-rank store (a rebuild knows its row count: no regrowth)."""
        if self.rerank and len(self._store) < len(self._label_ids) + n:
            grown = np.zeros((len(self._label_ids) + n, self.dim), np.float16)
            grown[:len(self._label_ids)] = self._store[:len(self._label_ids)]
            self._store = grown

    def train(self, sample: np.ndarray) -> None:
        if not self._index.is_trained:
            self._index.train(_as_vectors(sample, self.dim))

    def add(self, ids, vectors) -> None:
        ids, vectors = _as_ids(ids), _as_vectors(vectors, self.dim)
        if len(ids) == 0:
            return
        if len(ids) != len(vectors):
            raise ValueError("ids 与向量数量不一致")
        if ids.min() < 0:
            raise ValueError("ids 应为非负整数（数据库编号）")
        if self.read_only:
            raise RuntimeError("memory-mapped index is read-only: add to its delta (MappedIndex)")
        if not self._index.is_trained:
            raise RuntimeError("IVF 类索引需先用样本训练（train）再加入向量")
        # The last of repeated ids wins, as if added one by one.
        _, last = np.unique(ids[::-1], return_index=True)
        keep = np.sort(len(ids) - 1 - last)
        ids, vectors = ids[keep], vectors[keep]
        self.remove(ids, compact=False)
        first = len(self._label_ids)
        labels = np.arange(first, first + len(ids), dtype=np.int64)
        if self.rerank:
            if len(self._store) < first + len(ids):  # grow by half again, so appends stay amortised
                grown = np.zeros((max(first + len(ids), len(self._store) * 3 // 2), self.dim), np.float16)
                grown[:first] = self._store[:first]
                self._store = grown
            self._store[first:first + len(ids)] = vectors
        self._index.add_with_ids(vectors, labels)
        self._label_ids = np.concatenate([self._label_ids, ids])
        self._label_of.set(ids, labels)

    def remove(self, ids, *, compact: bool = True) -> None:
        labels = self._label_of.drop(_as_ids(ids))
        if not len(labels):
            return
        self._label_ids[labels] = -1
        if self.supports_remove:
            # IDSelectorArray: the only kind an IVF hashtable direct map can remove by.
            self._index.remove_ids(faiss.IDSelectorArray(len(labels), faiss.swig_ptr(labels)))
        else:
            self._selector = None
            if compact and not self.read_only and self.dead_fraction > COMPACT_ABOVE:
                self.compact()

    def compact(self) -> None:
        """Copy the live vectors into a fresh index (drops every tombstone)."""
        live = np.flatnonzero(self._label_ids >= 0)
        ids, vectors = self._label_ids[live], self._reconstruct(live)
        fresh = FaissIndex(self.dim, self.factory, ef_search=self.ef_search, nprobe=self.nprobe,
                           rerank_depth=self.rerank_depth)
        if not fresh.raw.is_trained:
            fresh.train(_training_sample(fresh, vectors))
        fresh.add(ids, vectors)
        self._index, self._label_ids, self._store = fresh.raw, fresh.label_ids, fresh._store
        self._label_of = LabelMap(self._label_ids)
        self._selector = None
        self._configure()

    def _reconstruct(self, labels: np.ndarray) -> np.ndarray:
        if not len(labels):
            return np.zeros((0, self.dim), np.float32)
        if self.rerank:
            return self._store[_as_ids(labels)].astype(np.float32)
        return self._index.reconstruct_batch(_as_ids(labels))

    def _search_selector(self, subset):
        if subset is not None:
            labels = self._label_of.get(_as_ids(subset))
            return faiss.IDSelectorBatch(np.ascontiguousarray(labels[labels >= 0])), None
        if self.dead == 0:
            return None, None
        if self._selector is None:
            inner = faiss.IDSelectorBatch(np.flatnonzero(self._label_ids < 0).astype(np.int64))
            self._selector = (faiss.IDSelectorNot(inner), inner)
        return self._selector

    def search(self, queries, k, *, subset=None):
        single_threaded()
        queries = _as_vectors(queries, self.dim)
        if not len(self._label_of) or (subset is not None and len(_as_ids(subset)) == 0):
            return np.full((len(queries), k), -np.inf, dtype=np.float32), np.full((len(queries), k), -1, dtype=np.int64)
        depth = max(k, self.rerank_depth) if self.rerank else k
        selector, _keep_alive = self._search_selector(subset)
        params = None
        if selector is not None:
            inner = self._inner()
            if isinstance(inner, faiss.IndexHNSW):
                params = faiss.SearchParametersHNSW(sel=selector, efSearch=max(self.ef_search, depth))
            elif isinstance(inner, faiss.IndexIVF):
                params = faiss.SearchParametersIVF(sel=selector, nprobe=self.nprobe)
            else:
                params = faiss.SearchParameters(sel=selector)
        scores, labels = self._index.search(queries, depth, params=params)
        if self.rerank:
            scores, labels = self._rescore(queries, labels, k)
        ids = np.where(labels >= 0, self._label_ids[np.maximum(labels, 0)], -1)
        scores = np.where(ids >= 0, scores, -np.inf).astype(np.float32)
        return scores, ids

    def _rescore(self, queries: np.ndarray, labels: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """The top k of each row of `labels` by exact inner product with the float16 store."""
        out_scores = np.full((len(queries), k), -np.inf, np.float32)
        out_labels = np.full((len(queries), k), -1, np.int64)
        for row, (query, found) in enumerate(zip(queries, labels)):
            found = found[found >= 0]
            if not len(found):
                continue
            exact = half_dot(self._store, found, query)  # (bit for bit `.astype(np.float32) @ query`, faster)
            top = np.argsort(-exact, kind="stable")[:k]
            out_scores[row, :len(top)], out_labels[row, :len(top)] = exact[top], found[top]
        return out_scores, out_labels

    def holds(self, ids) -> np.ndarray:
        """Per id, whether this index holds a live vector for it (one array lookup for any number)."""
        return self._label_of.get(_as_ids(ids)) >= 0

    def vectors(self, ids) -> np.ndarray:
        ids = _as_ids(ids)
        labels = self._label_of.get(ids)
        if (labels < 0).any():
            raise KeyError(int(ids[np.flatnonzero(labels < 0)[0]]))
        if self.rerank and len(labels):
            return widen_half(self._store[labels])
        return self._reconstruct(labels)

    def cosines(self, ids, query: np.ndarray) -> np.ndarray:
        """`vectors(ids) @ query` (float32), bit for bit, without materialising the vectors when they
        are read from the float16 store (`half_dot`)."""
        ids = _as_ids(ids)
        labels = self._label_of.get(ids)
        if (labels < 0).any():
            raise KeyError(int(ids[np.flatnonzero(labels < 0)[0]]))
        if self.rerank and len(labels):
            return half_dot(self._store, labels, np.asarray(query, np.float32))
        return self._reconstruct(labels) @ np.asarray(query, np.float32)

    def __contains__(self, item: int) -> bool:
        return int(item) in self._label_of

    def __len__(self) -> int:
        return len(self._label_of)

    @property
    def raw(self):
        return self._index


TRAIN_PER_LIST = 64  # training vectors per IVF list (see `_training_sample`)
TRAIN_ROUNDS = 10  # k-means rounds for the coarse quantiser (FAISS's default for IVF)


def resolve_factory(factory: str, n: int, exact_below: int) -> str:
    """`auto`: exact search for small collections, else IVF over 8-bit codes with an exact re-rank.

    From `benchmarks.index_sweep` on the benchmark's collection (real posting vectors with noisy
    copies, real seeker queries; figures in the README): with about sqrt(N) lists and nprobe 16,
    `IVF,SQ8+rerank` finds recall@10 0.99-1.0 of the exact top 10 at 100k and 1M in under 2 ms on one
    thread, at 1.5 KB a vector (0.5 KB of codes searched, a 1 KB float16 copy re-scored), where HNSW32
    (efSearch 64-256) stays at 0.83-0.89 at 100k and IVF with 4*sqrt(N) lists needs nprobe 64. The
    list count is rounded to a power of two so modest growth does not change the factory.
    """
    if factory != "auto":
        return factory
    if n < exact_below:
        return "Flat"
    nlist = max(16, 2 ** round(math.log2(math.sqrt(n))))
    return f"IVF{nlist},SQ8{RERANK}"


def build_index(dim: int, factory: str, ids: np.ndarray, vectors: np.ndarray, *, ef_search: int = 96) -> FaissIndex:
    index = FaissIndex(dim, factory, ef_search=ef_search)
    if not index.raw.is_trained:
        index.train(_training_sample(index, vectors))
    index.add(ids, vectors)
    return index


def training_size(index: FaissIndex, n: int) -> int:
    """How many of n vectors train `index`: TRAIN_PER_LIST per IVF list, at most n (1 for other kinds)."""
    ivf = faiss.try_extract_index_ivf(index.raw)
    need = int(ivf.nlist) if ivf is not None and ivf is not False else 1
    return min(n, TRAIN_PER_LIST * need) if need > 1 else n


def _training_sample(index: FaissIndex, vectors: np.ndarray) -> np.ndarray:
    """A seeded sample of the vectors (`training_size`), padded with seeded random unit vectors up to what
    the coarse quantiser needs (an explicitly chosen IVF over a nearly empty table; `auto` only picks
    IVF for large ones)."""
    ivf = faiss.try_extract_index_ivf(index.raw)
    need = int(ivf.nlist) if ivf is not None and ivf is not False else 1
    vectors = np.asarray(vectors, np.float32).reshape(-1, index.dim)
    size = training_size(index, len(vectors))
    if size < len(vectors):
        # k-means on every vector of a million-row table takes tens of minutes on 2 cores; a seeded
        # sample of TRAIN_PER_LIST per list is above FAISS's own floor (39 per centroid).
        pick = np.sort(np.random.default_rng(0).choice(len(vectors), size, replace=False))
        return vectors[pick]
    if len(vectors) >= need:
        return vectors
    filler = np.random.default_rng(0).normal(size=(need - len(vectors), index.dim)).astype(np.float32)
    filler /= np.linalg.norm(filler, axis=1, keepdims=True)
    return np.vstack([vectors, filler])
