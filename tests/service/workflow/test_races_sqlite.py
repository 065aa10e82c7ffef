"""The embedded default under concurrent use: SQLite serialises writers, and nobody gets "database is locked"."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from service.models import Draft
from service.workflow import audit
from service.workflow.errors import Conflict
from service.workflow.models import Application
from service.workflow.submit import Submitted
from service.workflow.window import accept, refuse
from tests.service.wfcase import Staff

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


def _at_once(n: int, engine: Engine, act: Callable[[int, Session], Any]) -> list[Any]:
    """Start ``act`` in ``n`` threads at the same moment, each on its own session."""
    barrier = threading.Barrier(n, timeout=10)

    def run(i: int) -> Any:
        with Session(engine, expire_on_commit=False) as session:
            barrier.wait()
            try:
                return act(i, session)
            except Conflict as exc:
                return exc

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(run, range(n)))


def test_a_burst_of_submissions_all_land_with_distinct_numbers(
    engine: Engine, session: Session, staff: Staff, make_draft: Callable[..., Draft], submit_draft: Callable[..., Submitted]
) -> None:
    drafts = [make_draft(staff.applicant) for _ in range(12)]
    results = _at_once(
        12,
        engine,
        lambda i, s: submit_draft(drafts[i], session=s).application,
    )
    assert sorted(r.number[-5:] for r in results) == [f"{n:05d}" for n in range(1, 13)]
    assert audit.verify(session) == (12, [])


def test_of_two_clerks_acting_at_once_exactly_one_wins(
    engine: Engine, session: Session, staff: Staff, make_submitted: Callable[[], Application]
) -> None:
    application = make_submitted()
    version = application.version

    def act(i: int, s: Session) -> Any:
        if i == 0:
            return accept(s, actor=staff.clerk, application_id=application.id, version=version)
        return refuse(s, actor=staff.clerk, application_id=application.id, version=version, reasons=["不属于本机关职权范围"])

    results = _at_once(2, engine, act)
    assert sum(isinstance(r, Conflict) for r in results) == 1
    actions = [e.action for e in audit.history(session, application.id)]
    assert ("accept" in actions) != ("refuse" in actions)
    assert audit.verify(session)[1] == []
