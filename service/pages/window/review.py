"""A department reviewer's desk: only the department's tasks, with due date, due soon and overdue; one page to decide.

准予许可, 不予许可 (reasons and legal basis, 行政许可法 Art. 38(2)), or 需整改 (the clock stops until the
applicant reports it done). A permit granted on 告知承诺 comes back for its 核查: passed, or revoked with reasons.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session, col, select
from starlette.datastructures import FormData

from composer.lifecycle import AskedField
from composer.model import FieldOut, Form, FormSection, Sheet
from composer.terms import PAUSES
from forms.validation import form_fields
from service.compose import today
from service.deps import CsrfProtected, CurrentUser, SessionDep
from service.models import User
from service.pages.formdata import text
from service.pages.templating import render
from service.pages.window.applications import PAGE, POST
from service.pages.window.desk import FormPage, desk_router, forbidden, texts, version, with_form_once, works_at
from service.workflow import clock, pauses, review
from service.workflow import inspection as inspections
from service.workflow.clock import STANDING_LABELS
from service.workflow.errors import Invalid, problem
from service.workflow.models import Application, Inspection, PermitTask
from service.workflow.progress import worklist
from service.workflow.roles import Action
from service.workflow.rows import load
from service.workflow.states import INSPECTION_LABELS, TASK_LABELS

router = desk_router()

DECISIONS = {review.Decision.approve: "准予许可", review.Decision.reject: "不予许可", review.Decision.rectify: "需整改"}


@router.get("/review", response_class=Response, responses=PAGE)
def tasks(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """The department's open tasks, soonest due first, each with its standing against the clock."""
    if not works_at(user, Action.decide_task):
        return forbidden(request)
    entries = worklist(session, actor=user, today=today(), statuses=("waiting_dependency", "pending", "rectification_needed"))
    held = inspections.held(session, [e.task for e in entries])
    rows = [
        {
            "e": e,
            "status": TASK_LABELS[e.task.status],
            "held": held.get(e.task.id),
            "standing": STANDING_LABELS[e.standing],
            "standing_id": e.standing.value,
        }
        for e in entries
    ]
    checks = sorted(
        worklist(session, actor=user, today=today(), statuses=("approved_on_commitment",)),
        key=lambda e: e.task.verification_due or e.task.due_on,
    )
    return render(request, "review_tasks.html", {"rows": rows, "checks": checks, "department": user.department})


def _task(session: Session, user: User, task_id: uuid.UUID) -> dict[str, Any]:
    task = load(session, PermitTask, task_id, user, Action.decide_task)
    application = session.get(Application, task.application_id)
    assert application is not None
    fields, used = _form(application, task.permit)
    visit = session.exec(select(Inspection).where(Inspection.application_id == application.id)).first()
    held = inspections.hold(visit, task)
    return {
        **_around(session, application, task, visit),
        "task": task,
        "fields": [f for f in fields if f.id in used],
        "other_fields": [f for f in fields if f.id not in used],
        "status": TASK_LABELS[task.status],
        "standing": STANDING_LABELS[clock.of(task).standing(today())],
        "application": application,
        "decisions": {d: label for d, label in DECISIONS.items() if not (held and d is review.Decision.approve)},
        "held": held,
        "open": task.status in ("pending", "rectification_needed"),
        "procedures": PAUSES,
        "can_stop": task.status == "pending" and task.paused_since is None,
        "verifying": task.status == "approved_on_commitment",
    }


def _around(session: Session, application: Application, task: PermitTask, visit: Inspection | None) -> dict[str, Any]:
    """What the reviewer decides beside: the permits it waits for, the joint visit's findings on it, the application's
    other permits."""
    tasks = session.exec(select(PermitTask).where(PermitTask.application_id == application.id).order_by(col(PermitTask.permit)))
    by_permit = {t.permit: t for t in tasks}
    if visit is not None and task.permit not in visit.permits:
        visit = None
    requirements = {e["id"]: e["text"] for e in inspections.checklist(application).get(task.permit, [])}
    found = [f for f in inspections.findings(session, visit) if f.permit == task.permit] if visit else []
    return {
        "depends": [(by_permit[p].permit_name, TASK_LABELS[by_permit[p].status]) for p in task.depends_on if p in by_permit],
        "others": [{"t": t, "status": TASK_LABELS[t.status]} for t in by_permit.values() if t.id != task.id],
        "visit": visit,
        "visit_status": INSPECTION_LABELS[visit.status] if visit else "",
        "findings": [{"f": f, "text": requirements.get(f.element, f.element)} for f in found],
    }


def _form(application: Application, permit: str) -> tuple[list[FieldOut], set[str]]:
    """The fields the application was asked, in order, and those ``permit`` uses."""
    lifecycle = application.composition.get("lifecycle")
    if lifecycle is not None:  # about a certificate: only what its kind asks (composer.lifecycle), none on commitment
        asked = [AskedField.model_validate(f) for f in lifecycle["fields"]]
        fields = [
            FieldOut(id=f.id, label=f.label, type=f.type.value, required=False, max_length=f.max_length, permits=f.permits)
            for f in asked
        ]
        return fields, {f.id for f in asked if not f.permits or permit in f.permits}  # none named: every permit's
    form = Form.model_validate(application.composition["form"])
    # a permit not merged into the one form asks on its own sheet too: a field there is this permit's as well
    parts: list[FormSection | Sheet] = [*form.sections, *form.sheets]
    used = {f.id for part in parts for f in part.fields if permit in f.permits}
    return list(form_fields(form)), used


