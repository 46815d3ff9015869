"""A faster CPU path for the bundled m3e-small model: int8 dynamic quantisation of its Linear layers.

`QuantizedSentenceTransformerEncoder` loads the same model files as
`models.encoder.SentenceTransformerEncoder`, then replaces every `torch.nn.Linear` (the attention
projections and feed-forward layers, which hold most of the compute) with a dynamically quantised
int8 version: weights stored as int8 with one scale per output channel (per-tensor scales lost
noticeably more agreement on job texts: mean cosine ~0.988 vs ~0.993), activations quantised per
batch at run time. Embeddings,
LayerNorm and pooling stay float32. Output rows are L2-normalised float32 like every `Encoder`.

It changes the vectors slightly, so it may replace the shipped encoder only where its cosine
agreement with it is >= `MIN_AGREEMENT` on realistic texts (`python -m benchmarks.encode_bench`).
Vectors from the two encoders must not be mixed in one index: the name differs so that an index
manifest built with one refuses to load with the other.
"""
from __future__ import annotations

import warnings
from pathlib import Path

from models.encoder import MODEL_SUBDIR, SentenceTransformerEncoder

FAST_ENCODER_NAME = f"{MODEL_SUBDIR}-int8"
MIN_AGREEMENT = 0.98


class QuantizedSentenceTransformerEncoder(SentenceTransformerEncoder):
    """m3e-small with int8 dynamically quantised Linear layers (CPU only); name `m3e-small-int8`."""

    def __init__(self, model_dir: Path | None = None, *, batch_size: int = 64, max_seq_length: int = 256):
        super().__init__(model_dir, batch_size=batch_size, max_seq_length=max_seq_length)
        import torch
        from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

        # torch marks eager-mode quantisation deprecated (in favour of torchao) but it still works;
        # the warnings say nothing a user of this encoder can act on.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            quantize_dynamic(
                self._model, {torch.nn.Linear: per_channel_dynamic_qconfig}, dtype=torch.qint8, inplace=True
            )
        self._model.eval()
        self.name = FAST_ENCODER_NAME


def load_fast_encoder(model_dir: Path | None = None) -> QuantizedSentenceTransformerEncoder:
    """The int8 encoder, for settings that name `m3e-small-int8`."""
    return QuantizedSentenceTransformerEncoder(model_dir)
