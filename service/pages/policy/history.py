"""The published versions of the packs (/policy/history): who drafted and approved each, why and when; a diff between
any two in plain terms; a rollback, which opens a change set reviewed like any other."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session
from starlette.datastructures import FormData

from service.deps import CsrfProtected, CurrentUser, SessionDep
from service.models import User
from service.pages.policy.change_sets import packs_root, staff
from service.pages.templating import render
from service.pages.window.applications import PAGE, POST
from service.pages.window.desk import forbidden, refused, with_form
from service.policy import desk, repo
from service.workflow.errors import Invalid, WorkflowError
from service.workflow.roles import Action, may

router = APIRouter(tags=["pages"])


@router.get("/policy/history", response_class=Response, responses=PAGE)
def history_page(request: Request, user: CurrentUser, old: str = "", new: str = "") -> Response:
    """Every published version, newest first; with ``old`` and ``new``, what changed between them field by field."""
    if not staff(user):
        return forbidden(request)
    return _page(request, user, old, new)


def _page(request: Request, user: User, old: str, new: str, problems: Any = (), status: int = 200) -> Response:
    root = packs_root(request)
    versions = repo.history(root)
    changes = None
    if old and new:
        try:
            changes = desk.versions_diff(root, old, new)
        except WorkflowError as exc:
            return refused(request, exc)
    context = {
        "versions": versions,
        "old": old or (versions[1].commit if len(versions) > 1 else ""),
        "new": new or (versions[0].commit if versions else ""),
        "changes": changes,
        "may_edit": may(user, Action.edit_pack),
        "errors": [{"field": p.where, "message": p.message} for p in problems],
    }
    return render(request, "policy_history.html", context, status_code=status)


@router.post("/policy/history/{commit}/rollback", response_class=Response, responses=POST, dependencies=[CsrfProtected])
async def rollback(request: Request, session: SessionDep, user: CurrentUser, commit: str) -> Response:
    """Open a change set putting the packs back as they were at ``commit``."""
    return await with_form(request, _rollback, request, session, user, commit)


def _rollback(request: Request, session: Session, user: User, commit: str, form: FormData) -> Response:
    reason = form.get("reason")
    try:
        change_set = desk.rollback(session, user, packs_root(request), commit, reason if isinstance(reason, str) else "")
    except Invalid as exc:
        session.rollback()
        problems = [
            p if p.where != "reason" else type(p)(p.code, p.message, f"reason-{commit[:8]}", p.subject) for p in exc.problems
        ]
        return _page(request, user, "", "", problems, status=400)
    except WorkflowError as exc:
        return refused(request, exc)
    return RedirectResponse(f"/policy/{change_set.id}", status_code=303)
