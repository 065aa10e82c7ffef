"""A department's own system: pull its permit tasks and push decisions (并联审批 over the API).

The system sends its key in ``X-API-Key``; the key belongs to an integrator account of one department
(``yiye users key``), so it sees and decides that department's tasks only. A decision names the version
of the task it was made from, and may carry an ``Idempotency-Key``: a retry returns the task and
decides nothing again.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Query
from pydantic import BaseModel, ConfigDict, Field, JsonValue
from sqlmodel import Session

from rules.errors import Problem
from service import crud
from service.api.strict_json import StrictJSONRoute
from service.compose import today
from service.deps import SessionDep
from service.errors import TOO_LARGE, VALIDATION, ApiError, one_error
from service.models import User
from service.workflow import clock, inspection, pauses
from service.workflow.clock import STANDING_LABELS, Standing
from service.workflow.errors import WorkflowError
from service.workflow.models import Application, PermitTask
from service.workflow.pauses import MAX_DAYS
from service.workflow.progress import worklist
from service.workflow.review import Decision, decide, extend
from service.workflow.states import TASK_LABELS

router = APIRouter(prefix="/tasks", tags=["department systems"], route_class=StrictJSONRoute)

ApiKey = Annotated[str | None, Header(max_length=200, description="the department system's key")]
"""``X-API-Key``: the key of the department system's integrator account (``yiye users key``)."""
RetryKey = Annotated[str | None, Header(min_length=1, max_length=100, description="a retry with the same key returns the task")]
"""``Idempotency-Key`` of a change whose retry needs no more words than that."""

TaskStatus = Literal[
    "waiting_dependency",
    "pending",
    "rectification_needed",
    "approved",
    "approved_on_commitment",
    "rejected",
    "verified",
    "revoked",
]


UNAUTHORIZED = one_error(
    "No key, or not a department system's key", "unauthorized", "需要部门系统的 X-API-Key", "header.X-API-Key"
)
FORBIDDEN = one_error(
    "The task belongs to another department", "forbidden", "您（部门系统对接，fire）无权对这件审批事项（police）执行此操作", "id"
)
NOT_FOUND = one_error("No task with this id", "not_found", "没有这件审批事项", "id")
CONFLICT = one_error(
    "The task changed since the version sent, or its state does not allow the decision; nothing was written",
    "state_conflict",
    "审批事项当前为“准予许可”，不能不予许可",
    "status",
)
BAD_DECISION = one_error(
    "A refusal without reasons or legal basis, a bad key, or a schema error",
    "legal_basis_required",
    "不予许可须写明法律依据",
    "legal_basis",
)
CHANGE_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: UNAUTHORIZED,
    403: FORBIDDEN,
    404: NOT_FOUND,
    409: CONFLICT,
    413: TOO_LARGE,
    422: VALIDATION,
}
"""What a change to one task may answer besides 200."""


_TASK_EXAMPLE: dict[str, JsonValue] = {
    "id": "5b0c2f0e-8f7a-4c3e-9d61-2a4f0c9b7e11",
    "application_number": "DC-20261207-00042",
    "applicant_name": "东城示例旅店有限公司",
    "permit": "fire_check",
    "permit_name": "公众聚集场所消防安全检查",
    "department": "fire",
    "status": "pending",
    "status_label": "审批中",
    "version": 2,
    "due_on": "2026-12-24",
    "standing": "on_time",
    "standing_label": "正常",
    "depends_on": [],
    "on_commitment": False,
    "held": "联合踏勘尚未完成：核查合格后方可准予许可",
    "verification_due": None,
    "extended_days": 0,
    "not_counted": None,
    "reasons": [],
    "legal_basis": [],
}


Procedure = Literal["hearing", "tender", "auction", "inspection", "testing", "quarantine", "appraisal", "expert_review"]
"""听证、招标、拍卖、检验、检测、检疫、鉴定、专家评审: the procedures 行政许可法 Art. 45 does not count (rules.model.Pause)."""


