"""The matching service: the one place that ties storage, encoder, index and ranking together.

The API, the command line and the evaluation harness all call this class. The database is the
source of truth; the FAISS index and the in-memory catalog are caches that are loaded or rebuilt
on start and kept current from the database's change feed (`change_seq`), so writes made by another
process (a bulk import from the command line) reach a running server without a rebuild.
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable, Iterable, Sequence

import faiss
import numpy as np
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session
from tqdm import tqdm

from matcher.text.parsing import parse_salary
from data.schema import Counter, Employer, MatchOutcome, Posting, Seeker, Station
from matcher.text import profiles
from matcher.search.catalog import PostingCatalog, PostingEntry
from matcher.text.compliance import blocks_publication, check_posting
from matcher.errors import Conflict, InvalidInput, NotFound, NotReady
from matcher.ranking.explain import explain_match
from matcher.text.fairness import neutralise
from matcher.geo.commute import MetroCommute
from matcher.geo.geo import CYCLE_KMH, DETOUR_FACTOR, Commute, haversine_km_many
from matcher.search.index import FaissIndex, IndexUnusable, Manifest, build_index, load_index, resolve_factory, save_index
from matcher.inputs import PostingInput, SeekerInput
from matcher.geo.places import PRECISION_LABELS, Place, gazetteer
from matcher.text.privacy import keyed_hash, load_or_create_secret, mask_id_number, mask_phone, redact
from matcher.ranking.scoring import WEIGHTS, Scored, Side, score_pair, semantic_component
from matcher.settings import Settings
from matcher.store import Database
from models.encoder import Encoder
from models.registry import load_encoder

log = logging.getLogger("jobcircle")

ENCODE_BATCH = 64
PRESCORE_KEEP = 60


@dataclass
class MatchFilters:
    max_commute_minutes: float | None = None
    min_salary: float | None = None
    accessible_only: bool = False


def _vector(blob: bytes | None, dim: int) -> np.ndarray | None:
    if blob is None:
        return None
    vector = np.frombuffer(blob, dtype=np.float32)
    return vector if vector.shape[0] == dim else None


def _ts(value: datetime | None) -> float | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.timestamp()


_MATCH_COLUMNS = (
    Seeker.id, Seeker.embedding, Seeker.extracted, Seeker.education_level, Seeker.experience_years,
    Seeker.expected_salary_monthly, Seeker.occupation_codes, Seeker.lat, Seeker.lon, Seeker.location_precision,
    Seeker.max_commute_minutes,
)


class JobCircle:
    """Heavy objects (model, index) are built once in `start()`; every method after that is cheap."""

    def __init__(self, settings: Settings, encoder: Encoder | None = None, *, commute=None, coder=None):
        self.settings = settings
        self._encoder = encoder
        self.commute = commute or MetroCommute()
        self.coder = coder
        self.db = Database(settings.database_url)
        self.catalog = PostingCatalog()
        self.index: FaissIndex | None = None
        self.version = 0
        self.factory = ""
        self._lock = threading.RLock()
        self._last_refresh = 0.0
        self.ready = False
        self.secret = b""

    # ------------------------------------------------------------------ lifecycle
    @property
    def encoder(self) -> Encoder:
        if self._encoder is None:
            raise NotReady("向量模型尚未加载")
        return self._encoder

    def start(self, *, progress: bool = False) -> "JobCircle":
        settings = self.settings
        settings.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.secret = load_or_create_secret(settings.secret_path)
        self.db.open()
        # One query is one small search: threads would only contend with concurrent requests.
        faiss.omp_set_num_threads(1)
        if self._encoder is None:
            self._encoder = load_encoder(settings.encoder)
        if self.coder is None and settings.occupation_coding:
            from matcher.occupations.coder import OccupationCoder

            self.coder = OccupationCoder(self.encoder).fit(cache_dir=settings.data_dir / "cache")
        self._load_or_rebuild(progress=progress)
        self.ready = True
        return self

    def stop(self) -> None:
        if self.index is not None and self.ready:
            self.save_index()
        self.ready = False
        self.db.close()

    # ------------------------------------------------------------------ index lifecycle
    def _open_count(self, session: Session) -> int:
        return session.scalar(select(func.count()).select_from(Posting).where(Posting.status == "open")) or 0

    def _load_or_rebuild(self, *, progress: bool) -> None:
        with self.db.session() as session:
            count = self._open_count(session)
        self.factory = resolve_factory(self.settings.index_factory, count, self.settings.exact_below)
        try:
            index, manifest = load_index(
                self.settings.index_dir, model=self.encoder.name, dim=self.encoder.dim,
                factory=self.factory, ef_search=self.settings.hnsw_ef_search,
            )
        except IndexUnusable as exc:
            log.info("rebuilding the posting index: %s", exc)
            self.rebuild_index(progress=progress)
            return
        self.index, self.version = index, 0
        self.catalog = PostingCatalog()
        # The catalog is always rebuilt from the database; the index catches up from its manifest.
        self._apply_changes(since=0, index_since=manifest.data_version)
        if self.index.dead_fraction > 0.2:
            self.rebuild_index(progress=progress)

    def rebuild_index(self, *, progress: bool = False) -> int:
        """Re-encode postings that lack a current vector, then build a fresh index from the database."""
        with self._lock:
            self._encode_missing(progress=progress)
            with self.db.session() as session:
                count = self._open_count(session)
                self.factory = resolve_factory(self.settings.index_factory, count, self.settings.exact_below)
                version = session.scalar(select(func.max(Posting.change_seq))) or 0
                ids, vectors, catalog = [], [], PostingCatalog()
                rows = session.scalars(select(Posting).where(Posting.status == "open").execution_options(yield_per=2000))
                for row in tqdm(rows, total=count, desc="构建岗位索引", disable=not progress, unit="条"):
                    vector = _vector(row.embedding, self.encoder.dim)
                    if vector is None:
                        continue
                    ids.append(row.id)
                    vectors.append(vector)
                    catalog.upsert(self._entry(row))
            matrix = np.vstack(vectors) if vectors else np.zeros((0, self.encoder.dim), np.float32)
            index = build_index(self.encoder.dim, self.factory, np.asarray(ids, np.int64), matrix,
                                ef_search=self.settings.hnsw_ef_search)
            self.index, self.catalog, self.version = index, catalog, version
            self.save_index()
            return len(ids)

    def save_index(self) -> None:
        with self._lock:
            manifest = Manifest(self.encoder.name, self.encoder.dim, self.factory, self.version, len(self.index))
            save_index(self.settings.index_dir, self.index, manifest)

    def _encode_missing(self, *, progress: bool) -> None:
        with self.db.session() as session:
            stale = session.execute(
                select(Posting.id, Posting.title, Posting.description, Posting.requirements, Posting.skills).where(
                    (Posting.embedding.is_(None)) | (Posting.embedding_model != self.encoder.name)
                )
            ).all()
        if not stale:
            return
        texts = [profiles.posting_text(r.title, r.description, r.requirements, r.skills) for r in stale]
        vectors = self._encode(texts, progress=progress, desc="重新编码岗位")
        with self.db.session() as session, session.begin():
            seq = self.db.take_seq(session, "postings", len(stale))
            for offset, (row, vector) in enumerate(zip(stale, vectors)):
                session.execute(update(Posting).where(Posting.id == row.id).values(
                    embedding=vector.tobytes(), embedding_model=self.encoder.name, change_seq=seq + offset))

    def refresh(self, *, force: bool = False) -> None:
        """Apply postings changed in the database since the index's version (cheap when none)."""
        now = time.monotonic()
        if not force and now - self._last_refresh < self.settings.refresh_interval_s:
            return
        self._last_refresh = now
        with self.db.session() as session:
            latest = session.scalar(select(func.max(Posting.change_seq))) or 0
        if latest > self.version:
            self._apply_changes(since=self.version)

    def _apply_changes(self, *, since: int, index_since: int | None = None) -> None:
        index_since = since if index_since is None else index_since
        with self._lock, self.db.session() as session:
            rows = session.scalars(select(Posting).where(Posting.change_seq > since).order_by(Posting.change_seq)).all()
            add_ids, add_vectors, remove_ids = [], [], []
            for row in rows:
                vector = _vector(row.embedding, self.encoder.dim)
                if row.status == "open" and vector is not None:
                    self.catalog.upsert(self._entry(row))
                    if row.change_seq > index_since:
                        add_ids.append(row.id)
                        add_vectors.append(vector)
                else:
                    self.catalog.remove(row.id)
                    if row.change_seq > index_since:
                        remove_ids.append(row.id)
                self.version = max(self.version, row.change_seq)
            if remove_ids:
                self.index.remove(np.asarray(remove_ids, np.int64))
            if add_ids:
                self.index.add(np.asarray(add_ids, np.int64), np.vstack(add_vectors))

    # ------------------------------------------------------------------ conversions
    def _entry(self, row: Posting) -> PostingEntry:
        features = row.extracted or {}
        point = (row.lat, row.lon) if row.lat is not None and row.lon is not None else None
        side = Side(
            id=row.id,
            skills=frozenset(features.get("skills", [])),
            certificates=frozenset(features.get("certificates", [])),
            education=row.education_level,
            experience=row.experience_min,
            salary_low=row.monthly_min,
            salary_high=row.monthly_max,
            occupations=tuple(c["code"] for c in (row.occupation_codes or [])[:2]),
            point=point,
            approximate_point=row.location_precision not in (None, "exact"),
            title=row.title,
            extra={"salary_text": row.salary_text,
                   "occupation": (row.occupation_codes or [{}])[0].get("name") if row.occupation_codes else None},
        )
        return PostingEntry(
            side=side,
            employer=row.employer.name if row.employer else "",
            expires_ts=_ts(row.expires_at),
            accessible=bool(row.accessible),
            employment_type=row.employment_type,
            salary_text=row.salary_text,
            street_code=row.street_code,
            station_id=row.station_id,
        )

    def _seeker_side(self, row: Seeker) -> Side:
        features = row.extracted or {}
        return Side(
            id=row.id,
            skills=frozenset(features.get("skills", [])),
            certificates=frozenset(features.get("certificates", [])),
            education=row.education_level if row.education_level is not None else features.get("education"),
            experience=row.experience_years if row.experience_years is not None else features.get("experience_years"),
            salary_low=row.expected_salary_monthly,
            occupations=tuple(c["code"] for c in (row.occupation_codes or [])[:2]),
            point=(row.lat, row.lon) if row.lat is not None and row.lon is not None else None,
            approximate_point=row.location_precision not in (None, "exact"),
        )

    def _encode(self, texts: Sequence[str], *, progress: bool, desc: str) -> np.ndarray:
        chunks = []
        bar = tqdm(total=len(texts), desc=desc, disable=not progress, unit="条")
        for start in range(0, len(texts), ENCODE_BATCH):
            batch = texts[start:start + ENCODE_BATCH]
            chunks.append(self.encoder.encode_documents(batch))
            bar.update(len(batch))
        bar.close()
        return np.vstack(chunks) if chunks else np.zeros((0, self.encoder.dim), np.float32)

    def _place(self, inp) -> Place | None:
        return gazetteer().resolve(lat=inp.lat, lon=inp.lon, street=inp.street, address=inp.address)

    def _code_occupations(self, titles: Sequence[str]) -> list[list[dict]]:
        if self.coder is None:
            return [[] for _ in titles]
        results = self.coder.code(list(titles), top_k=3)
        return [
            [{"code": c.code, "name": c.name, "score": round(float(c.score), 3), "level": c.level,
              "confidence": round(float(r.confidence), 3)} for c in r.candidates[:3]]
            for r in results
        ]

    # ------------------------------------------------------------------ postings
    def upsert_postings(self, inputs: Sequence[PostingInput], *, progress: bool = False) -> list[int]:
        """Create or update (by external id) many postings in one transaction; returns their ids."""
        if not inputs:
            return []
        for inp in inputs:
            if inp.street and gazetteer().street_code(inp.street) is None:
                raise InvalidInput(f"未找到街道“{inp.street}”，请填写上海市的街道/镇名称或9位代码", field="street")
        texts = [profiles.posting_text(i.title, i.description, i.requirements, i.skills) for i in inputs]
        vectors = self._encode(texts, progress=progress, desc="编码岗位")
        codes = self._code_occupations([i.title for i in inputs])
        ids: list[int] = []
        with self.db.session() as session, session.begin():
            seq = self.db.take_seq(session, "postings", len(inputs))
            employers: dict[str, Employer] = {}
            for offset, (inp, vector, occupation) in enumerate(zip(inputs, vectors, codes)):
                row = None
                if inp.external_id:
                    row = session.scalar(select(Posting).where(Posting.external_id == inp.external_id))
                row = row or Posting()
                self._fill_posting(session, row, inp, vector, occupation, employers)
                row.change_seq = seq + offset
                session.add(row)
                session.flush()
                ids.append(row.id)
        self.refresh(force=True)
        return ids

    def _fill_posting(self, session, row: Posting, inp: PostingInput, vector, occupation, employers) -> None:
        salary = parse_salary(inp.salary) if inp.salary else None
        place = self._place(inp)
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
        findings = check_posting({"title": inp.title, "description": inp.description, "requirements": inp.requirements})
        if blocks_publication(findings):
            row.status = "draft"  # held until an edit removes the discriminatory wording
        elif row.status in (None, "draft"):
            row.status = "open"  # a re-import keeps a closed posting closed
        _set_place(row, inp.address, place)
        row.extracted = profiles.posting_features(inp.title, inp.description, inp.requirements, inp.skills) | {
            "compliance": [finding.to_dict() for finding in findings]
        }
        row.occupation_codes = occupation
        self._set_vector(row, vector)

    def _set_vector(self, row, vector) -> None:
        row.embedding = np.asarray(vector, np.float32).tobytes()
        row.embedding_model = self.encoder.name

    def create_posting(self, inp: PostingInput) -> dict:
        return self.get_posting(self.upsert_postings([inp])[0])

    def update_posting(self, posting_id: int, changes: dict[str, Any]) -> dict:
        current = self._posting_input(posting_id)
        merged = PostingInput.model_validate(current | changes)
        with self.db.session() as session:
            row = session.get(Posting, posting_id)
            merged = merged.model_copy(update={"external_id": row.external_id})
        texts = [profiles.posting_text(merged.title, merged.description, merged.requirements, merged.skills)]
        vector = self._encode(texts, progress=False, desc="")[0]
        occupation = self._code_occupations([merged.title])[0]
        with self.db.session() as session, session.begin():
            row = session.get(Posting, posting_id)
            self._fill_posting(session, row, merged, vector, occupation, {})
            row.change_seq = self.db.take_seq(session, "postings", 1)
        self.refresh(force=True)
        return self.get_posting(posting_id)

    def set_posting_status(self, posting_id: int, status: str) -> dict:
        with self.db.session() as session, session.begin():
            row = session.get(Posting, posting_id)
            if row is None:
                raise NotFound(f"岗位 {posting_id} 不存在")
            if status == "open" and row.status == "draft":
                raise Conflict("该岗位含可能违反就业促进法的要求，请先修改岗位内容再发布")
            row.status = status
            row.change_seq = self.db.take_seq(session, "postings", 1)
        self.refresh(force=True)
        return self.get_posting(posting_id)

    def close_posting(self, posting_id: int) -> dict:
        return self.set_posting_status(posting_id, "closed")

    def _posting_input(self, posting_id: int) -> dict:
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

    def get_posting(self, posting_id: int) -> dict:
        with self.db.session() as session:
            row = session.get(Posting, posting_id)
            if row is None:
                raise NotFound(f"岗位 {posting_id} 不存在")
            return posting_public(row)

    # ------------------------------------------------------------------ seekers
    def upsert_seekers(self, inputs: Sequence[SeekerInput], *, progress: bool = False) -> list[int]:
        if not inputs:
            return []
        prepared = []
        for inp in inputs:
            if inp.street and gazetteer().street_code(inp.street) is None:
                raise InvalidInput(f"未找到街道“{inp.street}”，请填写上海市的街道/镇名称或9位代码", field="street")
            clean, found = redact(inp.resume_text)
            prepared.append((inp, clean, found))
        texts = [profiles.seeker_text(clean, inp.desired_roles, inp.skills) for inp, clean, _ in prepared]
        vectors = self._encode(texts, progress=progress, desc="编码简历")
        codes = self._code_occupations(
            ["/".join(inp.desired_roles) or neutralise(clean)[:60] for inp, clean, _ in prepared]
        )
        ids = []
        with self.db.session() as session, session.begin():
            seq = self.db.take_seq(session, "seekers", len(inputs))
            for offset, ((inp, clean, found), vector, occupation) in enumerate(zip(prepared, vectors, codes)):
                id_number = inp.id_number or (found["id_numbers"][0] if found["id_numbers"] else None)
                id_hash = keyed_hash(self.secret, id_number) if id_number else None
                row = None
                if inp.external_id:
                    row = session.scalar(select(Seeker).where(Seeker.external_id == inp.external_id))
                if row is None and id_hash:
                    row = session.scalar(select(Seeker).where(Seeker.id_number_hash == id_hash))
                row = row or Seeker()
                self._fill_seeker(session, row, inp, clean, found, id_number, id_hash, vector, occupation)
                row.change_seq = seq + offset
                session.add(row)
                session.flush()
                ids.append(row.id)
        return ids

    def _fill_seeker(self, session, row, inp: SeekerInput, clean, found, id_number, id_hash, vector, occupation):
        if inp.station_id is not None and session.get(Station, inp.station_id) is None:
            raise InvalidInput(f"服务站点 {inp.station_id} 不存在", field="station_id")
        place = self._place(inp)
        features = profiles.seeker_features(clean, inp.skills, inp.desired_roles)
        sensitive = set(inp.priority_tags) & {"disabled", "low_income", "employment_difficulty"}
        if sensitive and not inp.sensitive_consent:
            raise InvalidInput("残疾、低收入、就业困难等敏感信息需求职者单独同意（sensitive_consent=true）后才能登记",
                               field="priority_tags")
        row.external_id = inp.external_id
        row.station_id = inp.station_id
        row.name = inp.name
        row.phone = inp.phone or (found["phones"][0] if found["phones"] else None)
        row.id_number_hash = id_hash
        row.id_number_masked = mask_id_number(id_number) if id_number else None
        row.resume_text = clean
        row.desired_roles, row.skills = list(inp.desired_roles), list(inp.skills)
        row.education_level = inp.education if inp.education is not None else features.get("education")
        row.experience_years = inp.experience_years if inp.experience_years is not None else features.get("experience_years")
        row.expected_salary_monthly = inp.expected_salary
        row.max_commute_minutes = inp.max_commute_minutes
        row.unemployed_since = inp.unemployed_since
        row.priority_tags = list(inp.priority_tags)
        row.consent_at = row.consent_at or datetime.now(timezone.utc)
        row.sensitive_consent = inp.sensitive_consent
        _set_place(row, inp.address, place)
        row.extracted = features
        row.occupation_codes = occupation
        self._set_vector(row, vector)

    def create_seeker(self, inp: SeekerInput) -> dict:
        return self.get_seeker(self.upsert_seekers([inp])[0])

    def update_seeker(self, seeker_id: int, changes: dict[str, Any]) -> dict:
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
        inp = SeekerInput.model_validate(current | changes)
        clean, found = redact(inp.resume_text)
        vector = self._encode([profiles.seeker_text(clean, inp.desired_roles, inp.skills)], progress=False, desc="")[0]
        occupation = self._code_occupations(["/".join(inp.desired_roles) or neutralise(clean)[:60]])[0]
        with self.db.session() as session, session.begin():
            row = session.get(Seeker, seeker_id)
            id_number = inp.id_number
            self._fill_seeker(session, row, inp, clean, found, id_number,
                              keyed_hash(self.secret, id_number) if id_number else id_hash, vector, occupation)
            if not id_number:
                row.id_number_masked = id_masked
            row.change_seq = self.db.take_seq(session, "seekers", 1)
        return self.get_seeker(seeker_id)

    def get_seeker(self, seeker_id: int) -> dict:
        with self.db.session() as session:
            row = session.get(Seeker, seeker_id)
            if row is None:
                raise NotFound(f"求职者 {seeker_id} 不存在")
            return seeker_public(row)

    # ------------------------------------------------------------------ matching
    def match_seeker(self, seeker_id: int, k: int = 10, filters: MatchFilters | None = None,
                     weights: dict[str, float] = WEIGHTS) -> list[dict]:
        with self.db.session() as session:
            # Only the columns ranking reads: a plain row is several times cheaper than the ORM object.
            row = session.execute(select(*_MATCH_COLUMNS).where(Seeker.id == seeker_id)).one_or_none()
            if row is None:
                raise NotFound(f"求职者 {seeker_id} 不存在")
            vector = _vector(row.embedding, self.encoder.dim)
            side = self._seeker_side(row)
            filters = filters or MatchFilters()
            if filters.max_commute_minutes is None:
                filters.max_commute_minutes = row.max_commute_minutes
        if vector is None:
            raise NotReady("该求职者的简历尚未编码，请运行 `jobcircle index rebuild`")
        return self._match(vector, side, k, filters, weights)

    def match_text(self, resume_text: str, *, k: int = 10, lat: float | None = None, lon: float | None = None,
                   street: str | None = None, address: str | None = None, filters: MatchFilters | None = None) -> list[dict]:
        """Ad-hoc matching of pasted resume text; nothing is stored."""
        if not resume_text or not resume_text.strip():
            raise InvalidInput("简历内容不能为空", field="resume_text")
        if street and gazetteer().street_code(street) is None:
            raise InvalidInput(f"未找到街道“{street}”", field="street")
        clean, _ = redact(resume_text)
        features = profiles.seeker_features(clean, [], [])
        place = gazetteer().resolve(lat=lat, lon=lon, street=street, address=address)
        codes = self._code_occupations([neutralise(clean)[:60]])[0]
        side = Side(
            id=0, skills=frozenset(features["skills"]), certificates=frozenset(features["certificates"]),
            education=features.get("education"), experience=features.get("experience_years"),
            occupations=tuple(c["code"] for c in codes[:2]),
            point=(place.lat, place.lon) if place else None, approximate_point=bool(place and place.approximate),
        )
        vector = self.encoder.encode_queries([profiles.seeker_text(clean, [], [])])[0]
        return self._match(vector, side, k, filters or MatchFilters(), WEIGHTS)

    def _candidates(self, vector: np.ndarray, side: Side, filters: MatchFilters) -> dict[int, float]:
        pool = min(self.settings.candidate_pool, max(1, len(self.index)))
        scores, ids = self.index.search(vector[None, :], pool)
        found = {int(i): float(s) for s, i in zip(scores[0], ids[0]) if i >= 0}
        if side.point is not None and self.settings.geo_pool:
            minutes = filters.max_commute_minutes or 30.0
            radius = min(15.0, CYCLE_KMH * minutes / 60.0 / DETOUR_FACTOR)
            near, _ = self.catalog.nearest(side.point[0], side.point[1], radius,
                                           self.settings.geo_pool + len(found))
            near = np.asarray([i for i in near.tolist() if i not in found], dtype=np.int64)[: self.settings.geo_pool]
            if len(near):
                cosines = self.index.vectors(near) @ vector
                found.update(zip(near.tolist(), cosines.tolist()))
        return found

    def _match(self, vector, side: Side, k: int, filters: MatchFilters, weights) -> list[dict]:
        if not 1 <= k <= self.settings.max_k:
            raise InvalidInput(f"k 应在 1 到 {self.settings.max_k} 之间", field="k")
        self.refresh()
        now = time.time()
        with self._lock:
            found = self._candidates(vector, side, filters)
            entries = [(self.catalog.get(i), c) for i, c in found.items()]
        entries = [(e, c) for e, c in entries if e is not None and e.is_live(now)]
        if filters.accessible_only:
            entries = [(e, c) for e, c in entries if e.accessible]
        if filters.min_salary:
            entries = [(e, c) for e, c in entries
                       if (e.side.salary_high or e.side.salary_low) is None
                       or (e.side.salary_high or e.side.salary_low) >= filters.min_salary]
        if not entries:
            return []
        minutes = np.full(len(entries), np.nan)
        km = np.full(len(entries), np.nan)
        modes: list[str | None] = [None] * len(entries)
        if side.point is not None:
            located = [n for n, (e, _) in enumerate(entries) if e.side.point is not None]
            if located:
                dests = np.asarray([entries[n][0].side.point for n in located])
                est, est_modes = self.commute.estimate_many(side.point, dests)  # cached per point
                minutes[located] = est
                km[located] = haversine_km_many(side.point[0], side.point[1], dests[:, 0], dests[:, 1])
                for n, mode in zip(located, est_modes):
                    modes[n] = mode
            if filters.max_commute_minutes:
                keep = [n for n in range(len(entries)) if not (minutes[n] > filters.max_commute_minutes)]
                entries, minutes, km = [entries[n] for n in keep], minutes[keep], km[keep]
                modes = [modes[n] for n in keep]
        # Cheap pre-score on semantic and proximity keeps the full scoring to a bounded set.
        cos = np.asarray([c for _, c in entries])
        prox = np.where(np.isnan(minutes), 0.5, np.clip(1 - (np.nan_to_num(minutes) - 15) / 60, 0, 1))
        pre = semantic_component(cos) * weights.get("semantic", 0) + prox * weights.get("proximity", 0)
        order = np.argsort(-pre, kind="stable")[: max(PRESCORE_KEEP, 3 * k)]
        results = []
        for n in order:
            entry, cosine = entries[n]
            commute = None
            if not np.isnan(minutes[n]):
                approximate = side.approximate_point or entry.side.approximate_point
                commute = Commute(float(minutes[n]), modes[n] or "walk", float(km[n]), "", approximate)
            results.append((score_pair(side, entry.side, cosine, commute, weights), entry, cosine))
        results.sort(key=lambda item: (-item[0].score, item[1].side.id))
        top = results[:k]
        for scored, entry, _ in top:
            if scored.commute is not None:  # the full estimate, with its sentence, only for what is shown
                scored.commute = self.commute.estimate(side.point, entry.side.point,
                                                       approximate=scored.commute.approximate)
        return [self._result(side, scored, entry, cosine) for scored, entry, cosine in top]

    def _result(self, side: Side, scored: Scored, entry: PostingEntry, cosine: float) -> dict:
        commute = scored.commute
        return {
            "posting_id": entry.side.id,
            "title": entry.side.title,
            "employer": entry.employer,
            "score": scored.score,
            "breakdown": scored.breakdown,
            "similarity": round(cosine, 4),
            "matched": scored.matched,
            "missing": scored.missing,
            "salary": entry.salary_text,
            "commute_minutes": round(commute.minutes, 1) if commute else None,
            "commute_mode": commute.mode if commute else None,
            "distance_km": round(commute.distance_km, 2) if commute else None,
            "within_15min": bool(commute and commute.within_circle),
            "location_approximate": bool(commute and commute.approximate),
            "occupation": entry.side.extra.get("occupation"),
            "explanation": explain_match(side, entry.side, scored, occupation_name=entry.side.extra.get("occupation")),
        }

    # ------------------------------------------------------------------ nearby
    def nearby(self, *, lat: float | None = None, lon: float | None = None, street: str | None = None,
               address: str | None = None, radius_km: float | None = None, limit: int = 20) -> dict:
        place = gazetteer().resolve(lat=lat, lon=lon, street=street, address=address)
        if place is None:
            raise InvalidInput("请提供坐标（lat、lon）、街道名称或可识别的上海地址", field="lat")
        radius = radius_km or self.settings.default_radius_km
        self.refresh()
        now = time.time()
        ids = [int(i) for i in self.catalog.near(place.lat, place.lon, radius)]
        postings = []
        for posting_id in ids:
            entry = self.catalog.get(posting_id)
            if entry is None or not entry.is_live(now):
                continue
            commute = self.commute.estimate((place.lat, place.lon), entry.side.point,
                                            approximate=place.approximate or entry.side.approximate_point)
            if commute.distance_km <= radius:
                postings.append({
                    "posting_id": posting_id, "title": entry.side.title, "employer": entry.employer,
                    "salary": entry.salary_text, "distance_km": round(commute.distance_km, 2),
                    "commute_minutes": round(commute.minutes, 1), "within_15min": commute.within_circle,
                    "travel": commute.description, "location_approximate": commute.approximate,
                })
        postings.sort(key=lambda p: (p["commute_minutes"], p["posting_id"]))
        with self.db.session() as session:
            stations = []
            for row in session.scalars(select(Station).where(Station.lat.is_not(None))):
                commute = self.commute.estimate((place.lat, place.lon), (row.lat, row.lon),
                                                approximate=place.approximate or row.location_precision != "exact")
                if commute.distance_km <= radius:
                    stations.append({
                        "station_id": row.id, "name": row.name, "kind": row.kind,
                        "distance_km": round(commute.distance_km, 2), "commute_minutes": round(commute.minutes, 1),
                        "travel": commute.description, "address": row.address,
                    })
        stations.sort(key=lambda s: (s["commute_minutes"], s["station_id"]))
        return {
            "origin": {"lat": place.lat, "lon": place.lon, "precision": place.precision,
                       "approximate": place.approximate, "note": PRECISION_LABELS[place.precision]},
            "radius_km": radius,
            "postings": postings[:limit],
            "stations": stations[:limit],
        }

    # ------------------------------------------------------------------ stations and outcomes
    def add_stations(self, stations: Iterable[dict]) -> list[int]:
        ids = []
        with self.db.session() as session, session.begin():
            by_name: dict[str, Station] = {}
            for data in stations:
                data = dict(data)
                parent = data.pop("parent", None)
                row = session.scalar(select(Station).where(Station.name == data["name"])) or Station()
                for key, value in data.items():
                    setattr(row, key, value)
                if parent:
                    row.parent_id = by_name[parent].id
                session.add(row)
                session.flush()
                by_name[row.name] = row
                ids.append(row.id)
        return ids

    def record_outcome(self, seeker_id: int, posting_id: int, event: str, score: float | None = None) -> None:
        with self.db.session() as session, session.begin():
            if session.get(Seeker, seeker_id) is None:
                raise NotFound(f"求职者 {seeker_id} 不存在")
            if session.get(Posting, posting_id) is None:
                raise NotFound(f"岗位 {posting_id} 不存在")
            session.add(MatchOutcome(seeker_id=seeker_id, posting_id=posting_id, event=event, score=score))

    def stats(self) -> dict:
        with self.db.session() as session:
            return {
                "postings_open": self._open_count(session),
                "seekers": session.scalar(select(func.count()).select_from(Seeker)) or 0,
                "stations": session.scalar(select(func.count()).select_from(Station)) or 0,
                "index_size": len(self.index) if self.index is not None else 0,
                "index_factory": self.factory,
                "data_version": self.version,
                "model": self.encoder.name if self._encoder else None,
            }


