"""A vector index and an entry cache kept in step with one database table.

`SyncedIndex` is written once and used twice: for open postings (entries in a `PostingCatalog`) and
for seekers (entries in an `EntryMap`). The database is the source of truth; the index is a cache
loaded from `<directory>` on start (refused and rebuilt on any mismatch or checksum failure) and
caught up from the table's change feed (`change_seq`, bumped by every write through
`Database.take_seq`), so writes made by another process reach a running server without a rebuild.

What varies per table is passed in: which rows are live (`live_where` in SQL, `is_live` per row),
the entry a row becomes (`entry_of`), the text embedded when a row has no current vector
(`text_of`), and the model tag its stored vectors must carry (`model_name`).
"""
from __future__ import annotations

import json
import logging
import threading
import time
from collections import Counter as WordCounts
from pathlib import Path
from typing import Generic

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import defer
from tqdm import tqdm

from data.schema import Counter
from matcher.search.index import FaissIndex, _training_sample, resolve_factory, training_size
from matcher.search.persist import IndexUnusable, Manifest, load_index, remove_leftovers, save_index
from matcher.search import snapshot
from matcher.search.lexical import LexicalIndex, WordsMemo
from matcher.search.mapped import IndexLock, MappedIndex
from matcher.search.tables import E, EntryMap, EntryStore, TableSpec, collector_paused, encode_batches

log = logging.getLogger("jobcircle")

BUILD_CHUNK = 20_000  # rows per chunk streamed into a rebuilt index (vectors read as raw columns)
ENTRY_CHUNK = 2_000  # rows per chunk read for the entries and the lexical index
FEED_CHUNK = 1_000  # rows per chunk read by the change feed
IN_CHUNK = 5_000  # ids per `IN (...)` read (below SQLite's bound-parameter limit)


