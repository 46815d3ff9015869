"""`JobCircle`: the façade the API, the command line and the evaluation harness call.

It wires `Components` (built once in `start()`) and answers the questions that span them: jobs
for a stored seeker or a pasted resume, what is near a place, and counts. Writes go to
`matcher.postings` / `matcher.seekers`, index upkeep to `matcher.search.synced`, ranking to
`matcher.ranking.pipeline`; the methods here delegate, keeping the names callers already use.
"""
from __future__ import annotations

import time
from math import inf
from typing import Iterable, Sequence

from sqlalchemy import func, select

from data.schema import MatchOutcome, Posting, Seeker, Station
from matcher.components import Components
from matcher.errors import InvalidInput, NotFound, NotReady
from matcher.geo.commute import COARSE_NOTE, commute_fields
from matcher.geo.geo import DETOUR_FACTOR, WALK_KMH, haversine_km
from matcher.geo.places import PRECISION_LABELS, is_coarse, place_radius, row_radius_km, station_radius_km
from matcher.inputs import PostingInput, SeekerInput
from matcher.postings import posting_public
from matcher.prepared import PreparedRead
from matcher.ranking.pipeline import MatchFilters, match_jobs
from matcher.ranking.scoring import WEIGHTS
from matcher.search.sides import profile_side, vector_of
from matcher import seeker_query
from matcher.seeker_query import SEEKER_QUERY_ROW, SEEKER_SOURCE_ROW
from matcher.seekers import seeker_public
from matcher.settings import Settings
from matcher.store import Database
from matcher.text.profiles import resolve_place, text_profile
from models.encoder import Encoder

__all__ = ["JobCircle", "MatchFilters", "posting_public", "seeker_public"]


