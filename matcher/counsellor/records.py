"""The service record people see, kept in step with the tamper-evident ledger.

`service_records` is what the API and counsellors read (who served which seeker, when, with what
outcome); the ledger (`matcher.counsellor.ledger`) holds the same facts under pseudonyms, hashed and
signed. This module is the only writer of both:

* `record_service` / `record_outcome` append the ledger entry and write the visible row (and, for an
  outcome, the `match_outcomes` row) in one transaction, so neither exists without the other; the
  visible row's time is the entry's time.
* `check_records` compares every visible row with the entry it names (seeker pseudonym, counsellor
  pseudonym, station, service, posting, outcome, time), and every ledger entry of a registered seeker
  with a visible row, and names the first record that disagrees.
* `open_ledger` refuses to make a new signing key for a ledger that already has checkpoints (a
  restore without the key would otherwise report tampering that never happened).
* `scrub_deleted` checkpoints SQLite's write-ahead log after a deletion, so no copy of the deleted
  text stays in the `-wal` file (the database itself runs with `secure_delete`, see `data.db`).

Seekers are pseudonymised by their random `ledger_key` (never reused), or by id for seekers
registered before migration 0004.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from data.access_tables import ServiceRecord, User
from data.ledger_tables import LedgerCheckpoint, LedgerEntry
from data.schema import OUTCOME_EVENTS, MatchOutcome, Posting, Seeker, Station
from matcher.counsellor.ledger import (
    OUTCOME_CODES,
    SERVICE_CODES,
    CheckpointSigner,
    Entry,
    Ledger,
    LedgerError,
    pseudonym,
    pseudonym_for_key,
)
from matcher.errors import InvalidInput, NotFound
from matcher.text.privacy import load_or_create_secret

logger = logging.getLogger(__name__)
KEY_FILE = "ledger_ed25519.pem"
#: Outcomes that need the posting they are about; 已就业 (employed) may be a job found elsewhere.
OUTCOMES_NEEDING_POSTING = {"applied", "interviewed", "hired", "rejected"}
#: Rows written before this module stamped them with the entry's own time were stamped a moment later.
TIME_TOLERANCE = timedelta(seconds=5)
#: A visible outcome recorded on its own (from a shortlist) is filed under 岗位推荐.
OUTCOME_SERVICE = "job_referral"


def seeker_subject(secret: bytes, seeker_id: int, ledger_key: str | None) -> str:
    """The seeker's pseudonym in the ledger: keyed to the never-reused `ledger_key` when there is one."""
    if ledger_key:
        return pseudonym_for_key(secret, "seeker", ledger_key)
    return pseudonym(secret, "seeker", seeker_id)


def counsellor_actor(secret: bytes, user_id: int | None) -> str:
    return pseudonym(secret, "counsellor", user_id or 0)


