"""Who may do what: every role × every action × the user's own, their department's, a foreign and no subject."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from service.cli import app
from service.db import make_engine
from service.models import User
from service.workflow.roles import Action, Role, may
from tests.service.svcutil import FIXTURE_PACKS

A = Action
# M: the user's own subject (they are its applicant), concerning another department
# D: another applicant's, concerning the user's department
# F: another applicant's, concerning another department only · N: no subject (an action on nothing in particular)
EXPECTED: dict[Role, dict[Action, str]] = {
    Role.applicant: {
        A.submit: "M",
        A.view_application: "M",
        A.withdraw: "M",
        A.resubmit: "M",
        A.report_rectified: "M",
        A.view_task: "M",
        A.view_certificate: "M",
    },
    Role.clerk: {
        A.register_at_counter: "MDFN",
        A.view_application: "MDFN",
        A.check_materials: "MDFN",
        A.request_correction: "MDFN",
        A.accept: "MDFN",
        A.refuse: "MDFN",
        A.schedule_inspection: "MDFN",
        A.extend_joint_limit: "MDFN",
        A.view_task: "MDFN",
        A.view_audit: "MDFN",
        A.issue_certificate: "MDFN",
        A.view_certificate: "MDFN",
    },
    Role.reviewer: {
        A.view_application: "D",
        A.view_task: "D",
        A.decide_task: "D",
        A.verify_commitment: "D",
        A.view_certificate: "D",
    },
    Role.inspector: {A.view_application: "D", A.view_task: "D", A.record_inspection: "D", A.verify_commitment: "D"},
    Role.supervisor: {
        A.view_application: "MDFN",
        A.view_task: "MDFN",
        A.view_audit: "MDFN",
        A.supervise: "MDFN",
        A.view_certificate: "MDFN",
    },
    Role.policy_author: {A.edit_pack: "MDFN"},
    Role.policy_approver: {A.publish_pack: "MDFN"},
    Role.integrator: {A.view_task: "D", A.decide_task: "D"},
    Role.admin: {A.manage_users: "MDFN", A.view_audit: "MDFN"},
}


@dataclass
class Person:
    role: str
    department: str | None
    id: uuid.UUID = field(default_factory=uuid.uuid4)


@dataclass
class Thing:
    owner_id: uuid.UUID
    departments: list[str]


def subjects(user: Person) -> dict[str, Thing | None]:
    stranger = uuid.uuid4()
    return {
        "M": Thing(user.id, ["police"]),
        "D": Thing(stranger, ["market", "fire"]),
        "F": Thing(stranger, ["police"]),
        "N": None,
    }


@pytest.mark.parametrize("role", list(Role))
def test_the_whole_matrix(role: Role) -> None:
    user = Person(role, "market")
    for action in Action:
        for kind, subject in subjects(user).items():
            expected = kind in EXPECTED[role].get(action, "")
            assert may(user, action, subject) is expected, f"{role} {action} on {kind}: expected {expected}"


def test_department_staff_without_a_department_may_do_nothing_departmental() -> None:
    user = Person(Role.reviewer, None)
    assert not any(may(user, action, s) for action in Action for s in subjects(user).values())


def test_an_unknown_role_may_do_nothing() -> None:
    user = Person("boss", "market")
    assert not any(may(user, action, s) for action in Action for s in subjects(user).values())


def test_every_role_and_action_is_in_the_expected_table() -> None:
    assert set(EXPECTED) == set(Role)
    granted = {action for actions in EXPECTED.values() for action in actions}
    assert granted == set(Action), "an action nobody may take"


runner = CliRunner()


def _create(db_url: str, *args: str) -> tuple[int, str]:
    result = runner.invoke(
        app,
        [
            "users",
            "create",
            "--password",
            "a-long-password",
            "--database-url",
            db_url,
            "--packs-dir",
            str(FIXTURE_PACKS),
            "--pack",
            "mini",
            *args,
        ],
    )
    return result.exit_code, result.output + (result.stderr if result.stderr_bytes is not None else "")


def _users(db_url: str) -> list[User]:
    engine = make_engine(db_url)
    with Session(engine) as session:
        users = list(session.exec(select(User)))
    engine.dispose()
    return users


def test_users_create_a_reviewer_for_a_department(db_url: str) -> None:
    code, out = _create(db_url, "--role", "reviewer", "--department", "fire", "--email", "Fire@Example.com")
    assert code == 0, out
    (user,) = _users(db_url)
    assert (user.email, user.role, user.department) == ("fire@example.com", "reviewer", "fire")


@pytest.mark.parametrize(
    ("args", "where", "says"),
    [
        (["--role", "boss", "--email", "x@example.com"], "--role", "没有角色“boss”"),
        (["--role", "reviewer", "--department", "moon", "--email", "x@example.com"], "--department", "没有部门“moon”"),
        (["--role", "reviewer", "--email", "x@example.com"], "--department", "须指定所属部门"),
        (["--role", "clerk", "--department", "fire", "--email", "x@example.com"], "--department", "不属于某一部门"),
        (["--role", "clerk", "--email", "not-an-email"], "--email", ""),
    ],
)
def test_users_create_refuses_clearly_and_writes_nothing(db_url: str, args: list[str], where: str, says: str) -> None:
    code, out = _create(db_url, *args)
    assert code == 2
    assert f"错误 [{where}]" in out
    assert says in out
    assert _users(db_url) == []


def test_users_create_refuses_an_existing_login(db_url: str) -> None:
    assert _create(db_url, "--role", "clerk", "--email", "same@example.com")[0] == 0
    code, out = _create(db_url, "--role", "admin", "--email", "same@example.com")
    assert code == 2
    assert "已存在" in out
    assert [u.role for u in _users(db_url)] == ["clerk"]
