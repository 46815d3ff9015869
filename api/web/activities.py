"""Trainings and fairs on the counsellor's pages (issue 14): register or cancel a seeker, decline a
suggested training, and a 招聘会's page (rank the station's seekers, invite, record 陪同招聘会).

Every action calls the same matcher functions as the API (`matcher.activities`), with the signed-in
principal, so the access rules are the API's.
"""
from __future__ import annotations

from datetime import datetime
from urllib.parse import quote

from fastapi import APIRouter, Request

from api.web.common import DEFAULT_REASON, WebRoute, check_csrf, desk_of, redirect, render, service_of, staff_of
from matcher.activities import common, fair, recommend, registrations, workbench
from matcher.activities.events import get_event
from matcher.counsellor import access
from matcher.errors import Conflict, InvalidInput, JobCircleError

router = APIRouter(prefix="/workbench", route_class=WebRoute, include_in_schema=False)



async def _form(request: Request):
    form = await request.form()
    check_csrf(request, form)
    return form


def _id(value, field: str, label: str) -> int:
    text = str(value or "").strip()
    if not text.isdigit() or not 1 <= int(text) <= 2**31 - 1:
        raise InvalidInput(f"{label}应为数字编号", field=field)
    return int(text)


def seeker_context(request: Request, principal, seeker_id: int) -> dict:
    """The seeker page's trainings-and-events panel (see matcher.activities.workbench)."""
    try:
        return workbench.seeker_activities(service_of(request), principal, seeker_id)
    except JobCircleError as exc:
        return {"recommendations": [], "declined": [], "no_training_nearby": [], "events": [], "registrations": [],
                "recommend_note": "", "events_note": "", "origin_note": None, "notes": [exc.message]}


async def _on_seeker(request: Request, seeker_id: int, action, done: str):
    """Run an action for a seeker's page; a refused one (full, closed, bad input) shows the page again
    with the reason at the trainings-and-events panel."""
    from api.web.counsellor import _seeker_page

    principal = staff_of(request)
    form = await _form(request)
    reason = str(form.get("reason") or DEFAULT_REASON)
    try:
        action(principal, form)
    except (InvalidInput, Conflict) as exc:  # refused: say why on the page; no access / not found: the error page
        return _seeker_page(request, principal, seeker_id, reason, errors={"activities": exc.message},
                            status_code=409 if isinstance(exc, Conflict) else 422)
    return redirect(f"/workbench/seekers/{seeker_id}?reason={quote(reason)}&done={done}#activities")


@router.post("/seekers/{seeker_id}/registrations")
async def register(request: Request, seeker_id: int):
    def act(principal, form):
        kind = str(form.get("kind") or "")
        if kind not in ("training", "event"):
            raise InvalidInput("报名对象应为培训或活动", field="kind")
        registrations.register(service_of(request), principal, kind, _id(form.get("activity_id"), "activity_id", "培训或活动"),
                               seeker_id, desk=desk_of(request))
    return await _on_seeker(request, seeker_id, act, "registered")


@router.post("/seekers/{seeker_id}/registrations/{registration_id}/cancel")
async def cancel(request: Request, seeker_id: int, registration_id: int):
    def act(principal, form):
        mine = registrations.registrations_of_seeker(service_of(request), principal, seeker_id)
        if registration_id not in {r["id"] for r in mine}:
            raise InvalidInput("这条报名不属于该求职者", field="registration_id")
        registrations.cancel(service_of(request), principal, registration_id)
    return await _on_seeker(request, seeker_id, act, "cancelled")


@router.post("/seekers/{seeker_id}/training-declines")
async def decline(request: Request, seeker_id: int):
    def act(principal, form):
        training = str(form.get("training_id") or "").strip()
        recommend.decline(service_of(request), principal, seeker_id, str(form.get("certificate") or ""),
                          training_id=_id(training, "training_id", "培训") if training else None,
                          reason=str(form.get("decline_reason") or ""))
    return await _on_seeker(request, seeker_id, act, "declined")


# ------------------------------------------------------------------ a 招聘会's page
def _fair_page(request: Request, principal, event_id: int, station: int | None, *, flash: str | None = None,
               error: str | None = None, status_code: int = 200):
    service, desk = service_of(request), desk_of(request)
    event = get_event(service, event_id)
    if station is None and principal.station_ids:
        station = min(principal.station_ids)
    if station is not None:
        access.can_access_station(principal, station)  # another station's list stays closed
    shortlist, shortlist_note = None, None
    try:
        shortlist = fair.fair_shortlist(service, desk, principal, event_id, station_id=station, k=30)
    except (Conflict, InvalidInput) as exc:  # no linked postings, not a 招聘会: said on the page
        shortlist_note = exc.message
    registered = registrations.registrations_of_activity(service, principal, "event", event_id)
    started = datetime.fromisoformat(event["starts_at"]) <= common.utc_now()
    return render(request, "fair.html", {"event": event, "shortlist": shortlist, "shortlist_note": shortlist_note,
                                         "registered": registered, "started": started, "station_id": station,
                                         "is_fair": event["event_kind"] in ("job_fair_onsite", "job_fair_online"),
                                         "flash": flash, "errors": {"fair": error} if error else {}},
                  status_code=status_code)


@router.get("/fairs/{event_id}")
def fair_page(request: Request, event_id: int, station: int | None = None, done: str | None = None):
    principal = staff_of(request)
    flash = {"invited": "已邀请并报名，记入服务台账（招聘会报名）", "escorted": "已记录陪同招聘会"}.get(done or "")
    return _fair_page(request, principal, event_id, station, flash=flash)


async def _on_fair(request: Request, event_id: int, action, done: str):
    principal = staff_of(request)
    form = await _form(request)
    station = str(form.get("station") or "").strip()
    station_id = int(station) if station.isdigit() else None
    try:
        message = action(principal, form)
    except (InvalidInput, Conflict) as exc:  # refused: say why on the page; no access / not found: the error page
        return _fair_page(request, principal, event_id, station_id, error=exc.message,
                          status_code=409 if isinstance(exc, Conflict) else 422)
    if message:  # some invitations failed: say which, on the page
        return _fair_page(request, principal, event_id, station_id, error=message, status_code=200)
    return redirect(f"/workbench/fairs/{event_id}?done={done}" + (f"&station={station_id}" if station_id else ""))


@router.post("/fairs/{event_id}/invitations")
async def invite(request: Request, event_id: int):
    def act(principal, form):
        ids = [_id(v, "seeker_ids", "求职者") for v in form.getlist("seeker_ids")]
        if not ids:
            raise InvalidInput("请先勾选要邀请的求职者", field="seeker_ids")
        result = fair.invite(service_of(request), desk_of(request), principal, event_id, ids)
        if result["failed"]:
            return result["message"] + "：" + "；".join(f"求职者 {f['seeker_id']}：{f['reason']}" for f in result["failed"])
        return None
    return await _on_fair(request, event_id, act, "invited")


@router.post("/fairs/{event_id}/escorts/{seeker_id}")
async def escort(request: Request, event_id: int, seeker_id: int):
    def act(principal, form):
        fair.record_escort(service_of(request), desk_of(request), principal, event_id, seeker_id)
    return await _on_fair(request, event_id, act, "escorted")
