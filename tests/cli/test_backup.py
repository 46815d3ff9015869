"""`backup` / `restore` / `ledger verify` on the command line (issue 12, items 11 and 12)."""
from __future__ import annotations

import json
import shutil
import sqlite3
import stat

import pytest

from cli import main as cli
from data.schema import Seeker
from matcher.counsellor.access import LOCAL_ADMIN
from matcher.counsellor.desk import CounsellorDesk
from matcher.inputs import SeekerInput
from matcher.service import JobCircle
from matcher.settings import Settings
from matcher.text.privacy import keyed_hash
from models.encoder import HashingEncoder


@pytest.fixture
def installation(monkeypatch, tmp_path):
    """A data directory with seekers, served people and a ledger; the CLI reads it from the environment."""
    data_dir = tmp_path / "live"
    monkeypatch.setenv("JOBCIRCLE_DATA_DIR", str(data_dir))
    monkeypatch.setenv("JOBCIRCLE_ENCODER", "hashing-256")
    monkeypatch.setenv("JOBCIRCLE_OCCUPATION_CODING", "false")
    settings = Settings(data_dir=data_dir, encoder="hashing-256", refresh_interval_s=0.0, occupation_coding=False)
    service = JobCircle(settings, HashingEncoder(256)).start()
    desk = CounsellorDesk(service).start()
    station = service.add_stations([{"name": "甲站", "kind": "street_centre"}])[0]
    ids = [service.create_seeker(SeekerInput(resume_text=f"做过{n + 1}年收银。", consent=True, station_id=station,
                                             id_number="11010519491231002X" if n == 0 else None))["id"]
           for n in range(3)]
    for seeker_id in ids:
        desk.record_service(LOCAL_ADMIN, seeker_id, "职业指导")
    yield settings, service, desk, ids
    service.stop()


def test_backup_restore_round_trip_verifies_the_ledger(installation, tmp_path, capsys):
    settings, service, desk, ids = installation
    target = tmp_path / "backup-1"
    assert cli.main(["backup", str(target)]) == 0  # while the service is running
    names = {p.name for p in target.iterdir()}
    assert {"jobcircle.db", "secret.key", "ledger_ed25519.pem", "ledger-checkpoints.json", "manifest.json"} <= names
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in target.iterdir())
    assert json.loads((target / "manifest.json").read_text())["ledger_entries"] == 3
    service.stop()

    # The machine is lost: data directory gone, including both keys.
    shutil.rmtree(settings.data_dir)
    capsys.readouterr()
    assert cli.main(["restore", str(target)]) == 0
    out = capsys.readouterr().out
    assert "服务台账完整：共 3 条记录" in out and "服务记录与台账一致" in out
    assert cli.main(["ledger", "verify"]) == 0

    restored = JobCircle(settings, HashingEncoder(256)).start()
    try:
        assert restored.stats()["seekers"] == 3
        desk = CounsellorDesk(restored).start()
        assert len(desk.services(LOCAL_ADMIN, ids[0])) == 1
        # The restored secret still recognises the same ID number (keyed hash) and the same pseudonyms.
        with restored.db.session() as session:
            stored = session.get(Seeker, ids[0]).id_number_hash
        assert stored == keyed_hash(restored.secret, "11010519491231002X")
    finally:
        restored.stop()


def test_restore_keeps_what_was_there_and_rejects_a_damaged_backup(installation, tmp_path, capsys):
    settings, service, _desk, _ids = installation
    target = tmp_path / "backup-2"
    assert cli.main(["backup", str(target)]) == 0
    assert cli.main(["backup", str(target)]) == 2  # never over an earlier backup
    assert "不是空目录" in capsys.readouterr().err
    service.stop()
    damaged = tmp_path / "damaged"
    shutil.copytree(target, damaged)
    with open(damaged / "jobcircle.db", "r+b") as handle:
        handle.seek(200)
        handle.write(b"\xff" * 16)
    assert cli.main(["restore", str(damaged)]) == 2
    assert "校验和不符" in capsys.readouterr().err
    assert cli.main(["restore", str(target)]) == 0
    aside = [p for p in settings.data_dir.iterdir() if p.name.startswith("before-restore-")]
    assert len(aside) == 1 and (aside[0] / "jobcircle.db").exists() and (aside[0] / "ledger_ed25519.pem").exists()


