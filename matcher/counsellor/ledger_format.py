"""The ledger's format: service and outcome codes, pseudonyms, entry hashing and the value types.

Pure functions and frozen records with no storage and no keys, so the ledger (storage, signing,
verification) and anything reading its entries share one definition.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import re
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import Any, Mapping

#: Services a counsellor records, code -> Chinese name.
SERVICE_CODES: dict[str, str] = {
    "career_guidance": "职业指导",
    "job_referral": "岗位推荐",
    "job_fair_escort": "招聘会陪同",
    "training_referral": "培训推荐",
    "psychological_support": "心理疏导",
    "mock_interview": "模拟面试",
    "entrepreneurship_guidance": "创业指导",
    "phone_follow_up": "电话回访",
    "home_visit": "家访",
    "policy_consultation": "政策咨询",
    # Registrations (issue 14): a registration is its own service, by what was registered for. Before
    # these codes existed a 招聘会/宣讲会 registration was written as job_fair_escort; those entries stay
    # as they are (the ledger is never rewritten), and job_fair_escort now means a counsellor went along.
    "training_registration": "培训报名",
    "job_fair_registration": "招聘会报名",
    "event_registration": "活动报名",
}
#: Outcomes that follow a service, code -> Chinese name.
OUTCOME_CODES: dict[str, str] = {
    "applied": "已投递", "interviewed": "已面试", "hired": "已录用", "rejected": "未录用", "employed": "已就业",
}

GENESIS = "00" * 32
PSEUDONYM_HEX_CHARS = 32  # 128 bits of HMAC output
_MAX_ID = 2**31 - 1  # ids fit a 32-bit column; also keeps an 11-digit phone number out of id fields
_PSEUDONYM_RE = re.compile(rf"[0-9a-f]{{{PSEUDONYM_HEX_CHARS}}}")
_TIME_RE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z")
_KIND_RE = re.compile(r"[a-z][a-z_]{0,31}")
_STATEMENT_PREFIX = b"jobcircle-ledger-checkpoint/v1\n"
_PG_LOCK_KEY = 0x6A6F62636C6564  # "jobcled": one advisory lock for the one ledger
ENTRY_FIELDS = ("seq", "time", "subject", "actor", "station_id", "service_code", "posting_id", "outcome")


class LedgerError(ValueError):
    """A value that may not enter the record, or a key file that may not be used; message in Chinese."""


# ---------------------------------------------------------------------------------------------------
# Pseudonyms, hashing, validation
# ---------------------------------------------------------------------------------------------------

def pseudonym(secret: bytes, kind: str, raw_id: int) -> str:
    """HMAC-SHA256 of ``kind:raw_id`` under the district secret, as 32 lowercase hex characters.

    The same person always gets the same pseudonym within a district; without the secret the
    pseudonym cannot be linked back to the id.
    """
    if not isinstance(secret, bytes | bytearray) or len(secret) < 16:
        raise LedgerError("区级密钥至少需要 16 个字节")
    if not isinstance(kind, str) or not _KIND_RE.fullmatch(kind):
        raise LedgerError("假名类别只能是小写英文代码，如 seeker、counsellor")
    if isinstance(raw_id, bool) or not isinstance(raw_id, int) or raw_id < 0:
        raise LedgerError("编号必须是非负整数")
    msg = f"jobcircle-pseudonym/v1|{kind}|{raw_id}".encode("ascii")
    return hmac.new(bytes(secret), msg, hashlib.sha256).hexdigest()[:PSEUDONYM_HEX_CHARS]


def pseudonym_for_key(secret: bytes, kind: str, key: str) -> str:
    """Like `pseudonym`, keyed to a random per-person key (32 hex characters) that is never reused,
    so a new person who happens to get a deleted person's id never inherits their record."""
    if not isinstance(key, str) or not _PSEUDONYM_RE.fullmatch(key):
        raise LedgerError("假名密钥必须是 32 位小写十六进制串")
    if not isinstance(secret, bytes | bytearray) or len(secret) < 16:
        raise LedgerError("区级密钥至少需要 16 个字节")
    if not isinstance(kind, str) or not _KIND_RE.fullmatch(kind):
        raise LedgerError("假名类别只能是小写英文代码，如 seeker、counsellor")
    msg = f"jobcircle-pseudonym/v2|{kind}|{key}".encode("ascii")
    return hmac.new(bytes(secret), msg, hashlib.sha256).hexdigest()[:PSEUDONYM_HEX_CHARS]


