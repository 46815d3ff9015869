"""Nearest-neighbour search over L2-normalised vectors keyed by database ids.

Two implementations share one contract (`VectorIndex`): `ExactIndex` (numpy, the reference) and
`FaissIndex` (any FAISS factory string, inner-product metric, wrapped in an id map). Persistence
is one directory per index: `index.faiss`, `manifest.json`; written to a temporary directory,
fsynced, then swapped in with `os.replace`, so a reader never sees a half-written index.
"""
from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Protocol

import faiss
import numpy as np

INDEX_FILE = "index.faiss"
MANIFEST_FILE = "manifest.json"
FORMAT_VERSION = 1


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


def _as_ids(ids) -> np.ndarray:
    return np.ascontiguousarray(np.asarray(ids, dtype=np.int64).reshape(-1))


def _as_vectors(vectors, dim: int) -> np.ndarray:
    vectors = np.ascontiguousarray(np.asarray(vectors, dtype=np.float32))
    if vectors.ndim != 2 or vectors.shape[1] != dim:
        raise ValueError(f"向量维度应为 {dim}，实际为 {vectors.shape}")
    return vectors


class ExactIndex:
    """Brute-force inner product in numpy: the reference every other index is checked against."""

    def __init__(self, dim: int):
        self.dim = dim
        self._ids = np.zeros(0, dtype=np.int64)
        self._vectors = np.zeros((0, dim), dtype=np.float32)

    def add(self, ids, vectors) -> None:
        ids, vectors = _as_ids(ids), _as_vectors(vectors, self.dim)
        self.remove(ids)
        self._ids = np.concatenate([self._ids, ids])
        self._vectors = np.vstack([self._vectors, vectors])

    def remove(self, ids) -> None:
        keep = ~np.isin(self._ids, _as_ids(ids))
        self._ids, self._vectors = self._ids[keep], self._vectors[keep]

    def search(self, queries, k, *, subset=None):
        queries = _as_vectors(queries, self.dim)
        ids, vectors = self._ids, self._vectors
        if subset is not None:
            mask = np.isin(ids, _as_ids(subset))
            ids, vectors = ids[mask], vectors[mask]
        scores = queries @ vectors.T
        k_eff = min(k, len(ids))
        out_scores = np.full((len(queries), k), -np.inf, dtype=np.float32)
        out_ids = np.full((len(queries), k), -1, dtype=np.int64)
        if k_eff:
            order = np.argsort(-scores, axis=1, kind="stable")[:, :k_eff]
            out_scores[:, :k_eff] = np.take_along_axis(scores, order, axis=1)
            out_ids[:, :k_eff] = ids[order]
        return out_scores, out_ids

    def vectors(self, ids) -> np.ndarray:
        position = {int(i): n for n, i in enumerate(self._ids)}
        return self._vectors[[position[int(i)] for i in _as_ids(ids)]]

    def __len__(self) -> int:
        return len(self._ids)


class FaissIndex:
    """A FAISS index from a factory string (`Flat`, `HNSW32`, `IVF1024,SQ8`...), keyed by db ids.

    Indexes that cannot delete (HNSW) keep superseded vectors; callers filter by the live set and
    the service rebuilds when the dead share grows (see `dead_fraction`).
    """

    def __init__(self, dim: int, factory: str = "Flat", *, ef_search: int = 96, nprobe: int = 16, index=None):
        self.dim = dim
        self.factory = factory
        self.ef_search = ef_search
        self.nprobe = nprobe
        self._index = index if index is not None else faiss.IndexIDMap2(
            faiss.index_factory(dim, factory, faiss.METRIC_INNER_PRODUCT)
        )
        self._dead = 0
        self._configure()

    def _configure(self) -> None:
        inner = faiss.downcast_index(self._index.index)
        if isinstance(inner, faiss.IndexHNSW):
            inner.hnsw.efSearch = self.ef_search
            if inner.ntotal == 0:
                inner.hnsw.efConstruction = 80
        if isinstance(inner, faiss.IndexIVF):
            inner.nprobe = self.nprobe

    @property
    def supports_remove(self) -> bool:
        return not isinstance(faiss.downcast_index(self._index.index), faiss.IndexHNSW)

    @property
    def dead_fraction(self) -> float:
        return self._dead / max(1, self._index.ntotal)

    def train(self, sample: np.ndarray) -> None:
        if not self._index.is_trained:
            self._index.train(_as_vectors(sample, self.dim))

    def add(self, ids, vectors) -> None:
        ids, vectors = _as_ids(ids), _as_vectors(vectors, self.dim)
        if len(ids) == 0:
            return
        if not self._index.is_trained:
            raise RuntimeError("IVF 类索引需先用样本训练（train）再加入向量")
        self.remove(ids)
        self._index.add_with_ids(vectors, ids)

    def remove(self, ids) -> None:
        ids = _as_ids(ids)
        if len(ids) == 0 or self._index.ntotal == 0:
            return
        if self.supports_remove:
            self._index.remove_ids(faiss.IDSelectorBatch(ids))
        else:
            self._dead += len(ids)

    def search(self, queries, k, *, subset=None):
        queries = _as_vectors(queries, self.dim)
        if self._index.ntotal == 0:
            return (np.full((len(queries), k), -np.inf, dtype=np.float32), np.full((len(queries), k), -1, dtype=np.int64))
        params = None
        if subset is not None:
            selector = faiss.IDSelectorBatch(_as_ids(subset))
            inner = faiss.downcast_index(self._index.index)
            if isinstance(inner, faiss.IndexHNSW):
                params = faiss.SearchParametersHNSW(sel=selector, efSearch=max(self.ef_search, k))
            elif isinstance(inner, faiss.IndexIVF):
                params = faiss.SearchParametersIVF(sel=selector, nprobe=self.nprobe)
            else:
                params = faiss.SearchParameters(sel=selector)
        scores, ids = self._index.search(queries, k, params=params)
        return scores, ids

    def vectors(self, ids) -> np.ndarray:
        ids = _as_ids(ids)
        return self._index.reconstruct_batch(ids) if len(ids) else np.zeros((0, self.dim), np.float32)

    def __len__(self) -> int:
        return int(self._index.ntotal)

    @property
    def raw(self):
        return self._index