TASK = FormPage("review_task.html", _task)


@router.get("/review/tasks/{task_id}", response_class=Response, responses=PAGE)
def task_page(request: Request, session: SessionDep, user: CurrentUser, task_id: uuid.UUID) -> Response:
    """One task: the application as submitted, the permits it waits for, the joint visit's findings on it, the progress
    of the application's other permits, and the decision form."""
    return TASK.show(request, session, user, task_id)


@router.post("/review/tasks/{task_id}", response_class=Response, responses=POST, dependencies=[CsrfProtected])
async def decide(request: Request, session: SessionDep, user: CurrentUser, task_id: uuid.UUID) -> Response:
    """Record the department's decision on the task."""
    return await with_form_once(request, session, user, _decide, request, session, user, task_id)


def _decide(request: Request, session: Session, user: User, task_id: uuid.UUID, form: FormData) -> Response:
    try:
        raw = form.get("decision")
        try:
            decision = review.Decision(raw if isinstance(raw, str) else "")
        except ValueError:
            raise Invalid([problem("decision_required", "请选择审批决定", "decision")]) from None
        review.decide(
            session,
            actor=user,
            task_id=task_id,
            decision=decision,
            version=version(form),
            reasons=texts(form, "reasons"),
            legal_basis=texts(form, "legal_basis"),
        )
    except Invalid as exc:
        return TASK.show(request, session, user, task_id, problems=exc.problems)
    return RedirectResponse("/review", status_code=303)


@router.post("/review/tasks/{task_id}/extension", response_class=Response, responses=POST, dependencies=[CsrfProtected])
async def extend(request: Request, session: SessionDep, user: CurrentUser, task_id: uuid.UUID) -> Response:
    """Extend the task's time limit once, approved by the department's head, the reason told to the applicant."""
    return await with_form_once(request, session, user, _extend, request, session, user, task_id)


def _extend(request: Request, session: Session, user: User, task_id: uuid.UUID, form: FormData) -> Response:
    try:
        review.extend(
            session,
            actor=user,
            task_id=task_id,
            reason=text(form, "reason"),
            approved_by=text(form, "approved_by"),
            version=version(form),
        )
    except Invalid as exc:
        return TASK.show(request, session, user, task_id, problems=exc.problems)
    return RedirectResponse(f"/review/tasks/{task_id}", status_code=303)


@router.post("/review/tasks/{task_id}/clock/{step}", response_class=Response, responses=POST, dependencies=[CsrfProtected])
async def stop_or_resume(request: Request, session: SessionDep, user: CurrentUser, task_id: uuid.UUID, step: str) -> Response:
    """``stop``: a procedure of 行政许可法 Art. 45 begins (which, the working days it needs, a note), the applicant is
    told in writing and the clock stops; ``resume``: it has ended and the clock runs again."""
    return await with_form_once(request, session, user, _clock, request, session, user, task_id, step)


def _clock(request: Request, session: Session, user: User, task_id: uuid.UUID, step: str, form: FormData) -> Response:
    try:
        if step == "stop":
            days = text(form, "days", 10).strip()
            pauses.stop(
                session,
                actor=user,
                task_id=task_id,
                kind=text(form, "kind", 40),
                days=int(days) if days.isdigit() else 0,
                note=text(form, "note"),
                version=version(form),
            )
        elif step == "resume":
            pauses.resume(session, actor=user, task_id=task_id, version=version(form))
        else:
            raise Invalid([problem("unknown_action", "没有这项操作", "path", step[:40])])
    except Invalid as exc:
        return TASK.show(request, session, user, task_id, problems=exc.problems)
    return RedirectResponse(f"/review/tasks/{task_id}", status_code=303)


@router.post("/review/tasks/{task_id}/verification", response_class=Response, responses=POST, dependencies=[CsrfProtected])
async def verify(request: Request, session: SessionDep, user: CurrentUser, task_id: uuid.UUID) -> Response:
    """Record the 核查 of a permit granted on commitment: passed, or failed and the permit revoked."""
    return await with_form_once(request, session, user, _verify, request, session, user, task_id)


def _verify(request: Request, session: Session, user: User, task_id: uuid.UUID, form: FormData) -> Response:
    outcome, reason = form.get("outcome"), form.get("reason")
    try:
        if outcome not in ("pass", "fail"):
            raise Invalid([problem("outcome_required", "请选择核查结果", "outcome")])
        review.record_verification(
            session,
            actor=user,
            task_id=task_id,
            passed=outcome == "pass",
            version=version(form),
            reason=reason if isinstance(reason, str) else "",
        )
    except Invalid as exc:
        return TASK.show(request, session, user, task_id, problems=exc.problems)
    return RedirectResponse("/review", status_code=303)
