"""Registering a seeker for a training or an event, and cancelling.

Seats: one conditional `UPDATE ... SET seats_taken = seats_taken + 1 WHERE id = ? AND status = 'open'
AND (seats IS NULL OR seats_taken < seats)` is the first statement of the registration's transaction,
so the database serialises the last seat: exactly one of several parallel requests sees a changed
row; the others get "名额已满". It is the transaction's first statement on purpose: on SQLite a
transaction that read before writing cannot wait for the write lock, one that writes first can.
Cancelling clears the registration's `active_key` and gives the seat back in one transaction.

A registration is a service record entry: a counsellor's registration goes through the desk's
`record_service` (identifiable record + pseudonymous ledger entry); a seeker's own registration
goes through the same `records.record_service` with no counsellor. Codes (ledger_format.SERVICE_CODES):
training -> training_registration 培训报名; 招聘会 (on site or online) -> job_fair_registration 招聘会报名;
宣讲会, 政策咨询, 创业活动, 陪跑计划 -> event_registration 活动报名. Registering is never 招聘会陪同
(job_fair_escort): that is recorded only when a counsellor says they went along (`fair.record_escort`).
Records written before these codes existed keep their old codes (training_referral, job_fair_escort, ...).
"""
from __future__ import annotations

import time
from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError, OperationalError

from data.activity_tables import EVENT_KINDS, Event, Registration, Training
from data.schema import Seeker
from matcher.activities import common
from matcher.counsellor import access, records
from matcher.counsellor.access import Principal
from matcher.counsellor.ledger import SERVICE_CODES
from matcher.errors import Conflict, InvalidInput, NotFound

TABLES = {"training": Training, "event": Event}
EVENT_SERVICE = {"job_fair_onsite": "job_fair_registration", "job_fair_online": "job_fair_registration"}
RETRIES = 5


def _table(kind: str):
    if kind not in TABLES:
        raise InvalidInput("报名对象应为 training（培训）或 event（活动）", field="kind")
    return TABLES[kind]


def _active_key(kind: str, activity_id: int, seeker_id: int) -> str:
    return f"{kind[0]}{activity_id}:s{seeker_id}"


def service_code_for(kind: str, row) -> str:
    return "training_registration" if kind == "training" else EVENT_SERVICE.get(row.kind, "event_registration")


def _check(service, principal: Principal, kind: str, activity_id: int, seeker_id: int, now: datetime):
    table = _table(kind)
    with service.db.session() as session:
        seeker = access.can_edit_seeker(principal, session.get(Seeker, seeker_id), seeker_id)
        row = session.get(table, activity_id)
        if row is None:
            raise NotFound(f"{'培训' if kind == 'training' else '活动'} {activity_id} 不存在")
        is_open, state = (common.training_state if kind == "training" else common.event_state)(row, now)
        if not is_open:
            raise Conflict(f"无法报名：{row.title}（{state}）")
        if session.scalar(select(Registration.id).where(Registration.active_key == _active_key(kind, activity_id, seeker_id))):
            raise Conflict("该求职者已报名，无需重复报名")
        return seeker.station_id or row.station_id, service_code_for(kind, row), row.title


def register(service, principal: Principal, kind: str, activity_id: int, seeker_id: int, *, desk=None,
             now: datetime | None = None) -> dict:
    """Take a seat (if any is left) and record the service; raises Conflict when full, closed or duplicate."""
    now = now or common.utc_now()
    table = _table(kind)
    station_id, code, title = _check(service, principal, kind, activity_id, seeker_id, now)
    by_counsellor = principal.is_staff
    registration_id = None
    for attempt in range(RETRIES):
        try:
            with service.db.session() as session, session.begin():
                taken = session.execute(
                    update(table).where(table.id == activity_id, table.status == "open",
                                        or_(table.seats.is_(None), table.seats_taken < table.seats))
                    .values(seats_taken=table.seats_taken + 1).execution_options(synchronize_session=False))
                if taken.rowcount != 1:
                    raise Conflict(f"名额已满：{title}")
                reg = Registration(seeker_id=seeker_id, registered_by=principal.user_id, by_counsellor=by_counsellor,
                                   status="registered", active_key=_active_key(kind, activity_id, seeker_id),
                                   **{f"{kind}_id": activity_id})
                session.add(reg)
                session.flush()
                registration_id = reg.id
            break
        except IntegrityError as exc:
            raise Conflict("该求职者已报名，无需重复报名") from exc
        except OperationalError as exc:  # SQLite "database is locked" after the busy timeout: try again
            if "locked" not in str(exc).lower() or attempt == RETRIES - 1:
                raise
            time.sleep(0.05 * (attempt + 1))
    try:
        record = _record(service, principal, seeker_id, station_id, code, desk)
    except Exception:
        _undo(service, table, activity_id, registration_id)  # no registration without its service record
        raise
    with service.db.session() as session, session.begin():
        reg = session.get(Registration, registration_id)
        reg.service_record_id, reg.ledger_seq = record["id"], record["ledger_seq"]
        return registration_public(reg, title) | {"service": record}


def _undo(service, table, activity_id: int, registration_id: int) -> None:
    with service.db.session() as session, session.begin():
        session.execute(update(table).where(table.id == activity_id, table.seats_taken > 0)
                        .values(seats_taken=table.seats_taken - 1).execution_options(synchronize_session=False))
        session.delete(session.get(Registration, registration_id))


