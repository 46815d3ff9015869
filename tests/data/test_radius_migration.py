"""Migration 0009 adds `location_radius_km` to every located table of a database that already holds
rows; the rows are kept, their radius is NULL and reads as their precision's default."""
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

import data.all_tables  # noqa: F401
from data import db
from data.schema import Base
from matcher.geo.places import stored_radius_km

LOCATED = ("stations", "employers", "postings", "seekers", "trainings", "events")


def _upgrade(engine, revision: str) -> None:
    with engine.begin() as connection:
        cfg = db.alembic_config(engine)
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, revision)


def test_0009_adds_the_radius_and_keeps_existing_rows(tmp_path):
    engine = db.make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    _upgrade(engine, "0008_import_drafts")  # a database as the previous release left it
    assert "location_radius_km" not in {c["name"] for c in inspect(engine).get_columns("postings")}
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO stations (id, name, kind, lat, lon, location_precision, created_at) "
            "VALUES (1, '欧阳路街道社区就业服务中心', 'street_centre', 31.27, 121.48, 'street', '2026-11-01')"))
        connection.execute(text(
            "INSERT INTO postings (id, title, description, requirements, skills, employment_type, status, accessible, "
            "occupation_codes, extracted, change_seq, lat, lon, location_precision, station_id, created_at, updated_at) "
            "VALUES (7, '小区保安员', '', '', '[]', 'full_time', 'open', 0, '[]', '{}', 1, 31.27, 121.48, 'street', 1, "
            "'2026-11-01', '2026-11-01')"))
        connection.execute(text(
            "INSERT INTO seekers (id, resume_text, desired_roles, skills, priority_tags, sensitive_consent, "
            "occupation_codes, extracted, change_seq, lat, lon, location_precision, created_at, updated_at) VALUES "
            "(3, '做过保安', '[]', '[]', '[]', 0, '[]', '{}', 1, 31.27, 121.48, 'station', '2026-11-01', '2026-11-01')"))

    db.migrate(engine)  # what `jobcircle` runs on start

    for table in LOCATED:
        assert "location_radius_km" in {c["name"] for c in inspect(engine).get_columns(table)}, table
    with engine.connect() as connection:
        posting = connection.execute(text("SELECT title, location_precision, location_radius_km FROM postings")).one()
        seeker = connection.execute(text("SELECT resume_text, location_precision, location_radius_km FROM seekers")).one()
        station = connection.execute(text("SELECT name, location_radius_km FROM stations")).one()
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert posting == ("小区保安员", "street", None)
    assert seeker == ("做过保安", "station", None)
    assert station == ("欧阳路街道社区就业服务中心", None)
    assert stored_radius_km("street", None) == 2.0 and stored_radius_km("station", None) == 0.8  # honest fallback
    assert [d for d in diff if "location_radius_km" in str(d)] == []  # the models and the migration agree

    with engine.begin() as connection:  # and it downgrades cleanly, keeping the rows
        cfg = db.alembic_config(engine)
        cfg.attributes["connection"] = connection
        command.downgrade(cfg, "0008_import_drafts")
    assert "location_radius_km" not in {c["name"] for c in inspect(engine).get_columns("postings")}
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM postings")).scalar() == 1
    engine.dispose()
