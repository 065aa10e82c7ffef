"""Per-client rate limits (the ``limits`` library, moving window) and the sign-in lock-out per account.

A client is its API key when it sends a known one in ``X-API-Key``, else the address that connected:
``X-Forwarded-For`` counts only when it comes from one of ``YIYE_TRUSTED_PROXIES``, and uvicorn
applies it before the app sees the request (``service/cli_serve.py``), so a client cannot name its
own address. Counts live in Redis when ``YIYE_REDIS_URL`` is set, one count for every worker and
host; otherwise each worker process counts on its own. A worker that cannot reach Redis counts in its
own memory meanwhile (and logs it), rather than letting everyone through or no one.

Limited routes answer with ``X-RateLimit-Limit`` / ``-Remaining`` / ``-Reset`` (seconds since the
epoch, as GitHub does) and the IETF draft's ``RateLimit-Policy`` and ``RateLimit`` (seconds from
now) — 429s included.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from contextlib import suppress
from dataclasses import dataclass

from fastapi import Request
from limits import RateLimitItem, parse
from limits.errors import StorageError
from limits.storage import MemoryStorage, RedisStorage, Storage
from limits.strategies import MovingWindowRateLimiter
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.types import Scope

from service.errors import RateLimited
from service.middleware import ResponseHeaders

log = logging.getLogger("yiye.ratelimit")

API_KEY_HEADER = "X-API-Key"
QUOTA_STATE = "rate_limit_quota"
"""Where a limited request's ``Quota`` waits in ``request.state`` for ``RateLimitHeaders``."""

REDIS_TIMEOUT = 1.0
"""Seconds to wait for Redis before counting in the worker's memory instead."""


@dataclass(frozen=True, slots=True)
class Quota:
    """One limit as it stands for one client after a request."""

    policy: str
    limit: int
    window: int
    remaining: int
    reset_at: float

    def headers(self) -> list[tuple[str, str]]:
        reset_in = max(0, math.ceil(self.reset_at - time.time()))
        return [
            ("X-RateLimit-Limit", str(self.limit)),
            ("X-RateLimit-Remaining", str(self.remaining)),
            ("X-RateLimit-Reset", str(math.ceil(self.reset_at))),
            ("RateLimit-Policy", f'"{self.policy}";q={self.limit};w={self.window}'),
            ("RateLimit", f'"{self.policy}";r={self.remaining};t={reset_in}'),
        ]


class RateLimiter:
    def __init__(
        self,
        redis_url: str | None,
        *,
        prefix: str = "yiye",
        enabled: bool = True,
        api_keys: frozenset[str] = frozenset(),
    ) -> None:
        self.enabled = enabled
        self.api_keys = api_keys
        self.in_memory = redis_url is None
        """Counting in this process never blocks; counting in Redis is network I/O."""
        self._local = MemoryStorage()
        self.storage: Storage = self._local
        if redis_url is not None:
            self.storage = RedisStorage(
                redis_url,
                key_prefix=f"{prefix}:limits",
                wrap_exceptions=True,
                socket_timeout=REDIS_TIMEOUT,
                socket_connect_timeout=REDIS_TIMEOUT,
            )
        self._strategy = MovingWindowRateLimiter(self.storage)
        self._fallback = MovingWindowRateLimiter(self._local)

    def client(self, request: Request) -> str:
        """``key:<digest>`` for a known API key, else ``ip:<address>``."""
        key = request.headers.get(API_KEY_HEADER)
        if key and key in self.api_keys:
            return "key:" + hashlib.sha256(key.encode()).hexdigest()[:16]
        host = request.client.host if request.client else "unknown"
        return f"ip:{host}"

    def hit(self, scope: str, limit: RateLimitItem, client: str) -> tuple[bool, Quota]:
        """Count one request: whether it is within the limit, and the quota left."""
        try:
            allowed = self._strategy.hit(limit, scope, client)
            stats = self._strategy.get_window_stats(limit, scope, client)
        except StorageError as exc:
            log.warning("rate limit storage unreachable: counting in this worker", extra={"error": str(exc.storage_error)})
            allowed = self._fallback.hit(limit, scope, client)
            stats = self._fallback.get_window_stats(limit, scope, client)
        return allowed, Quota(scope, limit.amount, limit.get_expiry(), stats.remaining, stats.reset_time)

    def local(self) -> Storage:
        """The worker's own memory: where counts go while Redis cannot be reached."""
        return self._local


