"""Deadline reminders: every open task due soon or overdue owes one reminder per standing and due date; a joint
visit owes one on its day to the applicant and the inspectors, and one to the window and the supervisors once its
day has passed unfinished; every certificate owes its holder a reminder to apply for extension 90 and 30 days
before its earliest term ends."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from certificates.status import ItemState
from service.certs.holdings import live
from service.certs.lifecycle import record_recovery
from service.certs.models import Certificate
from service.jobs import outbox
from service.workflow import clock
from service.workflow.clock import Standing
from service.workflow.models import Inspection, PermitTask

OPEN = ("pending", "rectification_needed")
"""The states a department works a task in (the same as its worklist)."""


def remind(session: Session, today: date) -> int:
    """Owe the reminders due ``today``, in the caller's transaction; how many were new.

    The key holds the due date, so running again the same day adds nothing, and a clock that was paused
    (which moves the due date) reminds afresh.
    """
    new = 0
    for task in session.exec(select(PermitTask).where(col(PermitTask.status).in_(OPEN))):
        standing = clock.of(task).standing(today)
        if standing in (Standing.due_soon, Standing.overdue):
            payload = {"task_id": str(task.id), "standing": str(standing), "due_on": task.due_on.isoformat()}
            new += outbox.add(session, topic="reminder", key=f"{standing}:{task.id}:{task.due_on.isoformat()}", payload=payload)
    return new


def remind_visits(session: Session, today: date) -> int:
    """Owe a reminder for each joint visit booked for ``today``, and one to the window and the supervisors for each
    whose day has passed unfinished; how many were new (once per booked day: a visit moved owes them afresh)."""
    new = 0
    for visit in session.exec(select(Inspection).where(Inspection.status == "scheduled", Inspection.visit_on <= today)):
        overdue = visit.visit_on < today
        payload = {"inspection_id": str(visit.id), "visit_on": visit.visit_on.isoformat(), "overdue": overdue}
        key = f"{'visit-overdue' if overdue else 'visit'}:{visit.id}:{visit.visit_on.isoformat()}"
        new += outbox.add(session, topic="visit", key=key, payload=payload)
    return new


EXTENSION_MARKS = (30, 90)
"""Days before a term ends when the holder is reminded: 行政许可法 Art. 50 wants the application 30 days before it
ends, and 90 leaves time to gather the materials."""

IN_FORCE = frozenset({ItemState.valid, ItemState.changed, ItemState.suspended})
"""States in which a term runs out unless extended (one under extension waits for its decision, Art. 50)."""


def remind_extensions(session: Session, today: date) -> int:
    """Owe each holder one reminder per mark before the earliest term of their certificate ends; how many were new.

    A certificate a term has already ended is void (derived on read); its recovery (收回) is recorded here.
    """
    new = 0
    for certificate in due_for_extension(session, today):
        record = live(session, certificate.application_id, today)
        status = record.status(certificate, certificate, today)
        if status.void_because:
            ended = status.void_because[0]
            record_recovery(session, actor=None, application_id=certificate.application_id, permit=ended, reason="子许可已过期")
            continue
        terms = [
            (record.terms.get(p["permit"]) or date.fromisoformat(p["valid_to"]), p["permit"])
            for p in certificate.face["permits"]
            if p["valid_to"] and record.states.get(p["permit"]) in IN_FORCE
        ]
        if not terms:
            continue
        ends, permit = min(terms)
        left = (ends - today).days
        mark = next((m for m in EXTENSION_MARKS if left <= m), None)
        if mark is None:
            continue
        payload = {"certificate_id": str(certificate.id), "permit": permit, "valid_to": ends.isoformat(), "days_left": left}
        key = f"extension:{certificate.id}:{ends.isoformat()}:{mark}"
        new += outbox.add(session, topic="extension", key=key, payload=payload)
    return new


def due_query(today: date) -> SelectOfScalar[Certificate]:
    """The versions in force whose earliest term ends within the farthest mark (or has ended): a range of an index."""
    horizon = today + timedelta(days=max(EXTENSION_MARKS))
    # expires_on is kept in the transaction of every change of a term (service/certs/terms.py)
    return select(Certificate).where(
        col(Certificate.superseded_at).is_(None), col(Certificate.recovered_at).is_(None), col(Certificate.expires_on) <= horizon
    )


def due_for_extension(session: Session, today: date) -> list[Certificate]:
    return list(session.exec(due_query(today)))
