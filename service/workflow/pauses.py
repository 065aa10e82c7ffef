"""Procedures a time limit does not count (行政许可法 Art. 45): the department's clock stops while one is under way.

Art. 45: the time a hearing, tendering, auction, inspection, testing, quarantine, appraisal or expert review needs does
not count towards the limits of its section, and the agency tells the applicant in writing how much time it needs.
The limits of that section include the joint handling's (Art. 42(2)), so its clock stops as well while any procedure
of the application is under way. A joint visit's check (核查) is not one of them: it runs on the department's time.
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlmodel import Session, select

from composer.terms import PAUSES
from composer.workdays import add_working_days
from service.compose import today as beijing_today
from service.models import User
from service.workflow import audit, clock
from service.workflow.errors import Conflict, Invalid, problem
from service.workflow.models import Application, PermitTask
from service.workflow.roles import Action
from service.workflow.rows import atomic, committing, fingerprint, load, load_to_change, remember, replayed

MAX_DAYS = 250
"""The longest time a procedure may be said to need, in working days: about a year (an input bound, not the law's)."""


@atomic
def stop(
    session: Session,
    *,
    actor: User,
    task_id: uuid.UUID,
    kind: str,
    days: int,
    note: str,
    version: int | None,
    today: date | None = None,
    idempotency_key: str | None = None,
) -> PermitTask:
    """Begin a procedure of Art. 45 on a task its department is deciding: the applicant is told which, the time it
    needs and the department's ``note``, and the task's clock, and the joint handling's, stop from today until it ends
    (``resume``). With an ``idempotency_key``, a retry returns the task and stops nothing again."""
    request = fingerprint("stop_clock", {"task": str(task_id), "kind": kind, "days": days, "note": note, "version": version})
    if idempotency_key is not None and replayed(session, actor.id, idempotency_key, request) is not None:
        return load(session, PermitTask, task_id, actor, Action.view_task)
    task = load_to_change(session, PermitTask, task_id, actor, Action.decide_task, version)
    problems = []
    if kind not in PAUSES:
        problems.append(problem("kind_unknown", "请选择《行政许可法》第四十五条所列的一项程序", "kind", kind[:40]))
    if not 1 <= days <= MAX_DAYS:
        problems.append(problem("days_out_of_range", f"所需时间应为 1 至 {MAX_DAYS} 个工作日", "days", str(days)))
    if len(note.strip()) > 500:
        problems.append(problem("note_too_long", "说明不能超过 500 个字", "note"))
    if problems:
        raise Invalid(problems)
    on, subject = today or beijing_today(), ("task_id", str(task.id))
    if task.status != "pending":
        raise Conflict([problem("not_pending", "只有审批中的事项可以暂停计时", *subject)])
    if task.paused_since is not None:
        raise Conflict([problem("already_paused", "该事项已暂停计时", *subject)])
    if on > task.due_on:
        raise Conflict([problem("stop_past_due", f"办理期限已于 {task.due_on.isoformat()} 届满，不能再暂停计时", *subject)])
    with committing(session, task.id):
        application = _locked(session, task)
        if application.joint_paused_since is None:
            application.joint_paused_since = on
        task.paused_since = on
        task.not_counted = {"kind": kind, "days": days, "note": note.strip(), "since": on.isoformat()}
        said = f"{PAUSES[kind]}，所需时间约 {days} 个工作日，不计入办理时限" + (f"：{note.strip()}" if note.strip() else "")
        audit.noted(
            session,
            actor=actor,
            row=task,
            action="stop_clock",
            from_state=task.status,
            to_state=task.status,
            reason=said,
            data=dict(task.not_counted),
        )
        if idempotency_key is not None:
            remember(session, actor.id, idempotency_key, request, {"task_id": str(task.id)})
    return task


@atomic
def resume(
    session: Session,
    *,
    actor: User,
    task_id: uuid.UUID,
    version: int | None,
    today: date | None = None,
    idempotency_key: str | None = None,
) -> PermitTask:
    """The procedure has ended: the task's clock runs again, its due date moved by the working days it took, and the
    joint handling's too once no other procedure of the application is under way. With an ``idempotency_key``, a retry
    returns the task and resumes nothing again."""
    request = fingerprint("resume_clock", {"task": str(task_id), "version": version})
    if idempotency_key is not None and replayed(session, actor.id, idempotency_key, request) is not None:
        return load(session, PermitTask, task_id, actor, Action.view_task)
    task = load_to_change(session, PermitTask, task_id, actor, Action.decide_task, version)
    if task.not_counted is None:
        raise Conflict([problem("not_stopped", "该事项没有进行中的不计时程序", "task_id", str(task.id))])
    on = today or beijing_today()
    with committing(session, task.id):
        application = _locked(session, task)
        kind = task.not_counted["kind"]
        task.not_counted = None
        clock.resume(task, on)
        siblings = session.exec(select(PermitTask).where(PermitTask.application_id == task.application_id))
        if application.joint_paused_since is not None and not any(t.not_counted for t in siblings if t.id != task.id):
            taken = clock.working_days_between(application.joint_paused_since, on)
            if application.joint_due_on is not None:
                application.joint_due_on = add_working_days(application.joint_due_on, taken)
            application.joint_paused_since = None
        audit.noted(
            session,
            actor=actor,
            row=task,
            action="resume_clock",
            from_state=task.status,
            to_state=task.status,
            reason=f"{PAUSES[kind]}已结束，恢复计时",
            data={"kind": kind, "due_on": task.due_on.isoformat()},
        )
        if idempotency_key is not None:
            remember(session, actor.id, idempotency_key, request, {"task_id": str(task.id)})
    return task


def open_procedure(task: PermitTask) -> Conflict | None:
    """Why the task cannot be decided now: a procedure of Art. 45 is still under way (its end restarts the clock first)."""
    if task.not_counted is None:
        return None
    said = f"{PAUSES[task.not_counted['kind']]}尚未结束：请先记录其结束、恢复计时，再作出决定"
    return Conflict([problem("procedure_under_way", said, "task_id", str(task.id))])


def _locked(session: Session, task: PermitTask) -> Application:
    """The task's application, locked: its departments' procedures start and end one at a time."""
    application = session.get(Application, task.application_id, with_for_update=True)
    assert application is not None
    return application
