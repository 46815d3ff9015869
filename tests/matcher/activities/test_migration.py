"""Migration 0005 creates exactly the activity tables the models describe, and downgrades cleanly."""
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

import data.all_tables  # noqa: F401
from data import db
from data.schema import Base

TABLES = {"trainings", "events", "event_participants", "activity_registrations", "training_declines"}


def test_migration_matches_the_models_and_downgrades(tmp_path):
    engine = db.make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    db.migrate(engine)
    assert TABLES <= set(inspect(engine).get_table_names())
    with engine.connect() as connection:
        ddl = dict(connection.exec_driver_sql("SELECT name, sql FROM sqlite_master WHERE type = 'table'").all())
    assert all("AUTOINCREMENT" in ddl[t] for t in TABLES)  # ids never reused
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert [d for d in diff if any(t in str(d) for t in TABLES)] == []
    with engine.begin() as connection:
        cfg = db.alembic_config(engine)
        cfg.attributes["connection"] = connection
        command.downgrade(cfg, "0005-1")
    assert not TABLES & set(inspect(engine).get_table_names())
    engine.dispose()
