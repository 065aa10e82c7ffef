"""Helpers the certificate tests share (imported by conftest and the tests), and the workflow tests' case.

``wfcase`` is loaded by file: the workflow tests' folder stays off sys.path, where its conftest would
shadow this folder's.
"""

from __future__ import annotations

import importlib.util
import sys
from datetime import date
from pathlib import Path

from sqlmodel import Session, select

from service.workflow.models import Application, PermitTask

MONDAY = date(2026, 12, 7)


def _load_wfcase() -> None:
    if "wfcase" in sys.modules:
        return
    spec = importlib.util.spec_from_file_location("wfcase", Path(__file__).resolve().parent.parent / "workflow" / "wfcase.py")
    assert spec is not None
    assert spec.loader is not None
    module = sys.modules["wfcase"] = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)


_load_wfcase()

from wfcase import CASE, FORM, SIGNED, Staff, uploads  # noqa: E402  (loaded just above)

__all__ = ["CASE", "FORM", "MONDAY", "SIGNED", "Staff", "task", "uploads"]


def task(session: Session, application: Application, permit: str) -> PermitTask:
    found = session.exec(select(PermitTask).where(PermitTask.application_id == application.id, PermitTask.permit == permit)).one()
    session.refresh(found)
    return found
