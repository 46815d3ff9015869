"""A counsellor's casework on top of `CounsellorDesk`: notes, dated follow-ups, closing a case
(已就业 / 暂缓 / 转介), today's caseload, the month's services for export, and a recommendation letter.

Every check goes through `matcher.counsellor.access` (the same rules as the API); every score comes
from the desk or the service. The caseload here is the desk's, with three changes:

* closed cases leave it;
* a follow-up that is due (its date today or earlier, not done) adds 30 points and names the date;
* practice-interview figures come only from sessions the seeker shared with their counsellor (the
  desk neither counts nor shows unshared practice; the filter here is a second guard).
"""
from __future__ import annotations

import io
from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy import select

from data.access_tables import ServiceRecord, User
from data.interview_tables import InterviewSession
from data.schema import PRIORITY_GROUPS, Posting, Seeker, Station
from data.workbench_tables import CASE_OUTCOMES, CaseClosure, CaseNote, FollowUp
from matcher.counsellor import access
from matcher.counsellor.access import Principal
from matcher.counsellor.ledger import OUTCOME_CODES, SERVICE_CODES
from matcher.errors import InvalidInput, JobCircleError, NotFound

#: The station's own service types, in the order a counsellor picks them (code, name shown).
STATION_SERVICES: list[tuple[str, str]] = [
    ("career_guidance", "职业指导"), ("job_referral", "岗位推荐"), ("job_fair_escort", "陪同招聘会"),
    ("phone_follow_up", "电话回访"), ("home_visit", "家访"), ("policy_consultation", "政策咨询"),
    ("training_referral", "培训推荐"),
]
SERVICE_NAMES = {code: name for code, name in STATION_SERVICES}
FOLLOW_UP_DUE_POINTS = 30
NOTE_MAX = 1000
CASELOAD_PAGE = 100


def service_name(code: str) -> str:
    return SERVICE_NAMES.get(code) or SERVICE_CODES.get(code, code)


def parse_date(value: Any, field: str, label: str) -> date:
    if isinstance(value, date):
        return value
    text = (value or "").strip() if isinstance(value, str) else ""
    if not text:
        raise InvalidInput(f"请填写{label}", field=field)
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{label}格式应为 2026-12-31", field=field) from None


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.isoformat()


def _may_read(principal: Principal, row: Seeker) -> bool:
    try:
        access.can_read_seeker(principal, row, row.id)
    except JobCircleError:
        return False
    return True


