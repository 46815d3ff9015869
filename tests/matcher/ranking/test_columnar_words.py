"""The columnar ranking's word tables (`columnar.Words`, `columnar.prefixes`) agree with the per-pair
rules of `scoring` for occupation codes, skills, certificates and gates, also after the catalog's
vocabulary grows between two requests."""
import numpy as np

from matcher.ranking import columnar
from matcher.ranking.pool import Pool
from matcher.ranking.scoring import coverage_component, gates, gates_component, occupation_pair
from matcher.search.columns import PostingColumns
from matcher.types import PostingEntry, Side

CODES = ["4-02-06-01", "4-02-06-02", "4-02-07-01", "4-03-01-01", "6-31-01-03", "2-02-07-04"]


def _entry(posting_id: int, codes=(), skills=(), certificates=(), night=False) -> PostingEntry:
    side = Side(id=posting_id, occupations=tuple(codes), skills=frozenset(skills), certificates=frozenset(certificates),
                night_work=night, point=(31.23, 121.47))
    return PostingEntry(side=side, employer="示例", expires_ts=None, accessible=False, employment_type="全职",
                        salary_text=None, street_code=None, station_id=None)


def _postings(start: int = 1) -> list[PostingEntry]:
    rng = np.random.default_rng(start)
    out = []
    for i in range(40):
        codes = [str(w) for w in rng.choice(CODES, size=int(rng.integers(0, 3)), replace=False)]
        skills = [str(w) for w in rng.choice(["叉车", "电工", "焊接", "Excel", "保洁"], size=int(rng.integers(0, 3)),
                                             replace=False)]
        certificates = [str(w) for w in rng.choice(["叉车证", "电工证", "健康证"], size=int(rng.integers(0, 2)),
                                                   replace=False)]
        out.append(_entry(start + i, codes, skills, certificates, night=bool(i % 3 == 0)))
    return out


SEEKERS = [
    Side(id=1, occupations=("4-02-06-01",), skills=frozenset({"叉车", "电工"}), certificates=frozenset({"叉车证"})),
    Side(id=2, occupations=("4-02-07-09", "6-31-02-01"), denied=frozenset({"电工证"}), nights_ruled_out=True),
    Side(id=3, occupations=("4-03-01-01",), former_occupations=("4-02-06-01",), all_certificates=True),
    Side(id=4, skills=frozenset({"未知技能"}), certificates=frozenset({"未知证"})),
    Side(id=5, occupations=("9-99-99-99",), former_occupations=("4-02-07-01",)),
]


def _check(columns: PostingColumns, entries: list[PostingEntry]) -> None:
    ids = np.asarray([e.side.id for e in entries], np.int64)
    found = Pool(ids, np.full(len(ids), 0.7))
    for seeker in SEEKERS:
        c = columnar.candidates(columns, found, now=0.0, seeker=seeker)
        postings = [next(e.side for e in entries if e.side.id == i) for i in c.ids.tolist()]
        occupation = np.broadcast_to(columnar._occupation(seeker, c), len(c))
        np.testing.assert_array_equal(occupation, [occupation_pair(seeker.occupations, p.occupations) for p in postings])
        np.testing.assert_array_equal(np.broadcast_to(columnar.gate_values(seeker, c), len(c)),
                                      gates_component([gates(seeker, p) for p in postings]))
        ranking = columnar.rank_jobs(seeker, c, commute=None, weights={"coverage": 1.0})
        np.testing.assert_array_equal(ranking.table["coverage"], coverage_component(
            [len(p.skills & seeker.skills) for p in postings], [len(p.skills) for p in postings]))


def test_word_tables_agree_with_the_pair_rules_as_the_vocabulary_grows():
    columns = PostingColumns()
    entries = _postings()
    for entry in entries:
        columns.put(entry)
    _check(columns, entries)
    # New codes, skills and certificates arrive (the vocabulary grows, the prefix table is made again).
    more = [_entry(100, ["4-02-07-09", "9-99-99-99"], ["未知技能"], ["未知证", "电工证"], night=True),
            _entry(101, ["6-31-02-01"], ["新技能"], ["新证"]), _entry(102, ["4-02-07-05"])]
    for entry in more:
        columns.put(entry)
    _check(columns, entries + more)
