"""The applicant's pages: submit a complete draft, the confirmation, 我的申请, and one application with its timeline.

On its page the applicant answers the correction notice (uploading only what it asks for) and reports a
rectification done. Every handler goes through ``service/workflow/``, which asks ``may()``.
"""

from __future__ import annotations

import uuid
from typing import Any, TypeVar
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session, col, select
from starlette.datastructures import FormData

from composer.model import ComposeRequest
from forms.receipt import render_receipt_pdf
from service.certs import life
from service.certs.lifecycle import GRANTED, current, issue_clock
from service.certs.models import Certificate
from service.compose import today
from service.deps import CsrfProtected, CurrentUser, LangDep, OwnDraft, RegistryDep, SessionDep
from service.models import Draft, StoredComposition, User
from service.pages import responses as pages
from service.pages.templating import render
from service.pages.window.desk import (
    FileStoreDep,
    FormPage,
    desk_router,
    forbidden,
    render_form_page,
    uploads,
    version,
    with_form,
    with_form_once,
    works_at,
)
from service.registry import PackRegistry
from service.workflow import inspection as inspections
from service.workflow import review, window
from service.workflow.errors import Invalid, NotFound, problem
from service.workflow.models import LISTED, Application, Inspection, MaterialFile, PermitTask
from service.workflow.progress import WAITING, answer_due, timeline
from service.workflow.receipt import receipt_of
from service.workflow.roles import Action, Role, may
from service.workflow.rows import load
from service.workflow.states import APPLICATION_LABELS, INSPECTION_LABELS, TASK_LABELS
from service.workflow.storage import LocalFileStore
from service.workflow.submit import submit

router = desk_router()

Row = TypeVar("Row", Inspection, PermitTask)

PAGE: dict[int | str, dict[str, Any]] = {
    200: pages.PAGE,
    303: pages.TO_SIGN_IN,
    403: pages.html("Not this role's page, or not this user's action"),
    404: pages.NOT_FOUND,
    422: pages.INVALID,
}
POST: dict[int | str, dict[str, Any]] = {
    303: {"description": "Done: on to the next page"},
    400: pages.FORM_ERRORS,
    403: pages.html("The CSRF token is wrong, or the action is not this user's: nothing was written"),
    404: pages.NOT_FOUND,
    409: pages.html("Someone acted first, or the state does not allow it: nothing was written"),
    413: pages.TOO_LARGE,
    422: pages.INVALID,
}


def _draft_composition(session: Session, draft: Draft, registry: PackRegistry) -> dict[str, Any] | None:
    """The composition the draft was last shown with, composed again from its stored input."""
    composer = registry.get(draft.pack_id)
    stored = session.get(StoredComposition, draft.composition_id) if draft.composition_id else None
    if composer is None or stored is None:
        return None
    composition, _ = composer.compose_json(ComposeRequest.model_validate(stored.input))
    return composition.model_dump(mode="json")


def _submitted(session: Session, draft: Draft) -> Application | None:
    return session.exec(select(Application).where(Application.draft_id == draft.id)).first()


WALK_IN_FIELDS = ("name", "id_number", "phone")
"""The walk-in applicant's identity on the counter's submit page, posted as ``applicant.<field>``."""


def _walk_in(user: User, form: FormData | None) -> dict[str, str] | None:
    """At the counter (a clerk submitting), the identity as posted (empty before the first post); online, None."""
    if user.role == Role.applicant:
        return None
    raw = {name: form.get(f"applicant.{name}") if form else None for name in WALK_IN_FIELDS}
    return {name: value if isinstance(value, str) else "" for name, value in raw.items()}


def _submit_page(
    request: Request,
    draft: Draft,
    composition: dict[str, Any],
    walk_in: dict[str, str] | None,
    problems: Any = (),
    status: int = 200,
) -> Response:
    context = {
        "draft": draft,
        "walk_in": walk_in,
        "materials": [m for m in composition["materials"] if m["status"] == "submit"],
        "commitments": composition["commitments"],
    }
    return render_form_page(request, "submit.html", context, problems, status)


@router.get("/drafts/{draft_id}/submit", response_class=Response, responses=PAGE)
def submit_page(request: Request, session: SessionDep, user: CurrentUser, draft: OwnDraft, registry: RegistryDep) -> Response:
    """The submit page: upload each material the composition asks for and sign each commitment letter.

    A clerk registering a walk-in applicant (窗口代录) also gives the applicant's name, ID number and phone."""
    earlier = _submitted(session, draft)
    if earlier is not None:
        return RedirectResponse(f"/applications/{earlier.id}", status_code=303)
    composition = _draft_composition(session, draft, registry)
    if composition is None:
        return RedirectResponse(f"/drafts/{draft.id}", status_code=303)
    return _submit_page(request, draft, composition, _walk_in(user, None))


