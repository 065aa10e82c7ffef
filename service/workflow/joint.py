"""联合办理期限: one time limit for the whole application, from acceptance until every department has decided.

行政许可法 Art. 26(2): the district government has one window accept an application that several of its departments
license, and the departments handle it jointly. Art. 42(2): such handling takes at most forty-five days (working days,
Art. 82); the head of the district government may approve fifteen more, and the applicant is told why. Each
department's own limit (Art. 42(1), ``clock``) runs inside it.
"""

from __future__ import annotations

import math
import uuid
from datetime import date

from sqlmodel import Session, col, select

from composer.workdays import add_working_days
from service.compose import today as beijing_today
from service.models import User
from service.workflow import audit
from service.workflow.clock import DUE_SOON, Standing, check_approval
from service.workflow.errors import Conflict, problem
from service.workflow.models import LISTED, Application
from service.workflow.roles import Action
from service.workflow.rows import atomic, committing, load_to_change

JOINT_DAYS = 45
"""行政许可法 Art. 42(2): 办理的时间不得超过四十五日."""

EXTENSION_DAYS = 15
"""行政许可法 Art. 42(2): 经本级人民政府负责人批准，可以延长十五日 — once, the reason told to the applicant."""

DUE_SOON_DAYS = JOINT_DAYS - math.ceil(DUE_SOON * JOINT_DAYS)
"""Due soon in its last nine working days: once four fifths of the forty-five are used, as a department's task is."""

HANDLING = "in_approval"
"""The application's state while the departments handle it: the limit runs out only then."""


def due_on(started_on: date) -> date:
    """The last day of the joint handling that starts on ``started_on`` (the day the departments' clocks start)."""
    return add_working_days(started_on, JOINT_DAYS)


@atomic
def extend(
    session: Session,
    *,
    actor: User,
    application_id: uuid.UUID,
    reason: str,
    approved_by: str,
    version: int | None,
    today: date | None = None,
) -> Application:
    """延长联合办理期限: once, before the limit runs out, approved by the district government's head, the reason told."""
    application = load_to_change(session, Application, application_id, actor, Action.extend_joint_limit, version)
    check_approval(reason, approved_by, approver_missing="须写明批准延长的区人民政府负责人")
    subject = ("application_id", str(application.id))
    if application.status != HANDLING or application.joint_due_on is None:
        raise Conflict([problem("not_in_handling", "只有各部门审批中的申请才有联合办理期限可以延长", *subject)])
    if application.joint_extended_days:
        raise Conflict([problem("already_extended", "联合办理期限已延长过一次，不能再延长", *subject)])
    running = application.joint_paused_since is None  # while a procedure of Art. 45 stops it, the limit cannot run out
    if running and (today or beijing_today()) > application.joint_due_on:
        said = f"联合办理期限已于 {application.joint_due_on.isoformat()} 届满，不能再延长"
        raise Conflict([problem("past_due", said, *subject)])
    with committing(session, application.id):
        application.joint_extended_days = EXTENSION_DAYS
        application.joint_due_on = add_working_days(application.joint_due_on, EXTENSION_DAYS)
        audit.noted(
            session,
            actor=actor,
            row=application,
            action="extend_joint",
            from_state=application.status,
            to_state=application.status,
            reason=reason.strip(),
            data={"approved_by": approved_by.strip(), "days": EXTENSION_DAYS, "due_on": application.joint_due_on.isoformat()},
        )
    return application


def closing(session: Session, today: date) -> list[tuple[Application, Standing]]:
    """Applications still with the departments in their joint handling's last ``DUE_SOON_DAYS`` working days or past
    it, soonest due first, each with where it stands: what the window chases, and what the supervisor watches."""
    statement = (
        select(Application)
        .where(Application.status == HANDLING, col(Application.joint_due_on) <= add_working_days(today, DUE_SOON_DAYS))
        .order_by(col(Application.joint_due_on), col(Application.number))
        .options(*LISTED)
    )
    return [(a, standing(a, today)) for a in session.exec(statement)]


def standing(application: Application, today: date) -> Standing:
    """Where the joint handling's clock stands on ``today``: due soon in its last ``DUE_SOON_DAYS`` working days."""
    if application.joint_paused_since is not None:  # a department's Art. 45 procedure: the due date moves when it ends
        return Standing.paused
    due = application.joint_due_on
    if due is None:
        return Standing.on_time
    if today > due:
        return Standing.overdue
    return Standing.due_soon if due <= add_working_days(today, DUE_SOON_DAYS) else Standing.on_time
