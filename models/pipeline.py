"""Encode one chunk while the caller parses the next and writes the previous one.

ONNX Runtime (and torch) release the GIL while they compute, so one worker thread encoding chunk i+1
overlaps with the Python work on the other chunks: `prepare` (parsing, extraction, occupation coding)
of chunk i+2 and the caller's database writes of chunk i. Within a chunk the encoder batches by
length (`OnnxEncoder.encode_documents` sorts by token count), so short texts are not padded to the
longest one. Chunks keep the input order, so callers write rows in the order given (an external id
repeated in one import still ends with its last row).
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Iterator, Sequence, TypeVar

import numpy as np

CHUNK = 256
T = TypeVar("T")
P = TypeVar("P")


def prepare_encode_ahead(
    items: Sequence[T],
    prepare: Callable[[Sequence[T]], Sequence[P]],
    text_of: Callable[[P], str],
    encoder,
    *,
    chunk: int = CHUNK,
) -> Iterator[tuple[int, Sequence[P], np.ndarray]]:
    """Yield `(start, prepared, vectors)` for consecutive chunks of `items`, in order.

    `prepare(chunk)` runs in the calling thread; `encoder.encode_documents` on the prepared texts runs
    in one worker thread, one chunk ahead of what the caller is consuming.
    """
    starts = list(range(0, len(items), chunk))
    if not starts:
        return
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="encode-ahead") as pool:
        prepared = prepare(items[0:chunk])
        pending = pool.submit(encoder.encode_documents, [text_of(p) for p in prepared])
        for n, start in enumerate(starts):
            following = prepare(items[starts[n + 1]:starts[n + 1] + chunk]) if n + 1 < len(starts) else None
            vectors = np.asarray(pending.result(), dtype=np.float32)
            if following is not None:
                pending = pool.submit(encoder.encode_documents, [text_of(p) for p in following])
            yield start, prepared, vectors
            prepared = following
