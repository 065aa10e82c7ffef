"""The task queue and dashboard pages: who sees them, a department's own tasks only, filters and errors beside fields."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from composer import Composer
from tests.service.wfcase import stored_draft
from tests.service.window.deskutil import Account, People, error_beside
from tests.service.window.flow import post_form, submit

Browsers = Callable[[Account], TestClient]
ROLES = ("applicant", "other_applicant", "clerk", "market", "fire", "police", "inspector", "supervisor", "admin")
# 2: 200 · 4: 403, per role in the order above: the staff who read tasks, not applicants or the administrator
EXPECTED = {"/queue": "442222224", "/dashboard": "442222224"}


@pytest.fixture
def accepted(session: Session, composer: Composer, people: People, browser_of: Browsers) -> str:
    """An accepted case: food (market, on commitment), fire, and the hotel permit (police) waiting on fire."""
    applicant, clerk = browser_of(people.applicant), browser_of(people.clerk)
    application_id = submit(
        applicant, stored_draft(session, composer, people.applicant.user).id, ["food_business"], ("floor_plan", "fire_rules")
    )
    desk = f"/window/applications/{application_id}"
    assert post_form(clerk, desk, f"{desk}/accept", {}).status_code == 303
    return str(application_id)


def test_the_staff_who_read_tasks_see_the_pages_and_applicants_do_not(
    accepted: str, people: People, browser_of: Browsers
) -> None:
    browsers = {role: browser_of(getattr(people, role)) for role in ROLES}
    seen = {page: "".join(str(browsers[role].get(page).status_code)[0] for role in ROLES) for page in EXPECTED}
    assert seen == EXPECTED
    assert "无权" in browsers["applicant"].get("/queue").text


def test_a_reviewer_sees_only_their_department_even_when_asking_for_another(
    accepted: str, people: People, browser_of: Browsers
) -> None:
    fire = browser_of(people.fire)
    page = fire.get("/queue", params={"department": "market"}).text
    rows = page.split('id="tasks"')[1]
    assert "消防安全检查" in rows
    assert "食品经营许可" not in rows
    assert 'id="department"' not in page  # no department to choose at a department's desk

    figures = fire.get("/dashboard").text
    assert 'id="departments"' not in figures
    assert "消防安全检查" in figures.split('id="permits"')[1]
    assert "食品经营许可" not in figures

    assert '<span class="caption">区消防救援支队</span>' in figures  # a department by its name, never its id
    district = browser_of(people.supervisor).get("/dashboard").text.split('id="departments"')[1]
    for department in ("区消防救援支队", "区市场监督管理局", "区公安分局"):
        assert f"<td>{department}</td><td>1</td>" in district
    chooser = browser_of(people.supervisor).get("/queue", params={"department": "fire"}).text
    assert '<option value="fire" selected>区消防救援支队</option>' in chooser
    assert "合计" in district
    english = browser_of(people.supervisor).get("/dashboard", params={"lang": "en"})
    assert "Caseload figures" in english.text
    assert "80 % of the time limit used" in english.text


def test_the_district_staff_open_the_application_behind_a_task(accepted: str, people: People, browser_of: Browsers) -> None:
    clerk_rows = browser_of(people.clerk).get("/queue").text.split('id="tasks"')[1].split("</table>")[0]
    assert clerk_rows.count("<tr>") - 1 == clerk_rows.count(f'href="/window/applications/{accepted}"') > 0  # for the joint limit
    supervisor_rows = browser_of(people.supervisor).get("/queue").text.split('id="tasks"')[1].split("</table>")[0]
    assert supervisor_rows.count("<tr>") - 1 == supervisor_rows.count(f'href="/applications/{accepted}"') > 0  # it reads
    assert "/window/applications/" not in supervisor_rows


def test_the_queue_searches_by_name_and_uscc_and_filters_by_status(accepted: str, people: People, browser_of: Browsers) -> None:
    supervisor = browser_of(people.supervisor)
    for search in ("示例旅店", "91110101MA01ABCD06"):
        assert supervisor.get("/queue", params={"q": search}).text.count("/review/tasks/") == 0  # reads, never decides
        assert supervisor.get("/queue", params={"q": search}).text.split('id="tasks"')[1].count("<tr>") == 4  # + header
    nothing = supervisor.get("/queue", params={"q": "没有这家公司"}).text
    assert "没有符合条件的待办事项。" in nothing
    waiting = supervisor.get("/queue", params={"status": "waiting_dependency"}).text.split('id="tasks"')[1]
    assert "特种行业" in waiting
    assert "消防安全检查" not in waiting
    market = browser_of(people.market).get("/queue").text
    assert market.count("/review/tasks/") == 1  # a reviewer's rows open the decision page


def test_bad_filters_are_named_beside_their_field(accepted: str, people: People, browser_of: Browsers) -> None:
    fire = browser_of(people.fire)
    bad_day = fire.get("/queue", params={"due_by": "下周五"})
    assert bad_day.status_code == 400
    assert error_beside(bad_day.text, "due_by") == "请填写日期，例如 2026-12-09"
    bad_status = fire.get("/queue", params={"status": "approved"})
    assert bad_status.status_code == 400
    assert error_beside(bad_status.text, "status").startswith("状态应为")
    too_long = fire.get("/queue", params={"q": "长" * 101})
    assert error_beside(too_long.text, "q") == "搜索内容不能超过 100 个字"
    bad_page = fire.get("/queue", params={"after": "x"})
    assert bad_page.status_code == 400
    assert "翻页参数无效" in bad_page.text
