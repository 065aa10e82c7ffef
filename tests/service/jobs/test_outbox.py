"""The outbox: owed with the change it follows, delivered once, retried with backoff, parked when it keeps failing."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import pytest
from sqlalchemy import Engine, update
from sqlmodel import Session, col, select

from composer.workdays import add_working_days
from service.jobs import notifications, outbox, reminders
from service.jobs.models import Notification, OutboxRow
from service.models import Draft, utcnow
from service.workflow import audit
from service.workflow.inspection import reschedule, schedule
from service.workflow.models import Application, AuditEvent
from service.workflow.roles import Role
from service.workflow.submit import Submitted
from service.workflow.window import accept
from tests.service.jobs.jobcase import MONDAY, accepted, rows, titles
from tests.service.svcutil import make_settings
from tests.service.wfcase import ON_SITE, Staff, add_user, on_site_uploads


def test_every_state_change_owes_one_row_committed_with_it_and_a_rolled_back_change_owes_none(
    session: Session, staff: Staff, make_submitted: Callable[[], Application]
) -> None:
    application, _ = accepted(session, staff, make_submitted)
    changes = session.exec(select(AuditEvent).where(col(AuditEvent.to_state).is_not(None))).all()
    owed = rows(session)
    assert [r.payload["seq"] for r in owed] == [e.seq for e in changes]
    assert {r.topic for r in owed} == {"state"}
    assert all(r.delivered_at is None for r in owed)

    def change() -> None:
        audit.record(
            session, actor=staff.clerk, subject_kind="application", subject_id=application.id, action="x", to_state="decided"
        )

    change()
    session.rollback()  # a change abandoned before commit (a crash, a lost race) takes its outbox row with it
    assert len(rows(session)) == len(owed)
    change()
    session.commit()
    assert len(rows(session)) == len(owed) + 1


def test_the_relay_tells_the_applicant_and_the_ready_departments_once(
    session: Session, engine: Engine, db_url: str, staff: Staff, make_submitted: Callable[[], Application]
) -> None:
    application, _ = accepted(session, staff, make_submitted)
    settings = make_settings(db_url)
    done = outbox.relay(engine, settings, notifications.deliver(settings))
    owed = rows(session)
    assert done.delivered == len(owed)
    assert all(r.delivered_at is not None for r in owed)
    number = application.number
    assert titles(session, staff.applicant) == [
        f"您的申请 {number}：各部门审批中",
        f"您的申请 {number}：已受理",
        f"您的申请 {number}：已提交",
    ]
    assert len(titles(session, staff.fire)) == 1
    assert titles(session, staff.fire)[0].startswith("待办：")
    assert len(titles(session, staff.market)) == 1
    assert titles(session, staff.police) == []  # the hotel permit waits for the fire inspection's result
    assert titles(session, staff.other_applicant) == []

    # Delivered rows are not delivered again, and owing the same work twice makes no second row.
    assert outbox.relay(engine, settings, notifications.deliver(settings)).delivered == 0
    event = session.exec(select(AuditEvent).order_by(col(AuditEvent.seq))).first()
    assert event is not None
    outbox.follow(session, event)
    session.commit()
    assert len(rows(session)) == len(owed)
    assert len(session.exec(select(Notification)).all()) == 5  # three to the applicant, one to each ready department


def test_a_failing_delivery_backs_off_doubling_then_is_parked_logged_and_listed_until_retried(
    session: Session, engine: Engine, db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    settings = make_settings(db_url, outbox_backoff_seconds=10, outbox_max_attempts=3)
    outbox.add(session, topic="email", key="email:test", payload={})
    session.commit()

    def refuse(_session: Session, _row: OutboxRow) -> None:
        raise ConnectionRefusedError("收件服务器拒绝连接")

    waits = []
    for attempt in (1, 2, 3):
        before = utcnow()
        done = outbox.relay(engine, settings, refuse)
        [row] = rows(session)
        assert row.attempts == attempt
        assert "ConnectionRefusedError: 收件服务器拒绝连接" in row.last_error
        assert outbox.relay(engine, settings, refuse).retrying == 0  # not due again until its wait is over
        if attempt < 3:
            assert done.retrying == 1
            assert row.failed_at is None
            waits.append(_aware(row.next_attempt_at) - before)
            session.execute(update(OutboxRow).values(next_attempt_at=utcnow() - timedelta(seconds=1)))
            session.commit()
    assert [round(w.total_seconds()) for w in waits] == [10, 20]
    assert done.failed == [row.id]
    assert row.failed_at is not None
    assert any(r.levelno == logging.ERROR and "failed for good" in r.getMessage() for r in caplog.records)

    found = outbox.status(session)
    assert (found.pending, found.delivered, [r.key for r in found.failed]) == (0, 0, ["email:test"])

    assert row.id is not None
    assert outbox.retry(session, [row.id]) == 1
    delivered: list[str] = []
    assert outbox.relay(engine, settings, lambda _s, r: delivered.append(r.key)).delivered == 1
    assert delivered == ["email:test"]
    assert outbox.status(session).failed == []


def test_due_soon_reminds_the_department_and_overdue_escalates_to_the_supervisor_once_each(
    session: Session, engine: Engine, db_url: str, staff: Staff, make_submitted: Callable[[], Application]
) -> None:
    application, tasks = accepted(session, staff, make_submitted)
    fire = tasks["fire_check"]
    settings = make_settings(db_url)
    outbox.relay(engine, settings, notifications.deliver(settings))  # the acceptance's own notifications
    told_applicant = len(titles(session, staff.applicant))

    assert reminders.remind(session, MONDAY) == 0  # nothing is due soon on the day of acceptance
    session.commit()
    soon = add_working_days(MONDAY, -(-fire.limit_days * 4 // 5))  # 80 % of the working days used, rounded up
    assert reminders.remind(session, soon) >= 1
    session.commit()
    assert reminders.remind(session, soon) == 0  # the same day again owes nothing new
    session.commit()
    outbox.relay(engine, settings, notifications.deliver(settings))
    reminded = [t for t in titles(session, staff.fire) if t.startswith("即将到期")]
    assert reminded == [f"即将到期：{fire.permit_name}（{application.number}）"]

    overdue = add_working_days(fire.due_on, 1)
    assert reminders.remind(session, overdue) >= 1
    session.commit()
    outbox.relay(engine, settings, notifications.deliver(settings))
    escalated = f"已逾期：{fire.permit_name}（{application.number}）"
    assert escalated in titles(session, staff.fire)
    assert escalated in titles(session, staff.supervisor)
    assert escalated not in titles(session, staff.market)
    assert escalated not in titles(session, staff.applicant)
    assert len(titles(session, staff.applicant)) == told_applicant


def test_a_joint_visit_reminds_its_inspectors_on_its_day_and_the_window_once_it_passed_unfinished(
    session: Session,
    engine: Engine,
    db_url: str,
    staff: Staff,
    make_draft: Callable[..., Draft],
    submit_draft: Callable[..., Submitted],
) -> None:
    """The food permit is visited (market's inspector), fire's is not. A visit moved after its reminder was owed
    tells nobody of the old day, and reminds on the new one."""
    wednesday, friday = MONDAY + timedelta(days=2), MONDAY + timedelta(days=4)
    application = submit_draft(make_draft(staff.applicant, ON_SITE), uploads=on_site_uploads(), signed=[]).application
    accept(session, actor=staff.clerk, application_id=application.id, version=None, today=MONDAY)
    market_inspector, _ = add_user(session, Role.inspector, "market")
    schedule(session, actor=staff.clerk, application_id=application.id, visit_on=wednesday, today=MONDAY)
    settings = make_settings(db_url)
    title = f"今天联合踏勘：{application.number}"

    assert reminders.remind_visits(session, MONDAY + timedelta(days=1)) == 0
    assert reminders.remind_visits(session, wednesday) == 1
    session.commit()
    assert reminders.remind_visits(session, wednesday) == 0  # the worker runs every hour
    session.commit()
    # moved before the worker relays the reminder
    reschedule(
        session, actor=staff.clerk, application_id=application.id, visit_on=friday, reason="x", version=None, today=wednesday
    )
    outbox.relay(engine, settings, notifications.deliver(settings))
    assert title not in titles(session, market_inspector)  # nobody is told of a day that no longer holds

    assert reminders.remind_visits(session, friday) == 1
    session.commit()
    outbox.relay(engine, settings, notifications.deliver(settings))
    for told in (staff.applicant, market_inspector):
        assert titles(session, told).count(title) == 1
    assert title not in titles(session, staff.inspector)  # fire's inspector: its permit is decided on papers
    bodies = {n.body for n in session.exec(select(Notification).where(Notification.title == title))}
    assert bodies == {f"申请 {application.number}（{application.applicant_name}）的联合踏勘在今天（2026年12月11日）。"}

    # the day passes with nothing recorded: the window and the district's supervisors hear of it, once
    later = friday + timedelta(days=3)
    assert reminders.remind_visits(session, later) == 1
    session.commit()
    assert reminders.remind_visits(session, later + timedelta(days=1)) == 0
    session.commit()
    outbox.relay(engine, settings, notifications.deliver(settings))
    passed = f"踏勘日已过：{application.number}"
    heard = [u for u in (staff.clerk, staff.supervisor, staff.applicant, market_inspector) if passed in titles(session, u)]
    assert heard == [staff.clerk, staff.supervisor]


def _aware(when: datetime) -> datetime:
    return when if when.tzinfo else when.replace(tzinfo=utcnow().tzinfo)


def test_a_row_of_a_topic_nobody_delivers_is_retried_with_its_reason_not_dropped(
    session: Session, engine: Engine, db_url: str
) -> None:
    settings = make_settings(db_url)
    outbox.add(session, topic="archive", key="archive:1:1", payload={})
    session.commit()
    assert outbox.relay(engine, settings, notifications.deliver(settings)).retrying == 1
    [row] = rows(session)
    assert row.delivered_at is None
    assert "no delivery for outbox topic 'archive'" in row.last_error


def test_two_relays_at_once_deliver_every_row_exactly_once(session: Session, engine: Engine, db_url: str) -> None:
    settings = make_settings(db_url, outbox_batch=7)
    for n in range(120):
        outbox.add(session, topic="bench", key=f"row:{n}", payload={})
    session.commit()
    delivered: list[str] = []
    lock = threading.Lock()

    def count(_session: Session, row: OutboxRow) -> None:
        time.sleep(0.002)  # a delivery takes a moment, so the other relay claims its batches meanwhile
        with lock:
            delivered.append(row.key)

    with ThreadPoolExecutor(2) as pool:
        passes = list(pool.map(lambda _: outbox.relay(engine, settings, count), range(2)))
    assert sorted(delivered) == sorted(f"row:{n}" for n in range(120))
    assert sum(p.delivered for p in passes) == 120
    assert all(p.delivered for p in passes), "one relay did all the work: the race was not run"
