"""Domain errors; the API maps each to one HTTP status in a single handler."""
from __future__ import annotations


class JobCircleError(Exception):
    """Base class; `message` is Chinese and tells the reader what to fix."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(JobCircleError):
    pass


class InvalidInput(JobCircleError):
    pass


class NotReady(JobCircleError):
    pass


class Conflict(JobCircleError):
    pass


class Unauthorized(JobCircleError):
    """No valid credentials (missing, unknown or revoked token)."""


class Forbidden(JobCircleError):
    """Valid credentials, but this person may not do this."""
