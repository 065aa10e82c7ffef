"""Accounts: the administrator opens staff accounts, gives an account its role and, to department staff, their
department, or disables it."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Mapping

from sqlalchemy import delete, update
from sqlmodel import Session, col

from rules.errors import Problem
from rules.model import Department
from service import crud
from service.models import User, WebSession, utcnow
from service.security import hash_password
from service.workflow import audit
from service.workflow.errors import Conflict, Forbidden, Invalid, NotFound, problem
from service.workflow.roles import DEPARTMENT_ROLES, ROLE_NAMES, Action, Role, may
from service.workflow.rows import committing


def role_problems(role: str, department: str | None, departments: Mapping[str, Department]) -> list[Problem]:
    """What is wrong with giving an account ``role`` in ``department`` (none when it may be given)."""
    if role not in Role.__members__:
        known = "、".join(f"{r.value}（{ROLE_NAMES[r]}）" for r in Role)
        return [problem("unknown_role", f"没有角色“{role}”。可用：{known}", "role", role)]
    chosen = Role(role)
    if chosen not in DEPARTMENT_ROLES:
        if department:
            return [
                problem("department_not_needed", f"{ROLE_NAMES[chosen]}不属于某一部门，请不要指定部门", "department", department)
            ]
        return []
    if not department:
        return [problem("department_missing", f"{ROLE_NAMES[chosen]}须指定所属部门", "department")]
    if department not in departments:
        known = "、".join(f"{d}（{v.name.zh}）" for d, v in departments.items())
        return [problem("unknown_department", f"没有部门“{department}”。可用：{known}", "department", department)]
    return []


def open_staff_account(
    session: Session,
    *,
    actor: User,
    email: str,
    name: str,
    role: str,
    department: str | None,
    departments: Mapping[str, Department],
) -> User:
    """A colleague's account with a role (and department), recorded on the audit chain. It has no password anyone
    knows: its owner chooses one through the link mailed to them."""
    _administering(actor)
    department = department or None
    address = crud.email_address(email)
    problems = _staff_problems(session, email, address, name, role) + role_problems(role, department, departments)
    if problems:
        raise Invalid(problems)
    assert address is not None  # _staff_problems refused any other
    account = User(
        email=address,
        display_name=name.strip(),
        # Nobody knows this password, so the account opens only through the link its owner is mailed.
        password_hash=hash_password(secrets.token_urlsafe(32)),
        role=Role(role),
        department=department,
    )
    try:
        with committing(session, address):
            session.add(account)
            session.flush()
            opened = {"role": role, "department": department}
            audit.record(session, actor=actor, subject_kind="account", subject_id=account.id, action="open_account", data=opened)
    except Conflict as exc:  # the address was taken meanwhile: the unique index refused the second account
        raise Conflict([_taken(address)]) from exc
    return account


def _staff_problems(session: Session, email: str, address: str | None, name: str, role: str) -> list[Problem]:
    """What is wrong with a new colleague's address (``email`` as typed, ``address`` as it would be stored), name and
    role, besides the role's department."""
    problems = []
    if not email.strip():
        problems.append(problem("email_missing", "请填写同事的工作电子邮箱，设置密码的链接发往这里", "email"))
    elif address is None:
        problems.append(problem("email_invalid", "请输入有效的电子邮箱，例如 li.si@example.gov.cn", "email", email))
    elif len(address) > 254:
        problems.append(problem("email_invalid", "电子邮箱不能超过 254 个字符", "email", email))
    elif crud.get_user_by_login(session=session, login=address) is not None:
        problems.append(_taken(address))
    if not name.strip():
        problems.append(problem("name_missing", "请填写同事的姓名", "name"))
    elif len(name.strip()) > 100:
        problems.append(problem("name_too_long", "姓名不能超过 100 个字符", "name"))
    if role == Role.applicant:
        problems.append(problem("applicant_role", "申请人自行注册账户；这里开设的是工作人员账户", "role", role))
    return problems


def _taken(address: str) -> Problem:
    return problem("account_exists", f"已有以“{address}”登录的账户：请在账户管理中查找它并修改角色", "email", address)