def test_verify_names_the_first_edited_service_record(installation, capsys):
    settings, service, _desk, ids = installation
    con = sqlite3.connect(settings.data_dir / "jobcircle.db")
    second = con.execute("SELECT id FROM service_records WHERE seeker_id = ?", (ids[1],)).fetchone()[0]
    con.execute("UPDATE service_records SET service_code = 'mock_interview' WHERE id = ?", (second,))
    con.commit()
    con.close()
    capsys.readouterr()
    assert cli.main(["ledger", "verify"]) == 1
    err = capsys.readouterr().err
    assert f"第一处不符的服务记录：服务记录 {second}（求职者 {ids[1]}）" in err and "服务类型被改动" in err


def test_verify_without_the_key_asks_for_the_backup_instead_of_reporting_tampering(installation, capsys):
    settings, service, _desk, _ids = installation
    (settings.data_dir / "ledger_ed25519.pem").unlink()
    capsys.readouterr()
    assert cli.main(["ledger", "verify"]) == 2
    err = capsys.readouterr().err
    assert "请从备份恢复" in err and "篡改" in err and not (settings.data_dir / "ledger_ed25519.pem").exists()


@pytest.mark.postgres
def test_backup_and_restore_on_postgresql(monkeypatch, tmp_path, postgres_url, capsys):
    import uuid

    from sqlalchemy import create_engine, text

    name = f"jobcircle_backup_{uuid.uuid4().hex[:10]}"
    admin = create_engine("postgresql+psycopg://" + postgres_url.removeprefix("postgresql://"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = f"{postgres_url.rsplit('/', 1)[0]}/{name}"
    try:
        data_dir = tmp_path / "pg"
        for key, value in {"DATA_DIR": str(data_dir), "DATABASE_URL": url, "ENCODER": "hashing-128",
                           "OCCUPATION_CODING": "false"}.items():
            monkeypatch.setenv(f"JOBCIRCLE_{key}", value)
        settings = Settings(data_dir=data_dir, database_url=url, refresh_interval_s=0.0, occupation_coding=False)
        service = JobCircle(settings, HashingEncoder(128)).start()
        station = service.add_stations([{"name": "甲站", "kind": "street_centre"}])[0]
        seeker_id = service.create_seeker(SeekerInput(resume_text="做过收银。", consent=True, station_id=station))["id"]
        CounsellorDesk(service).start().record_service(LOCAL_ADMIN, seeker_id, "职业指导")
        service.stop()
        assert cli.main(["backup", str(tmp_path / "b")]) == 0
        assert (tmp_path / "b" / "jobcircle.pgdump").exists()
        with admin.connect() as connection:  # lose a service record and the keys
            engine = create_engine("postgresql+psycopg://" + url.removeprefix("postgresql://"))
            with engine.begin() as c:
                c.execute(text("DELETE FROM service_records"))
            engine.dispose()
        shutil.rmtree(data_dir)
        capsys.readouterr()
        assert cli.main(["restore", str(tmp_path / "b")]) == 0
        assert "服务记录与台账一致" in capsys.readouterr().out
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_restoring_an_older_backup_does_not_bring_back_an_erased_seeker(installation, tmp_path, capsys):
    """PIPL art. 47: a backup taken before an erasure must not resurrect the person on restore."""
    settings, service, desk, ids = installation
    target = tmp_path / "before-erasure"
    assert cli.main(["backup", str(target)]) == 0
    desk.delete_seeker(LOCAL_ADMIN, ids[1])  # erased at the person's request, after the backup
    service.stop()

    capsys.readouterr()
    assert cli.main(["restore", str(target)]) == 0
    out = capsys.readouterr().out
    assert "重新删除了 1 名" in out and "服务记录与台账一致" in out
    con = sqlite3.connect(settings.data_dir / "jobcircle.db")
    try:
        left = {row[0] for row in con.execute("SELECT id FROM seekers")}
        services = {row[0] for row in con.execute("SELECT seeker_id FROM service_records")}
    finally:
        con.close()
    assert left == {ids[0], ids[2]} and ids[1] not in services
    # The register names no one: only record numbers and dates.
    register = (settings.data_dir / "erased-seekers.jsonl").read_text(encoding="utf-8")
    assert "收银" not in register and "11010519491231002X" not in register
    assert stat.S_IMODE((settings.data_dir / "erased-seekers.jsonl").stat().st_mode) == 0o600
    # Backups taken after the erasure carry the register, so a restore on a new machine still applies it.
    later = tmp_path / "after-erasure"
    assert cli.main(["backup", str(later)]) == 0
    assert (later / "erased-seekers.jsonl").exists()
