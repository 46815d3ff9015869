"""The heavy objects, built once: database, encoder, occupation coder, commute model, the two synced
indexes (postings, seekers) and the writers on top of them. `JobCircle` and the counsellor desk share
one `Components`; tests build it with a tiny encoder.
"""
from __future__ import annotations

from dataclasses import dataclass

import faiss
import numpy as np

from data.schema import Posting, Seeker
from matcher.geo.commute import MetroCommute
from matcher import posting_words
from matcher.postings import PostingWriter, posting_text_of
from matcher.search.catalog import PostingCatalog
from matcher.search.posting_rows import POSTING_ROWS, stored_words as posting_stored_words
from matcher.search.sides import posting_entry, seeker_entry
from matcher.search.synced import SyncedIndex
from matcher.search.tables import EntryMap, TableSpec
from matcher.seekers import SeekerWriter, seeker_text_of
from matcher.settings import Settings
from matcher.store import Database
from matcher.text.fairness import ProtectedAttributes
from matcher.text.privacy import load_or_create_secret
from matcher.types import PostingEntry, SeekerEntry
from models.encoder import Encoder
from models.registry import load_encoder

POSTINGS = TableSpec(
    table=Posting, counter="postings", entry_of=posting_entry, text_of=posting_text_of,
    live_where=Posting.status == "open", is_live=lambda row: row.status == "open", label="岗位",
    lexical_text=posting_text_of, snapshot=True,
    # Read as plain rows with the BM25 words stored with them (`matcher.posting_words`; issue 16).
    plain=POSTING_ROWS, stored_words=posting_stored_words, keep_words=posting_words.write_back,
)
SEEKERS = TableSpec(
    table=Seeker, counter="seekers", entry_of=seeker_entry, text_of=seeker_text_of,
    # A seeker who withdrew consent is in no shortlist or search until they consent again.
    live_where=Seeker.consent_withdrawn_at.is_(None), is_live=lambda row: row.consent_withdrawn_at is None,
    tracks_deletes=True, label="求职者", lexical_text=seeker_text_of,
)


@dataclass
class Components:
    settings: Settings
    db: Database
    encoder: Encoder
    coder: object | None
    commute: object
    secret: bytes
    protected: ProtectedAttributes
    postings: SyncedIndex[PostingEntry]
    seekers: SyncedIndex[SeekerEntry]
    posting_writer: PostingWriter
    seeker_writer: SeekerWriter

    @classmethod
    def build(cls, settings: Settings, encoder: Encoder | None = None, *, db: Database | None = None,
              commute=None, coder=None) -> "Components":
        """Open the database, load the model and the coder; indexes are built by `start()`."""
        settings.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        secret = load_or_create_secret(settings.secret_path)
        db = (db or Database(settings.database_url)).open()
        # One query is one small search: threads would only contend with concurrent requests.
        faiss.omp_set_num_threads(1)
        encoder = encoder or load_encoder(settings.encoder)
        if coder is None and settings.occupation_coding:
            from matcher.occupations.coder import OccupationCoder

            coder = OccupationCoder(encoder).fit(cache_dir=settings.data_dir / "cache")
        protected = ProtectedAttributes()
        # Seeker vectors embed neutralised text: a new redaction list is a new model for them.
        seeker_model = f"{encoder.name}+protected-v{protected.version}"
        postings = SyncedIndex(POSTINGS, db=db, encoder=encoder, settings=settings, directory=settings.index_dir,
                               model_name=encoder.name, entries=PostingCatalog())
        seekers = SyncedIndex(SEEKERS, db=db, encoder=encoder, settings=settings,
                              directory=settings.data_dir / "seeker_index", model_name=seeker_model,
                              entries=EntryMap())
        return cls(
            settings=settings, db=db, encoder=encoder, coder=coder, commute=commute or MetroCommute(), secret=secret,
            protected=protected, postings=postings, seekers=seekers,
            posting_writer=PostingWriter(db, encoder, coder, on_change=lambda: postings.refresh(force=True)),
            seeker_writer=SeekerWriter(db, encoder, coder, secret=secret, model_name=seeker_model),
        )

    def start(self, *, progress: bool = False) -> "Components":
        self.postings.start(progress=progress)
        self.warm_commute()
        return self

    def warm_commute(self) -> None:
        """Every open posting's nearest stations, worked out once now rather than by the first queries."""
        warm = getattr(self.commute, "warm", None)
        columns = getattr(self.postings.entries, "columns", None)
        if warm is None or columns is None:
            return
        with self.postings.lock:
            live = np.flatnonzero(columns.ids[:columns.size] != 0)
            ids, points = columns.ids[live], np.column_stack([columns.lat[live], columns.lon[live]])
        warm(ids, points)

    def start_seekers(self) -> None:
        """The seeker index (the counsellors' side) is built on demand: the CLI rarely needs it."""
        if self.seekers.index is None:
            self.seekers.start()

    def rebuild_postings(self, *, progress: bool = False) -> int:
        """Store current vectors for stale postings, then rebuild the posting index from the database."""
        self.posting_writer.reencode_stale(progress=progress)
        count = self.postings.rebuild(progress=progress)
        self.warm_commute()
        return count

    def stop(self) -> None:
        for synced in (self.postings, self.seekers):
            if synced.index is not None:
                synced.save()
        self.db.close()

