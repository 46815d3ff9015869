"""陪同招聘会 is recorded once per seeker and fair: two different fairs on one day are two escorts."""
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from data.access_tables import ServiceRecord
from matcher.activities import common
from matcher.activities.fair import record_escort
from matcher.errors import Conflict
from matcher.inputs import SeekerInput
from tests.matcher.activities.conftest import add_event


def _escorts(service, seeker) -> int:
    with service.db.session() as session:
        return len(session.scalars(select(ServiceRecord.id).where(
            ServiceRecord.seeker_id == seeker, ServiceRecord.service_code == "job_fair_escort")).all())


def test_two_fairs_on_one_day_are_two_escorts_and_each_only_once(service, desk, stations, counsellor):
    real_now = common.utc_now()
    [seeker] = service.upsert_seekers([SeekerInput(resume_text="做过小区门岗。", consent=True, street="曲阳路街道",
                                                   station_id=stations[0])])
    morning = add_event(service, stations[0], external_id="morning", title="曲阳路街道上午专场招聘会",
                        starts_at=(real_now - timedelta(hours=3)).isoformat())
    afternoon = add_event(service, stations[0], external_id="afternoon", title="曲阳路街道下午专场招聘会",
                          starts_at=(real_now - timedelta(hours=1)).isoformat())
    record_escort(service, desk, counsellor, morning, seeker)
    second = record_escort(service, desk, counsellor, afternoon, seeker)  # another fair the same day
    assert "下午专场" in second["message"]
    assert _escorts(service, seeker) == 2
    for fair in (morning, afternoon):
        with pytest.raises(Conflict, match="已记录过"):
            record_escort(service, desk, counsellor, fair, seeker)
    assert _escorts(service, seeker) == 2
    assert desk.verify_ledger()["ok"]


def test_another_seeker_at_the_same_fair_is_their_own_escort(service, desk, stations, counsellor):
    real_now = common.utc_now()
    first, second = service.upsert_seekers([
        SeekerInput(resume_text=f"求职者{i}，做过小区门岗。", consent=True, street="曲阳路街道", station_id=stations[0])
        for i in range(2)])
    fair = add_event(service, stations[0], external_id="today", starts_at=(real_now - timedelta(hours=1)).isoformat())
    record_escort(service, desk, counsellor, fair, first)
    record_escort(service, desk, counsellor, fair, second)
    assert _escorts(service, first) == _escorts(service, second) == 1


def test_escorts_recorded_at_once_for_one_fair_make_one_record(service, desk, stations, counsellor, monkeypatch):
    """Four clicks at once, each past the read-side checks before any writes: the unique pair alone decides."""
    from matcher.activities import fair as fair_module

    real_now = common.utc_now()
    [seeker] = service.upsert_seekers([SeekerInput(resume_text="做过小区门岗。", consent=True, street="曲阳路街道",
                                                   station_id=stations[0])])
    fair = add_event(service, stations[0], external_id="today", starts_at=(real_now - timedelta(hours=1)).isoformat())
    checked, real_claim = threading.Barrier(4), fair_module._claim_escort

    def claim_after_all_checked(*args):
        checked.wait()
        return real_claim(*args)

    monkeypatch.setattr(fair_module, "_claim_escort", claim_after_all_checked)
    won, lost, errors = [], [], []

    def attempt():
        try:
            won.append(record_escort(service, desk, counsellor, fair, seeker))
        except Conflict as exc:
            lost.append(exc.message)
        except Exception as exc:  # noqa: BLE001 - any other failure fails the test below
            errors.append(repr(exc))

    threads = [threading.Thread(target=attempt) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and len(won) == 1 and len(lost) == 3
    assert all("已记录过" in message for message in lost)
    assert _escorts(service, seeker) == 1
    assert desk.verify_ledger()["ok"]
