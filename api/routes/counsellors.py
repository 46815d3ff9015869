"""Counsellors' side of a posting: the ranked shortlist, decisions and outcomes."""
from typing import Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from api.auth import CurrentUser, RequireCounsellor
from api.deps import Desk

router = APIRouter(tags=["就业援助员"])
PostingId = Path(ge=1, description="岗位编号")
SeekerId = Path(ge=1, description="求职者编号")


class DecisionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"decision": "recommend", "reason": "技能与岗位要求一致，本人有意向"},
        {"decision": "not_suitable", "reason": "本人表示不能上夜班"},
    ]})

    decision: Literal["recommend", "not_suitable"] = Field(description="recommend（推荐）或 not_suitable（不合适）")
    reason: str = Field(default="", max_length=200, description="理由；标记不合适时必填")


class OutcomeCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"event": "interviewed"}]})

    event: Literal["applied", "interviewed", "hired", "rejected"] = Field(description="已投递 / 已面试 / 已录用 / 未录用")


@router.get("/me", summary="当前令牌对应的用户、角色与所属站点（任何已登录用户）")
def me(principal: CurrentUser) -> dict:
    return {"user_id": principal.user_id, "name": principal.name, "role": principal.role,
            "station_ids": sorted(principal.station_ids), "district_wide": principal.district_wide,
            "seeker_id": principal.seeker_id}


@router.get("/postings/{posting_id}/shortlist",
            summary="岗位的候选求职者排序名单：匹配分与政策加分分列，手机号、身份证号打码（就业援助员：本站求职者；全区援助员与管理员：全区）")
def shortlist(desk: Desk, principal: RequireCounsellor, posting_id: int = PostingId,
              k: int = Query(20, ge=1, le=100, description="返回人数"),
              policy: bool = Query(True, description="是否计入重点群体政策加分（false 时只按匹配分排序）")) -> dict:
    return desk.shortlist(principal, posting_id, k, use_policy=policy)


@router.post("/postings/{posting_id}/shortlist/{seeker_id}/decision", status_code=201,
             summary="记录对候选人的决定：推荐或不合适，附理由（本站就业援助员或管理员）")
def decide(body: DecisionCreate, desk: Desk, principal: RequireCounsellor, posting_id: int = PostingId,
           seeker_id: int = SeekerId) -> dict:
    return desk.decide(principal, posting_id, seeker_id, body.decision, body.reason)


@router.post("/postings/{posting_id}/shortlist/{seeker_id}/outcome", status_code=201,
             summary="记录推荐后的结果：已投递、已面试、已录用、未录用（本站就业援助员或管理员）")
def outcome(body: OutcomeCreate, desk: Desk, principal: RequireCounsellor, posting_id: int = PostingId,
            seeker_id: int = SeekerId) -> dict:
    return desk.record_outcome(principal, posting_id, seeker_id, body.event)
