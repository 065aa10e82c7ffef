"""The window clerk's workbench (综合窗口): the queue, one page per application, and the window's decisions.

On an application's page the clerk finds every material received, missing or not acceptable (with a
reason) and then sends one correction notice, accepts (受理) or refuses (不予受理, with reasons); once the
departments are at work, the clerk schedules the one joint inspection on a working day.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session, col, select
from starlette.datastructures import FormData

from service.certs import life
from service.certs.lifecycle import certificate_title, current, issue_clock, outcome, tasks_of, to_issue
from service.certs.models import LifecycleRequest
from service.compose import today
from service.deps import CsrfProtected, CurrentUser, SessionDep
from service.models import User
from service.pages.formdata import text
from service.pages.templating import render
from service.pages.window.applications import PAGE, POST
from service.pages.window.desk import FormPage, desk_router, forbidden, refused, texts, version, with_form_once, works_at
from service.registry import PackRegistry
from service.workflow import inspection as inspections
from service.workflow import joint, window
from service.workflow.clock import STANDING_LABELS
from service.workflow.errors import Invalid, problem
from service.workflow.models import LISTED, Application, Inspection, PermitTask
from service.workflow.progress import WAITING, answer_due, intake
from service.workflow.roles import Action
from service.workflow.rows import load
from service.workflow.states import APPLICATION_LABELS
from service.workflow.window import FINDING_LABELS, Finding, MaterialCheck

router = desk_router()


@router.get("/window", response_class=Response, responses=PAGE)
def queue(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """The queue: applications waiting for the completeness check, those near or past their joint handling's limit,
    accepted ones still to schedule a visit, visits whose day passed unfinished, and decided ones still to be issued
    their certificate (or its next version)."""
    if not works_at(user, Action.check_materials):
        return forbidden(request)
    scheduled = select(Inspection.application_id)
    on_site = select(PermitTask.application_id).where(PermitTask.on_site)
    to_schedule = session.exec(
        select(Application)
        .where(Application.status == "in_approval", col(Application.id).not_in(scheduled), col(Application.id).in_(on_site))
        .order_by(col(Application.accepted_at))
        .options(*LISTED)
    )
    waiting = [
        {"e": e, "status": APPLICATION_LABELS[e.application.status], "label": STANDING_LABELS[e.standing]}
        for e in intake(session, actor=user, today=today())
    ]
    closing = [
        {"a": a, "standing": standing, "label": STANDING_LABELS[standing]} for a, standing in joint.closing(session, today())
    ]
    context = {
        "waiting": waiting,
        "closing": closing,
        "to_schedule": list(to_schedule),
        "overdue": inspections.overdue(session, today()),
        "to_issue": [_issuing(application, request) for application, request in to_issue(session)],
    }
    return render(request, "window_queue.html", context)


def _issuing(application: Application, request: LifecycleRequest | None) -> dict[str, Any]:
    """A certificate to issue, with the day it is due by and where that stands."""
    clock = issue_clock(application)
    standing = clock.standing(today())
    label = STANDING_LABELS[standing]
    return {"a": application, "request": request, "due_on": clock.due_on, "standing": standing, "label": label}


def _desk(session: Session, user: User, application_id: uuid.UUID, registry: PackRegistry, posted: str = "") -> dict[str, Any]:
    """The page's context; ``posted`` names the form just sent, whose section opens again to show its problems."""
    application = load(session, Application, application_id, user, Action.check_materials)
    composer = registry.get(application.pack_id)
    received: dict[str, list[Any]] = {}
    for f in window.files(session, application):
        received.setdefault(f.material, []).append(f)
    inspection = session.exec(select(Inspection).where(Inspection.application_id == application.id)).first()
    lifecycle = life.request_of(session, application.id)
    decided = application.status == "decided"
    decided_change = lifecycle if lifecycle is not None and lifecycle.kind == "change" and decided else None
    arrived, answer_by = answer_due(session, application) if application.status in WAITING else (None, None)
    joint_standing = joint.standing(application, today())
    return {
        "application": application,
        "status": APPLICATION_LABELS[application.status],
        "materials": [
            {"key": k, "name": n, "files": received.get(k, [])} for k, n in window.required_materials(application).items()
        ],
        "findings": FINDING_LABELS,
        "checking": application.status in WAITING,
        "arrived": arrived,
        "answer_by": answer_by,
        "answer_late": answer_by is not None and today() > answer_by,
        "can_schedule": application.status == "in_approval" and inspection is None and bool(inspections.checklist(application)),
        "inspection": inspection,
        "visit_overdue": inspection is not None and inspections.past_the_visit(inspection, today()),
        "handling": application.status == joint.HANDLING,
        "joint": joint_standing,
        "joint_label": STANDING_LABELS[joint_standing],
        "lifecycle": lifecycle,
        "outcome": outcome(decided_change, tasks_of(session, application.id)).value if decided_change else None,
        "kinds": {k.value: v for k, v in life.KIND_LABELS.items()},
        "certificate": current(session, application.id),
        "title": certificate_title(composer) if composer is not None else None,
        "today": today().isoformat(),
        "posted": posted,
    }


