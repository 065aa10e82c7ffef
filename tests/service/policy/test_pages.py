"""The policy desk's pages: an officer changes a threshold, sees the checks; a second officer approves and publishes."""

from __future__ import annotations

import html
import io
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pypdf
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from composer import Composer
from composer.model import ComposeRequest
from service.app import create_app
from service.compose import today
from service.policy import conditions, desk, repo
from service.workflow.roles import Role
from tests.service.svcutil import make_settings
from tests.service.wfcase import stored_draft
from tests.service.window.deskutil import account, csrf, sign_in


@pytest.fixture
def worker(db_url: str, packs_copy: Path) -> Iterator[TestClient]:
    with TestClient(create_app(make_settings(db_url, packs_dir=packs_copy, release_check_seconds=0.05))) as client:
        yield client


PERMITS = "mini/permits.yaml"


def _client(worker: TestClient, login: str) -> TestClient:
    client = TestClient(worker.app)
    assert sign_in(client, login).status_code == 303
    return client


def _post(client: TestClient, path: str, page: str, **data: str) -> str:
    response = client.post(path, data={"csrf_token": csrf(client, page), **data})
    return response.text


def _cell(html: str, element_id: str) -> str:
    found = re.search(rf'id="{element_id}"[^>]*>(.*?)</', html, re.S)
    assert found, element_id
    return found.group(1).strip()


def test_an_officer_edits_a_time_limit_and_a_second_officer_publishes_it(
    worker: TestClient, session: Session, packs_copy: Path
) -> None:
    author = _client(worker, account(session, Role.policy_author).login)
    approver = _client(worker, account(session, Role.policy_approver).login)
    assert author.get("/desk", follow_redirects=False).headers["location"] == "/policy"

    opened = author.post(
        "/policy",
        data={"csrf_token": csrf(author, "/policy"), "title": "缩短时限", "reason": "按国务院令797号", "pack_id": "mini"},
        follow_redirects=False,
    )
    page = opened.headers["location"]
    form = f"{page}?permit=food_business"
    assert "法定办理时限（工作日）" in author.get(form).text

    shown = _post(author, f"{page}/permit", form, permit="food_business", **{"time_limit.statutory.days": "零"})
    assert "“法定办理时限（工作日）”须为正整数" in shown
    assert 'aria-invalid="true"' not in shown.split("检查结果")[0]
    shown = _post(author, f"{page}/permit", form, permit="food_business", **{"time_limit.statutory.days": "15"})
    assert "检查和情形测试全部通过。" in shown
    assert "许可事项 › food_business › 办理时限 › 法定 › 天数" in shown
    assert "days: 15" in author.get(form).text  # the YAML view shows the change set's file

    assert "已按新旧两个版本重新生成 0 份告知单，其中 0 份有变化。" in approver.get(f"{page}/impact").text

    shown = _post(author, f"{page}/submit", page)
    assert _cell(shown, "status") == "待审核"

    refused = approver.post(f"{page}/approve", data={"csrf_token": csrf(approver, page), "effective_date": "昨天"})
    assert refused.status_code == 400
    assert "请填写生效日期" in refused.text
    shown = _post(approver, f"{page}/approve", page, effective_date="2026-01-01")
    assert "生效日期不能早于今天" in shown
    today = re.search(r'name="effective_date" type="date" value="([^"]+)"', approver.get(page).text)
    assert today
    shown = _post(approver, f"{page}/approve", page, effective_date=today.group(1))
    assert _cell(shown, "status") == "已批准，待发布"
    shown = _post(approver, f"{page}/publish", page)
    assert _cell(shown, "status") == "已发布"
    time.sleep(0.1)  # the worker looks for a new release at most every 0.05 s here
    assert '"days":15' in worker.get("/api/v1/packs/mini/permits/food_business").text.replace(" ", "")


def test_an_author_cannot_review_their_own_change_set(worker: TestClient, session: Session) -> None:
    author = _client(worker, account(session, Role.policy_author).login)
    opened = author.post(
        "/policy",
        data={"csrf_token": csrf(author, "/policy"), "title": "", "reason": "", "pack_id": "mini"},
        follow_redirects=False,
    )
    assert opened.status_code == 400
    assert "请填写标题" in opened.text
    assert "请填写理由" in opened.text
    opened = author.post(
        "/policy",
        data={"csrf_token": csrf(author, "/policy"), "title": "t", "reason": "r", "pack_id": "mini"},
        follow_redirects=False,
    )
    page = opened.headers["location"]
    refused = author.post(f"{page}/approve", data={"csrf_token": csrf(author, page), "effective_date": "2099-01-01"})
    assert refused.status_code == 403


