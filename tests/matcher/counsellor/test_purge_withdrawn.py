"""PIPL art. 47: after consent is withdrawn the record is out of every match, shortlist and caseload at
once; once the retention period (`withdrawn_retention_days`) has passed, `purge-withdrawn` deletes the
personal data (name, phone, ID number, resume ...) and keeps only the pseudonymous ledger entries."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import numpy as np
import pytest
from sqlalchemy import text

from cli.main import main as cli_main
from matcher.counsellor.access import LOCAL_ADMIN
from matcher.counsellor.desk import CounsellorDesk
from matcher.inputs import PostingInput, SeekerInput

NAME, PHONE, ID_NUMBER = "欧阳翠花", "13987654321", "31010919850312432X"
RESUME = "做过五年仓库管理员，会开叉车，鸬鹚标记六一八，熟悉WMS系统。"
MARK = "鸬鹚标记六一八"
POSTING = PostingInput(title="仓库管理员", requirements="会开叉车，熟悉WMS", salary="6000-7000元/月", street="曲阳路街道")


@pytest.fixture
def world(service):
    station = service.add_stations([{"name": "甲站", "kind": "street_centre"}])[0]
    desk = CounsellorDesk(service).start()
    seeker = service.create_seeker(SeekerInput(resume_text=RESUME, name=NAME, phone=PHONE, id_number=ID_NUMBER,
                                               consent=True, station_id=station, street="曲阳路街道"))["id"]
    other = service.create_seeker(SeekerInput(resume_text="做过仓库理货，会开叉车。", name="张三", consent=True,
                                              station_id=station, street="曲阳路街道"))["id"]
    posting = service.create_posting(POSTING)["id"]
    desk.record_service(LOCAL_ADMIN, seeker, "职业指导")
    desk.record_service(LOCAL_ADMIN, seeker, "岗位推荐", posting_id=posting, outcome="applied")
    desk.record_service(LOCAL_ADMIN, other, "职业指导")
    yield service, desk, station, seeker, other, posting
    desk.stop()


def _dump(service) -> str:
    """Every value of every table, as text (the raw SQL check)."""
    with service.db.engine.connect() as connection:
        tables = connection.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'table'").scalars().all()
        rows = [repr(row) for table in tables for row in connection.exec_driver_sql(f'SELECT * FROM "{table}"')]
    return "\n".join(rows)


def _withdraw(service, desk, seeker, days_ago: float) -> None:
    desk.update_seeker(LOCAL_ADMIN, seeker, {"consent": False})
    with service.db.session() as session, session.begin():
        session.execute(text("UPDATE seekers SET consent_withdrawn_at = :t WHERE id = :i"),
                        {"t": datetime.now(timezone.utc) - timedelta(days=days_ago), "i": seeker})


def _purge(settings, monkeypatch, capsys) -> tuple[int, str]:
    monkeypatch.setenv("JOBCIRCLE_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("JOBCIRCLE_ENCODER", settings.encoder)
    code = cli_main(["purge-withdrawn"])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_withdrawal_stops_processing_at_once(world):
    service, desk, station, seeker, other, posting = world
    shortlisted = lambda: {c["seeker_id"] for c in desk.shortlist(LOCAL_ADMIN, posting)["candidates"]}
    caseload = lambda: {i["seeker_id"] for i in desk.caseload(LOCAL_ADMIN, station)["items"]}
    assert seeker in shortlisted() and seeker in caseload()
    desk.update_seeker(LOCAL_ADMIN, seeker, {"consent": False})
    assert seeker not in shortlisted() and seeker not in caseload() and other in shortlisted()
    # Out of the seeker index itself (entries and raw FAISS), not merely filtered at display.
    with service.db.session() as session:
        vector = np.frombuffer(session.execute(text("SELECT embedding FROM seekers WHERE id = :i"),
                                               {"i": seeker}).scalar(), np.float32)
    assert seeker not in desk.seekers.entries
    _scores, ids = desk.seekers.index.search(vector[None, :], 10)
    assert seeker not in {int(i) for i in ids[0]} and other in {int(i) for i in ids[0]}


def test_purge_deletes_personal_data_after_the_period_keeps_the_ledger_and_is_idempotent(
        world, settings, monkeypatch, capsys):
    service, desk, _station, seeker, other, _posting = world
    entries = len(desk.ledger.entries())
    _withdraw(service, desk, seeker, days_ago=settings.withdrawn_retention_days - 1)
    code, said = _purge(settings, monkeypatch, capsys)
    assert code == 0 and "没有" in said
    assert NAME in _dump(service)  # still inside the retention period: kept, unused

    _withdraw(service, desk, seeker, days_ago=settings.withdrawn_retention_days + 1)
    code, said = _purge(settings, monkeypatch, capsys)
    assert code == 0 and "已删除 1 名" in said, said
    dump = _dump(service)
    for value in (NAME, PHONE, ID_NUMBER, ID_NUMBER[-4:] + "'", MARK, "WMS系统"):
        assert value not in dump, value
    with service.db.session() as session:
        assert session.execute(text("SELECT count(*) FROM seekers WHERE id = :i"), {"i": seeker}).scalar() == 0
        assert session.execute(text("SELECT count(*) FROM service_records WHERE seeker_id = :i"),
                               {"i": seeker}).scalar() == 0
        assert session.execute(text("SELECT count(*) FROM seekers WHERE id = :i"), {"i": other}).scalar() == 1
    files = (settings.data_dir / "jobcircle.db").read_bytes()
    wal = settings.data_dir / "jobcircle.db-wal"
    files += wal.read_bytes() if wal.exists() else b""
    assert MARK.encode() not in files and PHONE.encode() not in files
    # The ledger keeps its pseudonymous entries and still verifies.
    report = desk.verify_ledger()
    assert report["ok"] is True, report
    assert report["size"] == entries
    assert "撤回同意" in (settings.data_dir / "purge-withdrawn.log").read_text(encoding="utf-8")

    code, said = _purge(settings, monkeypatch, capsys)  # idempotent
    assert code == 0 and "没有" in said
    assert desk.verify_ledger()["ok"] is True


def test_consent_given_back_is_never_purged(world, settings, monkeypatch, capsys):
    service, desk, _station, seeker, _other, _posting = world
    _withdraw(service, desk, seeker, days_ago=settings.withdrawn_retention_days + 30)
    desk.update_seeker(LOCAL_ADMIN, seeker, {"consent": True})
    code, said = _purge(settings, monkeypatch, capsys)
    assert code == 0 and "没有" in said and NAME in _dump(service)
