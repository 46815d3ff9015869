"""The rows shown are made in one step (`PostingColumns.entries_at`): the same
entries as the one-row path, value for value, through upserts, closings
and a compaction of the catalog's columns."""
import numpy as np

from matcher.search.columns import PostingColumns
from matcher.types import PostingEntry, Side


def _entry(posting_id: int, rng) -> PostingEntry:
    known = rng.random(6) < 0.6
    side = Side(
        id=posting_id, skills=frozenset(str(w) for w in rng.choice(["叉车", "电工", "焊接", "Excel"], rng.integers(0, 4),
                                                                   replace=False)),
        certificates=frozenset(str(w) for w in rng.choice(["叉车证", "健康证"], rng.integers(0, 3), replace=False)),
        education=int(rng.integers(1, 6)) if known[0] else None, experience=float(rng.integers(0, 5)) if known[1] else None,
        salary_low=float(rng.integers(3, 8)) * 1000 if known[2] else None,
        salary_high=float(rng.integers(8, 12)) * 1000 if known[3] else None,
        occupations=tuple(str(c) for c in rng.choice(["4-02-06-01", "4-03-01-01", "6-31-01-03"], rng.integers(0, 3),
                                                     replace=False)),
        point=(31.0 + rng.random(), 121.0 + rng.random()) if known[4] else None,
        approximate_point=bool(rng.random() < 0.3), coarse_point=bool(rng.random() < 0.1),
        radius_km=float(rng.random()), title=f"岗位{posting_id}", occupation_name="保洁员" if known[5] else None,
        occupation_phrase="可能是保洁员（置信度低）" if rng.random() < 0.2 else None,
        salary_text="5000-8000元/月" if known[2] else None, night_work=bool(rng.random() < 0.3))
    return PostingEntry(side=side, employer=f"单位{posting_id % 7}", expires_ts=None if rng.random() < 0.5 else 1e9 + posting_id,
                        accessible=bool(rng.random() < 0.5), employment_type="全职", salary_text=side.salary_text,
                        street_code="310101001" if rng.random() < 0.5 else None,
                        station_id=int(rng.integers(1, 9)) if rng.random() < 0.5 else None,
                        duplicate_of=posting_id - 1 if posting_id > 1 and rng.random() < 0.2 else None)


def _same(columns: PostingColumns) -> int:
    slots = np.flatnonzero(columns.ids[:columns.size] != 0)
    made = columns.entries_at(slots[::-1])  # any order, repeats allowed
    expected = [columns.entry_at(s) for s in slots[::-1].tolist()]
    assert made == expected and repr(made) == repr(expected)  # (repr: an int stays an int, None stays None)
    for entry, slot in zip(made, slots[::-1].tolist()):
        assert entry.side.skills == columns.entry_at(slot).side.skills
        assert list(entry.side.skills) == list(columns.entry_at(slot).side.skills)  # the same set order too
    return len(made)


def test_entries_at_makes_the_entries_entry_at_makes():
    rng = np.random.default_rng(3)
    columns = PostingColumns(capacity=8)
    for i in range(1, 301):
        columns.put(_entry(i, rng))
    assert _same(columns) == 300
    for i in range(1, 301, 3):  # upserts rewrite their slot
        columns.put(_entry(i, rng))
    for i in range(2, 301, 2):
        columns.drop(i)
    assert _same(columns) == 150
    columns.compact()
    assert _same(columns) == 150
    assert columns.entries_at([]) == []
    assert columns.entries_at([0, 0])[0] == columns.entries_at([0, 0])[1]

