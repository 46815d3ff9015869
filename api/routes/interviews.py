from fastapi import APIRouter

from api.deps import CurrentUser, DeskDep, InterviewsDep
from api.schemas.common import AUTH, NOT_FOUND, SessionIdPath
from api.schemas.interviews import AnswerCreate, FeedbackPublic, InterviewCreate, InterviewPublic, ReportPublic
from matcher.counsellor import access
from matcher.counsellor.access import Principal
from matcher.counsellor.desk import CounsellorDesk
from matcher.interview.service import InterviewService

router = APIRouter(prefix="/interviews", tags=["模拟面试"])
SESSION = AUTH | NOT_FOUND


def _open(interviews: InterviewService, desk: CounsellorDesk, principal: Principal, session_id: int) -> None:
    access.can_open_interview(principal, session_id, interviews.owner(session_id), desk.check_seeker)


@router.post("", status_code=201, response_model=InterviewPublic, responses=SESSION,
             summary="开始一次模拟面试：按岗位要求和简历出 5-8 道题（求职者本人或其站点工作人员）")
def start_interview(body: InterviewCreate, interviews: InterviewsDep, desk: DeskDep, principal: CurrentUser):
    seeker_id = access.interview_subject(principal, body.seeker_id, body.resume_text is not None, desk.check_seeker)
    return interviews.start(**(body.model_dump() | {"seeker_id": seeker_id}), user_id=principal.user_id)


@router.get("/{session_id}", response_model=InterviewPublic, responses=SESSION,
            summary="查看模拟面试的题目（发起人、求职者本人）")
def get_interview(interviews: InterviewsDep, desk: DeskDep, principal: CurrentUser, session_id: SessionIdPath):
    _open(interviews, desk, principal, session_id)
    return interviews.get(session_id)


@router.post("/{session_id}/answers", response_model=FeedbackPublic, responses=SESSION,
             summary="提交一道题的回答，返回评分与改进建议（发起人、求职者本人）")
def answer(body: AnswerCreate, interviews: InterviewsDep, desk: DeskDep, principal: CurrentUser,
           session_id: SessionIdPath):
    _open(interviews, desk, principal, session_id)
    return interviews.answer(session_id, body.question_id, body.answer)


@router.get("/{session_id}/report", response_model=ReportPublic, responses=SESSION,
            summary="整场模拟面试的报告：优势、不足、未体现的要求与下一步建议（求职者本人；经同意的就业援助员）")
def report(interviews: InterviewsDep, desk: DeskDep, principal: CurrentUser, session_id: SessionIdPath):
    _open(interviews, desk, principal, session_id)
    return interviews.report(session_id)