def password_link_sent(session: Session, *, actor: User, account_id: uuid.UUID) -> User:
    """Record on the audit chain that a link to choose a password was mailed to an account (its owner's only way in
    to a new account, and a way back to one whose owner lost the password); the account to mail it to."""
    account = _managed(session, actor, account_id)
    if account.email is None:
        raise Invalid([problem("no_email", "该账户没有电子邮箱，无法发送设置密码的链接", "email")])
    if account.disabled_at is not None:
        raise Invalid([problem("account_disabled", "该账户已停用：请先启用，再发送设置密码的链接", "id", str(account_id))])
    with committing(session, account.id):
        audit.record(session, actor=actor, subject_kind="account", subject_id=account.id, action="send_password_link")
    return account


def assign(
    session: Session,
    *,
    actor: User,
    account_id: uuid.UUID,
    role: str,
    department: str | None,
    departments: Mapping[str, Department],
    shown: tuple[str, str | None],
) -> User:
    """Give an account a role (and department), recorded in the audit chain; ``shown`` is the role and department
    the administrator saw, so a change someone made meanwhile is not overwritten unseen."""
    account = _managed(session, actor, account_id)
    if (account.role, account.department) != shown:
        raise _changed_meanwhile()
    department = department or None
    problems = role_problems(role, department, departments)
    if not problems and account.id == actor.id and role != Role.admin:
        # Someone must remain able to give roles: the last administrator cannot be demoted by mistake.
        problems = [problem("own_admin_role", "不能取消自己的系统管理员角色，请由另一位管理员修改", "role", role)]
    if problems:
        raise Invalid(problems)
    if (account.role, account.department) == (role, department):
        return account
    # Written only if the account still reads as shown: of two administrators racing, the second is told, not lost.
    was = col(User.department).is_(None) if shown[1] is None else col(User.department) == shown[1]
    assigned = (
        update(User).where(col(User.id) == account.id, col(User.role) == shown[0], was).values(role=role, department=department)
    )
    with committing(session, account.id):
        if session.execute(assigned.returning(col(User.id))).first() is None:
            raise _changed_meanwhile()
        change = {"role": [shown[0], role], "department": [shown[1], department]}
        audit.record(session, actor=actor, subject_kind="account", subject_id=account.id, action="assign_role", data=change)
    session.refresh(account)
    return account


def set_disabled(session: Session, *, actor: User, account_id: uuid.UUID, disabled: bool) -> User:
    """Disable an account, which then signs in nowhere and whose sessions end at once, or enable it again; recorded on
    the audit chain. Asked again (or by two administrators at once), it changes nothing more."""
    account = _managed(session, actor, account_id)
    if account.id == actor.id:
        raise Invalid([problem("own_account", "不能停用或启用自己的账户", "id", str(account_id))])
    now = utcnow()
    standing = col(User.disabled_at).is_(None) if disabled else col(User.disabled_at).is_not(None)
    flipped = update(User).where(col(User.id) == account.id, standing).values(disabled_at=now if disabled else None)
    with committing(session, account.id):
        if session.execute(flipped.returning(col(User.id))).first() is not None:
            if disabled:
                session.execute(delete(WebSession).where(col(WebSession.user_id) == account.id))
            action = "disable_account" if disabled else "enable_account"
            audit.record(session, actor=actor, subject_kind="account", subject_id=account.id, action=action)
    session.refresh(account)
    return account


def _managed(session: Session, actor: User, account_id: uuid.UUID) -> User:
    """The account an administrator acts on."""
    _administering(actor)
    account = session.get(User, account_id)
    if account is None:
        raise NotFound([problem("not_found", "没有这个账户", "id", str(account_id))])
    return account


def _administering(actor: User) -> None:
    if not may(actor, Action.manage_users):
        raise Forbidden([problem("forbidden", "只有系统管理员可以管理账户")])


def _changed_meanwhile() -> Conflict:
    return Conflict([problem("version_conflict", "该账户已被他人修改，请刷新后重试", "role")])
