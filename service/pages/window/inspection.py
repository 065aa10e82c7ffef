"""The inspector's desk: the joint inspections concerning the department, and the checklist generated from the pack.

At the visit every element of the department's permit gets a finding; at the re-check only the permits
with failed items are looked at again.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session, col, select
from starlette.datastructures import FormData

from service.compose import today
from service.deps import CsrfProtected, CurrentUser, SessionDep
from service.models import User
from service.pages.templating import render
from service.pages.window.applications import PAGE, POST
from service.pages.window.desk import desk_router, forbidden, render_form_page, version, with_form_once, works_at
from service.workflow import inspection as inspections
from service.workflow.errors import Forbidden, Invalid, NotFound, problem
from service.workflow.models import Application, Inspection
from service.workflow.roles import Action, Role, may
from service.workflow.states import INSPECTION_LABELS

router = desk_router()

OPEN = ("scheduled", "rectified")
"""An inspection in these states waits for the inspectors: the visit, or the re-check."""


@dataclass(frozen=True)
class _Department:
    """Any subject of one department, to ask whether the inspector works for it."""

    departments: list[str]
    owner_id: uuid.UUID = uuid.UUID(int=0)


@router.get("/inspection", response_class=Response, responses=PAGE)
def visits(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """The visits and re-checks waiting for the inspector's department."""
    if not works_at(user, Action.record_inspection):
        return forbidden(request)
    statement = (
        select(Inspection, Application.number, Application.applicant_name)
        .join(Application, col(Application.id) == Inspection.application_id)
        .where(col(Inspection.status).in_(OPEN))
        .order_by(col(Inspection.visit_on))
    )
    on = today()
    rows = [
        {"i": i, "number": number, "name": name, "status": INSPECTION_LABELS[i.status], "day": _visit_day(i, on)}
        for i, number, name in session.exec(statement)
        if user.department in i.departments
    ]
    return render(request, "inspection_list.html", {"rows": rows, "department": user.department})


def _visit_day(inspection: Inspection, on: date) -> tuple[str, str] | None:
    """A visit due ``on`` that day, or one whose day has passed unfinished, as its tag's style and text; else None."""
    if inspections.past_the_visit(inspection, on):
        return ("overdue", "踏勘日已过，尚未完成")
    if inspection.status == "scheduled" and inspection.visit_on == on:
        return ("green", "今天踏勘")
    return None


@router.get("/inspection/{inspection_id}", response_class=Response, responses=PAGE)
def checklist_page(request: Request, session: SessionDep, user: CurrentUser, inspection_id: uuid.UUID) -> Response:
    """The checklist of the department's permits at this visit (or re-check), from the pack's requirement elements."""
    return _checklist_page(request, session, user, inspection_id)


def _load(session: Session, user: User, inspection_id: uuid.UUID) -> tuple[Inspection, Application]:
    inspection = session.get(Inspection, inspection_id)
    if inspection is None or (user.role == Role.applicant and inspection.owner_id != user.id):
        raise NotFound([problem("not_found", "没有这次联合踏勘", "inspection_id", str(inspection_id))])
    if not may(user, Action.record_inspection, _Department(inspection.departments)):
        raise Forbidden([problem("forbidden", "这次联合踏勘不涉及您所在的部门", "inspection_id", str(inspection_id))])
    application = session.get(Application, inspection.application_id)
    assert application is not None
    return inspection, application


def _due(inspection: Inspection) -> list[str]:
    """The permits still to record in this round: all at the visit, the failed ones at the re-check."""
    if inspection.status == "scheduled":
        due = list(inspection.permits)
    elif inspection.status == "rectified":
        due = sorted({i["permit"] for i in inspection.rectification})
    else:
        due = []
    return [p for p in due if p not in inspection.recorded]


def _checklist_page(
    request: Request, session: Session, user: User, inspection_id: uuid.UUID, problems: Any = (), status: int = 200
) -> Response:
    inspection, application = _load(session, user, inspection_id)
    departments = {p["id"]: p["department"] for p in application.composition["permits"]}
    permits = inspections.sheets(application, [p for p in _due(inspection) if departments[p] == user.department])
    context = {
        "inspection": inspection,
        "application": application,
        "address": inspections.visit_address(application),
        "phone": application.form_values.get("contact_phone") or "",
        "status": INSPECTION_LABELS[inspection.status],
        "permits": permits,
        "rectification": inspection.rectification if inspection.status == "rectified" else [],
        "not_yet": inspections.before_the_visit(inspection, today()),
    }
    return render_form_page(request, "inspection_checklist.html", context, problems, status, per_subject=("results", "result"))


@router.post("/inspection/{inspection_id}/{permit}", response_class=Response, responses=POST, dependencies=[CsrfProtected])
async def record(request: Request, session: SessionDep, user: CurrentUser, inspection_id: uuid.UUID, permit: str) -> Response:
    """Record the findings for one permit: one per element of its checklist."""
    return await with_form_once(request, session, user, _record, request, session, user, inspection_id, permit)


def _record(request: Request, session: Session, user: User, inspection_id: uuid.UUID, permit: str, form: FormData) -> Response:
    try:
        inspections.record(
            session, actor=user, inspection_id=inspection_id, permit=permit, results=_results(form), version=version(form)
        )
    except Invalid as exc:
        return _checklist_page(request, session, user, inspection_id, exc.problems, status=400)
    return RedirectResponse("/inspection", status_code=303)


def _results(form: FormData) -> list[inspections.Result]:
    """``result.<element>`` (pass or fail) with ``note.<element>``; an element left unanswered is reported by the workflow."""
    results = []
    for name, value in form.multi_items():
        if name.startswith("result.") and value in ("pass", "fail"):
            element = name.removeprefix("result.")
            note = form.get(f"note.{element}")
            results.append(inspections.Result(element, value == "pass", note if isinstance(note, str) else ""))
    return results
