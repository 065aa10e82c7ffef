"""Deadline reminders: every open task due soon or overdue owes one reminder per standing and due date."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, select

from service.jobs import outbox
from service.workflow.clock import Clock, Standing
from service.workflow.models import PermitTask

OPEN = ("pending", "rectification_needed")
"""The states a department works a task in (the same as its worklist)."""


def remind(session: Session, today: date) -> int:
    """Owe the reminders due ``today``, in the caller's transaction; how many were new.

    The key holds the due date, so running again the same day adds nothing, and a clock that was paused
    (which moves the due date) reminds afresh.
    """
    new = 0
    for task in session.exec(select(PermitTask).where(col(PermitTask.status).in_(OPEN))):
        standing = Clock(task.clock_started_on, task.limit_days, task.paused_days, task.paused_since).standing(today)
        if standing in (Standing.due_soon, Standing.overdue):
            payload = {"task_id": str(task.id), "standing": str(standing), "due_on": task.due_on.isoformat()}
            new += outbox.add(session, topic="reminder", key=f"{standing}:{task.id}:{task.due_on.isoformat()}", payload=payload)
    return new
