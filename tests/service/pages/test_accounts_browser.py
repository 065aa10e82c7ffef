"""The administrator's desk in real browsers, against ``yiye serve`` mailing through a local SMTP server: the
administrator finds an applicant's account and makes it the fire department's reviewer, who then lands on the review
desk; a reviewer without a department is refused beside the field, and the window clerk is refused the desk; disabled,
the newcomer's open browser is signed out. The administrator opens a colleague's account, who chooses a password through
the mailed link and lands on the police department's review desk. Every page passes axe."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from jobs.jobcase import Mailbox, smtp_server
from sqlmodel import Session, col, select

from service import db
from service.db import make_engine
from service.models import User
from service.workflow.models import AuditEvent
from service.workflow.roles import Role
from tests.service.svcutil import FIXTURE_PACKS, serve_env, serving

playwright_api = pytest.importorskip("playwright.sync_api")
from playwright.sync_api import Browser, expect  # noqa: E402

from tests.service.pages.browserutil import PASSWORD, Desks, accounts, needs_chromium  # noqa: E402

PEOPLE = {"admin": (Role.admin, None), "clerk": (Role.clerk, None), "newcomer": (Role.applicant, None)}

pytestmark = needs_chromium


@pytest.fixture(scope="module")
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    with smtp_server() as found:
        yield found


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, mailbox: tuple[Mailbox, int]) -> Iterator[tuple[str, str]]:
    root = tmp_path_factory.mktemp("accounts-browser")
    url = f"sqlite:///{root / 'yiye.db'}"
    db.upgrade(url)
    engine = make_engine(url)
    with Session(engine) as session:
        session.add_all(accounts(PEOPLE).values())
        session.commit()
    engine.dispose()
    env = serve_env(url, FIXTURE_PACKS, "mini", YIYE_SMTP_HOST="127.0.0.1", YIYE_SMTP_PORT=str(mailbox[1]))
    with serving(["--workers", "1"], env, "/sign-in") as base:
        yield base, url


@pytest.fixture
def desks(chromium: Browser, site: tuple[str, str]) -> Iterator[Desks]:
    desks = Desks(chromium, site[0], dict.fromkeys(PEOPLE, 1100), PASSWORD, anonymous=("colleague",))
    try:
        yield desks
    finally:
        desks.close()


def test_the_administrator_makes_an_applicant_a_departments_reviewer(desks: Desks, site: tuple[str, str]) -> None:
    admin = desks.pages["admin"]
    assert admin.url.endswith("/accounts")  # where the administrator lands after signing in
    desks.scan("admin", admin)
    expect(admin.locator("#staff")).to_contain_text("admin@example.com")
    expect(admin.locator("#staff")).not_to_contain_text("newcomer@example.com")  # applicants are found, not listed

    admin.locator("#q").fill("newcomer@example.com")
    admin.get_by_role("button", name="查找").click()
    expect(admin.locator("#found")).to_contain_text("申请人")
    desks.scan("admin", admin)
    admin.locator("#found a").click()
    expect(admin.locator("#role-now")).to_have_text("申请人")
    desks.scan("admin", admin)

    admin.locator("#role").select_option("reviewer")
    admin.get_by_role("button", name="保存").click()
    expect(admin.locator("#department-error")).to_contain_text("部门审批人员须指定所属部门")
    desks.scan("admin", admin)
    expect(admin.locator("#role-now")).to_have_text("申请人")  # nothing was written

    admin.locator("#role").select_option("reviewer")
    admin.locator("#department").select_option("fire")
    admin.get_by_role("button", name="保存").click()
    expect(admin.locator("#staff")).to_contain_text("newcomer@example.com")
    expect(admin.locator("#staff tr", has_text="newcomer@example.com")).to_contain_text("部门审批人员")
    expect(admin.locator("#staff tr", has_text="newcomer@example.com")).to_contain_text("区消防救援支队")

    newcomer = desks.open("newcomer", "/desk")
    assert newcomer.url.endswith("/review")  # the new role holds at the next request, no new sign-in needed
    clerk = desks.open("clerk", "/accounts")
    expect(clerk.locator("h1")).to_have_text("无权操作")

    # the newcomer leaves: disabled, their open browser is signed out at its next page
    admin.locator("#staff a", has_text="newcomer@example.com").click()
    admin.locator("#disable").click()
    expect(admin.locator("#standing")).to_contain_text("已停用")
    desks.scan("admin", admin)
    newcomer.reload()
    assert "/sign-in" in newcomer.url
    assert desks.violations == []

    engine = make_engine(site[1])
    with Session(engine) as session:
        newcomer_id = session.exec(select(User.id).where(User.email == "newcomer@example.com")).one()
        events = session.exec(select(AuditEvent).where(AuditEvent.subject_id == newcomer_id).order_by(col(AuditEvent.seq))).all()
    engine.dispose()
    assert [(e.action, e.actor_role) for e in events] == [("assign_role", "admin"), ("disable_account", "admin")]
    assert events[0].data == {"role": ["applicant", "reviewer"], "department": [None, "fire"]}


def test_a_colleague_opened_by_the_administrator_chooses_a_password_from_the_mail(
    desks: Desks, site: tuple[str, str], mailbox: tuple[Mailbox, int]
) -> None:
    admin = desks.open("admin", "/accounts")
    admin.locator("#new-account").click()
    desks.scan("admin", admin)
    admin.locator("#email").fill("wang.wu@example.gov.cn")
    admin.locator("#name").fill("王五")
    admin.locator("#role").select_option("reviewer")
    admin.locator("#open").click()
    expect(admin.locator("#department-error")).to_contain_text("部门审批人员须指定所属部门")
    desks.scan("admin", admin)
    expect(admin.locator("#email")).to_have_value("wang.wu@example.gov.cn")  # what was typed stays
    admin.locator("#department").select_option("police")
    admin.locator("#open").click()
    expect(admin.locator(".notification--success")).to_contain_text("已向 wang.wu@example.gov.cn 发送设置密码的链接")
    expect(admin.locator("#role-now")).to_have_text("部门审批人员")
    expect(admin.locator("#history")).to_contain_text("开设账户")
    desks.scan("admin", admin)

    (mail,) = [m for m in mailbox[0].messages if m["To"] == "wang.wu@example.gov.cn"]
    body = mail.get_payload(decode=True)
    assert isinstance(body, bytes)
    found = re.search(r"https?://\S+/password/reset\?token=\S+", body.decode())
    assert found
    link = urlsplit(found.group(0))
    colleague = desks.open("colleague", f"{link.path}?{link.query}")
    colleague.locator("#password").fill("wang-wus-own-secret-3")
    colleague.locator("#password_confirm").fill("wang-wus-own-secret-3")
    colleague.locator("button[type=submit]").click()
    colleague.locator("#login").fill("wang.wu@example.gov.cn")
    colleague.locator("#password").fill("wang-wus-own-secret-3")
    colleague.get_by_role("button", name="登录").click()
    expect(colleague.locator("h1")).not_to_have_text("登录")
    assert colleague.url.endswith("/review")
    desks.scan("colleague", colleague)
    assert desks.violations == []
