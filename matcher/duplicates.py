"""Repeated postings: same employer, title and address (or street), near-identical text.

A repeat is stored and marked `duplicate_of` the first open posting it repeats (matching shows only
the first of each group). The mark is recomputed whenever a marked posting is written again, so an
edit keeps it while the posting still repeats and drops it once it no longer does.
"""
from __future__ import annotations

import re

from sqlalchemy import select

from data.schema import Posting


def _text_key(text: str) -> set[str]:
    text = re.sub(r"\s+", "", text or "")
    return {text[i:i + 3] for i in range(max(1, len(text) - 2))}


def near_identical(a: str, b: str, threshold: float = 0.9) -> bool:
    """Character-trigram Jaccard of two texts at or above `threshold`."""
    ka, kb = _text_key(a), _text_key(b)
    return bool(ka | kb) and len(ka & kb) / len(ka | kb) >= threshold


def dup_key(employer, title, address) -> tuple[str, str, str]:
    norm = lambda v: re.sub(r"[\s（）()]", "", str(v or "")).lower()
    return norm(employer), norm(title), norm(address)


def original_of(session, row: Posting) -> int | None:
    """The id of the first open posting `row` repeats (following that one's own mark), or None."""
    if row.id is None:
        return None
    same = session.scalars(select(Posting).where(
        Posting.title == row.title, Posting.employer_id == row.employer_id, Posting.id < row.id,
        Posting.status == "open").order_by(Posting.id)).all()
    key = dup_key("", "", row.address or row.street_code)
    text = f"{row.description}\n{row.requirements}"
    original = next((o for o in same if dup_key("", "", o.address or o.street_code) == key
                     and near_identical(f"{o.description}\n{o.requirements}", text)), None)
    if original is None:
        return None
    return (original.extracted or {}).get("duplicate_of") or original.id


def set_mark(row: Posting, first: int | None) -> bool:
    """Store `first` as the row's `duplicate_of` (None removes it); True when that changed the row."""
    extracted = dict(row.extracted or {})
    if extracted.get("duplicate_of") == first:
        return False
    if first is None:
        extracted.pop("duplicate_of", None)
    else:
        extracted["duplicate_of"] = first
    row.extracted = extracted
    return True


def marked_originals(session) -> set[int]:
    """Ids that some posting is marked a repeat of (one scan; lets a bulk write skip the rest)."""
    mark = Posting.extracted["duplicate_of"].as_integer()
    return {int(i) for i in session.scalars(select(mark).where(mark.is_not(None)).distinct()) if i is not None}


def refresh_dependents(session, row: Posting, employer_id: int | None, take_seq) -> list[int]:
    """Recompute the mark of every posting marked a repeat of `row` (after `row` was edited or closed:
    a repeat of something that changed or closed is no longer hidden behind it). `employer_id` is the
    row's employer before the edit (repeats share it); `take_seq(n)` reserves change numbers so every
    index picks the new marks up. Returns the ids whose mark changed."""
    if row.id is None:
        return []
    session.flush()
    candidates = session.scalars(select(Posting).where(
        Posting.employer_id == employer_id, Posting.id > row.id,
        Posting.extracted["duplicate_of"].as_integer() == row.id).order_by(Posting.id)).all()
    changed = [other for other in candidates if set_mark(other, original_of(session, other))]
    if changed:
        seq = take_seq(len(changed))
        for offset, other in enumerate(changed):
            other.change_seq = seq + offset
    return [other.id for other in changed]
