"""The application's and each permit task's states and transitions, written once (python-statemachine).

A machine is bound to its row (``status`` is the state field): sending an event checks the transition
is allowed and writes the new status, and nothing else in the workflow writes ``status``. The
diagrams in ``docs/workflow.md`` are exported from these classes (``mermaid()``).
"""

from __future__ import annotations

from typing import Any

from statemachine import Event, State, StateMachine
from statemachine.exceptions import TransitionNotAllowed

from service.workflow.errors import Conflict, problem


class ApplicationFlow(StateMachine):
    """一窗受理: submitted, corrected as often as needed, then accepted or refused; approved in parallel; decided."""

    submitted = State("已提交", initial=True)
    correction_requested = State("待补正")
    resubmitted = State("已补正")
    accepted = State("已受理")
    refused = State("不予受理", final=True)
    in_approval = State("各部门审批中")
    decided = State("办结", final=True)
    withdrawn = State("已撤回", final=True)

    request_correction = Event(correction_requested.from_(submitted, resubmitted), name="发出补正告知")
    resubmit = Event(correction_requested.to(resubmitted), name="提交补正材料")
    accept = Event(accepted.from_(submitted, resubmitted), name="受理")
    refuse = Event(refused.from_(submitted, resubmitted), name="不予受理")
    start_approval = Event(accepted.to(in_approval), name="分送各部门并联审批")
    conclude = Event(in_approval.to(decided), name="办结")
    withdraw = Event(withdrawn.from_(submitted, correction_requested, resubmitted, accepted, in_approval), name="撤回申请")


class TaskFlow(StateMachine):
    """并联审批: one permit's task, waiting on a dependency or pending, until its department decides."""

    waiting_dependency = State("等待前置许可结果", initial=True)
    pending = State("审批中")
    rectification_needed = State("待整改")
    approved = State("准予许可", final=True)
    approved_on_commitment = State("告知承诺准予许可")
    rejected = State("不予许可", final=True)
    verified = State("核查通过", final=True)
    revoked = State("已撤销", final=True)
    cancelled = State("已终止", final=True)
    undecided = (waiting_dependency, pending, rectification_needed)
    """Before the department's decision: the task can still be stopped, or deemed granted when its time runs out."""

    release = Event(waiting_dependency.to(pending), name="开始审批")
    approve = Event(pending.to(approved), name="准予许可")
    approve_on_commitment = Event(pending.to(approved_on_commitment), name="按告知承诺准予许可")
    reject = Event(rejected.from_(pending, rectification_needed), name="不予许可")
    require_rectification = Event(pending.to(rectification_needed), name="要求整改")
    report_rectified = Event(rectification_needed.to(pending), name="报告整改完成")
    pass_verification = Event(approved_on_commitment.to(verified), name="核查通过")
    revoke = Event(approved_on_commitment.to(revoked), name="核查不合格，撤销许可")
    cancel = Event(cancelled.from_(*undecided), name="终止审批")
    deem_granted = Event(approved.from_(*undecided), name="逾期未决定，视为准予")


class InspectionFlow(StateMachine):
    """联合踏勘: one visit, one merged rectification notice, one report from the applicant, one re-check."""

    scheduled = State("已安排踏勘", initial=True)
    rectification_needed = State("待整改")
    rectified = State("已报告整改完成")
    passed = State("踏勘通过", final=True)
    failed = State("复查未通过", final=True)

    pass_visit = Event(passed.from_(scheduled, rectified), name="全部要素符合")
    require_rectification = Event(scheduled.to(rectification_needed), name="整改意见一口告知")
    report_rectified = Event(rectification_needed.to(rectified), name="报告整改完成")
    fail_recheck = Event(rectified.to(failed), name="复查仍不符合")


