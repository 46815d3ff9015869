"""Storage for mock interviews: one session (role, requirements, questions) and its scored answers.

Requirements, questions and feedback are stored as the JSON produced by the domain types'
`to_dict()` in `matcher.interview.core`, so a session can be rebuilt without re-running generation.
A session may exist without a registered seeker (a walk-in pasting a resume) and outlives the
posting it was built from (the posting's id is cleared, the copied requirements stay).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from data.schema import Base, utcnow


class InterviewSession(Base):
    __tablename__ = "interview_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seeker_id: Mapped[int | None] = mapped_column(
        ForeignKey("seekers.id", ondelete="CASCADE"), index=True
    )
    posting_id: Mapped[int | None] = mapped_column(
        ForeignKey("postings.id", ondelete="SET NULL"), index=True
    )
    role_title: Mapped[str] = mapped_column(String(200))
    occupation_code: Mapped[str | None] = mapped_column(String(16))
    difficulty: Mapped[str] = mapped_column(String(16), default="standard")
    # Who started the session; the report is the seeker's, shown to their counsellor only if shared.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    shared_with_counsellor: Mapped[bool] = mapped_column(Boolean, default=False)
    requirements: Mapped[list] = mapped_column(JSON, default=list)
    questions: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    answers: Mapped[list[InterviewAnswer]] = relationship(
        back_populates="session",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="InterviewAnswer.id",
    )


class InterviewAnswer(Base):
    """One submitted answer; a question may be answered several times (practice), newest last."""

    __tablename__ = "interview_answers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("interview_sessions.id", ondelete="CASCADE"), index=True
    )
    question_id: Mapped[str] = mapped_column(String(16))
    answer_text: Mapped[str] = mapped_column(Text)
    score: Mapped[int] = mapped_column(Integer)
    feedback: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    session: Mapped[InterviewSession] = relationship(back_populates="answers")
