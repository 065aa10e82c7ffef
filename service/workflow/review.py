"""Parallel approval (并联审批): a department decides its own permit tasks.

准予许可; 不予许可 with reasons and legal basis (行政许可法 Art. 38(2)); or rectification needed, which stops
the clock until the applicant reports it done. A permit taken on 告知承诺 is approved on the commitment
and a 核查 is due within the pack's follow-up limit; a failed check revokes it (北京市优化营商环境条例
Art. 33). A decided dependency releases the permits waiting on it; the last decision concludes the application.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from enum import StrEnum

from sqlmodel import Session, select

from composer.workdays import add_working_days
from service.certs import life
from service.certs.lifecycle import record_recovery
from service.compose import today as beijing_today
from service.models import User, utcnow
from service.workflow import audit, clock, inspection, pauses, queues
from service.workflow.errors import Conflict, Invalid, problem
from service.workflow.models import Application, PermitTask
from service.workflow.roles import Action
from service.workflow.rows import atomic, committing, fingerprint, load, load_to_change, remember, replayed
from service.workflow.states import TASK_DECIDED, TASK_LABELS, TASK_OPEN, TaskFlow, fire


class Decision(StrEnum):
    approve = "approve"
    reject = "reject"
    rectify = "rectify"


@atomic
def decide(
    session: Session,
    *,
    actor: User,
    task_id: uuid.UUID,
    decision: Decision,
    version: int | None,
    reasons: Sequence[str] = (),
    legal_basis: Sequence[str] = (),
    today: date | None = None,
    idempotency_key: str | None = None,
) -> PermitTask:
    """A reviewer's (or their department's system's) decision on one of the department's tasks.

    With an ``idempotency_key``, a retry of the same decision returns the task and decides nothing again.
    """
    asked = {"task": str(task_id), "decision": decision.value, "reasons": list(reasons), "legal_basis": list(legal_basis)}
    request = fingerprint("decide", asked | {"version": version})
    if idempotency_key is not None and replayed(session, actor.id, idempotency_key, request) is not None:
        return load(session, PermitTask, task_id, actor, Action.view_task)
    task = load_to_change(session, PermitTask, task_id, actor, Action.decide_task, version)
    on = today or beijing_today()
    kept_reasons = [r.strip() for r in reasons if r.strip()]
    kept_basis = [b.strip() for b in legal_basis if b.strip()]
    if decision is Decision.reject:
        problems = []
        if not kept_reasons:
            problems.append(problem("reason_required", "不予许可须说明理由", "reasons"))
        if not kept_basis:
            problems.append(problem("legal_basis_required", "不予许可须写明法律依据", "legal_basis"))
        if problems:
            raise Invalid(problems)
    if decision is Decision.rectify and not kept_reasons:
        raise Invalid([problem("reason_required", "要求整改须列明整改意见", "reasons")])
    if (under_way := pauses.open_procedure(task)) is not None:
        raise under_way
    if decision is Decision.approve and (held := inspection.approval_held(session, task)) is not None:
        raise Conflict([problem("inspection_not_passed", held, "decision", task.permit)])
    with committing(session, task.id):
        # One application's decisions take turns (the application first, as accepting and withdrawing lock it):
        # of its last two decided at once, the second sees the first and concludes the application.
        session.get(Application, task.application_id, with_for_update={"key_share": True})
        if decision is Decision.rectify:
            before, after = fire(TaskFlow, task, "require_rectification", "审批事项")
            task.paused_since = on  # the applicant's time does not count against the department
            task.reasons = kept_reasons
        else:
            event = "reject" if decision is Decision.reject else "approve_on_commitment" if task.on_commitment else "approve"
            before, after = fire(TaskFlow, task, event, "审批事项")
            task.decided_by, task.decided_at = actor.id, utcnow()
            task.reasons, task.legal_basis = kept_reasons, kept_basis
            if task.paused_since is not None:
                clock.resume(task, on)
            if event == "approve_on_commitment":
                task.verification_due = add_working_days(on, task.follow_up_days or task.limit_days)
        audit.noted(
            session,
            actor=actor,
            row=task,
            action=decision.value,
            from_state=before,
            to_state=after,
            reason="；".join(kept_reasons),
            data={
                "legal_basis": kept_basis,
                "verification_due": task.verification_due.isoformat() if task.verification_due else None,
            },
        )
        if decision is not Decision.rectify:
            queues.count_decision(session, task, on)
            after_decision(session, actor, task)
        if idempotency_key is not None:
            remember(session, actor.id, idempotency_key, request, {"task_id": str(task.id)})
    return task


@atomic
def extend(
    session: Session,
    *,
    actor: User,
    task_id: uuid.UUID,
    reason: str,
    approved_by: str,
    version: int | None,
    today: date | None = None,
    idempotency_key: str | None = None,
) -> PermitTask:
    """延长办理期限 (行政许可法 Art. 42(1)): once, before the limit has run out, approved by the department's head, with
    the reason, which the applicant is told. With an ``idempotency_key``, a retry returns the task and extends nothing."""
    asked = {"task": str(task_id), "reason": reason.strip(), "approved_by": approved_by.strip(), "version": version}
    request = fingerprint("extend", asked)
    if idempotency_key is not None and replayed(session, actor.id, idempotency_key, request) is not None:
        return load(session, PermitTask, task_id, actor, Action.view_task)
    task = load_to_change(session, PermitTask, task_id, actor, Action.decide_task, version)
    clock.check_approval(reason, approved_by, approver_missing="须写明批准延长的本机关负责人")
    on = today or beijing_today()
    if task.status not in TASK_OPEN:
        raise Conflict([problem("task_decided", "该事项已作出决定，无需延长办理期限", "task_id", str(task.id))])
    if task.extended_days:
        raise Conflict([problem("already_extended", "办理期限已延长过一次，不能再延长", "task_id", str(task.id))])
    due = clock.of(task).resume(on).due_on  # while the applicant rectifies, the limit is not running out
    if on > due:
        raise Conflict([problem("past_due", f"办理期限已于 {due.isoformat()} 届满，不能再延长", "task_id", str(task.id))])
    if (beyond := _beyond_joint_limit(session, task)) is not None:
        raise beyond
    with committing(session, task.id):
        clock.extend(task)
        audit.noted(
            session,
            actor=actor,
            row=task,
            action="extend",
            from_state=task.status,
            to_state=task.status,
            reason=reason.strip(),
            data={"approved_by": approved_by.strip(), "days": task.extended_days, "due_on": task.due_on.isoformat()},
        )
        if idempotency_key is not None:
            remember(session, actor.id, idempotency_key, request, {"task_id": str(task.id)})
    return task


def _beyond_joint_limit(session: Session, task: PermitTask) -> Conflict | None:
    """Why an extension cannot be granted: it would end after the joint handling's limit (Art. 42(2)), which only the
    district government's head can move (joint.extend). A clock standing still is not measured: its dates will move."""
    application = session.get(Application, task.application_id)
    if application is None or application.joint_due_on is None or application.joint_paused_since or task.paused_since:
        return None
    extended = add_working_days(task.due_on, clock.EXTENSION_DAYS)
    if extended <= application.joint_due_on:
        return None
    said = (
        f"延长后的办理期限（{extended.isoformat()}）将超过本申请的联合办理期限（{application.joint_due_on.isoformat()}）："
        "须先由综合窗口报区人民政府负责人批准延长联合办理期限"
    )
    return Conflict([problem("beyond_joint_limit", said, "task_id", str(task.id))])


