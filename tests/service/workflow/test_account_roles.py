"""Opening staff accounts and giving them their roles: only an administrator, a known role in a known department,
recorded in the audit chain, one account per address and never lost to another administrator's change made meanwhile;
disabling an account ends every way in."""

from __future__ import annotations

import hashlib
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import Engine, event
from sqlalchemy.orm import ORMExecuteState
from sqlmodel import Session, select

from rules import packs
from service import crud
from service.models import User, WebSession, utcnow
from service.workflow import audit
from service.workflow.accounts import assign, open_staff_account, password_link_sent, set_disabled
from service.workflow.errors import Conflict, Forbidden, Invalid
from service.workflow.models import AuditEvent, IntegratorKey
from service.workflow.roles import Role
from tests.service.svcutil import FIXTURE_PACKS

DEPARTMENTS = packs.load("mini", FIXTURE_PACKS).departments


def _account(session: Session, name: str, role: Role = Role.applicant, department: str | None = None) -> User:
    user = User(email=f"{name}@example.com", password_hash="x", role=role, department=department)
    session.add(user)
    session.commit()
    return user


def _give(
    session: Session, actor: User, account: User, role: str, department: str = "", shown: tuple[str, str | None] | None = None
) -> User:
    """``assign``, the account shown as it was read (unless ``shown`` says otherwise), with the mini pack's departments."""
    seen = shown or (account.role, account.department)
    return assign(
        session, actor=actor, account_id=account.id, role=role, department=department, departments=DEPARTMENTS, shown=seen
    )


def _events(session: Session) -> list[AuditEvent]:
    return list(session.exec(select(AuditEvent).where(AuditEvent.action == "assign_role")))


def test_an_administrator_makes_an_applicant_a_departments_reviewer_on_the_record(session: Session) -> None:
    admin, newcomer = _account(session, "admin", Role.admin), _account(session, "newcomer")
    changed = _give(session, admin, newcomer, "reviewer", "fire")
    assert (changed.role, changed.department) == (Role.reviewer, "fire")
    (event,) = audit.history(session, newcomer.id)
    assert (event.action, event.subject_kind, event.actor_id) == ("assign_role", "account", admin.id)
    assert event.data == {"role": ["applicant", "reviewer"], "department": [None, "fire"]}
    assert audit.verify(session)[1] == []

    # the same role again changes nothing and records nothing
    _give(session, admin, changed, "reviewer", "fire")
    assert len(audit.history(session, newcomer.id)) == 1


@pytest.mark.parametrize(
    ("role", "department", "where", "said"),
    [
        ("boss", "", "role", "没有角色“boss”"),
        ("reviewer", "", "department", "部门审批人员须指定所属部门"),
        ("inspector", "nowhere", "department", "没有部门“nowhere”"),
        ("clerk", "fire", "department", "综合窗口受理人员不属于某一部门"),
    ],
)
def test_what_cannot_be_given_is_refused_naming_the_field_and_nothing_is_written(
    session: Session, role: str, department: str, where: str, said: str
) -> None:
    admin, newcomer = _account(session, "admin", Role.admin), _account(session, "newcomer")
    with pytest.raises(Invalid) as refused:
        _give(session, admin, newcomer, role, department)
    (wrong,) = refused.value.problems
    assert wrong.where == where
    assert said in wrong.message
    session.refresh(newcomer)
    assert (newcomer.role, newcomer.department) == (Role.applicant, None)
    assert _events(session) == []


def test_only_an_administrator_gives_roles_and_not_their_own_away(session: Session) -> None:
    admin, clerk = _account(session, "admin", Role.admin), _account(session, "clerk", Role.clerk)
    with pytest.raises(Forbidden):
        _give(session, clerk, clerk, "admin")
    with pytest.raises(Invalid) as refused:
        _give(session, admin, admin, "clerk")
    assert refused.value.problems[0].code == "own_admin_role"
    session.refresh(clerk)
    session.refresh(admin)
    assert (clerk.role, admin.role) == (Role.clerk, Role.admin)
    assert _events(session) == []


def test_a_change_made_since_the_page_was_shown_is_not_overwritten(session: Session) -> None:
    admin, newcomer = _account(session, "admin", Role.admin), _account(session, "newcomer", Role.reviewer, "fire")
    with pytest.raises(Conflict) as refused:
        _give(session, admin, newcomer, "inspector", "police", shown=(Role.applicant, None))
    assert "请刷新后重试" in refused.value.problems[0].message
    session.refresh(newcomer)
    assert (newcomer.role, newcomer.department) == (Role.reviewer, "fire")


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_of_two_administrators_changing_one_account_at_once_exactly_one_wins(engine: Engine, session: Session) -> None:
    first, second = _account(session, "first", Role.admin), _account(session, "second", Role.admin)
    newcomer = _account(session, "newcomer")
    for user in (first, second, newcomer):
        session.refresh(user)  # loaded here: the threads only read them, never through this session
    both_read = threading.Barrier(2, timeout=10)
    chosen = {first.id: ("reviewer", "fire"), second.id: ("inspector", "police")}

    def run(admin: User) -> Any:
        with Session(engine, expire_on_commit=False) as own:
            waited: list[bool] = []

            @event.listens_for(own, "do_orm_execute")
            def meet(state: ORMExecuteState) -> None:
                if state.is_update and not waited:  # both have read the account as applicant before either writes
                    waited.append(True)
                    both_read.wait()

            role, department = chosen[admin.id]
            try:
                return _give(own, admin, newcomer, role, department, shown=(Role.applicant, None))
            except Conflict as exc:
                return exc

    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(run, [first, second]))
    won = [r for r in results if isinstance(r, User)]
    assert len(won) == 1
    assert sum(isinstance(r, Conflict) for r in results) == 1
    session.refresh(newcomer)
    assert (newcomer.role, newcomer.department) == (won[0].role, won[0].department)
    assert len(_events(session)) == 1
    assert audit.verify(session)[1] == []


