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

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session
from starlette.datastructures import FormData

from rules.errors import Problem
from service.compose import today
from service.deps import CsrfProtected, CurrentUser, SessionDep
from service.models import User
from service.pages.templating import render
from service.pages.window.applications import PAGE, POST
from service.pages.window.desk import desk_router, forbidden, render_form_page, with_form
from service.policy import desk, edits, impact, repo
from service.policy.models import ChangeSet, ChangeSetStatus
from service.workflow.errors import Invalid, problem
from service.workflow.roles import Action, may
from service.workflow.states import CHANGE_SET_LABELS

router = desk_router()


def _staff(user: User) -> bool:
    return may(user, Action.edit_pack) or may(user, Action.publish_pack)


def _root(request: Request) -> Path:
    return Path(request.app.state.settings.packs_dir)


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


@router.get("/policy", response_class=Response, responses=PAGE)
def change_sets(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """Every change set, newest first, and the form to open one."""
    if not _staff(user):
        return forbidden(request)
    return _list_page(request, session, user)


def _list_page(request: Request, session: Session, user: User, problems: Any = (), status: int = 200) -> Response:
    context = {
        "change_sets": desk.listed(session),
        "statuses": CHANGE_SET_LABELS,
        "packs": request.app.state.registry.ids(),
        "default_pack": request.app.state.settings.default_pack,
        "may_edit": may(user, Action.edit_pack),
    }
    return render_form_page(request, "policy_change_sets.html", context, problems, status)


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
            root=_root(request),
        )
    except Invalid as exc:
        return _list_page(request, session, user, exc.problems, status=400)
    return RedirectResponse(f"/policy/{change_set.id}", status_code=303)


@router.get("/policy/{change_set_id}", response_class=Response, responses=PAGE)
def change_set_page(
    request: Request, session: SessionDep, user: CurrentUser, change_set_id: uuid.UUID, permit: str = ""
) -> Response:
    """One change set: its checks, what it changes, and what the signed-in person may do with it."""
    if not _staff(user):
        return forbidden(request)
    return _page(request, session, user, desk.get(session, change_set_id), permit)


def _page(
    request: Request, session: Session, user: User, change_set: ChangeSet, permit: str, problems: Any = (), status: int = 200
) -> Response:
    root = _root(request)
    checks = list(problems) or [Problem(**p) for p in change_set.problems]
    author = change_set.author_id == user.id
    editing = author and change_set.status == ChangeSetStatus.draft
    pack = request.app.state.registry.get(change_set.pack_id)
    fields, path, text = [], "", ""
    if editing and permit:
        path = desk.permit_file(root, change_set.pack_id, permit)
        text = desk.text_of(change_set, root, path)
        fields = edits.permit_fields(text, permit)
    beside = {f.key: p.message for f in fields for p in checks if f.line and p.where == f"{path}:{f.line}"}
    beside |= {p.where: p.message for p in checks if p.where in {f.key for f in fields}}
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
    }
    return render_form_page(request, "policy_change_set.html", context, problems, status)


@router.get("/policy/{change_set_id}/impact", response_class=Response, responses=PAGE)
def impact_page(request: Request, session: SessionDep, user: CurrentUser, change_set_id: uuid.UUID) -> Response:
    """What the change set would change for applicants: counts by kind of change, with examples."""
    if not _staff(user):
        return forbidden(request)
    change_set = desk.get(session, change_set_id)
    found = desk.impact_of(session, change_set, _root(request))
    rows = [(label, found.counts[kind], found.examples.get(kind, [])) for kind, label in impact.KINDS.items()]
    return render(request, "policy_impact.html", {"cs": change_set, "impact": found, "rows": rows})


@router.post("/policy/{change_set_id}/{action}", response_class=Response, responses=POST, dependencies=[CsrfProtected])
async def act(request: Request, session: SessionDep, user: CurrentUser, change_set_id: uuid.UUID, action: str) -> Response:
    """Save a permit's fields or a file, submit, approve, send back, publish, or catch up with the current version."""
    return await with_form(request, _act, request, session, user, change_set_id, action)


def _act(request: Request, session: Session, user: User, change_set_id: uuid.UUID, action: str, form: FormData) -> Response:
    root, permit = _root(request), _text(form, "permit")
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
        return _page(request, session, user, desk.get(session, change_set_id), permit, exc.problems, status=400)
    suffix = f"?permit={permit}" if permit and action in ("permit", "yaml") else ""
    return RedirectResponse(f"/policy/{change_set_id}{suffix}", status_code=303)


def _date(raw: str) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise Invalid([problem("bad_date", "请填写生效日期，如 2027-01-01", "effective_date", raw)]) from None