def _text(html: str) -> str:
    """The page's words, tags dropped and spaces folded: what a reader sees, in order."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_catalogue_is_browsed_and_searched_by_name_id_and_english(worker: TestClient, session: Session) -> None:
    officer = _client(worker, account(session, Role.policy_author).login)
    assert '<a href="/policy/packs/mini-child">测试下级规则包</a>' in officer.get("/policy").text  # by its name
    whole = _text(officer.get("/policy/packs/mini").text)
    for heading in ("行业", "经营范围", "情形问题", "许可事项", "材料", "表单字段"):
        assert f" {heading}（" in whole
    assert "人员：配备食品安全管理人员" in whole  # a permit with its requirement elements
    assert "mini/permits.yaml:2" in whole  # where the permit is written

    found = _text(officer.get("/policy/packs/mini", params={"q": "食品"}).text)
    assert "“食品”找到" in found
    assert "食品经营许可 food_business" in found
    assert "是否现场制售食品？ food_prep" in found
    assert "烟草专卖零售许可" not in found
    assert "特种行业许可证" not in found
    assert "fire_check" in _text(officer.get("/policy/packs/mini", params={"q": "fire_check"}).text)
    by_english = _text(officer.get("/policy/packs/mini", params={"q": "special-trade"}).text)
    assert "特种行业许可证（旅馆业） hotel_trade" in by_english
    assert "食品经营许可" not in by_english
    assert "“不存在的东西”找到 0 项。" in _text(officer.get("/policy/packs/mini", params={"q": "不存在的东西"}).text)
    assert officer.get("/policy/packs/nowhere").status_code == 404


def test_a_permit_is_shown_resolved_through_its_overlays_with_each_fields_file_and_line(
    worker: TestClient, session: Session
) -> None:
    officer = _client(worker, account(session, Role.policy_approver).login)
    shown = _text(officer.get("/policy/packs/mini-child/permits/food_business").text)
    # the child pack amends the statutory limit; the committed one is the parent's
    assert "办理时限 › 法定 › 天数 time_limit.statutory.days 10 mini-child/pack.yaml:8 " in shown
    assert "办理时限 › 承诺 › 天数 time_limit.committed.days 10 mini/permits.yaml:7 上级规则包" in shown
    assert "名称 › 中文 name.zh 食品经营许可 mini/permits.yaml:3 上级规则包" in shown
    assert officer.get("/policy/packs/mini-child/permits/tobacco").status_code == 404  # withdrawn by the child
    applicant = _client(worker, account(session, Role.applicant).login)
    assert applicant.get("/policy/packs/mini").status_code == 403


def _opened(author: TestClient, title: str = "调整烟草许可条件") -> str:
    opened = author.post(
        "/policy",
        data={"csrf_token": csrf(author, "/policy"), "title": title, "reason": "按区政府决定", "pack_id": "mini"},
        follow_redirects=False,
    )
    return str(opened.headers["location"])


def _selected(html: str, name: str) -> str:
    found = re.search(rf'name="{name}">.*?<option value="([^"]*)" selected', html, re.S)
    return found.group(1) if found else ""


def test_the_condition_builder_reads_a_permits_condition_and_writes_the_packs_yaml(
    worker: TestClient, session: Session, packs_copy: Path
) -> None:
    author = _client(worker, account(session, Role.policy_author).login)
    page = _opened(author)
    form = f"{page}?permit=tobacco"
    shown = author.get(form).text
    assert _selected(shown, "combinator") == "all"
    assert _selected(shown, "row-0-subject") == "scope:food_sales"
    assert _selected(shown, "row-1-subject") == "answer:sells_tobacco"
    assert 'name="row-1-value" type="text" value="是"' in shown

    rows = {
        "permit": "tobacco", "rows": "2", "combinator": "all",
        "row-0-subject": "scope:food_sales", "row-1-subject": "answer:sells_tobacco", "row-1-op": "is", "row-1-value": "是",
    }  # fmt: skip
    before = (packs_copy / PERMITS).read_text()
    refused = author.post(
        f"{page}/condition",
        data={**rows, "csrf_token": csrf(author, form), "row-2-subject": "answer:floor", "row-2-op": "lte", "row-2-value": "5"},
    )
    assert refused.status_code == 400
    assert re.search(r'id="row-2-subject-error"[^>]*>.*第3条：规则包中没有问题“floor”', refused.text)
    refused = author.post(
        f"{page}/condition",
        data={**rows, "csrf_token": csrf(author, form), "row-2-subject": "answer:area_m2", "row-2-value": "二百"},
    )
    wrong = "“经营场所面积是多少平方米？”是数值问题，取值须为数字，不能是“二百”"
    assert re.search(rf'id="row-2-value-error"[^>]*>.*{wrong}', refused.text)
    assert 'name="row-2-value" type="text" value="二百"' in refused.text  # what was typed stays on the page
    refused = author.post(
        f"{page}/condition",
        data={**rows, "csrf_token": csrf(author, form), "row-1-op": "gt", "row-1-value": "1"},
    )
    assert re.search(r'id="row-1-op-error"[^>]*>.*“大于”只适用于数值问题', refused.text)
    assert "还没有改动。" in author.get(page).text  # nothing saved

    saved = author.post(
        f"{page}/condition",
        data={**rows, "csrf_token": csrf(author, form), "row-2-subject": "answer:area_m2", "row-2-op": "gt", "row-2-value": "200",
              "row-2-not": "1"},
    )  # fmt: skip
    assert saved.status_code == 200
    assert "检查和情形测试全部通过。" in saved.text
    assert "许可事项 › tobacco › 适用条件 › 全部满足 › 第3项 › 不满足 › 大于 mini/permits.yaml — 200" in _text(saved.text)
    text = re.search(r'<textarea class="textarea" id="yaml-text" name="text"[^>]*>(.*?)</textarea>', saved.text, re.S)
    assert text
    after = html.unescape(text.group(1))
    line = "    applies_when: {all: [{scope: food_sales}, {answer: sells_tobacco, is: true}, {not: {answer: area_m2, gt: 200}}]}"
    assert line in after.splitlines()
    old = "    applies_when: {all: [{scope: food_sales}, {answer: sells_tobacco, is: true}]}"
    assert [x for x in after.splitlines() if x != line] == [x for x in before.splitlines() if x != old]


def test_the_condition_builder_edits_groups_of_conditions_one_level_deep(
    worker: TestClient, session: Session, packs_copy: Path
) -> None:
    author = _client(worker, account(session, Role.policy_author).login)
    page = _opened(author)
    form = f"{page}?permit=fire_check"  # {any: [{scope: lodging}, {all: [{scope: food_sales}, {answer: public_assembly, ..}]}]}
    shown = author.get(form).text
    assert _selected(shown, "combinator") == "any"
    assert _selected(shown, "row-0-subject") == "scope:lodging"
    assert _selected(shown, "row-1-subject") == "group:all"
    assert _selected(shown, "row-1-0-subject") == "scope:food_sales"
    assert _selected(shown, "row-1-1-subject") == "answer:public_assembly"
    assert 'name="row-1-1-value" type="text" value="是"' in shown
    assert 'id="row-1-op"' not in shown  # a group has no operator of its own
    assert 'id="condition-too-deep"' not in shown

    rows = {
        "permit": "fire_check", "combinator": "any", "row-0-subject": "scope:lodging", "row-1-subject": "group:all",
        "row-1-0-subject": "scope:food_sales", "row-1-1-subject": "answer:public_assembly", "row-1-1-value": "是",
    }  # fmt: skip
    before = (packs_copy / PERMITS).read_text()
    refused = author.post(
        f"{page}/condition",
        data={**rows, "csrf_token": csrf(author, form), "row-1-2-subject": "answer:area_m2", "row-1-2-op": "gte",
              "row-1-2-value": "一百"},
    )  # fmt: skip
    assert refused.status_code == 400
    assert re.search(r'id="row-1-2-value-error"[^>]*>.*第2条中的第3条：.*取值须为数字，不能是“一百”', refused.text)
    assert 'name="row-1-2-value" type="text" value="一百"' in refused.text
    refused = author.post(f"{page}/condition", data={**rows, "csrf_token": csrf(author, form), "row-2-subject": "group:any"})
    assert re.search(r'id="row-2-0-subject-error"[^>]*>.*第3条：一组条件至少要有一条', refused.text)
    assert "还没有改动。" in author.get(page).text  # nothing saved

    saved = author.post(
        f"{page}/condition",
        data={**rows, "csrf_token": csrf(author, form), "row-1-2-subject": "answer:area_m2", "row-1-2-op": "gte",
              "row-1-2-value": "100", "row-2-subject": "group:any", "row-2-not": "1",
              "row-2-0-subject": "answer:sells_tobacco", "row-2-0-value": "否"},
    )  # fmt: skip
    assert saved.status_code == 200
    text = re.search(r'<textarea class="textarea" id="yaml-text" name="text"[^>]*>(.*?)</textarea>', saved.text, re.S)
    assert text
    after = html.unescape(text.group(1))
    line = (
        "    applies_when: {any: [{scope: lodging}, {all: [{scope: food_sales}, {answer: public_assembly, is: true},"
        " {answer: area_m2, gte: 100}]}, {not: {any: [{answer: sells_tobacco, is: false}]}}]}"
    )
    assert line in after.splitlines()
    old = "    applies_when: {any: [{scope: lodging}, {all: [{scope: food_sales}, {answer: public_assembly, is: true}]}]}"
    assert [x for x in after.splitlines() if x != line] == [x for x in before.splitlines() if x != old]
    shown = author.get(form).text  # read back: the new negated group is a row with its own rows
    assert _selected(shown, "row-2-subject") == "group:any"
    assert 'id="row-2-not" name="row-2-not" value="1" checked' in shown
    assert _selected(shown, "row-2-0-subject") == "answer:sells_tobacco"

    deeper = {"any": [{"all": [{"any": [{"scope": "lodging"}]}]}]}  # a group within a group: the YAML view's
    assert conditions.builder_of(deeper) is None


def test_a_permits_materials_are_added_and_removed_and_one_needed_by_nobody_is_refused(
    worker: TestClient, session: Session, packs_copy: Path
) -> None:
    author = _client(worker, account(session, Role.policy_author).login)
    page = _opened(author, "调整消防检查材料")
    form = f"{page}?permit=fire_check"
    shown = author.get(form).text
    assert [_selected(shown, f"mat-{n}-material") for n in range(3)] == ["business_license", "floor_plan", "fire_rules"]
    assert _selected(shown, "mat-1-variant") == "fire_facilities"
    kept = {
        "permit": "fire_check", "materials": "3",
        "mat-0-origin": "0", "mat-0-material": "business_license",
        "mat-1-origin": "1", "mat-1-material": "floor_plan", "mat-1-variant": "fire_facilities",
        "mat-2-origin": "2", "mat-2-material": "fire_rules",
    }  # fmt: skip

    refused = author.post(f"{page}/materials", data={**kept, "csrf_token": csrf(author, form), "mat-2-material": ""})
    assert refused.status_code == 400
    assert re.search(r'id="mat-2-material-error"[^>]*>.*删去后，材料“消防安全制度”不再被任何许可事项需要', refused.text)
    refused = author.post(f"{page}/materials", data={**kept, "csrf_token": csrf(author, form), "mat-3-material": "lease"})
    assert re.search(r'id="mat-3-material-error"[^>]*>.*规则包的材料目录中没有“lease”', refused.text)
    refused = author.post(f"{page}/materials", data={**kept, "csrf_token": csrf(author, form), "mat-1-variant": "food_safety"})
    assert re.search(r'id="mat-1-variant-error"[^>]*>.*材料“经营场所平面布局图”没有版本“food_safety”', refused.text)
    assert "还没有改动。" in author.get(page).text  # nothing saved

    saved = author.post(
        f"{page}/materials",
        data={**kept, "csrf_token": csrf(author, form), "mat-0-material": "", "mat-3-material": "operation_flow"},
    )
    assert "检查和情形测试全部通过。" in saved.text
    text = re.search(r'<textarea class="textarea" id="yaml-text" name="text"[^>]*>(.*?)</textarea>', saved.text, re.S)
    assert text
    line = "    materials: [{material: floor_plan, variant: fire_facilities}, {material: fire_rules}, {material: operation_flow}]"
    assert line in html.unescape(text.group(1)).splitlines()


def test_published_versions_are_listed_compared_and_rolled_back_through_a_reviewed_change_set(
    worker: TestClient, session: Session, packs_copy: Path
) -> None:
    author, approver = account(session, Role.policy_author), account(session, Role.policy_approver)
    for title, days in (("时限改为15天", "15"), ("时限改为12天", "12")):
        reason = f"试行{days}天"
        change_set = desk.open_change_set(session, author.user, title=title, reason=reason, pack_id="mini", root=packs_copy)
        desk.save_permit(session, change_set, author.user, "food_business", {"time_limit.statutory.days": days}, packs_copy)
        desk.submit(session, change_set, author.user, packs_copy)
        desk.approve(session, change_set, approver.user, today(), today())
        desk.publish(session, change_set, approver.user, packs_copy, today())
    first, fifteen, twelve = reversed(repo.history(packs_copy))

    officer = _client(worker, author.login)
    listed = _text(officer.get("/policy/history").text)
    people = f"起草：{author.login} 审核：{approver.login}"
    published = f"{twelve.at.astimezone(ZoneInfo('Asia/Shanghai')):%Y-%m-%d %H:%M}"  # Beijing time, whatever zone git kept
    assert re.search(
        rf"{twelve.commit[:8]} 当前版本 时限改为12天 理由：试行12天 {people} {published} "
        rf"{fifteen.commit[:8]} 时限改为15天 理由：试行15天 .* {first.commit[:8]} 规则包初始版本",
        listed,
    )
    compared = _text(officer.get("/policy/history", params={"old": first.commit, "new": twelve.commit}).text)
    assert "许可事项 › food_business › 办理时限 › 法定 › 天数 mini/permits.yaml 20 12" in compared
    assert officer.get("/policy/history", params={"old": "0" * 40, "new": twelve.commit}).status_code == 404

    target = f"/policy/history/{fifteen.commit}/rollback"
    refused = officer.post(target, data={"csrf_token": csrf(officer, "/policy/history"), "reason": " "})
    assert refused.status_code == 400
    assert "请填写理由" in refused.text
    rolled = officer.post(
        target, data={"csrf_token": csrf(officer, "/policy/history"), "reason": "12天试行效果不佳"}, follow_redirects=False
    )
    shown = _text(officer.get(rolled.headers["location"]).text)
    assert f"回滚到版本 {fifteen.commit[:8]}（时限改为15天）" in shown
    assert "状态 起草中" in shown  # reviewed like any other change set: nothing published yet
    assert "检查和情形测试全部通过。" in shown
    assert "许可事项 › food_business › 办理时限 › 法定 › 天数 mini/permits.yaml 12 15" in shown
    assert repo.head(packs_copy) == twelve.commit
    assert "days: 12" in (packs_copy / PERMITS).read_text()


def test_a_materials_registry_entry_is_edited_in_place(worker: TestClient, session: Session, packs_copy: Path) -> None:
    author = _client(worker, account(session, Role.policy_author).login)
    page = _opened(author, "消防安全制度可承诺")
    form = f"{page}?permit=fire_check&material=fire_rules"
    shown = author.get(form).text
    assert 'name="name.zh" type="text" value="消防安全制度"' in shown
    assert 'name="commit_substitutable" value="1">' in shown  # not checked

    refused = author.post(f"{page}/material", data={"csrf_token": csrf(author, form), "permit": "fire_check",
                                                    "material": "fire_rules", "name.zh": " "})  # fmt: skip
    assert refused.status_code == 400
    assert "请填写材料的中文名称" in refused.text
    assert "还没有改动。" in author.get(page).text

    saved = author.post(
        f"{page}/material",
        data={"csrf_token": csrf(author, form), "permit": "fire_check", "material": "fire_rules",
              "name.zh": "消防安全管理制度", "name.en": "Fire-safety rules", "commit_substitutable": "1"},
        follow_redirects=False,
    )  # fmt: skip
    assert saved.headers["location"].endswith("?permit=fire_check&material=fire_rules")
    shown = _text(author.get(saved.headers["location"]).text)
    assert "检查和情形测试全部通过。" in shown
    assert "材料 › fire_rules › 名称 › 中文 mini/catalog.yaml 消防安全制度 消防安全管理制度" in shown
    assert "材料 › fire_rules › 可以承诺代替 mini/catalog.yaml — True" in shown


def _publish_fire_check_in_ten_days(session: Session, packs_copy: Path) -> None:
    """A real publication through the desk: fire_check's statutory time limit 13 → 10 working days."""
    author, approver = account(session, Role.policy_author), account(session, Role.policy_approver)
    change_set = desk.open_change_set(session, author.user, title="缩短", reason="试行", pack_id="mini", root=packs_copy)
    desk.save_permit(session, change_set, author.user, "fire_check", {"time_limit.statutory.days": "10"}, packs_copy)
    desk.submit(session, change_set, author.user, packs_copy)
    desk.approve(session, change_set, approver.user, today(), today())
    desk.publish(session, change_set, approver.user, packs_copy, today())


