"""One folding of text for matching, and one test for an empty cell.

`fold` keeps offsets (one character in, one out) so spans found in folded text point into the
original; `compact` is for parsing a short field, where offsets do not matter.
"""
from __future__ import annotations

import math
import re
import unicodedata

PLACEHOLDERS = frozenset({"", "-", "/", "—", "nan", "none", "null", "n/a"})
_DASHES = re.compile(r"[~～〜—–－﹣至到]")


def _fold_char(ch: str, lower: bool) -> str:
    folded = unicodedata.normalize("NFKC", ch)
    if lower:
        folded = folded.lower()
    return folded if len(folded) == 1 else ch


def fold(text: str, *, lower: bool = True) -> str:
    """Full-width to half-width (and lower case), one character for one character: offsets survive."""
    return "".join(_fold_char(ch, lower) for ch in text)


def compact(text: str) -> str:
    """NFKC (full-width -> half-width), lower case, no whitespace, range dashes and 至/到 as '-'."""
    text = unicodedata.normalize("NFKC", str(text)).lower()
    return _DASHES.sub("-", re.sub(r"\s+", "", text))


def is_blank(value: object, *, placeholders: bool = False) -> bool:
    """None, NaN, or only whitespace; with `placeholders`, also a spreadsheet's '-', '/', 'nan', 'null'..."""
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if not isinstance(value, str) and not placeholders:
        return False
    text = str(value).strip()
    return text.lower() in PLACEHOLDERS if placeholders else not text
