"""Registrations: the last seat goes to exactly one person, cancelling frees it, each is a service record."""
import threading

import pytest
from sqlalchemy import select

from data.access_tables import ServiceRecord
from data.activity_tables import Registration, Training
from matcher.activities import registrations
from matcher.activities.trainings import get_training
from matcher.counsellor.access import LOCAL_ADMIN, Principal
from matcher.errors import Conflict, NotFound
from matcher.inputs import SeekerInput
from tests.matcher.activities.conftest import add_event, add_training


def _seekers(service, station_id, n):
    return service.upsert_seekers([SeekerInput(resume_text=f"求职者{i}，做过小区门岗。", consent=True,
                                               street="曲阳路街道", station_id=station_id) for i in range(n)])


def _race(service, desk, training_id, seeker_ids, monkeypatch=None):
    """Every seeker registers at once. With `monkeypatch`, all of them first pass the read-side checks
    (seats still free for everyone) and only then write, so the conditional UPDATE alone decides."""
    barrier = threading.Barrier(len(seeker_ids))
    won, lost, errors = [], [], []
    if monkeypatch is not None:
        checked = threading.Barrier(len(seeker_ids))
        real_check = registrations._check

        def check_then_wait(*args, **kwargs):
            result = real_check(*args, **kwargs)
            checked.wait()
            return result

        monkeypatch.setattr(registrations, "_check", check_then_wait)

    def attempt(seeker_id):
        barrier.wait()
        try:
            registrations.register(service, LOCAL_ADMIN, "training", training_id, seeker_id, desk=desk)
            won.append(seeker_id)
        except Conflict as exc:
            lost.append(exc.message)
        except Exception as exc:  # noqa: BLE001 - any other failure fails the test below
            errors.append(repr(exc))

    threads = [threading.Thread(target=attempt, args=(s,)) for s in seeker_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return won, lost, errors


def test_parallel_registrations_fill_the_seats_exactly(service, desk, stations, now, monkeypatch):
    training_id = add_training(service, stations[0], seats=3, registration_deadline=None)
    seekers = _seekers(service, stations[0], 8)
    won, lost, errors = _race(service, desk, training_id, seekers, monkeypatch)
    assert errors == []
    assert len(won) == 3 and len(lost) == 5 and all(m == "名额已满：保安员培训班" for m in lost)
    with service.db.session() as session:
        assert session.get(Training, training_id).seats_taken == 3
        active = session.scalars(select(Registration).where(Registration.status == "registered")).all()
        assert sorted(r.seeker_id for r in active) == sorted(won)
        records = session.scalars(select(ServiceRecord)).all()
        assert sorted(r.seeker_id for r in records) == sorted(won)
        assert {r.service_code for r in records} == {"training_registration"}
    assert desk.verify_ledger()["ok"]


def test_the_last_seat_goes_to_one_person_and_cancelling_frees_it(service, desk, stations, now, monkeypatch):
    training_id = add_training(service, stations[0], seats=1)
    first, second = _seekers(service, stations[0], 2)
    won, lost, errors = _race(service, desk, training_id, [first, second], monkeypatch)
    assert errors == [] and len(won) == 1 and len(lost) == 1
    assert get_training(service, training_id, now)["state"] == "名额已满"
    with service.db.session() as session:
        reg_id = session.scalar(select(Registration.id).where(Registration.seeker_id == won[0]))
    monkeypatch.undo()
    cancelled = registrations.cancel(service, LOCAL_ADMIN, reg_id)
    assert cancelled["status_name"] == "已取消"
    assert get_training(service, training_id, now)["seats_left"] == 1
    with pytest.raises(Conflict, match="已取消"):
        registrations.cancel(service, LOCAL_ADMIN, reg_id)
    other = second if won[0] == first else first
    again = registrations.register(service, LOCAL_ADMIN, "training", training_id, other, desk=desk)
    assert again["status"] == "registered" and again["service"]["service"] == "培训报名"


def test_no_double_registration_and_closed_activities_refuse(service, desk, stations, now):
    training_id = add_training(service, stations[0], seats=5)
    seeker = _seekers(service, stations[0], 1)[0]
    registrations.register(service, LOCAL_ADMIN, "training", training_id, seeker, desk=desk)
    with pytest.raises(Conflict, match="已报名"):
        registrations.register(service, LOCAL_ADMIN, "training", training_id, seeker, desk=desk)
    past_event = add_event(service, stations[0], starts_at="2026-11-01 09:00")
    with pytest.raises(Conflict, match="已结束"):
        registrations.register(service, LOCAL_ADMIN, "event", past_event, seeker, desk=desk)
    with pytest.raises(NotFound):
        registrations.register(service, LOCAL_ADMIN, "training", 999, seeker, desk=desk)


def test_a_seeker_registers_themself_and_a_counsellor_only_their_station(service, desk, stations, now):
    event_id = add_event(service, stations[0], kind="创业活动", title="创业沙龙")
    mine, theirs = _seekers(service, stations[0], 1)[0], _seekers(service, stations[1], 1)[0]
    me = Principal(user_id=None, role="seeker", seeker_id=mine)
    result = registrations.register(service, me, "event", event_id, mine, desk=desk)
    assert not result["by_counsellor"] and result["service"]["service"] == "活动报名"
    with pytest.raises(NotFound):  # another seeker's id reads as unknown
        registrations.register(service, me, "event", event_id, theirs, desk=desk)
    counsellor = Principal(user_id=None, role="counsellor", station_ids=frozenset({stations[0]}))
    from matcher.errors import Forbidden
    with pytest.raises(Forbidden):
        registrations.register(service, counsellor, "event", event_id, theirs, desk=desk)
    listed = registrations.registrations_of_activity(service, counsellor, "event", event_id)
    assert [r["seeker_id"] for r in listed] == [mine]
    assert desk.verify_ledger()["ok"]


@pytest.mark.postgres
def test_seat_limit_holds_on_postgresql(pg_database, tmp_path, monkeypatch):
    from matcher.counsellor.desk import CounsellorDesk
    from matcher.service import JobCircle
    from matcher.settings import Settings
    from models.encoder import HashingEncoder

    settings = Settings(data_dir=tmp_path / "pg", database_url=pg_database,
                        encoder="hashing-256", refresh_interval_s=0.0, occupation_coding=False)
    service = JobCircle(settings, HashingEncoder(256)).start()
    try:
        station = service.add_stations([{"name": "甲站", "kind": "street_centre"}])[0]
        desk = CounsellorDesk(service).start()
        training_id = add_training(service, station, seats=2, registration_deadline=None)
        won, lost, errors = _race(service, desk, training_id, _seekers(service, station, 6), monkeypatch)
        assert errors == [] and len(won) == 2 and len(lost) == 4
        with service.db.session() as session:
            assert session.get(Training, training_id).seats_taken == 2
    finally:
        service.stop()


def test_a_registration_that_cannot_be_recorded_is_undone(service, desk, stations, now):
    training_id = add_training(service, stations[0], seats=1)
    homeless = service.upsert_seekers([SeekerInput(resume_text="做过门岗。", consent=True)])[0]  # no station
    admin = Principal(user_id=None, role="admin")
    from matcher.errors import InvalidInput
    with pytest.raises(InvalidInput, match="尚未登记服务站点"):
        registrations.register(service, admin, "training", training_id, homeless, desk=desk)
    assert get_training(service, training_id, now)["seats_left"] == 1
    with service.db.session() as session:
        assert session.scalars(select(Registration)).all() == []


def test_deleting_a_seeker_gives_their_seats_back(service, desk, stations, now):
    training_id = add_training(service, stations[0], seats=1)
    seeker = _seekers(service, stations[0], 1)[0]
    registrations.register(service, LOCAL_ADMIN, "training", training_id, seeker, desk=desk)
    assert get_training(service, training_id, now)["seats_left"] == 0
    exported = desk.export(LOCAL_ADMIN, seeker)
    assert [r["seeker_id"] for r in exported["registrations"]] == [seeker]  # PIPL art. 45: all that is stored
    removed = desk.delete_seeker(LOCAL_ADMIN, seeker)["removed"]
    assert removed["registrations_released"] == 1
    assert get_training(service, training_id, now)["seats_left"] == 1