def test_a_draft_composed_before_a_publication_is_told_its_notice_changed(
    worker: TestClient, session: Session, packs_copy: Path
) -> None:
    applicant = account(session, Role.applicant)
    hotel = ComposeRequest(pack="mini", scope=["lodging"])
    draft = stored_draft(session, Composer.load("mini", packs_copy), applicant.user, hotel)
    reader = _client(worker, applicant.login)
    assert 'id="rules-changed"' not in reader.get(f"/drafts/{draft.id}").text

    _publish_fire_check_in_ten_days(session, packs_copy)
    time.sleep(0.1)  # the worker looks for a new release at most every 0.05 s here
    shown = reader.get(f"/drafts/{draft.id}").text
    assert "告知单有变化" in _text(shown)
    changes = _text(shown.split('id="notice-changes"')[1].split("</dl>")[0])
    assert changes.strip("> ") == "办理时限缩短 公众聚集场所消防安全检查：13 → 10 个工作日"  # and nothing else changed


def test_a_draft_of_a_version_the_repository_never_held_is_told_only_that_the_rules_changed(
    worker: TestClient, session: Session, packs_copy: Path, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    shutil.copytree(packs_copy, elsewhere)
    (elsewhere / PERMITS).write_text((elsewhere / PERMITS).read_text() + "# edited outside the desk\n")
    applicant = account(session, Role.applicant)
    hotel = ComposeRequest(pack="mini", scope=["lodging"])
    draft = stored_draft(session, Composer.load("mini", elsewhere), applicant.user, hotel)
    reader = _client(worker, applicant.login)

    _publish_fire_check_in_ten_days(session, packs_copy)
    time.sleep(0.1)
    shown = reader.get(f"/drafts/{draft.id}").text
    assert "告知单有变化" in _text(shown)
    assert "可能有变化" in shown
    assert 'id="notice-changes"' not in shown


def test_a_change_set_is_exported_as_a_proposal_to_the_citys_catalogue_with_its_impact(
    worker: TestClient, session: Session, packs_copy: Path
) -> None:
    applicant = account(session, Role.applicant)
    stored_draft(session, Composer.load("mini", packs_copy), applicant.user, ComposeRequest(pack="mini", scope=["lodging"]))
    author = _client(worker, account(session, Role.policy_author).login)
    page = _opened(author, "建议压减消防检查时限")
    form = f"{page}?permit=fire_check"
    days = {"permit": "fire_check", "time_limit.statutory.days": "8"}
    author.post(f"{page}/permit", data={"csrf_token": csrf(author, form), **days})
    assert f'href="{page}/proposal.pdf"' in author.get(page).text

    response = author.get(f"{page}/proposal.pdf")
    assert response.headers["content-type"] == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    text = re.sub(r"\s+", "", "".join(p.extract_text() for p in reader.pages))
    assert "行业目录调整建议" in text
    assert "建议压减消防检查时限" in text
    assert "许可事项›fire_check›办理时限›法定›天数" in text
    assert "138" in text  # in force 13, proposed 8
    assert "重新生成已保存的1份告知单，其中1份有变化" in text
    assert "办理时限缩短1" in text
    assert _client(worker, applicant.login).get(f"{page}/proposal.pdf").status_code == 403
