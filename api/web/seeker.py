"""The seeker's own pages: matches, saved and applied postings, practice interviews, and their data rights."""
from __future__ import annotations

import json
from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy import select

from api.web.common import (WebRoute, desk_of, form_of, interviews_of, redirect, render, service_of, signed_in)
from data.schema import OUTCOME_EVENTS, MatchOutcome, Posting, Station
from matcher.counsellor import access
from matcher.errors import Forbidden, InvalidInput, JobCircleError, describe_validation
from matcher.inputs import SeekerInput

router = APIRouter(prefix="/my", route_class=WebRoute, include_in_schema=False)
SEEKER_EVENTS = ("saved", "applied")


def _seeker(request: Request):
    principal = signed_in(request)
    if principal.role != "seeker":
        raise Forbidden("此页面供求职者本人使用；就业援助员请前往“今日待办”")
    return principal


def _stations(request: Request) -> list[dict]:
    with service_of(request).db.session() as session:
        return [{"id": s.id, "name": s.name} for s in session.scalars(select(Station).order_by(Station.id))]


def _mine(request: Request, seeker_id: int) -> list[dict]:
    with service_of(request).db.session() as session:
        rows = session.execute(select(MatchOutcome, Posting.title).join(Posting, Posting.id == MatchOutcome.posting_id)
                               .where(MatchOutcome.seeker_id == seeker_id, MatchOutcome.event.in_(SEEKER_EVENTS))
                               .order_by(MatchOutcome.id.desc())).all()
    seen, out = set(), []
    for row, title in rows:
        if (row.posting_id, row.event) not in seen:
            seen.add((row.posting_id, row.event))
            out.append({"posting_id": row.posting_id, "title": title, "event": OUTCOME_EVENTS[row.event],
                        "at": row.at.strftime("%Y-%m-%d") if row.at else ""})
    return out


def _validation_errors(exc: ValidationError) -> dict[str, str]:
    """The API's Chinese wording for each bad field (matcher.errors.describe_validation)."""
    errors: dict[str, str] = {}
    for error in describe_validation(exc.errors(include_url=False, include_input=False)):
        errors.setdefault(error["field"].split(".")[0] or "form", error["message"])
    return errors


@router.get("")
def home(request: Request, done: str | None = None):
    principal = _seeker(request)
    if principal.seeker_id is None:
        return render(request, "register.html", {"stations": _stations(request)})
    profile = desk_of(request).read_seeker(principal, principal.seeker_id, None)
    try:
        found = service_of(request).match_seeker(principal.seeker_id, 10)
    except JobCircleError as exc:
        matches, note = [], exc.message
    else:
        matches, note = found["results"], found.get("message")
    flash = {"saved": "已收藏该岗位", "applied": "已记录投递，祝你顺利", "station": "已选择服务站点",
             "consent": "已撤回敏感信息使用同意"}.get(done or "")
    return render(request, "me.html", {"seeker": profile, "matches": matches, "note": note, "mine": _mine(request, principal.seeker_id),
                                       "stations": _stations(request), "flash": flash})


@router.post("/register")
async def register(request: Request):
    principal = _seeker(request)
    form = await form_of(request)
    station = str(form.get("station_id") or "").strip()
    data = {"resume_text": form.get("resume_text") or "", "name": form.get("name") or None,
            "phone": form.get("phone") or None, "desired_roles": form.get("desired_roles") or [],
            "consent": form.get("consent") == "yes", "station_id": int(station) if station.isdigit() else None}
    try:
        inp = SeekerInput.model_validate(data)
        desk_of(request).create_seeker(principal, inp)
    except ValidationError as exc:
        return render(request, "register.html", {"stations": _stations(request), "errors": _validation_errors(exc),
                                                 "values": form}, status_code=422)
    except InvalidInput as exc:
        return render(request, "register.html", {"stations": _stations(request), "errors": {exc.field or "form": exc.message},
                                                 "values": form}, status_code=422)
    return redirect("/my")


@router.post("/station")
async def choose_station(request: Request):
    principal = _seeker(request)
    form = await form_of(request)
    station = str(form.get("station_id") or "")
    if not station.isdigit():
        raise InvalidInput("请选择一个服务站点", field="station_id")
    desk_of(request).update_seeker(principal, principal.seeker_id, {"station_id": int(station)})
    return redirect("/my?done=station")