def entry_time(entry: Entry) -> datetime:
    return datetime.strptime(entry.time, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value


# ---------------------------------------------------------------------------------------------------
# Opening the ledger
# ---------------------------------------------------------------------------------------------------

def open_ledger(session_factory: Callable[[], Session], data_dir: Path, **options: Any) -> Ledger:
    """The ledger with its signing key from `data_dir`; never silently replaces a lost key."""
    path = Path(data_dir) / KEY_FILE
    if not path.exists():
        with session_factory() as session:
            count = session.scalar(select(func.count()).select_from(LedgerCheckpoint)) or 0
        if count:
            raise LedgerError(
                f"台账签名密钥 {path} 不存在，但台账已有 {count} 个检查点：请从备份恢复该文件"
                "（python -m cli.main restore 备份目录），不要另建新密钥，否则校验会误报篡改"
            )
    return Ledger(session_factory, CheckpointSigner.load_or_create(path), **options)


def load_secret(path: Path, session_factory: Callable[[], Session]) -> bytes:
    """The district secret; never silently replaced when the ledger already holds pseudonyms made with it."""
    path = Path(path)
    if not path.exists():
        with session_factory() as session:
            count = session.scalar(select(func.count()).select_from(LedgerEntry)) or 0
        if count:
            raise LedgerError(f"区级密钥 {path} 不存在，但台账已有 {count} 条记录：请从备份恢复该文件"
                              "（python -m cli.main restore 备份目录），否则假名无法对应")
    return load_or_create_secret(path)


# ---------------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------------

def outcome_code(value: str | None) -> str | None:
    """An outcome code from its code or Chinese name (已就业 -> employed); None stays None."""
    if value is None:
        return None
    text = value.strip()
    return {name: code for code, name in OUTCOME_CODES.items()}.get(text, text)


def _check_outcome(outcome: str | None, posting_id: int | None) -> None:
    if outcome is not None and outcome not in OUTCOME_CODES:
        allowed = "、".join(f"{c}（{n}）" for c, n in OUTCOME_CODES.items())
        raise InvalidInput(f"结果应为 {allowed} 之一，或不填", field="outcome")
    if outcome in OUTCOMES_NEEDING_POSTING and posting_id is None:
        raise InvalidInput(f"记录“{OUTCOME_CODES[outcome]}”时需注明岗位（posting_id）", field="posting_id")


def record_service(session_factory: Callable[[], Session], ledger: Ledger, secret: bytes, *, seeker_id: int,
                   counsellor_id: int | None, station_id: int, service_code: str, posting_id: int | None = None,
                   outcome: str | None = None, match_outcome: bool = True) -> dict:
    """Append the entry and write the visible service row (and the outcome row) in one transaction."""
    if service_code not in SERVICE_CODES:
        allowed = "、".join(f"{c}（{n}）" for c, n in SERVICE_CODES.items())
        raise InvalidInput(f"服务类型应为 {allowed} 之一", field="service_code")
    outcome = outcome_code(outcome)
    _check_outcome(outcome, posting_id)
    with session_factory() as session:
        seeker = session.get(Seeker, seeker_id)
        if seeker is None:
            raise NotFound(f"求职者 {seeker_id} 不存在")
        if posting_id is not None and session.get(Posting, posting_id) is None:
            raise NotFound(f"岗位 {posting_id} 不存在")
        subject = seeker_subject(secret, seeker_id, seeker.ledger_key)
    written: dict[str, Any] = {}

    def also(session: Session, entry: Entry) -> None:
        at = entry_time(entry)
        record = ServiceRecord(seeker_id=seeker_id, counsellor_id=counsellor_id, station_id=station_id,
                               service_code=service_code, posting_id=posting_id, outcome=outcome,
                               ledger_seq=entry.seq, at=at)
        session.add(record)
        if outcome in OUTCOME_EVENTS and posting_id is not None and match_outcome:
            session.add(MatchOutcome(seeker_id=seeker_id, posting_id=posting_id, event=outcome, at=at))
        session.flush()
        written["id"] = record.id

    entry = ledger.append(subject=subject, actor=counsellor_actor(secret, counsellor_id), station_id=station_id,
                          service_code=service_code, posting_id=posting_id, outcome=outcome, also=also)
    return {"id": written["id"], "seeker_id": seeker_id, "service_code": service_code,
            "service": SERVICE_CODES[service_code], "station_id": station_id, "posting_id": posting_id,
            "outcome": outcome, "outcome_name": OUTCOME_CODES.get(outcome) if outcome else None,
            "at": entry_time(entry).isoformat(), "ledger_seq": entry.seq, "ledger_chain_hash": entry.chain_hash}


def record_outcome(session_factory: Callable[[], Session], ledger: Ledger, secret: bytes, *, seeker_id: int,
                   posting_id: int | None, outcome: str, counsellor_id: int | None,
                   station_id: int | None = None) -> dict:
    """An outcome (已投递, 已面试, 已录用, 未录用, 已就业) on its own: ledger entry, visible row, outcome row."""
    outcome = outcome_code(outcome)
    _check_outcome(outcome, posting_id)
    if station_id is None:
        with session_factory() as session:
            seeker = session.get(Seeker, seeker_id)
            if seeker is None:
                raise NotFound(f"求职者 {seeker_id} 不存在")
            station_id = seeker.station_id
            if station_id is None and posting_id is not None:
                posting = session.get(Posting, posting_id)
                station_id = posting.station_id if posting is not None else None
    if station_id is None:
        raise InvalidInput("该求职者尚未登记服务站点，请先在求职信息中指定站点", field="station_id")
    return record_service(session_factory, ledger, secret, seeker_id=seeker_id, counsellor_id=counsellor_id,
                          station_id=station_id, service_code=OUTCOME_SERVICE, posting_id=posting_id, outcome=outcome)


# ---------------------------------------------------------------------------------------------------
# Checking what people see against the ledger
# ---------------------------------------------------------------------------------------------------

@dataclass
class RecordProblem:
    record_id: int | None
    seeker_id: int | None
    ledger_seq: int | None
    message: str

    def to_dict(self) -> dict:
        return asdict(self)


_FIELD_NAMES = {"subject": "求职者", "actor": "就业援助员", "station_id": "服务站点", "service_code": "服务类型",
                "posting_id": "岗位", "outcome": "结果", "time": "时间"}


def check_records(session: Session, entries: Iterable[Entry], secret: bytes,
                  seeker_id: int | None = None) -> list[RecordProblem]:
    """Every disagreement between `service_records` and the ledger, first record first (of one seeker's
    records when `seeker_id` is given)."""
    by_seq = {e.seq: e for e in entries}
    seekers = dict(session.execute(select(Seeker.id, Seeker.ledger_key)).all())
    subject_of = {sid: seeker_subject(secret, sid, key) for sid, key in seekers.items()}
    seeker_of = {subject: sid for sid, subject in subject_of.items()}
    users = set(session.scalars(select(User.id)))
    user_actors = {counsellor_actor(secret, uid) for uid in users} | {counsellor_actor(secret, None)}
    stations = set(session.scalars(select(Station.id)))
    postings = set(session.scalars(select(Posting.id)))
    problems: list[RecordProblem] = []
    covered: set[int] = set()
    query = select(ServiceRecord).order_by(ServiceRecord.id)
    if seeker_id is not None:
        query = query.where(ServiceRecord.seeker_id == seeker_id)
        seeker_of = {s: i for s, i in seeker_of.items() if i == seeker_id}
    for r in session.scalars(query):
        label = f"服务记录 {r.id}（求职者 {r.seeker_id}）"
        entry = by_seq.get(r.ledger_seq) if r.ledger_seq is not None else None
        if entry is None:
            why = "没有台账序号" if r.ledger_seq is None else f"指向的台账第 {r.ledger_seq} 条不存在"
            problems.append(RecordProblem(r.id, r.seeker_id, r.ledger_seq, f"{label}{why}：该记录未经台账登记"))
            continue
        covered.add(entry.seq)
        wrong = []
        if entry.subject != subject_of.get(r.seeker_id):
            wrong.append("subject")
        if r.counsellor_id is not None:
            if entry.actor != counsellor_actor(secret, r.counsellor_id):
                wrong.append("actor")
        elif entry.actor in user_actors and entry.actor != counsellor_actor(secret, None):
            wrong.append("actor")  # the counsellor still exists, so their id was cleared by hand
        if r.station_id != entry.station_id and not (r.station_id is None and entry.station_id not in stations):
            wrong.append("station_id")
        if r.service_code != entry.service_code:
            wrong.append("service_code")
        if r.posting_id != entry.posting_id and not (r.posting_id is None and entry.posting_id not in postings):
            wrong.append("posting_id")
        if r.outcome != entry.outcome:
            wrong.append("outcome")
        at = _aware(r.at)
        if at is None or abs(at - entry_time(entry)) > TIME_TOLERANCE:
            wrong.append("time")
        if wrong:
            fields = "、".join(_FIELD_NAMES[name] for name in wrong)
            shown = f"（显示为“{SERVICE_CODES.get(r.service_code, r.service_code)}”" + (
                f"，结果“{OUTCOME_CODES.get(r.outcome, r.outcome)}”）" if r.outcome else "）")
            problems.append(RecordProblem(r.id, r.seeker_id, entry.seq,
                                          f"{label}{shown}与台账第 {entry.seq} 条不符：{fields}被改动"))
    for seq in sorted(by_seq):
        entry = by_seq[seq]
        owner = seeker_of.get(entry.subject)
        if owner is not None and seq not in covered:
            problems.append(RecordProblem(None, owner, seq,
                                          f"台账第 {seq} 条（求职者 {owner}，{entry.service_name}）在服务记录中找不到：服务记录被删除"))
    problems.sort(key=lambda p: (p.record_id is None, p.record_id or 0, p.ledger_seq or 0))
    return problems


def verify_all(session_factory: Callable[[], Session], ledger: Ledger, secret: bytes, *,
               checkpoints=None, public_key=None) -> dict:
    """The ledger's own verification plus the visible records against it, as one Chinese report."""
    result = ledger.verify(checkpoints, public_key)
    with session_factory() as session:
        problems = check_records(session, ledger.entries(), secret)
    messages = list(result.problems) + [p.message for p in problems]
    first = problems[0].to_dict() if problems else None
    ok = result.ok and not problems
    if ok:
        message = f"服务台账完整：共 {result.size} 条记录，未发现改动；服务记录与台账一致。"
    elif problems and result.ok:
        message = f"服务记录与台账不符，第一处：{problems[0].message}"
    else:
        message = f"服务台账校验未通过：发现 {len(messages)} 处问题。"
    return {"ok": ok, "size": result.size, "problems": messages, "first_bad_seq": result.first_bad_seq,
            "first_bad_record": first, "message": message, "checkpoints": len(ledger.checkpoints())}


def checked_services(session: Session, entries: Iterable[Entry], secret: bytes, seeker_id: int) -> list[dict]:
    """A seeker's visible service rows, each marked `verified` (and with the disagreement when not)."""
    problems = {p.record_id: p.message for p in check_records(session, entries, secret, seeker_id)
                if p.record_id is not None}
    rows = session.scalars(select(ServiceRecord).where(ServiceRecord.seeker_id == seeker_id).order_by(ServiceRecord.id))
    out = []
    for r in rows:
        at = _aware(r.at)
        out.append({"id": r.id, "service_code": r.service_code, "service": SERVICE_CODES.get(r.service_code),
                    "station_id": r.station_id, "posting_id": r.posting_id, "outcome": r.outcome,
                    "outcome_name": OUTCOME_CODES.get(r.outcome) if r.outcome else None,
                    "at": at.isoformat() if at else None, "ledger_seq": r.ledger_seq,
                    "verified": r.id not in problems, "problem": problems.get(r.id)})
    return out


# ---------------------------------------------------------------------------------------------------
# After a deletion
# ---------------------------------------------------------------------------------------------------

def scrub_deleted(engine: Engine, attempts: int = 20) -> bool:
    """Move SQLite's write-ahead log into the (secure-deleting) database file and empty it, so the
    deleted rows' old pages are gone from the `-wal` file too; True when the log was emptied.

    A reader holding an old snapshot makes the checkpoint report busy; it is retried briefly, and if
    still busy the log is emptied by the next checkpoint (a warning is logged). PostgreSQL: nothing to do.
    """
    if engine.dialect.name != "sqlite":
        return True
    for attempt in range(attempts):
        with engine.connect() as connection:
            busy = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").first()[0]
            connection.commit()
        if not busy:
            return True
        time.sleep(0.05 * (attempt + 1))
    logger.warning("删除后未能清空预写日志（有读取仍在进行），将在下一次检查点清空")
    return False
