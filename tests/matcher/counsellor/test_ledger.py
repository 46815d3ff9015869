"""The service record: honest appends verify; every kind of tampering is reported."""
from __future__ import annotations

import json
import os
import re
import stat
import threading
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import text

from data.db import make_engine, session_factory
from data.ledger_tables import LedgerCheckpoint, LedgerEntry
from data.schema import Base
from matcher.counsellor import ledger as ledger_mod
from matcher.counsellor.ledger import (
    GENESIS,
    CheckpointSigner,
    Ledger,
    LedgerError,
    chain_hash,
    leaf_hash,
    load_checkpoints,
    pseudonym,
    verify,
)

SECRET = b"district-310109-test-secret-key!"
SERVICES = ["career_guidance", "job_referral", "mock_interview", "training_referral"]


@pytest.fixture()
def engine(tmp_path):
    eng = make_engine(f"sqlite:///{tmp_path / 'ledger.db'}")
    Base.metadata.create_all(eng, tables=[LedgerEntry.__table__, LedgerCheckpoint.__table__])
    yield eng
    eng.dispose()


@pytest.fixture()
def signer(tmp_path):
    return CheckpointSigner.load_or_create(tmp_path / "keys" / "ledger_ed25519.pem")


@pytest.fixture()
def ledger(engine, signer):
    return Ledger(session_factory(engine), signer, checkpoint_every=5)


def fill(ledger: Ledger, n: int) -> None:
    for i in range(n):
        ledger.append(
            subject=pseudonym(SECRET, "seeker", 100 + i),
            actor=pseudonym(SECRET, "counsellor", 7),
            station_id=3,
            service_code=SERVICES[i % len(SERVICES)],
            posting_id=(40 + i) if i % 2 else None,
            outcome="applied" if i % 3 == 0 else None,
        )


def sql(engine, statement: str, **params) -> None:
    with engine.begin() as conn:
        conn.execute(text(statement), params)


# --- honest use -----------------------------------------------------------------------------------

def test_honest_appends_verify_and_checkpoint_every_n(ledger):
    fill(ledger, 12)
    result = ledger.verify()
    assert result.ok, result.problems
    assert result.size == 12
    assert [cp.size for cp in ledger.checkpoints()] == [5, 10]
    ledger.checkpoint()
    fill(ledger, 3)
    assert ledger.verify().ok
    assert [cp.size for cp in ledger.checkpoints()] == [5, 10, 12, 15]


def test_empty_record_verifies(ledger):
    assert ledger.verify().ok
    cp = ledger.checkpoint()
    assert cp.size == 0 and cp.root_hash == GENESIS
    assert ledger.verify().ok


def test_chain_commits_to_every_earlier_entry(ledger):
    fill(ledger, 3)
    entries = ledger.entries()
    previous = GENESIS
    for e in entries:
        assert e.leaf_hash == leaf_hash(e.to_dict())
        assert e.chain_hash == chain_hash(previous, e.leaf_hash)
        previous = e.chain_hash
    assert [e.seq for e in entries] == [1, 2, 3]
    assert entries[0].time.endswith("Z")


def test_exported_checkpoints_verify_the_record_elsewhere(ledger, signer):
    fill(ledger, 7)
    exported = json.loads(ledger.export_checkpoints())
    assert "BEGIN PUBLIC KEY" in exported["public_key_pem"]
    kept = load_checkpoints(json.dumps(exported))
    result = verify(ledger.entries(), kept, exported["public_key_pem"])
    assert result.ok, result.problems


# --- tampering ------------------------------------------------------------------------------------

def test_edited_field_is_detected(ledger, engine):
    fill(ledger, 8)
    sql(engine, "UPDATE ledger_entries SET service_code = 'entrepreneurship_guidance' WHERE seq = 4")
    result = ledger.verify()
    assert not result.ok
    assert result.first_bad_seq == 4
    assert any("第 4 条" in p and "改动" in p for p in result.problems)


