"""Composing for the service: resolve the date, look up the pack, cache, hash and log.

A composition is a pure function of (pack version, as-of date, request), so it is cached in
process under exactly that key: repeats cost a dictionary lookup, and a reloaded pack (a new
version) can never be answered from the old one's entries.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from composer.model import ComposeRequest, Composition
from rules.errors import InputError, Problem
from service.registry import PackRegistry

log = logging.getLogger("yiye.compose")

TIMEZONE = ZoneInfo("Asia/Shanghai")


def today() -> date:
    """Today in Beijing: the as-of date of a request that names none."""
    return datetime.now(TIMEZONE).date()


@dataclass(frozen=True)
class Composed:
    """One composition and everything needed to serve, store and replay it."""

    request: ComposeRequest
    composition: Composition
    body: bytes
    sha256: str
    cached: bool = False

    @property
    def pack_id(self) -> str:
        return self.composition.pack.id

    @property
    def pack_version(self) -> str:
        return self.composition.pack.version

    @property
    def as_of(self) -> date:
        return self.composition.pack.as_of


class LRUCache:
    """A bounded, thread-safe least-recently-used map."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._data: OrderedDict[tuple[str, ...], Composed] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: tuple[str, ...], *, count_miss: bool = True) -> Composed | None:
        with self._lock:
            found = self._data.get(key)
            if found is None:
                self.misses += count_miss
                return None
            self._data.move_to_end(key)
            self.hits += 1
            return found

    def put(self, key: tuple[str, ...], value: Composed) -> None:
        if self.size <= 0:
            return
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.size:
                self._data.popitem(last=False)

    def __len__(self) -> int:
        return len(self._data)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


def canonical_request(request: ComposeRequest) -> str:
    return json.dumps(request.model_dump(mode="json"), sort_keys=True, ensure_ascii=False, separators=(",", ":"))


_COMPOSITION_JSON = Composition.__pydantic_serializer__


def serialise(composition: Composition) -> bytes:
    """The composition's JSON as bytes: ``model_dump_json().encode()`` byte for byte, without the
    round trip through ``str`` (decode, then encode ~70 KB of mostly Chinese text again)."""
    return _COMPOSITION_JSON.to_json(composition)


class ComposeService:
    def __init__(self, registry: PackRegistry, cache_size: int, default_pack: str | None = None) -> None:
        self.registry = registry
        self.cache = LRUCache(cache_size)
        self.default_pack = default_pack

    def compose(self, request: ComposeRequest, *, source: str = "api") -> Composed:
        """Compose ``request`` (pack and as_of filled in with the defaults if missing); raises InputError.

        Every call leaves exactly one log line: pack id and version, output hash, cache hit,
        duration — or the problem codes when the request was refused.
        """
        composed = self._compose(request, source, build=True)
        assert composed is not None
        return composed

    def cached(self, request: ComposeRequest, *, source: str = "api") -> Composed | None:
        """The composition of ``request`` if the cache holds it (logged as ``compose`` does), else None.

        Costs a canonical dump and a dictionary lookup, never a composition, so an async route can
        call it on the event loop and hand only a miss to the thread pool. A miss logs nothing:
        the ``compose`` call that follows logs it. Raises InputError for an unknown pack.
        """
        return self._compose(request, source, build=False)

    def _compose(self, request: ComposeRequest, source: str, *, build: bool) -> Composed | None:
        started = time.perf_counter()
        version = None
        if self.default_pack and "pack" not in request.model_fields_set:
            request = request.model_copy(update={"pack": self.default_pack})
        try:
            composer = self.registry.get(request.pack)
            if composer is None:
                raise InputError([Problem("unknown_pack", f"没有名为 '{request.pack}' 的规则包", "pack", request.pack)])
            version = composer.pack.version
            if request.as_of is None:
                request = request.model_copy(update={"as_of": today()})
            key = (request.pack, version, canonical_request(request))
            found = self.cache.get(key, count_miss=build)
            cached = found is not None
            if found is None:
                if not build:
                    return None
                composition = composer.compose(request)
                body = serialise(composition)
                found = Composed(request, composition, body, hashlib.sha256(body).hexdigest())
                self.cache.put(key, found)
        except InputError as exc:
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
        log.info(
            "compose",
            extra={
                "source": source,
                "pack_id": found.pack_id,
                "pack_version": found.pack_version,
                "as_of": found.as_of.isoformat(),
                "output_sha256": found.sha256,
                "permits": len(found.composition.permits),
                "complete": found.composition.complete,
                "cached": cached,
                "duration_ms": _ms(started),
            },
        )
        return Composed(found.request, found.composition, found.body, found.sha256, cached=True) if cached else found


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 3)
