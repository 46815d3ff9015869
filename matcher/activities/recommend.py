"""The training that opens the jobs a seeker is missing.

Input: which of the seeker's otherwise-good postings are held back by a missing certificate, as a
mapping certificate -> [posting ids]. `blocked_by_certificates` reads it from the ranking's own
eligibility gates on the seeker's matches (`JobCircle.match_seeker` results' `gates`: a certificate
gate "missing" or "denied"), never from a second reading of the postings.

Each recommendation names the certificate, how many of those postings it would open, and the nearest
open training that grants it (commute from the commute module), e.g.
"考取保安员证后，附近另有 12 个岗位符合您的条件；曲阳路街道社区学校 3月4日开班，补贴性培训".
It is a suggestion for the seeker and counsellor to decide on: it says why, and it can be declined
(stored; a declined certificate is listed apart and not suggested again).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from data.activity_tables import Training, TrainingDecline
from data.schema import Posting, Seeker
from matcher.activities import common
from matcher.activities.trainings import certificate_parts, training_public
from matcher.counsellor import access
from matcher.counsellor.access import Principal
from matcher.errors import InvalidInput, NotFound
from matcher.geo.places import Place, stored_radius_km

DEFAULT_RADIUS_KM = 10.0
# Certificates no training grants: say how they are obtained instead of "no training nearby".
NOT_TRAINED = {"健康证": "健康证需到指定医疗机构体检办理，无需培训"}
NOTE = "以下为建议，是否参加培训由求职者与就业援助员共同决定；不参加也不影响其他服务，可点“不需要”。"


def _seeker_certificates(row: Seeker) -> set[str]:
    return set((row.extracted or {}).get("certificates", []))


BLOCKING = ("missing", "denied")  # the ranking's certificate gate statuses that hold a posting back


def blocked_by_certificates(service, seeker_id: int, *, k: int = 50, min_score: float = 0.0) -> dict[str, list[int]]:
    """certificate -> ids of the seeker's matched postings the ranking held back for that certificate.

    Read from each result's `gates` (matcher.ranking.scoring.gates): a certificate gate with status
    "missing" (the posting requires it, the resume does not show it) or "denied" (the resume says the
    seeker does not hold it). Nothing is re-derived here, so a recommendation follows exactly what the
    ranking said; a certificate the ranking did not gate on (one a posting only prefers) opens nothing.
    """
    found = service.match_seeker(seeker_id, k=k)
    held: dict[str, list[int]] = {}
    for match in found["results"]:
        if match["score"] < min_score:
            continue
        for gate in match.get("gates") or []:
            if gate.get("kind") == "certificate" and gate.get("status") in BLOCKING:
                ids = held.setdefault(gate["name"], [])
                if match["posting_id"] not in ids:
                    ids.append(match["posting_id"])
    return held


def seeker_origin(row: Seeker) -> Place | None:
    """The seeker's home point with its precision, or None when none is stored."""
    if row.lat is None or row.lon is None:
        return None
    precision = row.location_precision or "exact"
    return Place(row.lat, row.lon, precision, row.street_code,
                 radius_km=stored_radius_km(precision, getattr(row, "location_radius_km", None)))


def _message(certificate: str, count: int, training: dict) -> str:
    who = training["provider"] or training["title"]
    when = f" {common.cn_date(datetime.fromisoformat(training['start_date']).date())}开班" if training["start_date"] else ""
    if training["subsidised"]:
        money = "补贴性培训"
    elif training["fee"] == 0:
        money = "免费培训"
    elif training["fee"]:
        money = f"费用{training['fee']:g}元"
    else:
        money = "费用请咨询培训机构"
    return f"考取{certificate}后，附近另有 {count} 个岗位符合您的条件；{who}{when}，{money}"