@router.post("/drafts/{draft_id}/submit", response_class=Response, responses=POST, dependencies=[CsrfProtected])
async def submit_draft(
    request: Request, session: SessionDep, user: CurrentUser, draft: OwnDraft, registry: RegistryDep, store: FileStoreDep
) -> Response:
    """Submit the draft; every problem is shown beside its field and nothing is written."""
    return await with_form(request, _submit_draft, request, session, user, draft, registry, store)


def _submit_draft(
    request: Request, session: Session, user: User, draft: Draft, registry: PackRegistry, store: LocalFileStore, form: FormData
) -> Response:
    composer = registry.get(draft.pack_id)
    composition = _draft_composition(session, draft, registry)
    if composer is None or composition is None:
        return RedirectResponse(f"/drafts/{draft.id}", status_code=303)
    key = form.get("idempotency_key")
    walk_in = _walk_in(user, form)
    try:
        done = submit(
            session,
            actor=user,
            draft_id=draft.id,
            composer=composer,
            store=store,
            uploads=uploads(form),
            signed=[v for v in form.getlist("commitment") if isinstance(v, str)],
            idempotency_key=key if isinstance(key, str) and key else None,
            walk_in=walk_in,
        )
    except Invalid as exc:
        return _submit_page(request, draft, composition, walk_in, exc.problems, status=400)
    return RedirectResponse(f"/applications/{done.application.id}/submitted", status_code=303)


