"""Token checks cached per worker process: a hit costs no database read.

Keyed by the token's SHA-256 (the token itself is never held), an entry lives at most `token_cache_s`
seconds (default 5) and never past the token's own expiry; only successful checks are cached.

Every worker watches one small file, `<data_dir>/auth-generation`: any successful write request
through any worker (a revocation, a seeker registering and so being linked to their account, a role
or station change...) and `jobcircle users ...` on the command line touch it, and every worker drops
its cached checks when it sees the file change (one `stat` per request, no database). So a revocation
made through jobcircle holds at once in every worker; only a change written straight into the
database by something else (or by a replica on another machine) waits for the TTL.
"""
from __future__ import annotations

import hashlib
import os
import threading
import time
from collections import OrderedDict
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import select

from data.access_tables import Token
from matcher.counsellor import access
from matcher.counsellor.access import Principal

MAX_ENTRIES = 4096
GENERATION_FILE = "auth-generation"
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def bump_generation(data_dir: Path) -> None:
    """Tell every worker on this machine to forget its cached token checks."""
    path = Path(data_dir) / GENERATION_FILE
    try:
        with open(path, "a"):
            pass
        before = path.stat().st_mtime_ns
        now = time.time_ns()
        os.utime(path, ns=(now, max(now, before + 1)))  # always a new stamp, even within one tick
    except OSError:
        pass  # no data directory (yet): nothing is cached against it either


class TokenCache:
    def __init__(self, ttl_s: float, *, data_dir: Path | None = None, max_entries: int = MAX_ENTRIES):
        self.ttl_s, self.max_entries = ttl_s, max_entries
        self.generation_path = Path(data_dir) / GENERATION_FILE if data_dir is not None else None
        self._generation: int | None = None
        self._entries: OrderedDict[str, tuple[float, Principal]] = OrderedDict()
        self._lock = threading.Lock()
        self.clock = time.monotonic  # replaceable in tests (no sleeping to see an entry expire)

    @staticmethod
    def key(token: str) -> str:
        return hashlib.sha256(token.encode("utf-8")).hexdigest()

    def _current_generation(self) -> int | None:
        if self.generation_path is None:
            return None
        try:
            return self.generation_path.stat().st_mtime_ns
        except OSError:
            return None

    def peek(self, token: str) -> Principal | None:
        """The cached principal of `token`, or None (unknown here, expired or cleared): no database."""
        if self.ttl_s <= 0:
            return None
        key, now, generation = self.key(token), self.clock(), self._current_generation()
        with self._lock:
            if generation != self._generation:
                return None
            hit = self._entries.get(key)
            if hit is not None and hit[0] > now:
                self._entries.move_to_end(key)
                return hit[1]
        return None

    def principal(self, session_factory, token: str, *, ttl_days: int | None) -> Principal:
        """The principal holding `token`, from the cache or from one database check (which raises
        Unauthorized for an unknown, revoked or expired token, exactly as uncached)."""
        if self.ttl_s <= 0:
            with session_factory() as session:
                return access.authenticate(session, token, ttl_days=ttl_days)
        key, now, generation = self.key(token), self.clock(), self._current_generation()
        with self._lock:
            if generation != self._generation:
                self._entries.clear()
                self._generation = generation
            hit = self._entries.get(key)
            if hit is not None and hit[0] > now:
                self._entries.move_to_end(key)
                return hit[1]
        with session_factory() as session:
            principal = access.authenticate(session, token, ttl_days=ttl_days)
            row = session.scalar(select(Token).where(Token.token_hash == access.hash_token(token)))
            expires = access.token_expires_at(row, ttl_days) if row is not None else None
        until = now + self.ttl_s
        if expires is not None:
            until = min(until, now + (expires - datetime.now(timezone.utc)).total_seconds())
        with self._lock:
            if generation == self._generation:  # not cleared meanwhile by a newer generation
                self._entries[key] = (until, principal)
                self._entries.move_to_end(key)
                while len(self._entries) > self.max_entries:
                    self._entries.popitem(last=False)
        return principal

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


class ForgetTokensOnWrite:
    """ASGI middleware: a successful write request bumps the auth generation (see module doc) before
    its answer leaves, so the caller's next request, on whichever worker, checks its token afresh."""

    def __init__(self, app, data_dir: Path, cache: TokenCache):
        self.app, self.data_dir, self.cache = app, Path(data_dir), cache

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope.get("method") not in WRITE_METHODS:
            return await self.app(scope, receive, send)

        async def watched(message):
            if message["type"] == "http.response.start" and message["status"] < 400:
                self.cache.clear()
                bump_generation(self.data_dir)
            await send(message)

        await self.app(scope, receive, watched)