def test_edit_with_recomputed_hashes_is_caught_by_checkpoint(ledger, engine):
    fill(ledger, 10)  # checkpoints at 5 and 10
    entries = ledger.entries()
    # A careful forger rewrites entry 3 and recomputes every hash after it.
    previous = entries[1].chain_hash
    for e in entries[2:]:
        fields = e.to_dict()
        if e.seq == 3:
            fields["outcome"] = "hired"
        leaf = leaf_hash(fields)
        previous = chain_hash(previous, leaf)
        sql(engine, "UPDATE ledger_entries SET outcome = :o, leaf_hash = :l, chain_hash = :c WHERE seq = :s",
            o=fields["outcome"], l=leaf, c=previous, s=e.seq)
    result = ledger.verify()
    assert not result.ok
    assert any("检查点的根哈希不符" in p for p in result.problems)
    assert result.first_bad_seq == 1  # no checkpoint before 5 matches, so the damage is somewhere in 1..5


def test_swapped_entries_are_detected(ledger, engine):
    fill(ledger, 6)
    cols = "time, subject, actor, station_id, service_code, posting_id, outcome, leaf_hash, chain_hash"
    with engine.begin() as conn:
        a = conn.execute(text(f"SELECT {cols} FROM ledger_entries WHERE seq = 2")).one()
        b = conn.execute(text(f"SELECT {cols} FROM ledger_entries WHERE seq = 3")).one()
        assign = ", ".join(f"{c} = :{c}" for c in cols.split(", "))
        conn.execute(text(f"UPDATE ledger_entries SET {assign} WHERE seq = 2"), dict(b._mapping))
        conn.execute(text(f"UPDATE ledger_entries SET {assign} WHERE seq = 3"), dict(a._mapping))
    result = ledger.verify()
    assert not result.ok
    assert result.first_bad_seq == 2


def test_inserted_entry_is_detected(ledger, engine):
    fill(ledger, 6)
    entries = ledger.entries()
    # Make room at seq 3 and insert a well-formed entry with a correct leaf hash and link.
    for seq in range(6, 2, -1):
        sql(engine, "UPDATE ledger_entries SET seq = :n WHERE seq = :o", n=seq + 1, o=seq)
    forged = entries[2].to_dict() | {"subject": pseudonym(SECRET, "seeker", 999), "outcome": "hired"}
    forged["leaf_hash"] = leaf_hash(forged)
    forged["chain_hash"] = chain_hash(entries[1].chain_hash, forged["leaf_hash"])
    with engine.begin() as conn:
        conn.execute(LedgerEntry.__table__.insert().values(**forged))
    result = ledger.verify()
    assert not result.ok
    assert result.size == 7
    assert result.first_bad_seq == 4  # the entry pushed from 3 to 4 no longer matches its hash


def test_deleted_middle_entry_is_detected(ledger, engine):
    fill(ledger, 6)
    sql(engine, "DELETE FROM ledger_entries WHERE seq = 3")
    result = ledger.verify()
    assert not result.ok
    assert result.first_bad_seq == 3
    assert any("缺失" in p for p in result.problems)


def test_truncated_tail_is_detected_against_last_checkpoint(ledger, engine):
    fill(ledger, 7)
    ledger.checkpoint()  # size 7
    sql(engine, "DELETE FROM ledger_entries WHERE seq > 5")
    result = ledger.verify()
    assert not result.ok
    assert result.first_bad_seq == 6
    assert any("末尾的记录被删除" in p for p in result.problems)


def test_truncation_with_stored_checkpoints_deleted_is_caught_by_exported_copy(ledger, engine):
    fill(ledger, 7)
    ledger.checkpoint()
    kept_elsewhere = load_checkpoints(ledger.export_checkpoints())
    sql(engine, "DELETE FROM ledger_entries WHERE seq > 4")
    sql(engine, "DELETE FROM ledger_checkpoints")
    assert ledger.verify().ok  # the database alone can no longer tell...
    assert not ledger.verify(checkpoints=kept_elsewhere).ok  # ...the copy kept elsewhere can


