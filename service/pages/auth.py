"""Sign-up, sign-in (staff too), sign-out and password change: server-side validation, values kept on error.

Where mail goes out (``YIYE_SMTP_HOST``), signing up with an e-mail address answers "check your mail" whether
or not the address has an account, so the form cannot be used to find out who is registered; without a
mail relay there is no way to reach the address's owner, and mobile numbers get no text message: the account
is made if the login is free, and either way the answer is the same — on to the sign-in page, which says
that an account for that login is ready — so neither path reveals who is registered.
"""

from __future__ import annotations

import math
import re
import time
from datetime import UTC, datetime, timedelta, timezone
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, BackgroundTasks, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from service import account_mail, crud, sign_up_links
from service.deps import CurrentUser, Gettext, OptionalUser, SessionDep, SettingsDep
from service.errors import examples
from service.models import User, UserCreate
from service.pages import responses as pages
from service.pages.templating import render
from service.ratelimit import Limit, SignInLockout
from service.security import hash_password, verify_password
from service.sessions import restart, server_session
from service.settings import Settings
from service.sign_up_links import PendingSignUp
from service.workflow.roles import Role

router = APIRouter(tags=["pages"], include_in_schema=True)

PHONE = re.compile(r"^1[3-9]\d{9}$")
MIN_PASSWORD = 8
MAX_PASSWORD = 128
KEEP_ON_SIGN_IN = ("journey",)
"""Session keys that survive signing in: the applicant's journey so far (see pages/journey.py)."""

AUTH_ANSWERS: dict[int | str, dict[str, Any]] = {400: pages.FORM_ERRORS, 422: pages.INVALID, 429: pages.RATE_LIMITED}
AUTH_LIMIT = Depends(Limit("auth", "rate_limit_auth"))


class SignUpForm(BaseModel):
    """What the sign-up form posts. Everything is checked by hand so each field gets its own message."""

    model_config = examples(
        {
            "csrf_token": "…",
            "login": "13800138000",
            "display_name": "王小明",
            "password": "an-8+-char-secret",
            "password_confirm": "an-8+-char-secret",
            "next": "/form",
        }
    )

    csrf_token: str = Field(default="", max_length=200)
    login: str = Field(default="", max_length=300, description="mobile number or e-mail address")
    display_name: str = Field(default="", max_length=300)
    password: str = Field(default="", max_length=1000)
    password_confirm: str = Field(default="", max_length=1000)
    next: str = Field(default="", max_length=1000, description="a path on this site to go to afterwards")


class SignInForm(BaseModel):
    """What the sign-in form posts."""

    model_config = examples({"csrf_token": "…", "login": "13800138000", "password": "an-8+-char-secret", "next": "/drafts"})

    csrf_token: str = Field(default="", max_length=200)
    login: str = Field(default="", max_length=300)
    password: str = Field(default="", max_length=1000)
    next: str = Field(default="", max_length=1000, description="a path on this site to go to afterwards")


class PasswordForm(BaseModel):
    """What the password-change form posts."""

    model_config = examples(
        {
            "csrf_token": "…",
            "current_password": "the-old-secret-1",
            "password": "a-new-8+-char-secret",
            "password_confirm": "a-new-8+-char-secret",
        }
    )

    csrf_token: str = Field(default="", max_length=200)
    current_password: str = Field(default="", max_length=1000)
    password: str = Field(default="", max_length=1000)
    password_confirm: str = Field(default="", max_length=1000)


BEIJING = timezone(timedelta(hours=8), "北京时间")


def _locked_message(_: Any, until: float) -> str:
    """When to try again: in minutes from now and as a Beijing clock time."""
    minutes = max(1, math.ceil((until - time.time()) / 60))
    clock = datetime.fromtimestamp(until, UTC).astimezone(BEIJING).strftime("%H:%M")
    message: str = _("密码错误次数过多，该账户已暂时锁定。请在 %(minutes)d 分钟后（北京时间 %(clock)s 以后）再试。") % {
        "minutes": minutes,
        "clock": clock,
    }
    return message


def lockout_of(request: Request) -> SignInLockout:
    return SignInLockout(request.app.state.rate_limiter)


def new_password_errors(_: Any, password: str, password_confirm: str) -> dict[str, str]:
    field_errors: dict[str, str] = {}
    if not password:
        field_errors["password"] = _("请输入密码")
    elif len(password) < MIN_PASSWORD:
        field_errors["password"] = _("密码至少 8 个字符")
    elif len(password) > MAX_PASSWORD:
        field_errors["password"] = _("密码不能超过 128 个字符")
    if password and "password" not in field_errors and password_confirm != password:
        field_errors["password_confirm"] = _("两次输入的密码不一致")
    return field_errors


