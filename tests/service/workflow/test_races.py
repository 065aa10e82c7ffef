"""Racing people on real PostgreSQL sessions in threads: exactly one wins, the other is told, nothing is lost."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import Engine, event, func
from sqlmodel import Session, select

from service.models import Draft
from service.workflow import audit
from service.workflow.errors import Conflict
from service.workflow.models import Application, PermitTask
from service.workflow.submit import Submitted
from service.workflow.window import accept, refuse
from tests.service.wfcase import Staff

pytestmark = pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)


def _together(n: int, engine: Engine, act: Callable[[Session], Any], wait: float = 10) -> list[Any]:
    """Run ``act`` in ``n`` threads, each on its own session, all released at their first flush together.

    A thread held up before its first flush by another's lock is waited for ``wait`` seconds at most.
    """
    barrier = threading.Barrier(n, timeout=wait)

    def run(_: int) -> Any:
        with Session(engine, expire_on_commit=False) as session:
            waited: list[bool] = []

            @event.listens_for(session, "before_flush")
            def meet(*_args: object) -> None:
                if not waited:
                    waited.append(True)
                    with contextlib.suppress(threading.BrokenBarrierError):  # the lock's holder goes on alone
                        barrier.wait()

            try:
                return act(session)
            except Conflict as exc:
                return exc

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(run, range(n)))


def test_of_two_clerks_accepting_at_once_exactly_one_wins(
    engine: Engine, session: Session, staff: Staff, make_submitted: Callable[[], Application]
) -> None:
    application = make_submitted()
    version = application.version
    results = _together(2, engine, lambda s: accept(s, actor=staff.clerk, application_id=application.id, version=version))

    conflicts = [r for r in results if isinstance(r, Conflict)]
    assert len(conflicts) == 1
    assert conflicts[0].problems[0].code == "concurrent_update"
    assert "请刷新后重试" in conflicts[0].problems[0].message
    assert session.exec(select(func.count()).select_from(PermitTask)).one() == 3
    session.refresh(application)
    assert application.status == "in_approval"
    assert [e.action for e in audit.history(session, application.id)].count("accept") == 1
    assert audit.verify(session)[1] == []


def test_of_one_clerk_accepting_and_another_refusing_at_once_exactly_one_wins(
    engine: Engine, session: Session, staff: Staff, make_submitted: Callable[[], Application]
) -> None:
    application = make_submitted()
    version, acts = application.version, iter(["accept", "refuse"])
    lock = threading.Lock()

    def act(s: Session) -> Any:
        with lock:
            which = next(acts)
        if which == "accept":
            return accept(s, actor=staff.clerk, application_id=application.id, version=version)
        return refuse(s, actor=staff.clerk, application_id=application.id, version=version, reasons=["不属于本机关职权范围"])

    results = _together(2, engine, act)
    winners = [r for r in results if not isinstance(r, Conflict)]
    assert len(winners) == 1
    session.refresh(application)
    assert application.status == ("in_approval" if isinstance(winners[0], list) else "refused")
    actions = [e.action for e in audit.history(session, application.id)]
    assert ("accept" in actions) != ("refuse" in actions)


def test_submissions_at_once_get_distinct_numbers(
    engine: Engine, session: Session, staff: Staff, make_draft: Callable[..., Draft], submit_draft: Callable[..., Submitted]
) -> None:
    drafts = [make_draft(staff.applicant) for _ in range(4)]
    it = iter(drafts)
    lock = threading.Lock()

    def go(s: Session) -> Application:
        with lock:
            draft = next(it)
        return submit_draft(draft, session=s).application

    results = _together(4, engine, go)
    assert sorted(r.number[-5:] for r in results) == ["00001", "00002", "00003", "00004"]
    assert audit.verify(session) == (4, [])


def test_the_same_draft_submitted_twice_at_once_becomes_one_application(
    engine: Engine, session: Session, staff: Staff, make_draft: Callable[..., Draft], submit_draft: Callable[..., Submitted]
) -> None:
    draft = make_draft(staff.applicant)

    def go(s: Session) -> Application:
        return submit_draft(draft, session=s).application

    results = _together(2, engine, go)
    assert sum(isinstance(r, Conflict) for r in results) == 1
    assert session.exec(select(func.count()).select_from(Application)).one() == 1


def test_a_retry_racing_the_first_request_returns_its_result(
    engine: Engine, session: Session, staff: Staff, make_draft: Callable[..., Draft], submit_draft: Callable[..., Submitted]
) -> None:
    draft = make_draft(staff.applicant)

    def go(s: Session) -> Any:
        return submit_draft(draft, session=s, idempotency_key="retry-1")

    first, second = _together(2, engine, go)
    assert first.application.id == second.application.id
    assert sorted([first.repeated, second.repeated]) == [False, True]
    assert session.exec(select(func.count()).select_from(Application)).one() == 1
