"""Kept for older imports: the authentication aliases live in `api.deps`."""
from api.deps import CurrentUser, RequireAdmin, RequireCounsellor, current_user, require_admin, require_counsellor

__all__ = ["CurrentUser", "RequireAdmin", "RequireCounsellor", "current_user", "require_admin", "require_counsellor"]
