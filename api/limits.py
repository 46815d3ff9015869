"""Limits that hold whatever the client does: the body size (counted as it arrives, so a chunked body
cannot slip past a missing Content-Length) and the request rate per token and per client address."""
from __future__ import annotations

import hashlib
import math
import time

from limits import RateLimitItem, parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.responses import json_bytes

# Probes must answer even when a client is being throttled.
UNLIMITED_PATHS = ("/health", "/ready")


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:g} MB"


class BodyTooLarge(StarletteHTTPException):
    """Raised from `receive` once the body passes the limit; FastAPI lets HTTP errors through as they are."""

    def __init__(self, limit: int):
        super().__init__(status_code=413, detail=f"请求体过大：上限 {_mb(limit)}，请拆分后重试")


async def _send_json(send: Send, status: int, body: dict, headers: list[tuple[bytes, bytes]] = ()) -> None:
    payload = json_bytes(body)
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode()),
                            *headers]})
    await send({"type": "http.response.body", "body": payload})


class BodyLimit:
    def __init__(self, app: ASGIApp, max_bytes: int):
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        length = dict(scope.get("headers") or ()).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.max_bytes:
            return await _send_json(send, 413, {"detail": BodyTooLarge(self.max_bytes).detail})
        received = 0
        started = False

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except BodyTooLarge as exc:
            # Raised where no handler answered (e.g. while a form was parsed): answer here, once.
            if not started:
                await _send_json(send, 413, {"detail": exc.detail})


def _client_key(scope: Scope) -> str:
    client = scope.get("client")
    return f"addr:{client[0] if client else 'unknown'}"


def _token_key(scope: Scope) -> str | None:
    auth = dict(scope.get("headers") or ()).get(b"authorization", b"")
    scheme, _, token = auth.partition(b" ")
    if scheme.lower() != b"bearer" or not token.strip():
        return None
    # Only a digest is kept in memory: the limiter never holds a working token.
    return "token:" + hashlib.sha256(token.strip()).hexdigest()[:32]


def per_worker(item: RateLimitItem, workers: int) -> RateLimitItem:
    """The share of a limit one of `workers` processes enforces: the configured amount divided among
    them (rounded down, at least 1), so all of them together never allow more than configured."""
    if workers <= 1:
        return item
    return type(item)(max(1, item.amount // workers), item.multiples, item.namespace)


class RateLimit:
    """Moving-window limits (the `limits` library) per bearer token and per client address.

    The counters live in this process's memory (no write on the request path). With N worker
    processes (`jobcircle serve --workers N`) each enforces 1/N of the configured limit, so a client
    never gets more than the configured limit in total; one whose requests all reach the same worker
    (one keep-alive connection does) is held to 1/N of it: stricter, never looser. Messages name the
    configured limit."""

    def __init__(self, app: ASGIApp, per_token: str, per_client: str, workers: int = 1):
        self.app = app
        self.limiter = MovingWindowRateLimiter(MemoryStorage())
        token, client = parse(per_token), parse(per_client)
        # (enforced here, configured in total): the message names the configured one.
        self.per_token = (per_worker(token, workers), token)
        self.per_client = (per_worker(client, workers), client)

    def _retry_after(self, item, key: str) -> int:
        reset = self.limiter.get_window_stats(item, key).reset_time
        return max(1, math.ceil(reset - time.time()))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") in UNLIMITED_PATHS:
            return await self.app(scope, receive, send)
        checks = [(self.per_client, _client_key(scope), "该客户端地址")]
        token = _token_key(scope)
        if token is not None:
            checks.append((self.per_token, token, "该令牌"))
        for (item, configured), key, who in checks:
            if not self.limiter.hit(item, key):
                retry = self._retry_after(item, key)
                detail = f"请求过于频繁：{who}每{_window(configured)}最多 {configured.amount} 次，请 {retry} 秒后重试"
                return await _send_json(send, 429, {"detail": detail}, [(b"retry-after", str(retry).encode())])
        await self.app(scope, receive, send)


def _window(item) -> str:
    names = {"second": "秒", "minute": "分钟", "hour": "小时", "day": "天"}
    unit = names.get(item.GRANULARITY.name, item.GRANULARITY.name)
    return f"{item.multiples}{unit}" if item.multiples != 1 else unit
