"""The counsellor's desk: access-checked reads of seekers, shortlists, caseload, the service record,
and the seeker's rights (export, deletion). Composes `JobCircle`; never edits it.

Caseload urgency (0-100 points, higher first; ties by seeker id):

| reason | points |
|--------|--------|
| unemployed (from `unemployed_since`) | 35 x min(months, 24) / 24; named as 长期失业 from 6 months |
| no service in the last N days (`settings.service_gap_days`, counted from registration when never served) | 15 at N days, rising to 25 at 2N days |
| new open postings that fit since the last contact (match score >= 0.5, created after the last service) | 8 per posting, at most 3 |
| mock-interview practice suggests coaching (average of the latest score per question < 60, 2+ answers) | 16 |

Only practice the seeker shared with their counsellor is read: unshared practice is neither shown nor
counted. A seeker never served has no "days since contact" (`days_since_contact` is None); the page says
尚未服务（登记于N天前） from `contact_text`, and the gap rule counts from registration.
"""
from __future__ import annotations

import math
import threading
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import func, select

from data.access_tables import Decision, ServiceRecord, ShortlistEntry, User
from data.interview_tables import InterviewAnswer, InterviewSession
from data.schema import OUTCOME_EVENTS, MatchOutcome, Posting, Seeker, Station
from data.activity_tables import Registration, TrainingDecline
from matcher.activities.registrations import registration_public
from matcher.counsellor import access, erasure, records
from matcher.counsellor.access import Principal
from matcher.errors import InvalidInput, NotFound
from matcher.counsellor.ledger import SERVICE_CODES, Ledger
from matcher.counsellor.shortlist import SHORTLIST_OUTCOMES, Shortlister
from matcher.ranking.policy import PriorityPolicy
from matcher.seekers import seeker_public

NEW_POSTING_MIN_SCORE = 0.37  # on the relevance-first score of issue 10 (relevance 70%, gates 15%, logistics 15%)
NEW_POSTINGS_SHOWN = 3
COACHING_BELOW = 60
SERVICE_ALIASES = {"job_recommendation": "job_referral"} | {name: code for code, name in SERVICE_CODES.items()}


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value


def _iso(value: datetime | None) -> str | None:
    value = _aware(value)
    return value.isoformat() if value else None


def service_code(value: str) -> str:
    """A service code from its code, an alias or its Chinese name (职业指导, 岗位推荐 ...)."""
    text = (value or "").strip()
    code = text if text in SERVICE_CODES else SERVICE_ALIASES.get(text)
    if code is None:
        allowed = "、".join(f"{c}（{n}）" for c, n in SERVICE_CODES.items())
        raise InvalidInput(f"无法识别服务类型“{text}”，可填：{allowed}", field="service_code")
    return code