def safe_next(value: str | None) -> str:
    """Only paths on this site: never an open redirect."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/drafts"


def _landing(user: User, next_url: str) -> str:
    """After signing in: the page asked for; staff, who have no drafts, go to their desk instead of the default."""
    target = safe_next(next_url)
    return "/desk" if user.role != Role.applicant and target == safe_next(None) else target


def field_list(field_errors: dict[str, str]) -> list[dict[str, str]]:
    return [{"field": field, "message": message} for field, message in field_errors.items()]


def _sign_in_form(values: dict[str, str], field_errors: dict[str, str], next_url: str | None) -> dict[str, Any]:
    """What the sign-up and sign-in pages show: the values kept, each field's message, where to go afterwards."""
    return {"values": values, "field_errors": field_errors, "errors": field_list(field_errors), "next_url": safe_next(next_url)}


def signed_in(request: Request, user: User, next_url: str) -> Response:
    """A fresh session for ``user`` that keeps the journey, and on to ``next_url``."""
    restart(server_session(request), keep=KEEP_ON_SIGN_IN)
    request.session["user_id"] = str(user.id)
    return RedirectResponse(_landing(user, next_url), status_code=303)


@router.get("/sign-up", response_class=Response, responses={200: pages.PAGE, 422: pages.INVALID})
def sign_up_page(request: Request, user: OptionalUser, next: str | None = None) -> Response:  # noqa: A002
    """Show the sign-up form."""
    return render(request, "sign_up.html", _sign_in_form({}, {}, next))


@router.post("/sign-up", **pages.form_post("Done: on to the next page", AUTH_ANSWERS, AUTH_LIMIT))
def sign_up(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    _: Gettext,
    background: BackgroundTasks,
    form: Annotated[SignUpForm, Form()],
) -> Response:
    """Create an applicant account and sign in; an e-mail address, where mail goes out, is confirmed by a link first."""
    login = crud.normalise_login(form.login)
    display_name = form.display_name.strip()
    password, password_confirm = form.password, form.password_confirm
    field_errors: dict[str, str] = {}
    email: str | None = None
    phone: str | None = None
    if not login:
        field_errors["login"] = _("请输入手机号或电子邮箱")
    elif "@" in login:
        email = crud.email_address(login)
        if email is None:
            field_errors["login"] = _("请输入有效的电子邮箱，例如 name@example.com")
    elif PHONE.match(login):
        phone = login
    else:
        field_errors["login"] = _("请输入 11 位手机号（以 1 开头）或电子邮箱")
    if len(display_name) > 100:
        field_errors["display_name"] = _("称呼不能超过 100 个字符")
    field_errors |= new_password_errors(_, password, password_confirm)
    if not field_errors and email and settings.smtp_host:
        _sign_up_by_mail(session, settings, background, PendingSignUp(email, display_name, hash_password(password)))
        return RedirectResponse(f"/sign-up/sent?next={quote(safe_next(form.next))}", status_code=303)
    if field_errors:
        context = _sign_in_form({"login": login, "display_name": display_name}, field_errors, form.next)
        return render(request, "sign_up.html", context, status_code=400)
    _make_if_free(session, UserCreate(email=email, phone=phone, display_name=display_name, password=password))
    return RedirectResponse(f"/sign-in?signed_up=1&next={quote(safe_next(form.next))}", status_code=303)


def _make_if_free(session: Session, account: UserCreate) -> None:
    """Make the account unless its login is taken; an existing account is left as it was."""
    if crud.get_user_by_login(session=session, login=account.email or account.phone or "") is not None:
        hash_password(account.password)  # the same work either way, so the time taken tells nothing either
        return
    try:
        crud.create_user(session=session, user_create=account)
    except IntegrityError:  # registered by a concurrent request in between: the same answer
        session.rollback()


def _sign_up_by_mail(session: Session, settings: Settings, background: BackgroundTasks, pending: PendingSignUp) -> None:
    """Mail a link that makes the account, or tell an existing account's owner: the page says the same either way."""
    if crud.get_user_by_login(session=session, login=pending.email) is None:
        message = account_mail.link(settings, "sign_up", sign_up_links.issue(settings.secret_key, pending))
    else:
        message = account_mail.already_registered(settings)
    background.add_task(account_mail.send_quietly, settings, to=pending.email, **message)