def _set_place(row, address: str | None, place: Place | None) -> None:
    row.address = address
    row.street_code = place.street_code if place else None
    row.lat, row.lon = (place.lat, place.lon) if place else (None, None)
    row.location_precision = place.precision if place else None


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
        "location_approximate": row.location_precision not in (None, "exact"),
        "station_id": row.station_id, "status": row.status,
        "expires_at": row.expires_at.isoformat() if row.expires_at else None,
        "accessible": row.accessible, "occupation_codes": row.occupation_codes,
        "required_skills": (row.extracted or {}).get("skills", []),
        "required_certificates": (row.extracted or {}).get("certificates", []),
        "compliance_findings": (row.extracted or {}).get("compliance", []),
        "status_note": "岗位信息含可能违反就业促进法的要求，已暂存为草稿，修改后自动发布" if row.status == "draft" else None,
    }


def seeker_public(row: Seeker) -> dict:
    """A seeker's own view; phone shown masked, ID number only masked (never stored in clear)."""
    return {
        "id": row.id, "external_id": row.external_id, "name": row.name,
        "phone_masked": mask_phone(row.phone), "id_number_masked": row.id_number_masked,
        "resume_text": row.resume_text, "desired_roles": row.desired_roles, "skills": row.skills,
        "education": row.education_level, "experience_years": row.experience_years,
        "expected_salary": row.expected_salary_monthly, "max_commute_minutes": row.max_commute_minutes,
        "street_code": row.street_code, "lat": row.lat, "lon": row.lon,
        "location_precision": row.location_precision, "station_id": row.station_id,
        "priority_tags": row.priority_tags, "sensitive_consent": row.sensitive_consent,
        "extracted_skills": (row.extracted or {}).get("skills", []),
        "extracted_certificates": (row.extracted or {}).get("certificates", []),
        "occupation_codes": row.occupation_codes,
    }
