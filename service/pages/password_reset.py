"""忘记密码: a reset link by e-mail, good for 30 minutes and once (see ``service/reset_links.py``).

Asking answers the same whether or not the address has an account, and the mail goes out after the
answer (``service/account_mail.py``), so neither the page nor its timing tells who is registered. The
link is never written to the database or the outbox: a lost mail is asked for again.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from service import account_mail, crud, reset_links
from service.deps import Gettext, SessionDep, SettingsDep
from service.errors import examples
from service.pages import responses as pages
from service.pages.auth import AUTH_ANSWERS, AUTH_LIMIT, field_list, lockout_of, new_password_errors, set_password
from service.pages.templating import render
from service.sessions import server_session

router = APIRouter(tags=["pages"])


class ForgotForm(BaseModel):
    """What the 忘记密码 form posts."""

    model_config = examples({"csrf_token": "…", "email": "wang.xiaoming@example.com"})

    csrf_token: str = Field(default="", max_length=200)
    email: str = Field(default="", max_length=300)


class ResetForm(BaseModel):
    """What the new-password form posts."""

    model_config = examples(
        {"csrf_token": "…", "token": "…", "password": "a-new-8+-char-secret", "password_confirm": "a-new-8+-char-secret"}
    )

    csrf_token: str = Field(default="", max_length=200)
    token: str = Field(default="", max_length=300)
    password: str = Field(default="", max_length=1000)
    password_confirm: str = Field(default="", max_length=1000)


@router.get("/password/forgot", response_class=Response, responses={200: pages.PAGE, 422: pages.INVALID})
def forgot_page(request: Request, sent: bool = False) -> Response:
    """Ask for the address to send a reset link to (and, once asked, say what happens next)."""
    return render(request, "password_forgot.html", {"values": {}, "field_errors": {}, "errors": [], "sent": sent})


@router.post(
    "/password/forgot",
    **pages.form_post("Asked: the same page whether or not the address has an account", AUTH_ANSWERS, AUTH_LIMIT),
)
def forgot(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    _: Gettext,
    background: BackgroundTasks,
    form: Annotated[ForgotForm, Form()],
) -> Response:
    """Mail a reset link if the address has an account; answer the same either way."""
    email = form.email.strip()
    field_errors: dict[str, str] = {}
    if not email:
        field_errors["email"] = _("请输入注册时使用的电子邮箱")
    elif (address := crud.email_address(email)) is None:
        field_errors["email"] = _("请输入有效的电子邮箱，例如 name@example.com")
    else:
        email = address
    if field_errors:
        context = {"values": {"email": email}, "field_errors": field_errors, "errors": field_list(field_errors), "sent": False}
        return render(request, "password_forgot.html", context, status_code=400)
    user = crud.get_user_by_login(session=session, login=email)
    if user is not None:
        token = reset_links.issue(settings.secret_key, user)
        background.add_task(account_mail.send_quietly, settings, to=email, **account_mail.link(settings, "reset", token))
    return RedirectResponse("/password/forgot?sent=true", status_code=303)


def _reset_form(request: Request, token: str, field_errors: dict[str, str], status_code: int) -> Response:
    context: dict[str, Any] = {"token": token, "field_errors": field_errors, "errors": field_list(field_errors)}
    return render(request, "password_reset.html", context, status_code=status_code)


def _link_dead(request: Request) -> Response:
    """A used, expired or mistyped link: a calm page with the way to a new one."""
    return render(request, "link_dead.html", {"kind": "reset"}, status_code=410)


@router.get(
    "/password/reset",
    response_class=Response,
    responses={200: pages.PAGE, 410: pages.html("The link is used or expired"), 422: pages.INVALID},
)
def reset_page(request: Request, session: SessionDep, settings: SettingsDep, token: str = "") -> Response:
    """The new-password form, if the link still works."""
    if reset_links.redeem(settings.secret_key, session, token[:300]) is None:
        return _link_dead(request)
    return _reset_form(request, token, {}, 200)


@router.post(
    "/password/reset",
    **pages.form_post("Set: on to sign in", AUTH_ANSWERS | {410: pages.html("The link is used or expired")}, AUTH_LIMIT),
)
def reset(
    request: Request, session: SessionDep, settings: SettingsDep, _: Gettext, form: Annotated[ResetForm, Form()]
) -> Response:
    """Set the new password: the link dies with the old one, and every session of the account ends."""
    user = reset_links.redeem(settings.secret_key, session, form.token)
    if user is None:
        return _link_dead(request)
    field_errors = new_password_errors(_, form.password, form.password_confirm)
    if field_errors:
        return _reset_form(request, form.token, field_errors, 400)
    set_password(session, user, form.password)
    server_session(request).store.end_all(user.id)
    lockout_of(request).succeeded(user.email or str(user.id))
    return RedirectResponse("/sign-in?reset=true", status_code=303)