@atomic
def report_rectified(
    session: Session, *, actor: User, task_id: uuid.UUID, version: int | None, today: date | None = None
) -> PermitTask:
    """The applicant reports the rectification done: the clock runs again, the due date moves by the pause."""
    task = load_to_change(session, PermitTask, task_id, actor, Action.report_rectified, version)
    with committing(session, task.id):
        clock.resume(task, today or beijing_today())
        audit.transition(session, actor=actor, row=task, event="report_rectified", data={"due_on": task.due_on.isoformat()})
    return task


@atomic
def record_verification(
    session: Session, *, actor: User, task_id: uuid.UUID, passed: bool, version: int | None, reason: str = ""
) -> PermitTask:
    """The 核查 after a commitment: passed, or failed and the permit revoked (the reason is required)."""
    task = load_to_change(session, PermitTask, task_id, actor, Action.verify_commitment, version)
    if not passed and not reason.strip():
        raise Invalid([problem("reason_required", "核查不合格须写明事实与理由", "reason")])
    with committing(session, task.id):
        before, after = fire(TaskFlow, task, "pass_verification" if passed else "revoke", "审批事项")
        audit.noted(
            session,
            actor=actor,
            row=task,
            action="verify" if passed else "revoke",
            from_state=before,
            to_state=after,
            reason=reason.strip(),
        )
        if not passed:  # 一业一证: a revoked sub-permit voids the certificate at once; its recovery is recorded
            record_recovery(session, actor=actor, application_id=task.application_id, permit=task.permit, reason=reason.strip())
    return task


def after_decision(session: Session, actor: User | None, task: PermitTask) -> None:
    """Release the tasks whose dependencies are now all decided; conclude the application after its last decision."""
    life.decided(session, actor, task)  # a decision on a change, extension, suspension or cancellation takes effect
    siblings = list(session.exec(select(PermitTask).where(PermitTask.application_id == task.application_id)))
    outcome = {t.permit: t.status for t in siblings}
    for waiting in siblings:
        if waiting.status == "waiting_dependency" and all(outcome.get(d) in TASK_DECIDED for d in waiting.depends_on):
            # the dependency's opinion reaches the department internally, never as an upload
            opinions = {d: TASK_LABELS[outcome[d]] for d in waiting.depends_on}
            audit.transition(session, actor=actor, row=waiting, event="release", data={"opinions": opinions})
    if all(t.status in TASK_DECIDED for t in siblings):
        application = session.get(Application, task.application_id)
        assert application is not None
        application.decided_at = utcnow()
        audit.transition(session, actor=actor, row=application, event="conclude")
