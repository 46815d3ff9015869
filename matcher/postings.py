"""Posting writes: every input goes through `build_profiles` once (salary parsed once, street
resolved once, features and compliance read once), then into the database with a change number.

The posting index is a cache that catches up from those change numbers; `on_change` lets the
service apply a write at once instead of at the next refresh.
"""
from __future__ import annotations

from collections import Counter
from typing import Any, Callable, Sequence

import numpy as np
from pydantic import ValidationError
from tqdm import tqdm
from sqlalchemy import select, update

from data.schema import Employer, Posting, Station
from matcher import posting_words
from matcher.duplicates import marked_originals, original_of, refresh_dependents, set_mark
from matcher.errors import Conflict, Forbidden, InvalidInput, NotFound, validation_message
from matcher.geo.places import radius_to_store, row_radius_km
from matcher.inputs import PostingInput
from matcher.search import lexical
from matcher.search.tables import encode_batches
from matcher.text import profiles
from matcher.text.compliance import blocks_publication
from matcher.types import Profile
from models.pipeline import encode_ahead

IN_CHUNK = 500  # values per `IN (...)` read (below SQLite's bound-parameter limit)
DRAFT_NOTE = "岗位信息含可能违反就业促进法的要求，已暂存为草稿，修改后自动发布"


def set_place(row, address: str | None, place) -> None:
    row.address = address
    row.street_code = place.street_code if place else None
    row.lat, row.lon = (place.lat, place.lon) if place else (None, None)
    row.location_precision = place.precision if place else None
    row.location_radius_km = radius_to_store(place)  # the resolver's radius (migration 0009)


def located_radius(row) -> float | None:
    """The radius a located row is judged with (its own, or its precision's default); None without a point."""
    return None if row.lat is None or row.lon is None else round(row_radius_km(row), 2)


def posting_public(row: Posting) -> dict:
    """The public view of a posting (safe for anyone: postings hold no personal data)."""
    return {
        "id": row.id, "external_id": row.external_id, "title": row.title,
        "employer": row.employer.name if row.employer else None,
        "description": row.description, "requirements": row.requirements, "skills": row.skills,
        "salary": row.salary_text, "salary_monthly_min": row.monthly_min, "salary_monthly_max": row.monthly_max,
        "education": row.education_level, "education_name": profiles.education_name(row.education_level),
        "experience_min": row.experience_min, "experience_max": row.experience_max,
        "employment_type": row.employment_type, "headcount": row.headcount,
        "street_code": row.street_code, "address": row.address, "lat": row.lat, "lon": row.lon,
        "location_precision": row.location_precision,
        "location_radius_km": located_radius(row),
        "location_approximate": row.location_precision not in (None, "exact"),
        "station_id": row.station_id, "status": row.status,
        "expires_at": row.expires_at.isoformat() if row.expires_at else None,
        "accessible": row.accessible, "occupation_codes": row.occupation_codes,
        "required_skills": (row.extracted or {}).get("skills", []),
        "required_certificates": (row.extracted or {}).get("certificates", []),
        "days_per_week": (row.extracted or {}).get("days_per_week"),
        "duplicate_of": (row.extracted or {}).get("duplicate_of"),
        "compliance_findings": (row.extracted or {}).get("compliance", []),
        "status_note": DRAFT_NOTE if row.status == "draft" else None,
    }


