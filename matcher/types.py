"""Frozen value types at the bottom of the matcher: every wing reads them, none of them imports a wing.

`Side` is what ranking knows about one seeker or one posting; `PostingEntry` is one open posting as
the catalog hands it out (it holds them as column arrays, `matcher.search.columns`, and makes the
object again for the rows shown) and `SeekerEntry` what the seeker cache holds per id; `Profile` is what one input text becomes, built once by
`matcher.text.profiles.build_profile` and shared by the write path and ad-hoc matching.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any, Mapping


class Direction(str, Enum):
    """Which way a ranking runs: jobs for one seeker, or seekers for one posting."""

    JOBS = "jobs"
    SEEKERS = "seekers"


@dataclass(frozen=True, slots=True)  # slots: a million of these are held in memory
class Side:
    """The ranking-relevant facts of one seeker or one posting."""

    id: int
    skills: frozenset[str] = frozenset()
    certificates: frozenset[str] = frozenset()
    education: int | None = None
    experience: float | None = None  # seeker: years; posting: minimum years
    salary_low: float | None = None  # seeker: expected monthly; posting: monthly_min
    salary_high: float | None = None  # posting: monthly_max
    occupations: tuple[str, ...] = ()
    point: tuple[float, float] | None = None
    approximate_point: bool = False
    coarse_point: bool = False  # known only to a district (or worse): no commute claim may be made
    radius_km: float = 0.0  # the point's uncertainty radius (stored rows: the default of their precision)
    title: str = ""
    occupation_name: str | None = None
    occupation_phrase: str | None = None  # hedged (可能是…（置信度低）) when the coder was unsure
    salary_text: str | None = None
    # Eligibility facts (see matcher.text.intent): a posting's night/rotating shifts; a seeker's
    # certificates said to be lacking, nights ruled out, 证件齐全, and the work they say they leave.
    night_work: bool = False
    denied: frozenset[str] = frozenset()
    nights_ruled_out: bool = False
    all_certificates: bool = False
    former_occupations: tuple[str, ...] = ()

    @property
    def offered(self) -> float | None:
        """A posting's top of range, or its floor for `5000元以上`."""
        return self.salary_high or self.salary_low


@dataclass(frozen=True, slots=True)
class PostingEntry:
    """One open posting as the catalog hands it out (made from its columns on demand)."""

    side: Side
    employer: str
    expires_ts: float | None
    accessible: bool
    employment_type: str
    salary_text: str | None
    street_code: str | None
    station_id: int | None
    duplicate_of: int | None = None

    @property
    def id(self) -> int:
        return self.side.id

    def is_live(self, now: float) -> bool:
        return self.expires_ts is None or self.expires_ts > now


@dataclass(frozen=True, slots=True)
class SeekerEntry:
    """One registered seeker as the seeker index holds it (no contact data)."""

    side: Side
    station_id: int | None
    priority_tags: tuple[str, ...]
    sensitive_consent: bool
    max_commute_minutes: float | None
    name: str | None
    created_at: datetime | None
    unemployed_since: datetime | None

    @property
    def id(self) -> int:
        return self.side.id

    def is_live(self, now: float) -> bool:
        return True


@dataclass(frozen=True)
class Profile:
    """One input understood once: redacted text, neutral features, salary, place, codes, text to embed."""

    kind: str  # "posting" | "seeker"
    clean_text: str  # personal numbers redacted (seekers); the posting's own text otherwise
    found: Mapping[str, list[str]]  # what redaction took out: phones, id_numbers (seekers only)
    features: Mapping[str, Any]  # the JSON stored in `extracted`
    salary: Any  # matcher.text.parsing.Salary | None
    place: Any  # matcher.geo.places.Place | None
    occupation_codes: tuple[Mapping[str, Any], ...]
    text: str  # what gets embedded (neutralised for seekers)
    findings: tuple[Any, ...] = ()  # compliance findings (postings only)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(c["code"] for c in self.occupation_codes[:2])