def test_a_disabled_account_signs_in_nowhere_and_its_sessions_and_keys_end(session: Session) -> None:
    admin, leaver = _account(session, "admin", Role.admin), _account(session, "leaver", Role.integrator, "fire")
    session.add(IntegratorKey(key_sha256=hashlib.sha256(b"fire-system-key").hexdigest(), user_id=leaver.id))
    session.add(WebSession(id_hash="0" * 64, user_id=leaver.id, idle_expires_at=utcnow(), expires_at=utcnow()))
    session.commit()
    assert crud.integrator_by_key(session=session, key="fire-system-key") is not None

    for _ in range(2):  # asked twice, it changes nothing more
        disabled = set_disabled(session, actor=admin, account_id=leaver.id, disabled=True)
    assert disabled.disabled_at is not None
    assert crud.integrator_by_key(session=session, key="fire-system-key") is None
    assert session.exec(select(WebSession).where(WebSession.user_id == leaver.id)).all() == []

    enabled = set_disabled(session, actor=admin, account_id=leaver.id, disabled=False)
    assert enabled.disabled_at is None
    assert crud.integrator_by_key(session=session, key="fire-system-key") is not None
    assert [e.action for e in audit.history(session, leaver.id)] == ["disable_account", "enable_account"]
    assert audit.verify(session)[1] == []


def test_only_an_administrator_disables_and_never_their_own_account(session: Session) -> None:
    admin, clerk = _account(session, "admin", Role.admin), _account(session, "clerk", Role.clerk)
    with pytest.raises(Forbidden):
        set_disabled(session, actor=clerk, account_id=admin.id, disabled=True)
    with pytest.raises(Invalid) as refused:
        set_disabled(session, actor=admin, account_id=admin.id, disabled=True)
    assert refused.value.problems[0].code == "own_account"
    session.refresh(admin)
    assert admin.disabled_at is None
    assert audit.history(session, admin.id) == []


def _open(session: Session, actor: User, email: str = "zhao.liu@example.gov.cn", role: str = "reviewer") -> User:
    return open_staff_account(
        session, actor=actor, email=email, name="赵六", role=role, department="fire", departments=DEPARTMENTS
    )


def test_an_opened_account_has_its_role_on_the_record_and_no_password_anyone_knows(session: Session) -> None:
    admin = _account(session, "admin", Role.admin)
    opened = _open(session, admin, email="  Zhao.Liu@Example.GOV.cn ")
    assert (opened.email, opened.role, opened.department, opened.display_name) == (
        "zhao.liu@example.gov.cn",
        "reviewer",
        "fire",
        "赵六",
    )
    (event,) = audit.history(session, opened.id)
    assert (event.action, event.actor_id, event.data) == ("open_account", admin.id, {"role": "reviewer", "department": "fire"})
    assert audit.verify(session)[1] == []
    assert crud.authenticate(session=session, login="zhao.liu@example.gov.cn", password="") is None
    with pytest.raises(Invalid) as twice:
        _open(session, admin, email="ZHAO.LIU@example.gov.cn")
    assert [p.code for p in twice.value.problems] == ["account_exists"]
    clerk = _account(session, "clerk", Role.clerk)
    with pytest.raises(Forbidden):
        _open(session, clerk, email="someone@example.gov.cn")


def test_a_password_link_goes_on_the_record_but_never_to_a_disabled_account(session: Session) -> None:
    admin, leaver = _account(session, "admin", Role.admin), _account(session, "leaver", Role.reviewer, "fire")
    assert password_link_sent(session, actor=admin, account_id=leaver.id).email == "leaver@example.com"
    set_disabled(session, actor=admin, account_id=leaver.id, disabled=True)
    with pytest.raises(Invalid) as refused:
        password_link_sent(session, actor=admin, account_id=leaver.id)
    assert [p.code for p in refused.value.problems] == ["account_disabled"]
    assert [e.action for e in audit.history(session, leaver.id)] == ["send_password_link", "disable_account"]


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_of_two_administrators_opening_one_address_at_once_exactly_one_account_is_opened(
    engine: Engine, session: Session
) -> None:
    first, second = _account(session, "first", Role.admin), _account(session, "second", Role.admin)
    for user in (first, second):
        session.refresh(user)
    both_checked = threading.Barrier(2, timeout=10)

    def run(admin: User) -> Any:
        with Session(engine, expire_on_commit=False) as own:
            waited: list[bool] = []

            @event.listens_for(own, "before_flush")
            def meet(*_: Any) -> None:
                if not waited:  # both have found the address free before either writes
                    waited.append(True)
                    both_checked.wait()

            try:
                return _open(own, admin)
            except Conflict as exc:
                return exc

    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(run, [first, second]))
    assert sum(isinstance(r, User) for r in results) == 1
    (lost,) = [r for r in results if isinstance(r, Conflict)]
    assert [p.code for p in lost.problems] == ["account_exists"]
    assert len(session.exec(select(User).where(User.email == "zhao.liu@example.gov.cn")).all()) == 1
    assert len(list(session.exec(select(AuditEvent).where(AuditEvent.action == "open_account")))) == 1
    assert audit.verify(session)[1] == []