def validated(model, data: dict):
    """`model.model_validate(data)`, with the first problem as an `InvalidInput` naming its field."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        field = ".".join(str(part) for part in error["loc"]) or None
        raise InvalidInput(validation_message(error), field=field) from exc


def posting_text_of(row: Posting) -> str:
    return profiles.posting_text(row.title, row.description, row.requirements, row.skills)


class PostingWriter:
    """Creates, updates, closes and reads postings."""

    def __init__(self, db, encoder, coder=None, *, on_change: Callable[[], None] = lambda: None):
        self.db = db
        self.encoder = encoder
        self.coder = coder
        self.on_change = on_change

    @staticmethod
    def existing(session, inp: PostingInput) -> Posting | None:
        """The stored posting an input would update (same external id), if any."""
        if not inp.external_id:
            return None
        return session.scalar(select(Posting).where(Posting.external_id == inp.external_id))

    def problems(self, inputs: Sequence[PostingInput], guard) -> list[tuple[int, str]]:
        """(position, Chinese reason) for every input `guard` refuses; nothing is written."""
        out = []
        with self.db.session() as session:
            for n, inp in enumerate(inputs):
                try:
                    guard(self.existing(session, inp), inp)
                except (Forbidden, Conflict) as exc:
                    out.append((n, str(exc)))
        return out

    def upsert(self, inputs: Sequence[PostingInput], *, progress: bool = False, guard=None) -> list[int]:
        """Create or update (by external id) many postings in one transaction; returns their ids.

        `guard(existing_row, input)` (see `access.upsert_guard`) may refuse to update a stored posting;
        it raises, and nothing of the batch is written."""
        if not inputs:
            return []
        for inp in inputs:  # an unknown street fails before any (slow) coding or encoding
            profiles.check_street(inp.street)
        ids: list[int] = []
        words: dict = {}
        bar = tqdm(total=len(inputs), desc="编码岗位", disable=not progress, unit="条")
        with self.db.session() as session, session.begin():
            seq = self.db.take_seq(session, "postings", len(inputs))
            employers: dict[str, Employer] = {}
            stored: dict[str, Posting] = {}  # external id -> its row, read per chunk in one query
            originals = marked_originals(session)  # postings others repeat: their repeats are recomputed
            # The posting text is known before parsing: the encoder runs ahead from the raw inputs, and
            # each chunk's rows are written while it encodes; their vectors are set last.
            chunks = encode_ahead(inputs, lambda part: self._prepare(part, words),
                                  lambda profile: profile.text, self.encoder,
                                  lambda inp: profiles.posting_text(inp.title, inp.description, inp.requirements,
                                                                    inp.skills))
            for start, built, vectors_of in chunks:
                part = inputs[start:start + len(built)]
                self._read_ahead(session, part, stored, employers)
                rows = []
                for offset, (inp, profile) in enumerate(zip(part, built), start):
                    row = stored.get(inp.external_id) if inp.external_id else None
                    if row is not None and guard is not None:
                        guard(row, inp)
                    row = row or Posting()
                    self._fill(session, row, inp, profile, None, employers, originals, words)
                    row.change_seq = seq + offset
                    session.add(row)
                    if inp.external_id:
                        stored[inp.external_id] = row  # the same external id later in the batch updates it
                    rows.append(row)
                session.flush()  # one batched INSERT for the chunk's new rows
                ids.extend(row.id for row in rows)
                for row, vector in zip(rows, vectors_of()):
                    self._set_vector(row, vector)
                bar.update(len(built))
        bar.close()
        self.on_change()
        return ids

    def _prepare(self, part: Sequence[PostingInput], words: dict) -> list[Profile]:
        """Profiles of a chunk (run while the encoder works), and the BM25 words of their texts: stored
        with each row (`matcher.posting_words`), so the index never cuts them again."""
        built = profiles.build_profiles(part, self.coder)
        for profile in built:
            if profile.text not in words:
                words[profile.text] = Counter(lexical.tokens(profile.text))
        return built

    @staticmethod
    def _read_ahead(session, part: Sequence[PostingInput], stored: dict[str, Posting],
                    employers: dict[str, Employer]) -> None:
        """Read a chunk's stored postings (by external id) and employers (by name) in one query each,
        and create the employers not stored yet (one flush), instead of a query per row."""
        wanted = list(dict.fromkeys(inp.external_id for inp in part if inp.external_id and inp.external_id not in stored))
        for start in range(0, len(wanted), IN_CHUNK):
            for row in session.scalars(select(Posting).where(Posting.external_id.in_(wanted[start:start + IN_CHUNK]))):
                stored[row.external_id] = row
        names = list(dict.fromkeys(inp.employer for inp in part if inp.employer and inp.employer not in employers))
        for start in range(0, len(names), IN_CHUNK):
            for employer in session.scalars(select(Employer).where(Employer.name.in_(names[start:start + IN_CHUNK]))):
                employers[employer.name] = employer
        missing = [name for name in names if name not in employers]
        for name in missing:
            employers[name] = Employer(name=name)
            session.add(employers[name])
        if missing:
            session.flush()

    def _fill(self, session, row: Posting, inp: PostingInput, profile: Profile, vector, employers,
              originals: set[int] | None = None, words: dict | None = None) -> None:
        salary = profile.salary
        was_employer = row.employer_id
        if inp.employer:
            employer = employers.get(inp.employer) or session.scalar(select(Employer).where(Employer.name == inp.employer))
            if employer is None:
                employer = Employer(name=inp.employer)
                session.add(employer)
                session.flush()
            employers[inp.employer] = employer
            row.employer_id = employer.id
        if inp.station_id is not None and session.get(Station, inp.station_id) is None:
            raise InvalidInput(f"服务站点 {inp.station_id} 不存在", field="station_id")
        row.external_id = inp.external_id
        row.station_id = inp.station_id
        row.title, row.description, row.requirements = inp.title, inp.description, inp.requirements
        row.skills = list(inp.skills)
        text = posting_text_of(row)  # its BM25 words, with the digest of the text they were cut from
        row.lexical_words = posting_words.derive(text, (words or {}).get(text))
        row.salary_text = salary.text if salary else None
        row.salary_min, row.salary_max = (salary.min, salary.max) if salary else (None, None)
        row.salary_unit = salary.unit if salary else None
        row.monthly_min, row.monthly_max = (salary.monthly_min, salary.monthly_max) if salary else (None, None)
        row.education_level = inp.education
        row.experience_min, row.experience_max = inp.experience_min, inp.experience_max
        row.employment_type = inp.employment_type
        row.headcount = inp.headcount
        row.expires_at = inp.expires_at
        row.accessible = inp.accessible
        if blocks_publication(list(profile.findings)):
            row.status = "draft"  # held until an edit removes the discriminatory wording
        elif row.status in (None, "draft"):
            row.status = "open"  # a re-import keeps a closed posting closed
        set_place(row, inp.address, profile.place)
        marked = (row.extracted or {}).get("duplicate_of")
        row.extracted = dict(profile.features) | {"compliance": [finding.to_dict() for finding in profile.findings]}
        if marked is not None:  # recomputed, never dropped: kept while the posting still repeats its original
            set_mark(row, original_of(session, row))
        if row.id is not None and (originals is None or row.id in originals):  # its repeats: against what it says now
            refresh_dependents(session, row, was_employer, lambda n: self.db.take_seq(session, "postings", n))
        row.occupation_codes = [dict(c) for c in profile.occupation_codes]
        if vector is not None:  # None: `upsert` sets it once the encoder has it
            self._set_vector(row, vector)

    def _set_vector(self, row: Posting, vector) -> None:
        row.embedding = np.asarray(vector, np.float32).tobytes()
        row.embedding_model = self.encoder.name

    def create(self, inp: PostingInput, *, guard=None) -> dict:
        return self.get(self.upsert([inp], guard=guard)[0])

    def update(self, posting_id: int, changes: dict[str, Any]) -> dict:
        current = self.current_input(posting_id)
        with self.db.session() as session:
            external_id = session.get(Posting, posting_id).external_id
        merged = validated(PostingInput, current | changes).model_copy(update={"external_id": external_id})
        profile = profiles.build_profile(merged, self.coder)
        vector = encode_batches(self.encoder, [profile.text])[0]
        with self.db.session() as session, session.begin():
            row = session.get(Posting, posting_id)
            self._fill(session, row, merged, profile, vector, {})
            row.change_seq = self.db.take_seq(session, "postings", 1)
        self.on_change()
        return self.get(posting_id)

    def set_status(self, posting_id: int, status: str) -> dict:
        with self.db.session() as session, session.begin():
            row = session.get(Posting, posting_id)
            if row is None:
                raise NotFound(f"岗位 {posting_id} 不存在")
            if status == "open" and row.status == "draft":
                raise Conflict("该岗位含可能违反就业促进法的要求，请先修改岗位内容再发布")
            row.status = status
            row.change_seq = self.db.take_seq(session, "postings", 1)
            refresh_dependents(session, row, row.employer_id, lambda n: self.db.take_seq(session, "postings", n))
        self.on_change()
        return self.get(posting_id)

    def current_input(self, posting_id: int) -> dict:
        """The stored posting as `PostingInput` fields (the base an update is merged onto)."""
        with self.db.session() as session:
            row = session.get(Posting, posting_id)
            if row is None:
                raise NotFound(f"岗位 {posting_id} 不存在")
            data = {
                "title": row.title, "employer": row.employer.name if row.employer else None,
                "description": row.description, "requirements": row.requirements, "skills": row.skills,
                "salary": row.salary_text, "education": row.education_level, "experience_min": row.experience_min,
                "experience_max": row.experience_max, "employment_type": row.employment_type,
                "headcount": row.headcount, "station_id": row.station_id, "expires_at": row.expires_at,
                "accessible": row.accessible, "address": row.address,
            }
            if row.location_precision == "exact":
                data |= {"lat": row.lat, "lon": row.lon}
            elif row.street_code:
                data["street"] = row.street_code
            return data

    def get(self, posting_id: int) -> dict:
        with self.db.session() as session:
            row = session.get(Posting, posting_id)
            if row is None:
                raise NotFound(f"岗位 {posting_id} 不存在")
            return posting_public(row)

    def reencode_stale(self, *, progress: bool = False) -> int:
        """Store a current vector for postings that lack one (new model); returns how many."""
        with self.db.session() as session:
            stale = session.scalars(select(Posting).where(
                (Posting.embedding.is_(None)) | (Posting.embedding_model != self.encoder.name))).all()
            texts = [posting_text_of(row) for row in stale]
            ids = [row.id for row in stale]
        if not ids:
            return 0
        vectors = encode_batches(self.encoder, texts, progress=progress, desc="重新编码岗位")
        with self.db.session() as session, session.begin():
            seq = self.db.take_seq(session, "postings", len(ids))
            for offset, (posting_id, vector) in enumerate(zip(ids, vectors)):
                session.execute(update(Posting).where(Posting.id == posting_id).values(
                    embedding=vector.tobytes(), embedding_model=self.encoder.name, change_seq=seq + offset))
        return len(ids)
