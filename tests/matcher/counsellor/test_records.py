"""Ids are never reused, a deleted person leaves no trace in the file, and what people see is the
record the ledger verifies (issue 12, items 8 and 12)."""
from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import select, text

from data import db
from data.access_tables import ServiceRecord, User
from data.schema import Seeker
from matcher.counsellor.access import LOCAL_ADMIN
from matcher.counsellor.desk import CounsellorDesk
from matcher.counsellor.ledger import Ledger, LedgerError, pseudonym
from matcher.counsellor.records import open_ledger, seeker_subject
from matcher.inputs import PostingInput, SeekerInput

MARK_ZH = "鹦鹉螺标记七三九"
MARK_ASCII = "QuokkaZebra9137"
POSTING = PostingInput(title="平面设计助理", requirements="熟练使用Photoshop", salary="6000-8000元/月", street="曲阳路街道")


def _seeker(text: str = "做过三年平面设计，熟练Photoshop。", **extra) -> SeekerInput:
    return SeekerInput(resume_text=text, consent=True, street="广中路街道", **extra)


@pytest.fixture
def station(service):
    return service.add_stations([{"name": "甲站", "kind": "street_centre"}])[0]


@pytest.fixture
def desk(service):
    return CounsellorDesk(service).start()


# ------------------------------------------------------------------ item 8: ids and pseudonyms

def test_deleted_seekers_id_goes_to_nobody_else(service, desk, station):
    first = service.create_seeker(_seeker(station_id=station))["id"]
    last = service.create_seeker(_seeker(station_id=station))["id"]
    desk.record_service(LOCAL_ADMIN, last, "职业指导")
    desk.delete_seeker(LOCAL_ADMIN, last)
    newcomer = service.create_seeker(_seeker(station_id=station))["id"]
    assert newcomer not in (first, last) and newcomer > last
    assert desk.services(LOCAL_ADMIN, newcomer) == []  # nobody inherits the deleted person's history


def test_deleted_postings_id_goes_to_no_other_posting(service):
    gone = service.create_posting(POSTING)["id"]
    with service.db.session() as session, session.begin():
        session.execute(text("DELETE FROM postings WHERE id = :id"), {"id": gone})
    assert service.create_posting(POSTING)["id"] > gone


def test_pseudonym_is_keyed_to_a_random_key_not_the_id(service, station):
    a = service.create_seeker(_seeker(station_id=station))["id"]
    b = service.create_seeker(_seeker(station_id=station))["id"]
    with service.db.session() as session:
        keys = {s.id: s.ledger_key for s in session.scalars(select(Seeker))}
    assert len(keys[a]) == 32 and keys[a] != keys[b]
    secret = service.secret
    # The same id with another person's key is another pseudonym; the id alone is not the pseudonym.
    assert seeker_subject(secret, a, keys[a]) != seeker_subject(secret, a, keys[b])
    assert seeker_subject(secret, a, keys[a]) != pseudonym(secret, "seeker", a)
    assert seeker_subject(secret, a, None) == pseudonym(secret, "seeker", a)  # rows from before the migration


def _files(settings) -> bytes:
    path = settings.data_dir / "jobcircle.db"
    out = path.read_bytes()
    wal = path.with_name(path.name + "-wal")
    return out + (wal.read_bytes() if wal.exists() else b"")


def test_deleted_resume_leaves_no_copy_in_the_database_file_or_wal(settings, service, desk, station):
    resume = f"做过三年平面设计，{MARK_ZH}，熟练Photoshop，{MARK_ASCII}。"
    service.create_seeker(_seeker("持健康证，做过帮厨。", station_id=station))
    seeker_id = service.create_seeker(_seeker(resume, station_id=station))["id"]
    service.create_seeker(_seeker("保安员证，做过夜班巡逻。", station_id=station))
    service.update_seeker(seeker_id, {"resume_text": resume + "另外会InDesign。"})
    desk.record_service(LOCAL_ADMIN, seeker_id, "职业指导")
    before = _files(settings)
    assert MARK_ZH.encode() in before or MARK_ASCII.encode() in before  # the probe can see it
    desk.delete_seeker(LOCAL_ADMIN, seeker_id)
    after = _files(settings)
    assert MARK_ZH.encode() not in after and MARK_ASCII.encode() not in after
    wal = settings.data_dir / "jobcircle.db-wal"
    assert not wal.exists() or wal.stat().st_size == 0


def test_migration_rebuilds_tables_without_losing_linked_rows(tmp_path):
    from alembic import command

    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = db.make_engine(url)
    with engine.begin() as connection:
        cfg = db.alembic_config(engine)
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "0003")
    with engine.begin() as c:
        c.exec_driver_sql("INSERT INTO stations (id, name, kind, created_at) VALUES (1, '甲站', 'street_centre', '2025-01-01')")
        c.exec_driver_sql(
            "INSERT INTO seekers (id, station_id, resume_text, desired_roles, skills, priority_tags, sensitive_consent,"
            " occupation_codes, extracted, change_seq, created_at, updated_at)"
            " VALUES (7, 1, '做过收银', '[]', '[]', '[]', 0, '[]', '{}', 1, '2025-01-01', '2025-01-01')")
        c.exec_driver_sql("INSERT INTO users (id, name, role, station_ids, district_wide, seeker_id, created_at)"
                          " VALUES (3, '求职者甲', 'seeker', '[]', 0, 7, '2025-01-01')")
    db.migrate(engine)
    with engine.connect() as c:
        assert c.exec_driver_sql("SELECT seeker_id FROM users WHERE id = 3").scalar() == 7  # no cascade
        assert c.exec_driver_sql("SELECT ledger_key FROM seekers WHERE id = 7").scalar() is None
        sql = c.exec_driver_sql("SELECT sql FROM sqlite_master WHERE name IN ('seekers', 'postings')").scalars().all()
        assert all("AUTOINCREMENT" in s for s in sql) and len(sql) == 2
        assert c.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()


