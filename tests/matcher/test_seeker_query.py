"""A seeker's match query is derived when the seeker is written and read with the row (`matcher.seeker_query`).

What a request used to derive from the row (the BM25 words of the seeker's text, the `Side` fields of the
JSON columns) is stored in `seekers.match_query`: a match does no text processing, gives the same
answer, never uses words derived by other code (a fingerprint), fills rows written before the column,
and the derived words go wherever the resume goes when a person is erased.
"""
from __future__ import annotations

import json
from collections import Counter

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

import data.all_tables  # noqa: F401
from data import db
from data.schema import Base
from matcher import seeker_query
from matcher.counsellor.access import LOCAL_ADMIN
from matcher.counsellor.desk import CounsellorDesk
from matcher.errors import NotFound
from matcher.inputs import PostingInput, SeekerInput
from matcher.prepared import PreparedRead
from matcher.search import lexical, sides
from matcher.search.lexical import query_words
from matcher.search.sides import SEEKER_MATCH_ROW, seeker_side
from matcher.service import JobCircle
from matcher.settings import Settings
from matcher.text import fairness, intent, profiles
from matcher.text.profiles import seeker_text
from models.encoder import HashingEncoder

POSTINGS = [
    PostingInput(title="仓库管理员", requirements="会开叉车，熟悉WMS系统", salary="6000-7000元/月", street="曲阳路街道"),
    PostingInput(title="叉车司机", requirements="持叉车证，能上夜班", salary="7000-8000元/月", street="广中路街道"),
    PostingInput(title="平面设计助理", requirements="熟练使用Photoshop、Illustrator", salary="6000-8000元/月",
                 lat=31.2700, lon=121.4800),
]
SEEKERS = [
    SeekerInput(resume_text="做过五年仓库管理员，会开叉车，持叉车证，熟悉WMS系统。不能上夜班。", consent=True,
                street="曲阳路街道", expected_salary=6500),
    SeekerInput(resume_text="以前做销售，现在想做平面设计，熟练Photoshop。", consent=True, lat=31.2702, lon=121.4801,
                desired_roles=["设计助理"], skills=["Illustrator"]),
    SeekerInput(resume_text="大专学历，做过理货员两年。", consent=True),
]
PROBE = "QuokkaZebra9137"  # cut and lower-cased into the stored words only: the resume keeps its case


def _stored(service, seeker_id: int):
    """The stored query as the column holds it (compact JSON text), decoded."""
    with service.db.engine.connect() as connection:
        value = connection.execute(text("SELECT match_query FROM seekers WHERE id = :i"), {"i": seeker_id}).scalar()
    return None if value is None else json.loads(value)


def _full_row(service, seeker_id: int):
    return PreparedRead(service.db.engine, seeker_query.SEEKER_SOURCE_ROW).one_or_none(seeker_id=seeker_id)


def _old_derivation(service, seeker_id: int):
    """What `match_seeker` derived on every request before the query was stored."""
    row = PreparedRead(service.db.engine, SEEKER_MATCH_ROW).one_or_none(seeker_id=seeker_id)
    words = query_words(seeker_text(row.resume_text or "", row.desired_roles or [], row.skills or []))
    return seeker_side(row), words


@pytest.fixture
def world(service):
    service.upsert_postings(POSTINGS)
    ids = [service.create_seeker(inp)["id"] for inp in SEEKERS]
    return service, ids


def _spy_words(monkeypatch):
    """Records the words every `match_jobs` call is handed."""
    import matcher.service as service_module

    seen, real = [], service_module.match_jobs

    def spy(*args, **kwargs):
        seen.append(kwargs.get("words"))
        return real(*args, **kwargs)

    monkeypatch.setattr(service_module, "match_jobs", spy)
    return seen


def test_the_stored_query_is_what_each_request_used_to_derive(world):
    service, ids = world
    for seeker_id in ids:
        row = PreparedRead(service.db.engine, seeker_query.SEEKER_QUERY_ROW).one_or_none(seeker_id=seeker_id)
        assert seeker_query.is_current(row.match_query)
        side, words = _old_derivation(service, seeker_id)
        assert seeker_query.side_of(row, row.match_query) == side
        assert list(seeker_query.words_of(row.match_query).items()) == list(words.items())  # same order too
    assert "叉车" in seeker_query.words_of(_stored(service, ids[0]))
    assert seeker_query.side_of(_full_row(service, ids[0]), _stored(service, ids[0])).nights_ruled_out


