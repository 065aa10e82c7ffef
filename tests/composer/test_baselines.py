"""Before-reform baselines: published figures beside the computed ones, each with its source, and the method stated."""

from __future__ import annotations

import pytest

from composer import Composition
from forms.render import render_html
from tests.composer.cases import PLAIN_SHOP, composed

PUDONG_STORE = {**PLAIN_SHOP, "area_m2": 80, "sells_bulk_food": True, "sells_tobacco": True}


@pytest.fixture(scope="module")
def pudong_store() -> Composition:
    return composed("shanghai-pudong", "convenience_store", PUDONG_STORE)


def test_published_figures_come_with_their_source(pudong_store: Composition) -> None:
    first, second = pudong_store.savings.published
    assert (first.before.working_days, first.after.working_days) == (95, 5)
    assert (first.before.materials, first.after.materials, first.before.form_fields) == (53, 10, 313)
    assert first.source.startswith("https://fx361.cc/")
    assert (second.before.forms, second.after.forms) == (9, 1)
    assert second.before.working_days is None  # not published there: never made up


def test_the_computed_figures_state_their_method(pudong_store: Composition) -> None:
    assert pudong_store.savings.method.startswith("计算方法：分别办理按各事项自己的办事指南计")
    assert pudong_store.savings.before.permits == len(pudong_store.permits)


def test_an_industry_without_published_figures_shows_none() -> None:
    assert composed("beijing-dongcheng", "hotel", {"area_m2": 400, "rooms": 30}).savings.published == []


def test_the_notice_shows_them_side_by_side(pudong_store: Composition) -> None:
    html = render_html("notice", pudong_store)
    assert "公布的数据（供对照）：" in html
    before = "改革前：许可证件 5，申请材料 53，填报项目 313，办理时限（工作日） 95"
    assert f"{before}；改革后：申请材料 10，填报项目 98，办理时限（工作日） 5" in html
    assert "来源：https://fx361.cc/page/2024/0924/24688988.shtml" in html
    assert "计算方法：" in html
