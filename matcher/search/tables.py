"""What a synced table is made of: its `TableSpec` (which rows are live, the entry and texts a row
gives), the entry stores (`EntryMap`, or any `EntryStore` such as the posting catalog) and the batched
encoding of rows that lack a current vector. Used by `matcher.search.synced.SyncedIndex`."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Generic, Protocol, TypeVar

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
