"""Opening a colleague's account on the administrator's desk, on both databases, mailing through a real local SMTP
server: the colleague chooses their password through the mailed link and lands on their desk; a refusal names each field
and writes nothing; the same form sent twice opens one account and sends one mail; a link sent again is on the record;
without a mail server the page says the link was not sent, and records nothing as sent; in English, no Chinese is left."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from email.message import Message
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from jobs.jobcase import Mailbox, smtp_server
from sqlmodel import Session, select

from service.app import create_app
from service.models import User
from service.workflow import audit
from service.workflow.roles import Role
from tests.service.svcutil import Page, make_settings
from tests.service.window.deskutil import Account, People, error_beside, field, sign_in

Browsers = Callable[[Account], TestClient]
COLLEAGUE = "zhao.liu@example.gov.cn"
CHOSEN = "a-colleagues-own-secret-5"


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    with smtp_server() as found:
        yield found


@pytest.fixture
def desk_app(db_url: str, tmp_path: Path, mailbox: tuple[Mailbox, int]) -> FastAPI:
    """The desks' app, mailing through the local SMTP server."""
    settings = make_settings(db_url, files_dir=tmp_path / "files", smtp_host="127.0.0.1", smtp_port=mailbox[1])
    return create_app(settings)


def _opening(client: TestClient, **fields: str) -> dict[str, str]:
    page = client.get("/accounts/new")
    assert page.status_code == 200, page.text
    form = {"csrf_token": field(page.text, "csrf_token"), "idempotency_key": field(page.text, "idempotency_key")}
    return form | {"email": COLLEAGUE, "name": "赵六", "role": "reviewer", "department": "fire"} | fields


def _colleague(session: Session) -> User | None:
    session.expire_all()
    return session.exec(select(User).where(User.email == COLLEAGUE)).first()


def _sign_in(client: TestClient) -> Any:
    """The colleague signs in with the password they chose."""
    data = {"csrf_token": field(client.get("/sign-in").text, "csrf_token"), "login": COLLEAGUE, "password": CHOSEN, "next": ""}
    return client.post("/sign-in", data=data, follow_redirects=False)


def _body(message: Message) -> str:
    body = message.get_payload(decode=True)
    assert isinstance(body, bytes)
    return body.decode()


def _link_in(message: Message) -> str:
    found = re.search(r"https?://\S+/password/reset\?token=\S+", _body(message))
    assert found, _body(message)
    link = urlsplit(found.group(0))
    return f"{link.path}?{link.query}"


def test_a_colleague_opened_on_the_desk_chooses_a_password_through_the_mail_and_lands_on_their_desk(
    session: Session, people: People, browser_of: Browsers, mailbox: tuple[Mailbox, int]
) -> None:
    box = mailbox[0]
    admin = browser_of(people.admin)
    form = _opening(admin)
    for _ in range(2):  # sent twice (a double click): one account, one mail
        opened = admin.post("/accounts/new", data=form, follow_redirects=False)
        assert opened.status_code == 303, opened.text
    colleague = _colleague(session)
    assert colleague is not None
    assert opened.headers["location"] == f"/accounts/{colleague.id}?link=sent"
    assert (colleague.role, colleague.department, colleague.display_name) == (Role.reviewer, "fire", "赵六")
    assert "已向 zhao.liu@example.gov.cn 发送设置密码的链接，72 小时内有效" in admin.get(opened.headers["location"]).text
    assert [e.action for e in audit.history(session, colleague.id)] == ["open_account"]
    opened_as = ["开设账户", people.admin.login, "部门审批人员（区消防救援支队）"]
    assert _history(admin.get(f"/accounts/{colleague.id}").text) == [opened_as]
    assert len(box.messages) == 1
    assert box.messages[0]["To"] == COLLEAGUE
    assert "系统管理员为您开设了一业一证工作人员账户" in _body(box.messages[0])

    newcomer = TestClient(admin.app)
    assert _sign_in(newcomer).status_code == 400  # the password is the colleague's own, chosen through the link
    link = _link_in(box.messages[0])
    page = newcomer.get(link)
    assert page.status_code == 200
    token = link.split("token=")[1]
    chosen = {"csrf_token": field(page.text, "csrf_token"), "token": token, "password": CHOSEN, "password_confirm": CHOSEN}
    assert newcomer.post("/password/reset", data=chosen, follow_redirects=False).headers["location"] == "/sign-in?reset=true"
    assert newcomer.get(link).status_code == 410  # the link works once
    signed_in = _sign_in(newcomer)
    assert signed_in.status_code == 303
    assert newcomer.get(signed_in.headers["location"]).url.path == "/review"  # the fire department's review desk


