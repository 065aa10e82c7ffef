"""Step 2 and 3: one question per page, only the open ones; check your answers and change them."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date

import pytest
from fastapi.testclient import TestClient

from composer import Composer
from composer.model import ComposeRequest
from rules.packs import DEFAULT_PACK
from service import compose as compose_service
from tests.service.pages.journeyutil import (
    CONVENIENCE_TOBACCO,
    DEFAULTS,
    answer_until_check,
    assert_field_error,
    choose,
    csrf,
    error_summary,
    journey,
)


def _composer_order(industries: list[str], answers: Mapping[str, object]) -> list[str]:
    """The questions the composer asks, one at a time, answering as the page test does."""
    composer = Composer.load(DEFAULT_PACK)
    given: dict[str, object] = {}
    asked: list[str] = []
    while True:
        open_ = composer.compose(ComposeRequest(industries=industries, answers=given)).questions
        if not open_:
            return asked
        qid = open_[0].id
        asked.append(qid)
        given[qid] = answers.get(qid, DEFAULTS.get(qid, "false"))


def test_only_the_composers_open_questions_are_asked_in_its_order(dc: TestClient) -> None:
    asked = journey(dc, ("convenience_store",), CONVENIENCE_TOBACCO)
    assert asked == _composer_order(["convenience_store"], CONVENIENCE_TOBACCO)
    assert asked[:3] == ["area_m2", "food_prep_onsite", "sells_tobacco"]
    assert "sells_bulk_food" not in asked  # on-site preparation already needs the food license


def test_question_page_has_the_question_as_its_heading(dc: TestClient) -> None:
    choose(dc, "convenience_store")
    page = dc.get("/questions/area_m2")
    assert page.status_code == 200
    assert '<h1 class="label-wrapper"><label class="label label--l" for="answer">经营场所使用面积是多少平方米？' in page.text
    assert "经营场所使用面积是多少平方米？ - 一业一证</title>" in page.text
    assert 'class="back-link" href="/start"' in page.text
    assert ">继续</button>" in page.text
    assert "您的回答将决定是否需要办理：" in page.text
    assert "食品经营许可" in page.text
    assert 'name="csrf_token"' in page.text
    assert "novalidate" in page.text


def test_boolean_question_is_a_fieldset_with_the_legend_as_heading(dc: TestClient) -> None:
    response = choose(dc, "convenience_store")
    answer_page = dc.post(response.headers["location"], data={"csrf_token": csrf(dc), "answer": "80"}, follow_redirects=False)
    page = dc.get(answer_page.headers["location"])
    assert '<legend class="fieldset__legend fieldset__legend--l"><h1 class="fieldset__heading">' in page.text
    assert 'type="radio" id="answer" name="answer" value="true"' in page.text
    assert 'class="back-link" href="/questions/area_m2"' in page.text  # back to the question before


def test_not_a_number_shows_the_error_summary_in_chinese_and_keeps_the_value(dc: TestClient) -> None:
    choose(dc, "convenience_store")
    response = dc.post("/questions/area_m2", data={"csrf_token": csrf(dc), "answer": "八十"})
    assert_field_error(response, "answer", "请填写数字，例如 80", kept="八十")
    assert 'aria-invalid="true"' in response.text
    assert dc.get("/questions/area_m2").text.count('value="八十"') == 0  # nothing was kept


def test_out_of_range_and_empty_answers(dc: TestClient) -> None:
    choose(dc, "convenience_store")
    token = csrf(dc)
    response = dc.post("/questions/area_m2", data={"csrf_token": token, "answer": "0"})
    assert response.status_code == 400
    assert "不能小于 1㎡" in error_summary(response.text)
    response = dc.post("/questions/area_m2", data={"csrf_token": token, "answer": ""})
    assert "请填写数字，单位：㎡" in error_summary(response.text)
    dc.post("/questions/area_m2", data={"csrf_token": token, "answer": "80"})
    response = dc.post("/questions/food_prep_onsite", data={"csrf_token": token})
    assert response.status_code == 400
    assert "请选择“是”或“否”" in error_summary(response.text)
    response = dc.post("/questions/food_prep_onsite", data={"csrf_token": token, "answer": "maybe"})
    assert "请选择“是”或“否”" in error_summary(response.text)


def test_numbers_are_taken_generously(dc: TestClient) -> None:
    choose(dc, "convenience_store")
    response = dc.post("/questions/area_m2", data={"csrf_token": csrf(dc), "answer": "１,２００ 平方米"}, follow_redirects=False)
    assert response.status_code == 303
    assert 'value="1200"' in dc.get("/questions/area_m2").text


def test_i_dont_know_where_the_rules_allow_it(dc: TestClient) -> None:
    answers = {"area_m2": "500", "central_ac": "unknown"}
    asked = journey(dc, ("supermarket",), answers)
    assert "central_ac" in asked
    page = dc.get("/questions/central_ac")
    assert 'id="answer-unknown" name="answer" value="unknown" checked' in page.text
    check = dc.get("/check-answers").text
    row = re.search(r'id="row-central_ac".*?</div>', check, re.S)
    assert row
    assert "不确定" in row.group(0)


def test_no_i_dont_know_where_the_rules_do_not_allow_it(dc: TestClient) -> None:
    choose(dc, "convenience_store")
    page = dc.get("/questions/area_m2")
    assert "不确定" not in page.text
    dc.post("/questions/area_m2", data={"csrf_token": csrf(dc), "answer": "80"})
    response = dc.post("/questions/food_prep_onsite", data={"csrf_token": csrf(dc), "answer": "unknown"})
    assert response.status_code == 400
    assert "不能选择“不确定”" in error_summary(response.text)


def test_a_question_that_is_not_open_is_not_asked(dc: TestClient) -> None:
    choose(dc, "convenience_store")
    response = dc.get("/questions/uses_agent", follow_redirects=False)  # not open yet: area first
    assert response.status_code == 303
    assert response.headers["location"] == "/questions/area_m2"
    response = dc.post("/questions/uses_agent", data={"csrf_token": csrf(dc), "answer": "true"}, follow_redirects=False)
    assert response.status_code == 303
    assert "uses_agent" not in dc.get("/check-answers", follow_redirects=True).text


def test_unknown_question_is_a_404_page(dc: TestClient) -> None:
    choose(dc, "convenience_store")
    response = dc.get("/questions/no_such_question")
    assert response.status_code == 404
    assert "页面不存在" in response.text


def test_questions_without_a_business_go_to_the_start(dc: TestClient) -> None:
    response = dc.get("/questions/area_m2", follow_redirects=False)
    assert response.headers["location"] == "/start"


def test_answer_without_csrf_token_is_403_and_not_kept(dc: TestClient) -> None:
    choose(dc, "convenience_store")
    response = dc.post("/questions/area_m2", data={"answer": "80"}, follow_redirects=False)
    assert response.status_code == 403
    assert 'value="80"' not in dc.get("/questions/area_m2").text


def test_check_answers_lists_each_answer_with_a_change_link(dc: TestClient) -> None:
    asked = journey(dc, ("convenience_store",), CONVENIENCE_TOBACCO)
    page = dc.get("/check-answers")
    assert page.status_code == 200
    assert "<h1>检查您的回答</h1>" in page.text
    for qid in asked:
        assert f'<a href="/questions/{qid}?from=check">修改<span class="visually-hidden"> ' in page.text
    assert "80㎡" in page.text
    assert '<a href="/start">修改<span class="visually-hidden"> 行业</span></a>' in page.text
    assert 'href="/notice"' in page.text


def test_check_answers_with_open_questions_asks_them_first(dc: TestClient) -> None:
    choose(dc, "convenience_store")
    response = dc.get("/check-answers", follow_redirects=False)
    assert response.headers["location"] == "/questions/area_m2"


def test_after_a_change_only_new_follow_up_questions_are_asked(dc: TestClient) -> None:
    journey(dc, ("convenience_store",), CONVENIENCE_TOBACCO)
    token = csrf(dc)
    page = dc.get("/questions/food_prep_onsite?from=check")
    assert 'class="back-link" href="/check-answers"' in page.text
    # No on-site preparation: whether it sells bulk food now decides the food license — a new question
    response = dc.post(
        "/questions/food_prep_onsite?from=check",
        data={"csrf_token": token, "answer": "false", "from": "check"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/questions/sells_bulk_food?from=check"
    asked = answer_until_check(dc, response.headers["location"], {})
    assert asked == ["sells_bulk_food"]


def test_a_change_without_follow_ups_goes_straight_back(dc: TestClient) -> None:
    journey(dc, ("convenience_store",), CONVENIENCE_TOBACCO)
    response = dc.post(
        "/questions/outdoor_ad?from=check",
        data={"csrf_token": csrf(dc), "answer": "false", "from": "check"},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/check-answers"


def test_a_question_names_only_the_permits_its_answer_can_decide(dc: TestClient) -> None:
    response = choose(dc, "convenience_store")
    answer_until = {**DEFAULTS, "area_m2": "80", "food_prep_onsite": "true", "sells_tobacco": "true"}
    token, location = csrf(dc), response.headers["location"]
    pages = {}
    while location.startswith("/questions/"):
        qid = location.split("/")[2]
        pages[qid] = dc.get(location).text
        location = dc.post(location, data={"csrf_token": token, "answer": answer_until.get(qid, "false")}, follow_redirects=False)
        location = location.headers["location"]
    decides = re.compile(r'id="answer-affects">您的回答将决定是否需要办理：(.*?)</div>')
    tobacco = decides.search(pages["sells_tobacco"])
    assert tobacco
    assert tobacco.group(1) == "烟草专卖零售许可"
    # Whether an agent files changes materials only: no permit's need hangs on it.
    assert not decides.search(pages["uses_agent"])
    assert "您的回答将影响以下事项的申请材料或许可条件：食品经营许可、烟草专卖零售许可" in pages["uses_agent"]


def test_question_pages_say_which_question_of_about_how_many(dc: TestClient) -> None:
    asked = journey(dc, ("convenience_store",), CONVENIENCE_TOBACCO)
    first = dc.get(f"/questions/{asked[0]}").text
    third = dc.get(f"/questions/{asked[2]}").text
    assert f'<span class="caption" id="progress">第 1 题，共约 {len(asked)} 题</span>' in first
    assert f'<span class="caption" id="progress">第 3 题，共约 {len(asked)} 题</span>' in third
    assert 'id="progress"' not in dc.get(f"/questions/{asked[2]}?from=check").text


def test_multi_choice_question_is_a_set_of_checkboxes_and_keeps_every_ticked_option(dc: TestClient) -> None:
    response = choose(dc, "gym")
    token = csrf(dc)
    location = response.headers["location"]
    while not location.startswith("/questions/high_risk_sport"):
        answer = "800" if "area_m2" in location else "false"
        location = dc.post(location, data={"csrf_token": token, "answer": answer}, follow_redirects=False).headers["location"]
    page = dc.get(location)
    assert page.text.count('class="checkbox__input" type="checkbox"') == 4
    assert 'type="radio"' not in page.text
    posted = dc.post(location, data={"csrf_token": token, "answer": ["swimming", "climbing"]}, follow_redirects=False)
    assert posted.status_code == 303
    again = dc.get("/questions/high_risk_sport")
    assert 'value="swimming" checked' in again.text
    assert 'value="climbing" checked' in again.text
    assert 'value="diving" checked' not in again.text
    answer_until_check(dc, posted.headers["location"], {"central_ac": "false"})
    check = dc.get("/check-answers")
    assert "游泳、攀岩" in check.text


def test_multi_choice_with_nothing_ticked_means_none(dc: TestClient) -> None:
    response = choose(dc, "gym")
    asked = answer_until_check(dc, response.headers["location"], {"area_m2": "300", "high_risk_sport": ""})
    assert "high_risk_sport" in asked
    assert "都没有" in dc.get("/check-answers").text


def test_a_question_page_says_what_the_answer_decides_as_of_the_cases_day(
    dc: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Beijing bookstore needed the hygiene licence before 2025-01-20 whatever its air-conditioning (条例 第二条（六）),
    and files for it since: on either day the central-AC page names only what the answer decides that day."""
    monkeypatch.setattr(compose_service, "today", lambda: date(2024, 6, 1))
    location, token = choose(dc, "bookstore").headers["location"], csrf(dc)
    while location != "/questions/central_ac":
        qid = location.rsplit("/", 1)[1]
        given = {"area_m2": "150"}.get(qid, DEFAULTS.get(qid, "false"))
        location = dc.post(location, data={"csrf_token": token, "answer": given}, follow_redirects=False).headers["location"]
    page = dc.get(location)
    assert page.status_code == 200
    [affects] = re.findall(r'id="answer-affects">([^<]*)<', page.text)
    assert "建设项目环境影响登记表备案" in affects
    assert "公共场所卫生许可" not in affects
    monkeypatch.setattr(compose_service, "today", lambda: date(2026, 3, 1))
    today = "".join(re.findall(r'id="answer-affects">([^<]*)<', dc.get("/questions/central_ac").text))
    assert "建设项目环境影响登记表备案" in today
    assert "公共场所卫生" not in today