def test_checkpoint_signed_with_another_key_is_rejected(ledger, engine):
    fill(ledger, 4)
    intruder = CheckpointSigner.generate()
    forged = intruder.sign_checkpoint(4, ledger.entries()[-1].chain_hash, "2030-01-01T00:00:00.000000Z")
    with engine.begin() as conn:
        conn.execute(LedgerCheckpoint.__table__.insert().values(**forged.to_dict()))
    result = ledger.verify()
    assert not result.ok
    assert any("签名无法用给定的公钥验证" in p for p in result.problems)
    # The same checkpoint verifies under its own key, so the rejection is about the key.
    assert verify(ledger.entries(), [forged], intruder.public_key).ok


def test_checkpoint_with_altered_size_fails_its_signature(ledger, engine):
    fill(ledger, 5)
    sql(engine, "UPDATE ledger_checkpoints SET size = 3")
    result = ledger.verify()
    assert not result.ok
    assert any("签名" in p for p in result.problems)


def test_checkpoint_smaller_than_an_earlier_one_is_rejected(ledger, signer, engine):
    fill(ledger, 6)  # checkpoint at 5
    entries = ledger.entries()
    stale = signer.sign_checkpoint(2, entries[1].chain_hash, "2030-01-01T00:00:00.000000Z")
    with engine.begin() as conn:
        conn.execute(LedgerCheckpoint.__table__.insert().values(**stale.to_dict()))
    result = ledger.verify()
    assert not result.ok
    assert any("小于之前检查点" in p for p in result.problems)


# --- concurrency and crashes ----------------------------------------------------------------------

def test_concurrent_appends_form_one_chain(engine, signer):
    ledgers = [Ledger(session_factory(engine), signer, checkpoint_every=10) for _ in range(6)]
    errors: list[BaseException] = []

    def worker(k: int) -> None:
        try:
            for i in range(15):
                ledgers[k].append(pseudonym(SECRET, "seeker", k * 100 + i), pseudonym(SECRET, "counsellor", k),
                                  station_id=k + 1, service_code="job_referral")
        except BaseException as exc:  # noqa: BLE001 - surfaced in the main thread
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    entries = ledgers[0].entries()
    assert [e.seq for e in entries] == list(range(1, 91))
    assert len({e.subject for e in entries}) == 90  # nothing lost, nothing doubled
    result = ledgers[0].verify()
    assert result.ok, result.problems
    assert [cp.size for cp in ledgers[0].checkpoints()] == list(range(10, 91, 10))


def test_crash_between_hashing_and_commit_leaves_a_verifying_record(ledger, monkeypatch):
    fill(ledger, 3)

    def crash(entry):
        raise RuntimeError("power cut")

    monkeypatch.setattr(ledger_mod, "_before_commit", crash)
    with pytest.raises(RuntimeError, match="power cut"):
        ledger.append(pseudonym(SECRET, "seeker", 1), pseudonym(SECRET, "counsellor", 1), 3, "career_guidance")
    monkeypatch.undo()
    assert ledger.verify().ok
    assert len(ledger.entries()) == 3
    after = ledger.append(pseudonym(SECRET, "seeker", 1), pseudonym(SECRET, "counsellor", 1), 3, "career_guidance")
    assert after.seq == 4
    assert ledger.verify().ok


# --- what may enter the record --------------------------------------------------------------------

