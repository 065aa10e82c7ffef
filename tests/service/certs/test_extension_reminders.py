"""The holder is reminded to apply for extension 90 and 30 days before the earliest term ends, once each, through the
outbox; a term that has ended has the certificate's recovery recorded."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session, col, select

from certificates.face import CertificateFace
from composer import Composer
from rules.model import LifecycleKind
from service.certs import holdings, life
from service.certs.models import Certificate
from service.jobs import notifications, outbox, reminders
from service.jobs.models import Notification
from service.workflow import audit
from service.workflow.storage import LocalFileStore
from service.workflow.window import refuse
from tests.service.certs.certcase import Staff, apply_about
from tests.service.svcutil import make_settings


@pytest.fixture(autouse=True)
def _empty_outbox(engine: Engine) -> Iterator[None]:
    yield
    with Session(engine) as s:
        s.exec(text("DELETE FROM notification"))  # type: ignore[call-overload]
        s.exec(text("DELETE FROM outbox"))  # type: ignore[call-overload]
        s.commit()


def _earliest(certificate: Certificate) -> date:
    terms = [p.valid_to for p in CertificateFace.model_validate(certificate.face).permits if p.valid_to]
    return min(terms)


def _remind(session: Session, on: date) -> int:
    new = reminders.remind_extensions(session, on)
    session.commit()
    return new


def _told(session: Session, engine: Engine, db_url: str, staff: Staff) -> list[str]:
    settings = make_settings(db_url)
    outbox.relay(engine, settings, notifications.deliver(settings))
    session.expire_all()
    found = session.exec(
        select(Notification).where(Notification.user_id == staff.applicant.id).order_by(col(Notification.created_at))
    )
    return [n.body for n in found if n.title.startswith("请及时申请延续")]


def test_the_holder_is_reminded_at_90_and_30_days_once_each_with_the_way_to_apply(
    session: Session, engine: Engine, db_url: str, staff: Staff, issued: Certificate
) -> None:
    ends = _earliest(issued)
    assert _remind(session, ends - timedelta(days=91)) == 0
    assert _remind(session, ends - timedelta(days=90)) == 1
    assert _remind(session, ends - timedelta(days=60)) == 0  # the 90-day reminder was owed once
    assert _remind(session, ends - timedelta(days=30)) == 1
    assert _remind(session, ends - timedelta(days=1)) == 0
    told = _told(session, engine, db_url, staff)
    assert len(told) == 2
    assert "还有 90 天" in told[0]
    assert "还有 30 天" in told[1]
    assert all(f"/certificates/{issued.id}/apply/extension" in body and "第五十条" in body for body in told)


def test_a_permit_under_extension_is_not_reminded_and_an_ended_term_records_the_recovery(
    session: Session, staff: Staff, composer: Composer, store: LocalFileStore, issued: Certificate
) -> None:
    ends = _earliest(issued)
    asked = life.Asked(LifecycleKind.extension, {"food_safety_manager": "王五"}, permits=["food_business"])
    applied = apply_about(session, staff, composer, store, issued, asked)
    assert _remind(session, ends - timedelta(days=30)) == 0  # 延续中: the department decides before the term ends
    refuse(session, actor=staff.clerk, application_id=applied.id, reasons=["申请人未到场确认"], version=applied.version)
    assert _remind(session, ends + timedelta(days=1)) == 0
    session.refresh(issued)
    assert (issued.recovery_reason, [e.action for e in audit.history(session, issued.id)]) == (
        "子许可已过期",
        ["issue", "recover"],
    )


def test_the_holder_is_told_when_a_department_ends_their_permit(
    session: Session, engine: Engine, db_url: str, staff: Staff, issued: Certificate
) -> None:
    holdings.end_permit(
        session, actor=staff.police, application_id=issued.application_id, permit="hotel_trade", how="revoke", reason="违法经营"
    )
    settings = make_settings(db_url)
    outbox.relay(engine, settings, notifications.deliver(settings))
    session.expire_all()
    told = session.exec(select(Notification).where(Notification.user_id == staff.applicant.id)).all()
    revoked = [n for n in told if n.title == "特种行业许可证（旅馆业）：已吊销"]
    assert len(revoked) == 1
    assert "违法经营" in revoked[0].body
