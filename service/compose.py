"""Composing for the service: resolve the date, look up the pack, cache, hash and log.

A composition is a pure function of (pack version, as-of date, request), so it is cached in
process under exactly that key: repeats cost a dictionary lookup, and a reloaded pack (a new
version) can never be answered from the old one's entries. A request that repeats an earlier one
byte for byte is found before it is even parsed (``repeat``; service/api/repeats.py).

The cache keeps each composition as its JSON bytes, not as objects: a composition is thousands
of small objects, and thousands of cached compositions made every full garbage collection walk
millions of them, and every uncached compose paid for those walks. Pages that need the objects
parse the bytes back, which the contract round-trips exactly.
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cached_property
from zoneinfo import ZoneInfo

from composer.model import ComposeRequest, Composition
from rules.errors import InputError, Problem
from service.cache import SegmentedLRU
from service.errors import ApiError
from service.registry import PackRegistry

log = logging.getLogger("yiye.compose")

TIMEZONE = ZoneInfo("Asia/Shanghai")


def today() -> date:
    """Today in Beijing: the as-of date of a request that names none."""
    return datetime.now(TIMEZONE).date()


def in_beijing(at: datetime) -> datetime:
    """A stored moment in Beijing time (SQLite hands the stored UTC time back without its zone)."""
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(TIMEZONE)


def beijing_minute(at: datetime) -> str:
    """A stored moment as a page shows it: Beijing time, to the minute (the ``beijing`` filter in templates)."""
    return f"{in_beijing(at):%Y-%m-%d %H:%M}"


@dataclass(frozen=True)
class Output:
    """What the cache keeps of one composition: its bytes and the few facts logged with it."""

    body: bytes
    sha256: str
    pack_id: str
    pack_version: str
    as_of: date
    permits: int
    complete: bool

    @property
    def size(self) -> int:
        return len(self.body)

    @classmethod
    def of(cls, composition: Composition, body: bytes) -> Output:
        pack, digest = composition.pack, hashlib.sha256(body).hexdigest()
        return cls(body, digest, pack.id, pack.version, pack.as_of, len(composition.permits), composition.complete)


CacheKey = tuple[str, str, bytes]
"""A composition in the cache: pack id, pack version, the request as ``canonical_request`` writes it."""

Exact = tuple[date, str, bytes]
"""A compose request as it arrived: the day (in Beijing) it was answered on, its content type, its body's bytes."""

REPEATS_SHARE = 16
"""One part in sixteen of the cache's budget holds the exact requests that lead to its entries."""


@dataclass(frozen=True)
class Repeat:
    """Where the composition of one exact request is kept, and what remembering it costs."""

    key: CacheKey
    size: int


class Composed:
    """One composition and everything needed to serve, store and replay it."""

    def __init__(
        self,
        request: ComposeRequest,
        output: Output,
        composition: Composition | None = None,
        *,
        cached: bool,
        key: CacheKey,
        today: date,
    ) -> None:
        self.request = request
        self.output = output
        self.cached = cached
        self.key = key
        self.today = today
        """The day the request was composed on, which its as-of date defaults to."""
        if composition is not None:
            self.__dict__["composition"] = composition  # the cached_property's slot: no need to parse

    @cached_property
    def composition(self) -> Composition:
        """The composition as objects, parsed back from the cached bytes on first use."""
        return Composition.model_validate_json(self.output.body)


def canonical_request(request: ComposeRequest) -> bytes:
    """The request as a cache key: its JSON, the answers in key order (their order means nothing)."""
    keys = list(request.answers)
    if keys != sorted(keys):
        request = request.model_copy(update={"answers": dict(sorted(request.answers.items()))})
    return request.__pydantic_serializer__.to_json(request)