def _record(service, principal: Principal, seeker_id: int, station_id: int | None, code: str, desk) -> dict:
    if principal.is_staff:
        if desk is None:
            from matcher.counsellor.desk import CounsellorDesk
            desk = CounsellorDesk(service)
        return desk.record_service(principal, seeker_id, code)
    # The seeker registered themselves: the same service-record function the desk uses, no counsellor.
    if station_id is None:
        return {"id": None, "ledger_seq": None, "service_code": code, "service": SERVICE_CODES[code],
                "note": "求职者尚未登记服务站点，本次报名未计入服务台账"}
    if desk is None:
        from matcher.counsellor.desk import CounsellorDesk
        desk = CounsellorDesk(service)
    return records.record_service(service.db.session, desk.ledger, service.secret, seeker_id=seeker_id,
                                  counsellor_id=None, station_id=station_id, service_code=code) | {"note": "求职者本人报名"}


def cancel(service, principal: Principal, registration_id: int, *, now: datetime | None = None) -> dict:
    """Cancel an active registration and free its seat (the service record keeps the registration)."""
    now = now or common.utc_now()
    with service.db.session() as session:
        reg = session.get(Registration, registration_id)
        if reg is None:
            raise NotFound(f"报名记录 {registration_id} 不存在")
        access.can_edit_seeker(principal, session.get(Seeker, reg.seeker_id), reg.seeker_id)
    kind = "training" if reg.training_id is not None else "event"
    table, activity_id = TABLES[kind], reg.training_id or reg.event_id
    for attempt in range(RETRIES):
        try:
            with service.db.session() as session, session.begin():
                changed = session.execute(
                    update(Registration).where(Registration.id == registration_id, Registration.status == "registered")
                    .values(status="cancelled", active_key=None, cancelled_at=now)
                    .execution_options(synchronize_session=False))
                if changed.rowcount != 1:
                    raise Conflict("该报名已取消")
                session.execute(update(table).where(table.id == activity_id, table.seats_taken > 0)
                                .values(seats_taken=table.seats_taken - 1).execution_options(synchronize_session=False))
            break
        except OperationalError as exc:
            if "locked" not in str(exc).lower() or attempt == RETRIES - 1:
                raise
            time.sleep(0.05 * (attempt + 1))
    with service.db.session() as session:
        reg = session.get(Registration, registration_id)
        return registration_public(reg, session.get(table, activity_id).title)


def release_for_seeker(session, seeker_id: int, now: datetime | None = None) -> int:
    """Cancel the seeker's active registrations and give their seats back, inside the caller's transaction.

    For deleting a seeker: the registration rows go with the seeker (ON DELETE CASCADE) but the seat
    counts would not; call this first, in the deleting transaction. Returns how many were released.
    """
    now = now or common.utc_now()
    rows = session.scalars(select(Registration).where(Registration.seeker_id == seeker_id,
                                                      Registration.status == "registered")).all()
    for reg in rows:
        table, activity_id = (Training, reg.training_id) if reg.training_id is not None else (Event, reg.event_id)
        session.execute(update(table).where(table.id == activity_id, table.seats_taken > 0)
                        .values(seats_taken=table.seats_taken - 1).execution_options(synchronize_session=False))
        reg.status, reg.active_key, reg.cancelled_at = "cancelled", None, now
    session.flush()
    return len(rows)


def registration_public(reg: Registration, title: str | None = None) -> dict:
    return {"id": reg.id, "seeker_id": reg.seeker_id,
            "activity_kind": "training" if reg.training_id is not None else "event",
            "activity_id": reg.training_id or reg.event_id, "activity_title": title,
            "status": reg.status, "status_name": {"registered": "已报名", "cancelled": "已取消"}[reg.status],
            "by_counsellor": reg.by_counsellor, "service_record_id": reg.service_record_id, "ledger_seq": reg.ledger_seq,
            "created_at": common.iso(reg.created_at), "cancelled_at": common.iso(reg.cancelled_at)}


def registrations_of_seeker(service, principal: Principal, seeker_id: int) -> list[dict]:
    with service.db.session() as session:
        access.can_read_seeker(principal, session.get(Seeker, seeker_id), seeker_id)
        rows = session.scalars(select(Registration).where(Registration.seeker_id == seeker_id).order_by(Registration.id)).all()
        trainings = dict(session.execute(select(Training.id, Training.title)).all())
        events = dict(session.execute(select(Event.id, Event.title)).all())
        return [registration_public(r, trainings.get(r.training_id) if r.training_id else events.get(r.event_id))
                for r in rows]


def registrations_of_activity(service, principal: Principal, kind: str, activity_id: int) -> list[dict]:
    """Active registrations of one training or event; a counsellor sees only seekers they may see."""
    access.require_staff(principal)
    table = _table(kind)
    column = Registration.training_id if kind == "training" else Registration.event_id
    with service.db.session() as session:
        row = session.get(table, activity_id)
        if row is None:
            raise NotFound(f"{'培训' if kind == 'training' else '活动'} {activity_id} 不存在")
        pairs = session.execute(select(Registration, Seeker).join(Seeker, Seeker.id == Registration.seeker_id)
                                .where(column == activity_id, Registration.status == "registered")
                                .order_by(Registration.id)).all()
        out = []
        for reg, seeker in pairs:
            if principal.sees_all_stations or seeker.station_id in principal.station_ids:
                out.append(registration_public(reg, row.title) | {"name": seeker.name, **access.masked_contact(seeker)})
        return out


__all__ = ["register", "cancel", "release_for_seeker", "registrations_of_seeker", "registrations_of_activity", "EVENT_KINDS"]