class JobCircle:
    """Heavy objects (model, index) are built once in `start()`; every method after that is cheap."""

    def __init__(self, settings: Settings, encoder: Encoder | None = None, *, commute=None, coder=None,
                 components: Components | None = None):
        self.settings = settings
        self.db = components.db if components is not None else Database(settings.database_url)
        self.components: Components | None = components
        self._given = {"encoder": encoder, "commute": commute, "coder": coder}
        self.ready = False
        self._seeker_read: PreparedRead | None = None
        self._source_read: PreparedRead | None = None

    # ------------------------------------------------------------------ lifecycle and wiring
    def start(self, *, progress: bool = False) -> "JobCircle":
        if self.components is None:
            self.components = Components.build(self.settings, self._given["encoder"], db=self.db,
                                               commute=self._given["commute"], coder=self._given["coder"])
        self.components.start(progress=progress)
        self.ready = True
        return self

    def stop(self) -> None:
        if self.components is not None and self.ready:
            self.components.stop()
        self.ready = False

    @property
    def parts(self) -> Components:
        if self.components is None:
            raise NotReady("服务尚未启动")
        return self.components

    @property
    def encoder(self) -> Encoder:
        if self.components is None:
            if self._given["encoder"] is None:
                raise NotReady("向量模型尚未加载")
            return self._given["encoder"]
        return self.components.encoder

    coder = property(lambda self: self.components.coder if self.components else self._given["coder"])
    commute = property(lambda self: self.parts.commute)
    secret = property(lambda self: self.parts.secret)
    postings = property(lambda self: self.parts.postings, doc="the synced posting index")
    seekers = property(lambda self: self.parts.seekers, doc="the synced seeker index")
    catalog = property(lambda self: self.parts.postings.entries)
    index = property(lambda self: self.components.postings.index if self.components else None)
    factory = property(lambda self: self.components.postings.factory if self.components else "")
    version = property(lambda self: self.components.postings.version if self.components else 0)

    def rebuild_index(self, *, progress: bool = False) -> int:
        """Re-encode postings that lack a current vector, then build a fresh index from the database."""
        return self.parts.rebuild_postings(progress=progress)

    def save_index(self) -> None:
        self.parts.postings.save()

    def refresh(self, *, force: bool = False) -> None:
        """Apply postings changed in the database since the index's version (cheap when none)."""
        self.parts.postings.refresh(force=force)

    # ------------------------------------------------------------------ writes (delegated)
    def upsert_postings(self, inputs: Sequence[PostingInput], *, progress: bool = False, guard=None) -> list[int]:
        return self.parts.posting_writer.upsert(inputs, progress=progress, guard=guard)

    def create_posting(self, inp: PostingInput, *, guard=None) -> dict:
        return self.parts.posting_writer.create(inp, guard=guard)

    def update_posting(self, posting_id: int, changes: dict) -> dict:
        return self.parts.posting_writer.update(posting_id, changes)

    def set_posting_status(self, posting_id: int, status: str) -> dict:
        return self.parts.posting_writer.set_status(posting_id, status)

    def close_posting(self, posting_id: int) -> dict:
        return self.set_posting_status(posting_id, "closed")

    def get_posting(self, posting_id: int) -> dict:
        return self.parts.posting_writer.get(posting_id)

    def upsert_seekers(self, inputs: Sequence[SeekerInput], *, progress: bool = False, guard=None,
                       log=None) -> list[int]:
        return self.parts.seeker_writer.upsert(inputs, progress=progress, guard=guard, log=log)

    def create_seeker(self, inp: SeekerInput, *, guard=None, log=None) -> dict:
        return self.parts.seeker_writer.create(inp, guard=guard, log=log)

    def update_seeker(self, seeker_id: int, changes: dict, *, log=None) -> dict:
        return self.parts.seeker_writer.update(seeker_id, changes, log=log)

    def get_seeker(self, seeker_id: int) -> dict:
        return self.parts.seeker_writer.get(seeker_id)

    # ------------------------------------------------------------------ matching
    def match_seeker(self, seeker_id: int, k: int = 10, filters: MatchFilters | None = None,
                     weights: dict[str, float] = WEIGHTS, *, allow=None) -> dict:
        """Jobs for a stored seeker: `{results, message, weak_alternatives}` (see `match_jobs`).

        `allow(row)`, when given, sees the seeker's row (or None) first and raises to refuse: the API's
        access and consent checks read the same single row as the ranking (one indexed read, `PreparedRead`).
        The query's words and side fields come stored in that row (`matcher.seeker_query`): no text is
        processed here, except once for a row whose stored query is missing or was derived by other code."""
        engine = self.db.engine
        if engine is None:
            raise NotReady("服务尚未启动")
        read = self._seeker_read
        if read is None or read.engine is not engine:
            read = self._seeker_read = PreparedRead(engine, SEEKER_QUERY_ROW)
        row = read.one_or_none(seeker_id=seeker_id)
        if allow is not None:
            allow(row)
        if row is None:
            raise NotFound(f"求职者 {seeker_id} 不存在")
        query = row.match_query
        if not seeker_query.is_current(query):
            row, query = self._derive_query(engine, seeker_id)
        vector = vector_of(row.embedding, self.encoder.dim)
        if vector is None:
            raise NotReady("该求职者的简历尚未编码，请运行 `jobcircle index rebuild`")
        filters = filters or MatchFilters()
        if filters.max_commute_minutes is None:
            filters.max_commute_minutes = row.max_commute_minutes
        parts = self.parts
        return match_jobs(parts.postings, parts.commute, self.settings, vector, seeker_query.side_of(row, query), k,
                          filters, weights, words=seeker_query.words_of(query))

    def _derive_query(self, engine, seeker_id: int):
        """(full row, query) for a row written before its query was stored, or by other derivation code:
        derived from the row now and stored back unless the row changed meanwhile."""
        read = self._source_read
        if read is None or read.engine is not engine:
            read = self._source_read = PreparedRead(engine, SEEKER_SOURCE_ROW)
        row = read.one_or_none(seeker_id=seeker_id)
        if row is None:  # erased since the first read
            raise NotFound(f"求职者 {seeker_id} 不存在")
        query = seeker_query.derive(row)
        seeker_query.write_back(engine, seeker_id, row.change_seq, query)
        return row, query

    def match_text(self, resume_text: str, *, k: int = 10, lat: float | None = None, lon: float | None = None,
                   street: str | None = None, address: str | None = None, filters: MatchFilters | None = None) -> dict:
        """Ad-hoc matching of pasted resume text; nothing is stored. `{results, message, weak_alternatives}`;
        text with no word at all (symbols, digits, emoji) is `InvalidInput`."""
        profile = text_profile(resume_text, coder=self.coder, lat=lat, lon=lon, street=street, address=address)
        vector = self.encoder.encode_queries([profile.text])[0]
        return self._match(vector, profile_side(profile), k, filters or MatchFilters(), WEIGHTS, profile.text)

    def _match(self, vector, side, k: int, filters: MatchFilters, weights, text: str | None = None) -> dict:
        parts = self.parts
        return match_jobs(parts.postings, parts.commute, self.settings, vector, side, k, filters, weights, text)

    # ------------------------------------------------------------------ nearby
    def nearby(self, *, lat: float | None = None, lon: float | None = None, street: str | None = None,
               address: str | None = None, radius_km: float | None = None, limit: int = 20,
               place=None, modes=None) -> dict:
        """Postings and stations near a place (or an already resolved `place`); `modes` limits the
        travel modes of the commute estimate (default: the commute model's own)."""
        place = place or resolve_place(lat=lat, lon=lon, street=street, address=address)
        if place is None:
            raise InvalidInput("请提供坐标（lat、lon）、街道名称或可识别的上海地址", field="lat")
        radius, origin = radius_km or self.settings.default_radius_km, (place.lat, place.lon)
        self.refresh()
        now, commute, catalog = time.time(), self.commute, self.catalog
        coarse_origin, origin_radius = is_coarse(place.precision), place_radius(place)
        postings = []
        for posting_id in catalog.near(place.lat, place.lon, radius).tolist():
            entry = catalog.get(posting_id)
            if entry is None or not entry.is_live(now):
                continue
            trip = commute.estimate(origin, entry.side.point, coarse=coarse_origin or entry.side.coarse_point,
                                    approximate=place.approximate or entry.side.approximate_point, modes=modes,
                                    radius_km=origin_radius + entry.side.radius_km)
            km = inf if coarse_origin or entry.side.coarse_point else haversine_km(*origin, *entry.side.point)
            if km <= radius or km == inf:
                postings.append((km, {"posting_id": posting_id, "title": entry.side.title, "employer": entry.employer,
                                      "salary": entry.salary_text, **commute_fields(trip)}))
        postings = _nearest_first(postings, "posting_id")
        stations = []
        with self.db.session() as session:
            for row in session.scalars(select(Station).where(Station.lat.is_not(None))):
                trip = commute.estimate(origin, (row.lat, row.lon), coarse=coarse_origin or is_coarse(row.location_precision),
                                        approximate=place.approximate or row.location_precision != "exact", modes=modes,
                                        radius_km=origin_radius + row_radius_km(row))
                km = inf if coarse_origin or is_coarse(row.location_precision) else \
                    haversine_km(*origin, row.lat, row.lon)
                if km <= radius or km == inf:
                    fields = commute_fields(trip)
                    stations.append((km, {
                        "station_id": row.id, "name": row.name, "kind": row.kind,
                        "distance_km": fields["distance_km"], "commute_minutes": fields["commute_minutes"],
                        "within_15min": fields["within_15min"], "travel": fields["travel"], "address": row.address,
                    } | ({"commute_minutes_range": fields["commute_minutes_range"]}
                         if "commute_minutes_range" in fields else {})))
        stations = _nearest_first(stations, "station_id")
        return {
            "origin": {"lat": place.lat, "lon": place.lon, "precision": place.precision,
                       "approximate": place.approximate,
                       "note": COARSE_NOTE if coarse_origin else PRECISION_LABELS[place.precision]},
            "radius_km": radius, "postings": postings[:limit], "stations": stations[:limit],
        }

    # ------------------------------------------------------------------ stations, outcomes, counts
    def add_stations(self, stations: Iterable[dict]) -> list[int]:
        ids = []
        with self.db.session() as session, session.begin():
            by_name: dict[str, Station] = {}
            for data in stations:
                data = dict(data)
                parent = data.pop("parent", None)
                row = session.scalar(select(Station).where(Station.name == data["name"])) or Station()
                if "location_radius_km" not in data and data.get("location_precision"):
                    data["location_radius_km"] = station_radius_km(data["location_precision"], data.get("street_code"),
                                                                   data.get("lat"), data.get("lon"))
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
                "postings_open": self.parts.postings.count_live(session),
                "seekers": session.scalar(select(func.count()).select_from(Seeker)) or 0,
                "stations": session.scalar(select(func.count()).select_from(Station)) or 0,
                "index_size": len(self.index) if self.index is not None else 0,
                "index_factory": self.factory,
                "data_version": self.version,
                "model": self.encoder.name if self.components else None,
            }


def _nearest_first(found: list[tuple[float, dict]], id_key: str) -> list[dict]:
    """The items of (km between the two stored points, item) pairs, nearest first: by known minutes,
    else by the points' distance (an order, never shown: a pair too uncertain for figures still sorts
    by where its points lie); an end known only to its district (km inf) last; ties by id."""
    def key(pair):
        km, item = pair
        minutes = item["commute_minutes"]
        return (km == inf, minutes if minutes is not None else km * DETOUR_FACTOR / WALK_KMH * 60.0, item[id_key])
    return [item for _, item in sorted(found, key=key)]
