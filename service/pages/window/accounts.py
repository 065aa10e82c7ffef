"""The administrator's desk: the staff accounts with their roles, any account found by its login, opening a colleague's
account, giving one a role, mailing a link to choose a password, and disabling an account (staff who left) or enabling
it again.

A colleague's new account has no password anyone knows: the link mailed to them is the only way in, so the administrator
never learns it. Applicants sign up themselves.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Literal

from fastapi import BackgroundTasks, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session, col, select
from starlette.datastructures import FormData

from composer.words import N_
from rules.errors import Problem
from rules.model import Department
from service import account_mail, crud, reset_links
from service.compose import beijing_minute
from service.deps import CsrfProtected, CurrentUser, Departments, SessionDep, SettingsDep
from service.models import User
from service.pages.templating import render
from service.pages.window.applications import PAGE, POST
from service.pages.window.desk import desk_router, forbidden, render_form_page, with_form_once, works_at
from service.settings import Settings
from service.workflow import accounts, audit
from service.workflow.errors import Invalid, NotFound, problem
from service.workflow.models import AuditEvent
from service.workflow.roles import ROLE_NAMES, Action, Role

router = desk_router()

Login = Annotated[str, Query(max_length=254, description="an account's email or phone")]
LinkSent = Annotated[
    Literal["sent", "no_mail"] | None, Query(description="a link to choose a password was just mailed, or could not be")
]


@router.get("/accounts", response_class=Response, responses=PAGE)
def staff(request: Request, session: SessionDep, user: CurrentUser, q: Login = "") -> Response:
    """Every staff account, and the account whose email or phone is ``q``."""
    if not works_at(user, Action.manage_users):
        return forbidden(request)
    rows = session.exec(select(User).where(col(User.role) != Role.applicant).order_by(col(User.role), col(User.email))).all()
    found = crud.get_user_by_login(session=session, login=q.strip()) if q.strip() else None
    context = {"rows": [_row(a) for a in rows], "q": q, "found": _row(found) if found else None}
    return render(request, "accounts.html", context)


@router.get("/accounts/new", response_class=Response, responses=PAGE)
def new_account(request: Request, user: CurrentUser, departments: Departments) -> Response:
    """The form that opens a colleague's account."""
    if not works_at(user, Action.manage_users):
        return forbidden(request)
    return _new_account_page(request, departments, {})


@router.post("/accounts/new", response_class=Response, responses=POST, dependencies=[CsrfProtected])
async def open_account(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
    departments: Departments,
    background: BackgroundTasks,
) -> Response:
    """Open the account and mail its owner the link to choose a password; sent twice, the form opens one account."""
    return await with_form_once(request, session, user, _open, request, session, user, settings, departments, background)


@router.post("/accounts/{account_id}/password-link", response_class=Response, responses=POST, dependencies=[CsrfProtected])
async def password_link(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
    background: BackgroundTasks,
    account_id: uuid.UUID,
) -> Response:
    """Mail the account's owner a new link to choose a password (the first one lost or expired)."""
    return await with_form_once(request, session, user, _send_link, session, user, settings, background, account_id)


@router.get("/accounts/{account_id}", response_class=Response, responses=PAGE)
def account(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    departments: Departments,
    account_id: uuid.UUID,
    link: LinkSent = None,
) -> Response:
    """One account, with the form that gives it a role."""
    if not works_at(user, Action.manage_users):
        return forbidden(request)
    return _account_page(request, session, account_id, departments, link=link)


@router.post("/accounts/{account_id}", response_class=Response, responses=POST, dependencies=[CsrfProtected])
async def assign(
    request: Request, session: SessionDep, user: CurrentUser, departments: Departments, account_id: uuid.UUID
) -> Response:
    """Give the account the role (and department) chosen; the form names the role and department it was shown with."""
    return await with_form_once(request, session, user, _assign, request, session, user, account_id, departments)


@router.post("/accounts/{account_id}/disable", response_class=Response, responses=POST, dependencies=[CsrfProtected])
async def disable(request: Request, session: SessionDep, user: CurrentUser, account_id: uuid.UUID) -> Response:
    """Disable the account: it signs in nowhere from now on, and its sessions end at once."""
    return await with_form_once(request, session, user, _set_disabled, session, user, account_id, True)


@router.post("/accounts/{account_id}/enable", response_class=Response, responses=POST, dependencies=[CsrfProtected])
async def enable(request: Request, session: SessionDep, user: CurrentUser, account_id: uuid.UUID) -> Response:
    """Enable a disabled account again."""
    return await with_form_once(request, session, user, _set_disabled, session, user, account_id, False)


