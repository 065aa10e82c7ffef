"""The rule packs a worker process serves, each compiled once into a Composer.

Packs are loaded when the process starts (the app's lifespan), never per request. A reload builds
a new Composer beside the old one and swaps the reference only if the new one loaded cleanly: a
broken pack never replaces a working one. Compositions are cached by pack *version*, so a swap can
never serve a result composed under the old rules.

A broken file plus a restart is not an outage either: a pack whose files do not load is served at
the last version that loaded cleanly — the one in memory, else the one recorded in the pack cache
(``YIYE_PACK_CACHE``), which survives restarts. :meth:`PackRegistry.statuses` says, per pack, which
version is served, whether it is that fallback, and what is wrong with the files (``/readyz``).
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from composer import Composer
from rules import packs
from rules.errors import PackError, Problem
from rules.model import Department

log = logging.getLogger("yiye.packs")


@dataclass(frozen=True)
class PackStatus:
    """One pack as this process serves it: the version (None: cannot be served) and its files' last load error."""

    pack_id: str
    version: str | None
    fallback: bool
    problems: tuple[Problem, ...]


class PackRegistry:
    """Pack id → Composer for one worker process. Reads are lock-free; loads are serialised."""

    def __init__(self, root: Path, cache: Path | None = None) -> None:
        self.root = root
        self.cache = cache
        self._composers: dict[str, Composer] = {}
        self.failures: dict[str, list[Problem]] = {}
        self._lock = threading.Lock()
        self.fingerprint = ""
        self._checked = time.monotonic()

    def load_all(self) -> None:
        """Load every pack under the root, and any this process serves; a pack that fails keeps its last good version."""
        fingerprint = tree_fingerprint(self.root)
        for pack_id in sorted({*packs.available(self.root), *self._composers, *self.failures}):
            try:
                self.reload(pack_id)
            except PackError:
                pass
        self.fingerprint = fingerprint

    def reload(self, pack_id: str) -> Composer:
        """Build ``pack_id`` afresh and swap it in; on PackError the previous Composer stays (or the last good one comes in)."""
        with self._lock:
            try:
                with packs.collector_paused():  # compiling allocates as much as parsing
                    composer = Composer(packs.load(pack_id, self.root, self.cache))
            except PackError as exc:
                self.failures[pack_id] = exc.problems
                self._fall_back(pack_id, exc.problems)
                raise
            except Exception as exc:  # a loader bug must cost this pack, not the process or every request
                log.exception("pack load crashed", extra={"pack_id": pack_id})
                problems = [Problem("load_crashed", f"加载规则包时出现内部错误：{type(exc).__name__}", "", pack_id)]
                self.failures[pack_id] = problems
                self._fall_back(pack_id, problems)
                raise PackError(problems) from exc
            previous = self._composers.get(pack_id)
            self._swap(pack_id, composer)
            self.failures.pop(pack_id, None)
            if previous is None or previous.pack.version != composer.pack.version:
                log.info(
                    "pack loaded",
                    extra={
                        "pack_id": pack_id,
                        "pack_version": composer.pack.version,
                        "previous_version": previous.pack.version if previous else None,
                    },
                )
            return composer

    def _fall_back(self, pack_id: str, problems: list[Problem]) -> None:
        """Keep serving the version in memory, else bring in the last good one from the cache; log which."""
        current = self._composers.get(pack_id)
        if current is None:
            pack = packs.load_last_good(pack_id, self.root, self.cache)
            if pack is not None:
                current = Composer(pack)
                self._swap(pack_id, current)
        log.error(
            "pack load failed",
            extra={
                "pack_id": pack_id,
                "problems": [str(p) for p in problems[:20]],
                "serving_version": current.pack.version if current else None,
            },
        )

    def _swap(self, pack_id: str, composer: Composer) -> None:
        self._composers = {**self._composers, pack_id: composer}

    def reload_if_changed(self) -> bool:
        """Reload every pack when any file under the root changed since the last load."""
        current = tree_fingerprint(self.root)
        if current == self.fingerprint:
            return False
        self.load_all()
        return True

    def poll_due(self, interval: float) -> bool:
        """Whether ``poll(interval)`` would read the files now (cheap; no I/O)."""
        return interval > 0 and time.monotonic() - self._checked >= interval

    def poll(self, interval: float) -> None:
        """Call per request: checks the files at most every ``interval`` seconds (0 = never)."""
        if not self.poll_due(interval):
            return
        now = time.monotonic()
        self._checked = now
        self.reload_if_changed()

    def get(self, pack_id: str) -> Composer | None:
        return self._composers.get(pack_id)

    def departments(self, pack_id: str | None) -> Mapping[str, Department]:
        """The departments of a pack served here, by id (none when it is not served)."""
        composer = self._composers.get(pack_id) if pack_id else None
        return composer.pack.departments if composer is not None else {}

    def unavailable(self, pack_id: str) -> bool:
        """A pack this process knows of but cannot serve at all: its files fail and no good version is kept."""
        return pack_id in self.failures and pack_id not in self._composers

    def statuses(self) -> list[PackStatus]:
        """Every pack known to this process, served or not, with its files' last load error."""
        composers, failures = self._composers, dict(self.failures)
        return [
            PackStatus(
                pack_id,
                composers[pack_id].pack.version if pack_id in composers else None,
                pack_id in composers and pack_id in failures,
                tuple(failures.get(pack_id, ())),
            )
            for pack_id in sorted({*composers, *failures})
        ]

    def versions(self) -> dict[str, str]:
        return {pack_id: composer.pack.version for pack_id, composer in sorted(self._composers.items())}

    def ids(self) -> list[str]:
        return sorted(self._composers)

    def __contains__(self, pack_id: object) -> bool:
        return pack_id in self._composers


def tree_fingerprint(root: Path) -> str:
    """A cheap digest of every YAML file's path, size and mtime under ``root``."""
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.yaml")):
        try:
            stat = path.stat()
        except FileNotFoundError:
            continue  # deleted since listed: the next poll sees the folder without it
        digest.update(f"{path.relative_to(root)}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()
