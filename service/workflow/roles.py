"""Roles and who may do what, as one table of (role, action, scope).

``may(user, action, subject)`` is the only place a permission is decided. A subject tells whose it is
(``owner_id``: the applicant) and which departments it concerns (``departments``); an action with no
subject (editing a pack, creating an account) passes ``None`` and needs the ``any`` scope.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from enum import StrEnum
from typing import Protocol


class Role(StrEnum):
    applicant = "applicant"
    clerk = "clerk"
    """综合窗口: intake, completeness check, correction notices, acceptance, counter registration."""
    reviewer = "reviewer"
    """a department's reviewer: decides that department's permit tasks only."""
    inspector = "inspector"
    supervisor = "supervisor"
    """the district's supervisor: reads everything, changes nothing."""
    policy_author = "policy_author"
    policy_approver = "policy_approver"
    integrator = "integrator"
    """a department's own system, calling the API with a key scoped to that department."""
    admin = "admin"


ROLE_NAMES: dict[str, str] = {
    Role.applicant: "申请人",
    Role.clerk: "综合窗口受理人员",
    Role.reviewer: "部门审批人员",
    Role.inspector: "踏勘核查人员",
    Role.supervisor: "区级监督人员",
    Role.policy_author: "规则编写人员",
    Role.policy_approver: "规则审核发布人员",
    Role.integrator: "部门系统对接",
    Role.admin: "系统管理员",
}

DEPARTMENT_ROLES = frozenset({Role.reviewer, Role.inspector, Role.integrator})
"""Roles that act for one department, and so need one."""


class Action(StrEnum):
    submit = "submit"
    view_application = "view_application"
    withdraw = "withdraw"
    resubmit = "resubmit"
    report_rectified = "report_rectified"
    register_at_counter = "register_at_counter"
    check_materials = "check_materials"
    request_correction = "request_correction"
    accept = "accept"
    refuse = "refuse"
    schedule_inspection = "schedule_inspection"
    extend_joint_limit = "extend_joint_limit"
    """record the district government head's approval of 15 more working days for the joint handling (Art. 42(2))"""
    view_task = "view_task"
    decide_task = "decide_task"
    record_inspection = "record_inspection"
    verify_commitment = "verify_commitment"
    issue_certificate = "issue_certificate"
    view_certificate = "view_certificate"
    view_audit = "view_audit"
    supervise = "supervise"
    """the district's dashboard: every department's figures, read only"""
    edit_pack = "edit_pack"
    publish_pack = "publish_pack"
    manage_users = "manage_users"


class Scope(StrEnum):
    own = "own"
    """the subject is the user's own (they are its applicant)."""
    department = "department"
    """the subject concerns the user's department."""
    any = "any"


PERMISSIONS: frozenset[tuple[Role, Action, Scope]] = frozenset(
    [
        (Role.applicant, Action.submit, Scope.own),
        (Role.applicant, Action.view_application, Scope.own),
        (Role.applicant, Action.withdraw, Scope.own),
        (Role.applicant, Action.resubmit, Scope.own),
        (Role.applicant, Action.report_rectified, Scope.own),
        (Role.applicant, Action.view_task, Scope.own),
        (Role.applicant, Action.view_certificate, Scope.own),
        # One window: both channels (online and at the counter) are one process.
        (Role.clerk, Action.register_at_counter, Scope.any),
        (Role.clerk, Action.view_application, Scope.any),
        (Role.clerk, Action.check_materials, Scope.any),
        (Role.clerk, Action.request_correction, Scope.any),
        (Role.clerk, Action.accept, Scope.any),
        (Role.clerk, Action.refuse, Scope.any),
        (Role.clerk, Action.schedule_inspection, Scope.any),
        (Role.clerk, Action.extend_joint_limit, Scope.any),
        (Role.clerk, Action.view_task, Scope.any),
        (Role.clerk, Action.view_audit, Scope.any),
        # 一证准营: the window issues the certificate once every department has decided.
        (Role.clerk, Action.issue_certificate, Scope.any),
        (Role.clerk, Action.view_certificate, Scope.any),
        (Role.reviewer, Action.view_certificate, Scope.department),
        (Role.supervisor, Action.view_certificate, Scope.any),
        (Role.reviewer, Action.view_application, Scope.department),
        (Role.reviewer, Action.view_task, Scope.department),
        (Role.reviewer, Action.decide_task, Scope.department),
        (Role.reviewer, Action.verify_commitment, Scope.department),
        (Role.inspector, Action.view_application, Scope.department),
        (Role.inspector, Action.view_task, Scope.department),
        (Role.inspector, Action.record_inspection, Scope.department),
        (Role.inspector, Action.verify_commitment, Scope.department),
        (Role.supervisor, Action.view_application, Scope.any),
        (Role.supervisor, Action.view_task, Scope.any),
        (Role.supervisor, Action.view_audit, Scope.any),
        (Role.supervisor, Action.supervise, Scope.any),
        (Role.policy_author, Action.edit_pack, Scope.any),
        (Role.policy_approver, Action.publish_pack, Scope.any),
        (Role.integrator, Action.view_task, Scope.department),
        (Role.integrator, Action.decide_task, Scope.department),
        (Role.admin, Action.manage_users, Scope.any),
        (Role.admin, Action.view_audit, Scope.any),
    ]
)


class Actor(Protocol):
    @property
    def id(self) -> uuid.UUID: ...
    @property
    def role(self) -> str: ...
    @property
    def department(self) -> str | None: ...


class Subject(Protocol):
    @property
    def owner_id(self) -> uuid.UUID: ...
    @property
    def departments(self) -> Collection[str]: ...


def may(user: Actor, action: Action, subject: Subject | None = None) -> bool:
    """Whether ``user`` may take ``action`` on ``subject`` (``None``: an action on nothing in particular)."""
    try:
        role = Role(user.role)
    except ValueError:
        return False
    for scope in (Scope.any, Scope.own, Scope.department):
        if (role, action, scope) in PERMISSIONS and _within(scope, user, subject):
            return True
    return False


def _within(scope: Scope, user: Actor, subject: Subject | None) -> bool:
    if scope is Scope.any:
        return True
    if subject is None:
        return False
    if scope is Scope.own:
        return subject.owner_id == user.id
    return user.department is not None and user.department in subject.departments
