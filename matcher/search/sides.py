"""Rows to ranking facts: the one place that reads a `Side` or an entry off a database row."""
from __future__ import annotations

import sys
from datetime import datetime, timezone

import numpy as np
from sqlalchemy import bindparam, select

from data.schema import Seeker
from matcher.geo.places import is_coarse, place_radius, row_radius_km
from matcher.occupations.results import describe
from matcher.types import PostingEntry, Profile, SeekerEntry, Side

# The seeker columns ranking reads: a plain row is several times cheaper than the ORM object.
SEEKER_MATCH_COLUMNS = (
    Seeker.id, Seeker.embedding, Seeker.extracted, Seeker.education_level, Seeker.experience_years,
    Seeker.expected_salary_monthly, Seeker.occupation_codes, Seeker.lat, Seeker.lon, Seeker.location_precision,
    Seeker.location_radius_km,
    Seeker.max_commute_minutes, Seeker.resume_text, Seeker.desired_roles, Seeker.skills,
)


def seeker_match_query(seeker_id: int):
    return select(*SEEKER_MATCH_COLUMNS).where(Seeker.id == seeker_id)


# The full seeker row a match read before the query was stored with it (plus what the API's access and
# consent checks read); a match now reads `matcher.seeker_query.SEEKER_QUERY_ROW`. Built once:
# constructing the select on every request cost about as much as running it.
SEEKER_MATCH_ROW = select(*SEEKER_MATCH_COLUMNS, Seeker.station_id, Seeker.consent_withdrawn_at).where(
    Seeker.id == bindparam("seeker_id"))


def vector_of(blob: bytes | None, dim: int) -> np.ndarray | None:
    """A stored float32 vector, or None when absent or of another width."""
    if blob is None:
        return None
    vector = np.frombuffer(blob, dtype=np.float32)
    return vector if vector.shape[0] == dim else None


def timestamp(value: datetime | None) -> float | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.timestamp()


def _point(row) -> tuple[float, float] | None:
    return (row.lat, row.lon) if row.lat is not None and row.lon is not None else None


def _codes(occupation_codes) -> tuple[str, ...]:
    return tuple(_shared(c["code"]) for c in (occupation_codes or [])[:2])


def _shared(text: str | None) -> str | None:
    """One copy of a string many cached rows repeat (codes, their names, employers, salary wording):
    the catalog holds a million rows, each read from the database as fresh strings."""
    return sys.intern(text) if text else text


def posting_side(row) -> Side:
    features = row.extracted or {}
    return Side(
        id=row.id,
        skills=frozenset(map(_shared, features.get("skills", []))),
        certificates=frozenset(map(_shared, features.get("certificates", []))),
        education=row.education_level,
        experience=row.experience_min,
        salary_low=row.monthly_min,
        salary_high=row.monthly_max,
        occupations=_codes(row.occupation_codes),
        point=_point(row),
        approximate_point=row.location_precision not in (None, "exact"),
        coarse_point=_point(row) is not None and is_coarse(row.location_precision),
        radius_km=row_radius_km(row),  # the resolver's radius kept with the row, else the precision's default
        title=row.title,
        # Named flatly only when the coder was confident; otherwise only the hedged phrase speaks.
        occupation_name=_shared(row.occupation_codes[0].get("name"))
        if row.occupation_codes and row.occupation_codes[0].get("confident") else None,
        occupation_phrase=_shared(describe(row.occupation_codes or [])),
        salary_text=_shared(row.salary_text),
        night_work=bool(features.get("night_work")),
    )


def posting_entry(row) -> PostingEntry:
    return PostingEntry(
        side=posting_side(row),
        employer=_shared(row.employer.name) if row.employer else "",
        expires_ts=timestamp(row.expires_at),
        accessible=bool(row.accessible),
        employment_type=_shared(row.employment_type),
        salary_text=_shared(row.salary_text),
        street_code=_shared(row.street_code),
        station_id=row.station_id,
        duplicate_of=(row.extracted or {}).get("duplicate_of"),
    )


def seeker_side(row) -> Side:
    return seeker_side_from(row, seeker_parsed(row))


def seeker_parsed(row) -> dict:
    """What a seeker's `Side` takes from the row's JSON columns (`extracted`, `occupation_codes`), as
    JSON values in their stored order: `matcher.seeker_query` keeps it with the row when the seeker
    is written, so a match request decodes neither column."""
    features = row.extracted or {}
    eligibility = seeker_eligibility(features)
    return {
        "skills": list(features.get("skills", [])), "certificates": list(features.get("certificates", [])),
        "education": features.get("education"), "experience_years": features.get("experience_years"),
        "occupations": list(_codes(row.occupation_codes)), "denied": list(features.get("denied_certificates", [])),
        "nights_ruled_out": eligibility["nights_ruled_out"], "all_certificates": eligibility["all_certificates"],
        "former_occupations": list(eligibility["former_occupations"]),
    }


def seeker_side_from(row, parsed: dict) -> Side:
    """The seeker's `Side` from the row's plain columns and its `seeker_parsed` fields."""
    return Side(
        id=row.id,
        skills=frozenset(parsed["skills"]),
        certificates=frozenset(parsed["certificates"]),
        education=row.education_level if row.education_level is not None else parsed["education"],
        experience=row.experience_years if row.experience_years is not None else parsed["experience_years"],
        salary_low=row.expected_salary_monthly,
        occupations=tuple(parsed["occupations"]),
        point=_point(row),
        approximate_point=row.location_precision not in (None, "exact"),
        coarse_point=_point(row) is not None and is_coarse(row.location_precision),
        radius_km=row_radius_km(row),  # the resolver's radius kept with the row, else the precision's default
        denied=frozenset(parsed["denied"]),
        nights_ruled_out=parsed["nights_ruled_out"],
        all_certificates=parsed["all_certificates"],
        former_occupations=tuple(parsed["former_occupations"]),
    )


def seeker_eligibility(features) -> dict:
    """The gate facts of a seeker's extracted features (absent in rows written before them: neutral)."""
    return {
        "denied": frozenset(features.get("denied_certificates", [])),
        "nights_ruled_out": bool(features.get("nights_ruled_out")),
        "all_certificates": bool(features.get("all_certificates")),
        "former_occupations": tuple(features.get("former_codes", [])),
    }


def seeker_entry(row) -> SeekerEntry:
    return SeekerEntry(
        side=seeker_side(row), station_id=row.station_id, priority_tags=tuple(row.priority_tags or ()),
        sensitive_consent=bool(row.sensitive_consent), max_commute_minutes=row.max_commute_minutes,
        name=row.name, created_at=row.created_at, unemployed_since=row.unemployed_since,
    )


def profile_side(profile: Profile, *, id: int = 0, expected_salary: float | None = None) -> Side:
    """The query side of an unstored profile (a pasted resume)."""
    features, place = profile.features, profile.place
    return Side(
        id=id, skills=frozenset(features.get("skills", [])), certificates=frozenset(features.get("certificates", [])),
        education=features.get("education"), experience=features.get("experience_years"),
        salary_low=expected_salary, occupations=profile.codes,
        point=(place.lat, place.lon) if place else None, approximate_point=bool(place and place.approximate),
        coarse_point=bool(place and is_coarse(place.precision)),
        radius_km=place_radius(place),
        **seeker_eligibility(features),
    )
