"""The second half of an e-mail sign-up: "check your mail", then the mailed link makes the account.

The link's page asks for one click (a form post) rather than acting on the visit, so a mail scanner that
opens links makes no account and signs no one in.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.exc import IntegrityError

from service import crud, sign_up_links
from service.deps import SessionDep, SettingsDep
from service.errors import examples
from service.models import User
from service.pages import responses as pages
from service.pages.auth import AUTH_ANSWERS, AUTH_LIMIT, safe_next, signed_in
from service.pages.templating import render

router = APIRouter(tags=["pages"])
LINK_DEAD = pages.html("The link is expired or altered")


class ConfirmForm(BaseModel):
    """What the finish-sign-up button posts."""

    model_config = examples({"csrf_token": "…", "token": "…"})

    csrf_token: str = Field(default="", max_length=200)
    token: str = Field(default="", max_length=2000)


@router.get("/sign-up/sent", response_class=Response, responses={200: pages.PAGE, 422: pages.INVALID})
def sent_page(request: Request, next: str | None = None) -> Response:  # noqa: A002
    """Check your mail: the same page whether or not the address already had an account."""
    return render(request, "sign_up_sent.html", {"next_url": safe_next(next)})


@router.get("/sign-up/confirm", response_class=Response, responses={200: pages.PAGE, 410: LINK_DEAD, 422: pages.INVALID})
def confirm_page(request: Request, settings: SettingsDep, token: str = "") -> Response:
    """The finish-sign-up button, if the link still works."""
    if sign_up_links.read(settings.secret_key, token[:2000]) is None:
        return render(request, "link_dead.html", {"kind": "sign-up"}, status_code=410)
    return render(request, "sign_up_confirm.html", {"token": token})


@router.post(
    "/sign-up/confirm",
    **pages.form_post("Done: signed in (or, already made, on to sign in)", AUTH_ANSWERS | {410: LINK_DEAD}, AUTH_LIMIT),
)
def confirm(request: Request, session: SessionDep, settings: SettingsDep, form: Annotated[ConfirmForm, Form()]) -> Response:
    """Make the account the link describes and sign in; a link used before makes nothing and leads to sign-in."""
    pending = sign_up_links.read(settings.secret_key, form.token)
    if pending is None:
        return render(request, "link_dead.html", {"kind": "sign-up"}, status_code=410)
    if crud.get_user_by_login(session=session, login=pending.email) is not None:
        return RedirectResponse("/sign-in", status_code=303)
    user = User(email=pending.email, display_name=pending.display_name, password_hash=pending.password_hash)
    session.add(user)
    try:
        session.commit()
    except IntegrityError:  # the same link used twice at once
        session.rollback()
        return RedirectResponse("/sign-in", status_code=303)
    return signed_in(request, user, safe_next(None))
