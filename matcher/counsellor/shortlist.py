"""Ranked shortlists of seekers for a posting: the reverse direction of matching.

A `SeekerIndex` holds every registered seeker's resume vector in a FAISS (or exact) index keyed by
seeker id, kept current from the `seekers` change counter the same way `JobCircle` keeps its
posting index current, and saved in `<data_dir>/seeker_index` between runs. Resumes are embedded
with protected attributes removed (`ProtectedAttributes`, list in
`data/policy/protected_attributes.json`): gender, age, ethnicity, hukou and marital status never
reach the vector or the re-read skills, so resumes that differ only in those rank identically.

Each candidate is scored with the same `score_pair` and explained with the same `explain_match`
as a seeker's job matches (seeker side, posting side). Two further components are kept apart from
the fit score and shown on their own:

* policy: a per-district bonus for priority groups (`data/policy/priority_policy.json`); sensitive
  groups count only with the seeker's separate consent, disabled people only on accessible postings;
* exposure (only when `settings.shortlist_exposure_penalty` > 0): spreads attention across a
  station's seekers. A seeker already on the shortlists of n other postings in the last 30 days
  loses ``penalty * min(n, 10) / 10`` of rank score.

rank score = fit score + exposure adjustment + policy score. Each shortlist shown is recorded in
`ShortlistEntry` (rank, fit score, policy score, policy reasons).
"""
from __future__ import annotations

import json
import logging
import re
import threading
import time
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
from sqlalchemy import func, select

import data
from data.access_tables import Decision, ShortlistEntry
from data.schema import OUTCOME_EVENTS, PRIORITY_GROUPS, SENSITIVE_PRIORITY_GROUPS, Counter, MatchOutcome, Posting, Seeker
from matcher.text import profiles
from matcher.counsellor.access import Principal, can_read_seeker, masked_contact, require_staff
from matcher.errors import Conflict, InvalidInput, NotFound
from matcher.ranking.explain import explain_match
from matcher.text.fairness import ProtectedAttributes
from matcher.search.index import FaissIndex, IndexUnusable, Manifest, build_index, load_index, resolve_factory, save_index
from matcher.ranking.scoring import WEIGHTS, Side, score_pair

log = logging.getLogger("jobcircle")

POLICY_DIR = Path(data.__file__).resolve().parent / "policy"
EXPOSURE_WINDOW_DAYS = 30
EXPOSURE_CAP = 10
DECISIONS = {"recommend": "推荐", "not_suitable": "不合适"}
SHORTLIST_OUTCOMES = ("applied", "interviewed", "hired", "rejected")
ENCODE_BATCH = 64


# ---------------------------------------------------------------------------------------------------
# Protected attributes
# ---------------------------------------------------------------------------------------------------

# ---------------------------------------------------------------------------------------------------
# Priority-group policy
# ---------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PolicyGroup:
    key: str
    bonus: float
    wording: str
    basis: str
    sensitive: bool
    accessible_only: bool


class PriorityPolicy:
    """The district's policy bonus per priority group, read from a JSON file."""

    def __init__(self, district_code: str, path: Path | None = None):
        doc = json.loads(Path(path or POLICY_DIR / "priority_policy.json").read_text(encoding="utf-8"))
        district = doc["districts"].get(district_code)
        self.district_code = district_code
        self.district_name = district["name"] if district else None
        self.max_total = float(doc.get("max_total", 1.0))
        self.groups: dict[str, PolicyGroup] = {}
        for key, item in (district or {}).get("groups", {}).items():
            if key not in PRIORITY_GROUPS:
                raise ValueError(f"priority policy names an unknown group {key!r}")
            self.groups[key] = PolicyGroup(
                key=key, bonus=float(item["bonus"]), wording=item["wording"], basis=item["basis"],
                # A group the schema marks sensitive stays sensitive whatever the file says.
                sensitive=bool(item.get("sensitive")) or key in SENSITIVE_PRIORITY_GROUPS,
                accessible_only=bool(item.get("accessible_only")),
            )

    def component(self, tags, sensitive_consent: bool, posting_accessible: bool) -> tuple[float, list[dict]]:
        """(policy score, the groups that earned it with wording and basis); capped at `max_total`."""
        reasons = []
        for tag in sorted(set(tags or ())):
            group = self.groups.get(tag)
            if group is None or group.bonus <= 0:
                continue
            if group.sensitive and not sensitive_consent:
                continue  # sensitive information is not used for anything without its own consent
            if group.accessible_only and not posting_accessible:
                continue
            reasons.append({"group": tag, "name": PRIORITY_GROUPS[tag], "wording": group.wording,
                            "bonus": group.bonus, "basis": group.basis})
        total = round(float(min(self.max_total, sum(r["bonus"] for r in reasons))), 4)
        return total, reasons


