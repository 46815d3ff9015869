"""The seeker row `match_seeker` reads on the driver's cursor (`PreparedRead`) is the row SQLAlchemy reads.

Nothing of it is cached: an edit, a move or a withdrawn consent is seen by the very next match, and the
access check (`allow`) sees that same row.
"""
from __future__ import annotations

from datetime import datetime

import pytest

from matcher.errors import NotFound
from matcher.inputs import PostingInput, SeekerInput
from matcher.prepared import PreparedRead
from matcher.search.sides import SEEKER_MATCH_ROW
from matcher.service import JobCircle
from matcher.settings import Settings
from models.encoder import HashingEncoder

CLOSE = PostingInput(title="平面设计助理", requirements="熟练使用Photoshop、Illustrator", salary="6000-8000元/月",
                     lat=31.2700, lon=121.4800)


def _seeker(**extra):
    return SeekerInput(resume_text="视觉传达设计专业，熟练Photoshop、Illustrator，做过海报设计。", consent=True, **extra)


@pytest.fixture
def pg_service(tmp_path, pg_database):
    """A service on a fresh database of the test PostgreSQL server (skipped without one)."""
    service = JobCircle(Settings(data_dir=tmp_path, database_url=pg_database, refresh_interval_s=0),
                        HashingEncoder(128)).start()
    yield service
    service.stop()
    service.db.close()


def test_the_prepared_read_gives_what_sqlalchemy_gives(service):
    _same_rows(service)


def test_the_prepared_read_gives_what_sqlalchemy_gives_on_postgresql(pg_service):
    _same_rows(pg_service)
    assert pg_service.match_seeker(pg_service.create_seeker(_seeker(lat=31.27, lon=121.48))["id"], k=1)["results"]


def _same_rows(service):
    service.upsert_postings([CLOSE])
    ids = [service.create_seeker(_seeker(lat=31.27, lon=121.48, expected_salary=6000))["id"],
           service.create_seeker(_seeker(street="广中路街道", desired_roles=["设计"], skills=["Photoshop"]))["id"]]
    service.update_seeker(ids[1], {"consent": False})  # a datetime column with a value
    read = PreparedRead(service.db.engine, SEEKER_MATCH_ROW)
    for seeker_id in ids + [ids[-1] + 1000]:
        with service.db.engine.connect() as connection:
            want = connection.execute(SEEKER_MATCH_ROW, {"seeker_id": seeker_id}).one_or_none()
        got = read.one_or_none(seeker_id=seeker_id)
        if want is None:
            assert got is None
            continue
        assert got._fields == tuple(want._fields)
        for name in want._fields:
            assert getattr(got, name) == getattr(want, name) and type(getattr(got, name)) is type(getattr(want, name))
    withdrawn = read.one_or_none(seeker_id=ids[1])
    assert isinstance(withdrawn.consent_withdrawn_at, datetime) and isinstance(withdrawn.extracted, dict)


def test_a_match_reads_the_seeker_as_stored_now(service):
    service.upsert_postings([CLOSE])
    seeker_id = service.create_seeker(_seeker(lat=31.2702, lon=121.4801))["id"]
    seen = []
    near = service.match_seeker(seeker_id, k=1, allow=seen.append)["results"][0]
    assert seen[0].id == seeker_id and seen[0].consent_withdrawn_at is None
    assert near["commute_mode"] == "walk"
    service.update_seeker(seeker_id, {"lat": 31.03, "lon": 121.22})  # moved to Songjiang
    far = service.match_seeker(seeker_id, k=1)["results"][0]
    assert far["commute_mode"] != "walk" and far["distance_km"] > 20
    service.update_seeker(seeker_id, {"consent": False})

    def allow(row):
        if row.consent_withdrawn_at is not None:
            raise PermissionError("withdrawn")

    with pytest.raises(PermissionError):
        service.match_seeker(seeker_id, k=1, allow=allow)
    with pytest.raises(NotFound):
        service.match_seeker(seeker_id + 1000, k=1)
