"""The one place that turns an encoder name from settings into an encoder.

It sits above both `models.encoder` and `models.fast_encoder`, so neither imports the other.
"""
from __future__ import annotations

from models.encoder import MODEL_SUBDIR, Encoder, HashingEncoder, SentenceTransformerEncoder


def load_encoder(name: str) -> Encoder:
    """Build the encoder named in settings: `m3e-small` (the product) or `hashing-<dim>` (tests)."""
    if name == MODEL_SUBDIR:
        return SentenceTransformerEncoder()
    if name == "m3e-small-int8":
        from models.fast_encoder import QuantizedSentenceTransformerEncoder  # torch quantisation: only when asked

        return QuantizedSentenceTransformerEncoder()
    if name.startswith("hashing"):
        _, _, dim = name.partition("-")
        return HashingEncoder(int(dim) if dim else 256)
    raise ValueError(f"未知的向量模型 {name!r}：可用 'm3e-small'、'm3e-small-int8' 或 'hashing-<维度>'")