def _canonical(obj: Mapping[str, Any]) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode("ascii")


def leaf_hash(fields: Mapping[str, Any]) -> str:
    """SHA-256(0x00 || canonical JSON of the entry's eight fields), hex."""
    body = {name: fields[name] for name in ENTRY_FIELDS}
    return hashlib.sha256(b"\x00" + _canonical(body)).hexdigest()


def chain_hash(previous: str, leaf: str) -> str:
    """SHA-256(0x01 || previous chain hash || leaf hash), hex; the first previous is GENESIS."""
    return hashlib.sha256(b"\x01" + bytes.fromhex(previous) + bytes.fromhex(leaf)).hexdigest()


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _validate(fields: Mapping[str, Any]) -> None:
    """Raise LedgerError unless every field is a pseudonym, a known code or a bounded integer."""
    seq = fields.get("seq")
    if not _is_int(seq) or seq < 1:
        raise LedgerError("序号必须是正整数")
    if not isinstance(fields.get("time"), str) or not _TIME_RE.fullmatch(fields["time"]):
        raise LedgerError("时间必须是 UTC ISO 格式，如 2025-01-02T03:04:05.000000Z")
    for name, label in (("subject", "求职者"), ("actor", "指导员")):
        value = fields.get(name)
        if not isinstance(value, str) or not _PSEUDONYM_RE.fullmatch(value):
            raise LedgerError(
                f"{label}只能以假名记录（pseudonym() 生成的 {PSEUDONYM_HEX_CHARS} 位十六进制串），不能写姓名、电话或其他文字"
            )
    station = fields.get("station_id")
    if not _is_int(station) or not 0 < station <= _MAX_ID:
        raise LedgerError("站点编号必须是正整数")
    if fields.get("service_code") not in SERVICE_CODES:
        allowed = "、".join(f"{code}（{name}）" for code, name in SERVICE_CODES.items())
        raise LedgerError(f"服务类型只能是以下代码之一：{allowed}")
    posting = fields.get("posting_id")
    if posting is not None and (not _is_int(posting) or not 0 < posting <= _MAX_ID):
        raise LedgerError("岗位编号必须是正整数，或不填")
    outcome = fields.get("outcome")
    if outcome is not None and outcome not in OUTCOME_CODES:
        allowed = "、".join(f"{code}（{name}）" for code, name in OUTCOME_CODES.items())
        raise LedgerError(f"结果只能是以下代码之一：{allowed}，或不填")


def _utc_iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise LedgerError("时间必须带时区")
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# ---------------------------------------------------------------------------------------------------
# Domain records
# ---------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Entry:
    seq: int
    time: str
    subject: str
    actor: str
    station_id: int
    service_code: str
    posting_id: int | None
    outcome: str | None
    leaf_hash: str
    chain_hash: str

    @property
    def service_name(self) -> str:
        return SERVICE_CODES.get(self.service_code, self.service_code)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def of(cls, row: Any) -> "Entry":
        """From an ORM row, a mapping, or an Entry."""
        get = row.get if isinstance(row, Mapping) else lambda k: getattr(row, k)
        return cls(**{f: get(f) for f in (*ENTRY_FIELDS, "leaf_hash", "chain_hash")})


@dataclass(frozen=True)
class Checkpoint:
    size: int
    root_hash: str
    time: str
    signature: str
    key_id: str

    def statement(self) -> bytes:
        """The exact bytes that are signed."""
        return statement_bytes(self.size, self.root_hash, self.time, self.key_id)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def of(cls, row: Any) -> "Checkpoint":
        get = row.get if isinstance(row, Mapping) else lambda k: getattr(row, k)
        return cls(**{f: get(f) for f in ("size", "root_hash", "time", "signature", "key_id")})


def statement_bytes(size: int, root_hash: str, time: str, key_id: str) -> bytes:
    return _STATEMENT_PREFIX + _canonical({"size": size, "root_hash": root_hash, "time": time, "key_id": key_id})


@dataclass
class VerifyResult:
    ok: bool
    size: int
    problems: list[str] = field(default_factory=list)
    first_bad_seq: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
