"""Decisions of one department at once on PostgreSQL: every one counted in the dashboards' tally, none lost."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from service.workflow import audit
from service.workflow.models import Application, DecisionTally
from service.workflow.review import Decision, decide
from service.workflow.window import accept
from tests.service.wfcase import Staff
from tests.service.workflow.test_races import _together

pytestmark = pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)

ACCEPTED, DECIDED = date(2026, 9, 28), date(2026, 10, 9)  # four working days apart, the National Day holiday between


def test_four_reviewers_deciding_at_once_are_all_counted(
    engine: Engine, session: Session, staff: Staff, make_submitted: Callable[[], Application]
) -> None:
    fires = []
    for _ in range(4):
        application = make_submitted()
        tasks = accept(session, actor=staff.clerk, application_id=application.id, version=application.version, today=ACCEPTED)
        fires += [t for t in tasks if t.permit == "fire_check"]
    waiting, lock = iter(fires), threading.Lock()

    def one(s: Session) -> object:
        with lock:
            task = next(waiting)
        return decide(s, actor=staff.fire, task_id=task.id, decision=Decision.approve, version=task.version, today=DECIDED)

    results = _together(4, engine, one)

    assert all(r.status == "approved" for r in results)
    tally = session.exec(select(DecisionTally).where(DecisionTally.department == "fire")).one()
    assert (tally.decided, tally.days, tally.limit_days) == (4, 16, 52)
    assert audit.verify(session)[1] == []
