import os
import uuid

import pytest
from sqlalchemy import create_engine, text

from matcher.service import JobCircle
from matcher.settings import Settings
from models.encoder import HashingEncoder


@pytest.fixture
def settings(tmp_path) -> Settings:
    # Occupation coding is exercised by its own tests; most tests skip its start-up cost.
    return Settings(data_dir=tmp_path / "jobcircle", encoder="hashing-256", refresh_interval_s=0.0,
                    occupation_coding=False)


@pytest.fixture
def service(settings):
    svc = JobCircle(settings, HashingEncoder(256)).start()
    yield svc
    svc.stop()


@pytest.fixture(scope="session")
def real_encoder():
    from models.registry import load_encoder

    return load_encoder("m3e-small")


@pytest.fixture
def postgres_url():
    url = os.environ.get("JOBCIRCLE_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("PostgreSQL 测试已跳过：设置 JOBCIRCLE_TEST_POSTGRES_URL=postgresql://user@127.0.0.1:5432/db 后启用"
                    "（.ci/run 会自动启动临时集群）")
    return url


@pytest.fixture
def pg_database(postgres_url):
    """The URL of a fresh database on the test PostgreSQL server, dropped (connections and all) afterwards."""
    name = f"jobcircle_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine("postgresql+psycopg://" + postgres_url.removeprefix("postgresql://"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield f"{postgres_url.rsplit('/', 1)[0]}/{name}"
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()
