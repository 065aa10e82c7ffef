"""Account mail against a real local SMTP server.

忘记密码: the mailed link sets a new password once, within 30 minutes, and ends every session; an unknown
address gets the same page and no mail. Sign-up with an address answers the same whether or not it has an
account: a new one gets the link that makes it, an existing one's owner a warning.
"""

from __future__ import annotations

import base64
import re
import time
from collections.abc import Iterator
from email.message import Message
from urllib.parse import urlsplit

import httpx2
import pytest
from fastapi.testclient import TestClient
from jobs.jobcase import Mailbox, smtp_server
from sqlmodel import Session

from service import crud, reset_links, sign_up_links
from service.app import create_app
from service.db import make_engine
from service.models import User, UserCreate
from tests.service.svcutil import all_rows, csrf_from, make_settings

OWNER = "owner@example.com"
OLD, NEW = "correct-horse-9", "a-brand-new-secret-7"
LINK = re.compile(r"https?://\S+/password/reset\?token=\S+")


@pytest.fixture
def mailed(db_url: str) -> Iterator[tuple[Mailbox, TestClient]]:
    """A real SMTP server on a free local port and a browser on an app that mails through it."""
    with smtp_server() as (box, port):
        with TestClient(create_app(make_settings(db_url, smtp_host="127.0.0.1", smtp_port=port))) as client:
            yield box, client


def _ask(client: TestClient, email: str) -> httpx2.Response:
    data = {"csrf_token": csrf_from(client, "/password/forgot"), "email": email}
    return client.post("/password/forgot", data=data, follow_redirects=False)


def _set(client: TestClient, token: str, password: str, confirm: str | None = None) -> httpx2.Response:
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


def _owner_exists(db_url: str) -> None:
    engine = make_engine(db_url)
    with Session(engine) as session:
        crud.create_user(session=session, user_create=UserCreate(email=OWNER, password=OLD))
    engine.dispose()


def _body(message: Message) -> str:
    body = message.get_payload(decode=True)
    assert isinstance(body, bytes)
    return body.decode()


def _mailed_link(box: Mailbox) -> str:
    (message,) = box.messages
    assert message["To"] == OWNER
    found = LINK.search(_body(message))
    assert found, _body(message)
    return found.group(0)


def _token(link: str) -> str:
    return urlsplit(link).query.removeprefix("token=")


def test_the_mailed_link_sets_a_new_password_once_and_signs_every_session_out(
    mailed: tuple[Mailbox, TestClient], db_url: str
) -> None:
    box, owner = mailed
    _owner_exists(db_url)
    assert _sign_in(owner, OLD) == 303
    stranger = TestClient(owner.app)
    response = _ask(stranger, OWNER)
    assert (response.status_code, response.headers["location"]) == (303, "/password/forgot?sent=true")
    assert "如果该电子邮箱注册过账户，我们已向它发送一封重设密码的邮件" in stranger.get(response.headers["location"]).text
    link = _mailed_link(box)
    assert "30 分钟内" in _body(box.messages[0])

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


def test_an_unknown_address_gets_the_same_answer_and_no_mail(mailed: tuple[Mailbox, TestClient], db_url: str) -> None:
    box, client = mailed
    _owner_exists(db_url)
    known, unknown = _ask(TestClient(client.app), OWNER), _ask(TestClient(client.app), "nobody@example.com")
    assert (known.status_code, known.headers["location"], known.text) == (
        unknown.status_code,
        unknown.headers["location"],
        unknown.text,
    )
    assert [m["To"] for m in box.messages] == [OWNER]


def test_an_expired_or_altered_link_is_refused_calmly(mailed: tuple[Mailbox, TestClient], db_url: str) -> None:
    _, client = mailed
    _owner_exists(db_url)
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
    _owner_exists(db_url)
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


CSRF_VALUE = re.compile(r'name="csrf_token" value="[^"]+"')


