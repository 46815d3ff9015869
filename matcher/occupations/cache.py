"""On-disk state for the occupation coder, so a command line call starts in seconds.

- `LazyEncoder`: names the model at once but loads it (and sentence-transformers, ~4 s) only when a
  title actually needs encoding.
- `save_state` / `load_state`: the fitted arrays (name/alias/definition embeddings, the TF-IDF
  vocabulary, idf and matrices) in one `.npz`, keyed by a digest of everything they were built
  from. A stale or unreadable file is ignored and rebuilt, never trusted.
- `QueryCache`: title text -> query embedding, kept in an `.npz` beside the state and saved after a
  batch that added to it, so coding the same titles again needs no model at all.

Files are written to a temporary name and renamed, so a crash never leaves half a file behind.
"""
from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
from scipy import sparse

STATE_VERSION = "occupation-state-2"  # bump when the arrays or the way they are built change
QUERY_CACHE_LIMIT = 20_000  # titles kept (about 40 MB at 512 dims); the oldest are dropped beyond this


class LazyEncoder:
    """An encoder that is only built on first use: `name` is known before, `dim` and encoding after."""

    def __init__(self, name: str, load: Callable[[], object]):
        self.name = name
        self._load = load
        self._encoder = None

    @property
    def loaded(self) -> bool:
        return self._encoder is not None

    def _get(self):
        if self._encoder is None:
            self._encoder = self._load()
        return self._encoder

    @property
    def dim(self) -> int:
        return self._get().dim

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._get().encode_queries(texts)

    def encode_documents(self, texts: Sequence[str], *, show_progress: bool = False) -> np.ndarray:
        return self._get().encode_documents(texts, show_progress=show_progress)


def safe_name(name: str) -> str:
    return re.sub(r"[^\w.-]", "_", name)


def digest(*parts: str) -> str:
    h = hashlib.sha256(STATE_VERSION.encode())
    for part in parts:
        h.update(b"\x00" + part.encode("utf-8"))
    return h.hexdigest()[:16]


def _atomic_savez(path: Path, arrays: dict[str, np.ndarray]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + f".{os.getpid()}.tmp.npz")
    np.savez(tmp, **arrays)
    os.replace(tmp, path)


def state_path(cache_dir: Path | str, model: str, key: str) -> Path:
    return Path(cache_dir) / f"occupation-state-{safe_name(model)}-{key}.npz"


def save_state(path: Path, arrays: dict[str, np.ndarray], matrices: dict[str, sparse.csr_matrix]) -> None:
    """Dense arrays as they are; each CSR matrix as its data/indices/indptr/shape."""
    out = dict(arrays)
    for name, m in matrices.items():
        m = m.tocsr()
        out[f"{name}.data"], out[f"{name}.indices"], out[f"{name}.indptr"] = m.data, m.indices, m.indptr
        out[f"{name}.shape"] = np.array(m.shape, dtype=np.int64)
    _atomic_savez(path, out)


def load_state(path: Path, matrix_names: Sequence[str]) -> tuple[dict[str, np.ndarray], dict[str, sparse.csr_matrix]] | None:
    """The arrays and matrices saved by `save_state`, or None when the file is missing or unreadable."""
    if not path.exists():
        return None
    try:
        with np.load(path, allow_pickle=False) as z:
            raw = {k: z[k] for k in z.files}
        matrices = {
            n: sparse.csr_matrix((raw.pop(f"{n}.data"), raw.pop(f"{n}.indices"), raw.pop(f"{n}.indptr")),
                                 shape=tuple(raw.pop(f"{n}.shape")))
            for n in matrix_names
        }
    except (OSError, ValueError, KeyError):
        return None
    return raw, matrices


class QueryCache:
    """Title text -> float32 query embedding, persisted as `occupation-queries-<model>.npz`."""

    def __init__(self, cache_dir: Path | str | None, model: str):
        self.path = None if cache_dir is None else Path(cache_dir) / f"occupation-queries-{safe_name(model)}.npz"
        self._vectors: dict[str, np.ndarray] | None = None
        self._dirty = False

    def _load(self) -> dict[str, np.ndarray]:
        if self._vectors is None:
            self._vectors = {}
            if self.path is not None and self.path.exists():
                try:
                    with np.load(self.path, allow_pickle=False) as z:
                        self._vectors = dict(zip(z["texts"].tolist(), z["vectors"]))
                except (OSError, ValueError, KeyError):
                    self._vectors = {}
        return self._vectors

    def __len__(self) -> int:
        return len(self._load())

    def encode(self, texts: Sequence[str], encode: Callable[[list[str]], np.ndarray]) -> np.ndarray:
        """Vectors for `texts`; only the ones never seen are passed to `encode` (in one call)."""
        known = self._load()
        missing = [t for t in dict.fromkeys(texts) if t not in known]
        if missing:
            fresh = np.asarray(encode(missing), dtype=np.float32)
            known.update(zip(missing, fresh))
            self._dirty = True
        return np.vstack([known[t] for t in texts]) if texts else np.zeros((0, 0), np.float32)

    def save(self) -> None:
        if not self._dirty or self.path is None or not self._vectors:
            return
        items = list(self._vectors.items())[-QUERY_CACHE_LIMIT:]
        _atomic_savez(self.path, {"texts": np.array([t for t, _ in items]),
                                  "vectors": np.vstack([v for _, v in items]).astype(np.float32)})
        self._dirty = False
