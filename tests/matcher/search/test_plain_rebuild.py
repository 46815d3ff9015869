"""The posting index reads its rows as plain rows with their stored BM25 words (issue 16): what it builds
equals what the ORM path (the code before) builds, on a collection with odd stored values, and words are
cut once, stored, and never used for another text or by other tokenizing code."""
from __future__ import annotations

import dataclasses
import json
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import text, update

from data import demo
from data.schema import Posting
from matcher import posting_words
from matcher.components import POSTINGS
from matcher.inputs import PostingInput
from matcher.search import lexical as lexical_module
from matcher.service import JobCircle
from models.encoder import HashingEncoder

ORM_PATH = dataclasses.replace(POSTINGS, plain=None, stored_words=None, keep_words=None)
QUERIES = ["会开叉车，做过仓库管理", "保洁 清洁设备", "厨师 健康证", "收银员 超市", "电工证 维修", "夜班 保安"]


def _odd_collection(service) -> list[int]:
    """Demo postings plus rows no writer makes: NULL and odd JSON, no employer, coarse and unknown
    places, duplicates of one text, closed and expired rows, and stored words missing, damaged, from
    other code or for another text."""
    rows = [PostingInput.model_validate(row) for row in demo.postings(60, seed=11)]
    ids = service.upsert_postings(rows + [rows[3].model_copy(update={"external_id": f"dup-{n}"}) for n in range(3)])
    past = datetime.now(timezone.utc) - timedelta(days=3)
    odd = {
        ids[0]: {"extracted": None, "occupation_codes": None},
        ids[1]: {"extracted": {}, "occupation_codes": [], "skills": []},
        ids[2]: {"occupation_codes": [{"code": "4-02-06-01", "name": "仓储管理员"}], "employer_id": None},
        ids[4]: {"location_precision": "district", "location_radius_km": None},
        ids[5]: {"lat": None, "lon": None, "location_precision": None},
        ids[6]: {"status": "closed"},
        ids[7]: {"expires_at": past},
        ids[8]: {"extracted": {"skills": ["叉车驾驶"], "duplicate_of": ids[9], "night_work": True}},
        ids[10]: {"occupation_codes": [{"code": "4-10-01-05", "name": "养老护理员", "confident": False, "level": 3},
                                       {"code": "4-10-01-06", "name": "护工", "level": 4}]},
        ids[11]: {"lexical_words": None},
        ids[12]: {"lexical_words": {"v": "0" * 16, "t": "x", "words": {"假": 1}}},
        ids[13]: {"salary_text": None, "monthly_min": None, "monthly_max": None, "education_level": None},
    }
    with service.db.session() as session, session.begin():
        for posting_id, values in odd.items():
            session.execute(update(Posting).where(Posting.id == posting_id).values(**values))
        session.execute(update(Posting).where(Posting.id == ids[14]).values(title="换了标题的岗位"))  # words of the old text
    with service.db.engine.begin() as connection:  # a damaged value, as text
        connection.execute(text("UPDATE postings SET lexical_words = '{not json' WHERE id = :i"), {"i": ids[15]})
    return ids


def _read(service, spec):
    synced = service.postings
    original, synced.spec = synced.spec, spec
    try:
        with service.db.session() as session:
            return synced._read_entries(session, synced.count_live(session))
    finally:
        synced.spec = original


def _entries(catalog) -> list:
    return [(item_id, catalog.get(item_id)) for item_id in catalog.ids()]


def _lexical(index, ids) -> dict:
    return {"terms": {i: list(index.terms(i).items()) for i in ids}, "n": len(index),
            "scores": {q: index.scores(q, ids).tolist() for q in QUERIES},
            "search": {q: list(index.search(q, 20).items()) for q in QUERIES}}


def _answers(service) -> dict:
    out = {}
    for query in QUERIES:
        found = service.match_text(query, k=10)
        out[query] = [(r["posting_id"], r["title"], r["score"]) for r in found["results"]]
    return out