def test_a_refused_opening_names_each_field_and_writes_nothing(
    session: Session, people: People, browser_of: Browsers, mailbox: tuple[Mailbox, int]
) -> None:
    admin = browser_of(people.admin)
    refusals = [
        ({"email": ""}, "email", "请填写同事的工作电子邮箱"),
        ({"email": "not an address"}, "email", "请输入有效的电子邮箱"),
        ({"email": people.clerk.login}, "email", f"已有以“{people.clerk.login}”登录的账户"),
        ({"name": "  "}, "name", "请填写同事的姓名"),
        ({"role": "applicant", "department": ""}, "role", "申请人自行注册账户"),
        ({"role": "wizard"}, "role", "没有角色“wizard”"),
        ({"department": ""}, "department", "部门审批人员须指定所属部门"),
        ({"department": "moon"}, "department", "没有部门“moon”"),
        ({"role": "clerk"}, "department", "综合窗口受理人员不属于某一部门"),
    ]
    for fields, where, said in refusals:
        refused = admin.post("/accounts/new", data=_opening(admin, **fields))
        assert refused.status_code == 400, fields
        assert said in error_beside(refused.text, where), fields
    assert _colleague(session) is None
    assert mailbox[0].messages == []


def test_only_the_administrator_opens_accounts(people: People, browser_of: Browsers) -> None:
    clerk, admin = browser_of(people.clerk), browser_of(people.admin)
    assert clerk.get("/accounts/new").status_code == 403
    form = _opening(admin) | {"csrf_token": field(clerk.get("/window").text, "csrf_token")}
    assert clerk.post("/accounts/new", data=form).status_code == 403
    link = {"csrf_token": form["csrf_token"]}
    assert clerk.post(f"/accounts/{people.fire.user.id}/password-link", data=link).status_code == 403


def test_a_link_sent_again_is_recorded_and_mailed_to_the_accounts_own_address(
    session: Session, people: People, browser_of: Browsers, mailbox: tuple[Mailbox, int]
) -> None:
    admin = browser_of(people.admin)
    page = admin.get(f"/accounts/{people.fire.user.id}")
    form = {"csrf_token": field(page.text, "csrf_token")}
    sent = admin.post(f"/accounts/{people.fire.user.id}/password-link", data=form, follow_redirects=False)
    assert sent.headers["location"] == f"/accounts/{people.fire.user.id}?link=sent"
    assert [m["To"] for m in mailbox[0].messages] == [people.fire.login]
    assert [e.action for e in audit.history(session, people.fire.user.id)] == ["send_password_link"]
    assert _history(admin.get(f"/accounts/{people.fire.user.id}").text) == [["发送设置密码链接", people.admin.login, ""]]


def _history(page: str) -> list[list[str]]:
    """The rows of an account's history as read: what was done, by whom, what changed (the time left out)."""
    table = re.search(r'<table class="table" id="history">(.*?)</table>', page, re.S)
    assert table
    rows = re.findall(r"<tr>(.*?)</tr>", table.group(1), re.S)
    cells = [[re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td>(.*?)</td>", row, re.S)] for row in rows]
    return [row[1:] for row in cells if row]


def test_without_a_mail_server_the_page_says_the_link_was_not_sent(
    session: Session, people: People, db_url: str, tmp_path: Path
) -> None:
    app = create_app(make_settings(db_url, files_dir=tmp_path / "files"))
    with TestClient(app):
        admin = TestClient(app)
        assert sign_in(admin, people.admin.login).status_code == 303
        opened = admin.post("/accounts/new", data=_opening(admin), follow_redirects=False)
        assert opened.headers["location"].endswith("?link=no_mail")
        page = admin.get(opened.headers["location"])
        assert "邮件服务器未配置（YIYE_SMTP_HOST），设置密码的链接没有发出" in page.text
        assert "已向" not in page.text
        form = {"csrf_token": field(page.text, "csrf_token")}
        again = admin.post(f"/accounts/{people.fire.user.id}/password-link", data=form, follow_redirects=False)
        assert again.headers["location"].endswith("?link=no_mail")
    assert audit.history(session, people.fire.user.id) == []  # nothing recorded as sent
    colleague = _colleague(session)
    assert colleague is not None
    assert colleague.role == Role.reviewer


def _chinese(page: Page) -> set[str]:
    """The Chinese words a page shows (its scripts and styles aside)."""
    text = re.sub(r"<[^>]+>", " ", re.sub(r"<(script|style)\b.*?</\1>", " ", page.text, flags=re.S))
    return set(re.findall(r"[\u4e00-\u9fff]+", text))


def test_opening_an_account_in_english_says_nothing_in_chinese(people: People, browser_of: Browsers) -> None:
    admin = browser_of(people.admin)
    assert admin.get("/?lang=en").status_code == 200
    refused = admin.post("/accounts/new", data=_opening(admin, email=people.clerk.login, name="", department=""))
    assert refused.status_code == 400
    assert "An account already signs in with this address" in error_beside(refused.text, "email")
    assert error_beside(refused.text, "name") == "Enter your colleague&#39;s name"
    opened = admin.post("/accounts/new", data=_opening(admin, name="Zhao Liu"))
    assert "A link to choose a password was mailed to zhao.liu@example.gov.cn" in opened.text
    for page in (admin.get("/accounts"), admin.get("/accounts/new"), refused, opened):
        assert _chinese(page) <= {"中文"}, page.url  # the link back to Chinese
    assert "Account opened" in opened.text
