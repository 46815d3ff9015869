"""What the counsellor's workbench shows of trainings and events (issue 14 on the pages of issue 13).

The pages call these, and these call the same functions the API does (recommendations, subsidy
check, nearby, registrations, fair shortlist) with the same principal, so the access rules are the
API's: a counsellor sees only their station's seekers.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from data.activity_tables import Event, Registration, Training
from data.schema import Seeker
from matcher.activities import common, recommend, registrations, subsidy
from matcher.activities.events import EVENT_KINDS, JOB_FAIRS, list_events
from matcher.activities.nearby import nearby_activities
from matcher.counsellor import access
from matcher.counsellor.access import Principal
from matcher.errors import JobCircleError

NEARBY_KM = 5.0
NEARBY_SHOWN = 6


def seeker_activities(service, principal: Principal, seeker_id: int, *, now: datetime | None = None) -> dict:
    """For a seeker's page: recommended trainings (with the jobs they open and the subsidy answer),
    upcoming events near the seeker, and the seeker's registrations (active first)."""
    now = now or common.utc_now()
    regs = registrations.registrations_of_seeker(service, principal, seeker_id)  # checks access
    details = _activity_details(service, regs, now)
    for reg in regs:
        reg.update(details.get((reg["activity_kind"], reg["activity_id"]), {}))
    active = [r for r in regs if r["status"] == "registered" and not r.get("over")]
    registered = {(r["activity_kind"], r["activity_id"]): r["id"] for r in active}
    notes = []
    try:
        recs = recommend.recommend_trainings(service, principal, seeker_id, now=now)
    except JobCircleError as exc:  # e.g. the resume is not indexed yet: say so, show the rest
        recs = {"recommendations": [], "declined": [], "no_training_nearby": [], "note": recommend.NOTE,
                "origin_note": None}
        notes.append(f"暂无法推荐培训：{exc.message}")
    for rec in recs["recommendations"]:
        rec["subsidy"] = subsidy.check(service, principal, seeker_id, rec["training"]["id"], now=now)
        rec["registration_id"] = registered.get(("training", rec["training"]["id"]))
    with service.db.session() as session:
        row = session.get(Seeker, seeker_id)
        origin, station_id = recommend.seeker_origin(row), row.station_id
    if origin is not None:
        events = nearby_activities(service, place=origin, radius_km=NEARBY_KM, limit=NEARBY_SHOWN, now=now)["events"]
        events_note = f"求职者住址附近 {NEARBY_KM:g} 公里内及线上的活动（不含已结束的）"
    else:
        events = list_events(service, station_ids=[station_id] if station_id else None, now=now)[:NEARBY_SHOWN]
        events_note = "求职者未登记住址，列出" + ("本站" if station_id else "全部") + "即将举办的活动（不含已结束的）"
    for event in events:
        event["registration_id"] = registered.get(("event", event["id"]))
    return {"recommendations": recs["recommendations"], "declined": recs["declined"],
            "no_training_nearby": recs["no_training_nearby"], "recommend_note": recs["note"],
            "origin_note": recs.get("origin_note"), "events": events, "events_note": events_note,
            "registrations": active + [r for r in regs if r not in active], "notes": notes}


def _activity_details(service, regs: list[dict], now: datetime) -> dict:
    """(kind, id) -> when it is, its kind in words, seats left, and whether it is over (past)."""
    training_ids = [r["activity_id"] for r in regs if r["activity_kind"] == "training"]
    event_ids = [r["activity_id"] for r in regs if r["activity_kind"] == "event"]
    out = {}
    with service.db.session() as session:
        for row in session.scalars(select(Training).where(Training.id.in_(training_ids))) if training_ids else []:
            _, state = common.training_state(row, now)
            out[("training", row.id)] = {"kind_name": "培训", "when": common.cn_date(row.start_date) + "开班"
                                         if row.start_date else "时间待定", "seats_left": common.seats_left(row),
                                         "seats": row.seats, "state": state, "over": state in ("已结束", "已取消")}
        for row in session.scalars(select(Event).where(Event.id.in_(event_ids))) if event_ids else []:
            _, state = common.event_state(row, now)
            out[("event", row.id)] = {"kind_name": EVENT_KINDS.get(row.kind, row.kind), "when": common.cn_time(row.starts_at),
                                      "seats_left": common.seats_left(row), "seats": row.seats, "state": state,
                                      "over": common.event_is_past(row, now), "is_fair": row.kind in JOB_FAIRS}
    return out


def caseload_activities(service, seeker_ids: list[int], *, now: datetime | None = None) -> dict[int, dict]:
    """seeker id -> {"open": [titles of active registrations for what is not over], "next_fair": {...} or None}.

    The caller passes only seekers the principal may see (the caseload's own list)."""
    now = now or common.utc_now()
    out: dict[int, dict] = {sid: {"open": [], "next_fair": None} for sid in seeker_ids}
    if not seeker_ids:
        return out
    with service.db.session() as session:
        rows = session.execute(
            select(Registration, Training, Event)
            .join(Training, Training.id == Registration.training_id, isouter=True)
            .join(Event, Event.id == Registration.event_id, isouter=True)
            .where(Registration.seeker_id.in_(seeker_ids), Registration.status == "registered")
            .order_by(Registration.id)).all()
        for reg, training, event in rows:
            item = out[reg.seeker_id]
            if training is not None:
                if common.training_state(training, now)[1] not in ("已结束", "已取消"):
                    item["open"].append(f"培训：{training.title}")
                continue
            if event is None or common.event_is_past(event, now):
                continue
            item["open"].append(f"{EVENT_KINDS.get(event.kind, event.kind)}：{event.title}（{common.cn_time(event.starts_at)}）")
            if event.kind in JOB_FAIRS:
                best = item["next_fair"]
                if best is None or common.aware(event.starts_at) < best["_at"]:
                    item["next_fair"] = {"_at": common.aware(event.starts_at), "event_id": event.id,
                                         "title": event.title, "when": common.cn_time(event.starts_at)}
    for item in out.values():
        if item["next_fair"]:
            item["next_fair"].pop("_at")
    return out


def upcoming_fairs(service, principal: Principal, station_id: int, *, now: datetime | None = None,
                   limit: int = 8) -> list[dict]:
    """Upcoming 招聘会 (any organiser: the district's fairs are for every station), soonest first, each
    with how many of this station's seekers are registered."""
    access.require_staff(principal)
    now = now or common.utc_now()
    fairs = [e for e in list_events(service, now=now) if e["event_kind"] in JOB_FAIRS][:limit]
    ids = [f["id"] for f in fairs]
    with service.db.session() as session:
        pairs = session.execute(select(Registration.event_id, Seeker.station_id).join(Seeker, Seeker.id == Registration.seeker_id)
                                .where(Registration.event_id.in_(ids), Registration.status == "registered")).all() if ids else []
    for fair in fairs:
        fair["station_registered"] = sum(1 for event_id, sid in pairs if event_id == fair["id"] and sid == station_id)
        fair["linked_postings"] = sum(1 for p in fair["postings"] if p["linked"])
    return fairs
