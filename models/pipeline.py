"""Encode while the caller parses and writes: the ingest pipeline.

ONNX Runtime (and torch) release the GIL while they compute, so one worker thread encoding overlaps with
the Python work in the calling thread: `prepare` (parsing, extraction, occupation coding) and the
caller's database writes. Within a chunk the encoder batches by length (`OnnxEncoder.encode_documents`
sorts by token count), so short texts are not padded to the longest one. Chunks keep the input order,
so callers write rows in the order given (an external id repeated in one import still ends with its
last row).

When the embedded text is known before parsing (`text_of_item`: a posting's text is a plain function of
its fields), the worker encodes chunk after chunk from the raw items, up to `LOOKAHEAD` chunks ahead,
and never waits for the parser; the caller then waits only for the last chunk's vectors. Otherwise it
encodes chunk i+1 while the caller prepares chunk i+2 and writes chunk i.
"""
from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from typing import Callable, Iterator, Sequence, TypeVar

import numpy as np

CHUNK = 256
AHEAD_CHUNK = 256  # chunks when the encoder runs ahead: the encoder sorts each by length, as a raw call would
LOOKAHEAD = 2  # chunks the encoder may run ahead of the writer (bounds the vectors held)
T = TypeVar("T")
P = TypeVar("P")


def prepare_encode_ahead(
    items: Sequence[T],
    prepare: Callable[[Sequence[T]], Sequence[P]],
    text_of: Callable[[P], str],
    encoder,
    *,
    chunk: int | None = None,
    text_of_item: Callable[[T], str] | None = None,
) -> Iterator[tuple[int, Sequence[P], np.ndarray]]:
    """Yield `(start, prepared, vectors)` for consecutive chunks of `items`, in order.

    `prepare(chunk)` runs in the calling thread; `encoder.encode_documents` runs in one worker thread.
    With `text_of_item`, the worker encodes `text_of_item(item)` without waiting for `prepare`; a
    prepared item whose `text_of` differs (it should not) is encoded again, so vectors always match
    `text_of(prepared)`.
    """
    if text_of_item is not None:
        yield from _encode_from_items(items, prepare, text_of, encoder, chunk or AHEAD_CHUNK, text_of_item)
        return
    chunk = chunk or CHUNK
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


def encode_ahead(
    items: Sequence[T],
    prepare: Callable[[Sequence[T]], Sequence[P]],
    text_of: Callable[[P], str],
    encoder,
    text_of_item: Callable[[T], str],
    *,
    chunk: int | None = None,
) -> Iterator[tuple[int, Sequence[P], Callable[[], np.ndarray]]]:
    """Yield `(start, prepared, vectors)` per chunk as soon as the chunk is prepared; `vectors()` waits for
    the chunk's vectors. A caller can write a chunk's rows while the encoder still works on it and set
    the vectors last, so only that last step waits for the model.

    A prepared item whose `text_of` differs from `text_of_item` (it should not) is encoded again, so the
    vectors always match `text_of(prepared)`."""
    chunk = chunk or AHEAD_CHUNK
    starts = list(range(0, len(items), chunk))
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="encode-ahead") as pool:
        texts: dict[int, list[str]] = {}
        pending: dict[int, Future] = {}

        def submit(n: int) -> None:
            if n < len(starts) and n not in pending:
                texts[n] = [text_of_item(item) for item in items[starts[n]:starts[n] + chunk]]
                pending[n] = pool.submit(encoder.encode_documents, texts[n])

        for n in range(LOOKAHEAD):
            submit(n)
        try:
            for n, start in enumerate(starts):
                prepared = prepare(items[start:start + chunk])

                def vectors(n=n, prepared=prepared) -> np.ndarray:
                    out = np.array(pending.pop(n).result(), dtype=np.float32)
                    submit(n + LOOKAHEAD)
                    wanted = texts.pop(n)
                    stale = [i for i, p in enumerate(prepared) if text_of(p) != wanted[i]]
                    if stale:
                        out[stale] = encoder.encode_documents([text_of(prepared[i]) for i in stale])
                    return out

                yield start, prepared, vectors
                if n in pending:  # the caller did not ask: keep the order of the pool's work anyway
                    vectors()
        finally:
            for future in pending.values():
                future.cancel()


def _encode_from_items(items, prepare, text_of, encoder, chunk, text_of_item):
    for start, prepared, vectors in encode_ahead(items, prepare, text_of, encoder, text_of_item, chunk=chunk):
        yield start, prepared, vectors()