@router.post("/postings/{posting_id}/{event}")
async def save_or_apply(request: Request, posting_id: int, event: str):
    principal = _seeker(request)
    await form_of(request)
    if event not in SEEKER_EVENTS or principal.seeker_id is None:
        raise InvalidInput("只能收藏（saved）或投递（applied）岗位", field="event")
    service_of(request).record_outcome(principal.seeker_id, posting_id, event)
    return redirect(f"/my?done={event}")


# ---------------------------------------------------------------------- practice interview
@router.get("/interview")
def interview_form(request: Request, posting: int | None = None):
    _seeker(request)
    return render(request, "interview_start.html", {"posting_id": posting})


@router.post("/interview")
async def interview_start(request: Request):
    principal = _seeker(request)
    form = await form_of(request)
    posting = str(form.get("posting_id") or "").strip()
    role_text = str(form.get("role_text") or "").strip() or None
    try:
        seeker_id = access.interview_subject(principal, None, False, desk_of(request).check_seeker)
        started = interviews_of(request).start(
            seeker_id=seeker_id, posting_id=int(posting) if posting.isdigit() else None,
            role_text=None if posting.isdigit() else role_text, difficulty=str(form.get("difficulty") or "standard"),
            user_id=principal.user_id, shared_with_counsellor=form.get("share") == "yes")
    except InvalidInput as exc:
        field = "role_text" if exc.field in ("posting_id", "role_text") and not posting.isdigit() else "form"
        return render(request, "interview_start.html", {"posting_id": posting, "errors": {field: exc.message},
                                                        "values": form}, status_code=422)
    return redirect(f"/my/interview/{started['id']}")


def _own_session(request: Request, principal, session_id: int) -> None:
    access.can_open_interview(principal, session_id, interviews_of(request).owner(session_id), desk_of(request).check_seeker)


@router.get("/interview/{session_id}")
def interview_page(request: Request, session_id: int, feedback: str | None = None):
    principal = _seeker(request)
    _own_session(request, principal, session_id)
    interviews = interviews_of(request)
    session = interviews.get(session_id)
    report = interviews.report(session_id)
    return render(request, "interview.html", {"session": session, "report": report,
                                              "feedback": getattr(request.state, "feedback", None)})


@router.post("/interview/{session_id}/answers")
async def interview_answer(request: Request, session_id: int):
    principal = _seeker(request)
    _own_session(request, principal, session_id)
    form = await form_of(request)
    interviews = interviews_of(request)
    errors, feedback = {}, None
    answer = str(form.get("answer") or "").strip()
    if not answer:
        errors["answer"] = "回答不能为空"
    else:
        try:
            feedback = interviews.answer(session_id, str(form.get("question_id") or ""), answer)
        except InvalidInput as exc:
            errors[exc.field or "answer"] = exc.message
    return render(request, "interview.html", {"session": interviews.get(session_id), "report": interviews.report(session_id),
                                              "feedback": feedback, "errors": errors, "values": form},
                  status_code=422 if errors else 200)


# ---------------------------------------------------------------------- data rights
@router.get("/privacy")
def privacy(request: Request):
    principal = _seeker(request)
    if principal.seeker_id is None:
        return redirect("/my")
    log = desk_of(request).access_log(principal, principal.seeker_id)
    profile = desk_of(request).read_seeker(principal, principal.seeker_id, None)
    return render(request, "privacy.html", {"log": log, "seeker": profile})


@router.get("/export")
def export(request: Request):
    principal = _seeker(request)
    data = desk_of(request).export(principal, principal.seeker_id)
    name = f"jobcircle-my-data-{datetime.now().strftime('%Y%m%d')}.json"
    return Response(json.dumps(data, ensure_ascii=False, indent=2), media_type="application/json; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.post("/consent/withdraw")
async def withdraw_consent(request: Request):
    """Withdraw the separate consent for sensitive data (priority groups such as disability)."""
    principal = _seeker(request)
    await form_of(request)
    desk_of(request).update_seeker(principal, principal.seeker_id, {"sensitive_consent": False, "priority_tags": []})
    return redirect("/my?done=consent")


@router.post("/delete")
async def delete(request: Request):
    principal = _seeker(request)
    form = await form_of(request)
    if form.get("confirm") != "删除":
        log = desk_of(request).access_log(principal, principal.seeker_id)
        profile = desk_of(request).read_seeker(principal, principal.seeker_id, None)
        return render(request, "privacy.html", {"log": log, "seeker": profile,
                                                "errors": {"confirm": "请在框中输入“删除”两个字以确认"}}, status_code=422)
    result = desk_of(request).delete_seeker(principal, principal.seeker_id)
    response = render(request, "deleted.html", {"result": result})
    response.delete_cookie("jc_token", path="/")
    return response
