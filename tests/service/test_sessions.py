"""Sessions end when they should: sign-out, a password change (every session of the account), and a new
id at sign-in. Run on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlmodel import Session, col, select

from service.db import make_engine
from service.models import WebSession
from tests.service.svcutil import csrf_from, sign_up

PASSWORD = "correct-horse-9"
NEW_PASSWORD = "battery-staple-7"


def _signed_in(client: TestClient) -> bool:
    response = client.get("/drafts", follow_redirects=False)
    assert response.status_code in (200, 303), response.text
    return response.status_code == 200


def _browser(client: TestClient, cookie: str | None = None) -> TestClient:
    """Another browser on the same app: no cookies, or a copy of one session cookie."""
    other = TestClient(client.app)
    if cookie is not None:
        other.cookies.set("yiye_session", cookie)
    return other


def _sign_in(client: TestClient, login: str, password: str = PASSWORD) -> int:
    token = csrf_from(client)
    data = {"csrf_token": token, "login": login, "password": password}
    return client.post("/sign-in", data=data, follow_redirects=False).status_code


def _change_password(client: TestClient, current: str, new: str, confirm: str | None = None) -> object:
    token = csrf_from(client, "/account/password")
    data = {"csrf_token": token, "current_password": current, "password": new, "password_confirm": confirm or new}
    return client.post("/account/password", data=data, follow_redirects=False)


def test_a_cookie_copied_before_sign_out_is_anonymous_after_it(db_client: TestClient) -> None:
    sign_up(db_client, "copy@example.com")
    copied = db_client.cookies["yiye_session"]
    thief = _browser(db_client, copied)
    assert _signed_in(thief)  # the copy works while the session lives

    token = csrf_from(db_client, "/drafts")
    assert db_client.post("/sign-out", data={"csrf_token": token}, follow_redirects=False).status_code == 303
    assert not _signed_in(db_client)
    assert not _signed_in(_browser(db_client, copied))
    assert db_client.cookies["yiye_session"] != copied


def test_signing_in_gives_the_session_a_new_id(db_client: TestClient) -> None:
    sign_up(db_client, "fixation@example.com")
    db_client.cookies.clear()
    csrf_from(db_client)  # an anonymous session, as an attacker could plant one
    planted = db_client.cookies["yiye_session"]
    assert _sign_in(db_client, "fixation@example.com") == 303
    assert db_client.cookies["yiye_session"] != planted
    assert _signed_in(db_client)
    assert not _signed_in(_browser(db_client, planted))


def test_after_a_password_change_every_other_session_is_signed_out(db_client: TestClient) -> None:
    sign_up(db_client, "13700137000")
    laptop = _browser(db_client)
    assert _sign_in(laptop, "13700137000") == 303
    before = db_client.cookies["yiye_session"]

    response = _change_password(db_client, PASSWORD, NEW_PASSWORD)
    assert response.status_code == 303  # type: ignore[attr-defined]
    page = db_client.get(response.headers["location"])  # type: ignore[attr-defined]
    assert "密码已修改" in page.text

    assert _signed_in(db_client)  # this browser goes on, under a new id
    assert db_client.cookies["yiye_session"] != before
    assert not _signed_in(_browser(db_client, before))
    assert not _signed_in(laptop)
    assert _sign_in(_browser(db_client), "13700137000") == 400  # the old password no longer works
    assert _sign_in(_browser(db_client), "13700137000", NEW_PASSWORD) == 303


def test_a_wrong_current_password_changes_nothing(db_client: TestClient) -> None:
    sign_up(db_client, "keep@example.com")
    laptop = _browser(db_client)
    assert _sign_in(laptop, "keep@example.com") == 303
    response = _change_password(db_client, "not-my-password", NEW_PASSWORD)
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert '<a href="#current_password">当前密码不正确</a>' in response.text  # type: ignore[attr-defined]
    response = _change_password(db_client, PASSWORD, NEW_PASSWORD, "battery-staple-8")
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert "两次输入的密码不一致" in response.text  # type: ignore[attr-defined]
    assert _signed_in(laptop)
    assert _sign_in(_browser(db_client), "keep@example.com") == 303


def test_the_password_page_needs_a_signed_in_user_and_the_csrf_token(db_client: TestClient) -> None:
    page = db_client.get("/account/password", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"].startswith("/sign-in")
    sign_up(db_client, "csrf@example.com")
    form = db_client.get("/account/password")
    assert re.search(r'name="current_password"[^>]*type="password"|type="password"[^>]*name="current_password"', form.text)
    data = {"current_password": PASSWORD, "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}
    assert db_client.post("/account/password", data=data).status_code == 403
    assert _sign_in(_browser(db_client), "csrf@example.com") == 303  # unchanged


def test_a_session_past_its_absolute_age_is_over_however_busy(db_client: TestClient, db_url: str) -> None:
    sign_up(db_client, "busy@example.com")
    cookie = db_client.cookies["yiye_session"]
    engine = make_engine(db_url)
    try:
        with Session(engine) as db:  # fourteen days on, still in use a minute ago
            db.execute(
                update(WebSession)
                .where(col(WebSession.id_hash) == hashlib.sha256(cookie.encode()).hexdigest())
                .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
            )
            db.commit()
        assert not _signed_in(db_client)
        with Session(engine) as db:
            assert db.exec(select(WebSession).where(col(WebSession.user_id).is_not(None))).all() == []
    finally:
        engine.dispose()
