"""The policy desk in a real browser against ``yiye serve``: one officer changes a time limit, sees the checks and the
impact, a second approves it with an effective date and publishes; new compositions get the new version at once,
while the applicant's earlier stored composition keeps the version it was made under.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session, select

from composer import Composer
from composer.model import ComposeRequest
from service import db
from service.compose import today
from service.db import make_engine
from service.models import StoredComposition, User
from service.security import hash_password
from service.workflow.roles import Role
from tests.service.svcutil import FIXTURE_PACKS, chromium_browser, needs_chromium, serve_env, serving
from tests.service.wfcase import stored_draft

pytest.importorskip("playwright.sync_api")
from playwright.sync_api import Browser, Page, expect  # noqa: E402

PASSWORD = "correct-horse-9"
HOTEL = ComposeRequest(pack="mini", scope=["lodging"], answers={})

pytestmark = needs_chromium


def _seed(url: str, packs: Path) -> str:
    """The two officers, an applicant with a hotel draft; the draft's pack version."""
    db.upgrade(url)
    engine = make_engine(url)
    composer = Composer.load("mini", packs)
    with Session(engine) as session:
        secret = hash_password(PASSWORD)
        people = [("author", Role.policy_author), ("approver", Role.policy_approver), ("applicant", Role.applicant)]
        users = {name: User(email=f"{name}@example.com", password_hash=secret, role=role) for name, role in people}
        session.add_all(users.values())
        session.commit()
        stored_draft(session, composer, users["applicant"], HOTEL)
    engine.dispose()
    return composer.pack.version


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, str]]:
    root = tmp_path_factory.mktemp("policy-browser")
    packs = root / "packs"
    shutil.copytree(FIXTURE_PACKS, packs)
    url = f"sqlite:///{root / 'yiye.db'}"
    version = _seed(url, packs)
    env = serve_env(url, packs, "mini", YIYE_FILES_DIR=str(root / "files"))
    with serving(["--workers", "2"], env, "/sign-in") as base:
        yield base, url, version


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    with chromium_browser() as browser:
        yield browser


def _signed_in(chromium: Browser, base: str, name: str) -> Page:
    page = chromium.new_context(locale="zh-CN").new_page()
    page.set_default_timeout(20_000)
    page.goto(f"{base}/sign-in")
    page.locator("#login").fill(f"{name}@example.com")
    page.locator("#password").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base}/policy")
    return page


def test_an_officer_changes_a_time_limit_a_second_approves_and_new_compositions_use_it(
    chromium: Browser, site: tuple[str, str, str]
) -> None:
    base, url, old_version = site
    author = _signed_in(chromium, base, "author")
    author.locator("#title").fill("缩短消防安全检查时限")
    author.locator("#reason").fill("按区政府决定压减办理时限")
    author.get_by_role("button", name="新建").click()
    author.locator("#permit").select_option("fire_check")
    author.get_by_role("button", name="打开").click()
    author.get_by_label("法定办理时限（工作日）").fill("10")
    author.locator("#permit-form").get_by_role("button", name="保存并检查").click()
    expect(author.locator("#checks")).to_have_text("检查和情形测试全部通过。")
    expect(author.locator("#changes")).to_contain_text("许可事项 › fire_check › 办理时限 › 法定 › 天数")
    change_set = author.url.split("?")[0]

    author.get_by_role("link", name="查看对申请人的影响").click()
    expect(author.locator("#impact-summary")).to_have_text("已按新旧两个版本重新生成 1 份告知单，其中 1 份有变化。")
    expect(author.locator("#impact")).to_contain_text("办理时限缩短")
    author.goto(change_set)
    author.get_by_role("button", name="提交审核").click()
    expect(author.locator("#status")).to_have_text("待审核")

    approver = _signed_in(chromium, base, "approver")
    approver.goto(change_set)
    approver.locator("#effective_date").fill(today().isoformat())
    approver.get_by_role("button", name="批准").click()
    expect(approver.locator("#effective-date")).to_have_text(today().isoformat())
    approver.get_by_role("button", name="发布").click()
    expect(approver.locator("#status")).to_have_text("已发布")

    # every worker serves the new version within 5 s (ten answers in a row, from either worker); the earlier
    # stored composition keeps the version it was made under
    compose = {"pack": "mini", "scope": ["lodging"], "answers": {}}
    deadline, fresh = time.monotonic() + 5, 0
    while fresh < 10:
        assert time.monotonic() < deadline, "a worker still serves the old version"
        version = httpx.post(f"{base}/api/v1/compose", json=compose, timeout=5).headers["X-Pack-Version"]
        fresh = fresh + 1 if version != old_version else 0
    engine = make_engine(url)
    with Session(engine) as session:
        assert [row.pack_version for row in session.exec(select(StoredComposition)).all()] == [old_version]
    engine.dispose()
