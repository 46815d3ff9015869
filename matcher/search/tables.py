"""What a synced table is made of: its `TableSpec` (which rows are live, the entry and texts a row
gives), the entry stores (`EntryMap`, or any `EntryStore` such as the posting catalog) and the batched
encoding of rows that lack a current vector. Used by `matcher.search.synced.SyncedIndex`."""
from __future__ import annotations

import gc
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Callable, Generic, Protocol, Sequence, TypeVar

import numpy as np
from tqdm import tqdm

ENCODE_BATCH = 64
E = TypeVar("E")


class EntryStore(Protocol[E]):
    def upsert(self, entry: E) -> None: ...

    def remove(self, item_id: int) -> None: ...

    def get(self, item_id: int) -> E | None: ...

    def ids(self) -> list[int]: ...

    def __contains__(self, item_id: int) -> bool: ...

    def __len__(self) -> int: ...


class EntryMap(Generic[E]):
    """The plain entry store: id -> entry (entries carry their id as `.id`)."""

    def __init__(self):
        self._entries: dict[int, E] = {}

    def upsert(self, entry: E) -> None:
        self._entries[entry.id] = entry

    def remove(self, item_id: int) -> None:
        self._entries.pop(item_id, None)

    def get(self, item_id: int) -> E | None:
        return self._entries.get(item_id)

    def ids(self) -> list[int]:
        return list(self._entries)

    def items(self):
        return self._entries.items()

    def __contains__(self, item_id: int) -> bool:
        return item_id in self._entries

    def __len__(self) -> int:
        return len(self._entries)


@dataclass(frozen=True)
class TableSpec(Generic[E]):
    """How one table feeds a synced index."""

    table: Any  # the ORM class; needs id, embedding, embedding_model, change_seq columns
    counter: str  # the `Counter` row its writes (and deletions) bump
    entry_of: Callable[[Any], E]
    text_of: Callable[[Any], str]
    live_where: Any = None  # SQL condition for rows that belong in the index (None: every row)
    is_live: Callable[[Any], bool] = lambda row: True
    tracks_deletes: bool = False  # rows may be deleted outright (not only flagged)
    label: str = "条目"
    lexical_text: Callable[[Any], str] | None = None  # words a lexical (BM25) index keeps per live row
    snapshot: bool = False  # save the entries and lexical index beside the vectors (`matcher.search.snapshot`)
    # Read the rows for the entries and the lexical index as plain rows (`PlainRows`), not ORM objects:
    # `entry_of`, `is_live`, `lexical_text` and `stored_words` then take the objects `plain.decode` makes.
    plain: "PlainRows | None" = None
    # The row's stored BM25 words when they are current for `lexical_text(row)` (else None: cut now),
    # and where words cut on a read are stored back: `keep_words(engine, [(id, change_seq, text, counts)])`.
    stored_words: Callable[[Any, str], Any] | None = None
    keep_words: Callable[[Any, list], int] | None = None


@dataclass(frozen=True)
class PlainRows:
    """How a table's rows are read without ORM objects (several times cheaper for a rebuild of 1M rows)."""

    select: Callable[[], Any]  # a Core select of the columns read (the table's `id` and `change_seq` among them)
    decode: Callable[[Sequence[Any]], list]  # a chunk of its result rows -> objects with the ORM row's attributes


def encode_batches(encoder, texts, *, progress: bool = False, desc: str = "") -> np.ndarray:
    """Document vectors for many texts, in batches, with an optional progress bar."""
    chunks = []
    bar = tqdm(total=len(texts), desc=desc, disable=not progress, unit="条")
    for start in range(0, len(texts), ENCODE_BATCH):
        batch = list(texts[start:start + ENCODE_BATCH])
        chunks.append(encoder.encode_documents(batch))
        bar.update(len(batch))
    bar.close()
    return np.vstack(chunks).astype(np.float32) if chunks else np.zeros((0, encoder.dim), np.float32)


_paused = {"depth": 0, "enabled": False}
_paused_lock = threading.Lock()


@contextmanager
def collector_paused():
    """Python's cyclic garbage collector off while the entries are read: a pass allocates millions of
    objects that all live on (decoded JSON, entries, words), and every few hundred allocations a
    collection walked them again, a third of the pass at 100k rows. Reference counting still frees
    what dies; the collector is back on (if it was) when the last pause of any thread ends."""
    with _paused_lock:
        if _paused["depth"] == 0:
            _paused["enabled"] = gc.isenabled()
            gc.disable()
        _paused["depth"] += 1
    try:
        yield
    finally:
        with _paused_lock:
            _paused["depth"] -= 1
            if _paused["depth"] == 0 and _paused["enabled"]:
                gc.enable()
