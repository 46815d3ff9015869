"""The counsellor's pages: today's caseload, a seeker's page, a posting's page, the letter and the export."""
from __future__ import annotations

from datetime import date
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.web.common import (DEFAULT_REASON, WebRoute, casework_of, desk_of, form_of, interviews_of, redirect, render,
                            service_of, staff_of)
from matcher.counsellor.casework import STATION_SERVICES
from data.workbench_tables import CASE_OUTCOMES
from matcher.errors import InvalidInput, JobCircleError

router = APIRouter(prefix="/workbench", route_class=WebRoute, include_in_schema=False)



def _station(principal, station: int | None) -> int:
    if station is not None:
        return station
    if principal.station_ids:
        return min(principal.station_ids)
    raise InvalidInput("请选择服务站点（地址中加 ?station=站点编号）", field="station")


def _int(value, field: str, label: str) -> int | None:
    text = str(value or "").strip()
    if not text:
        return None
    if not text.isdigit():
        raise InvalidInput(f"{label}应为数字编号", field=field)
    return int(text)


@router.get("")
@router.get("/caseload")
def caseload(request: Request, station: int | None = None):
    principal = staff_of(request)
    station_id = _station(principal, station)
    today = casework_of(request).today(principal, station_id)
    from matcher.activities import workbench  # trainings and fairs (issue 14)

    service = service_of(request)
    activities = workbench.caseload_activities(service, [item["seeker_id"] for item in today["items"]])
    return render(request, "caseload.html", {"caseload": today, "station_id": station_id,
                                             "month": date.today().strftime("%Y-%m"), "activities": activities,
                                             "fairs": workbench.upcoming_fairs(service, principal, station_id)})


def _seeker_page(request: Request, principal, seeker_id: int, reason: str, *, errors=None, values=None,
                 status_code: int = 200, flash: str | None = None):
    work = casework_of(request)
    desk = desk_of(request)
    profile = work.read_with_contact(principal, seeker_id, reason)  # checked and logged with its reason
    try:
        found = service_of(request).match_seeker(seeker_id, 10)
        matches, match_note = found["results"], found.get("message")
    except JobCircleError as exc:
        matches, match_note = [], exc.message
    reports = []
    for row in _shared_sessions(request, seeker_id):
        try:
            reports.append(interviews_of(request).report(row))
        except JobCircleError:
            continue
    context = {
        "seeker": profile, "reason": reason, "matches": matches, "services": desk.services(principal, seeker_id),
        "notes": work.notes(principal, seeker_id), "follow_ups": work.follow_ups(principal, seeker_id),
        "closure": work.closure(principal, seeker_id), "reports": reports, "service_types": STATION_SERVICES,
        "case_outcomes": CASE_OUTCOMES, "match_note": match_note, "errors": errors or {}, "values": values or {}, "flash": flash,
        "today": date.today().isoformat(),
    }
    from api.web.activities import seeker_context  # trainings and events (issue 14)

    context["activities"] = seeker_context(request, principal, seeker_id)
    return render(request, "seeker.html", context, status_code=status_code)


def _shared_sessions(request: Request, seeker_id: int) -> list[int]:
    from sqlalchemy import select

    from data.interview_tables import InterviewSession

    with service_of(request).db.session() as session:
        return list(session.scalars(select(InterviewSession.id).where(
            InterviewSession.seeker_id == seeker_id, InterviewSession.shared_with_counsellor.is_(True))
            .order_by(InterviewSession.id.desc()).limit(5)))


@router.get("/seekers/{seeker_id}")
def seeker_page(request: Request, seeker_id: int, reason: str = DEFAULT_REASON, done: str | None = None):
    principal = staff_of(request)
    flash = {"service": "服务已记录", "note": "备注已保存", "follow_up": "回访已安排", "closed": "个案已结案",
             "reopened": "个案已重新开案", "follow_up_done": "回访已完成",
             "registered": "已报名，并记入服务台账", "cancelled": "已取消报名，名额已释放",
             "declined": "已记录：暂不考虑这项培训，不再推荐"}.get(done or "")
    return _seeker_page(request, principal, seeker_id, reason, flash=flash)


