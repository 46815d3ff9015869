"""Alembic environment: runs on the connection handed over by data.db.migrate."""
from alembic import context

import data.all_tables  # noqa: F401
from data.schema import Base

target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = context.config.attributes["connection"]
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
