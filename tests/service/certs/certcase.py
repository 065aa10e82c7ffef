"""Helpers the certificate tests share (imported by conftest and the tests), beside the workflow's case."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, select
from wfcase import CASE, FORM, PDF, SIGNED, Staff, uploads

from service.workflow.models import Application, PermitTask

MONDAY = date(2026, 12, 7)

__all__ = ["CASE", "FORM", "MONDAY", "PDF", "SIGNED", "Staff", "task", "uploads"]


def task(session: Session, application: Application, permit: str) -> PermitTask:
    found = session.exec(select(PermitTask).where(PermitTask.application_id == application.id, PermitTask.permit == permit)).one()
    session.refresh(found)
    return found
