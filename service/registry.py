"""The rule packs a worker process serves, each compiled once into a Composer.

Packs are loaded when the process starts (the app's lifespan), never per request. A reload builds
a new Composer beside the old one and swaps the reference only if the new one loaded cleanly: a
broken pack never replaces a working one. Compositions are cached by pack *version*, so a swap can
never serve a result composed under the old rules.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from composer import Composer
from rules import packs
from rules.errors import PackError, Problem

log = logging.getLogger("yiye.packs")

Loader = Callable[[str, Path], Composer]


def load_composer(pack_id: str, root: Path) -> Composer:
    return Composer.load(pack_id, root)


@dataclass(frozen=True)
class LoadFailure:
    pack_id: str
    problems: list[Problem]


class PackRegistry:
    """Pack id → Composer for one worker process. Reads are lock-free; loads are serialised."""

    def __init__(self, root: Path, loader: Loader = load_composer) -> None:
        self.root = root
        self._loader = loader
        self._composers: dict[str, Composer] = {}
        self.failures: dict[str, LoadFailure] = {}
        self._lock = threading.Lock()
        self.fingerprint = ""
        self._checked = time.monotonic()

    def load_all(self) -> None:
        """Load every pack under the root; a pack that fails is logged and left out (or kept as it was)."""
        for pack_id in packs.available(self.root):
            try:
                self.reload(pack_id)
            except PackError:
                pass
        self.fingerprint = tree_fingerprint(self.root)

    def reload(self, pack_id: str) -> Composer:
        """Build ``pack_id`` afresh and swap it in; on PackError the previous Composer stays."""
        with self._lock:
            try:
                composer = self._loader(pack_id, self.root)
            except PackError as exc:
                self.failures[pack_id] = LoadFailure(pack_id, exc.problems)
                kept = pack_id in self._composers
                log.error(
                    "pack load failed",
                    extra={"pack_id": pack_id, "problems": [str(p) for p in exc.problems[:20]], "kept_previous": kept},
                )
                raise
            previous = self._composers.get(pack_id)
            self._composers = {**self._composers, pack_id: composer}
            self.failures.pop(pack_id, None)
            log.info(
                "pack loaded",
                extra={
                    "pack_id": pack_id,
                    "pack_version": composer.pack.version,
                    "previous_version": previous.pack.version if previous else None,
                },
            )
            return composer

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
        stat = path.stat()
        digest.update(f"{path.relative_to(root)}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()
