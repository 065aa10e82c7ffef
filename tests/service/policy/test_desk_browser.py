"""The policy desk's catalogue, condition builder, materials, history and rollback in a real browser against ``yiye
serve`` publishing into its own packs repository (YIYE_PACKS_REPO); every page passes axe and does not scroll sideways."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from dulwich.repo import Repo
from sqlmodel import Session

from service import db
from service.db import make_engine
from service.models import User
from service.security import hash_password
from service.workflow.roles import Role
from tests.service.pages.browserutil import Desks
from tests.service.svcutil import FIXTURE_PACKS, chromium_browser, needs_chromium, serve_env, serving

pytest.importorskip("playwright.sync_api")
from playwright.sync_api import expect  # noqa: E402

PASSWORD = "correct-horse-9"

pytestmark = needs_chromium


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[str, Path, Path]]:
    """``yiye serve`` on the shipped fixture packs copied into their own repository: (base URL, shipped, repository)."""
    shipped, published = tmp_path / "shipped", tmp_path / "var" / "packs"
    shutil.copytree(FIXTURE_PACKS, shipped)
    url = f"sqlite:///{tmp_path / 'yiye.db'}"
    db.upgrade(url)
    engine = make_engine(url)
    with Session(engine) as session:
        secret = hash_password(PASSWORD)
        session.add_all(User(email=f"{name}@example.com", password_hash=secret, role=role)
                        for name, role in (("author", Role.policy_author), ("approver", Role.policy_approver)))  # fmt: skip
        session.commit()
    engine.dispose()
    env = serve_env(url, shipped, "mini", YIYE_PACKS_REPO=str(published), YIYE_FILES_DIR=str(tmp_path / "files"))
    with serving(["--workers", "1"], env, "/sign-in") as base:
        yield base, shipped, published


def test_an_officer_browses_edits_a_condition_and_materials_and_a_published_version_is_rolled_back(
    site: tuple[str, Path, Path],
) -> None:
    base, shipped, published = site
    with chromium_browser() as chromium:
        desks = Desks(chromium, base, {"author": 1100, "approver": 1100}, PASSWORD)
        author = desks.open("author", "/policy")

        # the catalogue: searched from the keyboard, a permit resolved through the child pack's overlay
        author.get_by_role("link", name="测试下级规则包").click()
        desks.scan("author", author)
        author.get_by_label("搜索名称、编号或中文内容").fill("食品经营")
        author.keyboard.press("Enter")
        expect(author.locator("#found")).to_have_text("“食品经营”找到 1 项。")
        desks.scan("author", author)
        author.get_by_role("link", name="食品经营许可").click()
        expect(author.locator("h1")).to_have_text("食品经营许可")
        statutory = author.locator("#provenance tr", has_text="time_limit.statutory.days")
        expect(statutory).to_contain_text("mini-child/pack.yaml:8")
        expect(author.locator("#provenance tr", has_text="time_limit.committed.days")).to_contain_text("上级规则包")
        desks.scan("author", author)

        # a change set: the condition builder refuses a number that is not one, beside its field, then saves
        author = desks.open("author", "/policy")
        author.locator("#title").fill("烟草许可限于小型门店")
        author.locator("#reason").fill("按区政府决定调整")
        author.get_by_role("button", name="新建").click()
        author.locator("#permit").select_option("tobacco")
        author.get_by_role("button", name="打开").click()
        desks.scan("author", author)
        author.locator("#row-2-subject").select_option("answer:area_m2")
        author.locator("#row-2-op").select_option("lt")
        author.locator("#row-2-value").fill("五百")
        author.get_by_role("button", name="保存条件并检查").click()
        expect(author.locator("#row-2-value-error")).to_contain_text("取值须为数字，不能是“五百”")
        desks.scan("author", author)
        expect(author.locator("#changes")).to_have_count(0)
        author.locator("#row-2-value").fill("500")
        author.get_by_role("button", name="保存条件并检查").focus()
        author.keyboard.press("Enter")
        expect(author.locator("#checks")).to_have_text("检查和情形测试全部通过。")
        expect(author.locator("#changes")).to_contain_text("许可事项 › tobacco › 适用条件 › 全部满足 › 第3项 › 小于")

        # materials: one added from the registry
        author.locator("#mat-1-material").select_option("operation_flow")
        author.get_by_role("button", name="保存材料并检查").click()
        expect(author.locator("#checks")).to_have_text("检查和情形测试全部通过。")
        expect(author.locator("#changes")).to_contain_text("许可事项 › tobacco › 材料 › 第2项 › 材料")
        desks.scan("author", author)

        # a group of conditions: fire_check's second row is one already; a third is added from the keyboard, a row at a time
        author.locator("#permit").select_option("fire_check")
        author.get_by_role("button", name="打开", exact=True).click()
        expect(author.locator("#row-1-subject")).to_have_value("group:all")
        expect(author.locator("#row-1-1-subject")).to_have_value("answer:public_assembly")
        author.locator("#row-2-subject").select_option("group:all")
        author.locator("#row-2-0-subject").select_option("scope:food_sales")
        author.get_by_role("button", name="保存条件并检查").click()
        expect(author.locator("#checks")).to_contain_text("情形“便利店卖烟需要烟草许可”未通过")  # every shop would need it
        expect(author.locator("#row-2-subject")).to_have_value("group:all")
        desks.scan("author", author)
        author.locator("#row-2-1-subject").select_option("answer:area_m2")
        author.locator("#row-2-1-op").select_option("lt")
        author.locator("#row-2-1-value").fill("一千")
        author.locator("#row-2-1-not").press("Space")
        author.get_by_role("button", name="保存条件并检查").click()
        expect(author.locator("#row-2-1-value-error")).to_contain_text("第3条中的第2条：")
        expect(author.locator("#row-2-1-value")).to_have_attribute("aria-invalid", "true")
        expect(author.locator("#row-2-1-not")).to_be_checked()
        desks.scan("author", author)
        author.locator("#row-2-1-value").fill("1000")
        author.get_by_role("button", name="保存条件并检查").focus()
        author.keyboard.press("Enter")
        expect(author.locator("#checks")).to_have_text("检查和情形测试全部通过。")
        expect(author.locator("#changes")).to_contain_text("许可事项 › fire_check › 适用条件 › 任一满足 › 第3项")
        desks.scan("author", author)
        author.get_by_role("button", name="提交审核").click()
        change_set = author.url.split("?")[0]

        approver = desks.open("approver", change_set.removeprefix(base))
        approver.get_by_role("button", name="批准").click()
        approver.get_by_role("button", name="发布").click()
        expect(approver.locator("#status")).to_have_text("已发布")

        # history: both versions, their diff in plain words, and a rollback that is a change set of its own
        history = desks.open("approver", "/policy/history")
        expect(history.locator("#versions tbody tr")).to_have_count(2)
        expect(history.locator("#versions tbody tr").first).to_contain_text("烟草许可限于小型门店")
        expect(history.locator("#versions tbody tr").first).to_contain_text("起草：author@example.com")
        history.get_by_role("button", name="比较").click()
        expect(history.locator("#version-changes")).to_contain_text("许可事项 › tobacco › 适用条件 › 全部满足 › 第3项 › 小于")
        desks.scan("approver", history)
        author = desks.open("author", "/policy/history")
        author.locator("textarea[name=reason]").fill("撤回，另行研究")
        author.get_by_role("button", name=re.compile("回滚到")).click()
        expect(author.locator("h1")).to_contain_text("回滚到版本")
        expect(author.locator("#status")).to_have_text("起草中")
        expect(author.locator("#checks")).to_have_text("检查和情形测试全部通过。")
        desks.scan("author", author)
        desks.close()
    assert desks.violations == []
    with Repo(str(published)) as git:
        assert len(list(git.get_walker())) == 2
    assert not (shipped / ".git").exists()
    assert (shipped / "mini" / "permits.yaml").read_bytes() == (FIXTURE_PACKS / "mini" / "permits.yaml").read_bytes()
    written = (published / "mini" / "permits.yaml").read_text()
    assert "{material: operation_flow}" in written
    assert "{all: [{scope: food_sales}, {not: {answer: area_m2, lt: 1000}}]}]}" in written