class NotCountedOut(BaseModel):
    """The procedure of Art. 45 under way, which stopped the task's clock."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"kind": "expert_review", "days": 10, "note": "需组织专家论证", "since": "2026-12-09"}]}
    )

    kind: Procedure
    days: int = Field(description="the working days it needs, as the applicant was told")
    note: str
    since: date


class TaskOut(BaseModel):
    """One permit task, as its department sees it."""

    model_config = ConfigDict(json_schema_extra={"examples": [_TASK_EXAMPLE]})

    id: uuid.UUID
    application_number: str = Field(description="受理编号，例如 DC-20261205-00042")
    applicant_name: str
    permit: str
    permit_name: str
    department: str
    status: str
    status_label: str = Field(description="the status in Chinese")
    version: int = Field(description="send it back with a decision")
    due_on: date = Field(description="the last working day of the department's time limit")
    standing: Literal["on_time", "due_soon", "overdue", "paused"]
    standing_label: str
    depends_on: list[str]
    on_commitment: bool = Field(description="taken on 告知承诺: decided without the deferred materials, then checked")
    held: str | None = Field(
        description="why 准予许可 would be refused now: the joint visit has not passed this permit (null: nothing holds it)"
    )
    verification_due: date | None
    extended_days: int = Field(description="working days the one extension of the time limit added (0: not extended)")
    not_counted: NotCountedOut | None = Field(
        description="a procedure the time limit does not count (Art. 45), under way: no decision until it ends"
    )
    reasons: list[str]
    legal_basis: list[str]


class TaskList(BaseModel):
    """A department's tasks, soonest due first."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"tasks": [_TASK_EXAMPLE]}]})

    tasks: list[TaskOut]


class DecisionIn(BaseModel):
    """准予许可 (approve), 不予许可 (reject: reasons and legal basis required) or 整改 (rectify: the points)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"decision": "approve", "version": 2},
                {
                    "decision": "reject",
                    "version": 2,
                    "reasons": ["疏散通道宽度不足 1.4 米"],
                    "legal_basis": ["《中华人民共和国消防法》第十五条"],
                },
            ]
        },
    )

    decision: Literal["approve", "reject", "rectify"]
    version: int = Field(ge=1, description="the task's version the decision was made from")
    reasons: list[Annotated[str, Field(max_length=500)]] = Field(default=[], max_length=20)
    legal_basis: list[Annotated[str, Field(max_length=200)]] = Field(default=[], max_length=10)


class ExtensionIn(BaseModel):
    """延长办理期限 (行政许可法 Art. 42(1)): once, before the limit runs out, approved by the department's head."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"version": 2, "reason": "需征求规划部门意见", "approved_by": "王局长"}]},
    )

    version: int = Field(ge=1, description="the task's version the extension was decided from")
    reason: str = Field(min_length=1, max_length=500, description="why: the applicant is told")
    approved_by: str = Field(min_length=1, max_length=50, description="the head of the department who approved it")


class ClockStopIn(BaseModel):
    """暂停计时 (行政许可法 Art. 45): a procedure begins that the time limit does not count; the applicant is told."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"version": 2, "kind": "expert_review", "days": 10, "note": "需组织专家论证"}]},
    )

    version: int = Field(ge=1, description="the task's version the stop was decided from")
    kind: Procedure
    days: int = Field(ge=1, le=MAX_DAYS, description="the working days it needs: the applicant is told in writing")
    note: str = Field(default="", max_length=500, description="sent to the applicant with it")


class ClockResumeIn(BaseModel):
    """恢复计时: the procedure has ended; the due date moves by the working days it took."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"version": 3}]})

    version: int = Field(ge=1, description="the task's version the procedure's end was recorded from")


def _integrator(session: Session, x_api_key: str | None) -> User:
    """The integrator account the key belongs to; 401 otherwise."""
    if not x_api_key:
        raise ApiError(401, [Problem("unauthorized", "需要部门系统的 X-API-Key", "header.X-API-Key")])
    user = crud.integrator_by_key(session=session, key=x_api_key)
    if user is None:
        raise ApiError(401, [Problem("unauthorized", "X-API-Key 无效", "header.X-API-Key")])
    return user


def _changed(session: Session, x_api_key: str | None, change: Callable[[User, date], PermitTask]) -> TaskOut:
    """A department system's change to one of its tasks, made today as its key's account; workflow refusals become the
    API's errors."""
    user, on = _integrator(session, x_api_key), today()
    try:
        task = change(user, on)
    except WorkflowError as exc:
        raise ApiError(exc.status, exc.problems) from exc
    return _out(session, task, on)


def _out(session: Session, task: PermitTask, on: date) -> TaskOut:
    application = session.get(Application, task.application_id)
    assert application is not None
    held = inspection.held(session, [task]).get(task.id)
    return _shape(task, application.number, application.applicant_name, clock.of(task).standing(on), held)