@router.get("/applications", response_class=Response, responses=PAGE)
def my_applications(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """我的申请: the applicant's submitted applications, newest first."""
    if not works_at(user, Action.submit):
        return forbidden(request)
    statement = select(Application).where(Application.owner_id == user.id).order_by(col(Application.submitted_at).desc())
    statement = statement.options(*LISTED)
    rows = [{"a": a, "status": APPLICATION_LABELS[a.status]} for a in session.exec(statement)]
    return render(request, "applications.html", {"applications": rows})


@router.get("/applications/{application_id}/submitted", response_class=Response, responses=PAGE)
def confirmation(request: Request, session: SessionDep, user: CurrentUser, application_id: uuid.UUID) -> Response:
    """The confirmation: the application number (受理编号) and what happens next."""
    application = load(session, Application, application_id, user, Action.view_application)
    return render(request, "submitted.html", {"application": application})


@router.get(
    "/applications/{application_id}/receipt.pdf",
    response_class=Response,
    responses={**PAGE, 200: {"description": "The receipt (回执) as an A4 PDF", "content": {"application/pdf": {}}}},
)
def receipt(request: Request, session: SessionDep, user: CurrentUser, lang: LangDep, application_id: uuid.UUID) -> Response:
    """The receipt (回执): number, pack, materials received, commitments signed with their time, next steps."""
    application = load(session, Application, application_id, user, Action.view_application)
    body = render_receipt_pdf(receipt_of(session, application), locale=lang)
    disposition = f'inline; filename="receipt-{application.number}.pdf"'
    return Response(body, media_type="application/pdf", headers={"Content-Disposition": disposition, "Cache-Control": "no-store"})


def _visit_checks(application: Application, inspection: Inspection | None) -> list[dict[str, Any]]:
    """What the departments will check at a booked visit, permit by permit, so the applicant can prepare."""
    if inspection is None or inspection.status != "scheduled":
        return []
    return inspections.sheets(application, inspection.permits)


def _application(session: Session, user: User, application_id: uuid.UUID) -> dict[str, Any]:
    application = load(session, Application, application_id, user, Action.view_application)
    tasks = list(
        session.exec(select(PermitTask).where(PermitTask.application_id == application.id).order_by(col(PermitTask.permit)))
    )
    inspection = session.exec(select(Inspection).where(Inspection.application_id == application.id)).first()
    notice = window.open_notice(session, application) if application.status == "correction_requested" else None
    certificate = _certificate(session, application)
    return {
        "application": application,
        "status": APPLICATION_LABELS[application.status],
        "answering": answer_due(session, application) if application.status in WAITING else None,
        "today": today(),
        "steps": timeline(session, actor=user, application_id=application.id),
        "tasks": [{"t": t, "status": TASK_LABELS[t.status]} for t in tasks],
        "inspection": inspection,
        "inspection_status": INSPECTION_LABELS[inspection.status] if inspection else "",
        "visit_checks": _visit_checks(application, inspection),
        "notice": notice,
        "flagged": [i for i in notice.items if i["finding"] != "received"] if notice else [],
        "own": may(user, Action.resubmit, application),
        "certificate": certificate,
        "certificate_due": certificate is None and application.status == "decided" and any(t.status in GRANTED for t in tasks),
        "issue_by": issue_clock(application).due_on if application.status == "decided" else None,
        "rectify_tasks": [t for t in tasks if t.status == "rectification_needed" and t.permit not in _inspected(inspection)],
    }


APPLICATION = FormPage("application.html", _application)


@router.get("/applications/{application_id}", response_class=Response, responses=PAGE)
def application_page(request: Request, session: SessionDep, user: CurrentUser, application_id: uuid.UUID) -> Response:
    """One application: its plain timeline, each permit's standing, and what the applicant has to do now."""
    return APPLICATION.show(request, session, user, application_id)


def _certificate(session: Session, application: Application) -> Certificate | None:
    """The current certificate the application was issued, or the one it applies about (a change, an extension …)."""
    about = life.request_of(session, application.id)
    return current(session, about.origin_id if about else application.id)


def _inspected(inspection: Inspection | None) -> set[str]:
    """The permits whose rectification the joint inspection's one notice covers (reported there, once)."""
    return {i["permit"] for i in inspection.rectification} if inspection else set()


@router.post("/applications/{application_id}/correction", response_class=Response, responses=POST, dependencies=[CsrfProtected])
async def answer_correction(
    request: Request, session: SessionDep, user: CurrentUser, store: FileStoreDep, application_id: uuid.UUID
) -> Response:
    """Answer the correction notice: only the materials it asks for, all at once."""
    return await with_form_once(request, session, user, _answer_correction, request, session, user, store, application_id)


def _answer_correction(
    request: Request, session: Session, user: User, store: LocalFileStore, application_id: uuid.UUID, form: FormData
) -> Response:
    try:
        window.resubmit(
            session, actor=user, application_id=application_id, uploads=uploads(form), store=store, version=version(form)
        )
    except Invalid as exc:
        return APPLICATION.show(request, session, user, application_id, problems=exc.problems)
    return RedirectResponse(f"/applications/{application_id}", status_code=303)


@router.post("/applications/{application_id}/rectified", response_class=Response, responses=POST, dependencies=[CsrfProtected])
async def report_rectified(request: Request, session: SessionDep, user: CurrentUser, application_id: uuid.UUID) -> Response:
    """Report the rectification done: the joint inspection's one notice, or one department's own request."""
    return await with_form_once(request, session, user, _report_rectified, request, session, user, application_id)


def _report_rectified(request: Request, session: Session, user: User, application_id: uuid.UUID, form: FormData) -> Response:
    raw_inspection, raw_task = form.get("inspection"), form.get("task")
    application = load(session, Application, application_id, user, Action.report_rectified)
    if isinstance(raw_inspection, str) and raw_inspection:
        inspection = _own(session, Inspection, raw_inspection, application)
        inspections.report_rectified(session, actor=user, inspection_id=inspection, version=version(form))
    elif isinstance(raw_task, str) and raw_task:
        task = _own(session, PermitTask, raw_task, application)
        review.report_rectified(session, actor=user, task_id=task, version=version(form))
    return RedirectResponse(f"/applications/{application_id}", status_code=303)


def _own(session: Session, kind: type[Row], raw: str, application: Application) -> uuid.UUID:
    """The id of a row of this application; anything else is not found."""
    try:
        row_id = uuid.UUID(raw)
    except ValueError:
        row_id = uuid.UUID(int=0)
    row = session.get(kind, row_id)
    if row is None or row.application_id != application.id:
        raise NotFound([problem("not_found", "这件申请没有这一项", "id", raw[:40])])
    return row_id


@router.get("/applications/{application_id}/files/{file_id}", response_class=Response, responses=PAGE)
def material_file(
    request: Request, session: SessionDep, user: CurrentUser, store: FileStoreDep, application_id: uuid.UUID, file_id: uuid.UUID
) -> Response:
    """One uploaded material, for whoever may see the application (its name only in the download header)."""
    application = load(session, Application, application_id, user, Action.view_application)
    stored = session.get(MaterialFile, file_id)
    if stored is None or stored.application_id != application.id:
        raise NotFound([problem("not_found", "这件申请没有这份材料", "file_id", str(file_id))])
    disposition = f"attachment; filename*=UTF-8''{quote(stored.filename)}"
    return Response(store.get(stored.sha256), media_type=stored.media_type, headers={"Content-Disposition": disposition})