def _sign_up(client: TestClient, email: str, password: str = NEW) -> httpx2.Response:
    data = {"csrf_token": csrf_from(client, "/sign-up"), "login": email, "display_name": "王小明"}
    return client.post("/sign-up", data=data | {"password": password, "password_confirm": password}, follow_redirects=False)


def _subjects(box: Mailbox) -> dict[str, str]:
    return dict(zip([m["To"] for m in box.messages], box.subjects(), strict=True))


def test_sign_up_answers_the_same_for_a_new_and_an_existing_address(mailed: tuple[Mailbox, TestClient], db_url: str) -> None:
    box, client = mailed
    _owner_exists(db_url)
    tried, new = TestClient(client.app), TestClient(client.app)
    answers = [_sign_up(tried, OWNER), _sign_up(new, "new@example.com")]
    assert {(a.status_code, a.headers["location"], a.text) for a in answers} == {(303, "/sign-up/sent?next=/drafts", "")}
    pages = [CSRF_VALUE.sub("", browser.get("/sign-up/sent?next=/drafts").text) for browser in (tried, new)]
    assert pages[0] == pages[1]
    assert "请查收邮件" in pages[0]

    subjects = _subjects(box)
    assert subjects[OWNER].startswith("有人尝试用您的邮箱注册")
    assert subjects["new@example.com"].startswith("完成注册")
    assert tried.get("/drafts", follow_redirects=False).status_code == 303  # not signed in to the owner's account
    assert _sign_in(TestClient(client.app), OLD) == 303  # the owner's password is untouched
    assert _sign_in(TestClient(client.app), NEW) == 400
    assert [u.email for u in all_rows(db_url, User)] == [OWNER]  # the new address has no account until its link is used


def test_the_mailed_sign_up_link_makes_the_account_once(mailed: tuple[Mailbox, TestClient], db_url: str) -> None:
    box, client = mailed
    assert _sign_up(client, OWNER).status_code == 303
    found = re.search(r"https?://\S+/sign-up/confirm\?token=(\S+)", _body(box.messages[0]))
    assert found
    token = found.group(1)
    page = client.get("/sign-up/confirm", params={"token": token})
    assert page.status_code == 200
    assert all_rows(db_url, User) == []  # opening the link (as a mail scanner would) makes nothing
    data = {"csrf_token": csrf_from(client, f"/sign-up/confirm?token={token}"), "token": token}
    done = client.post("/sign-up/confirm", data=data, follow_redirects=False)
    assert (done.status_code, done.headers["location"]) == (303, "/drafts")
    assert client.get("/drafts").status_code == 200
    (user,) = all_rows(db_url, User)
    assert (user.email, user.display_name) == (OWNER, "王小明")
    assert NEW not in user.password_hash
    assert b"argon2" not in base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))  # the hash is sealed, not just encoded

    again = TestClient(client.app)
    data["csrf_token"] = csrf_from(again, "/sign-in")
    assert again.post("/sign-up/confirm", data=data, follow_redirects=False).headers["location"] == "/sign-in"
    assert len(all_rows(db_url, User)) == 1
    assert _sign_in(TestClient(client.app), NEW) == 303


def test_an_expired_or_altered_sign_up_link_makes_nothing(mailed: tuple[Mailbox, TestClient], db_url: str) -> None:
    _, client = mailed
    secret = make_settings(db_url).secret_key
    pending = sign_up_links.PendingSignUp(OWNER, "", "$argon2id$x")
    expired = sign_up_links.issue(secret, pending, now=time.time() - sign_up_links.SIGN_UP_HOURS * 3600 - 1)
    forged = sign_up_links.issue("another-secret-0123456789", pending)
    for token in (expired, forged, "garbage", "é.é"):
        page = client.get("/sign-up/confirm", params={"token": token})
        assert page.status_code == 410, token
        assert "没有创建任何账户" in page.text
        data = {"csrf_token": csrf_from(client, "/sign-in"), "token": token}
        assert client.post("/sign-up/confirm", data=data, follow_redirects=False).status_code == 410
    assert all_rows(db_url, User) == []
