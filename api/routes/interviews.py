from typing import Literal

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel, ConfigDict, Field

from api.auth import CurrentUser
from api.deps import Desk, Service
from matcher.counsellor.access import Principal
from matcher.errors import Forbidden, NotFound
from matcher.interview.service import InterviewService

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
    shared_with_counsellor: bool = Field(default=False, description="是否同意所属站点的就业援助员查看本次报告")


class AnswerCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "question_id": "q1", "answer": "我叫小王，在超市做过两年收银，每天处理三百多笔交易，从没出过差错。"}]})

    question_id: str = Field(min_length=1, max_length=16)
    answer: str = Field(min_length=1, max_length=20_000, description="超过2000字只评前2000字，并在反馈中说明")


def _interviews(request: Request, service) -> InterviewService:
    if getattr(request.app.state, "interviews", None) is None:
        request.app.state.interviews = InterviewService(service)
    return request.app.state.interviews


def _check(interviews: InterviewService, desk, principal: Principal, session_id: int) -> None:
    """The seeker's own session; their counsellor only when the seeker shared it; admins."""
    seeker_id, user_id, shared = interviews.owner(session_id)
    if principal.role == "admin" or (user_id is not None and user_id == principal.user_id):
        return
    if seeker_id is not None and principal.role == "seeker" and principal.seeker_id == seeker_id:
        return
    if seeker_id is not None and principal.role == "counsellor":
        desk.check_seeker(principal, seeker_id)
        if shared:
            return
        raise Forbidden("求职者未同意向就业援助员公开本次模拟面试")
    raise NotFound(f"模拟面试 {session_id} 不存在")


@router.post("", status_code=201, summary="开始一次模拟面试：按岗位要求和简历出 5-8 道题（求职者本人或其站点工作人员）")
def start_interview(body: InterviewCreate, request: Request, service: Service, desk: Desk,
                    principal: CurrentUser) -> dict:
    if body.seeker_id is not None:
        desk.check_seeker(principal, body.seeker_id)
    elif principal.role == "seeker" and principal.seeker_id is not None and body.resume_text is None:
        body = body.model_copy(update={"seeker_id": principal.seeker_id})
    return _interviews(request, service).start(**body.model_dump(), user_id=principal.user_id)


@router.get("/{session_id}", summary="查看模拟面试的题目（发起人、求职者本人）")
def get_interview(request: Request, service: Service, desk: Desk, principal: CurrentUser,
                  session_id: int = SessionId) -> dict:
    interviews = _interviews(request, service)
    _check(interviews, desk, principal, session_id)
    return interviews.get(session_id)


@router.post("/{session_id}/answers", summary="提交一道题的回答，返回评分与改进建议（发起人、求职者本人）")
def answer(body: AnswerCreate, request: Request, service: Service, desk: Desk, principal: CurrentUser,
           session_id: int = SessionId) -> dict:
    interviews = _interviews(request, service)
    _check(interviews, desk, principal, session_id)
    return interviews.answer(session_id, body.question_id, body.answer)


@router.get("/{session_id}/report",
            summary="整场模拟面试的报告：优势、不足、未体现的要求与下一步建议（求职者本人；经同意的就业援助员）")
def report(request: Request, service: Service, desk: Desk, principal: CurrentUser, session_id: int = SessionId) -> dict:
    interviews = _interviews(request, service)
    _check(interviews, desk, principal, session_id)
    return interviews.report(session_id)
