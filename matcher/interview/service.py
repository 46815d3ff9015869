"""Mock-interview sessions stored in the database, built on the scoring core in matcher.interview.

A session's role comes from a stored posting, a pasted role description, or an occupation code
(its official duties stand in for requirements); the resume from a stored seeker or pasted text.
Answers are stored with phone numbers, ID numbers and e-mail addresses redacted, and scored on the
redacted text. The service keeps one scorer, whose vector cache holds each session's requirement,
resume and question vectors, so an answer costs one encoder call.

Build it as `InterviewService(db, encoder)`, where `db` is a `matcher.store.Database` and `encoder`
an `Encoder` or a zero-argument callable returning one (so the model loads on first use).
"""
from __future__ import annotations

from typing import Any, Callable

from sqlalchemy import select

from data.interview_tables import InterviewAnswer, InterviewSession
from data.schema import Posting, Seeker
from matcher.errors import InvalidInput, NotFound
from matcher.interview import (
    DIFFICULTIES,
    AnswerScorer,
    InterviewError,
    Question,
    Requirement,
    build_session,
    duties_for_occupation,
    find_question,
    occupation_name,
    requirements_from_role,
    session_report,
)
from matcher.interview.report import TrainingFinder
from matcher.store import Database
from matcher.text.privacy import redact
from models.encoder import Encoder

MAX_ROLE_TEXT = 5000
MAX_STORED_ANSWER = 20_000