def _shape(task: PermitTask, number: str, name: str, standing: Standing, held: str | None) -> TaskOut:
    """The task's own fields, with what its department reads beside them."""
    beside = {"application_number": number, "applicant_name": name, "status_label": TASK_LABELS[task.status], "held": held}
    clock = {"standing": standing.value, "standing_label": STANDING_LABELS[standing]}
    return TaskOut.model_validate(task.model_dump() | beside | clock)


@router.get("", responses={401: UNAUTHORIZED, 422: VALIDATION})
def list_tasks(
    session: SessionDep,
    x_api_key: ApiKey = None,
    status: Annotated[list[TaskStatus] | None, Query(description="default: pending and rectification_needed")] = None,
) -> TaskList:
    """The department's tasks in these states, soonest due first, each with its due date and standing."""
    user = _integrator(session, x_api_key)
    on = today()
    try:
        entries = worklist(session, actor=user, today=on, statuses=status or ["pending", "rectification_needed"])
    except WorkflowError as exc:
        raise ApiError(exc.status, exc.problems) from exc
    held = inspection.held(session, [e.task for e in entries])
    return TaskList(
        tasks=[_shape(e.task, e.application_number, e.applicant_name, e.standing, held.get(e.task.id)) for e in entries]
    )


@router.post(
    "/{task_id}/decision",
    responses={401: UNAUTHORIZED, 403: FORBIDDEN, 404: NOT_FOUND, 409: CONFLICT, 413: TOO_LARGE, 422: BAD_DECISION},
)
def post_decision(
    task_id: uuid.UUID,
    body: DecisionIn,
    session: SessionDep,
    x_api_key: ApiKey = None,
    idempotency_key: Annotated[
        str | None,
        Header(min_length=1, max_length=100, description="a retry with the same key returns the task and decides nothing again"),
    ] = None,
) -> TaskOut:
    """Decide one of the department's tasks."""
    return _changed(
        session,
        x_api_key,
        lambda user, on: decide(
            session,
            actor=user,
            task_id=task_id,
            decision=Decision(body.decision),
            version=body.version,
            reasons=body.reasons,
            legal_basis=body.legal_basis,
            today=on,
            idempotency_key=idempotency_key,
        ),
    )


@router.post(
    "/{task_id}/extension",
    responses=CHANGE_RESPONSES,
)
def post_extension(
    task_id: uuid.UUID,
    body: ExtensionIn,
    session: SessionDep,
    x_api_key: ApiKey = None,
    idempotency_key: Annotated[
        str | None,
        Header(min_length=1, max_length=100, description="a retry with the same key returns the task and extends nothing"),
    ] = None,
) -> TaskOut:
    """Extend one of the department's tasks' time limit by ten working days, once."""
    return _changed(
        session,
        x_api_key,
        lambda user, on: extend(
            session,
            actor=user,
            task_id=task_id,
            reason=body.reason,
            approved_by=body.approved_by,
            version=body.version,
            today=on,
            idempotency_key=idempotency_key,
        ),
    )


@router.post(
    "/{task_id}/clock/stop",
    responses=CHANGE_RESPONSES,
)
def stop_clock(
    task_id: uuid.UUID,
    body: ClockStopIn,
    session: SessionDep,
    x_api_key: ApiKey = None,
    idempotency_key: RetryKey = None,
) -> TaskOut:
    """Stop one of the department's tasks' clock for a procedure of Art. 45, until ``resume``."""
    return _changed(
        session,
        x_api_key,
        lambda user, on: pauses.stop(
            session,
            actor=user,
            task_id=task_id,
            kind=body.kind,
            days=body.days,
            note=body.note,
            version=body.version,
            today=on,
            idempotency_key=idempotency_key,
        ),
    )


@router.post(
    "/{task_id}/clock/resume",
    responses=CHANGE_RESPONSES,
)
def resume_clock(
    task_id: uuid.UUID,
    body: ClockResumeIn,
    session: SessionDep,
    x_api_key: ApiKey = None,
    idempotency_key: RetryKey = None,
) -> TaskOut:
    """The procedure has ended: the task's clock runs again, its due date moved by the working days it took."""
    return _changed(
        session,
        x_api_key,
        lambda user, on: pauses.resume(
            session, actor=user, task_id=task_id, version=body.version, today=on, idempotency_key=idempotency_key
        ),
    )
