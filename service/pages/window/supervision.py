"""The district supervisor's dashboard: read-only, every department — in progress, due soon, overdue, days taken —
the applications the window left unanswered past its five working days, those past their joint handling's limit or
whose certificate is overdue, and the joint visits whose day passed unfinished."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from service.certs.lifecycle import issue_clock, to_issue
from service.compose import today
from service.deps import CurrentUser, SessionDep
from service.pages.templating import render
from service.pages.window.applications import PAGE
from service.pages.window.desk import forbidden, works_at
from service.workflow import inspection as inspections
from service.workflow import joint
from service.workflow.clock import Standing
from service.workflow.progress import intake
from service.workflow.queues import dashboard as figures
from service.workflow.roles import Action

router = APIRouter(tags=["pages"])


@router.get("/supervision", response_class=Response, responses=PAGE)
def dashboard(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """Per department: tasks in progress, due soon and overdue, and the average working days a decision took; the
    window's late answers, joint handlings past their limit and late certificates; and the joint visits whose day
    passed unfinished."""
    if not works_at(user, Action.supervise):
        return forbidden(request)
    table = [
        {
            "department": line.department,
            "open": line.open,
            "due_soon": line.due_soon,
            "overdue": line.overdue,
            "average": line.average_days,
            "limit": line.average_limit,
        }
        for line in figures(session, actor=user, today=today()).departments
    ]
    unanswered = [e for e in intake(session, actor=user, today=today()) if e.standing is Standing.overdue]
    issuing = [(application, issue_clock(application)) for application, _ in to_issue(session)]
    unissued = [(application, clock.due_on) for application, clock in issuing if clock.standing(today()) is Standing.overdue]
    overdue = inspections.overdue(session, today())
    joint_overdue = [application for application, standing in joint.closing(session, today()) if standing is Standing.overdue]
    context = {"table": table, "unanswered": unanswered, "joint_overdue": joint_overdue, "unissued": unissued, "overdue": overdue}
    return render(request, "supervision.html", context)
