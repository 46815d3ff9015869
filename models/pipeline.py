"""Encode the next chunk of texts while the caller parses and writes the current one.

ONNX Runtime (and torch) release the GIL while they compute, so one background thread encoding
chunk i+1 overlaps with the Python work (parsing, extraction, database writes) on chunk i. Within a
chunk the encoder batches by length (`OnnxEncoder.encode_documents` sorts by token count), so short
texts are not padded to the longest one. Chunks keep the input order, so callers write rows in the
order given (an external id repeated in one import still ends with its last row).
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Iterator, Sequence

import numpy as np

CHUNK = 256


def encode_ahead(encoder, texts: Sequence[str], *, chunk: int = CHUNK) -> Iterator[tuple[int, np.ndarray]]:
    """Yield `(start, vectors)` for consecutive chunks of `texts`, encoding one chunk ahead."""
    if not texts:
        return
    starts = list(range(0, len(texts), chunk))
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="encode-ahead") as pool:
        pending = pool.submit(encoder.encode_documents, list(texts[0:chunk]))
        for n, start in enumerate(starts):
            vectors = pending.result()
            if n + 1 < len(starts):
                nxt = starts[n + 1]
                pending = pool.submit(encoder.encode_documents, list(texts[nxt:nxt + chunk]))
            yield start, np.asarray(vectors, dtype=np.float32)
