"""The policy desk's pages: an officer changes a threshold, sees the checks; a second officer approves and publishes."""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session
from svcutil import make_settings

from service.app import create_app
from service.workflow.roles import Role

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "window"))
from deskutil import account, csrf, sign_in  # noqa: E402


@pytest.fixture
def worker(db_url: str, packs_copy: Path) -> Iterator[TestClient]:
    with TestClient(create_app(make_settings(db_url, packs_dir=packs_copy, release_check_seconds=0.05))) as client:
        yield client


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
    assert 'href="/policy/packs/mini-child"' in officer.get("/policy").text
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
