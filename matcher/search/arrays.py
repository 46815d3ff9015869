"""The plain arrays under the vector indexes: id and vector coercion, the exact reference index, and the
dense id -> label map `FaissIndex` keeps."""
from __future__ import annotations

import threading

import numpy as np


def _as_ids(ids) -> np.ndarray:
    return np.ascontiguousarray(np.asarray(ids, dtype=np.int64).reshape(-1))


def _as_vectors(vectors, dim: int) -> np.ndarray:
    vectors = np.ascontiguousarray(np.asarray(vectors, dtype=np.float32))
    if vectors.ndim != 2 or vectors.shape[1] != dim:
        raise ValueError(f"向量维度应为 {dim}，实际为 {vectors.shape}")
    return vectors


# Every float16 bit pattern's float32 value (256 KB): `widen_half` reads rows through it, about twice as
# fast as numpy's float16 cast on this machine, and exact (every float16 is a float32), so the cosines
# of the candidates only the lexical or geo channel found are the same numbers.
_HALF_TO_FLOAT = np.arange(1 << 16, dtype=np.uint16).view(np.float16).astype(np.float32)


def widen_half(rows: np.ndarray) -> np.ndarray:
    """float16 rows as float32, bit for bit what `rows.astype(np.float32)` gives."""
    return np.take(_HALF_TO_FLOAT, np.asarray(rows, np.float16).view(np.uint16))


_REBIAS = np.float32(2.0 ** 112)  # float16 exponent bias 15 -> float32 bias 127
_PROBE = np.array([2.0 ** -140], np.float32)  # a float32 subnormal, where float16 subnormals land
_SCRATCH = threading.local()  # per thread: reused row buffers for `half_dot`, by width


def _scratch(n: int, dim: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    buffers = getattr(_SCRATCH, "by_dim", None)
    if buffers is None:
        buffers = _SCRATCH.by_dim = {}
    held = buffers.get(dim)
    if held is None or len(held[0]) < n:
        rows = max(n, 2 * len(held[0]) if held is not None else 512)
        held = buffers[dim] = (np.empty((rows, dim), np.uint16), np.empty((rows, dim), np.uint32),
                               np.empty((rows, dim), np.uint32))
    return held[0][:n], held[1][:n], held[2][:n]


def half_dot(store: np.ndarray, rows: np.ndarray, query: np.ndarray) -> np.ndarray:
    """`widen_half(store[rows]) @ query`, bit for bit, without a fresh array per call: the rows are
    gathered into this thread's reused buffers and widened there with integer steps (the float16
    magnitude shifted into float32's places and scaled by 2**112, exact for subnormals too, then the
    sign), and the product is the same BLAS call on the same float32 values. Fresh arrays of a few
    hundred rows cost page faults on every call (half the time of the old gather, widen and product)."""
    rows = np.asarray(rows, np.int64)
    half, bits, sign = _scratch(len(rows), store.shape[1])
    np.take(store.view(np.uint16), rows, axis=0, out=half)
    np.copyto(bits, half)
    np.bitwise_and(bits, 0x8000, out=sign)
    np.bitwise_xor(bits, sign, out=bits)
    np.left_shift(bits, 13, out=bits)
    if not len(rows) or int(bits.max()) >= 0x0F800000 or (_PROBE * _REBIAS)[0] != np.float32(2.0 ** -28):
        # an infinity or NaN, or this thread reads subnormal inputs as zero (DAZ): the table
        return widen_half(half.view(np.float16)) @ query
    wide = bits.view(np.float32)
    np.multiply(wide, _REBIAS, out=wide)
    np.left_shift(sign, 16, out=sign)
    np.bitwise_or(bits, sign, out=bits)
    return wide @ query


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

    def __contains__(self, item: int) -> bool:
        return bool(np.any(self._ids == int(item)))

    def __len__(self) -> int:
        return len(self._ids)


class LabelMap:
    """Database id -> FAISS label, as one dense int64 array indexed by id (-1: absent).

    Database ids are autoincrement integers, so the array is about as long as the table; at 1M postings
    it is 8 MB where a Python dict of the same pairs took over 100 MB."""

    def __init__(self, label_ids: np.ndarray):
        live = np.flatnonzero(label_ids >= 0)
        ids = label_ids[live]
        self._of = np.full(int(ids.max()) + 1 if len(ids) else 0, -1, np.int64)
        self._of[ids] = live
        self.count = len(live)

    def get(self, ids: np.ndarray) -> np.ndarray:
        """Labels of `ids` (-1 where absent)."""
        out = np.full(len(ids), -1, np.int64)
        inside = (ids >= 0) & (ids < len(self._of))
        out[inside] = self._of[ids[inside]]
        return out

    def set(self, ids: np.ndarray, labels: np.ndarray) -> None:
        if len(ids) and ids.max() >= len(self._of):
            grown = np.full(max(int(ids.max()) + 1, 2 * len(self._of)), -1, np.int64)
            grown[:len(self._of)] = self._of
            self._of = grown
        self.count += int(np.count_nonzero(self._of[ids] < 0))
        self._of[ids] = labels

    def drop(self, ids: np.ndarray) -> np.ndarray:
        """Forget `ids`; returns the labels they had (absent ones left out)."""
        labels = self.get(ids)
        labels = np.unique(labels[labels >= 0])
        if len(labels):
            present = ids[(ids >= 0) & (ids < len(self._of))]
            self._of[present] = -1
            self.count -= len(labels)
        return labels

    def __contains__(self, item: int) -> bool:
        return 0 <= item < len(self._of) and self._of[item] >= 0

    def __len__(self) -> int:
        return self.count