# ---------------------------------------------------------------------------------------------------
# The seeker index
# ---------------------------------------------------------------------------------------------------

@dataclass
class SeekerEntry:
    side: Side
    station_id: int | None
    priority_tags: tuple[str, ...]
    sensitive_consent: bool
    max_commute_minutes: float | None
    name: str | None
    created_at: datetime | None
    unemployed_since: datetime | None
    extra: dict = field(default_factory=dict)


def _vector(blob: bytes | None, dim: int) -> np.ndarray | None:
    if blob is None:
        return None
    vector = np.frombuffer(blob, dtype=np.float32)
    return vector if vector.shape[0] == dim else None


class SeekerIndex:
    """Seekers' resume vectors (protected attributes removed) in a vector index keyed by seeker id.

    Built from the database on `start()` (or loaded from `<data_dir>/seeker_index` and caught up),
    then kept current by `refresh()`, which applies seekers whose `change_seq` is newer than the
    index's version and drops seekers that were deleted.
    """

    def __init__(self, service, protected: ProtectedAttributes | None = None):
        self.service = service
        self.protected = protected or ProtectedAttributes()
        self.entries: dict[int, SeekerEntry] = {}
        self.index: FaissIndex | None = None
        self.version = 0
        self.factory = ""
        self._lock = threading.RLock()
        self._last_refresh = 0.0

    @property
    def directory(self) -> Path:
        return self.service.settings.data_dir / "seeker_index"

    @property
    def model_name(self) -> str:
        # The index holds neutralised vectors: a new encoder or a new redaction list forces a rebuild.
        return f"{self.service.encoder.name}+protected-v{self.protected.version}"

    def start(self) -> "SeekerIndex":
        settings, dim = self.service.settings, self.service.encoder.dim
        with self.service.db.session() as session:
            count = session.scalar(select(func.count()).select_from(Seeker)) or 0
        self.factory = resolve_factory(settings.index_factory, count, settings.exact_below)
        try:
            index, manifest = load_index(self.directory, model=self.model_name, dim=dim, factory=self.factory,
                                         ef_search=settings.hnsw_ef_search)
        except IndexUnusable as exc:
            log.info("building the seeker index: %s", exc)
            self.index, self.version = build_index(dim, self.factory, np.zeros(0, np.int64),
                                                   np.zeros((0, dim), np.float32),
                                                   ef_search=settings.hnsw_ef_search), 0
            self._apply(since=0)
        else:
            self.index, self.version = index, 0
            self._apply(since=0, index_since=manifest.data_version)
        self.save()
        return self

    def save(self) -> None:
        with self._lock:
            manifest = Manifest(self.model_name, self.service.encoder.dim, self.factory, self.version, len(self.index))
            save_index(self.directory, self.index, manifest)

    def _counter(self, session) -> int:
        counter = session.get(Counter, "seekers")
        return counter.value if counter else 0

    def refresh(self, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last_refresh < self.service.settings.refresh_interval_s:
            return
        self._last_refresh = now
        with self.service.db.session() as session:
            latest = max(self._counter(session), session.scalar(select(func.max(Seeker.change_seq))) or 0)
        if latest > self.version:
            self._apply(since=self.version)

    def _apply(self, *, since: int, index_since: int | None = None) -> None:
        index_since = since if index_since is None else index_since
        dim = self.service.encoder.dim
        with self._lock, self.service.db.session() as session:
            rows = session.scalars(select(Seeker).where(Seeker.change_seq > since).order_by(Seeker.change_seq)).all()
            add_ids, add_texts, add_vectors = [], [], []
            for row in rows:
                self.entries[row.id] = self._entry(row)
                if row.change_seq > index_since:
                    text = profiles.seeker_text(row.resume_text or "", row.desired_roles or [], row.skills or [])
                    neutral = self.protected.neutralise(text)
                    stored = _vector(row.embedding, dim) if row.embedding_model == self.service.encoder.name else None
                    add_ids.append(row.id)
                    # The stored vector is reused when removing protected words changes nothing.
                    add_vectors.append(stored if stored is not None and neutral == text else None)
                    add_texts.append(neutral)
            live = set(session.scalars(select(Seeker.id)).all())
            latest = max([self._counter(session), self.version] + [row.change_seq for row in rows])
        missing = [n for n, v in enumerate(add_vectors) if v is None]
        for start in range(0, len(missing), ENCODE_BATCH):
            batch = missing[start:start + ENCODE_BATCH]
            encoded = self.service.encoder.encode_documents([add_texts[n] for n in batch])
            for n, vector in zip(batch, encoded):
                add_vectors[n] = vector
        with self._lock:
            gone = [i for i in self.entries if i not in live]
            for seeker_id in gone:
                del self.entries[seeker_id]
            if gone:
                self.index.remove(np.asarray(gone, np.int64))
            if add_ids:
                self.index.add(np.asarray(add_ids, np.int64), np.vstack(add_vectors).astype(np.float32))
            self.version = latest

    def _entry(self, row: Seeker) -> SeekerEntry:
        side = self.service._seeker_side(row)
        neutral = self.protected.neutralise(row.resume_text or "")
        if neutral != (row.resume_text or ""):
            # Skills, certificates, education and experience are re-read from the neutralised text.
            features = profiles.seeker_features(neutral, row.skills or [], row.desired_roles or [])
            side = replace(
                side, skills=frozenset(features["skills"]), certificates=frozenset(features["certificates"]),
                education=row.education_level if row.education_level is not None else features.get("education"),
                experience=row.experience_years if row.experience_years is not None else features.get("experience_years"),
            )
            if not row.desired_roles and side.occupations:
                # Occupation codes were read from the resume's opening words, which may hold protected ones.
                codes = self.service._code_occupations([neutral[:60]])[0]
                side = replace(side, occupations=tuple(c["code"] for c in codes[:2]))
        return SeekerEntry(
            side=side, station_id=row.station_id, priority_tags=tuple(row.priority_tags or ()),
            sensitive_consent=bool(row.sensitive_consent), max_commute_minutes=row.max_commute_minutes,
            name=row.name, created_at=row.created_at, unemployed_since=row.unemployed_since,
        )

    def search(self, vector: np.ndarray, k: int, subset: list[int] | None = None) -> dict[int, float]:
        """Seeker id -> cosine for the k nearest seekers (restricted to `subset` when given)."""
        self.refresh()
        with self._lock:
            if subset is not None:
                subset = [i for i in subset if i in self.entries]
                if not subset:
                    return {}
            pool = max(1, min(k, len(self.entries)))
            scores, ids = self.index.search(np.asarray(vector, np.float32)[None, :], pool,
                                            subset=np.asarray(subset, np.int64) if subset is not None else None)
            return {int(i): float(s) for s, i in zip(scores[0], ids[0]) if i >= 0 and int(i) in self.entries}

    def __len__(self) -> int:
        return len(self.entries)


# ---------------------------------------------------------------------------------------------------
# Shortlists, decisions, exposure
# ---------------------------------------------------------------------------------------------------

def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value


class Shortlister:
    """Builds, records and reports posting shortlists for counsellors."""

    def __init__(self, service, seekers: SeekerIndex, policy: PriorityPolicy):
        self.service = service
        self.seekers = seekers
        self.policy = policy

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
            vector = _vector(row.embedding, self.service.encoder.dim)
            entry = self.service._entry(row)
            return row.id, row.station_id, bool(row.accessible), vector, entry

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
        if not 1 <= k <= self.service.settings.max_k:
            raise InvalidInput(f"k 应在 1 到 {self.service.settings.max_k} 之间", field="k")
        posting_id, _station, accessible, vector, posting = self._posting(posting_id)
        self.seekers.refresh()
        pool = max(k, self.service.settings.candidate_pool)
        found = self.seekers.search(vector, pool, subset=self._scope(principal)) if vector is not None else {}
        penalty = float(self.service.settings.shortlist_exposure_penalty)
        exposure = self.exposure_counts(found, exclude_posting=posting_id) if penalty > 0 else {}
        candidates = []
        for seeker_id, cosine in found.items():
            entry = self.seekers.entries.get(seeker_id)
            if entry is None:
                continue
            commute = None
            if entry.side.point is not None and posting.side.point is not None:
                approximate = entry.side.approximate_point or posting.side.approximate_point
                commute = self.service.commute.estimate(entry.side.point, posting.side.point, approximate=approximate)
                if entry.max_commute_minutes and commute.minutes > entry.max_commute_minutes:
                    continue  # the seeker said they would not travel this far
            scored = score_pair(entry.side, posting.side, cosine, commute, WEIGHTS)
            breakdown = dict(scored.breakdown)
            shown = exposure.get(seeker_id, 0)
            adjustment = -round(penalty * min(shown, EXPOSURE_CAP) / EXPOSURE_CAP, 4) if penalty > 0 else 0.0
            if penalty > 0:
                breakdown["exposure"] = adjustment
            policy_score, reasons = self.policy.component(entry.priority_tags, entry.sensitive_consent, accessible)
            if not use_policy:
                policy_score, reasons = 0.0, []
            candidates.append({
                "seeker_id": seeker_id, "fit_score": scored.score, "breakdown": breakdown,
                "similarity": round(cosine, 4), "matched": scored.matched, "missing": scored.missing,
                "commute_minutes": round(commute.minutes, 1) if commute else None,
                "within_15min": bool(commute and commute.within_circle),
                "explanation": explain_match(entry.side, posting.side, scored),
                "policy": {"score": policy_score, "groups": reasons},
                "exposure": {"shortlisted_postings_30d": shown, "adjustment": adjustment},
                "rank_score": round(scored.score + adjustment + policy_score, 4),
            })
        candidates.sort(key=lambda c: (-c["rank_score"], -c["fit_score"], c["seeker_id"]))
        candidates = candidates[:k]
        with self.service.db.session() as session, session.begin():
            rows = {r.id: r for r in session.scalars(select(Seeker).where(Seeker.id.in_([c["seeker_id"] for c in candidates])))}
            decisions = self._latest_decisions(session, posting_id, [c["seeker_id"] for c in candidates])
            for rank, candidate in enumerate(candidates, start=1):
                row = rows[candidate["seeker_id"]]
                candidate["rank"] = rank
                candidate["name"] = row.name
                candidate |= masked_contact(row)
                candidate["station_id"] = row.station_id
                candidate["decision"] = decisions.get(row.id)
                if record:
                    session.add(ShortlistEntry(
                        posting_id=posting_id, seeker_id=row.id, counsellor_id=principal.user_id, rank=rank,
                        fit_score=candidate["fit_score"], policy_score=candidate["policy"]["score"],
                        policy_reasons=[{"group": g["group"], "bonus": g["bonus"]} for g in candidate["policy"]["groups"]],
                    ))
        return {
            "posting_id": posting_id, "title": posting.side.title, "employer": posting.employer,
            "k": k, "policy_applied": use_policy, "exposure_penalty": penalty,
            "district": self.policy.district_name,
            "note": "排序分 = 匹配分 + 政策加分" + ("（含曝光分散调整）" if penalty > 0 else "")
                    + "；匹配分不使用性别、年龄、民族、户籍、婚育状况；政策加分单独列出。",
            "candidates": candidates,
        }

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

    def record_outcome(self, posting_id: int, seeker_id: int, principal: Principal, event: str) -> dict:
        require_staff(principal)
        if event not in SHORTLIST_OUTCOMES:
            names = "、".join(f"{e}（{OUTCOME_EVENTS[e]}）" for e in SHORTLIST_OUTCOMES)
            raise InvalidInput(f"结果应为 {names} 之一", field="event")
        with self.service.db.session() as session:
            can_read_seeker(principal, session.get(Seeker, seeker_id), seeker_id)
        self.service.record_outcome(seeker_id, posting_id, event)
        return {"posting_id": posting_id, "seeker_id": seeker_id, "event": event, "event_name": OUTCOME_EVENTS[event]}

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
