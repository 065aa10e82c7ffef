"""Helpers the certificate tests share (imported by conftest and the tests), beside the workflow's case."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from sqlmodel import Session, select

from composer import Composer
from service.certs import life
from service.certs.models import Certificate
from service.workflow.models import Application, PermitTask
from service.workflow.review import Decision, decide
from service.workflow.storage import LocalFileStore
from tests.service.wfcase import CASE, FORM, PDF, SIGNED, Staff, uploads

MONDAY = date(2026, 12, 7)

__all__ = ["CASE", "FORM", "MONDAY", "PDF", "SIGNED", "Staff", "apply_about", "decide_each", "task", "uploads"]


def task(session: Session, application: Application, permit: str) -> PermitTask:
    found = session.exec(select(PermitTask).where(PermitTask.application_id == application.id, PermitTask.permit == permit)).one()
    session.refresh(found)
    return found


def decide_each(
    session: Session,
    staff: Staff,
    application: Application,
    permits: Collection[str],
    refuse: Collection[str] = (),
    why: tuple[str, str] = ("不符合条件", "《旅馆业治安管理办法》第四条"),
) -> None:
    """Each permit's department decides its task on a Monday: approved, or refused for ``why`` (reason, legal basis)."""
    reviewers = {"market": staff.market, "fire": staff.fire, "police": staff.police}
    for permit in permits:
        current = task(session, application, permit)
        refused = permit in refuse
        decide(
            session,
            actor=reviewers[current.department],
            task_id=current.id,
            decision=Decision.reject if refused else Decision.approve,
            version=current.version,
            reasons=[why[0]] if refused else [],
            legal_basis=[why[1]] if refused else [],
            today=MONDAY,
        )


def apply_about(
    session: Session, staff: Staff, composer: Composer, store: LocalFileStore, certificate: Certificate, asked: life.Asked
) -> Application:
    """The holder's application about ``certificate``, on MONDAY, with no files."""
    return life.apply(
        session,
        actor=staff.applicant,
        certificate_id=certificate.id,
        asked=asked,
        composer=composer,
        store=store,
        uploads=[],
        today=MONDAY,
    )
