"""The posting rebuild's entries pass (catalog + lexical index), before and after issue 16's plain rows.

    python -m benchmarks.rebuild_entries DATA_DIR [--runs 3]

DATA_DIR is a service data directory (copy it first: opening it migrates the schema). Alternating in one
process, each run reads every open posting into a fresh catalog and lexical index:
- `orm`: the code before (ORM `Posting` rows without the vector, `json` decoding, every distinct text cut
  with jieba, Python's cyclic collector on): `SyncedIndex._read_entries` with the ORM spec;
- `plain`: as shipped (one Core select, orjson, the BM25 words stored with the row, collector paused).
Nothing is written: rows whose stored words are missing or stale are counted, not stored back (a real
rebuild stores them once). Then what distinct texts would add (a real collection repeats few texts; the benchmark collections copy
~1,000 templates): jieba's time per distinct text (for `orm`), and the lexical index's upserts with
every document's words made distinct (one unique word each) against the words as stored (for both).
"""
from __future__ import annotations

import argparse
import contextlib
import dataclasses
import gc
import os
import time
from collections import Counter
from pathlib import Path

from matcher.components import POSTINGS
from matcher.search import synced as synced_module
from matcher.search.catalog import PostingCatalog
from matcher.search.lexical import LexicalIndex, tokens
from matcher.search.synced import SyncedIndex
from matcher.settings import Settings
from matcher.store import Database
from models.encoder import HashingEncoder

ORM = dataclasses.replace(POSTINGS, plain=None, stored_words=None, keep_words=None)


def _pass(db, settings, spec, *, collector: bool) -> tuple[float, int, list]:
    index = SyncedIndex(spec, db=db, encoder=HashingEncoder(), settings=settings, directory=settings.index_dir,
                        model_name="benchmark", entries=PostingCatalog())
    paused = synced_module.collector_paused
    if collector:  # the code before never paused it
        synced_module.collector_paused = contextlib.nullcontext
    try:
        gc.collect()
        with db.session() as session:
            total = index.count_live(session)
            started = time.perf_counter()
            entries, _, fills = index._read_entries(session, total)
            return time.perf_counter() - started, len(entries), fills
    finally:
        synced_module.collector_paused = paused


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    settings = Settings(data_dir=args.data_dir)
    db = Database(settings.database_url).open()
    seconds: dict[str, list[float]] = {"orm": [], "plain": []}
    for run in range(args.runs):
        for name, spec in (("orm", ORM), ("plain", POSTINGS)):
            spent, count, fills = _pass(db, settings, spec, collector=name == "orm")
            seconds[name].append(spent)
            note = f", {len(fills)} rows without current stored words" if name == "plain" else ""
            print(f"run {run + 1} {name:5s} {spent:6.2f} s for {count} postings{note}; "
                  f"load {os.getloadavg()[0]:.2f}", flush=True)
    best = {name: min(values) for name, values in seconds.items()}
    print(f"best of {args.runs}: orm {best['orm']:.2f} s, plain {best['plain']:.2f} s, "
          f"ratio {best['orm'] / best['plain']:.1f}x")
    from sqlalchemy import select

    from data.schema import Posting
    from matcher.postings import posting_text_of

    with db.session() as session:
        rows = session.execute(select(Posting.title, Posting.description, Posting.requirements, Posting.skills)
                               .where(Posting.status == "open").limit(50_000)).all()
    sample = list(dict.fromkeys(posting_text_of(row) for row in rows))[:2000]
    started = time.perf_counter()
    for text in sample:
        Counter(tokens(text))
    per_text = (time.perf_counter() - started) / max(1, len(sample))
    print(f"jieba: {per_text * 1e3:.2f} ms per distinct text ({len(sample)} texts); with every text distinct "
          f"`orm` would cut {count} texts, about {per_text * count:.0f} s more; load {os.getloadavg()[0]:.2f}")
    # And what the lexical index costs when no two documents share their words (one unique word each).
    words = [POSTINGS.stored_words(row, POSTINGS.lexical_text(row)) or Counter(tokens(POSTINGS.lexical_text(row)))
             for rows in _plain_rows(db) for row in rows]
    spent = {}
    with synced_module.collector_paused():
        for label, counts in (("as stored", words),
                              ("distinct", [Counter(dict(c, **{f"unique{n}": 1})) for n, c in enumerate(words)])):
            index, started = LexicalIndex(), time.perf_counter()
            for n, c in enumerate(counts, 1):
                index.upsert_terms(n, c)
            spent[label] = time.perf_counter() - started
    print(f"lexical upserts: {spent['as stored']:.2f} s as stored, {spent['distinct']:.2f} s with every document's "
          f"words distinct; load {os.getloadavg()[0]:.2f}")


def _plain_rows(db):
    with db.session() as session:
        query = POSTINGS.plain.select().where(POSTINGS.live_where).execution_options(yield_per=2000)
        yield from (POSTINGS.plain.decode(part) for part in session.execute(query).partitions())


if __name__ == "__main__":
    main()
