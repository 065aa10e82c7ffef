"""Per-client rate limits (the ``limits`` library, moving window).

A client is its API key when it sends a known one in ``X-API-Key``, else its IP address. With
the default in-memory storage each worker process counts on its own; point
``YIYE_RATE_LIMIT_STORAGE`` at Redis to share the count across workers and hosts.
"""

from __future__ import annotations

import hashlib
import math
import time

from fastapi import Request
from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter
from starlette.concurrency import run_in_threadpool

from service.errors import RateLimited

API_KEY_HEADER = "X-API-Key"


class RateLimiter:
    def __init__(self, storage_uri: str, *, enabled: bool = True, api_keys: frozenset[str] = frozenset()) -> None:
        self.enabled = enabled
        self.api_keys = api_keys
        self.in_memory = storage_uri.startswith("memory://")
        """Counting in this process never blocks; counting in Redis & co. is network I/O."""
        self._strategy = MovingWindowRateLimiter(storage_from_string(storage_uri))

    def client(self, request: Request) -> str:
        """``key:<digest>`` for a known API key, else ``ip:<address>``."""
        key = request.headers.get(API_KEY_HEADER)
        if key and key in self.api_keys:
            return "key:" + hashlib.sha256(key.encode()).hexdigest()[:16]
        host = request.client.host if request.client else "unknown"
        return f"ip:{host}"

    def hit(self, scope: str, limit: RateLimitItem, client: str) -> None:
        """Count one request; raise RateLimited (429 with Retry-After) when over the limit."""
        if not self.enabled:
            return
        if self._strategy.hit(limit, scope, client):
            return
        stats = self._strategy.get_window_stats(limit, scope, client)
        retry_after = max(1, math.ceil(stats.reset_time - time.time()))
        raise RateLimited(retry_after, client)


class Limit:
    """A dependency that applies one named limit (``"600/minute"``) to the calling client.

    Async, so a request pays no thread-pool hop for it: with limits off or counted in memory it
    runs on the event loop; a networked storage is counted in the thread pool.
    """

    def __init__(self, scope: str, setting: str) -> None:
        self.scope = scope
        self.setting = setting
        self._parsed: dict[str, RateLimitItem] = {}

    async def __call__(self, request: Request) -> None:
        limiter: RateLimiter = request.app.state.rate_limiter
        if not limiter.enabled:
            return
        text = getattr(request.app.state.settings, self.setting)
        limit = self._parsed.get(text)
        if limit is None:
            limit = self._parsed[text] = parse(text)
        if limiter.in_memory:
            limiter.hit(self.scope, limit, limiter.client(request))
        else:
            await run_in_threadpool(limiter.hit, self.scope, limit, limiter.client(request))
