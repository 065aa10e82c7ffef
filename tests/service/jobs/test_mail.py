"""E-mail through a real SMTP server: one per notification, Chinese then English, delivered after the server refuses once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import Engine, update
from sqlmodel import Session, col

from service.jobs import notifications, outbox
from service.jobs.models import OutboxRow
from service.models import utcnow
from service.workflow.models import Application
from tests.service.jobs.jobcase import Mailbox, accepted, rows
from tests.service.svcutil import make_settings
from tests.service.wfcase import Staff


def test_each_notification_is_mailed_once_to_its_user_in_chinese_then_english_and_a_refusal_is_retried(
    session: Session,
    engine: Engine,
    db_url: str,
    staff: Staff,
    make_submitted: Callable[[], Application],
    mailbox: tuple[Mailbox, int],
) -> None:
    box, port = mailbox
    box.refuse = 1  # the first message gets "451 try again later"
    settings = make_settings(db_url, smtp_host="127.0.0.1", smtp_port=port, outbox_backoff_seconds=60)
    application, _ = accepted(session, staff, make_submitted)

    first = outbox.relay(engine, settings, notifications.deliver(settings))
    emails = [r for r in rows(session) if r.topic == "email"]
    assert len(emails) == 5  # three to the applicant, one to each department's reviewer whose task is ready
    assert first.retrying == 1
    [refused] = [r for r in emails if r.attempts == 1]
    assert refused.delivered_at is None
    assert "451" in refused.last_error
    assert len(box.messages) == 4

    # Its wait is not over: nothing is sent again until it is.
    assert outbox.relay(engine, settings, notifications.deliver(settings)).delivered == 0
    session.execute(
        update(OutboxRow).where(col(OutboxRow.id) == refused.id).values(next_attempt_at=utcnow() - timedelta(seconds=1))
    )
    session.commit()
    assert outbox.relay(engine, settings, notifications.deliver(settings)).delivered == 1

    assert len(box.messages) == 5
    assert len(set(box.message_ids())) == 5
    assert all(r.delivered_at is not None for r in rows(session))
    to_applicant = [m for m in box.messages if m["To"] == staff.applicant.email]
    number = application.number
    assert sorted(str(s) for s in box.subjects() if number in s and "您的申请" in s) == sorted(
        f"您的申请 {number}：{zh} / Your application {number}: {en}"
        for zh, en in (("已提交", "Submitted"), ("已受理", "Accepted"), ("各部门审批中", "In approval by the departments"))
    )
    assert len(to_applicant) == 3
    to_fire = f"待办：公众聚集场所消防安全检查（{number}） / To do: Fire-safety inspection ({number})"  # named by the pack
    assert to_fire in [str(s) for s in box.subjects()]
    body = to_applicant[0].get_payload(decode=True).decode()  # type: ignore[union-attr]
    assert body.index(f"申请 {number} 现为") < body.index(f"Application {number} is now") < body.index("/notifications")