@pytest.mark.parametrize(
    "override, message",
    [
        ({"subject": "13812345678"}, "假名"),
        ({"subject": "张三"}, "假名"),
        ({"actor": "李老师 13900001111"}, "假名"),
        ({"service_code": "陪同张三去招聘会"}, "服务类型"),
        ({"outcome": "录用了，电话13812345678"}, "结果"),
        ({"posting_id": 13812345678}, "岗位编号"),
        ({"posting_id": "12"}, "岗位编号"),
        ({"station_id": True}, "站点编号"),
    ],
)
def test_free_text_names_and_phones_are_rejected(ledger, engine, tmp_path, override, message):
    fields = dict(subject=pseudonym(SECRET, "seeker", 1), actor=pseudonym(SECRET, "counsellor", 2),
                  station_id=3, service_code="job_fair_escort", posting_id=None, outcome=None) | override
    with pytest.raises(LedgerError, match=message):
        ledger.append(**fields)
    assert ledger.entries() == []
    engine.dispose()
    raw = (tmp_path / "ledger.db").read_bytes()
    assert b"13812345678" not in raw and "张三".encode() not in raw


def test_stored_entries_hold_only_pseudonyms_and_codes(ledger):
    fill(ledger, 10)
    for e in ledger.entries():
        assert re.fullmatch(r"[0-9a-f]{32}", e.subject) and re.fullmatch(r"[0-9a-f]{32}", e.actor)
        assert e.service_code in ledger_mod.SERVICE_CODES
        assert e.outcome in (None, *ledger_mod.OUTCOME_CODES)
        assert not re.search(r"[\u4e00-\u9fff]", json.dumps(e.to_dict()))


def test_pseudonym_is_stable_keyed_and_separates_kinds():
    a = pseudonym(SECRET, "seeker", 42)
    assert a == pseudonym(SECRET, "seeker", 42)
    assert a != pseudonym(b"another-district-secret-key!!!!!", "seeker", 42)
    assert a != pseudonym(SECRET, "counsellor", 42)
    with pytest.raises(LedgerError):
        pseudonym(b"short", "seeker", 42)


def test_key_file_is_private_and_reused(tmp_path):
    path = tmp_path / "k" / "ledger_ed25519.pem"
    first = CheckpointSigner.load_or_create(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert CheckpointSigner.load_or_create(path).key_id == first.key_id
    os.chmod(path, 0o644)
    with pytest.raises(LedgerError, match="600"):
        CheckpointSigner.load_or_create(path)


def test_entries_are_stamped_in_utc(engine, signer):
    shanghai = timezone(timedelta(hours=8))
    ledger = Ledger(session_factory(engine), signer, clock=lambda: datetime(2025, 3, 1, 9, 30, tzinfo=shanghai))
    e = ledger.append(pseudonym(SECRET, "seeker", 1), pseudonym(SECRET, "counsellor", 1), 1, "psychological_support")
    assert e.time == "2025-03-01T01:30:00.000000Z"


@pytest.mark.postgres
def test_concurrent_appends_on_postgres_form_one_chain(postgres_url, signer):
    eng = make_engine(postgres_url)
    tables = [LedgerEntry.__table__, LedgerCheckpoint.__table__]
    Base.metadata.drop_all(eng, tables=tables)
    Base.metadata.create_all(eng, tables=tables)
    try:
        shared = Ledger(session_factory(eng), signer, checkpoint_every=10)
        errors: list[BaseException] = []

        def worker(k: int) -> None:
            try:
                for i in range(10):
                    shared.append(pseudonym(SECRET, "seeker", k * 100 + i), pseudonym(SECRET, "counsellor", k),
                                  station_id=k + 1, service_code="career_guidance")
            except BaseException as exc:  # noqa: BLE001
                errors.append(exc)

        threads = [threading.Thread(target=worker, args=(k,)) for k in range(5)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors
        assert [e.seq for e in shared.entries()] == list(range(1, 51))
        assert shared.verify().ok
        sql(eng, "UPDATE ledger_entries SET station_id = 99 WHERE seq = 17")
        assert shared.verify().first_bad_seq == 17
    finally:
        Base.metadata.drop_all(eng, tables=tables)
        eng.dispose()
