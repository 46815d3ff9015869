"""Which seekers to take to which 招聘会: the station's seekers ranked by how well the fair's postings
fit them, using the shortlist pipeline (`Shortlister.shortlist`, not a copy of its scoring) over each
linked posting; then invitations, each a registration recorded as 招聘会报名 in the service record;
and, once the fair has begun, the counsellor's record that they went along (陪同招聘会, job_fair_escort).

A seeker's fair score is their best shortlist rank score over the fair's postings (fit plus the
policy component the shortlist shows separately); ties go to the seeker fitting more of the fair's
postings (fit score >= 0.5), then the lower id.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from data.activity_tables import Event, EventEscort, Registration
from data.schema import Seeker
from matcher.activities import common, registrations
from matcher.activities.events import JOB_FAIRS, fair_posting_ids
from matcher.counsellor import access
from matcher.counsellor.access import Principal
from matcher.errors import Conflict, InvalidInput, JobCircleError, NotFound

GOOD_FIT = 0.5  # the same "fits" threshold as the caseload's new postings (desk.NEW_POSTING_MIN_SCORE)


def fair_shortlist(service, desk, principal: Principal, event_id: int, *, station_id: int | None = None, k: int = 20,
                   now: datetime | None = None) -> dict:
    access.require_staff(principal)
    now = now or common.utc_now()
    with service.db.session() as session:
        event = session.get(Event, event_id)
        if event is None:
            raise NotFound(f"活动 {event_id} 不存在")
        title, home = event.title, event.station_id
        is_open, state = common.event_state(event, now)
        invited = set(session.scalars(select(Registration.seeker_id).where(Registration.event_id == event_id,
                                                                           Registration.status == "registered")))
    posting_ids = fair_posting_ids(service, event_id)
    if not posting_ids:
        raise Conflict("该招聘会尚未关联库中的岗位（参会岗位需填写岗位编号），无法排序")
    if station_id is None:  # the organiser's station if it is the counsellor's, else the counsellor's own
        mine = principal.sees_all_stations or home in principal.station_ids
        station_id = home if home is not None and mine else (min(principal.station_ids) if principal.station_ids else home)
    scope = set(desk.station_scope(principal, station_id)) if station_id is not None else None
    per_posting = service.settings.max_k
    people: dict[int, dict] = {}
    for posting_id in posting_ids:
        result = desk.shortlister.shortlist(posting_id, principal, per_posting, record=False)
        for c in result["candidates"]:
            if scope is not None and c["station_id"] not in scope:
                continue
            person = people.setdefault(c["seeker_id"], {
                "seeker_id": c["seeker_id"], "name": c["name"], "phone_masked": c.get("phone_masked"),
                "station_id": c["station_id"], "best_rank_score": c["rank_score"], "postings": []})
            person["best_rank_score"] = max(person["best_rank_score"], c["rank_score"])
            person["postings"].append({"posting_id": posting_id, "title": result["title"], "employer": result["employer"],
                                       "fit_score": c["fit_score"], "rank_score": c["rank_score"],
                                       "explanation": c["explanation"], "policy": c["policy"]})
    ranked = []
    for person in people.values():
        person["postings"].sort(key=lambda p: (-p["rank_score"], p["posting_id"]))
        person["good_fits"] = sum(1 for p in person["postings"] if p["fit_score"] >= GOOD_FIT)
        best = person["postings"][0]
        person["why"] = (f"最适合本场的“{best['title']}”（{best['employer']}），匹配分{best['fit_score']:.2f}"
                         + (f"；另有 {person['good_fits'] - 1} 个参会岗位也较合适" if person["good_fits"] > 1 else ""))
        person["invited"] = person["seeker_id"] in invited
        person["postings"] = person["postings"][:3]
        ranked.append(person)
    ranked.sort(key=lambda p: (-p["best_rank_score"], -p["good_fits"], p["seeker_id"]))
    for n, person in enumerate(ranked[:k], start=1):
        person["rank"] = n
    return {"event_id": event_id, "title": title, "registration_open": is_open, "state": state,
            "station_id": station_id, "postings": len(posting_ids), "candidates": ranked[:k],
            "note": "按参会岗位与求职者的匹配程度排序（与岗位候选人名单同一排序方法）；是否邀请由就业援助员决定。"}


def invite(service, desk, principal: Principal, event_id: int, seeker_ids: list[int], *, now: datetime | None = None) -> dict:
    """Register each chosen seeker (by the counsellor); each is recorded as 招聘会报名. Per-seeker errors are listed."""
    access.require_staff(principal)
    done, failed = [], []
    for seeker_id in dict.fromkeys(seeker_ids):
        try:
            done.append(registrations.register(service, principal, "event", event_id, seeker_id, desk=desk, now=now))
        except JobCircleError as exc:
            failed.append({"seeker_id": seeker_id, "reason": exc.message})
    return {"event_id": event_id, "invited": done, "failed": failed,
            "message": f"已邀请 {len(done)} 人并记入服务台账（招聘会报名）" + (f"；{len(failed)} 人未成功" if failed else "")}


def record_escort(service, desk, principal: Principal, event_id: int, seeker_id: int, *, now: datetime | None = None) -> dict:
    """The counsellor went to this 招聘会 with the seeker: record 陪同招聘会 (job_fair_escort) in the service record.

    Only for a 招聘会, and only once it has begun (before that it has not happened). Once per seeker and
    fair: the (event, seeker) pair is claimed in `event_escorts` (unique) before the service record is
    written, so a repeat for the same fair is refused, even from two requests at once, while another fair
    the same day is its own escort. Registration is not required (a seeker may be taken along on the day)."""
    access.require_staff(principal)
    now = now or common.utc_now()
    with service.db.session() as session:
        event = session.get(Event, event_id)
        if event is None:
            raise NotFound(f"活动 {event_id} 不存在")
        if event.kind not in JOB_FAIRS:
            raise InvalidInput("只有招聘会可以记录陪同招聘会", field="event_id")
        if common.aware(event.starts_at) > now:
            raise Conflict(f"招聘会尚未开始（{common.cn_time(event.starts_at)}），陪同后再记录")
        access.can_edit_seeker(principal, session.get(Seeker, seeker_id), seeker_id)
        title = event.title
    claim = _claim_escort(service, event_id, seeker_id)
    try:
        record = desk.record_service(principal, seeker_id, "job_fair_escort")
    except Exception:
        with service.db.session() as session, session.begin():  # no claim without its service record
            session.execute(delete(EventEscort).where(EventEscort.id == claim))
        raise
    with service.db.session() as session, session.begin():
        session.execute(update(EventEscort).where(EventEscort.id == claim).values(service_record_id=record["id"]))
    return {"event_id": event_id, "title": title, "seeker_id": seeker_id, "service": record,
            "message": f"已记录陪同招聘会：{title}"}


def _claim_escort(service, event_id: int, seeker_id: int) -> int:
    """Insert the (event, seeker) pair; Conflict when it is already there."""
    try:
        with service.db.session() as session, session.begin():
            row = EventEscort(event_id=event_id, seeker_id=seeker_id)
            session.add(row)
            session.flush()
            return row.id
    except IntegrityError as exc:
        raise Conflict("已记录过该求职者本场的陪同招聘会") from exc
