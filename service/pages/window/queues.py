"""The task queue and the dashboards as pages: a department's own, or every department's for the district.

Thin over ``service/workflow/queues.py``, which ``bench/queues.py`` times over a million applications.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import Response

from service.compose import today
from service.deps import CurrentUser, Departments, SessionDep
from service.models import User
from service.pages.templating import render
from service.pages.window.applications import PAGE
from service.pages.window.desk import desk_router, render_form_page
from service.workflow import queues
from service.workflow.clock import STANDING_LABELS
from service.workflow.errors import Invalid, problem
from service.workflow.roles import Action, may
from service.workflow.states import TASK_LABELS

router = desk_router()


@router.get("/queue", response_class=Response, responses=PAGE)
def task_queue(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    status: str = "",
    due_by: str = "",
    q: str = "",
    department: str = "",
    after: str = "",
    *,
    departments: Departments,
) -> Response:
    """Open tasks, soonest due first: by status and due date, searched by applicant name or USCC, a page at a time."""
    asked = {"status": status, "due_by": due_by, "q": q, "department": department}
    statuses = {s: TASK_LABELS[s] for s in queues.OPEN}
    context: dict[str, Any] = {
        "asked": asked,
        "statuses": statuses,
        "departments": list(departments),
        "rows": [],
        "district": _district(user),
    }
    try:
        wanted = queues.QueueFilter(department or None, status or None, _day(due_by), q)
        page = queues.task_queue(session, actor=user, today=today(), wanted=wanted, after=after or None)
    except Invalid as exc:
        return render_form_page(request, "task_queue.html", context, exc.problems, 400)
    context |= {
        "department": page.department,
        "rows": [
            {"e": e, "status": TASK_LABELS[e.task.status], "standing": STANDING_LABELS[e.standing], "standing_id": e.standing}
            for e in page.entries
        ],
        "deciding": may(user, Action.decide_task, page.entries[0].task) if page.entries else False,
        "case_url": _case_url(user),
        "next_url": f"/queue?{urlencode(asked | {'after': page.next_after})}" if page.next_after else None,
        "first_url": f"/queue?{urlencode(asked)}" if after else None,
    }
    return render_form_page(request, "task_queue.html", context)


@router.get("/dashboard", response_class=Response, responses=PAGE)
def dashboard(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """In progress, due soon, overdue and average working days per permit: the department's, or the district's."""
    figures = queues.dashboard(session, actor=user, today=today())
    return render(request, "dashboard.html", {"figures": figures})


def _case_url(user: User) -> str | None:
    """Where the district's staff open an application from its task: the window's desk, or its progress page."""
    if may(user, Action.check_materials):
        return "/window/applications/"
    return "/applications/" if may(user, Action.view_application) else None


def _district(user: User) -> bool:
    return may(user, Action.view_task)  # with no subject, only a district-wide grant says yes


def _day(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        raise Invalid([problem("bad_due_by", "请填写日期，例如 2026-12-09", "due_by", raw[:40])]) from None