class CounsellorDesk:
    """Everything on the counsellors' side of the service, for one running `JobCircle`."""

    def __init__(self, service, *, ledger: Ledger | None = None):
        self.service = service
        settings = service.settings
        self.policy = PriorityPolicy(settings.district_code, settings.priority_policy_path)
        self.shortlister = Shortlister(service, self.policy)
        self._ledger = ledger
        self._lock = threading.Lock()

    @property
    def seekers(self):
        """The synced seeker index (owned by the service's components)."""
        return self.service.seekers

    def start(self) -> "CounsellorDesk":
        self.service.parts.start_seekers()
        return self

    def stop(self) -> None:
        if self.service.components is not None and self.seekers.index is not None:
            self.seekers.save()

    @property
    def ledger(self) -> Ledger:
        with self._lock:
            if self._ledger is None:
                self._ledger = records.open_ledger(self.service.db.session, self.service.settings.data_dir)
            return self._ledger

    # ------------------------------------------------------------------ seekers, access-checked
    def _seeker(self, session, seeker_id: int) -> Seeker | None:
        return session.get(Seeker, seeker_id)

    def create_seeker(self, principal: Principal, inp) -> dict:
        station_id = access.check_new_seeker_station(principal, inp.station_id)
        if station_id != inp.station_id:
            inp = inp.model_copy(update={"station_id": station_id})
        # Never an overwrite of, or a link to, a record this principal may not edit (issue 12, item 1).
        created = self.service.create_seeker(inp, guard=access.upsert_guard(principal, "seeker"),
                                             log=self._consent_log(principal))
        self._seekers_now()
        if principal.role == "seeker" and principal.user_id is not None:
            with self.service.db.session() as session, session.begin():
                user = session.get(User, principal.user_id)
                user.seeker_id = created["id"]
        return created

    def read_seeker(self, principal: Principal, seeker_id: int, reason: str | None) -> dict:
        """The full record; staff must give a reason, and their read is logged."""
        with self.service.db.session() as session, session.begin():
            row = access.can_read_seeker(principal, self._seeker(session, seeker_id), seeker_id)
            if principal.is_staff:
                access.log_access(session, principal, row.id, "read", access.read_reason(reason))
            return seeker_public(row)

    def update_seeker(self, principal: Principal, seeker_id: int, changes: dict[str, Any]) -> dict:
        with self.service.db.session() as session, session.begin():
            row = access.can_edit_seeker(principal, self._seeker(session, seeker_id), seeker_id)
            if principal.is_staff:
                access.log_access(session, principal, row.id, "edit", "修改求职信息：" + "、".join(sorted(changes)))
            if changes.get("sensitive_consent") is False and row.sensitive_consent:
                access.log_access(session, principal, row.id, "sensitive_consent_withdrawn",
                                  "撤回敏感个人信息处理的单独同意（残疾、低收入等重点群体标签停止使用和展示）")
        updated = self.service.update_seeker(seeker_id, changes, log=self._consent_log(principal))
        self._seekers_now()  # withdrawal or renewal of consent counts at once
        return updated

    def _seekers_now(self) -> None:
        if self.seekers.index is not None:
            self.seekers.refresh(force=True)

    @staticmethod
    def _consent_log(principal: Principal):
        return lambda session, seeker_id, action, reason: access.log_access(session, principal, seeker_id, action, reason)

    def check_seeker(self, principal: Principal, seeker_id: int) -> None:
        with self.service.db.session() as session:
            access.can_read_seeker(principal, self._seeker(session, seeker_id), seeker_id)

    def access_log(self, principal: Principal, seeker_id: int) -> list[dict]:
        with self.service.db.session() as session:
            access.can_see_own_records(principal, self._seeker(session, seeker_id), seeker_id)
            return access.access_log(session, seeker_id)

    def export(self, principal: Principal, seeker_id: int) -> dict:
        """Everything stored about the seeker (PIPL art. 45), as JSON-ready data."""
        with self.service.db.session() as session, session.begin():
            row = access.can_see_own_records(principal, self._seeker(session, seeker_id), seeker_id)
            profile = seeker_public(row) | {
                "consent_at": _iso(row.consent_at), "unemployed_since": _iso(row.unemployed_since),
                "registered_at": _iso(row.created_at), "updated_at": _iso(row.updated_at), "address": row.address,
                "consent_withdrawn_at": _iso(row.consent_withdrawn_at),
                "stored_priority_tags": list(row.priority_tags or []),  # incl. any unused for want of consent
                # the resume's words as matching stores them (matcher.seeker_query), derived data kept in the row
                "match_words": [word for word, _ in ((row.match_query or {}).get("words") or [])],
            }
            titles = dict(session.execute(select(Posting.id, Posting.title)).all())
            outcomes = [{"posting_id": r.posting_id, "posting": titles.get(r.posting_id), "event": r.event,
                         "at": _iso(r.at)}
                        for r in session.scalars(select(MatchOutcome).where(MatchOutcome.seeker_id == seeker_id)
                                                 .order_by(MatchOutcome.id))]
            decisions = [{"posting_id": r.posting_id, "posting": titles.get(r.posting_id), "decision": r.decision,
                          "reason": r.reason, "at": _iso(r.at)}
                         for r in session.scalars(select(Decision).where(Decision.seeker_id == seeker_id)
                                                  .order_by(Decision.id))]
            shortlists = [{"posting_id": r.posting_id, "posting": titles.get(r.posting_id), "rank": r.rank,
                           "fit_score": r.fit_score, "policy_score": r.policy_score, "at": _iso(r.at)}
                          for r in session.scalars(select(ShortlistEntry).where(ShortlistEntry.seeker_id == seeker_id)
                                                   .order_by(ShortlistEntry.id))]
            services = [{"service_code": r.service_code, "service": SERVICE_CODES.get(r.service_code, r.service_code),
                         "station_id": r.station_id, "posting_id": r.posting_id, "outcome": r.outcome, "at": _iso(r.at)}
                        for r in session.scalars(select(ServiceRecord).where(ServiceRecord.seeker_id == seeker_id)
                                                 .order_by(ServiceRecord.id))]
            interviews = []
            for s in session.scalars(select(InterviewSession).where(InterviewSession.seeker_id == seeker_id)
                                     .order_by(InterviewSession.id)):
                interviews.append({
                    "id": s.id, "role_title": s.role_title, "posting_id": s.posting_id, "created_at": _iso(s.created_at),
                    "questions": s.questions,
                    "answers": [{"question_id": a.question_id, "answer_text": a.answer_text, "score": a.score,
                                 "feedback": a.feedback, "at": _iso(a.created_at)} for a in s.answers],
                })
            activities = [registration_public(r) for r in session.scalars(
                select(Registration).where(Registration.seeker_id == seeker_id).order_by(Registration.id))]
            declines = [{"certificate": r.certificate, "training_id": r.training_id, "reason": r.reason, "at": _iso(r.at)}
                        for r in session.scalars(select(TrainingDecline).where(TrainingDecline.seeker_id == seeker_id)
                                                 .order_by(TrainingDecline.id))]
            log = access.access_log(session, seeker_id)
            access.log_access(session, principal, seeker_id, "export", "导出个人信息")
        return {"exported_at": datetime.now(timezone.utc).isoformat(), "profile": profile, "outcomes": outcomes,
                "decisions": decisions, "shortlists": shortlists, "services": services,
                "interview_sessions": interviews, "registrations": activities, "training_declines": declines,
                "access_log": log}

    def delete_seeker(self, principal: Principal, seeker_id: int) -> dict:
        """Remove the resume, its vectors, interview records, outcomes, decisions and the identifiable
        service records. The service ledger keeps its entries, which carry only a pseudonym."""
        with self.service.db.session() as session, session.begin():
            access.can_delete_seeker(principal, self._seeker(session, seeker_id), seeker_id)
            removed = erasure.erase_seeker(session, self.service.db, seeker_id)
        erasure.register_erasures(self.service.settings.data_dir, [seeker_id], "request")
        records.scrub_deleted(self.service.db.engine)  # no copy of the deleted text stays in the -wal file
        self.seekers.refresh(force=True)
        return {"deleted": True, "seeker_id": seeker_id, "removed": removed,
                "note": "简历、向量、面试练习记录、匹配结果与服务明细已删除；区级服务台账中只保留无法识别个人的假名记录。"}

    # ------------------------------------------------------------------ shortlist
    def shortlist(self, principal: Principal, posting_id: int, k: int = 20, *, use_policy: bool = True) -> dict:
        return self.shortlister.shortlist(posting_id, principal, k, use_policy=use_policy)

    def decide(self, principal: Principal, posting_id: int, seeker_id: int, decision: str, reason: str = "") -> dict:
        return self.shortlister.decide(posting_id, seeker_id, principal, decision, reason)

    def record_outcome(self, principal: Principal, posting_id: int, seeker_id: int, event: str) -> dict:
        """The outcome goes to the ledger, the visible service record and the outcome table at once."""
        access.require_staff(principal)
        if event not in SHORTLIST_OUTCOMES:
            names = "、".join(f"{e}（{OUTCOME_EVENTS[e]}）" for e in SHORTLIST_OUTCOMES)
            raise InvalidInput(f"结果应为 {names} 之一", field="event")
        with self.service.db.session() as session:
            access.can_read_seeker(principal, self._seeker(session, seeker_id), seeker_id)
        records.record_outcome(self.service.db.session, self.ledger, self.service.secret, seeker_id=seeker_id,
                               posting_id=posting_id, outcome=event, counsellor_id=principal.user_id)
        return {"posting_id": posting_id, "seeker_id": seeker_id, "event": event, "event_name": OUTCOME_EVENTS[event]}

    # ------------------------------------------------------------------ stations
    def station_scope(self, principal: Principal, station_id: int) -> list[int]:
        """The station and every station under it, after checking the principal may act for it."""
        with self.service.db.session() as session:
            if session.get(Station, station_id) is None:
                raise NotFound(f"服务站点 {station_id} 不存在")
            access.can_access_station(principal, station_id)
            children: dict[int, list[int]] = {}
            for sid, parent in session.execute(select(Station.id, Station.parent_id)).all():
                if parent is not None:
                    children.setdefault(parent, []).append(sid)
        scope, todo = [], [station_id]
        while todo:
            current = todo.pop()
            if current not in scope:
                scope.append(current)
                todo.extend(children.get(current, []))
        return scope

    def exposure(self, principal: Principal, station_id: int) -> dict:
        scope = self.station_scope(principal, station_id)
        return {"station_id": station_id, "window_days": 30, "exposure_penalty": self.service.settings.shortlist_exposure_penalty,
                "seekers": self.shortlister.exposure(scope)}

    def caseload(self, principal: Principal, station_id: int, page: int = 1, size: int = 20,
                 now: datetime | None = None) -> dict:
        """The station's seekers (with its sub-stations), most urgent first; see the module docstring."""
        if page < 1:
            raise InvalidInput("页码从 1 开始", field="page")
        if not 1 <= size <= 100:
            raise InvalidInput("每页条数应在 1 到 100 之间", field="size")
        scope = self.station_scope(principal, station_id)
        now = now or datetime.now(timezone.utc)
        gap = self.service.settings.service_gap_days
        with self.service.db.session() as session:
            seekers = session.scalars(select(Seeker).where(Seeker.station_id.in_(scope),
                                                           Seeker.consent_withdrawn_at.is_(None))  # consent withdrawn: off the list
                                      .order_by(Seeker.id)).all()
            ids = [s.id for s in seekers]
            last_service = dict(session.execute(
                select(ServiceRecord.seeker_id, func.max(ServiceRecord.at))
                .where(ServiceRecord.seeker_id.in_(ids)).group_by(ServiceRecord.seeker_id)).all()) if ids else {}
            practice = self._practice(session, ids)
            newest_posting = _aware(session.scalar(select(func.max(Posting.created_at)).where(Posting.status == "open")))
            people = [(s.id, s.name, access.masked_contact(s), _aware(s.unemployed_since), _aware(s.created_at), s.station_id)
                      for s in seekers]
        items = []
        for seeker_id, name, contact, unemployed_since, registered, home in people:
            served = _aware(last_service.get(seeker_id))
            last_contact = served or registered or now
            points, reasons = 0.0, []
            months = None
            if unemployed_since is not None and unemployed_since < now:
                months = (now - unemployed_since).days / 30.4
                points += 35 * min(months, 24) / 24
                if months >= 6:
                    reasons.append(f"长期失业：已失业约{months:.0f}个月")
            days = (now - last_contact).days
            registered_days = (now - registered).days if registered is not None else None
            if served is not None:
                contact_text = "今天" if days == 0 else f"{days}天前"
            else:
                contact_text = f"尚未服务（登记于{days}天前）" if registered is not None else "尚未服务"
            if days >= gap:
                points += 15 + 10 * min(1.0, (days - gap) / gap)
                reasons.append(f"已{days}天没有服务记录" if served else f"登记{days}天以来尚无服务记录")
            new_postings = []
            if newest_posting is not None and newest_posting > last_contact:
                new_postings = self._new_postings(seeker_id, last_contact)
                if new_postings:
                    points += 8 * len(new_postings)
                    names = "、".join(f"“{p['title']}”" for p in new_postings)
                    reasons.append(f"上次联系后有{len(new_postings)}个新岗位适合TA：{names}")
            avg, answered = practice.get(seeker_id, (None, 0))
            if avg is not None and answered >= 2 and avg < COACHING_BELOW:
                points += 16
                reasons.append(f"模拟面试平均{avg:.0f}分，建议安排面试辅导")
            items.append({
                "seeker_id": seeker_id, "name": name, **contact, "station_id": home,
                "urgency": round(points, 1), "reasons": reasons,
                "explanation": "；".join(reasons) + "。" if reasons else "近期已有服务，暂无需优先跟进。",
                "unemployed_months": round(months, 1) if months is not None else None,
                "last_service_at": _iso(served), "days_since_contact": days if served is not None else None,
                "days_since_registration": registered_days, "contact_text": contact_text,
                "new_postings": new_postings, "interview_average": avg,
            })
        items.sort(key=lambda item: (-item["urgency"], item["seeker_id"]))
        start = (page - 1) * size
        return {"station_id": station_id, "stations": scope, "total": len(items), "page": page, "size": size,
                "pages": max(1, math.ceil(len(items) / size)), "service_gap_days": gap,
                "items": items[start:start + size]}

    @staticmethod
    def _practice(session, seeker_ids: list[int]) -> dict[int, tuple[float, int]]:
        """Seeker id -> (average of the latest score per practised question, number of such questions), from
        the sessions the seeker shared with their counsellor only."""
        if not seeker_ids:
            return {}
        rows = session.execute(
            select(InterviewSession.seeker_id, InterviewAnswer.session_id, InterviewAnswer.question_id, InterviewAnswer.score)
            .join(InterviewAnswer, InterviewAnswer.session_id == InterviewSession.id)
            .where(InterviewSession.seeker_id.in_(seeker_ids), InterviewSession.shared_with_counsellor.is_(True))
            .order_by(InterviewAnswer.id)
        ).all()
        latest: dict[tuple[int, int, str], int] = {}
        for seeker_id, session_id, question_id, score in rows:
            latest[(seeker_id, session_id, question_id)] = score  # newest answer wins
        per: dict[int, list[int]] = {}
        for (seeker_id, _s, _q), score in latest.items():
            per.setdefault(seeker_id, []).append(score)
        return {s: (sum(v) / len(v), len(v)) for s, v in per.items()}

    def _new_postings(self, seeker_id: int, since: datetime) -> list[dict]:
        try:
            matches = self.service.match_seeker(seeker_id, k=10)["results"]
        except Exception:  # a seeker without a vector yet is simply not matched here
            return []
        good = [m for m in matches if m["score"] >= NEW_POSTING_MIN_SCORE]
        if not good:
            return []
        with self.service.db.session() as session:
            created = dict(session.execute(select(Posting.id, Posting.created_at)
                                           .where(Posting.id.in_([m["posting_id"] for m in good]))).all())
        fresh = [m for m in good if _aware(created.get(m["posting_id"])) and _aware(created[m["posting_id"]]) > since]
        return [{"posting_id": m["posting_id"], "title": m["title"], "employer": m["employer"], "score": m["score"]}
                for m in fresh[:NEW_POSTINGS_SHOWN]]

    # ------------------------------------------------------------------ service record
    def record_service(self, principal: Principal, seeker_id: int, code: str, posting_id: int | None = None,
                       outcome: str | None = None) -> dict:
        """Store the identifiable service record and append its pseudonymous entry to the ledger."""
        access.require_staff(principal)
        code = service_code(code)
        with self.service.db.session() as session:
            row = access.can_edit_seeker(principal, self._seeker(session, seeker_id), seeker_id)
            station_id = row.station_id
        if station_id is None and len(principal.station_ids) == 1:
            station_id = next(iter(principal.station_ids))
        if station_id is None:
            raise InvalidInput("该求职者尚未登记服务站点，请先在求职信息中指定站点", field="station_id")
        return records.record_service(self.service.db.session, self.ledger, self.service.secret, seeker_id=seeker_id,
                                      counsellor_id=principal.user_id, station_id=station_id, service_code=code,
                                      posting_id=posting_id, outcome=outcome)

    def services(self, principal: Principal, seeker_id: int) -> list[dict]:
        """The seeker's services, each checked against the ledger (`verified`, and `problem` when not)."""
        entries = self.ledger.entries()
        with self.service.db.session() as session:
            access.can_read_seeker(principal, self._seeker(session, seeker_id), seeker_id)
            return records.checked_services(session, entries, self.service.secret, seeker_id)

    def verify_ledger(self) -> dict:
        """The ledger, and every visible service record against it; names the first that disagrees."""
        return records.verify_all(self.service.db.session, self.ledger, self.service.secret)