def _open(
    request: Request,
    session: Session,
    user: User,
    settings: Settings,
    departments: Mapping[str, Department],
    background: BackgroundTasks,
    form: FormData,
) -> Response:
    asked = {name: _text(form, name) for name in ("email", "name", "role", "department")}
    try:
        opened = accounts.open_staff_account(
            session,
            actor=user,
            email=asked["email"],
            name=asked["name"],
            role=asked["role"],
            department=asked["department"],
            departments=departments,
        )
    except Invalid as exc:
        return _new_account_page(request, departments, asked, exc.problems)
    return _mailed(settings, background, opened)


def _send_link(
    session: Session, user: User, settings: Settings, background: BackgroundTasks, account_id: uuid.UUID, form: FormData
) -> Response:
    if not settings.smtp_host:  # nothing would be sent, so nothing is recorded as sent
        return RedirectResponse(f"/accounts/{account_id}?link=no_mail", status_code=303)
    return _mailed(settings, background, accounts.password_link_sent(session, actor=user, account_id=account_id))


def _mailed(settings: Settings, background: BackgroundTasks, account: User) -> Response:
    """Mail the account's owner a link to choose a password, after the answer; the account's page then says so."""
    if not settings.smtp_host:
        return RedirectResponse(f"/accounts/{account.id}?link=no_mail", status_code=303)
    assert account.email is not None
    token = reset_links.issue(settings.secret_key, account, minutes=reset_links.FIRST_PASSWORD_HOURS * 60)
    mail = account_mail.link(settings, "first_password", token)
    background.add_task(account_mail.send_quietly, settings, to=account.email, **mail)
    return RedirectResponse(f"/accounts/{account.id}?link=sent", status_code=303)


def _new_account_page(
    request: Request,
    departments: Mapping[str, Department],
    asked: dict[str, str],
    problems: Sequence[Problem] = (),
) -> Response:
    staff_roles = {role: name for role, name in ROLE_NAMES.items() if role != Role.applicant}
    context = {"asked": asked, "roles": staff_roles, "departments": list(departments)}
    return render_form_page(request, "account_new.html", context, problems, 400 if problems else 200)


def _set_disabled(session: Session, user: User, account_id: uuid.UUID, disabled: bool, form: FormData) -> Response:
    accounts.set_disabled(session, actor=user, account_id=account_id, disabled=disabled)
    return RedirectResponse(f"/accounts/{account_id}", status_code=303)


def _assign(
    request: Request,
    session: Session,
    user: User,
    account_id: uuid.UUID,
    departments: Mapping[str, Department],
    form: FormData,
) -> Response:
    role, department = _text(form, "role"), _text(form, "department")
    shown = (_text(form, "shown_role"), _text(form, "shown_department") or None)
    try:
        accounts.assign(
            session, actor=user, account_id=account_id, role=role, department=department, departments=departments, shown=shown
        )
    except Invalid as exc:
        return _account_page(request, session, account_id, departments, exc.problems)
    return RedirectResponse("/accounts", status_code=303)


def _account_page(
    request: Request,
    session: Session,
    account_id: uuid.UUID,
    departments: Mapping[str, Department],
    problems: Sequence[Problem] = (),
    link: str | None = None,
) -> Response:
    found = session.get(User, account_id)
    if found is None:
        raise NotFound([problem("not_found", "没有这个账户", "id", str(account_id))])
    context = {
        "account": _row(found),
        "roles": ROLE_NAMES,
        "departments": list(departments),
        "history": [_event(session, e) for e in reversed(audit.history(session, found.id))],
        "link": link,
        "link_hours": reset_links.FIRST_PASSWORD_HOURS,
    }
    return render_form_page(request, "account.html", context, problems, 400 if problems else 200)


def _row(account: User) -> dict[str, str | None]:
    return {
        "id": str(account.id),
        "login": account.email or account.phone,
        "name": account.display_name,
        "role": account.role,
        "role_name": ROLE_NAMES.get(account.role, account.role),
        "department": account.department,
        "disabled_on": f"{account.disabled_at:%Y-%m-%d}" if account.disabled_at else None,
    }


ACTIONS = {
    "open_account": N_("开设账户"),
    "assign_role": N_("修改角色"),
    "send_password_link": N_("发送设置密码链接"),
    "disable_account": N_("停用账户"),
    "enable_account": N_("启用账户"),
}
"""What the audit record says was done to an account, as its page lists it."""


def _event(session: Session, event: AuditEvent) -> dict[str, Any]:
    """One entry of an account's history: when, what, by whom and, for a role, from what to what (or what it opened with)."""
    actor = session.get(User, event.actor_id) if event.actor_id else None
    roles, departments = [], []
    if event.action == "assign_role":
        roles, departments = event.data["role"], event.data["department"]
    elif event.action == "open_account":
        roles, departments = [event.data["role"]], [event.data["department"]]
    return {
        "at": beijing_minute(event.at),
        "action": ACTIONS.get(event.action, event.action),
        "by": (actor.email or actor.phone) if actor else None,
        "roles": [ROLE_NAMES.get(role, role) if role else "" for role in roles],
        "departments": departments,
    }


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""