def test_an_edit_stores_the_new_query(world):
    service, ids = world
    service.update_seeker(ids[2], {"resume_text": "做过两年收银员，会用收银系统。", "desired_roles": ["收银员"]})
    words = seeker_query.words_of(_stored(service, ids[2]))
    assert "收银员" in words and "理货员" not in words
    assert list(words.items()) == list(_old_derivation(service, ids[2])[1].items())


def test_a_match_processes_no_text_and_answers_as_before(world, monkeypatch):
    service, ids = world
    before = [service.match_seeker(seeker_id, k=3) for seeker_id in ids]

    def refuse(*_args, **_kwargs):
        raise AssertionError("text processed on a request")

    import matcher.ranking.pipeline as pipeline

    for module, name in ((seeker_query, "seeker_text"), (seeker_query, "query_words"), (lexical, "tokens"),
                         (pipeline, "query_words"), (profiles, "neutralise"), (seeker_query, "seeker_parsed")):
        monkeypatch.setattr(module, name, refuse)
    seen = _spy_words(monkeypatch)
    after = [service.match_seeker(seeker_id, k=3) for seeker_id in ids]
    assert after == before and before[0]["results"]
    assert all(isinstance(words, Counter) for words in seen)
    # The answers equal those of the text derived on the request, as the service did before.
    monkeypatch.undo()
    for seeker_id, answer in zip(ids, after):
        side, words = _old_derivation(service, seeker_id)
        row = _full_row(service, seeker_id)
        filters = pipeline.MatchFilters(max_commute_minutes=row.max_commute_minutes)
        text_answer = pipeline.match_jobs(service.postings, service.commute, service.settings,
                                          sides.vector_of(row.embedding, service.encoder.dim), side, 3, filters,
                                          query_text=seeker_text(row.resume_text, row.desired_roles, row.skills))
        assert text_answer == answer


def test_other_derivation_code_never_has_its_words_used(world, monkeypatch):
    service, ids = world
    seeker_id = ids[0]
    old = _stored(service, seeker_id)
    # A release whose derivation differs: another fingerprint, and words it would cut differently.
    monkeypatch.setattr(seeker_query, "fingerprint", lambda: "another-release")
    monkeypatch.setattr(seeker_query, "query_words", lambda text: Counter({"新版分词": 1, **query_words(text)}))
    seen = _spy_words(monkeypatch)
    service.match_seeker(seeker_id, k=3)
    assert seen[-1]["新版分词"] == 1  # derived again, not the stored words
    stored = _stored(service, seeker_id)
    assert stored["v"] == "another-release" and ["新版分词", 1] in stored["words"] and old["v"] != stored["v"]
    calls = []
    monkeypatch.setattr(seeker_query, "derive", lambda row: calls.append(row) or pytest.fail("derived twice"))
    service.match_seeker(seeker_id, k=3)  # stored back: the next request reads it
    assert seen[-1]["新版分词"] == 1 and not calls


def test_the_fingerprint_covers_the_derivation_code():
    for function in (profiles.seeker_text, profiles.compose_seeker_text, fairness.neutralise, intent.intent,
                     intent.strip_former, lexical.tokens, lexical.query_words, sides.seeker_parsed,
                     seeker_query.derive):
        assert function.__module__ in seeker_query.SOURCES, function
    for name in ("matcher.text.fairness", "matcher.search.lexical"):
        original = seeker_query._module_bytes
        try:
            seeker_query.fingerprint.cache_clear()
            before = seeker_query.fingerprint()
            seeker_query._module_bytes = lambda module, _n=name: original(module) + (b"#" if module == _n else b"")
            seeker_query.fingerprint.cache_clear()
            assert seeker_query.fingerprint() != before, name
        finally:
            seeker_query._module_bytes = original
            seeker_query.fingerprint.cache_clear()


