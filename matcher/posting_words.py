"""A posting's BM25 words, cut once when the posting is written and stored with the row.

The lexical index (`matcher.search.lexical.LexicalIndex`) holds every open posting's words,
`Counter(tokens(posting_text_of(row)))`. Cutting them with jieba takes about a millisecond per text, so a
rebuild of a collection of distinct texts spent most of its time there (100 s per 100k postings), and
again on every first start after a code change and on every restore. The writer
(`matcher.postings.PostingWriter._fill`) now stores them in the row's `lexical_words` column
(migration 0011), in the pattern of a seeker's match query (`matcher.seeker_query`):

    {"v": fingerprint, "t": digest of the text, "words": {word: count, ...}}

`words` in the order `tokens` gives them (the BM25 sums add up in it). `v` is a fingerprint of what the
cutting runs: the source of `tokens` and of what it calls, the stopwords, jieba's version and dictionary.
`t` is a digest of the text the words were cut from, as `posting_text_of` composes it from the row when
it is read: a row whose text was changed by anything but the writer (an SQL edit, a test), or whose text
is composed differently by newer code, does not match and is cut again. Stale words are never used.

Rows written before the column (NULL), or with another fingerprint or text, are cut when the index
reads them (rebuild, start-up, change feed) and written back (`write_back`) unless the row changed
since it was read; the next rebuild reads them. Postings hold no personal data.
"""
from __future__ import annotations

import hashlib
import inspect
import json
import logging
from collections import Counter
from functools import lru_cache

import orjson
from sqlalchemy import bindparam, update
from sqlalchemy.exc import SQLAlchemyError

from data.schema import Posting
from matcher.search import lexical

log = logging.getLogger("jobcircle.posting_words")

FORMAT = 1  # bump when the stored shape changes
# What `lexical.tokens` runs: its own code, the helpers and constants it names (a test checks that it
# names nothing else, so a new helper cannot change the words without changing the fingerprint).
TOKEN_CODE = ("tokens", "_jieba")
TOKEN_DATA = ("STOPWORDS", "_NOT_A_WORD")
WRITE_BATCH = 2_000  # rows per UPDATE batch when words are written back


@lru_cache(maxsize=1)
def fingerprint() -> str:
    """A short hash of the code and data that cut the words; stored words with another are cut again."""
    digest = hashlib.sha256(f"format {FORMAT}\n".encode())
    for name in TOKEN_CODE:
        digest.update(inspect.getsource(getattr(lexical, name)).encode() + b"\0")
    digest.update("\n".join(sorted(lexical.STOPWORDS)).encode() + b"\0")
    digest.update(lexical._NOT_A_WORD.pattern.encode() + b"\0")
    digest.update(lexical.tokenizer_stamp())
    return digest.hexdigest()[:16]


def text_digest(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


def derive(text: str, counts: Counter | None = None) -> dict:
    """The stored words of a posting text (`counts`: its words when already cut, else cut now)."""
    counts = Counter(lexical.tokens(text)) if counts is None else counts
    return {"v": fingerprint(), "t": text_digest(text), "words": dict(counts)}


def loads(value):
    """A JSON column's text decoded as `json.loads` decodes it, by orjson (several times faster); what it
    refuses (NaN, infinities, lone surrogates) goes to `json`. One difference is left: an integer past
    64 bits becomes a float in orjson. The columns read this way (`matcher.search.posting_rows`) hold
    no such number that anything reads (ids are 64-bit; codes, names and skills are strings)."""
    if value is None:
        return None
    try:
        return orjson.loads(value)
    except orjson.JSONDecodeError:
        return json.loads(value)


def current(stored, text: str) -> Counter | None:
    """The stored words of `text` when they are current (this fingerprint, this text), else None.
    `stored` is the column's value, decoded or as its JSON text."""
    if stored is None:
        return None
    if isinstance(stored, (str, bytes)):
        try:
            stored = loads(stored)
        except ValueError:
            return None
    if not isinstance(stored, dict) or stored.get("v") != fingerprint() or stored.get("t") != text_digest(text):
        return None
    words = stored.get("words")
    return Counter(words) if isinstance(words, dict) else None


def write_back(engine, fills) -> int:
    """Store words cut on a read: `fills` are (id, change_seq, text, counts) of rows read at that change
    number; a row changed (or gone) since is left alone. Best effort: a failure only means the next read
    cuts them again. `updated_at` and `change_seq` stay as they were (the change feed is not woken)."""
    table = Posting.__table__
    statement = (update(table).where(table.c.id == bindparam("_id"), table.c.change_seq == bindparam("_seq"))
                 .values(lexical_words=bindparam("_words"), updated_at=table.c.updated_at))
    done = 0
    try:
        for start in range(0, len(fills), WRITE_BATCH):
            batch = [{"_id": item_id, "_seq": seq, "_words": derive(text, counts)}
                     for item_id, seq, text, counts in fills[start:start + WRITE_BATCH]]
            with engine.begin() as connection:
                done += connection.execute(statement, batch).rowcount
    except SQLAlchemyError:
        log.warning("could not store the BM25 words of %d postings; they are cut again next time",
                    len(fills) - done, exc_info=True)
    return done