class Casework:
    """Notes, follow-ups and case closures for the seekers a principal may serve."""

    def __init__(self, desk):
        self.desk = desk
        self.service = desk.service

    def _session(self):
        return self.service.db.session()

    @staticmethod
    def _staff_seeker(session, principal: Principal, seeker_id: int) -> Seeker:
        access.require_staff(principal)
        return access.can_edit_seeker(principal, session.get(Seeker, seeker_id), seeker_id)

    # ------------------------------------------------------------------ reading a seeker
    def read_with_contact(self, principal: Principal, seeker_id: int, reason: str | None) -> dict:
        """The desk's read (checked and logged with its reason), plus the full phone for staff who may
        serve this seeker, so the counsellor can call them."""
        profile = self.desk.read_seeker(principal, seeker_id, reason)
        with self._session() as session:
            row = access.can_read_seeker(principal, session.get(Seeker, seeker_id), seeker_id)
            profile["phone"] = row.phone if principal.is_staff else None
            profile["priority_names"] = [PRIORITY_GROUPS.get(t, t) for t in (row.priority_tags or [])]
            station = session.get(Station, row.station_id) if row.station_id else None
            profile["station_name"] = station.name if station else None
        return profile

    # ------------------------------------------------------------------ notes
    def add_note(self, principal: Principal, seeker_id: int, text: str) -> dict:
        text = (text or "").strip()
        if not text:
            raise InvalidInput("备注内容不能为空", field="text")
        if len(text) > NOTE_MAX:
            raise InvalidInput(f"备注不超过{NOTE_MAX}个字", field="text")
        with self._session() as session, session.begin():
            self._staff_seeker(session, principal, seeker_id)
            note = CaseNote(seeker_id=seeker_id, author_id=principal.user_id, text=text)
            session.add(note)
            session.flush()
            return {"id": note.id, "seeker_id": seeker_id, "text": text, "at": _iso(note.at)}

    def notes(self, principal: Principal, seeker_id: int) -> list[dict]:
        with self._session() as session:
            self._staff_seeker(session, principal, seeker_id)
            rows = session.execute(select(CaseNote, User.name).join(User, User.id == CaseNote.author_id, isouter=True)
                                   .where(CaseNote.seeker_id == seeker_id).order_by(CaseNote.id.desc())).all()
            return [{"id": n.id, "text": n.text, "author": name, "at": _iso(n.at)} for n, name in rows]

    # ------------------------------------------------------------------ follow-ups
    def set_follow_up(self, principal: Principal, seeker_id: int, due_on: Any, note: str = "",
                      today: date | None = None) -> dict:
        due = parse_date(due_on, "due_on", "回访日期")
        if due < (today or date.today()):
            raise InvalidInput("回访日期不能早于今天", field="due_on")
        note = (note or "").strip()
        if len(note) > 200:
            raise InvalidInput("回访事项不超过200个字", field="note")
        with self._session() as session, session.begin():
            self._staff_seeker(session, principal, seeker_id)
            row = FollowUp(seeker_id=seeker_id, due_on=due, note=note, created_by=principal.user_id)
            session.add(row)
            session.flush()
            return {"id": row.id, "seeker_id": seeker_id, "due_on": due.isoformat(), "note": note}

    def follow_ups(self, principal: Principal, seeker_id: int) -> list[dict]:
        with self._session() as session:
            self._staff_seeker(session, principal, seeker_id)
            rows = session.scalars(select(FollowUp).where(FollowUp.seeker_id == seeker_id, FollowUp.done_at.is_(None))
                                   .order_by(FollowUp.due_on, FollowUp.id)).all()
            return [{"id": r.id, "due_on": r.due_on.isoformat(), "note": r.note} for r in rows]

    def complete_follow_up(self, principal: Principal, follow_up_id: int) -> dict:
        with self._session() as session, session.begin():
            row = session.get(FollowUp, follow_up_id)
            if row is None:
                raise NotFound(f"回访 {follow_up_id} 不存在")
            self._staff_seeker(session, principal, row.seeker_id)
            row.done_at = datetime.now(timezone.utc)
            return {"id": row.id, "seeker_id": row.seeker_id, "done": True}

    # ------------------------------------------------------------------ closing a case
    def close_case(self, principal: Principal, seeker_id: int, outcome: str, *, employer: str = "",
                   on_date: Any = None, note: str = "") -> dict:
        text = (outcome or "").strip()
        code = text if text in CASE_OUTCOMES else {n: c for c, n in CASE_OUTCOMES.items()}.get(text)
        if code is None:
            raise InvalidInput("结案结果应为 已就业、暂缓 或 转介", field="outcome")
        employer = (employer or "").strip()
        when = None
        if code == "employed":
            if not employer:
                raise InvalidInput("结案为“已就业”时请填写就业单位", field="employer")
            if len(employer) > 100:
                raise InvalidInput("就业单位不超过100个字", field="employer")
            when = parse_date(on_date, "on_date", "就业日期")
            if when > date.today():
                raise InvalidInput("就业日期不能晚于今天", field="on_date")
        note = (note or "").strip()[:200]
        with self._session() as session, session.begin():
            self._staff_seeker(session, principal, seeker_id)
            if self._open_closure(session, seeker_id) is not None:
                raise InvalidInput("该个案已结案；如需继续服务请先重新开案", field="outcome")
            row = CaseClosure(seeker_id=seeker_id, outcome=code, employer=employer or None, on_date=when, note=note,
                              closed_by=principal.user_id)
            session.add(row)
            session.flush()
            return self._closure_dict(row)

    def reopen_case(self, principal: Principal, seeker_id: int) -> dict:
        with self._session() as session, session.begin():
            self._staff_seeker(session, principal, seeker_id)
            row = self._open_closure(session, seeker_id)
            if row is None:
                raise InvalidInput("该个案没有结案，无需重新开案", field="outcome")
            row.reopened_at = datetime.now(timezone.utc)
            return {"seeker_id": seeker_id, "reopened": True}

    def closure(self, principal: Principal, seeker_id: int) -> dict | None:
        with self._session() as session:
            self._staff_seeker(session, principal, seeker_id)
            row = self._open_closure(session, seeker_id)
            return self._closure_dict(row) if row is not None else None

    @staticmethod
    def _open_closure(session, seeker_id: int) -> CaseClosure | None:
        return session.scalar(select(CaseClosure).where(CaseClosure.seeker_id == seeker_id,
                                                        CaseClosure.reopened_at.is_(None)).order_by(CaseClosure.id.desc()))

    @staticmethod
    def _closure_dict(row: CaseClosure) -> dict:
        return {"seeker_id": row.seeker_id, "outcome": row.outcome, "outcome_name": CASE_OUTCOMES[row.outcome],
                "employer": row.employer, "on_date": row.on_date.isoformat() if row.on_date else None,
                "note": row.note, "closed_at": _iso(row.closed_at)}

    # ------------------------------------------------------------------ today's caseload
    def today(self, principal: Principal, station_id: int, today: date | None = None) -> dict:
        """Open cases of the station, most urgent first, each with the reasons in words."""
        today = today or date.today()
        first = self.desk.caseload(principal, station_id, 1, CASELOAD_PAGE)
        items = list(first["items"])
        for page in range(2, first["pages"] + 1):
            items += self.desk.caseload(principal, station_id, page, CASELOAD_PAGE)["items"]
        ids = [item["seeker_id"] for item in items]
        with self._session() as session:
            closed = set(session.scalars(select(CaseClosure.seeker_id).where(
                CaseClosure.seeker_id.in_(ids), CaseClosure.reopened_at.is_(None)))) if ids else set()
            due: dict[int, FollowUp] = {}
            for row in session.scalars(select(FollowUp).where(FollowUp.seeker_id.in_(ids), FollowUp.done_at.is_(None),
                                                              FollowUp.due_on <= today).order_by(FollowUp.due_on)):
                due.setdefault(row.seeker_id, row)
            shared = set(session.scalars(select(InterviewSession.seeker_id).where(
                InterviewSession.seeker_id.in_(ids), InterviewSession.shared_with_counsellor.is_(True)))) if ids else set()
            rows = {s.id: s for s in session.scalars(select(Seeker).where(Seeker.id.in_(ids)))} if ids else {}
            groups = {sid: [PRIORITY_GROUPS.get(t, t) for t in (s.priority_tags or [])] for sid, s in rows.items()}
            # The desk's scope includes sub-stations; list only the seekers this principal may open.
            allowed = {sid for sid, s in rows.items() if _may_read(principal, s)}
            station = session.get(Station, station_id)
        out = []
        for item in items:
            seeker_id = item["seeker_id"]
            if seeker_id in closed or seeker_id not in allowed:
                continue
            item = dict(item)
            reasons = list(item["reasons"])
            if seeker_id not in shared:
                item["interview_average"] = None
                reasons = [r for r in reasons if not r.startswith("模拟面试")]
            follow = due.get(seeker_id)
            if follow is not None:
                item["urgency"] = round(item["urgency"] + FOLLOW_UP_DUE_POINTS, 1)
                overdue = (today - follow.due_on).days
                when = "今天" if overdue == 0 else f"已过期{overdue}天"
                reasons.insert(0, f"约定{follow.due_on.isoformat()}回访（{when}）" + (f"：{follow.note}" if follow.note else ""))
            item["follow_up_due"] = follow.due_on.isoformat() if follow is not None else None
            item["priority_groups"] = groups.get(seeker_id, [])
            item["reasons"] = reasons
            item["explanation"] = "；".join(reasons) + "。" if reasons else "近期已有服务，暂无需优先跟进。"
            out.append(item)
        out.sort(key=lambda i: (-i["urgency"], i["seeker_id"]))
        return {"station_id": station_id, "station_name": station.name if station else None,
                "stations": first["stations"], "total": len(out), "closed": len(closed),
                "items": out}

    # ------------------------------------------------------------------ the month's services
    def month_services(self, principal: Principal, station_id: int, year: int, month: int) -> list[dict]:
        if not 1 <= month <= 12 or not 2000 <= year <= 2100:
            raise InvalidInput("月份格式应为 2026-11", field="month")
        scope = self.desk.station_scope(principal, station_id)
        start = datetime(year, month, 1, tzinfo=timezone.utc)
        end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=timezone.utc)
        with self._session() as session:
            rows = session.execute(
                select(ServiceRecord, Seeker.name, User.name, Station.name, Posting.title)
                .join(Seeker, Seeker.id == ServiceRecord.seeker_id)
                .join(User, User.id == ServiceRecord.counsellor_id, isouter=True)
                .join(Station, Station.id == ServiceRecord.station_id, isouter=True)
                .join(Posting, Posting.id == ServiceRecord.posting_id, isouter=True)
                .where(ServiceRecord.station_id.in_(scope), ServiceRecord.at >= start, ServiceRecord.at < end)
                .order_by(ServiceRecord.at, ServiceRecord.id)).all()
        return [{"at": _iso(r.at), "station": station, "seeker_id": r.seeker_id, "seeker": seeker,
                 "service": service_name(r.service_code), "posting": title,
                 "outcome": OUTCOME_CODES.get(r.outcome) if r.outcome else None, "counsellor": counsellor,
                 "ledger_seq": r.ledger_seq}
                for r, seeker, counsellor, station, title in rows]

    def month_services_xlsx(self, principal: Principal, station_id: int, year: int, month: int) -> bytes:
        from openpyxl import Workbook

        rows = self.month_services(principal, station_id, year, month)
        book = Workbook()
        sheet = book.active
        sheet.title = f"{year}-{month:02d}服务台账"
        sheet.append(["服务时间", "服务站点", "求职者编号", "求职者", "服务类型", "相关岗位", "结果", "就业援助员", "台账序号"])
        for r in rows:
            sheet.append([r["at"][:16].replace("T", " "), r["station"], r["seeker_id"], r["seeker"], r["service"],
                          r["posting"], r["outcome"], r["counsellor"], r["ledger_seq"]])
        for column, width in zip("ABCDEFGHI", (18, 24, 10, 10, 12, 24, 10, 14, 10)):
            sheet.column_dimensions[column].width = width
        buffer = io.BytesIO()
        book.save(buffer)
        return buffer.getvalue()

    # ------------------------------------------------------------------ recommendation letter
    def letter(self, principal: Principal, seeker_id: int, posting_id: int) -> dict:
        """What a printable 推荐函 shows: the seeker's skills and experience (the employer's view, no
        phone, ID number or priority group), the posting, the station and the counsellor."""
        posting = self.service.get_posting(posting_id)
        with self._session() as session:
            row = self._staff_seeker(session, principal, seeker_id)
            seeker = access.employer_view(row)
            station = session.get(Station, row.station_id) if row.station_id else None
            station_name = station.name if station else None
        match = next((m for m in self._matches(seeker_id) if m["posting_id"] == posting_id), None)
        return {"seeker": seeker, "posting": posting, "station": station_name, "counsellor": principal.name,
                "date": date.today().isoformat(), "match": match}

    def _matches(self, seeker_id: int) -> list[dict]:
        try:
            return self.service.match_seeker(seeker_id, k=50)["results"]
        except Exception:  # a seeker without a vector yet: the letter simply has no match explanation
            return []