@router.get("/sign-in", response_class=Response, responses={200: pages.PAGE, 422: pages.INVALID})
def sign_in_page(
    request: Request,
    user: OptionalUser,
    next: str | None = None,  # noqa: A002
    reset: bool = False,
    signed_up: bool = False,
) -> Response:
    """Show the sign-in form (after a password reset, say it is done; after signing up, that the account is ready)."""
    return render(request, "sign_in.html", _sign_in_form({}, {}, next) | {"reset": reset, "signed_up": signed_up})


@router.post("/sign-in", **pages.form_post("Done: on to the next page", AUTH_ANSWERS, AUTH_LIMIT))
def sign_in(request: Request, session: SessionDep, _: Gettext, form: Annotated[SignInForm, Form()]) -> Response:
    """Sign an applicant in."""
    login = crud.normalise_login(form.login)
    password, next_url = form.password, form.next
    field_errors: dict[str, str] = {}
    if not login:
        field_errors["login"] = _("请输入手机号或电子邮箱")
    if not password:
        field_errors["password"] = _("请输入密码")
    user = None
    locked_until = None
    if not field_errors:
        lockout = lockout_of(request)
        locked_until = lockout.locked_until(login)
        if locked_until is None:
            user = crud.authenticate(session=session, login=login, password=password)
            if user is None:
                field_errors["login"] = _("手机号、电子邮箱或密码不正确")
                locked_until = lockout.failed(login)
            elif user.disabled_at is not None:
                field_errors["login"] = _("该账户已停用，如有疑问请联系系统管理员")
                user = None
            else:
                lockout.succeeded(login)
        if locked_until is not None:
            field_errors["login"] = _locked_message(_, locked_until)
    if user is None:
        context = _sign_in_form({"login": login}, field_errors, next_url)
        if locked_until is None:
            return render(request, "sign_in.html", context, status_code=400)
        response = render(request, "sign_in.html", context, status_code=429)
        response.headers["Retry-After"] = str(max(1, math.ceil(locked_until - time.time())))
        return response
    return signed_in(request, user, next_url)


@router.post("/sign-out", **pages.form_post("Signed out: back to the home page", {}))
def sign_out(request: Request) -> Response:
    """Sign out: the session ends, so a copy of its cookie signs no one in."""
    restart(server_session(request))
    return RedirectResponse("/", status_code=303)


@router.get("/account/password", response_class=Response, responses={200: pages.PAGE, 303: pages.TO_SIGN_IN, 422: pages.INVALID})
def password_page(request: Request, user: CurrentUser, changed: bool = False) -> Response:
    """Show the password-change form (and, after a change, say it is done)."""
    return render(request, "password.html", {"field_errors": {}, "errors": [], "changed": changed})


@router.post("/account/password", **pages.form_post("Changed: every other session is signed out", AUTH_ANSWERS, AUTH_LIMIT))
def change_password(
    request: Request, session: SessionDep, _: Gettext, user: CurrentUser, form: Annotated[PasswordForm, Form()]
) -> Response:
    """Change the password: every session of the account ends, this one goes on under a new id."""
    account = user.email or user.phone or str(user.id)
    lockout = lockout_of(request)
    field_errors: dict[str, str] = {}
    locked_until = lockout.locked_until(account)
    if locked_until is not None:
        field_errors["current_password"] = _locked_message(_, locked_until)
    elif not form.current_password:
        field_errors["current_password"] = _("请输入当前密码")
    elif not verify_password(form.current_password, user.password_hash):
        field_errors["current_password"] = _("当前密码不正确")
        locked_until = lockout.failed(account)
        if locked_until is not None:
            field_errors["current_password"] = _locked_message(_, locked_until)
    if not field_errors:
        lockout.succeeded(account)
        field_errors = new_password_errors(_, form.password, form.password_confirm)
    if field_errors:
        context = {"field_errors": field_errors, "errors": field_list(field_errors), "changed": False}
        return render(request, "password.html", context, status_code=429 if locked_until is not None else 400)
    set_password(session, user, form.password)
    server_session(request).store.end_all(user.id)
    restart(server_session(request))
    request.session["user_id"] = str(user.id)
    return RedirectResponse("/account/password?changed=true", status_code=303)


def set_password(session: Session, user: User, password: str) -> None:
    user.password_hash = hash_password(password)
    session.add(user)
    session.commit()