def test_plain_rows_build_what_orm_rows_build(service):
    ids = _odd_collection(service)
    old_entries, old_lexical, _ = _read(service, ORM_PATH)
    new_entries, new_lexical, fills = _read(service, POSTINGS)
    assert _entries(new_entries) == _entries(old_entries)  # same entries, same slots
    assert new_entries.columns.vocab.words == old_entries.columns.vocab.words
    live = sorted(old_entries.ids())
    assert ids[6] not in live and ids[7] in live  # closed: out; expired: held (checked at query time)
    assert _lexical(new_lexical, live) == _lexical(old_lexical, live)
    assert max(_lexical(new_lexical, live)["scores"]["保洁 清洁设备"]) > 0
    # Cut on this read: the rows without words, with other code's, for another text (skills or title
    # changed by SQL), or damaged.
    assert sorted(f[0] for f in fills) == sorted({ids[1], ids[11], ids[12], ids[14], ids[15]})

    # The whole rebuild (entries, lexical index, FAISS) answers alike either way.
    service.postings.rebuild()
    new_answers = _answers(service)
    service.postings.spec = ORM_PATH
    try:
        service.postings.rebuild()
        assert _answers(service) == new_answers
    finally:
        service.postings.spec = POSTINGS
    assert any(rows for rows in new_answers.values())


def test_a_start_without_a_snapshot_reads_plain_rows_as_a_rebuild_does(settings):
    first = JobCircle(settings, HashingEncoder(256)).start()
    try:
        ids = _odd_collection(first)
        first.postings.rebuild()
        expected = _entries(first.postings.entries), _lexical(first.postings.lexical, ids), _answers(first)
    finally:
        first.stop()
    (settings.index_dir / "entries.pkl").unlink()  # the index loads; the entries come from the change feed
    second = JobCircle(settings, HashingEncoder(256)).start()
    try:
        got = _entries(second.postings.entries), _lexical(second.postings.lexical, ids), _answers(second)
        assert sorted(got[0]) == sorted(expected[0])  # change order, not table order: same entries
        assert got[1:] == expected[1:]
    finally:
        second.stop()


def _stored(service, posting_id):
    with service.db.engine.connect() as connection:
        row = connection.execute(text("SELECT lexical_words, change_seq, updated_at FROM postings WHERE id = :i"),
                                 {"i": posting_id}).one()
    return (None if row[0] is None else json.loads(row[0])), row[1], row[2]


def test_words_are_cut_when_written_and_never_again(service, monkeypatch):
    calls = Counter()
    real_tokens = lexical_module.tokens
    monkeypatch.setattr(lexical_module, "tokens", lambda t: calls.update([t]) or real_tokens(t))
    ids = service.upsert_postings([PostingInput(title="叉车司机", requirements="持叉车证，能上夜班"),
                                   PostingInput(title="面点师", requirements="会做包子馒头")])
    stored, _, _ = _stored(service, ids[0])
    assert stored["v"] == posting_words.fingerprint() and "叉车" in stored["words"]
    written = sum(calls.values())
    assert written == 2
    service.postings.rebuild()
    assert sum(calls.values()) == written  # the rebuild read the stored words


def test_rows_without_current_words_are_cut_once_and_stored_back(service, monkeypatch):
    ids = service.upsert_postings([PostingInput(title="叉车司机", requirements="持叉车证，能上夜班"),
                                   PostingInput(title="面点师", requirements="会做包子馒头")])
    with service.db.session() as session, session.begin():  # as rows written before migration 0011
        session.execute(update(Posting).values(lexical_words=None))
    before = [_stored(service, i) for i in ids]
    calls = Counter()
    real_tokens = lexical_module.tokens
    monkeypatch.setattr(lexical_module, "tokens", lambda t: calls.update([t]) or real_tokens(t))
    service.postings.rebuild()
    assert sum(calls.values()) == 2
    for posting_id, (_, seq, updated) in zip(ids, before):
        stored, seq_now, updated_now = _stored(service, posting_id)
        assert posting_words.current(stored, _text(service, posting_id)) is not None
        assert (seq_now, updated_now) == (seq, updated)  # the change feed is not woken, nothing looks edited
    service.postings.rebuild()
    assert sum(calls.values()) == 2
    assert ids[1] in service.postings.lexical.search("包子", 5)