DESK = FormPage("window_application.html", _desk, per_subject=("checks", "finding"))


@router.get("/window/applications/{application_id}", response_class=Response, responses=PAGE)
def application_desk(request: Request, session: SessionDep, user: CurrentUser, application_id: uuid.UUID) -> Response:
    """One application at the window: its materials to check, and the window's decisions."""
    return DESK.show(request, session, user, application_id, request.app.state.registry)


@router.post(
    "/window/applications/{application_id}/{decision}", response_class=Response, responses=POST, dependencies=[CsrfProtected]
)
async def decide(request: Request, session: SessionDep, user: CurrentUser, application_id: uuid.UUID, decision: str) -> Response:
    """The window's decision: ``correction`` (one notice), ``accept``, ``refuse``, ``inspection`` (schedule the visit),
    ``reschedule`` (move it) or ``extension`` (of the joint handling's limit, as the district government approved)."""
    return await with_form_once(request, session, user, _decide, request, session, user, application_id, decision)


def _decide(request: Request, session: Session, user: User, application_id: uuid.UUID, decision: str, form: FormData) -> Response:
    try:
        if decision == "correction":
            window.request_correction(
                session, actor=user, application_id=application_id, checks=_checks(form), version=version(form)
            )
        elif decision == "accept":
            window.accept(session, actor=user, application_id=application_id, version=version(form))
        elif decision == "refuse":
            window.refuse(
                session, actor=user, application_id=application_id, reasons=texts(form, "reasons"), version=version(form)
            )
        elif decision == "inspection":
            inspections.schedule(session, actor=user, application_id=application_id, visit_on=_day(form.get("visit_on")))
        elif decision == "extension":
            _extend(session, user, application_id, form)
        elif decision == "reschedule":
            inspections.reschedule(
                session,
                actor=user,
                application_id=application_id,
                visit_on=_day(form.get("visit_on")),
                reason="\n".join(texts(form, "reason")),
                version=version(form),
            )
        else:
            return refused(request, Invalid([problem("unknown_action", "没有这项操作", "path", decision[:40])]))
    except Invalid as exc:
        return DESK.show(request, session, user, application_id, request.app.state.registry, decision, problems=exc.problems)
    stays = ("inspection", "reschedule", "extension")
    return RedirectResponse("/window" if decision not in stays else f"/window/applications/{application_id}", status_code=303)


JOINT_FIELDS = {"reason": "joint_reason", "approved_by": "joint_approved_by"}
"""The extension form's fields, named apart from the visit's reason beside it on the page."""


def _extend(session: Session, user: User, application_id: uuid.UUID, form: FormData) -> None:
    try:
        joint.extend(
            session,
            actor=user,
            application_id=application_id,
            reason=text(form, JOINT_FIELDS["reason"]),
            approved_by=text(form, JOINT_FIELDS["approved_by"]),
            version=version(form),
        )
    except Invalid as exc:
        raise Invalid([replace(p, where=JOINT_FIELDS.get(p.where, p.where)) for p in exc.problems]) from None


def _checks(form: FormData) -> list[MaterialCheck]:
    """One finding per material named in the form (``finding.<key>``, ``reason.<key>``)."""
    checks = []
    for name, value in form.multi_items():
        if name.startswith("finding.") and isinstance(value, str):
            key = name.removeprefix("finding.")
            reason = form.get(f"reason.{key}")
            try:
                finding = Finding(value)
            except ValueError:
                raise Invalid([problem("finding_unknown", "请选择已收到、缺少或不符合要求", f"finding.{key}", key)]) from None
            checks.append(MaterialCheck(key, finding, reason if isinstance(reason, str) else ""))
    return checks


def _day(raw: object) -> date:
    try:
        return date.fromisoformat(raw) if isinstance(raw, str) else date.min
    except ValueError:
        raise Invalid([problem("bad_visit_day", "请填写踏勘日期，例如 2026-12-09", "visit_on")]) from None
