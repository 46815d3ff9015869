"""Mock interviews at the edge."""
from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.common import Flag, Id, Text


class InterviewCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "resume_text": "做过两年超市收银，熟悉扫码枪和收银系统，持健康证。",
        "role_text": "超市收银员\n1. 持健康证\n2. 熟练使用收银系统\n3. 能适应早晚班",
        "difficulty": "entry",
    }]})

    seeker_id: Id | None = None
    resume_text: Text | None = Field(default=None, max_length=20_000)
    posting_id: Id | None = None
    role_text: Text | None = Field(default=None, max_length=5_000)
    occupation_code: str | None = Field(default=None, pattern=r"^\d-\d{2}-\d{2}-\d{2}$")
    difficulty: Literal["entry", "standard", "senior"] = "standard"
    shared_with_counsellor: Flag = Field(default=False, description="是否同意所属站点的就业援助员查看本次报告")


class AnswerCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "question_id": "q1", "answer": "我叫小王，在超市做过两年收银，每天处理三百多笔交易，从没出过差错。"}]})

    question_id: Text = Field(min_length=1, max_length=16)
    answer: Text = Field(min_length=1, max_length=20_000, description="超过2000字只评前2000字，并在反馈中说明")


class QuestionPublic(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: str
    text: str
    kind: str | None = None
    requirements: list[str] = []


class InterviewPublic(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: int
    role_title: str | None = None
    occupation_code: str | None = None
    difficulty: str
    seeker_id: int | None = None
    posting_id: int | None = None
    shared_with_counsellor: bool
    requirements: list[dict[str, Any]]
    questions: list[QuestionPublic]


class FeedbackPublic(BaseModel):
    model_config = ConfigDict(extra="allow")

    score: int
    breakdown: dict[str, Any]
    evidence: list[dict[str, Any]]
    missing: list[dict[str, Any]]
    structure: dict[str, Any]


class ReportPublic(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: int
    role_title: str | None = None
    answered: int
    total_questions: int
    average_score: int | None = None
    per_question: list[dict[str, Any]]
    strengths: list[str]