async def _seeker_action(request: Request, seeker_id: int, action, done: str):
    """Run a form's action; on bad input show the seeker's page again with the error next to its field."""
    principal = staff_of(request)
    form = await form_of(request)
    reason = str(form.get("reason") or DEFAULT_REASON)
    try:
        action(principal, form)
    except InvalidInput as exc:
        return _seeker_page(request, principal, seeker_id, reason, errors={exc.field or "form": exc.message},
                            values=form, status_code=422)
    return redirect(f"/workbench/seekers/{seeker_id}?reason={quote(reason)}&done={done}#{done}")


@router.post("/seekers/{seeker_id}/services")
async def record_service(request: Request, seeker_id: int):
    def act(principal, form):
        posting_id = _int(form.get("posting_id"), "posting_id", "相关岗位")
        desk_of(request).record_service(principal, seeker_id, str(form.get("service_code") or ""), posting_id)
    return await _seeker_action(request, seeker_id, act, "service")


@router.post("/seekers/{seeker_id}/notes")
async def add_note(request: Request, seeker_id: int):
    return await _seeker_action(request, seeker_id, lambda p, f: casework_of(request).add_note(p, seeker_id, f.get("text")),
                                "note")


@router.post("/seekers/{seeker_id}/follow-ups")
async def set_follow_up(request: Request, seeker_id: int):
    return await _seeker_action(request, seeker_id, lambda p, f: casework_of(request).set_follow_up(
        p, seeker_id, f.get("due_on"), str(f.get("note") or "")), "follow_up")


@router.post("/seekers/{seeker_id}/follow-ups/{follow_up_id}/done")
async def follow_up_done(request: Request, seeker_id: int, follow_up_id: int):
    return await _seeker_action(request, seeker_id, lambda p, f: casework_of(request).complete_follow_up(p, follow_up_id),
                                "follow_up_done")


@router.post("/seekers/{seeker_id}/close")
async def close_case(request: Request, seeker_id: int):
    return await _seeker_action(request, seeker_id, lambda p, f: casework_of(request).close_case(
        p, seeker_id, str(f.get("outcome") or ""), employer=str(f.get("employer") or ""), on_date=f.get("on_date"),
        note=str(f.get("note") or "")), "closed")


@router.post("/seekers/{seeker_id}/reopen")
async def reopen_case(request: Request, seeker_id: int):
    return await _seeker_action(request, seeker_id, lambda p, f: casework_of(request).reopen_case(p, seeker_id),
                                "reopened")


@router.get("/postings/{posting_id}")
def posting_page(request: Request, posting_id: int, done: str | None = None):
    principal = staff_of(request)
    posting = service_of(request).get_posting(posting_id)
    shortlist = desk_of(request).shortlist(principal, posting_id, 20)
    return render(request, "posting.html", {"posting": posting, "shortlist": shortlist,
                                            "flash": "推荐已记录，并写入服务台账" if done == "recommended" else None})


@router.post("/postings/{posting_id}/recommend/{seeker_id}")
async def recommend(request: Request, posting_id: int, seeker_id: int):
    """Recommending a seeker records the decision and the 岗位推荐 service (ledger included)."""
    principal = staff_of(request)
    form = await form_of(request)
    desk = desk_of(request)
    desk.decide(principal, posting_id, seeker_id, "recommend", str(form.get("reason") or "")[:200])
    desk.record_service(principal, seeker_id, "job_referral", posting_id)
    return redirect(f"/workbench/postings/{posting_id}?done=recommended")


@router.get("/letter")
def letter(request: Request, seeker: int, posting: int):
    principal = staff_of(request)
    return render(request, "letter.html", {"letter": casework_of(request).letter(principal, seeker, posting)})


@router.get("/export")
def export(request: Request, month: str, station: int | None = None):
    principal = staff_of(request)
    station_id = _station(principal, station)
    try:
        year, mon = (int(part) for part in month.split("-"))
    except ValueError:
        raise InvalidInput("月份格式应为 2026-11", field="month") from None
    body = casework_of(request).month_services_xlsx(principal, station_id, year, mon)
    name = f"services-{station_id}-{year}-{mon:02d}.xlsx"
    return Response(body, media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