class SyncedIndex(Generic[E]):
    """Vectors and entries for one table, loaded or rebuilt on `start()`, current after `refresh()`."""

    def __init__(self, spec: TableSpec[E], *, db, encoder, settings, directory: Path, model_name: str,
                 entries: EntryStore[E] | None = None):
        self.spec = spec
        self.db = db
        self.encoder = encoder
        self.settings = settings
        self.directory = Path(directory)
        self.model_name = model_name
        self.entries: EntryStore[E] = entries if entries is not None else EntryMap()
        self._entries_factory = type(self.entries)
        self.index: FaissIndex | MappedIndex | None = None
        # Map the saved index read-only (shared by every worker process) and keep later writes in memory.
        self.mmap = bool(getattr(settings, "index_mmap", False))
        self.file_lock = IndexLock(self.directory)
        self._mapped_stamp: tuple | None = None  # (inode, mtime) of the manifest the mapping came from
        self._compacting = threading.Event()
        self._compactor: threading.Thread | None = None
        self.version = 0
        self.factory = ""
        self.lock = threading.RLock()
        self._last_refresh = 0.0
        self.build_seconds: dict[str, float] = {}  # the last rebuild's phases (benchmarks print them)
        # The lexical index follows the same rows as the vectors: same rebuild, same change feed.
        self.lexical: LexicalIndex | None = LexicalIndex() if spec.lexical_text is not None else None

    # ------------------------------------------------------------------ start, save, rebuild
    def count_live(self, session) -> int:
        query = select(func.count()).select_from(self.spec.table)
        if self.spec.live_where is not None:
            query = query.where(self.spec.live_where)
        return session.scalar(query) or 0

    def _factory(self) -> str:
        with self.db.session() as session:
            count = self.count_live(session)
        return resolve_factory(self.settings.index_factory, count, self.settings.exact_below)

    def start(self, *, progress: bool = False) -> "SyncedIndex[E]":
        """Load the saved index and catch it up, or rebuild it from the table.

        Under the index's file lock, so N workers starting together rebuild a missing index once."""
        with self.lock, self.file_lock:
            remove_leftovers(self.directory)
            self.factory = self._factory()
            try:
                index, manifest = self._load()
            except IndexUnusable as exc:
                log.info("rebuilding %s: %s", self.directory.name, exc)
                self.rebuild(progress=progress)
                return self
        with self.lock:
            self.index, self.version = index, 0
            self.entries = self._entries_factory()
            if self.lexical is not None:
                self.lexical.clear()
            since = self._load_snapshot()
            # The entries come from the snapshot (else the database) and catch up from its version; the
            # index catches up from its manifest's version.
            fills = self._apply(since=since, index_since=manifest.data_version)
        if not since:
            self._save_snapshot()  # the next start loads instead of reading every row
        self._keep_words(fills)
        return self

    def _load_snapshot(self) -> int:
        """Entries and lexical index from the saved snapshot when there is a usable one; returns the
        version they are at (0: none loaded, every row is read)."""
        if not self.spec.snapshot:
            return 0
        loaded = snapshot.load(self.directory, model=self.model_name)
        if loaded is None:
            snapshot.discard(self.directory)  # unusable: the next save writes a fresh one
            return 0
        version, entries, lexical = loaded
        with self.db.session() as session:
            ahead = version > self._latest(session)
        if ahead or (lexical is None) != (self.lexical is None) or not isinstance(entries, self._entries_factory):
            # Ahead of the database (restored from a backup?) or of another kind: never used, removed.
            log.warning("snapshot of %s not used (ahead of the database: %s)", self.directory.name, ahead)
            snapshot.discard(self.directory)
            return 0
        self.entries, self.lexical, self.version = entries, lexical, version
        return version

    def _save_snapshot(self) -> None:
        """Write the entries and lexical index at this version, unless the file on disk is as new."""
        if not self.spec.snapshot or self.index is None:
            return
        with self.lock, self.file_lock:  # the order `start` and `rebuild` take them in
            on_disk = snapshot.saved_version(self.directory)
            if on_disk is not None and on_disk >= self.version:
                return
            snapshot.save(self.directory, model=self.model_name, version=self.version, entries=self.entries,
                          lexical=self.lexical)

    def rebuild(self, *, progress: bool = False) -> int:
        """A fresh index and entry cache from the table; returns the number of vectors.

        Two streams, neither holding the table in memory: rows without their vector column for the
        entries and the lexical index (`_read_entries`), then `(id, vector)` columns in chunks of
        `BUILD_CHUNK` added to the index as they come (an IVF kind is first trained on a seeded sample
        of rows). Words cut for rows without current stored words are stored back last, outside the lock."""
        with self.lock:
            started = time.perf_counter()
            self.factory = self._factory()
            with self.db.session() as session:
                version = self._latest(session)
                total = self.count_live(session)
                entries, lexical, fills = self._read_entries(session, total, progress=progress)
                read = time.perf_counter()
                index = self._build_index(session, total, progress=progress)
            built = time.perf_counter()
            self.build_seconds = {"entries": read - started, "index": built - read}
            log.info("rebuilt %s: entries and lexical index %.0f s, vector index %.0f s",
                     self.directory.name, read - started, built - read)
            self.index = index
            self.entries, self.version = entries, version
            if lexical is not None:
                self.lexical = lexical
            self.save()
        self._keep_words(fills)
        return len(index)

    def _read_entries(self, session, total: int, *, progress: bool = False):
        """The rebuild's entries pass: (entries, lexical index, words to store back) of every live row,
        streamed in chunks (plain rows when the spec reads them so, else ORM rows without their vector)."""
        spec = self.spec
        entries = self._entries_factory()
        lexical = LexicalIndex() if self.lexical is not None else None
        memo, fills = WordsMemo(), []
        bar = tqdm(total=total, desc=f"读取{spec.label}", disable=not progress, unit="条")
        with collector_paused():
            for rows in self._entry_rows(session, spec.live_where, chunk=ENTRY_CHUNK):
                for row in rows:
                    entries.upsert(spec.entry_of(row))
                    if lexical is not None:
                        lexical.upsert_terms(row.id, self._words(row, memo, fills))
                bar.update(len(rows))
        bar.close()
        return entries, lexical, fills

    def _entry_rows(self, session, where, *, chunk: int, in_change_order: bool = False):
        """Chunks (lists) of the rows `where` holds, as `entry_of`, `is_live` and `lexical_text` take them:
        plain rows (`TableSpec.plain`) or ORM rows without their vector column."""
        table, plain = self.spec.table, self.spec.plain
        if plain is not None:
            query = plain.select()
        else:
            query = select(table).options(defer(table.embedding))
        if where is not None:
            query = query.where(where)
        if in_change_order:
            query = query.order_by(table.change_seq)
        query = query.execution_options(yield_per=chunk)
        if plain is not None:  # the statement runs now, the chunks are read as they are taken
            return (plain.decode(part) for part in session.execute(query).partitions())
        return session.scalars(query).partitions()

    def _words(self, row, memo: WordsMemo, fills: list) -> WordCounts:
        """The BM25 word counts of a live row: its stored words when current (`TableSpec.stored_words`),
        else cut now (each distinct text once per pass) and listed in `fills` to be stored back."""
        spec = self.spec
        text = spec.lexical_text(row)
        if spec.stored_words is None:
            return memo(text)
        counts = spec.stored_words(row, text)
        if counts is None:
            counts = memo(text)
            if spec.keep_words is not None:
                fills.append((row.id, row.change_seq, text, counts))
        return counts

    def _keep_words(self, fills: list) -> None:
        """Store back the words a pass cut (outside the index's lock: searches go on meanwhile)."""
        if fills and self.spec.keep_words is not None:
            started = time.perf_counter()
            stored = self.spec.keep_words(self.db.engine, fills)
            log.info("stored the BM25 words of %d of %d %s rows in %.1f s", stored, len(fills),
                     self.directory.name, time.perf_counter() - started)

    def _live_query(self, *columns):
        query = select(*columns)
        return query.where(self.spec.live_where) if self.spec.live_where is not None else query

    def _build_index(self, session, total: int, *, progress: bool = False) -> FaissIndex:
        """The index of every live row's vector, streamed from the table in chunks."""
        table = self.spec.table
        index = FaissIndex(self.encoder.dim, self.factory, ef_search=self.settings.hnsw_ef_search,
                           nprobe=self.settings.ivf_nprobe)
        if not index.raw.is_trained:
            ids = np.fromiter(session.scalars(self._live_query(table.id)), np.int64)
            need = training_size(index, len(ids))
            if need < len(ids):
                ids = np.sort(np.random.default_rng(0).choice(ids, need, replace=False))
            sample = np.vstack([vectors for _, vectors in self._vectors_in(session, ids)] or
                               [np.zeros((0, index.dim), np.float32)])
            index.train(_training_sample(index, sample))
        query = (self._live_query(table.id, table.embedding, table.embedding_model).order_by(table.id)
                 .execution_options(yield_per=BUILD_CHUNK))
        index.reserve(total)
        bar = tqdm(total=total, desc=f"构建{self.spec.label}索引", disable=not progress, unit="条")
        for part in session.execute(query).partitions():
            ids, vectors = self._vectors_of(session, part)
            index.add(ids, vectors)
            bar.update(len(ids))
        bar.close()
        return index

    def _vectors_in(self, session, ids: np.ndarray):
        """(ids, vectors) for the given ids, in chunks."""
        table = self.spec.table
        for start in range(0, len(ids), IN_CHUNK):
            chunk = ids[start:start + IN_CHUNK].tolist()
            part = session.execute(select(table.id, table.embedding, table.embedding_model)
                                   .where(table.id.in_(chunk))).all()
            yield self._vectors_of(session, part)

    def _vectors_of(self, session, part) -> tuple[np.ndarray, np.ndarray]:
        """Ids and float32 vectors of `(id, embedding, embedding_model)` rows: the stored vector when it
        is the current model's, else the row's text encoded now (read back by id)."""
        dim, width = self.encoder.dim, self.encoder.dim * 4
        ids = np.fromiter((r[0] for r in part), np.int64, len(part))
        good = [r[2] == self.model_name and r[1] is not None and len(r[1]) == width for r in part]
        vectors = np.zeros((len(part), dim), np.float32)
        if any(good):
            blobs = b"".join(r[1] for r, ok in zip(part, good) if ok)
            vectors[np.asarray(good)] = np.frombuffer(blobs, np.float32).reshape(-1, dim)
        missing = [n for n, ok in enumerate(good) if not ok]
        if missing:
            table = self.spec.table
            rows = {row.id: row for row in session.scalars(select(table).where(table.id.in_(ids[missing].tolist())))}
            texts = [self.spec.text_of(rows[int(ids[n])]) for n in missing]
            vectors[missing] = encode_batches(self.encoder, texts)
        return ids, vectors

    def _load(self):
        """The saved index (mapped when `mmap`) and its manifest; IndexUnusable when it cannot be used."""
        stamp = self._manifest_stamp()
        index, manifest = load_index(self.directory, model=self.model_name, dim=self.encoder.dim,
                                     factory=self.factory, ef_search=self.settings.hnsw_ef_search,
                                     nprobe=self.settings.ivf_nprobe, mmap=self.mmap)
        if self.mmap:
            self._mapped_stamp = stamp
            return MappedIndex(index, data_version=manifest.data_version), manifest
        return index, manifest

    def _manifest_stamp(self) -> tuple | None:
        try:
            stat = (self.directory / "manifest.json").stat()
        except FileNotFoundError:
            return None
        return stat.st_ino, stat.st_mtime_ns

    def save(self) -> None:
        """Write the index with its manifest. A mapped index is compacted (base + delta, tombstones
        dropped) by one process under the file lock, skipped when another process already saved the
        same or a newer version, and then mapped again."""
        self.join_compaction()  # one running in the background finishes first
        self._save_index()
        self._save_snapshot()

    def _save_index(self) -> None:
        with self.lock:
            if self.index is None:
                return
            if not isinstance(self.index, MappedIndex):
                with self.file_lock:
                    manifest = Manifest(self.model_name, self.encoder.dim, self.factory, self.version,
                                        len(self.index))
                    save_index(self.directory, self.index, manifest)
                    if self.mmap:
                        self._remap()
                return
            if not self.index.pending and self.index.data_version >= self.version:
                return
        self._compact()

    def _compact(self, *, blocking: bool = True) -> bool:
        """Save base + delta as the new file under the file lock, then map it; False when another
        process holds the lock (`blocking=False`). Searches go on meanwhile: the merge works on a
        snapshot taken in a moment, and this thread never holds the file lock and `self.lock` at once
        (so it cannot deadlock with a rebuild, which takes them in the other order)."""
        with self.lock:
            snapshot, version = self.index.snapshot(), self.version
        if not self.file_lock.acquire(blocking=blocking):
            return False
        try:
            on_disk = self._disk_version()
            if on_disk is None or on_disk < version:
                merged = snapshot.merged()
                manifest = Manifest(self.model_name, self.encoder.dim, self.factory, version, len(merged))
                save_index(self.directory, merged, manifest)
        finally:
            self.file_lock.release()
        self._remap()
        return True

    def _disk_version(self) -> int | None:
        try:
            return int(json.loads((self.directory / "manifest.json").read_text())["data_version"])
        except (FileNotFoundError, ValueError, KeyError, TypeError):
            return None

    def _remap(self) -> None:
        """Map the index file now on disk and replay onto it the changes made after it was saved
        (index only: the entries are already current). The file is checked outside the lock."""
        index, manifest = self._load()
        with self.lock:
            self.index = index
            self._apply(since=self.version, index_since=manifest.data_version)
            if self.spec.tracks_deletes and isinstance(index, MappedIndex):
                # Rows deleted outright before our version: gone from the entries, maybe not from the file.
                stale = [int(i) for i in index.base.label_ids[index.base.label_ids >= 0].tolist()
                         if int(i) not in self.entries]
                if stale:
                    index.remove(np.asarray(stale, np.int64))

    def maintain(self) -> None:
        """Mapped index upkeep, cheap when idle: map a newer file another process saved, or compact
        this one in a background thread when the in-memory delta has grown (unless another process is
        compacting: it holds the file lock, and its file is mapped here once it appears)."""
        if not isinstance(self.index, MappedIndex):
            return
        stamp = self._manifest_stamp()
        if stamp is not None and stamp != self._mapped_stamp:
            on_disk = self._disk_version()
            if on_disk is not None and on_disk > self.index.data_version:
                try:
                    self._remap()
                except IndexUnusable as exc:  # a file being replaced right now: try again next time
                    log.info("remap of %s deferred: %s", self.directory.name, exc)
                return
            self._mapped_stamp = stamp
        if self.index.wants_compaction() and not self._compacting.is_set():
            self._compacting.set()
            self._compactor = threading.Thread(target=self._compact_in_background, daemon=True,
                                               name=f"compact-{self.directory.name}")
            self._compactor.start()

    def join_compaction(self, timeout: float | None = None) -> None:
        """Wait for a background compaction started by `maintain()` (tests, shutdown)."""
        if self._compactor is not None:
            self._compactor.join(timeout)

    def _compact_in_background(self) -> None:
        try:
            self._compact(blocking=False)
        except Exception:  # never take a worker down: the delta keeps serving, the next refresh retries
            log.exception("compaction of %s failed", self.directory.name)
        finally:
            self._compacting.clear()

    # ------------------------------------------------------------------ change feed
    def _latest(self, session) -> int:
        counter = session.get(Counter, self.spec.counter)
        latest = session.scalar(select(func.max(self.spec.table.change_seq))) or 0
        return max(latest, counter.value if counter else 0)

    def refresh(self, *, force: bool = False) -> None:
        """Apply rows changed in the database since the index's version (cheap when none)."""
        now = time.monotonic()
        if not force and now - self._last_refresh < self.settings.refresh_interval_s:
            return
        self._last_refresh = now
        with self.db.session() as session:
            latest = self._latest(session)
        if latest > self.version:
            with self.lock:
                fills = self._apply(since=self.version)
            self._keep_words(fills)
        if self.mmap:
            self.maintain()

    def _rows_since(self, session, since: int):
        """Chunks of the rows changed after `since`, in change order (as `_entry_rows` reads them)."""
        return self._entry_rows(session, self.spec.table.change_seq > since, chunk=FEED_CHUNK, in_change_order=True)

    def _apply(self, *, since: int, index_since: int | None = None) -> list:
        """Apply the rows changed after `since` (the index: after `index_since`); returns the words cut
        for rows without current stored words, for the caller to store back outside the lock.

        Rows are streamed in change order in chunks: at start-up that is every row, and one `fetchall`
        of 100k rows holds the GIL (and their memory) for seconds, long enough for uvicorn's supervisor
        to take a starting worker for hung. Without the vector column: only the rows the index lacks
        have their vectors read, as raw columns."""
        spec = self.spec
        index_since = since if index_since is None else index_since
        with self.db.session() as session:
            # The ceiling is read before the rows: change numbers commit in order (`Database.take_seq`),
            # so every number up to it is committed and the rows read next include them all. Read after
            # the rows, a number committed in between would be skipped for good.
            ceiling = self._latest(session)
            chunks = self._rows_since(session, min(since, index_since))
            add_ids, remove_ids = [], []
            latest = max(ceiling, self.version)
            memo, fills = WordsMemo(), []
            with collector_paused():  # at start-up without a snapshot: every row
                for row in (row for rows in chunks for row in rows):
                    latest = max(latest, row.change_seq)
                    if spec.is_live(row):
                        self.entries.upsert(spec.entry_of(row))
                        if self.lexical is not None:
                            self.lexical.upsert_terms(row.id, self._words(row, memo, fills))
                        if row.change_seq > index_since:
                            add_ids.append(row.id)
                    else:
                        self.entries.remove(row.id)
                        if self.lexical is not None:
                            self.lexical.remove(row.id)
                        if row.change_seq > index_since:
                            remove_ids.append(row.id)
            gone: list[int] = []
            if spec.tracks_deletes:
                present = set(session.scalars(select(spec.table.id)).all())
                gone = [i for i in self.entries.ids() if i not in present]
            added = list(self._vectors_in(session, np.asarray(add_ids, np.int64)))
        for item_id in gone:
            self.entries.remove(item_id)
            if self.lexical is not None:
                self.lexical.remove(item_id)
        if remove_ids or gone:
            self.index.remove(np.asarray(remove_ids + gone, np.int64))
        for ids, vectors in added:
            self.index.add(ids, vectors)
        self.version = latest
        return fills

    # ------------------------------------------------------------------ reads
    def search(self, vector: np.ndarray, k: int, subset: list[int] | None = None) -> dict[int, float]:
        """Id -> cosine for the k nearest live items (restricted to `subset` when given)."""
        with self.lock:
            if subset is not None:
                subset = [i for i in subset if i in self.entries]
                if not subset:
                    return {}
            pool = max(1, min(k, len(self.index)))
            scores, ids = self.index.search(np.asarray(vector, np.float32)[None, :], pool,
                                            subset=np.asarray(subset, np.int64) if subset is not None else None)
            return {int(i): float(s) for s, i in zip(scores[0], ids[0]) if i >= 0 and int(i) in self.entries}

    def cosines(self, ids, vector: np.ndarray) -> np.ndarray:
        """Cosine of `vector` with each id's stored vector."""
        with self.lock:
            return self.index.cosines(np.asarray(ids, np.int64), np.asarray(vector, np.float32))

    def __len__(self) -> int:
        return len(self.entries)
