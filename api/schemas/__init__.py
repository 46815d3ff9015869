"""Request and response schemas of the HTTP API, apart from the domain types: *Create / *Update / *Public."""
from api.schemas.common import ErrorPublic
from api.schemas.imports import ImportReport
from api.schemas.matching import MatchRequest, MatchResponse, MatchResult
from api.schemas.postings import POSTING_EXAMPLE, PostingCreate, PostingPublic, PostingUpdate
from api.schemas.seekers import SEEKER_EXAMPLE, SeekerCreate, SeekerPublic, SeekerUpdate

__all__ = ["ErrorPublic", "ImportReport", "MatchRequest", "MatchResponse", "MatchResult", "POSTING_EXAMPLE",
           "PostingCreate", "PostingPublic", "PostingUpdate", "SEEKER_EXAMPLE", "SeekerCreate", "SeekerPublic",
           "SeekerUpdate"]
