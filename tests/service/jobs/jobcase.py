"""The workflow's case taken to acceptance, and the outbox read back, for the job tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlmodel import Session, col, select
from wfcase import SIGNED, Staff, uploads

from composer import Composer
from service.jobs.models import Notification, OutboxRow
from service.models import Draft, User
from service.workflow.models import Application, PermitTask
from service.workflow.storage import LocalFileStore
from service.workflow.submit import submit
from service.workflow.window import accept

MONDAY = date(2026, 12, 7)


def accepted(
    session: Session, staff: Staff, make_draft: Callable[..., Draft], composer: Composer, store: LocalFileStore
) -> tuple[Application, dict[str, PermitTask]]:
    """The shop-and-hotel case submitted and accepted on a Monday: food and fire tasks pending, police waiting."""
    draft = make_draft(staff.applicant)
    application = submit(
        session, actor=staff.applicant, draft_id=draft.id, composer=composer, store=store, uploads=uploads(), signed=SIGNED
    ).application
    tasks = accept(session, actor=staff.clerk, application_id=application.id, version=application.version, today=MONDAY)
    return application, {t.permit: t for t in tasks}


def rows(session: Session) -> list[OutboxRow]:
    session.expire_all()
    return list(session.exec(select(OutboxRow).order_by(col(OutboxRow.id))))


def titles(session: Session, user: User) -> list[str]:
    session.expire_all()
    found = session.exec(select(Notification).where(Notification.user_id == user.id).order_by(col(Notification.title)))
    return [n.title for n in found]
