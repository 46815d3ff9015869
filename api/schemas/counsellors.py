"""The counsellors' side: who am I, shortlists, decisions, outcomes, caseloads, exposure, tokens."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.common import Text


class MePublic(BaseModel):
    user_id: int | None = None
    name: str
    role: str
    station_ids: list[int]
    district_wide: bool
    seeker_id: int | None = None


class DecisionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"decision": "recommend", "reason": "技能与岗位要求一致，本人有意向"},
        {"decision": "not_suitable", "reason": "本人表示不能上夜班"},
    ]})

    decision: Literal["recommend", "not_suitable"] = Field(description="recommend（推荐）或 not_suitable（不合适）")
    reason: Text = Field(default="", max_length=200, description="理由；标记不合适时必填")


class OutcomeCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"event": "interviewed"}]})

    event: Literal["applied", "interviewed", "hired", "rejected"] = Field(description="已投递 / 已面试 / 已录用 / 未录用")


class ShortlistPublic(BaseModel):
    """Candidates ranked for a posting; fit and policy scores apart; phone and ID number masked."""

    model_config = ConfigDict(extra="allow")

    posting_id: int
    title: str
    employer: str | None = None
    k: int
    policy_applied: bool
    exposure_penalty: float
    note: str
    candidates: list[dict[str, Any]]


class DecisionPublic(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: int
    posting_id: int
    seeker_id: int
    decision: str
    decision_name: str
    reason: str
    at: str


class OutcomePublic(BaseModel):
    model_config = ConfigDict(extra="allow")

    posting_id: int
    seeker_id: int
    event: str
    event_name: str


class CaseloadPublic(BaseModel):
    model_config = ConfigDict(extra="allow")

    station_id: int
    stations: list[int]
    total: int
    page: int
    size: int


class ExposurePublic(BaseModel):
    model_config = ConfigDict(extra="allow")

    station_id: int
    window_days: int
    exposure_penalty: float


class LedgerVerifyPublic(BaseModel):
    model_config = ConfigDict(extra="allow")

    ok: bool
    size: int
    message: str
    checkpoints: int


class TokenPublic(BaseModel):
    """An issued token, never the token itself."""

    id: int
    user_id: int
    user_name: str
    role: str
    created_at: datetime | None = None
    expires_at: datetime | None = None
    revoked_at: datetime | None = None
    live: bool


class TokenListPublic(BaseModel):
    ttl_days: int
    tokens: list[TokenPublic]
