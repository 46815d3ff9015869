"""The one place that turns an encoder name from settings into an encoder.

It sits above `models.encoder`, `models.fast_encoder` and `models.onnx_encoder`, so none imports
another's heavy dependencies: the ONNX encoders never import torch or sentence-transformers.
"""
from __future__ import annotations

from models.encoder import MODEL_SUBDIR, Encoder, HashingEncoder

ONNX_NAMES = {"m3e-small-onnx": "fp32", "m3e-small-onnx-int8": "int8"}
KNOWN = (MODEL_SUBDIR, "m3e-small-int8", *ONNX_NAMES, "hashing-<维度>")


def load_encoder(name: str) -> Encoder:
    """Build the encoder named in settings.

    `m3e-small-onnx-int8` (the default, fastest within the agreement bar) and `m3e-small-onnx` run on
    ONNX Runtime; `m3e-small` is the same model on sentence-transformers/torch; `m3e-small-int8` is
    torch's int8 path (kept for comparison); `hashing-<dim>` is the test encoder.
    """
    if name in ONNX_NAMES:
        from models.onnx_encoder import OnnxEncoder  # onnxruntime + tokenizers only

        return OnnxEncoder(ONNX_NAMES[name])
    if name == MODEL_SUBDIR:
        from models.encoder import SentenceTransformerEncoder

        return SentenceTransformerEncoder()
    if name == "m3e-small-int8":
        from models.fast_encoder import QuantizedSentenceTransformerEncoder  # torch quantisation: only when asked

        return QuantizedSentenceTransformerEncoder()
    if name.startswith("hashing"):
        _, _, dim = name.partition("-")
        return HashingEncoder(int(dim) if dim else 256)
    raise ValueError(f"未知的向量模型 {name!r}：可用 {'、'.join(repr(k) for k in KNOWN)}")