class HoldingFlow(StateMachine):
    """A granted sub-permit after issue: changed, extended, suspended for a period, or ended (注销、撤销、吊销)."""

    valid = State("有效", initial=True)
    changed = State("已变更")
    suspended = State("歇业")
    cancelled = State("已注销", final=True)
    withdrawn = State("已撤销", final=True)
    revoked = State("已吊销", final=True)

    extend = Event(valid.to(valid) | changed.to(changed) | suspended.to(suspended), name="准予延续")
    record_change = Event(valid.to(changed) | changed.to(changed) | suspended.to(suspended), name="准予变更")
    suspend = Event(suspended.from_(valid, changed), name="歇业")
    resume = Event(suspended.to(valid), name="复业")
    cancel = Event(cancelled.from_(valid, changed, suspended), name="注销")
    withdraw = Event(withdrawn.from_(valid, changed, suspended), name="撤销")
    revoke = Event(revoked.from_(valid, changed, suspended), name="吊销")


class ChangeSetFlow(StateMachine):
    """A policy change set: drafted, submitted, approved by a second person (or sent back), published once."""

    draft = State("起草中", initial=True)
    submitted = State("待审核")
    approved = State("已批准，待发布")
    published = State("已发布", final=True)

    submit = Event(draft.to(submitted), name="提交审核")
    approve = Event(submitted.to(approved), name="批准")
    send_back = Event(submitted.to(draft), name="退回")
    publish = Event(approved.to(published), name="发布")
    catch_up = Event(draft.from_(draft, submitted, approved), name="更新到最新版本")


TASK_DECIDED = frozenset({"approved", "approved_on_commitment", "rejected", "verified", "revoked"})
"""A task in one of these states has its department's decision (a later 核查 may still revoke it)."""

TASK_OPEN = frozenset(s.id for s in TaskFlow.undecided)
"""A task in one of these states is still before its department's decision."""

APPLICATION_LABELS = {s.id: s.name for s in ApplicationFlow.states}
TASK_LABELS = {s.id: s.name for s in TaskFlow.states}
INSPECTION_LABELS = {s.id: s.name for s in InspectionFlow.states}
HOLDING_LABELS = {s.id: s.name for s in HoldingFlow.states}
CHANGE_SET_LABELS = {s.id: s.name for s in ChangeSetFlow.states}
STATE_LABELS: dict[type[StateMachine], dict[str, str]] = {
    ApplicationFlow: APPLICATION_LABELS,
    TaskFlow: TASK_LABELS,
    InspectionFlow: INSPECTION_LABELS,
    HoldingFlow: HOLDING_LABELS,
    ChangeSetFlow: CHANGE_SET_LABELS,
}
EVENT_LABELS: dict[type[StateMachine], dict[str, str]] = {
    machine: {e.id: e.name for e in machine.events}  # type: ignore[attr-defined]  # a class-level property
    for machine in STATE_LABELS
}


def fire(machine_class: type[StateMachine], row: Any, event: str, label: str) -> tuple[str, str]:
    """Send ``event`` to ``row``'s machine; returns (from, to) or raises Conflict naming the current state."""
    before = row.status
    machine = machine_class(row, state_field="status")
    try:
        machine.send(event)
    except TransitionNotAllowed as exc:
        raise _refused(machine_class, before, event, label) from exc
    return before, row.status


def require(machine_class: type[StateMachine], row: Any, event: str, label: str) -> None:
    """Raise the Conflict ``fire`` would, sending nothing: for a step that checks its transition before its work."""
    if event not in {e.id for e in machine_class(row, state_field="status").allowed_events}:
        raise _refused(machine_class, row.status, event, label)


def _refused(machine_class: type[StateMachine], before: str, event: str, label: str) -> Conflict:
    labels, events = STATE_LABELS[machine_class], EVENT_LABELS[machine_class]
    message = f"{label}当前为“{labels.get(before, before)}”，不能{events.get(event, event)}"
    return Conflict([problem("state_conflict", message, "status", before)])


def initial_status(machine_class: type[StateMachine]) -> str:
    """The state a new row starts in, as the machine defines it."""
    initial = machine_class.initial_state
    assert initial is not None
    return str(initial.id)


def mermaid(machine_class: type[StateMachine]) -> str:
    """The machine as a mermaid state diagram (the library's own exporter)."""
    return format(machine_class, "mermaid")