def test_a_row_written_before_the_column_is_filled_on_its_first_match(world):
    service, ids = world
    expected = service.match_seeker(ids[1], k=3)
    stored = _stored(service, ids[1])
    with service.db.engine.begin() as connection:
        connection.execute(text("UPDATE seekers SET match_query = NULL"))
    assert service.match_seeker(ids[1], k=3) == expected
    assert _stored(service, ids[1]) == stored and _stored(service, ids[0]) is None  # only the one matched
    # A row changed after it was read is not overwritten with a query derived from its old text.
    seq = _full_row(service, ids[0]).change_seq
    service.update_seeker(ids[0], {"skills": ["WMS"]})
    assert seeker_query.write_back(service.db.engine, ids[0], seq, {"v": "old", "words": [], "side": {}}) is False
    assert seeker_query.is_current(_stored(service, ids[0]))


def test_erasing_a_seeker_erases_the_derived_words(settings, world):
    service, ids = world
    desk = CounsellorDesk(service).start()
    try:
        seeker_id = service.create_seeker(SeekerInput(resume_text=f"做过仓库理货，会开叉车，{PROBE}。", consent=True,
                                                      street="曲阳路街道"))["id"]
        assert PROBE.lower() in seeker_query.words_of(_stored(service, seeker_id))
        service.match_seeker(seeker_id, k=3)
        probe = PROBE.lower().encode()
        assert probe in _files(settings)  # the probe can see the stored words
        desk.delete_seeker(LOCAL_ADMIN, seeker_id)
        assert probe not in _files(settings)
        assert PROBE.lower() not in _dump(service)
        with pytest.raises(NotFound):
            service.match_seeker(seeker_id, k=3)
    finally:
        desk.stop()


def _files(settings) -> bytes:
    path = settings.data_dir / "jobcircle.db"
    wal = path.with_name(path.name + "-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def _dump(service) -> str:
    with service.db.engine.connect() as connection:
        tables = connection.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'table'").scalars().all()
        return "\n".join(repr(row) for table in tables for row in connection.exec_driver_sql(f'SELECT * FROM "{table}"'))


def test_migration_0010_adds_the_column_and_keeps_rows(tmp_path):
    engine = db.make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    with engine.begin() as connection:
        cfg = db.alembic_config(engine)
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "0009_location_radius")
        connection.execute(text(
            "INSERT INTO seekers (id, resume_text, desired_roles, skills, priority_tags, sensitive_consent, "
            "occupation_codes, extracted, change_seq, created_at, updated_at) VALUES "
            "(3, '做过保安', '[]', '[]', '[]', 0, '[]', '{}', 1, '2026-11-01', '2026-11-01')"))
    db.migrate(engine)
    assert "match_query" in {c["name"] for c in inspect(engine).get_columns("seekers")}
    with engine.connect() as connection:
        assert connection.execute(text("SELECT resume_text, match_query FROM seekers")).one() == ("做过保安", None)
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert [d for d in diff if "match_query" in str(d)] == []
    with engine.begin() as connection:
        cfg = db.alembic_config(engine)
        cfg.attributes["connection"] = connection
        command.downgrade(cfg, "0009_location_radius")
    assert "match_query" not in {c["name"] for c in inspect(engine).get_columns("seekers")}
    engine.dispose()


@pytest.fixture
def pg_service(tmp_path, pg_database):
    """A service on a fresh database of the test PostgreSQL server (skipped without one)."""
    service = JobCircle(Settings(data_dir=tmp_path, database_url=pg_database, refresh_interval_s=0, occupation_coding=False),
                        HashingEncoder(128)).start()
    yield service
    service.stop()
    service.db.close()


def test_the_stored_query_on_postgresql(pg_service):
    service = pg_service
    service.upsert_postings(POSTINGS)
    ids = [service.create_seeker(inp)["id"] for inp in SEEKERS]
    answers = [service.match_seeker(seeker_id, k=3) for seeker_id in ids]
    assert answers[0]["results"]
    for seeker_id in ids:
        row = PreparedRead(service.db.engine, seeker_query.SEEKER_QUERY_ROW).one_or_none(seeker_id=seeker_id)
        side, words = _old_derivation(service, seeker_id)
        assert seeker_query.side_of(row, row.match_query) == side
        assert list(seeker_query.words_of(row.match_query).items()) == list(words.items())
    with service.db.engine.begin() as connection:
        connection.execute(text("UPDATE seekers SET match_query = NULL"))
    assert [service.match_seeker(seeker_id, k=3) for seeker_id in ids] == answers
    assert all(seeker_query.is_current(_stored(service, seeker_id)) for seeker_id in ids)