# ------------------------------------------------------------------ item 12: what people see is verified

def test_editing_a_visible_service_record_is_named_by_verify(service, desk, station):
    seeker_id = service.create_seeker(_seeker(station_id=station))["id"]
    posting_id = service.create_posting(POSTING)["id"]
    desk.record_service(LOCAL_ADMIN, seeker_id, "职业指导")
    second = desk.record_service(LOCAL_ADMIN, seeker_id, "岗位推荐", posting_id=posting_id, outcome="applied")["id"]
    assert desk.verify_ledger()["ok"] is True
    assert all(s["verified"] for s in desk.services(LOCAL_ADMIN, seeker_id))
    with service.db.session() as session, session.begin():
        session.execute(text("UPDATE service_records SET outcome = 'hired' WHERE id = :id"), {"id": second})
    report = desk.verify_ledger()
    assert report["ok"] is False
    assert report["first_bad_record"]["record_id"] == second
    assert f"服务记录 {second}" in report["message"] and "结果" in report["message"]
    shown = {s["id"]: s for s in desk.services(LOCAL_ADMIN, seeker_id)}
    assert shown[second]["verified"] is False and "不符" in shown[second]["problem"]


def test_deleting_a_visible_service_record_is_reported(service, desk, station):
    seeker_id = service.create_seeker(_seeker(station_id=station))["id"]
    desk.record_service(LOCAL_ADMIN, seeker_id, "职业指导")
    with service.db.session() as session, session.begin():
        session.execute(text("DELETE FROM service_records"))
    report = desk.verify_ledger()
    assert report["ok"] is False and "服务记录被删除" in report["first_bad_record"]["message"]


def test_outcomes_reach_the_ledger_and_the_visible_record(service, desk, station):
    seeker_id = service.create_seeker(_seeker(station_id=station))["id"]
    posting_id = service.create_posting(POSTING)["id"]
    desk.record_outcome(LOCAL_ADMIN, posting_id, seeker_id, "hired")
    desk.record_service(LOCAL_ADMIN, seeker_id, "职业指导", outcome="已就业")  # found elsewhere, no posting
    outcomes = [e.outcome for e in desk.ledger.entries()]
    assert outcomes == ["hired", "employed"]
    shown = desk.services(LOCAL_ADMIN, seeker_id)
    assert [s["outcome_name"] for s in shown] == ["已录用", "已就业"] and all(s["verified"] for s in shown)
    assert desk.verify_ledger()["ok"] is True


def test_a_lost_signing_key_is_not_silently_replaced(service, desk, station, settings):
    seeker_id = service.create_seeker(_seeker(station_id=station))["id"]
    desk.record_service(LOCAL_ADMIN, seeker_id, "职业指导")
    (settings.data_dir / "ledger_ed25519.pem").unlink()
    with pytest.raises(LedgerError, match="恢复"):
        open_ledger(service.db.session, settings.data_dir)


def test_every_append_is_signed_so_a_rewritten_last_entry_is_caught(service, settings):
    ledger = open_ledger(service.db.session, settings.data_dir)
    assert isinstance(ledger, Ledger)
    secret = service.secret
    for n in range(3):
        ledger.append(subject=pseudonym(secret, "seeker", n + 1), actor=pseudonym(secret, "counsellor", 1),
                      station_id=1, service_code="career_guidance")
    assert len(ledger.checkpoints()) == 3
    # Rewrite the newest entry consistently (leaf and chain recomputed), as a database owner could.
    from matcher.counsellor.ledger import chain_hash, leaf_hash

    entries = ledger.entries()
    last = entries[-1].to_dict() | {"service_code": "job_referral"}
    last["leaf_hash"] = leaf_hash(last)
    last["chain_hash"] = chain_hash(entries[-2].chain_hash, last["leaf_hash"])
    with service.db.session() as session, session.begin():
        session.execute(text("UPDATE ledger_entries SET service_code = :c, leaf_hash = :l, chain_hash = :h WHERE seq = 3"),
                        {"c": "job_referral", "l": last["leaf_hash"], "h": last["chain_hash"]})
    result = ledger.verify()
    assert not result.ok and result.first_bad_seq == 3


def test_service_records_reference_users_that_exist(service, desk, station):
    with service.db.session() as session, session.begin():
        user = User(name="援助员甲", role="counsellor", station_ids=[station])
        session.add(user)
        session.flush()
        uid = user.id
    from matcher.counsellor.access import Principal

    counsellor = Principal(user_id=uid, role="counsellor", station_ids=frozenset({station}))
    seeker_id = service.create_seeker(_seeker(station_id=station))["id"]
    desk.record_service(counsellor, seeker_id, "模拟面试")
    with service.db.session() as session, session.begin():
        session.execute(text("UPDATE service_records SET counsellor_id = NULL"))  # hide who served
    report = desk.verify_ledger()
    assert report["ok"] is False and "就业援助员" in report["first_bad_record"]["message"]
    with service.db.session() as session:
        assert session.scalar(select(ServiceRecord.ledger_seq)) == 1


def test_sqlite_file_is_still_a_valid_database_after_scrub(settings, service, desk, station):
    seeker_id = service.create_seeker(_seeker(station_id=station))["id"]
    desk.delete_seeker(LOCAL_ADMIN, seeker_id)
    con = sqlite3.connect(settings.data_dir / "jobcircle.db")
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    con.close()
