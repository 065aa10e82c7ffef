"""忘记密码 against a real local SMTP server: the mailed link sets a new password once, within 30 minutes, and
ends every session; an unknown address gets the same page and no mail."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import pytest
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient
from jobs.jobcase import Mailbox
from sqlmodel import Session
from svcutil import all_rows, csrf_from, free_port, make_settings, sign_up

from service import reset_links
from service.app import create_app
from service.db import make_engine
from service.models import User

OWNER = "owner@example.com"
OLD, NEW = "correct-horse-9", "a-brand-new-secret-7"
LINK = re.compile(r"https?://\S+/password/reset\?token=\S+")


@pytest.fixture
def mailed(db_url: str) -> Iterator[tuple[Mailbox, TestClient]]:
    """A real SMTP server on a free local port and a browser on an app that mails through it."""
    box, port = Mailbox(), free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with TestClient(create_app(make_settings(db_url, smtp_host="127.0.0.1", smtp_port=port))) as client:
            yield box, client
    finally:
        controller.stop()


def _ask(client: TestClient, email: str) -> httpx.Response:
    data = {"csrf_token": csrf_from(client, "/password/forgot"), "email": email}
    return client.post("/password/forgot", data=data, follow_redirects=False)


def _set(client: TestClient, token: str, password: str, confirm: str | None = None) -> httpx.Response:
    data = {
        "csrf_token": csrf_from(client, "/sign-in"),
        "token": token,
        "password": password,
        "password_confirm": confirm or password,
    }
    return client.post("/password/reset", data=data, follow_redirects=False)


def _sign_in(client: TestClient, password: str) -> int:
    data = {"csrf_token": csrf_from(client), "login": OWNER, "password": password}
    return client.post("/sign-in", data=data, follow_redirects=False).status_code


def _mailed_link(box: Mailbox) -> str:
    (message,) = box.messages
    assert message["To"] == OWNER
    body = message.get_payload(decode=True)
    assert isinstance(body, bytes)
    found = LINK.search(body.decode())
    assert found, body.decode()
    return found.group(0)


def _token(link: str) -> str:
    return urlsplit(link).query.removeprefix("token=")


def test_the_mailed_link_sets_a_new_password_once_and_signs_every_session_out(mailed: tuple[Mailbox, TestClient]) -> None:
    box, owner = mailed
    sign_up(owner, OWNER, OLD)
    stranger = TestClient(owner.app)
    response = _ask(stranger, OWNER)
    assert (response.status_code, response.headers["location"]) == (303, "/password/forgot?sent=true")
    assert "如果该电子邮箱注册过账户，我们已向它发送一封重设密码的邮件" in stranger.get(response.headers["location"]).text
    link = _mailed_link(box)
    assert "30 分钟" in str(box.messages[0].get_payload(decode=True), "utf-8")

    page = stranger.get(urlsplit(link).path + "?" + urlsplit(link).query)
    assert page.status_code == 200
    assert "设置新密码" in page.text
    response = _set(stranger, _token(link), NEW)
    assert (response.status_code, response.headers["location"]) == (303, "/sign-in?reset=true")
    assert "密码已重设" in stranger.get("/sign-in?reset=true").text

    assert owner.get("/drafts", follow_redirects=False).status_code == 303  # the session signed in before is over
    assert _sign_in(TestClient(owner.app), OLD) == 400
    assert _sign_in(TestClient(owner.app), NEW) == 303

    again = stranger.get(urlsplit(link).path + "?" + urlsplit(link).query)
    assert again.status_code == 410
    assert "链接已失效" in again.text
    assert _set(stranger, _token(link), "yet-another-secret-3").status_code == 410
    assert _sign_in(TestClient(owner.app), NEW) == 303


def test_an_unknown_address_gets_the_same_answer_and_no_mail(mailed: tuple[Mailbox, TestClient]) -> None:
    box, client = mailed
    sign_up(client, OWNER, OLD)
    known, unknown = _ask(TestClient(client.app), OWNER), _ask(TestClient(client.app), "nobody@example.com")
    assert (known.status_code, known.headers["location"], known.text) == (
        unknown.status_code,
        unknown.headers["location"],
        unknown.text,
    )
    assert [m["To"] for m in box.messages] == [OWNER]


def test_an_expired_or_altered_link_is_refused_calmly(mailed: tuple[Mailbox, TestClient], db_url: str) -> None:
    _, client = mailed
    sign_up(client, OWNER, OLD)
    (user,) = all_rows(db_url, User)
    secret = make_settings(db_url).secret_key
    expired = reset_links.issue(secret, user, now=time.time() - reset_links.RESET_MINUTES * 60 - 1)
    fresh = reset_links.issue(secret, user)
    for token in (expired, fresh[:-1] + ("0" if fresh[-1] != "0" else "1"), "not-a-token", f"{user.id}.9999999999.x"):
        page = client.get("/password/reset", params={"token": token})
        assert page.status_code == 410, token
        assert "重新申请重设密码" in page.text
        assert _set(client, token, NEW).status_code == 410
    assert _sign_in(TestClient(client.app), OLD) == 303


def test_the_new_password_is_checked_like_sign_up_and_a_refusal_keeps_the_link(
    mailed: tuple[Mailbox, TestClient], db_url: str
) -> None:
    _, client = mailed
    sign_up(client, OWNER, OLD)
    (user,) = all_rows(db_url, User)
    token = reset_links.issue(make_settings(db_url).secret_key, user)
    short = _set(client, token, "short")
    assert short.status_code == 400
    assert "密码至少 8 个字符" in short.text
    mismatch = _set(client, token, NEW, NEW + "x")
    assert "两次输入的密码不一致" in mismatch.text
    engine = make_engine(db_url)
    with Session(engine) as session:
        assert reset_links.redeem(make_settings(db_url).secret_key, session, token) is not None
    engine.dispose()
    assert _set(client, token, NEW).status_code == 303


@pytest.mark.parametrize(("email", "message"), [("", "请输入注册时使用的电子邮箱"), ("owner@", "请输入有效的电子邮箱")])
def test_a_bad_address_is_named_and_nothing_is_sent(mailed: tuple[Mailbox, TestClient], email: str, message: str) -> None:
    box, client = mailed
    response = _ask(client, email)
    assert response.status_code == 400
    assert message in response.text
    assert box.messages == []


def test_asking_is_rate_limited_like_sign_in(sqlite_url: str) -> None:
    settings = make_settings(sqlite_url, rate_limit_enabled=True, rate_limit_auth="2/minute")
    with TestClient(create_app(settings)) as client:
        assert [_ask(client, "nobody@example.com").status_code for _ in range(2)] == [303, 303]
        assert _ask(client, "nobody@example.com").status_code == 429


def test_the_pages_speak_english_on_request(client: TestClient) -> None:
    page = client.get("/password/forgot", params={"lang": "en"})
    assert "Forgotten password" in page.text
    assert "Forgotten your password?" in client.get("/sign-in", params={"lang": "en"}).text
