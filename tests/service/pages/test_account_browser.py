"""Signing up by e-mail and 忘记密码 in Debian's chromium against ``yiye serve`` mailing through a local
SMTP server (aiosmtpd): each page of both flows passes axe."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from jobs.jobcase import Mailbox, smtp_server

from rules.packs import DEFAULT_PACK, PACKS_DIR
from tests.service.svcutil import chromium_browser, needs_chromium, serve_env, serving

pytest.importorskip("playwright.sync_api")
from axe_playwright_python.sync_playwright import Axe  # noqa: E402
from playwright.sync_api import Page, expect  # noqa: E402

pytestmark = needs_chromium
EMAIL, FIRST, SECOND = "browser.owner@example.com", "first-secret-123", "second-secret-456"


@pytest.fixture
def mailed_server(tmp_path: Path) -> Iterator[tuple[Mailbox, str]]:
    """A local SMTP server and ``yiye serve`` mailing through it: (the mailbox, the server's base URL)."""
    with smtp_server() as (box, port):
        env = serve_env(
            f"sqlite:///{tmp_path / 'accounts.db'}", PACKS_DIR, DEFAULT_PACK, YIYE_SMTP_HOST="127.0.0.1", YIYE_SMTP_PORT=str(port)
        )
        with serving(["--workers", "1"], env, "/sign-in") as base:
            yield box, base


def _last_link(box: Mailbox, base: str, path: str) -> str:
    """The link of that path in the newest mail, pointed at this server."""
    body = box.messages[-1].get_payload(decode=True)
    assert isinstance(body, bytes)
    found = re.search(rf"https?://\S+{re.escape(path)}\?token=\S+", body.decode())
    assert found, body.decode()
    link = urlsplit(found.group(0))
    return f"{base}{link.path}?{link.query}"


def test_sign_up_by_mail_and_a_password_reset_in_a_browser_pass_axe(mailed_server: tuple[Mailbox, str]) -> None:
    box, base = mailed_server
    axe, found = Axe(), list[str]()

    def scan(page: Page, name: str) -> None:
        found.extend(f"{name}: {v['id']} {v['help']}" for v in axe.run(page).response["violations"])

    with chromium_browser() as browser:
        page = browser.new_page()
        page.goto(f"{base}/sign-up")
        page.get_by_label("手机号或电子邮箱").fill(EMAIL)
        page.get_by_label("密码", exact=True).fill(FIRST)
        page.get_by_label("再次输入密码").fill(FIRST)
        page.get_by_role("button", name="注册").click()
        expect(page.locator("h1")).to_have_text("请查收邮件")
        scan(page, "sign-up sent")
        page.goto(_last_link(box, base, "/sign-up/confirm"))
        scan(page, "sign-up confirm")
        page.get_by_role("button", name="完成注册并登录").click()
        expect(page).to_have_url(re.compile(r"/drafts$"))

        stranger = browser.new_page()
        stranger.goto(f"{base}/sign-in")
        stranger.get_by_role("link", name="忘记密码？").click()
        stranger.get_by_role("button", name="发送重设链接").click()
        expect(stranger.locator("#email-error, .error-summary").first).to_contain_text("请输入注册时使用的电子邮箱")
        scan(stranger, "forgot with an error")
        stranger.get_by_label("电子邮箱").fill(EMAIL)
        stranger.get_by_role("button", name="发送重设链接").click()
        expect(stranger.get_by_role("status")).to_contain_text("如果该电子邮箱注册过账户")
        scan(stranger, "forgot sent")
        link = _last_link(box, base, "/password/reset")
        stranger.goto(link)
        stranger.get_by_label("新密码", exact=True).fill("short")
        stranger.get_by_label("再次输入新密码").fill("short")
        stranger.get_by_role("button", name="设置新密码").click()
        scan(stranger, "reset with an error")
        stranger.get_by_label("新密码", exact=True).fill(SECOND)
        stranger.get_by_label("再次输入新密码").fill(SECOND)
        stranger.get_by_role("button", name="设置新密码").click()
        expect(stranger.get_by_role("status")).to_contain_text("密码已重设")
        scan(stranger, "sign-in after reset")
        stranger.get_by_label("手机号或电子邮箱").fill(EMAIL)
        stranger.get_by_label("密码").fill(SECOND)
        stranger.get_by_role("button", name="登录").click()
        expect(stranger).to_have_url(re.compile(r"/drafts$"))
        stranger.goto(link)
        expect(stranger.locator("h1")).to_have_text("链接已失效")
        scan(stranger, "dead link")

        page.reload()  # the first browser's session ended with the reset
        expect(page).to_have_url(re.compile(r"/sign-in"))
    assert found == []