class InterviewService:
    def __init__(self, db: Database, encoder: Encoder | Callable[[], Encoder] | None = None, *,
                 training_finder: TrainingFinder | None = None):
        if encoder is None:
            raise ValueError("InterviewService needs an encoder or a callable that returns one")
        self.db = db
        self._encoder = encoder
        self.training_finder = training_finder
        self._scorer: AnswerScorer | None = None

    @property
    def encoder(self) -> Encoder:
        if not isinstance(self._encoder, Encoder) and callable(self._encoder):
            self._encoder = self._encoder()
        return self._encoder

    @property
    def scorer(self) -> AnswerScorer:
        if self._scorer is None:
            self._scorer = AnswerScorer(self.encoder)
        return self._scorer

    def start(self, *, seeker_id: int | None = None, resume_text: str | None = None, posting_id: int | None = None,
              role_text: str | None = None, occupation_code: str | None = None, difficulty: str = "standard",
              user_id: int | None = None, shared_with_counsellor: bool = False) -> dict:
        if difficulty not in DIFFICULTIES:
            raise InvalidInput(f"难度应为 {'、'.join(DIFFICULTIES)} 之一", field="difficulty")
        if sum(x is not None for x in (posting_id, role_text, occupation_code)) != 1:
            raise InvalidInput("请在 posting_id、role_text、occupation_code 中选择一项说明面试岗位", field="posting_id")
        if (seeker_id is None) == (resume_text is None):
            raise InvalidInput("请提供 seeker_id 或 resume_text 其中一项", field="seeker_id")
        with self.db.session() as session:
            if seeker_id is not None:
                seeker = session.get(Seeker, seeker_id)
                if seeker is None:
                    raise NotFound(f"求职者 {seeker_id} 不存在")
                resume = seeker.resume_text
            else:
                resume, _ = redact(resume_text or "")
            code = occupation_code
            try:
                if posting_id is not None:
                    posting = session.get(Posting, posting_id)
                    if posting is None:
                        raise NotFound(f"岗位 {posting_id} 不存在")
                    title = posting.title
                    code = (posting.occupation_codes or [{}])[0].get("code") if posting.occupation_codes else None
                    duties = duties_for_occupation(code) if code and code.count("-") == 3 and not code.endswith("-00") else []
                    requirements = requirements_from_role(
                        title=title, requirements_text="\n".join([posting.requirements, posting.description]),
                        skills=posting.skills or [], duties=duties)
                elif role_text is not None:
                    if not role_text.strip():
                        raise InvalidInput("岗位描述不能为空", field="role_text")
                    lines = role_text[:MAX_ROLE_TEXT].strip().splitlines()
                    title = lines[0].strip()[:40]
                    body = "\n".join(lines[1:]) if len(lines) > 1 else lines[0]
                    requirements = requirements_from_role(title=title, requirements_text=body)
                else:
                    title = occupation_name(code)
                    requirements = requirements_from_role(title=title, duties=duties_for_occupation(code))
                questions = build_session(requirements=requirements, resume_text=resume, role_title=title,
                                          difficulty=difficulty, encoder=self.encoder, cache=self.scorer.cache)
            except InterviewError as exc:
                raise InvalidInput(str(exc), field="occupation_code" if occupation_code else "role_text") from exc
        with self.db.session() as session, session.begin():
            row = InterviewSession(
                seeker_id=seeker_id, posting_id=posting_id, role_title=title, occupation_code=code,
                difficulty=difficulty, requirements=[r.to_dict() for r in requirements],
                user_id=user_id, shared_with_counsellor=shared_with_counsellor,
                questions=[q.to_dict() for q in questions],
            )
            session.add(row)
            session.flush()
            return self._public(row, resume_text=None)

    def _load(self, session, session_id: int) -> InterviewSession:
        row = session.get(InterviewSession, session_id)
        if row is None:
            raise NotFound(f"模拟面试 {session_id} 不存在")
        return row

    def _public(self, row: InterviewSession, resume_text=None) -> dict:
        return {
            "id": row.id, "role_title": row.role_title, "occupation_code": row.occupation_code,
            "difficulty": row.difficulty, "seeker_id": row.seeker_id, "posting_id": row.posting_id,
            "shared_with_counsellor": bool(row.shared_with_counsellor),
            "requirements": row.requirements,
            "questions": [{"id": q["id"], "text": q["text"], "kind": q.get("kind"), "requirements": q["requirements"],
                           "probes": q.get("probes", "")} for q in row.questions],
        }

    def get(self, session_id: int) -> dict:
        with self.db.session() as session:
            return self._public(self._load(session, session_id))

    def owner(self, session_id: int) -> tuple[int | None, int | None, bool]:
        """(seeker id, user who started it, shared with the counsellor) for access checks."""
        with self.db.session() as session:
            row = self._load(session, session_id)
            return row.seeker_id, row.user_id, bool(row.shared_with_counsellor)

    def answer(self, session_id: int, question_id: str, answer: str) -> dict:
        with self.db.session() as session:
            row = self._load(session, session_id)
            questions = [Question.from_dict(q) for q in row.questions]
            requirements = [Requirement.from_dict(r) for r in row.requirements]
            resume = ""
            if row.seeker_id is not None:
                seeker = session.get(Seeker, row.seeker_id)
                resume = seeker.resume_text if seeker else ""
        try:
            question = find_question(questions, question_id)
        except InterviewError as exc:
            raise InvalidInput(str(exc), field="question_id") from exc
        if not isinstance(answer, str):
            raise InvalidInput("回答应为文字", field="answer")
        # Phones and ID numbers never reach storage (PIPL: minimise); scoring sees the same text.
        answer, found = redact(answer)
        try:
            feedback = self.scorer.score(question, answer, requirements=requirements, resume_text=resume)
        except InterviewError as exc:
            raise InvalidInput(str(exc), field="answer") from exc
        if any(found.values()):
            feedback.notices.append("回答里的手机号、身份证号等个人信息已隐去，不会保存。面试回答里不需要说这些。")
        result = feedback.to_dict()
        with self.db.session() as session, session.begin():
            session.add(InterviewAnswer(session_id=session_id, question_id=question_id,
                                        answer_text=answer[:MAX_STORED_ANSWER],
                                        score=int(result["score"]), feedback=result))
        return result

    def report(self, session_id: int) -> dict[str, Any]:
        with self.db.session() as session:
            row = self._load(session, session_id)
            questions = [Question.from_dict(q) for q in row.questions]
            requirements = [Requirement.from_dict(r) for r in row.requirements]
            answers = [(a.question_id, a.feedback) for a in session.scalars(
                select(InterviewAnswer).where(InterviewAnswer.session_id == session_id).order_by(InterviewAnswer.id))]
        report = session_report(questions, answers, requirements=requirements,
                                training_finder=self.training_finder).to_dict()
        return {"id": session_id, "role_title": row.role_title, **report}