class ComposeService:
    def __init__(self, registry: PackRegistry, cache_bytes: int, default_pack: str | None = None) -> None:
        self.registry = registry
        self.cache: SegmentedLRU[CacheKey, Output] = SegmentedLRU(cache_bytes)
        self.repeats: SegmentedLRU[Exact, Repeat] = SegmentedLRU(cache_bytes // REPEATS_SHARE)
        self.default_pack = default_pack

    def compose(self, request: ComposeRequest, *, source: str = "api") -> Composed:
        """Compose ``request`` (pack and as_of filled in with the defaults if missing); raises InputError.

        Every call leaves exactly one log line: pack id and version, output hash, cache hit,
        duration — or the problem codes when the request was refused.
        """
        started, day = time.perf_counter(), today()
        version = None
        if self.default_pack and "pack" not in request.model_fields_set:
            request = request.model_copy(update={"pack": self.default_pack})
        try:
            composer = self.registry.get(request.pack)
            if composer is None:
                if self.registry.unavailable(request.pack):
                    raise PackUnavailable(request.pack, "pack")
                raise InputError([Problem("unknown_pack", f"没有名为 '{request.pack}' 的规则包", "pack", request.pack)])
            version = composer.pack.version
            if request.as_of is None:
                request = request.model_copy(update={"as_of": day})
            key = (request.pack, version, canonical_request(request))
            output = self.cache.get(key)
            composition = None
            if output is None:
                composition, body = composer.compose_json(request)
                output = Output.of(composition, body)
                self.cache.put(key, output)
        except (InputError, PackUnavailable) as exc:
            log.info(
                "compose refused",
                extra={
                    "source": source,
                    "pack_id": request.pack,
                    "pack_version": version,
                    "problems": sorted({p.code for p in exc.problems}),
                    "duration_ms": _ms(started),
                },
            )
            raise
        cached = composition is None
        _log_composed(output, source, started, cached=cached)
        return Composed(request, output, composition, cached=cached, key=key, today=day)

    def repeat(self, body: bytes, content_type: str, *, source: str = "api") -> Output | None:
        """The output of a request that came earlier today with exactly these bytes, if it is still
        cached and its pack version is still the one loaded; logged like ``compose``'s cache hits.

        Besides its bytes a composition reads only the day (the as-of date of a request naming
        none) and the pack version: the day is in the key, the version is checked."""
        started = time.perf_counter()
        seen = self.repeats.get((today(), content_type, body))
        if seen is None:
            return None
        pack_id, version, _ = seen.key
        composer = self.registry.get(pack_id)
        if composer is None or composer.pack.version != version:
            return None
        output = self.cache.get(seen.key)
        if output is not None:
            _log_composed(output, source, started, cached=True)
        return output

    def remember(self, body: bytes, content_type: str, composed: Composed) -> None:
        """Let a later request with exactly these bytes, on the day ``composed`` was, find it (``repeat``)."""
        exact = (composed.today, content_type, body)
        self.repeats.put(exact, Repeat(composed.key, _REPEAT_BYTES + len(content_type) + len(body)))


class PackUnavailable(ApiError):
    """A pack that exists but cannot be served: its files fail to load and no good version is kept. Not the caller's fault."""

    def __init__(self, pack_id: str, where: str) -> None:
        message = f"规则包 '{pack_id}' 暂时无法使用（规则文件有误，且没有可用的上一版本），请稍后再试"
        super().__init__(503, [Problem("pack_unavailable", message, where, pack_id)], headers={"Retry-After": "60"})


_REPEAT_BYTES = 256
"""What remembering a repeat holds besides the request's bytes: the key's tuples, date and entry."""


def _log_composed(output: Output, source: str, started: float, *, cached: bool) -> None:
    log.info(
        "compose",
        extra={
            "source": source,
            "pack_id": output.pack_id,
            "pack_version": output.pack_version,
            "as_of": output.as_of.isoformat(),
            "output_sha256": output.sha256,
            "permits": output.permits,
            "complete": output.complete,
            "cached": cached,
            "duration_ms": _ms(started),
        },
    )


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 3)
