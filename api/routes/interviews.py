from typing import Literal

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel, ConfigDict, Field

from api.deps import Service
from matcher.interview_service import InterviewService

router = APIRouter(prefix="/interviews", tags=["模拟面试"])
SessionId = Path(ge=1, description="模拟面试编号")


class InterviewCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "resume_text": "做过两年超市收银，熟悉扫码枪和收银系统，持健康证。",
        "role_text": "超市收银员\n1. 持健康证\n2. 熟练使用收银系统\n3. 能适应早晚班",
        "difficulty": "entry",
    }]})

    seeker_id: int | None = Field(default=None, ge=1)
    resume_text: str | None = Field(default=None, max_length=20_000)
    posting_id: int | None = Field(default=None, ge=1)
    role_text: str | None = Field(default=None, max_length=5_000)
    occupation_code: str | None = Field(default=None, pattern=r"^\d-\d{2}-\d{2}-\d{2}$")
    difficulty: Literal["entry", "standard", "senior"] = "standard"


class AnswerCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "question_id": "q1", "answer": "我叫小王，在超市做过两年收银，每天处理三百多笔交易，从没出过差错。"}]})

    question_id: str = Field(min_length=1, max_length=16)
    answer: str = Field(min_length=1, max_length=20_000, description="超过2000字只评前2000字，并在反馈中说明")


def _interviews(request: Request, service) -> InterviewService:
    if getattr(request.app.state, "interviews", None) is None:
        request.app.state.interviews = InterviewService(service)
    return request.app.state.interviews


@router.post("", status_code=201, summary="开始一次模拟面试：按岗位要求和简历出 5-8 道题")
def start_interview(body: InterviewCreate, request: Request, service: Service) -> dict:
    return _interviews(request, service).start(**body.model_dump())


@router.get("/{session_id}", summary="查看模拟面试的题目")
def get_interview(request: Request, service: Service, session_id: int = SessionId) -> dict:
    return _interviews(request, service).get(session_id)


@router.post("/{session_id}/answers", summary="提交一道题的回答，返回评分与改进建议")
def answer(body: AnswerCreate, request: Request, service: Service, session_id: int = SessionId) -> dict:
    return _interviews(request, service).answer(session_id, body.question_id, body.answer)


@router.get("/{session_id}/report", summary="整场模拟面试的报告：优势、不足、未体现的要求与下一步建议")
def report(request: Request, service: Service, session_id: int = SessionId) -> dict:
    return _interviews(request, service).report(session_id)