class Limit:
    """A dependency that applies one named limit (``"600/minute"``) to the calling client.

    Async, so a request pays no thread-pool hop for it: with limits off or counted in memory it
    runs on the event loop; Redis is counted in the thread pool.
    """

    def __init__(self, scope: str, setting: str) -> None:
        self.scope = scope
        self.setting = setting
        self._parsed: dict[str, RateLimitItem] = {}

    async def __call__(self, request: Request) -> None:
        limiter: RateLimiter = request.app.state.rate_limiter
        if not limiter.enabled:
            return
        if limiter.in_memory:
            self.check(request)
        else:
            await run_in_threadpool(self.check, request)

    def check(self, request: Request) -> None:
        """Count the request, or raise ``RateLimited``: called by a sync endpoint itself (it may wait on Redis).

        The busiest route calls it rather than depending on it: FastAPI's solving of one more dependency cost more
        CPU per request than the count itself.
        """
        limiter: RateLimiter = request.app.state.rate_limiter
        if not limiter.enabled:
            return
        text = getattr(request.app.state.settings, self.setting)
        limit = self._parsed.get(text)
        if limit is None:
            limit = self._parsed[text] = parse(text)
        client = limiter.client(request)
        allowed, quota = limiter.hit(self.scope, limit, client)
        setattr(request.state, QUOTA_STATE, quota)
        if not allowed:
            raise RateLimited(max(1, math.ceil(quota.reset_at - time.time())), client)


API_LIMIT = Limit("api", "rate_limit_api")
"""The limit on the JSON API: every route under /api/v1 counts against it together."""

VERIFY_LIMIT = Limit("verify", "rate_limit_verify")
"""The limit on scans: the public verify page and its JSON twin count against it together."""


class RateLimitHeaders(ResponseHeaders):
    """Add the quota a limited route counted to its response, whatever answered (a page, JSON, a 429)."""

    def edit(self, scope: Scope, headers: MutableHeaders) -> None:
        quota = scope.get("state", {}).get(QUOTA_STATE)
        if quota is not None:
            for name, value in quota.headers():
                headers[name] = value


class SignInLockout:
    """Failed sign-ins per account, whatever the address they come from.

    ``FREE_FAILURES`` wrong passwords in a row are allowed; each one after that locks the account
    for twice as long as the last (1 minute, 2, 4, … at most an hour). While locked, even the right
    password is refused, without being checked. A success clears the count; failures are forgotten
    a day after the first. The account is the login as typed, normalised, so an unknown one is
    treated like a known one and says nothing about who has an account.
    """

    FREE_FAILURES = 5
    FIRST_LOCK = 60
    LONGEST_LOCK = 3600
    REMEMBER = 24 * 3600

    def __init__(self, limiter: RateLimiter) -> None:
        self.limiter = limiter

    def locked_until(self, login: str) -> float | None:
        """When the account's lock ends (seconds since the epoch), or None when it is not locked."""
        storage = self._storage()
        try:
            return self._locked_until(storage, login)
        except StorageError:
            return self._locked_until(self.limiter.local(), login)

    def failed(self, login: str) -> float | None:
        """Count a wrong password; when the account is now locked, until when."""
        try:
            return self._failed(self._storage(), login)
        except StorageError:
            log.warning("sign-in lock-out storage unreachable: counting in this worker")
            return self._failed(self.limiter.local(), login)

    def succeeded(self, login: str) -> None:
        for storage in (self._storage(), self.limiter.local()):
            with suppress(StorageError):
                storage.clear(self._key("failures", login))

    def _storage(self) -> Storage:
        return self.limiter.storage

    def _locked_until(self, storage: Storage, login: str) -> float | None:
        key = self._key("lock", login)
        if storage.get(key) <= 0:
            return None
        return float(storage.get_expiry(key))

    def _failed(self, storage: Storage, login: str) -> float | None:
        failures = storage.incr(self._key("failures", login), self.REMEMBER)
        if failures < self.FREE_FAILURES:
            return None
        seconds = min(self.LONGEST_LOCK, self.FIRST_LOCK << (failures - self.FREE_FAILURES))  # doubling
        key = self._key("lock", login)
        storage.clear(key)
        storage.incr(key, seconds)
        return time.time() + seconds

    @staticmethod
    def _key(kind: str, login: str) -> str:
        return f"sign-in/{kind}/{hashlib.sha256(login.encode()).hexdigest()[:32]}"
