"""Seeker writes and the seeker's own view: one profile per input (redacted and neutralised once),
personal numbers kept only as a keyed hash and a mask, sensitive groups only with their own consent.

Stored vectors are tagged with `model_name` (`<encoder>+protected-v<N>`): they embed the neutralised
text, and a new redaction list makes the seeker index re-embed rather than trust them.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Sequence

import numpy as np
from sqlalchemy import select

from data.schema import Seeker, Station
from matcher.errors import Conflict, Forbidden, InvalidInput, NotFound
from matcher import seeker_query
from matcher.inputs import SeekerInput
from matcher.postings import located_radius, set_place, validated
from matcher.search.tables import encode_batches
from matcher.text import profiles
from matcher.text.privacy import keyed_hash, mask_id_number, mask_phone
from matcher.types import Profile

SENSITIVE_TAGS = frozenset({"disabled", "low_income", "employment_difficulty"})


NO_CONSENT = "需先取得求职者对个人信息处理的同意（consent=true）才能登记"
WITHDRAWN_NOTE = ("求职者已撤回个人信息处理同意：不再参与岗位匹配、候选名单和工作台名单；服务台账依法保留。"
                  "保留期满（见设置 withdrawn_retention_days）后个人信息将被删除，台账只留假名记录；"
                  "期满前重新同意（consent=true）即恢复；如需立即删除个人信息，请使用删除功能")


def shown_tags(row: Seeker) -> list[str]:
    """Priority tags as shown and used: sensitive ones only while their own consent stands."""
    tags = list(row.priority_tags or [])
    return tags if row.sensitive_consent else [tag for tag in tags if tag not in SENSITIVE_TAGS]


def withdrawn(row: Seeker) -> bool:
    return row.consent_withdrawn_at is not None


def seeker_public(row: Seeker) -> dict:
    """A seeker's own view; phone shown masked, ID number only masked (never stored in clear)."""
    return {
        "id": row.id, "external_id": row.external_id, "name": row.name,
        "phone_masked": mask_phone(row.phone), "id_number_masked": row.id_number_masked,
        "resume_text": row.resume_text, "desired_roles": row.desired_roles, "skills": row.skills,
        "education": row.education_level, "experience_years": row.experience_years,
        "expected_salary": row.expected_salary_monthly, "max_commute_minutes": row.max_commute_minutes,
        "street_code": row.street_code, "lat": row.lat, "lon": row.lon,
        "location_precision": row.location_precision, "location_radius_km": located_radius(row),
        "station_id": row.station_id,
        "priority_tags": shown_tags(row), "sensitive_consent": row.sensitive_consent,
        "consent_withdrawn": withdrawn(row), "consent_note": WITHDRAWN_NOTE if withdrawn(row) else None,
        "extracted_skills": (row.extracted or {}).get("skills", []),
        "extracted_certificates": (row.extracted or {}).get("certificates", []),
        "occupation_codes": row.occupation_codes,
    }


def seeker_text_of(row: Seeker) -> str:
    """The text a stored seeker embeds, neutralised with the current list."""
    return profiles.seeker_text(row.resume_text or "", row.desired_roles or [], row.skills or [])


