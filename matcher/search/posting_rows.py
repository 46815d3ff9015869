"""Postings as the index reads them: plain rows, not ORM objects (issue 16).

A rebuild (and a start without a usable snapshot, and the change feed) reads every open posting to make
its catalog entry and its BM25 words. Through the ORM that cost about 160 µs a row at 100k postings
(hydrating `Posting` objects with their joined employer, and `json` decoding three JSON columns):
most of a rebuild's entries pass. Here one Core select reads the columns the entry, the posting text
and the live check need, with the JSON columns as their text (decoded with orjson,
`matcher.posting_words.loads`), the employer's name by an outer join, and the stored BM25 words
(`matcher.posting_words`). `PostingRow` carries the same attribute names as `Posting`, so
`matcher.search.sides.posting_entry`, `matcher.postings.posting_text_of` and the live check read it
unchanged; a new attribute they read and this row lacks fails loudly (slots).
"""
from __future__ import annotations

from typing import NamedTuple, Sequence

from sqlalchemy import Text, cast, select

from data.schema import Employer, Posting
from matcher.posting_words import current, loads
from matcher.search.tables import PlainRows

_P, _E = Posting.__table__, Employer.__table__
_PLAIN = ("id", "status", "change_seq", "title", "description", "requirements", "salary_text", "monthly_min",
          "monthly_max", "education_level", "experience_min", "employment_type", "expires_at", "accessible", "lat",
          "lon", "location_precision", "location_radius_km", "street_code", "station_id")
_JSON = ("skills", "occupation_codes", "extracted")


class EmployerName(NamedTuple):
    """What an entry reads of a posting's employer (`row.employer.name`)."""

    name: str


class PostingRow:
    """One posting row's columns for the index, JSON decoded (`lexical_words` stays text: `stored_words`
    decodes it only after the cheaper checks)."""

    __slots__ = _PLAIN + _JSON + ("lexical_words", "employer")


def posting_rows_select():
    """The columns a `PostingRow` holds, from postings left-joined to their employer."""
    return (select(*(_P.c[name] for name in _PLAIN), *(cast(_P.c[name], Text).label(name) for name in _JSON),
                   cast(_P.c.lexical_words, Text).label("lexical_words"), _E.c.name.label("employer_name"))
            .select_from(_P.outerjoin(_E, _E.c.id == _P.c.employer_id)))


def posting_rows(part: Sequence) -> list[PostingRow]:
    """`PostingRow`s of a chunk of `posting_rows_select` result rows."""
    out = []
    new = PostingRow.__new__
    for values in part:
        row = new(PostingRow)
        (row.id, row.status, row.change_seq, row.title, row.description, row.requirements, row.salary_text,
         row.monthly_min, row.monthly_max, row.education_level, row.experience_min, row.employment_type,
         row.expires_at, row.accessible, row.lat, row.lon, row.location_precision, row.location_radius_km,
         row.street_code, row.station_id, skills, codes, extracted, row.lexical_words, employer) = values
        row.skills, row.occupation_codes, row.extracted = loads(skills), loads(codes), loads(extracted)
        row.employer = None if employer is None else EmployerName(employer)
        out.append(row)
    return out


def stored_words(row, text: str):
    """The row's stored BM25 words when current for `text` (`matcher.posting_words.current`)."""
    return current(row.lexical_words, text)


POSTING_ROWS = PlainRows(select=posting_rows_select, decode=posting_rows)
