"""Every worker serves a published change set within seconds, without a restart.

Per request, at most once per interval, a worker reads the newest release's commit from the database; when it
differs from the one it knows, the registry reloads the packs (a broken pack still never replaces a working one).
"""

from __future__ import annotations

import logging
import threading
import time

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from service.policy.desk import latest_release
from service.registry import PackRegistry

log = logging.getLogger("yiye.packs")


class ReleaseWatch:
    """The newest published commit as this worker last saw it."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self.commit: str | None = None
        self._seen = False
        self._checked = float("-inf")
        self._lock = threading.Lock()

    def start(self, engine: Engine) -> None:
        """Learn the newest release before the packs are first loaded (they include it: publishing writes the files first)."""
        try:
            with Session(engine) as session:
                self.commit, self._seen = latest_release(session), True
        except SQLAlchemyError:  # no database yet (a fresh start before migrating): the first check learns it
            log.warning("releases not readable at start", exc_info=True)

    def due(self) -> bool:
        """Whether :meth:`check` would read the database now (cheap; no I/O)."""
        return self.interval > 0 and time.monotonic() - self._checked >= self.interval

    def check(self, engine: Engine, registry: PackRegistry) -> bool:
        """Reload the packs when a newer release was published; whether it did."""
        with self._lock:
            if not self.due():
                return False
            self._checked = time.monotonic()
            try:
                with Session(engine) as session:
                    commit = latest_release(session)
            except SQLAlchemyError:  # the database is down or unmigrated: serve what is loaded, look again next time
                log.warning("releases not readable", exc_info=True)
                return False
            # Without a start, the first look only learns the commit: the packs were loaded from the folder after it.
            changed = self._seen and commit != self.commit
            self.commit, self._seen = commit, True
            if changed:
                registry.load_all()
            return changed
