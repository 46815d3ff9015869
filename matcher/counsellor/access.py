"""Who may see and change what: users, bearer tokens, and permission checks.

Tokens are `secrets.token_urlsafe(32)`; only their SHA-256 hash is stored, so a database copy does
not give anyone a working token. A token is shown once, when it is issued.

Roles:
* seeker — reads and edits only their own record (another seeker's id reads as "not found", so ids
  cannot be probed);
* counsellor — the seekers registered at their stations (a district-wide counsellor: all of them);
  every read of a full resume needs a reason and is written to the access log;
* admin — everything, including users and the service record's verification.

Every check raises `Unauthorized` (no valid token), `Forbidden` (valid token, not allowed) or
`NotFound`; messages are Chinese and carry no data about the record asked for.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Callable, Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from data.access_tables import ROLES, AccessLog, Token, User
from data.schema import Seeker, Station
from matcher.errors import Forbidden, InvalidInput, NotFound, Unauthorized
from matcher.text.privacy import mask_phone

STAFF = ("counsellor", "admin")
READ_REASON_MAX = 200


@dataclass(frozen=True)
class Principal:
    """The person behind a request. `user_id` is None only for the local no-auth mode."""

    user_id: int | None
    role: str
    station_ids: frozenset[int] = field(default_factory=frozenset)
    district_wide: bool = False
    seeker_id: int | None = None
    name: str = ""

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF

    @property
    def sees_all_stations(self) -> bool:
        return self.is_admin or (self.role == "counsellor" and self.district_wide)


LOCAL_ADMIN = Principal(user_id=None, role="admin", name="本机管理员（未启用登录）")


# ---------------------------------------------------------------------------------------------------
# Tokens and users
# ---------------------------------------------------------------------------------------------------

def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(session: Session, user_id: int) -> str:
    """A new token for the user; only its hash is stored. The caller commits."""
    if session.get(User, user_id) is None:
        raise NotFound(f"用户 {user_id} 不存在")
    token = secrets.token_urlsafe(32)
    session.add(Token(user_id=user_id, token_hash=hash_token(token)))
    session.flush()
    return token


def add_user(session: Session, *, name: str, role: str, station_ids: Iterable[int] = (), district_wide: bool = False,
             seeker_id: int | None = None) -> tuple[int, str]:
    """Create a user and their first token; returns (user id, token). The caller commits."""
    name = (name or "").strip()
    if not name or len(name) > 50:
        raise InvalidInput("用户名称不能为空，且不超过50个字", field="name")
    if role not in ROLES:
        raise InvalidInput(f"角色应为 {'、'.join(ROLES)} 之一", field="role")
    stations = sorted({int(s) for s in station_ids})
    for station_id in stations:
        if session.get(Station, station_id) is None:
            raise InvalidInput(f"服务站点 {station_id} 不存在", field="station")
    if role == "seeker":
        if stations or district_wide:
            raise InvalidInput("求职者账号不能绑定站点或全区权限", field="role")
        if seeker_id is not None and session.get(Seeker, seeker_id) is None:
            raise InvalidInput(f"求职者 {seeker_id} 不存在", field="seeker")
    elif seeker_id is not None:
        raise InvalidInput("只有求职者账号可以绑定求职者编号", field="seeker")
    if role == "counsellor" and not stations and not district_wide:
        raise InvalidInput("就业援助员需指定至少一个服务站点（--station），或设为全区（--district-wide）", field="station")
    user = User(name=name, role=role, station_ids=stations, district_wide=bool(district_wide and role == "counsellor"),
                seeker_id=seeker_id)
    session.add(user)
    session.flush()
    return user.id, issue_token(session, user.id)


def _aware(value: datetime | None) -> datetime | None:
    # SQLite hands back naive datetimes; they were written in UTC.
    return value.replace(tzinfo=timezone.utc) if value is not None and value.tzinfo is None else value


def token_expires_at(row: Token, ttl_days: int | None) -> datetime | None:
    created = _aware(row.created_at)
    return created + timedelta(days=ttl_days) if ttl_days and created is not None else None


def authenticate(session: Session, token: str | None, *, ttl_days: int | None = None) -> Principal:
    """The principal holding `token`; raises Unauthorized for a missing, unknown, revoked or expired token
    (a token lives `ttl_days` days from when it was issued; None: forever)."""
    if not token:
        raise Unauthorized("请先登录：请求头需带 Authorization: Bearer <令牌>")
    row = session.execute(
        select(Token, User).join(User, User.id == Token.user_id).where(Token.token_hash == hash_token(token))
    ).first()
    if row is None or row.Token.revoked_at is not None:
        raise Unauthorized("令牌无效或已被吊销，请向管理员重新申请")
    expires = token_expires_at(row.Token, ttl_days)
    if expires is not None and expires <= datetime.now(timezone.utc):
        raise Unauthorized("令牌已过期，请向管理员重新申请")
    user = row.User
    return Principal(user_id=user.id, role=user.role, station_ids=frozenset(user.station_ids or ()),
                     district_wide=bool(user.district_wide), seeker_id=user.seeker_id, name=user.name)


def revoke_token(session: Session, token: str) -> bool:
    """Revoke one token; False if it is unknown or already revoked. The caller commits."""
    row = session.scalar(select(Token).where(Token.token_hash == hash_token(token)))
    if row is None or row.revoked_at is not None:
        return False
    row.revoked_at = datetime.now(timezone.utc)
    return True


def revoke_user(session: Session, user_id: int) -> int:
    """Revoke every live token of a user; returns how many. The caller commits."""
    if session.get(User, user_id) is None:
        raise NotFound(f"用户 {user_id} 不存在")
    rows = session.scalars(select(Token).where(Token.user_id == user_id, Token.revoked_at.is_(None))).all()
    now = datetime.now(timezone.utc)
    for row in rows:
        row.revoked_at = now
    return len(rows)


def list_tokens(session: Session, *, ttl_days: int | None = None) -> list[dict]:
    """Every token issued (never the token itself): whose, when issued, when it expires, whether revoked."""
    now = datetime.now(timezone.utc)
    out = []
    for token, user in session.execute(select(Token, User).join(User, User.id == Token.user_id).order_by(Token.id)):
        expires, revoked = token_expires_at(token, ttl_days), _aware(token.revoked_at)
        out.append({"id": token.id, "user_id": user.id, "user_name": user.name, "role": user.role,
                    "created_at": _aware(token.created_at), "expires_at": expires, "revoked_at": revoked,
                    "live": revoked is None and (expires is None or expires > now)})
    return out


def revoke_token_id(session: Session, token_id: int, *, ttl_days: int | None = None) -> dict:
    """Revoke a token by its number (as listed); revoking twice is harmless. The caller commits."""
    row = session.get(Token, token_id)
    if row is None:
        raise NotFound(f"令牌 {token_id} 不存在")
    if row.revoked_at is None:
        row.revoked_at = datetime.now(timezone.utc)
        session.flush()
    return next(t for t in list_tokens(session, ttl_days=ttl_days) if t["id"] == token_id)


def list_users(session: Session) -> list[dict]:
    """Users with their role, scope and number of live tokens (never the tokens)."""
    out = []
    for user in session.scalars(select(User).order_by(User.id)):
        live = session.scalars(select(Token.id).where(Token.user_id == user.id, Token.revoked_at.is_(None))).all()
        out.append({"id": user.id, "name": user.name, "role": user.role, "role_name": ROLES.get(user.role, user.role),
                    "station_ids": list(user.station_ids or []), "district_wide": bool(user.district_wide),
                    "seeker_id": user.seeker_id, "live_tokens": len(live)})
    return out


# ---------------------------------------------------------------------------------------------------
# Permission checks
# ---------------------------------------------------------------------------------------------------

def require_role(principal: Principal, *roles: str) -> None:
    if principal.role not in roles:
        names = "、".join(ROLES[r] for r in roles)
        raise Forbidden(f"没有权限：此操作仅限{names}")


def require_staff(principal: Principal) -> None:
    require_role(principal, *STAFF)


def require_admin(principal: Principal) -> None:
    require_role(principal, "admin")


def can_access_station(principal: Principal, station_id: int | None) -> None:
    """Staff may act for a station only if it is one of theirs (or they see the whole district)."""
    require_staff(principal)
    if principal.sees_all_stations:
        return
    if station_id is None or station_id not in principal.station_ids:
        raise Forbidden("没有权限：只能查看或处理本人所属服务站点的信息")


def can_edit_posting(principal: Principal, posting_station_id: int | None, new_station_id: int | None = None) -> None:
    """Staff may change a posting of one of their stations (or one without a station), and may move it
    only to one of their stations."""
    require_staff(principal)
    if posting_station_id is not None:
        can_access_station(principal, posting_station_id)
    if new_station_id is not None:
        can_access_station(principal, new_station_id)


def can_import(principal: Principal, kind: str) -> None:
    """Postings: any staff (rows are checked per station); seekers: district-wide staff only, since rows
    may name any station (a station's counsellor registers seekers one by one instead)."""
    require_staff(principal)
    if kind == "seekers" and not principal.sees_all_stations:
        raise Forbidden("没有权限：批量导入求职者仅限全区就业援助员或管理员，本站求职者请逐个登记")


def can_open_interview(principal: Principal, session_id: int, owner: tuple[int | None, int | None, bool],
                       check_seeker: Callable[[Principal, int], None]) -> None:
    """A mock interview: the one who started it, the seeker it is about, an admin, or that seeker's
    counsellor when the seeker shared it. Anyone else reads it as not found."""
    seeker_id, user_id, shared = owner
    if principal.role == "admin" or (user_id is not None and user_id == principal.user_id):
        return
    if seeker_id is not None and principal.role == "seeker" and principal.seeker_id == seeker_id:
        return
    if seeker_id is not None and principal.role == "counsellor":
        check_seeker(principal, seeker_id)
        if shared:
            return
        raise Forbidden("求职者未同意向就业援助员公开本次模拟面试")
    raise NotFound(f"模拟面试 {session_id} 不存在")


def interview_subject(principal: Principal, seeker_id: int | None, has_resume: bool,
                      check_seeker: Callable[[Principal, int], None]) -> int | None:
    """Whose interview a new session is: a named seeker must be one this principal may see; a seeker
    who gives no resume practises on their own record."""
    if seeker_id is not None:
        check_seeker(principal, seeker_id)
        return seeker_id
    if principal.role == "seeker" and principal.seeker_id is not None and not has_resume:
        return principal.seeker_id
    return None


def _check_seeker(principal: Principal, seeker_row: Seeker | None, seeker_id: int | None) -> Seeker:
    if seeker_row is None:
        raise NotFound(f"求职者 {seeker_id} 不存在")
    if principal.role == "seeker":
        if principal.seeker_id != seeker_row.id:
            # Same message as for an unknown id: a seeker cannot tell whether another id exists.
            raise NotFound(f"求职者 {seeker_row.id} 不存在")
        return seeker_row
    if principal.role == "counsellor":
        if not principal.district_wide and seeker_row.station_id not in principal.station_ids:
            raise Forbidden("没有权限：只能查看本人所属服务站点登记的求职者")
        return seeker_row
    if principal.role == "admin":
        return seeker_row
    raise Forbidden("没有权限")


def can_read_seeker(principal: Principal, seeker_row: Seeker | None, seeker_id: int | None = None) -> Seeker:
    """Seeker: only themself (else NotFound); counsellor: seekers of their stations; admin: all."""
    return _check_seeker(principal, seeker_row, seeker_id)


def can_edit_seeker(principal: Principal, seeker_row: Seeker | None, seeker_id: int | None = None) -> Seeker:
    """The same people who may read a record may edit it."""
    return _check_seeker(principal, seeker_row, seeker_id)


def can_see_own_records(principal: Principal, seeker_row: Seeker | None, seeker_id: int | None = None) -> Seeker:
    """Access log and data export: the seeker themself and admins only."""
    if principal.role == "counsellor":
        if seeker_row is None:
            raise NotFound(f"求职者 {seeker_id} 不存在")
        raise Forbidden("没有权限：访问记录和数据导出仅限求职者本人或管理员")
    return _check_seeker(principal, seeker_row, seeker_id)


def can_delete_seeker(principal: Principal, seeker_row: Seeker | None, seeker_id: int | None = None) -> Seeker:
    """Deletion: the seeker themself, an admin, or a counsellor of their station acting on their request."""
    return _check_seeker(principal, seeker_row, seeker_id)


def check_new_seeker_station(principal: Principal, station_id: int | None) -> int | None:
    """The station a new seeker may be registered at by this principal (a counsellor's own by default)."""
    if principal.role == "seeker":
        if principal.seeker_id is not None:
            raise Forbidden("没有权限：该账号已登记过求职信息，请修改原有记录")
        return station_id
    require_staff(principal)
    if station_id is None and not principal.sees_all_stations and len(principal.station_ids) == 1:
        return next(iter(principal.station_ids))
    if station_id is not None or not principal.sees_all_stations:
        can_access_station(principal, station_id)
    return station_id


def read_reason(reason: str | None) -> str:
    """A counsellor's reason for reading a full resume (e.g. 岗位推荐), required and bounded."""
    text = (reason or "").strip()
    if not text:
        raise InvalidInput("查看完整简历需说明理由（reason），如：岗位推荐、职业指导、回访", field="reason")
    if len(text) > READ_REASON_MAX:
        raise InvalidInput(f"理由不超过{READ_REASON_MAX}个字", field="reason")
    return text


def log_access(session: Session, principal: Principal, seeker_id: int, action: str, reason: str) -> None:
    """Record who read or changed a seeker's data, when and why. The caller commits."""
    if principal.user_id is None:
        return  # local no-auth mode: there is no user to attribute the read to
    session.add(AccessLog(user_id=principal.user_id, seeker_id=seeker_id, action=action, reason=reason[:READ_REASON_MAX]))


def access_log(session: Session, seeker_id: int) -> list[dict]:
    """Who read or changed this seeker's data (user name and role, action, reason, time), newest first."""
    rows = session.execute(
        select(AccessLog, User.name, User.role).join(User, User.id == AccessLog.user_id, isouter=True)
        .where(AccessLog.seeker_id == seeker_id).order_by(AccessLog.at.desc(), AccessLog.id.desc())
    ).all()
    return [{"at": r.AccessLog.at.isoformat() if r.AccessLog.at else None, "user": r.name,
             "role": ROLES.get(r.role, r.role), "action": r.AccessLog.action, "reason": r.AccessLog.reason}
            for r in rows]


# ---------------------------------------------------------------------------------------------------
# Views of a seeker for people other than the seeker
# ---------------------------------------------------------------------------------------------------

def masked_contact(seeker_row: Seeker) -> dict:
    """Contact fields as shown in lists to counsellors: phone and ID number masked."""
    return {"phone_masked": mask_phone(seeker_row.phone), "id_number_masked": seeker_row.id_number_masked}


def employer_view(seeker_row: Seeker) -> dict:
    """What an employer may see of a recommended seeker: skills and experience, never phone, ID number,
    address, exact location, priority-group tags, consent flags or free resume text."""
    features = seeker_row.extracted or {}
    return {
        "id": seeker_row.id,
        "name": seeker_row.name,
        "desired_roles": list(seeker_row.desired_roles or []),
        "skills": sorted(set(seeker_row.skills or []) | set(features.get("skills", []))),
        "certificates": list(features.get("certificates", [])),
        "education": seeker_row.education_level,
        "experience_years": seeker_row.experience_years,
        "languages": list(features.get("languages", [])),
    }