def recommend_trainings(service, principal: Principal, seeker_id: int, blocked: dict[str, list[int]] | None = None, *,
                        radius_km: float = DEFAULT_RADIUS_KM, per_certificate: int = 3,
                        now: datetime | None = None) -> dict:
    now = now or common.utc_now()
    with service.db.session() as session:
        seeker = access.can_read_seeker(principal, session.get(Seeker, seeker_id), seeker_id)
        origin, has = seeker_origin(seeker), _seeker_certificates(seeker)
    if blocked is None:
        blocked = blocked_by_certificates(service, seeker_id)
    wanted: dict[str, list[int]] = {}
    for certificate, posting_ids in blocked.items():
        name = certificate_parts(certificate)[0] or certificate
        if name not in has:
            wanted.setdefault(name, [])
            wanted[name] += [p for p in posting_ids if p not in wanted[name]]
    with service.db.session() as session:
        declined = {}
        for d in session.scalars(select(TrainingDecline).where(TrainingDecline.seeker_id == seeker_id).order_by(TrainingDecline.id)):
            declined[d.certificate] = {"certificate": d.certificate, "reason": d.reason, "at": common.iso(d.at),
                                       "training_id": d.training_id}
        rows = session.scalars(select(Training).where(Training.certificate_canonical.in_(list(wanted)),
                                                      Training.status == "open")).all() if wanted else []
        wanted_ids = [p for ps in wanted.values() for p in ps]
        titles = dict(session.execute(select(Posting.id, Posting.title).where(Posting.id.in_(wanted_ids))).all())
        options: dict[str, list[tuple[float, dict]]] = {}
        for row in rows:
            item = training_public(row, now)
            if not item["registration_open"]:
                continue  # closed registrations are never offered
            commute = common.commute_to(service, origin, row)
            if commute is not None and not common.within(origin, row, commute, radius_km):
                continue
            options.setdefault(row.certificate_canonical, []).append(
                (common.nearness(origin, row), item | {"commute": commute}))
    recommendations, without = [], []
    for certificate, posting_ids in sorted(wanted.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        if certificate in declined:
            continue
        found = [t for _, t in sorted(options.get(certificate, []), key=lambda p: (
            p[0], p[1]["start_date"] or "9999", p[1]["id"]))]
        if not found:
            without.append({"certificate": certificate, "postings": len(posting_ids),
                            "note": NOT_TRAINED.get(certificate, f"附近暂无可报名的{certificate}培训")})
            continue
        best = found[0]
        examples = list(dict.fromkeys(titles[p] for p in posting_ids if p in titles))[:3]
        why = [f"您匹配到的岗位中有 {len(posting_ids)} 个要求{certificate}，而您的简历中没有这项证书"
               + (f"（如：{'、'.join(examples)}）" if examples else "")]
        why.append(f"{best['title']}：{best['schedule'] or '时间待定'}" + (f"；{best['commute']['travel']}" if best["commute"] else ""))
        if best["seats_left"] is not None:
            why.append(f"剩余名额 {best['seats_left']} 个")
        if best["registration_deadline"]:
            why.append(f"报名截止：{common.cn_time(datetime.fromisoformat(best['registration_deadline']))}")
        if best["subsidised"]:
            why.append("补贴性培训，是否符合补贴条件请由就业援助员核实")
        recommendations.append({
            "certificate": certificate, "postings_opened": len(posting_ids), "posting_ids": posting_ids,
            "message": _message(certificate, len(posting_ids), best), "why": why,
            "training": best, "alternatives": found[1:per_certificate], "declinable": True,
        })
    return {"seeker_id": seeker_id, "recommendations": recommendations, "declined": list(declined.values()),
            "no_training_nearby": without, "note": NOTE,
            "origin_note": None if origin is not None else "求职者未登记位置，未按距离筛选培训"}


def decline(service, principal: Principal, seeker_id: int, certificate: str, *, training_id: int | None = None,
            reason: str = "") -> dict:
    """Store that the seeker does not want training for this certificate (now); it is not suggested again."""
    certificate = (certificate or "").strip()
    if not certificate:
        raise InvalidInput("请注明不需要的证书，如 保安员证", field="certificate")
    if len(reason or "") > 200:
        raise InvalidInput("理由不超过200个字", field="reason")
    name = certificate_parts(certificate)[0] or certificate
    with service.db.session() as session, session.begin():
        access.can_edit_seeker(principal, session.get(Seeker, seeker_id), seeker_id)
        if training_id is not None and session.get(Training, training_id) is None:
            raise NotFound(f"培训 {training_id} 不存在")
        row = TrainingDecline(seeker_id=seeker_id, certificate=name, training_id=training_id, reason=(reason or "").strip(),
                              declined_by=principal.user_id)
        session.add(row)
        session.flush()
        return {"id": row.id, "seeker_id": seeker_id, "certificate": name, "training_id": training_id,
                "reason": row.reason, "at": common.iso(row.at), "message": f"已记录：暂不考虑{name}培训，不再推荐"}
