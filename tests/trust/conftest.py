import uuid

import pytest
from sqlalchemy import create_engine, text


@pytest.fixture
def pg_database(postgres_url):
    """A fresh database on the test PostgreSQL server, dropped afterwards."""
    name = f"jobcircle_trust_{uuid.uuid4().hex[:10]}"
    admin_url = "postgresql+psycopg://" + postgres_url.removeprefix("postgresql://")
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    base = postgres_url.rsplit("/", 1)[0]
    yield f"{base}/{name}"
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()
