import os

import pytest

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
