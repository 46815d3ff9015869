"""A seeker's match query, derived from their own row once, when the row is written.

`JobCircle.match_seeker` used to turn the stored row into a query on every request: decode the
`extracted` and `occupation_codes` JSON, neutralise and compose the seeker's text (`seeker_text`) and
cut it into BM25 words with jieba. None of that depends on anything but the row, so the writers
(`matcher.seekers.SeekerWriter._fill`) store it in the row's `match_query` column (migration 0010):

    {"v": fingerprint, "words": [[word, count], ...], "side": seeker_parsed(row)}

`words` are `query_words(seeker_text(...))` in their order (the BM25 sums add up in it), `side` the
`Side` fields read off the JSON columns (`matcher.search.sides.seeker_parsed`). A request reads the
plain columns and this one (`SEEKER_QUERY_ROW`, one indexed read) and does no text processing.

`v` is a fingerprint of everything the derivation runs (the source of the modules below, the protected
attribute list, jieba's version and dictionary). A stored query whose fingerprint differs, or a row
written before the column (NULL), is derived again from the full row on the next request (a second
read, `SEEKER_MATCH_ROW`) and written back when the row has not changed since; stale words are never
used. The column is personal data like the resume it comes from: it lives and dies with the row
(`matcher.counsellor.erasure.erase_seeker` deletes the row; nothing copies the column elsewhere).
"""
from __future__ import annotations

import hashlib
import importlib.util
import logging
from collections import Counter
from functools import lru_cache
from pathlib import Path

from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import SQLAlchemyError

from data.schema import Seeker
from matcher.search.lexical import query_words, tokenizer_stamp
from matcher.search.sides import seeker_parsed, seeker_side_from
from matcher.text.profiles import seeker_text
from matcher.types import Side

log = logging.getLogger("jobcircle.seeker_query")

FORMAT = 1  # bump when the stored shape changes
# Every module whose code decides the stored words or side fields (the derivation and what it calls).
SOURCES = (
    "matcher.seeker_query", "matcher.search.sides", "matcher.search.lexical", "matcher.text.profiles",
    "matcher.text.fairness", "matcher.text.intent", "matcher.text.normalise",
)

# The seeker columns a match request reads when the stored query is current: the plain columns of
# the `Side`, the vector, the query, and what the API's access and consent checks read.
SEEKER_QUERY_ROW = select(
    Seeker.id, Seeker.embedding, Seeker.match_query, Seeker.education_level, Seeker.experience_years,
    Seeker.expected_salary_monthly, Seeker.lat, Seeker.lon, Seeker.location_precision, Seeker.location_radius_km,
    Seeker.max_commute_minutes, Seeker.change_seq, Seeker.station_id, Seeker.consent_withdrawn_at,
).where(Seeker.id == bindparam("seeker_id"))

# The full row a query is derived from (rows without a current query), with the same plain columns.
SEEKER_SOURCE_ROW = select(
    Seeker.id, Seeker.embedding, Seeker.education_level, Seeker.experience_years, Seeker.expected_salary_monthly,
    Seeker.lat, Seeker.lon, Seeker.location_precision, Seeker.location_radius_km, Seeker.max_commute_minutes,
    Seeker.change_seq, Seeker.station_id, Seeker.consent_withdrawn_at, Seeker.resume_text, Seeker.desired_roles,
    Seeker.skills, Seeker.extracted, Seeker.occupation_codes,
).where(Seeker.id == bindparam("seeker_id"))


def _module_bytes(name: str) -> bytes:
    spec = importlib.util.find_spec(name)
    origin = spec.origin if spec is not None else None
    try:
        return Path(origin).read_bytes() if origin else b"missing:" + name.encode()
    except OSError:
        return b"unreadable:" + name.encode()


@lru_cache(maxsize=1)
def fingerprint() -> str:
    """A short hash of the code and data the derivation runs; a stored query with another is recomputed."""
    from matcher.text.fairness import POLICY_DIR

    digest = hashlib.sha256(f"format {FORMAT}\n".encode())
    for name in SOURCES:
        digest.update(name.encode() + b"\0" + _module_bytes(name) + b"\0")
    policy = POLICY_DIR / "protected_attributes.json"
    digest.update(policy.read_bytes() if policy.exists() else b"no policy")
    digest.update(tokenizer_stamp())
    return digest.hexdigest()[:16]


def derive(row) -> dict:
    """The stored query of a seeker row (an ORM `Seeker` or a row with the `SEEKER_SOURCE_ROW` columns)."""
    text = seeker_text(row.resume_text or "", row.desired_roles or [], row.skills or [])
    return {"v": fingerprint(), "words": [[word, count] for word, count in query_words(text).items()],
            "side": seeker_parsed(row)}


def is_current(stored) -> bool:
    return isinstance(stored, dict) and stored.get("v") == fingerprint()


def side_of(row, stored: dict) -> Side:
    return seeker_side_from(row, stored["side"])


def words_of(stored: dict) -> Counter:
    """The query's BM25 word counts, a fresh Counter in the stored order."""
    return Counter(dict(stored["words"]))


def write_back(engine, seeker_id: int, change_seq: int, stored: dict) -> bool:
    """Store a query derived on a request, unless the row changed (or went) since it was read; best
    effort (a failure only means the next request derives it again). `updated_at` stays as it was."""
    table = Seeker.__table__
    try:
        with engine.begin() as connection:
            done = connection.execute(
                update(table).where(table.c.id == seeker_id, table.c.change_seq == change_seq)
                .values(match_query=stored, updated_at=table.c.updated_at)).rowcount
        return bool(done)
    except SQLAlchemyError:
        log.warning("could not store the match query of seeker %s; it is derived again next time", seeker_id,
                    exc_info=True)
        return False
