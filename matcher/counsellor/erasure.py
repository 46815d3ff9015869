"""Erasing a seeker's personal data: on their request (`CounsellorDesk.delete_seeker`) or, after consent
was withdrawn, once the retention period has passed (`purge_withdrawn`, PIPL art. 47).

Withdrawal itself stops all processing at once (the seeker leaves the vector index, matches, shortlists
and caseloads; see `matcher.seekers`); the record is then only stored, so that consent can be given
back, until `settings.withdrawn_retention_days` after the withdrawal. `purge_withdrawn` then removes what
identifies the person: the seeker row (name, phone, masked and hashed ID number, resume, vectors), the
visible service records, interview practice, outcomes, decisions, shortlist rows, registrations, case
notes and their account. The district's service ledger keeps its entries, which carry only a pseudonym
keyed to the deleted `ledger_key`: they still verify, and no longer point at anyone.

Backups taken before an erasure still hold the person. Every erasure is therefore appended to a register in
the data directory (`erased-seekers.jsonl`, owner-only: record numbers, dates and the reason, nothing that
names anyone), each backup carries a copy, and `matcher.backup.restore` erases again whoever the register
names, so a restore never brings an erased person back.
"""
from __future__ import annotations

import json
import logging
import os
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import delete, select

from data.access_tables import AccessLog, Decision, ServiceRecord, ShortlistEntry, User
from data.interview_tables import InterviewAnswer, InterviewSession
from data.schema import MatchOutcome, Seeker
from matcher.activities.registrations import release_for_seeker
from matcher.counsellor import records

log = logging.getLogger("jobcircle.privacy")
PURGE_LOG = "purge-withdrawn.log"
REGISTER = "erased-seekers.jsonl"


def erase_seeker(session, db, seeker_id: int) -> dict:
    """Delete the seeker and every identifiable row about them, in the caller's transaction; returns
    how many rows of each kind went. Call `records.scrub_deleted(engine)` after the commit."""
    # Seats taken by the seeker's registrations go back before the rows cascade away.
    released = release_for_seeker(session, seeker_id)
    session_ids = select(InterviewSession.id).where(InterviewSession.seeker_id == seeker_id)
    removed = {
        "interview_answers": session.execute(delete(InterviewAnswer).where(InterviewAnswer.session_id.in_(session_ids))).rowcount,
        "interview_sessions": session.execute(delete(InterviewSession).where(InterviewSession.seeker_id == seeker_id)).rowcount,
        "outcomes": session.execute(delete(MatchOutcome).where(MatchOutcome.seeker_id == seeker_id)).rowcount,
        "decisions": session.execute(delete(Decision).where(Decision.seeker_id == seeker_id)).rowcount,
        "shortlist_entries": session.execute(delete(ShortlistEntry).where(ShortlistEntry.seeker_id == seeker_id)).rowcount,
        "service_records": session.execute(delete(ServiceRecord).where(ServiceRecord.seeker_id == seeker_id)).rowcount,
        "accounts": session.execute(delete(User).where(User.seeker_id == seeker_id)).rowcount,
        "registrations_released": released,
    }
    # Who read the record stays accountable, without pointing at the deleted person.
    session.query(AccessLog).filter(AccessLog.seeker_id == seeker_id).update({AccessLog.seeker_id: None})
    session.execute(delete(Seeker).where(Seeker.id == seeker_id))  # notes, follow-ups, closures cascade
    # A change number marks the deletion so every seeker index (in any process) drops the vector.
    db.take_seq(session, "seekers", 1)
    return removed


def register_erasures(data_dir: Path, seeker_ids, reason: str, *, now: datetime | None = None) -> None:
    """Append erased record numbers to the register; called after the erasure committed (a register entry
    for a record that still exists would erase a living record on the next restore)."""
    seeker_ids = list(seeker_ids)
    if not seeker_ids:
        return
    at = (now or datetime.now(timezone.utc)).isoformat()
    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        fd = os.open(data_dir / REGISTER, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as handle:
            for seeker_id in seeker_ids:
                handle.write(json.dumps({"seeker_id": int(seeker_id), "erased_at": at, "reason": reason}) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
    except OSError:  # the erasure stands; only a restore from an older backup could bring the record back
        log.exception("could not append %d erased record(s) to %s", len(seeker_ids), data_dir / REGISTER)


def erased_ids(*paths: Path) -> set[int]:
    """Record numbers named by the registers at `paths` (missing files name nobody)."""
    found: set[int] = set()
    for path in paths:
        if not Path(path).exists():
            continue
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            if line.strip():
                found.add(int(json.loads(line)["seeker_id"]))
    return found


def erase_again(db, seeker_ids) -> int:
    """Erase the listed records that exist in `db` (after a restore); returns how many were there."""
    present = 0
    for seeker_id in sorted(seeker_ids):
        with db.session() as session, session.begin():
            if session.get(Seeker, seeker_id) is None:
                continue
            erase_seeker(session, db, seeker_id)
            present += 1
    if present:
        records.scrub_deleted(db.engine)
    return present


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value


def purge_withdrawn(db, settings, *, now: datetime | None = None) -> dict:
    """Erase every seeker whose consent has been withdrawn for longer than the retention period.

    Idempotent: a second run finds nobody left. Each purge is written to the Python log and appended
    to `<data_dir>/purge-withdrawn.log` (JSON lines, owner-only): when, the period, and for each erased
    record only the date consent was withdrawn (no id, name or pseudonym)."""
    now = now or datetime.now(timezone.utc)
    days = settings.withdrawn_retention_days
    cutoff = now - timedelta(days=days)
    with db.session() as session:
        due = [(sid, _aware(at)) for sid, at in session.execute(
            select(Seeker.id, Seeker.consent_withdrawn_at).where(Seeker.consent_withdrawn_at.is_not(None))
            .order_by(Seeker.id)).all() if _aware(at) <= cutoff]
    purged, erased = [], []
    for seeker_id, withdrawn_at in due:
        with db.session() as session, session.begin():
            row = session.get(Seeker, seeker_id)
            # Checked again inside the transaction: consent given back meanwhile keeps the record.
            if row is None or row.consent_withdrawn_at is None or _aware(row.consent_withdrawn_at) > cutoff:
                continue
            erase_seeker(session, db, seeker_id)
        purged.append(withdrawn_at.date().isoformat())
        erased.append(seeker_id)
    register_erasures(settings.data_dir, erased, "withdrawn", now=now)
    if purged:
        records.scrub_deleted(db.engine)  # no copy of the deleted text stays in the -wal file
    entry = {"at": now.isoformat(), "retention_days": days, "purged": len(purged),
             "withdrawn_on": purged,
             "note": f"撤回同意满{days}天，删除个人信息；区级服务台账只保留假名记录"}
    log.info("purge-withdrawn: %s record(s) erased (retention %s days)", len(purged), days)
    path = Path(settings.data_dir) / PURGE_LOG
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(entry, ensure_ascii=False) + "\n")
    return entry
