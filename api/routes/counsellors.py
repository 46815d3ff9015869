"""Counsellors' side of a posting: the ranked shortlist, decisions and outcomes."""
from fastapi import APIRouter, Query

from api.deps import CurrentUser, DeskDep, RequireCounsellor
from api.schemas.common import AUTH, NOT_FOUND, PostingIdPath, SeekerIdPath
from api.schemas.counsellors import (DecisionCreate, DecisionPublic, MePublic, OutcomeCreate, OutcomePublic,
                                     ShortlistPublic)

router = APIRouter(tags=["就业援助员"])


@router.get("/me", response_model=MePublic, responses=AUTH, summary="当前令牌对应的用户、角色与所属站点（任何已登录用户）")
def me(principal: CurrentUser):
    return {"user_id": principal.user_id, "name": principal.name, "role": principal.role,
            "station_ids": sorted(principal.station_ids), "district_wide": principal.district_wide,
            "seeker_id": principal.seeker_id}


@router.get("/postings/{posting_id}/shortlist", response_model=ShortlistPublic, responses=AUTH | NOT_FOUND,
            summary="岗位的候选求职者排序名单：匹配分与政策加分分列，手机号、身份证号打码（就业援助员：本站求职者；全区援助员与管理员：全区）")
def shortlist(desk: DeskDep, principal: RequireCounsellor, posting_id: PostingIdPath,
              k: int = Query(20, ge=1, le=100, description="返回人数"),
              policy: bool = Query(True, description="是否计入重点群体政策加分（false 时只按匹配分排序）")):
    return desk.shortlist(principal, posting_id, k, use_policy=policy)


@router.post("/postings/{posting_id}/shortlist/{seeker_id}/decision", status_code=201, response_model=DecisionPublic,
             responses=AUTH | NOT_FOUND, summary="记录对候选人的决定：推荐或不合适，附理由（本站就业援助员或管理员）")
def decide(body: DecisionCreate, desk: DeskDep, principal: RequireCounsellor, posting_id: PostingIdPath,
           seeker_id: SeekerIdPath):
    return desk.decide(principal, posting_id, seeker_id, body.decision, body.reason)


@router.post("/postings/{posting_id}/shortlist/{seeker_id}/outcome", status_code=201, response_model=OutcomePublic,
             responses=AUTH | NOT_FOUND, summary="记录推荐后的结果：已投递、已面试、已录用、未录用（本站就业援助员或管理员）")
def outcome(body: OutcomeCreate, desk: DeskDep, principal: RequireCounsellor, posting_id: PostingIdPath,
            seeker_id: SeekerIdPath):
    return desk.record_outcome(principal, posting_id, seeker_id, body.event)