def test_words_read_for_a_row_changed_since_are_not_stored(service):
    posting_id, = service.upsert_postings([PostingInput(title="叉车司机", requirements="持叉车证")])
    with service.db.session() as session, session.begin():
        session.execute(update(Posting).values(lexical_words=None))
    _, seq, _ = _stored(service, posting_id)
    assert posting_words.write_back(service.db.engine, [(posting_id, seq - 1, "叉车司机", Counter({"叉车": 1}))]) == 0
    assert _stored(service, posting_id)[0] is None


def _text(service, posting_id) -> str:
    from matcher.postings import posting_text_of

    with service.db.session() as session:
        return posting_text_of(session.get(Posting, posting_id))


def test_stored_words_are_current_only_for_their_code_and_text():
    stored = posting_words.derive("叉车司机\n持叉车证")
    assert posting_words.current(stored, "叉车司机\n持叉车证") == Counter(stored["words"])
    assert posting_words.current(json.dumps(stored, ensure_ascii=False), "叉车司机\n持叉车证") is not None
    assert posting_words.current(stored, "面点师") is None
    assert posting_words.current(stored | {"v": "0" * 16}, "叉车司机\n持叉车证") is None
    assert posting_words.current("{not json", "x") is None and posting_words.current(None, "x") is None


def test_the_fingerprint_covers_everything_tokens_runs():
    """`posting_words.fingerprint` hashes the code of `tokens` and the names it reads; a new helper or
    constant in `tokens` must be added there (else words cut by other code could pass as current)."""
    def names(code):
        found = set(code.co_names)
        for const in code.co_consts:
            if hasattr(const, "co_names"):
                found |= names(const)
        return found

    module_names = {name for name in names(lexical_module.tokens.__code__) if hasattr(lexical_module, name)}
    assert module_names <= set(posting_words.TOKEN_CODE) | set(posting_words.TOKEN_DATA)
    assert names(lexical_module._jieba.__wrapped__.__code__) <= {"jieba", "setLogLevel", "logging", "WARNING", "initialize"}


@pytest.mark.parametrize("value", ['{"a": NaN}', '[1e400, -Infinity]', '{"s": "\\ud800"}', '[9223372036854775807, -0.0]',
                                   '"x"', "null"])
def test_json_is_decoded_as_json_decodes_it(value):
    got = posting_words.loads(value)
    expected = json.loads(value)
    assert repr(got) == repr(expected)


def test_postings_read_on_postgresql_as_on_sqlite(pg_database, tmp_path):
    """The plain read casts the JSON columns to text on PostgreSQL (psycopg would decode them)."""
    from matcher.settings import Settings

    settings = Settings(data_dir=tmp_path, database_url=pg_database)
    service = JobCircle(settings, HashingEncoder(256)).start()
    try:
        ids = _odd_collection(service)
        old_entries, old_lexical, _ = _read(service, ORM_PATH)
        new_entries, new_lexical, fills = _read(service, POSTINGS)
        assert sorted(_entries(new_entries)) == sorted(_entries(old_entries))
        live = sorted(old_entries.ids())
        assert _lexical(new_lexical, live) == _lexical(old_lexical, live)
        assert ids[6] not in live and ids[11] in {f[0] for f in fills}
        service.postings.rebuild()
        assert _stored(service, ids[11])[0] is not None  # stored back
    finally:
        service.stop()
        service.db.close()


def test_the_collector_is_paused_only_while_rows_are_read(service):
    import gc

    from matcher.search.tables import collector_paused

    seen = []
    real_entry = service.postings.spec.entry_of
    service.postings.spec = dataclasses.replace(POSTINGS, entry_of=lambda row: seen.append(gc.isenabled()) or real_entry(row))
    try:
        service.upsert_postings([PostingInput(title="叉车司机", requirements="持叉车证")])
        service.postings.rebuild()
    finally:
        service.postings.spec = POSTINGS
    assert seen and not any(seen) and gc.isenabled()
    with collector_paused():  # nested (another thread's pass): on again only when the last one ends
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