class SeekerWriter:
    """Creates, updates and reads seekers."""

    def __init__(self, db, encoder, coder=None, *, secret: bytes = b"", model_name: str | None = None):
        self.db = db
        self.encoder = encoder
        self.coder = coder
        self.secret = secret
        self.model_name = model_name or encoder.name

    @staticmethod
    def existing(session, inp: SeekerInput, id_hash: str | None) -> Seeker | None:
        """The stored seeker an input would update: same external id, else same ID number."""
        row = None
        if inp.external_id:
            row = session.scalar(select(Seeker).where(Seeker.external_id == inp.external_id))
        if row is None and id_hash:
            row = session.scalar(select(Seeker).where(Seeker.id_number_hash == id_hash))
        return row

    def problems(self, inputs: Sequence[SeekerInput], guard) -> list[tuple[int, str]]:
        """(position, Chinese reason) for every input `guard` refuses (by external id or the given ID
        number; an ID number found only in the resume text is checked again inside `upsert`)."""
        out = []
        with self.db.session() as session:
            for n, inp in enumerate(inputs):
                id_hash = keyed_hash(self.secret, inp.id_number) if inp.id_number else None
                existing = self.existing(session, inp, id_hash)
                if existing is None and not inp.consent:
                    out.append((n, NO_CONSENT))
                    continue
                if existing is None:
                    continue
                try:
                    guard(existing, inp)
                except (Forbidden, Conflict) as exc:
                    out.append((n, str(exc)))
        return out

    def upsert(self, inputs: Sequence[SeekerInput], *, progress: bool = False, guard=None, log=None) -> list[int]:
        """Create or update (by external id, else ID number) seekers in one transaction.

        `guard(existing_row, input)` (see `access.upsert_guard`) may refuse to update a stored record;
        it raises, and nothing of the batch is written. An input with consent=false withdraws the
        matched seeker's consent and changes nothing else (an unmatched one is refused); consent=true
        on a withdrawn record restores it. `log(session, seeker_id, action, reason)` records consent
        changes (the access log)."""
        if not inputs:
            return []
        built = profiles.build_profiles(inputs, self.coder)
        vectors = encode_batches(self.encoder, [p.text for p in built], progress=progress, desc="编码简历")
        ids = []
        with self.db.session() as session, session.begin():
            seq = self.db.take_seq(session, "seekers", len(inputs))
            for offset, (inp, profile, vector) in enumerate(zip(inputs, built, vectors)):
                id_number = inp.id_number or (profile.found["id_numbers"][0] if profile.found["id_numbers"] else None)
                id_hash = keyed_hash(self.secret, id_number) if id_number else None
                row = self.existing(session, inp, id_hash)
                if row is not None and guard is not None:
                    guard(row, inp)
                if not inp.consent:
                    if row is None:
                        raise InvalidInput(NO_CONSENT, field="consent")
                    self._set_consent(session, row, False, log)
                    row.change_seq = seq + offset
                    ids.append(row.id)
                    continue
                if row is not None and withdrawn(row):
                    self._set_consent(session, row, True, log)
                row = row or Seeker()
                self._fill(session, row, inp, profile, id_number, id_hash, vector)
                row.change_seq = seq + offset
                session.add(row)
                session.flush()
                ids.append(row.id)
        return ids

    @staticmethod
    def _set_consent(session, row: Seeker, given: bool, log) -> None:
        """Withdraw (PIPL art. 15) or give back consent; the caller bumps the change number."""
        now = datetime.now(timezone.utc)
        if given:
            row.consent_withdrawn_at, row.consent_at = None, now
        elif row.consent_withdrawn_at is None:
            row.consent_withdrawn_at = now
        if log is not None:
            log(session, row.id, "consent_given" if given else "consent_withdrawn",
                "重新同意处理个人信息" if given else "撤回个人信息处理同意（《个人信息保护法》第十五条）")

    def _fill(self, session, row: Seeker, inp: SeekerInput, profile: Profile, id_number, id_hash, vector) -> None:
        if inp.station_id is not None and session.get(Station, inp.station_id) is None:
            raise InvalidInput(f"服务站点 {inp.station_id} 不存在", field="station_id")
        features = dict(profile.features)
        # Sensitive tags already stored stay (unused, unshown) when their consent is withdrawn, so a
        # renewed consent restores them; new ones need the consent.
        added = set(inp.priority_tags) - set(row.priority_tags or [])
        if added & SENSITIVE_TAGS and not inp.sensitive_consent:
            raise InvalidInput("残疾、低收入、就业困难等敏感信息需求职者单独同意（sensitive_consent=true）后才能登记",
                               field="priority_tags")
        row.external_id = inp.external_id
        row.station_id = inp.station_id
        row.name = inp.name
        row.phone = inp.phone or (profile.found["phones"][0] if profile.found["phones"] else None)
        row.id_number_hash = id_hash
        row.id_number_masked = mask_id_number(id_number) if id_number else None
        row.resume_text = profile.clean_text
        row.desired_roles, row.skills = list(inp.desired_roles), list(inp.skills)
        row.education_level = inp.education if inp.education is not None else features.get("education")
        row.experience_years = inp.experience_years if inp.experience_years is not None else features.get("experience_years")
        row.expected_salary_monthly = inp.expected_salary
        row.max_commute_minutes = inp.max_commute_minutes
        row.unemployed_since = inp.unemployed_since
        row.priority_tags = list(inp.priority_tags)
        row.consent_at = row.consent_at or datetime.now(timezone.utc)
        row.sensitive_consent = inp.sensitive_consent
        set_place(row, inp.address, profile.place)
        row.extracted = features
        row.occupation_codes = [dict(c) for c in profile.occupation_codes]
        row.embedding = np.asarray(vector, np.float32).tobytes()
        row.embedding_model = self.model_name
        row.match_query = seeker_query.derive(row)  # what a match request needs, derived once here

    def create(self, inp: SeekerInput, *, guard=None, log=None) -> dict:
        return self.get(self.upsert([inp], guard=guard, log=log)[0])

    def update(self, seeker_id: int, changes: dict[str, Any], *, log=None) -> dict:
        """Apply changes; `consent: false` withdraws consent (alone: nothing else may change with it),
        `consent: true` gives it back; `sensitive_consent: false` withdraws the sensitive-data consent."""
        changes = dict(changes)
        consent = changes.pop("consent", None)
        if consent is False:
            if changes:
                raise InvalidInput("撤回同意时不能同时修改其他信息，请分两次提交", field="consent")
            with self.db.session() as session, session.begin():
                row = session.get(Seeker, seeker_id)
                if row is None:
                    raise NotFound(f"求职者 {seeker_id} 不存在")
                self._set_consent(session, row, False, log)
                row.change_seq = self.db.take_seq(session, "seekers", 1)
            return self.get(seeker_id)
        if consent is True:
            with self.db.session() as session, session.begin():
                row = session.get(Seeker, seeker_id)
                if row is None:
                    raise NotFound(f"求职者 {seeker_id} 不存在")
                if withdrawn(row):
                    self._set_consent(session, row, True, log)
                    row.change_seq = self.db.take_seq(session, "seekers", 1)
            if not changes:
                return self.get(seeker_id)
        with self.db.session() as session:
            row = session.get(Seeker, seeker_id)
            if row is None:
                raise NotFound(f"求职者 {seeker_id} 不存在")
            current = {
                "resume_text": row.resume_text, "name": row.name, "phone": row.phone,
                "desired_roles": row.desired_roles, "skills": row.skills, "education": row.education_level,
                "experience_years": row.experience_years, "expected_salary": row.expected_salary_monthly,
                "max_commute_minutes": row.max_commute_minutes, "station_id": row.station_id,
                "priority_tags": row.priority_tags, "consent": True, "sensitive_consent": row.sensitive_consent,
                "unemployed_since": row.unemployed_since, "address": row.address, "external_id": row.external_id,
            }
            if row.location_precision == "exact":
                current |= {"lat": row.lat, "lon": row.lon}
            elif row.street_code:
                current["street"] = row.street_code
            id_hash, id_masked = row.id_number_hash, row.id_number_masked
        inp = validated(SeekerInput, current | changes)
        profile = profiles.build_profile(inp, self.coder)
        vector = encode_batches(self.encoder, [profile.text])[0]
        with self.db.session() as session, session.begin():
            row = session.get(Seeker, seeker_id)
            id_number = inp.id_number
            self._fill(session, row, inp, profile, id_number,
                       keyed_hash(self.secret, id_number) if id_number else id_hash, vector)
            if not id_number:
                row.id_number_masked = id_masked
            row.change_seq = self.db.take_seq(session, "seekers", 1)
        return self.get(seeker_id)

    def get(self, seeker_id: int) -> dict:
        with self.db.session() as session:
            row = session.get(Seeker, seeker_id)
            if row is None:
                raise NotFound(f"求职者 {seeker_id} 不存在")
            return seeker_public(row)
