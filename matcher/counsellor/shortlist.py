"""Ranked shortlists of seekers for a posting: the reverse direction of matching.

Candidates come from the synced seeker index (`JobCircle.seekers`: resume vectors with protected
attributes removed, so resumes that differ only in gender, age, ethnicity, hukou or marital status
rank identically) and are ranked by the same `ranking.pipeline.rank()` as a seeker's job matches,
explained by the same `explain_match` (occupation name included). What is added here:

* policy (`ranking.policy.PriorityPolicy`): a per-district bonus for priority groups, shown apart;
* exposure (only when `settings.shortlist_exposure_penalty` > 0): spreads attention across a
  station's seekers. A seeker already on the shortlists of n other postings in the last 30 days
  loses ``penalty * min(n, 10) / 10`` of rank score.

rank score = fit score + exposure adjustment + policy score. Each shortlist shown is recorded in
`ShortlistEntry` (rank, fit score, policy score, policy reasons), with counsellors' decisions.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select

from data.access_tables import Decision, ShortlistEntry
from data.schema import MatchOutcome, Posting, Seeker
from matcher.counsellor.access import Principal, can_read_seeker, masked_contact, require_staff
from matcher.errors import Conflict, InvalidInput, NotFound
from matcher.geo.commute import commute_fields
from matcher.ranking.explain import explain_match
from matcher.ranking.pipeline import rank
from matcher.ranking.policy import PriorityPolicy
from matcher.ranking.scoring import WEIGHTS
from matcher.search.sides import posting_entry, vector_of
from matcher.text.fairness import ProtectedAttributes
from matcher.types import Direction

__all__ = ["Shortlister", "PriorityPolicy", "ProtectedAttributes", "EXPOSURE_WINDOW_DAYS", "DECISIONS"]

EXPOSURE_WINDOW_DAYS = 30
EXPOSURE_CAP = 10
DECISIONS = {"recommend": "推荐", "not_suitable": "不合适"}
SHORTLIST_OUTCOMES = ("applied", "interviewed", "hired", "rejected")


class Shortlister:
    """Builds, records and reports posting shortlists for counsellors."""

    def __init__(self, service, policy: PriorityPolicy):
        self.service = service
        self.policy = policy

    @property
    def seekers(self):
        return self.service.seekers

    def _scope(self, principal: Principal) -> list[int] | None:
        """Seeker ids a principal may see on a shortlist (None: everyone)."""
        if principal.sees_all_stations:
            return None
        return [i for i, e in self.seekers.entries.items() if e.station_id in principal.station_ids]

    def _posting(self, posting_id: int):
        with self.service.db.session() as session:
            row = session.get(Posting, posting_id)
            if row is None:
                raise NotFound(f"岗位 {posting_id} 不存在")
            if row.status == "draft":
                raise Conflict("该岗位含可能违反就业促进法的要求，尚未发布，修改后才能生成候选人名单")
            vector = vector_of(row.embedding, self.service.encoder.dim)
            return row.id, bool(row.accessible), vector, posting_entry(row)

    def exposure_counts(self, seeker_ids, *, exclude_posting: int | None = None,
                        days: int = EXPOSURE_WINDOW_DAYS) -> dict[int, int]:
        """Seeker id -> number of distinct postings whose shortlist showed them in the last `days` days."""
        if not seeker_ids:
            return {}
        since = datetime.now(timezone.utc) - timedelta(days=days)
        query = (select(ShortlistEntry.seeker_id, func.count(func.distinct(ShortlistEntry.posting_id)))
                 .where(ShortlistEntry.seeker_id.in_(list(seeker_ids)), ShortlistEntry.at >= since)
                 .group_by(ShortlistEntry.seeker_id))
        if exclude_posting is not None:
            query = query.where(ShortlistEntry.posting_id != exclude_posting)
        with self.service.db.session() as session:
            return {int(s): int(n) for s, n in session.execute(query).all()}

    def shortlist(self, posting_id: int, principal: Principal, k: int = 20, *, use_policy: bool = True,
                  record: bool = True) -> dict:
        """Seekers ranked for a posting, restricted to the seekers this principal may see."""
        require_staff(principal)
        settings = self.service.settings
        if not 1 <= k <= settings.max_k:
            raise InvalidInput(f"k 应在 1 到 {settings.max_k} 之间", field="k")
        posting_id, accessible, vector, posting = self._posting(posting_id)
        self.seekers.refresh()
        pool = max(k, settings.candidate_pool)
        found = self.seekers.search(vector, pool, subset=self._scope(principal)) if vector is not None else {}
        entries = [(self.seekers.entries.get(i), c) for i, c in found.items()]
        entries = [(e, c) for e, c in entries if e is not None]
        by_id = {e.id: e for e, _ in entries}
        # The lexical component reads the seeker's words against the posting, as a seeker's match does.
        words, postings = self.seekers.lexical, self.service.postings.lexical
        bm25 = ideal = None
        if words is not None and postings is not None and posting_id in postings:
            terms = [words.terms(e.id) for e, _ in entries]
            bm25 = [float(postings.score_terms(t, [posting_id])[0]) for t in terms]
            ideal = [postings.ideal_terms(t) for t in terms]
        # Every candidate is ranked: policy and exposure may lift one the fit score alone would cut.
        ranked = rank(Direction.SEEKERS, posting.side, [e.side for e, _ in entries], [c for _, c in entries],
                      commute=self.service.commute, k=len(entries) or 1, weights=WEIGHTS,
                      max_minutes=[e.max_commute_minutes for e, _ in entries], lexical=bm25, lexical_ideal=ideal)
        penalty = float(settings.shortlist_exposure_penalty)
        exposure = self.exposure_counts([r.side.id for r in ranked], exclude_posting=posting_id) if penalty > 0 else {}
        candidates = []
        for item in ranked:
            entry, scored = by_id[item.side.id], item.scored
            breakdown = dict(scored.breakdown)
            shown = exposure.get(entry.id, 0)
            adjustment = -round(penalty * min(shown, EXPOSURE_CAP) / EXPOSURE_CAP, 4) if penalty > 0 else 0.0
            if penalty > 0:
                breakdown["exposure"] = adjustment
            policy_score, reasons = self.policy.component(entry.priority_tags, entry.sensitive_consent, accessible)
            if not use_policy:
                policy_score, reasons = 0.0, []
            commute = scored.commute
            candidates.append({
                "seeker_id": entry.id, "fit_score": scored.score, "breakdown": breakdown,
                "similarity": round(item.cosine, 4), "matched": scored.matched, "missing": scored.missing,
                "commute_minutes": commute_fields(commute)["commute_minutes"],
                "within_15min": commute_fields(commute)["within_15min"],
                "explanation": explain_match(entry.side, posting.side, scored),
                "policy": {"score": policy_score, "groups": reasons},
                "exposure": {"shortlisted_postings_30d": shown, "adjustment": adjustment},
                "rank_score": round(scored.score + adjustment + policy_score, 4),
            })
        candidates.sort(key=lambda c: (-c["rank_score"], -c["fit_score"], c["seeker_id"]))
        candidates = candidates[:k]
        self._attach(posting_id, principal, candidates, record=record)
        return {
            "posting_id": posting_id, "title": posting.side.title, "employer": posting.employer,
            "k": k, "policy_applied": use_policy, "exposure_penalty": penalty,
            "district": self.policy.district_name,
            "note": "排序分 = 匹配分 + 政策加分" + ("（含曝光分散调整）" if penalty > 0 else "")
                    + "；匹配分不使用性别、年龄、民族、户籍、婚育状况；政策加分单独列出。",
            "candidates": candidates,
        }

    def _attach(self, posting_id: int, principal: Principal, candidates: list[dict], *, record: bool) -> None:
        """Rank, names, masked contact and latest decision per candidate; record the shortlist shown."""
        with self.service.db.session() as session, session.begin():
            rows = {r.id: r for r in session.scalars(select(Seeker).where(Seeker.id.in_([c["seeker_id"] for c in candidates])))}
            decisions = self._latest_decisions(session, posting_id, [c["seeker_id"] for c in candidates])
            for position, candidate in enumerate(candidates, start=1):
                row = rows[candidate["seeker_id"]]
                candidate["rank"] = position
                candidate["name"] = row.name
                candidate |= masked_contact(row)
                candidate["station_id"] = row.station_id
                candidate["decision"] = decisions.get(row.id)
                if record:
                    session.add(ShortlistEntry(
                        posting_id=posting_id, seeker_id=row.id, counsellor_id=principal.user_id, rank=position,
                        fit_score=candidate["fit_score"], policy_score=candidate["policy"]["score"],
                        policy_reasons=[{"group": g["group"], "bonus": g["bonus"]} for g in candidate["policy"]["groups"]],
                    ))

    @staticmethod
    def _latest_decisions(session, posting_id: int, seeker_ids: list[int]) -> dict[int, dict]:
        if not seeker_ids:
            return {}
        rows = session.scalars(select(Decision).where(Decision.posting_id == posting_id,
                                                      Decision.seeker_id.in_(seeker_ids)).order_by(Decision.id)).all()
        return {r.seeker_id: {"decision": r.decision, "reason": r.reason, "at": r.at.isoformat()} for r in rows}

    def decide(self, posting_id: int, seeker_id: int, principal: Principal, decision: str, reason: str = "") -> dict:
        """Store a counsellor's decision on one candidate; a recommendation is also a `recommended` outcome."""
        require_staff(principal)
        if decision not in DECISIONS:
            raise InvalidInput("decision 应为 recommend（推荐）或 not_suitable（不合适）", field="decision")
        reason = (reason or "").strip()
        if decision == "not_suitable" and not reason:
            raise InvalidInput("标记“不合适”需写明理由，便于日后复核", field="reason")
        if len(reason) > 200:
            raise InvalidInput("理由不超过200个字", field="reason")
        with self.service.db.session() as session, session.begin():
            if session.get(Posting, posting_id) is None:
                raise NotFound(f"岗位 {posting_id} 不存在")
            can_read_seeker(principal, session.get(Seeker, seeker_id), seeker_id)
            row = Decision(posting_id=posting_id, seeker_id=seeker_id, counsellor_id=principal.user_id,
                           decision=decision, reason=reason)
            session.add(row)
            if decision == "recommend":
                session.add(MatchOutcome(seeker_id=seeker_id, posting_id=posting_id, event="recommended"))
            session.flush()
            return {"id": row.id, "posting_id": posting_id, "seeker_id": seeker_id, "decision": decision,
                    "decision_name": DECISIONS[decision], "reason": reason, "at": row.at.isoformat()}

    def exposure(self, station_ids: list[int], *, days: int = EXPOSURE_WINDOW_DAYS) -> list[dict]:
        """How often each seeker of these stations was shortlisted in the last `days` days, most first."""
        since = datetime.now(timezone.utc) - timedelta(days=days)
        with self.service.db.session() as session:
            rows = session.execute(
                select(Seeker.id, Seeker.name, func.count(ShortlistEntry.id), func.count(func.distinct(ShortlistEntry.posting_id)),
                       func.min(ShortlistEntry.rank))
                .join(ShortlistEntry, ShortlistEntry.seeker_id == Seeker.id)
                .where(Seeker.station_id.in_(station_ids), ShortlistEntry.at >= since)
                .group_by(Seeker.id, Seeker.name)
            ).all()
        out = [{"seeker_id": r[0], "name": r[1], "times_shown": int(r[2]), "postings": int(r[3]), "best_rank": int(r[4])}
               for r in rows]
        out.sort(key=lambda r: (-r["postings"], -r["times_shown"], r["seeker_id"]))
        return out