IVF_ABOVE = 500_000


def resolve_factory(factory: str, n: int, exact_below: int) -> str:
    """`auto`: exact search for small collections, HNSW32 for large ones, and IVF for the largest.

    The choice follows `benchmarks.ann_bench` on embedding-like vectors: at 1M, HNSW32 (efConstruction
    80) loses recall while IVF with ~4*sqrt(N) lists and nprobe 16 keeps recall@10 near 0.97 at about
    1 ms. The list count is rounded to a power of two so modest growth does not change the factory.
    """
    if factory != "auto":
        return factory
    if n < exact_below:
        return "Flat"
    if n < IVF_ABOVE:
        return "HNSW32"
    nlist = 2 ** round(math.log2(4 * math.sqrt(n)))
    return f"IVF{nlist},Flat"


def build_index(dim: int, factory: str, ids: np.ndarray, vectors: np.ndarray, *, ef_search: int = 96) -> FaissIndex:
    index = FaissIndex(dim, factory, ef_search=ef_search)
    if not index.raw.is_trained:
        index.train(vectors if len(vectors) else np.zeros((1, dim), np.float32))
    index.add(ids, vectors)
    return index


@dataclass(frozen=True)
class Manifest:
    """What an index on disk was built from; a mismatch means rebuild from the database."""

    model: str
    dim: int
    factory: str
    data_version: int
    count: int
    format: int = FORMAT_VERSION


class IndexUnusable(RuntimeError):
    """The stored index is missing, corrupt or does not match the expected manifest."""


def save_index(directory: Path, index: FaissIndex, manifest: Manifest) -> None:
    directory = Path(directory)
    directory.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".tmp-index-", dir=directory.parent))
    try:
        faiss.write_index(index.raw, str(tmp / INDEX_FILE))
        (tmp / MANIFEST_FILE).write_text(json.dumps(asdict(manifest), ensure_ascii=False, indent=2))
        for name in (INDEX_FILE, MANIFEST_FILE):
            with open(tmp / name, "rb") as handle:
                os.fsync(handle.fileno())
        old = directory.with_name(directory.name + ".old")
        if directory.exists():
            shutil.rmtree(old, ignore_errors=True)
            os.replace(directory, old)
        os.replace(tmp, directory)
        shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def load_index(directory: Path, *, model: str, dim: int, factory: str, ef_search: int = 96) -> tuple[FaissIndex, Manifest]:
    """Load a persisted index, refusing one built with another model, width or factory."""
    directory = Path(directory)
    try:
        raw_manifest = json.loads((directory / MANIFEST_FILE).read_text())
        manifest = Manifest(**raw_manifest)
    except FileNotFoundError as exc:
        raise IndexUnusable("索引不存在") from exc
    except (ValueError, TypeError) as exc:
        raise IndexUnusable(f"索引清单损坏：{exc}") from exc
    expected = (model, dim, factory, FORMAT_VERSION)
    found = (manifest.model, manifest.dim, manifest.factory, manifest.format)
    if found != expected:
        raise IndexUnusable(f"索引与当前配置不符：{found} != {expected}")
    try:
        raw = faiss.read_index(str(directory / INDEX_FILE))
    except Exception as exc:  # faiss raises RuntimeError with C++ text for any corruption
        raise IndexUnusable(f"索引文件损坏：{exc}") from exc
    if raw.d != dim or raw.ntotal != manifest.count:
        raise IndexUnusable("索引文件与清单不一致")
    return FaissIndex(dim, factory, ef_search=ef_search, index=raw), manifest
