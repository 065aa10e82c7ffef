"""Writers at once on PostgreSQL: the chain's head is locked only while a transaction appends, and the chain holds."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable

import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session, col, select

from service.jobs.models import OutboxRow
from service.workflow import audit
from service.workflow.models import Application, AuditEvent, PermitTask
from service.workflow.review import Decision, decide
from service.workflow.window import accept
from tests.service.wfcase import Staff
from tests.service.workflow.test_races import _together

pytestmark = pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)


def _note(session: Session, staff: Staff, subject: uuid.UUID, action: str) -> None:
    audit.record(session, actor=staff.clerk, subject_kind="application", subject_id=subject, action=action, to_state="x")


def test_a_second_transaction_appends_while_the_first_is_still_open(engine: Engine, staff: Staff) -> None:
    subject = uuid.uuid4()
    with Session(engine) as first, Session(engine) as second:
        _note(first, staff, subject, "first")
        first.execute(text("SELECT 1"))  # the first transaction is open on its connection, its event recorded
        second.execute(text("SET LOCAL lock_timeout = '5s'"))  # a head held by the first would fail here, not hang
        _note(second, staff, subject, "second")
        second.commit()
        first.commit()

        events = audit.history(second, subject)
        assert [(e.seq, e.action) for e in events] == [(1, "second"), (2, "first")]  # in the order they committed
        assert events[1].prev_hash == events[0].hash
        assert audit.verify(second) == (2, [])
        follows = second.exec(select(OutboxRow).where(col(OutboxRow.key).in_([f"audit:{e.hash}" for e in events])))
        assert sorted((r.key, r.payload["seq"]) for r in follows) == sorted((f"audit:{e.hash}", e.seq) for e in events)


def test_a_transaction_rolled_back_leaves_no_gap_in_the_chain(engine: Engine, staff: Staff) -> None:
    subject = uuid.uuid4()
    with Session(engine) as lost, Session(engine) as kept:
        _note(lost, staff, subject, "lost")
        lost.execute(text("SELECT 1"))
        _note(kept, staff, subject, "kept")
        lost.rollback()
        kept.commit()
        _note(lost, staff, subject, "later")
        lost.commit()

        assert [(e.seq, e.action) for e in audit.history(kept, subject)] == [(1, "kept"), (2, "later")]
        assert audit.verify(kept) == (2, [])


def test_eight_clerks_accepting_at_once_each_append_their_events_together(
    engine: Engine, session: Session, staff: Staff, make_submitted: Callable[[], Application]
) -> None:
    applications = [make_submitted() for _ in range(8)]
    submitted = session.exec(select(AuditEvent.seq)).all()
    waiting, lock = iter(applications), threading.Lock()

    def one(s: Session) -> object:
        with lock:
            application = next(waiting)
        return accept(s, actor=staff.clerk, application_id=application.id, version=application.version)

    results = _together(8, engine, one)

    assert all(isinstance(r, list) and len(r) == 3 for r in results)
    for application in applications:
        tasks = session.exec(select(PermitTask.id).where(PermitTask.application_id == application.id)).all()
        mine = set(tasks) | {application.id}
        ran = session.exec(select(AuditEvent).where(col(AuditEvent.subject_id).in_(mine), AuditEvent.action != "submit"))
        seqs = sorted(e.seq for e in ran)
        # accept, three tasks made, two released, approval started: one transaction, one run of the chain
        assert len(seqs) == 7
        assert seqs == list(range(seqs[0], seqs[0] + 7))
    assert audit.verify(session) == (len(submitted) + 8 * 7, [])


def test_the_last_two_departments_deciding_at_once_conclude_the_application(
    engine: Engine, session: Session, staff: Staff, make_submitted: Callable[[], Application]
) -> None:
    application = make_submitted()
    accepted = accept(session, actor=staff.clerk, application_id=application.id, version=application.version)
    tasks = {t.department: t for t in accepted}
    fire = tasks["fire"]
    decide(session, actor=staff.fire, task_id=fire.id, decision=Decision.approve, version=fire.version)
    last = [session.get(PermitTask, tasks[d].id, populate_existing=True) for d in ("market", "police")]
    reviewers, lock = iter([(staff.market, last[0]), (staff.police, last[1])]), threading.Lock()

    def one(s: Session) -> object:
        with lock:
            reviewer, task = next(reviewers)
        assert task is not None
        return decide(s, actor=reviewer, task_id=task.id, decision=Decision.approve, version=task.version)

    results = _together(2, engine, one, wait=3)  # the second waits for the first's commit at the application

    assert sorted(r.status for r in results) == ["approved", "approved_on_commitment"]
    session.refresh(application)
    assert application.status == "decided"
    assert [e.action for e in audit.history(session, application.id)].count("conclude") == 1
    assert audit.verify(session)[1] == []
