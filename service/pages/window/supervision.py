"""The district supervisor's dashboard: read-only, every department — in progress, due soon, overdue, days taken."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import col, select

from service.compose import today
from service.deps import CurrentUser, SessionDep
from service.pages.templating import render
from service.pages.window.applications import PAGE
from service.pages.window.desk import forbidden, works_at
from service.workflow.clock import Standing, working_days_between
from service.workflow.models import PermitTask
from service.workflow.progress import worklist
from service.workflow.roles import Action
from service.workflow.states import TASK_DECIDED, TASK_OPEN

router = APIRouter(tags=["pages"])


@router.get("/supervision", response_class=Response, responses=PAGE)
def dashboard(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """Per department: tasks in progress, due soon and overdue, and the average working days a decision took."""
    if not works_at(user, Action.supervise):
        return forbidden(request)
    rows: dict[str, dict[str, Any]] = defaultdict(lambda: {"open": 0, "due_soon": 0, "overdue": 0, "days": [], "limits": []})
    for entry in worklist(session, actor=user, today=today(), statuses=TASK_OPEN):
        row = rows[entry.task.department]
        row["open"] += 1
        row["due_soon"] += entry.standing is Standing.due_soon
        row["overdue"] += entry.standing is Standing.overdue
    decided = session.exec(
        select(PermitTask).where(col(PermitTask.status).in_(TASK_DECIDED), col(PermitTask.decided_at).is_not(None))
    )
    for task in decided:
        assert task.decided_at is not None
        row = rows[task.department]
        row["days"].append(working_days_between(task.clock_started_on, task.decided_at.date()) - task.paused_days)
        row["limits"].append(task.limit_days)
    table = [
        {
            "department": department,
            **{k: v for k, v in row.items() if k not in ("days", "limits")},
            "average": round(sum(row["days"]) / len(row["days"]), 1) if row["days"] else None,
            "limit": round(sum(row["limits"]) / len(row["limits"]), 1) if row["limits"] else None,
        }
        for department, row in sorted(rows.items())
    ]
    return render(request, "supervision.html", {"table": table})
