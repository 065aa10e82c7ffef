"""Change sets as pages: the list and a new one; one change set with its checks, its field-by-field changes and its actions.

The author edits a permit through a structured form (Chinese labels) or a file in the YAML view; the checks run on
every save and their problems show beside the field on that line. A different person approves with the effective
date, or sends it back with comments, then publishes.
"""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session
from starlette.datastructures import FormData

from forms.proposal import Proposal, ProposedChange, render_proposal_pdf
from rules.errors import Problem
from service.compose import today
from service.deps import CsrfProtected, CurrentUser, SessionDep
from service.models import User
from service.pages.templating import render
from service.pages.window.applications import PAGE, POST
from service.pages.window.desk import forbidden, refused, with_form
from service.policy import conditions, desk, edits, impact, materials, repo
from service.policy.models import ChangeSet, ChangeSetStatus
from service.workflow.errors import Invalid, WorkflowError, problem
from service.workflow.roles import Action, may
from service.workflow.states import CHANGE_SET_LABELS

router = APIRouter(tags=["pages"])


def staff(user: User) -> bool:
    return may(user, Action.edit_pack) or may(user, Action.publish_pack)


def packs_root(request: Request) -> Path:
    return Path(request.app.state.settings.packs_root)


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


@router.get("/policy", response_class=Response, responses=PAGE)
def change_sets(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """Every change set, newest first, and the form to open one."""
    if not staff(user):
        return forbidden(request)
    return _list_page(request, session, user)


def _list_page(request: Request, session: Session, user: User, problems: Any = (), status: int = 200) -> Response:
    registry = request.app.state.registry
    context = {
        "change_sets": desk.listed(session),
        "statuses": CHANGE_SET_LABELS,
        "packs": {pid: registry.get(pid).pack.meta.name for pid in registry.ids()},
        "default_pack": request.app.state.settings.default_pack,
        "may_edit": may(user, Action.edit_pack),
        "errors": [{"field": p.where, "message": p.message} for p in problems],
    }
    return render(request, "policy_change_sets.html", context, status_code=status)


@router.post("/policy", response_class=Response, responses=POST, dependencies=[CsrfProtected])
async def open_change_set(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """Open a change set with a title and a reason."""
    return await with_form(request, _open, request, session, user)


def _open(request: Request, session: Session, user: User, form: FormData) -> Response:
    try:
        change_set = desk.open_change_set(
            session,
            user,
            title=_text(form, "title"),
            reason=_text(form, "reason"),
            pack_id=_text(form, "pack_id"),
            root=packs_root(request),
        )
    except Invalid as exc:
        return _list_page(request, session, user, exc.problems, status=400)
    except WorkflowError as exc:
        return refused(request, exc)
    return RedirectResponse(f"/policy/{change_set.id}", status_code=303)


@router.get("/policy/{change_set_id}", response_class=Response, responses=PAGE)
def change_set_page(
    request: Request, session: SessionDep, user: CurrentUser, change_set_id: uuid.UUID, permit: str = "", material: str = ""
) -> Response:
    """One change set: its checks, what it changes, and what the signed-in person may do with it."""
    if not staff(user):
        return forbidden(request)
    try:
        return _page(request, session, user, desk.get(session, change_set_id), permit, material=material)
    except WorkflowError as exc:
        return refused(request, exc)


def _page(
    request: Request,
    session: Session,
    user: User,
    change_set: ChangeSet,
    permit: str,
    problems: Any = (),
    status: int = 200,
    builder: conditions.Builder | None = None,
    material_rows: list[materials.Row] | None = None,
    material: str = "",
) -> Response:
    root = packs_root(request)
    checks = list(problems) or [Problem(**p) for p in change_set.problems]
    author = change_set.author_id == user.id
    editing = author and change_set.status == ChangeSetStatus.draft
    pack = request.app.state.registry.get(change_set.pack_id)
    fields, path, text = [], "", ""
    if editing and permit:
        path = desk.permit_file(root, change_set.pack_id, permit)
        text = desk.text_of(change_set, root, path)
        fields = edits.permit_fields(text, permit)
        builder = builder or conditions.builder_of(edits.value_of(text, permit, "applies_when"))
        material_rows = (
            material_rows if material_rows is not None else materials.rows_of(edits.value_of(text, permit, "materials"))
        )
    material_form: list[edits.FormField] = []
    if editing and material:
        material_path = desk.material_file(root, change_set.pack_id, material)
        material_form = edits.material_fields(desk.text_of(change_set, root, material_path), material)
    beside = {f.key: p.message for f in fields for p in checks if f.line and p.where == f"{path}:{f.line}"}
    beside |= {p.where: p.message for p in checks if p.where in {f.key for f in fields}}
    rows = material_rows or []
    context = {
        "cs": change_set,
        "status_name": CHANGE_SET_LABELS[change_set.status],
        "checks": checks,
        "changes": desk.diff(change_set, root),
        "editing": editing,
        "permits": sorted(pack.pack.permits.items()) if pack else [],
        "permit": permit,
        "fields": fields,
        "beside": beside,
        "path": path,
        "yaml_text": text,
        "reviewing": not author and may(user, Action.publish_pack) and change_set.status == ChangeSetStatus.submitted,
        "publishing": not author and may(user, Action.publish_pack) and change_set.status == ChangeSetStatus.approved,
        "behind": author and change_set.status != ChangeSetStatus.published and change_set.base_commit != repo.head(root),
        "today": today().isoformat(),
        "errors": [{"field": p.where, "message": p.message} for p in problems],
        "builder": builder,
        "scope_items": sorted(pack.pack.scope_items.items()) if pack else [],
        "questions": sorted(pack.pack.questions.items()) if pack else [],
        "known": {*pack.pack.scope_items, *pack.pack.questions} if pack else set(),
        "blank": conditions.Row(""),
        "combinators": conditions.COMBINATORS,
        "operators": conditions.OPERATORS,
        "condition_errors": {p.where: p.message for p in problems if p.where.startswith(("row-", "combinator"))},
        "material_rows": [*rows, materials.Row("", slot=max((r.slot for r in rows), default=-1) + 1)],
        "material_errors": {p.where: p.message for p in problems if p.where.startswith("mat-")},
        "registry": sorted(pack.pack.materials.items()) if pack else [],
        "material": material,
        "material_form": material_form,
        "switches": [edits.key_of(path) for path in edits.SWITCHES],
    }
    return render(request, "policy_change_set.html", context, status_code=status)


def _readable(request: Request, session: Session, user: User, change_set_id: uuid.UUID) -> ChangeSet | Response:
    """The change set, or the page refusing it (not policy staff, no such change set)."""
    if not staff(user):
        return forbidden(request)
    try:
        return desk.get(session, change_set_id)
    except WorkflowError as exc:
        return refused(request, exc)


@router.get("/policy/{change_set_id}/impact", response_class=Response, responses=PAGE)
def impact_page(request: Request, session: SessionDep, user: CurrentUser, change_set_id: uuid.UUID) -> Response:
    """What the change set would change for applicants: counts by kind of change, with examples."""
    change_set = _readable(request, session, user, change_set_id)
    if isinstance(change_set, Response):
        return change_set
    found = desk.impact_of(session, change_set, packs_root(request))
    rows = [(label, found.counts[kind], found.examples.get(kind, [])) for kind, label in impact.KINDS.items()]
    return render(request, "policy_impact.html", {"cs": change_set, "impact": found, "rows": rows})


@router.get(
    "/policy/{change_set_id}/proposal.pdf",
    response_class=Response,
    responses={
        **PAGE,
        200: {"description": "The change set as a proposal to the city's catalogue", "content": {"application/pdf": {}}},
    },
)
def proposal(request: Request, session: SessionDep, user: CurrentUser, change_set_id: uuid.UUID) -> Response:
    """The change set as a proposal to the city's catalogue (调整建议): its changes field by field and its impact, as a PDF."""
    change_set = _readable(request, session, user, change_set_id)
    if isinstance(change_set, Response):
        return change_set
    root = packs_root(request)
    found = desk.impact_of(session, change_set, root)
    author = session.get(User, change_set.author_id)
    document = Proposal(
        title=change_set.title,
        reason=change_set.reason,
        pack_id=change_set.pack_id,
        drafted_by=author.email or "" if author else "",
        drafted_on=change_set.created_at.date(),
        changes=tuple(ProposedChange(c.label, c.path, _shown(c.before), _shown(c.after)) for c in desk.diff(change_set, root)),
        composed=found.total,
        changed=found.changed,
        effects=tuple((label, found.counts[kind]) for kind, label in impact.KINDS.items() if found.counts[kind]),
    )
    headers = {"Content-Disposition": f'inline; filename="proposal-{change_set.id}.pdf"', "Cache-Control": "no-store"}
    return Response(render_proposal_pdf(document), media_type="application/pdf", headers=headers)


@router.post("/policy/{change_set_id:uuid}/{action}", response_class=Response, responses=POST, dependencies=[CsrfProtected])
async def act(request: Request, session: SessionDep, user: CurrentUser, change_set_id: uuid.UUID, action: str) -> Response:
    """Save a permit's fields or a file, submit, approve, send back, publish, or catch up with the current version."""
    return await with_form(request, _act, request, session, user, change_set_id, action)


def _act(request: Request, session: Session, user: User, change_set_id: uuid.UUID, action: str, form: FormData) -> Response:
    root, permit = packs_root(request), _text(form, "permit")
    builder, material_rows, material = None, None, ""
    try:
        change_set = desk.get(session, change_set_id)
        if action == "permit":
            changes = {
                f.key: _text(form, f.key)
                for f in edits.permit_fields(
                    desk.text_of(change_set, root, desk.permit_file(root, change_set.pack_id, permit)), permit
                )
            }
            desk.save_permit(session, change_set, user, permit, changes, root)
        elif action == "condition":
            builder = conditions.from_form({key: _text(form, key) for key in form})
            desk.save_condition(session, change_set, user, permit, builder, root)
        elif action == "materials":
            material_rows = materials.from_form({key: _text(form, key) for key in form})
            desk.save_materials(session, change_set, user, permit, material_rows, root)
        elif action == "material":
            material = _text(form, "material")
            names = [edits.key_of(path) for path in edits.MATERIAL_LABELS]
            desk.save_material(session, change_set, user, material, {name: _text(form, name) for name in names}, root)
        elif action == "yaml":
            desk.save_file(session, change_set, user, _text(form, "path"), _text(form, "text"), root)
        elif action == "submit":
            desk.submit(session, change_set, user, root)
        elif action == "approve":
            desk.approve(session, change_set, user, _date(_text(form, "effective_date")), today())
        elif action == "send-back":
            desk.send_back(session, change_set, user, _text(form, "comments"))
        elif action == "publish":
            desk.publish(session, change_set, user, root, today())
        elif action == "catch-up":
            desk.catch_up(session, change_set, user, root)
        else:
            raise Invalid([problem("unknown_action", "没有这项操作", "action", action)])
    except Invalid as exc:
        session.rollback()
        return _page(
            request, session, user, desk.get(session, change_set_id), permit, exc.problems, 400, builder, material_rows, material
        )
    except WorkflowError as exc:
        return refused(request, exc)
    suffix = f"?permit={permit}" if permit and action in ("permit", "condition", "materials", "material", "yaml") else ""
    suffix += f"&material={material}" if suffix and material else ""
    return RedirectResponse(f"/policy/{change_set_id}{suffix}", status_code=303)


def _shown(value: Any) -> str:
    return "—" if value is None else str(value)


def _date(raw: str) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise Invalid([problem("bad_date", "请填写生效日期，如 2027-01-01", "effective_date", raw)]) from None
