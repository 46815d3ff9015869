"""The OpenAPI contract holds: schemathesis drives every operation with an admin token, all checks on.

Bounded (a few examples per operation) so it finishes in minutes on two cores; still runs in CI.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, settings as hypothesis_settings  # noqa: E402

from api.app import create_app  # noqa: E402
from matcher.counsellor.access import add_user  # noqa: E402
from matcher.inputs import PostingInput, SeekerInput  # noqa: E402
from matcher.service import JobCircle  # noqa: E402
from matcher.settings import Settings  # noqa: E402
from models.encoder import HashingEncoder  # noqa: E402

MAX_EXAMPLES = 12
RESUME = "视觉传达设计专业，熟练Photoshop、Illustrator，做过海报设计。"
CALLS = {"cases": 0}


# Built at collection without starting anything: the service starts in `seeded`, and the app's
# lifespan (run by schemathesis on its first call) finds it ready.
DATA_DIR = Path(tempfile.gettempdir()) / f"jobcircle-schemathesis-{os.getpid()}"
SETTINGS = Settings(data_dir=DATA_DIR, encoder="hashing-64", refresh_interval_s=0.0,
                    # thousands of requests: the rate limit has its own test
                    rate_limit_per_token="1000000/minute", rate_limit_per_client="1000000/minute")
SERVICE = JobCircle(SETTINGS, HashingEncoder(64))
APP = create_app(SETTINGS, service=SERVICE)
schema = schemathesis.openapi.from_dict(APP.openapi())
schema.app = APP
# Whether a street exists or a salary's wording can be read cannot be said in JSON Schema: a 422 that
# names the field is the right answer to such schema-valid input, so it counts as accepting the request.
schema.config.checks.positive_data_acceptance.expected_statuses = [
    "2xx", "3xx", "401", "403", "404", "409", "422", "429"]


@pytest.fixture(scope="module")
def admin_token():
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    SERVICE.start()
    station = SERVICE.add_stations([{"name": "甲站", "kind": "street_centre", "lat": 31.28, "lon": 121.50}])[0]
    SERVICE.create_posting(PostingInput(title="平面设计助理", requirements="熟练使用Photoshop", street="曲阳路街道",
                                        station_id=station))
    SERVICE.create_seeker(SeekerInput(resume_text=RESUME, consent=True, street="广中路街道", station_id=station))
    with SERVICE.db.session() as session, session.begin():
        _, token = add_user(session, name="管理员", role="admin")
    yield token
    print(f"\nschemathesis: {CALLS['cases']} cases run")
    SERVICE.stop()
    shutil.rmtree(DATA_DIR, ignore_errors=True)


@schema.parametrize()
@hypothesis_settings(max_examples=MAX_EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
def test_api_contract(case, admin_token):
    CALLS["cases"] += 1
    if os.environ.get("JOBCIRCLE_CONTRACT_TRACE"):
        print(case.operation.label, flush=True)
    case.call_and_validate(headers={"Authorization": f"Bearer {admin_token}"})
