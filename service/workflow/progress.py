"""What people see of a case: the applicant's timeline (办件进度) and a desk's worklist (待办) with its clock."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from service.compose import TIMEZONE
from service.models import User
from service.workflow import clock
from service.workflow.clock import Clock, Standing
from service.workflow.errors import Forbidden, problem
from service.workflow.models import LISTED, Application, AuditEvent, CorrectionNotice, Inspection, PermitTask
from service.workflow.roles import Action, may
from service.workflow.rows import load
from service.workflow.states import APPLICATION_LABELS, INSPECTION_LABELS, TASK_LABELS


@dataclass(frozen=True)
class Step:
    at: datetime
    state: str
    """the state's label (a msgid: pages translate it)"""
    reason: str
    subject: str = ""
    """what moved, when not the application: a permit's name, or 联合踏勘 for the joint inspection"""

    @property
    def label(self) -> str:
        return f"{self.subject}：{self.state}" if self.subject else self.state


JOINT_INSPECTION = "联合踏勘"
CLOCK_STEPS = {"extend": "办理期限已延长", "stop_clock": "暂停计时", "resume_clock": "恢复计时"}
"""A permit's steps that leave its state as it was: its department extended its time limit (review.extend), or a
procedure the limit does not count began or ended (pauses); each step's reason says why."""
JOINT_EXTENDED = "联合办理期限已延长"
"""The application's step when the district government extended the joint handling's limit (joint.extend)."""


def timeline(session: Session, *, actor: User, application_id: uuid.UUID) -> list[Step]:
    """The case's history in plain words: 已提交 → 已受理 → 各部门审批中 → 消防安全检查：准予许可 → 办结."""
    application = load(session, Application, application_id, actor, Action.view_application)
    tasks = {t.id: t for t in session.exec(select(PermitTask).where(PermitTask.application_id == application.id))}
    inspection = session.exec(select(Inspection.id).where(Inspection.application_id == application.id)).first()
    subjects = [application.id, *tasks, *([inspection] if inspection else [])]
    events = session.exec(select(AuditEvent).where(col(AuditEvent.subject_id).in_(subjects)).order_by(col(AuditEvent.seq)))
    steps = []
    for event in events:
        if event.to_state is None or event.action in ("create", "release"):
            continue
        if event.action == "extend_joint":
            step = Step(event.at, JOINT_EXTENDED, event.reason)
        elif event.subject_id == application.id:
            step = Step(event.at, APPLICATION_LABELS[event.to_state], event.reason)
        elif event.subject_id == inspection:
            step = Step(event.at, INSPECTION_LABELS[event.to_state], event.reason, JOINT_INSPECTION)
        elif event.action in CLOCK_STEPS:
            step = Step(event.at, CLOCK_STEPS[event.action], event.reason, tasks[event.subject_id].permit_name)
        else:
            step = Step(event.at, TASK_LABELS[event.to_state], event.reason, tasks[event.subject_id].permit_name)
        steps.append(step)
    return steps


@dataclass(frozen=True)
class Entry:
    task: PermitTask
    standing: Standing
    application_number: str
    applicant_name: str


def worklist(
    session: Session, *, actor: User, today: date, statuses: Collection[str] = ("pending", "rectification_needed")
) -> list[Entry]:
    """The tasks a desk works on, soonest due first: a department's own, or every department's for the district."""
    everywhere = may(actor, Action.view_task)  # with no subject, only a district-wide grant says yes
    if not everywhere and not may(actor, Action.view_task, Department(actor.department)):
        raise Forbidden([problem("forbidden", "您没有可查看的审批事项", "role", actor.role)])
    statement = (
        select(PermitTask, Application.number, Application.applicant_name)
        .join(Application, col(Application.id) == PermitTask.application_id)
        .where(col(PermitTask.status).in_(list(statuses)))
        .order_by(col(PermitTask.due_on), col(PermitTask.id))
    )
    if not everywhere:
        statement = statement.where(PermitTask.department == actor.department)
    return [Entry(task, clock.of(task).standing(today), n, name) for task, n, name in session.exec(statement)]


INTAKE_DAYS = 5
"""行政许可法 Art. 32(1)(4): the window tells the applicant what to correct within five (working) days of
receiving the materials, or the application counts as accepted from the day they were received."""


WAITING = ("submitted", "resubmitted")
"""An application the window has still to answer: received, or corrected and received again."""


@dataclass(frozen=True)
class Intake:
    application: Application
    received_on: date
    due_on: date
    standing: Standing


def intake(session: Session, *, actor: User, today: date) -> list[Intake]:
    """The window's queue: applications received or corrected and not yet answered, soonest due first."""
    if not may(actor, Action.view_application):  # with no subject, only a district-wide grant says yes
        raise Forbidden([problem("forbidden", "只有综合窗口和区级监督人员可以查看收件队列", "role", actor.role)])
    resolved = (
        select(CorrectionNotice.application_id, func.max(CorrectionNotice.resolved_at).label("at"))
        .group_by(col(CorrectionNotice.application_id))
        .subquery()
    )
    statement = (
        select(Application, resolved.c.at)
        .outerjoin(resolved, resolved.c.application_id == Application.id)
        .where(col(Application.status).in_(WAITING))
        .options(*LISTED)
    )
    queue = []
    for application, resolved_at in session.exec(statement):
        answering = _answer_clock(application, resolved_at)
        queue.append(Intake(application, answering.started_on, answering.due_on, answering.standing(today)))
    return sorted(queue, key=lambda i: (i.due_on, i.application.number))


def answer_due(session: Session, application: Application) -> tuple[date, date]:
    """(received, due): the day the window's five working days began for ``application`` and the last of them."""
    resolved = session.exec(
        select(func.max(CorrectionNotice.resolved_at)).where(CorrectionNotice.application_id == application.id)
    ).one()
    answering = _answer_clock(application, resolved)
    return answering.started_on, answering.due_on


def _answer_clock(application: Application, resolved_at: datetime | None) -> Clock:
    """The window's five working days, from the day the materials arrived or, corrected, arrived again."""
    return Clock(_beijing_date(resolved_at or application.submitted_at), INTAKE_DAYS)


def _beijing_date(at: datetime) -> date:
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(TIMEZONE).date()


@dataclass(frozen=True)
class Department:
    """Any subject concerning one department, to ask whether a user works for it."""

    department: str | None
    owner_id: uuid.UUID = uuid.UUID(int=0)

    @property
    def departments(self) -> list[str]:
        return [self.department] if self.department else []
