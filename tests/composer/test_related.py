"""Related matters (关联事项): first-class bundle items, in or out of a jurisdiction's bundle, in their own notice section."""

from __future__ import annotations

import pytest

from composer import Composition
from forms.render import render_html
from tests.composer.cases import HUNAN_SUPERMARKET, PLAIN_SHOP, STORE, composed, composer

NEW_STORE = {**PLAIN_SHOP, "has_business_license": False, "area_m2": 60, "sells_tobacco": True, "shop_sign": False}


@pytest.fixture(scope="module")
def new_store() -> Composition:
    return composed("hunan", "convenience_store", NEW_STORE)


def test_a_bundled_related_matter_is_applied_for_and_marked_related(new_store: Composition) -> None:
    [registration] = [p for p in new_store.permits if p.id == "business_registration"]
    assert registration.related
    assert not [p for p in new_store.permits if p.related and p.id != "business_registration"]


def test_related_matters_outside_the_bundle_are_told_not_applied_for(new_store: Composition) -> None:
    assert [e.permit for e in new_store.elsewhere] == ["tax_matters", "seal_filing"]
    assert {"tax_matters", "seal_filing"}.isdisjoint(p.id for p in new_store.permits)
    tax = new_store.elsewhere[0]
    assert (tax.name, tax.department_name) == ("新办纳税人涉税事项办理", "县（市、区）税务局")
    assert tax.elsewhere.startswith("领取营业执照后")
    assert tax.legal_basis == ["《中华人民共和国税收征收管理法》第十五条"]


def test_with_a_license_already_held_no_related_matter_is_told() -> None:
    c = composed("hunan", "convenience_store", {**NEW_STORE, "has_business_license": True})
    assert c.elsewhere == []
    assert not [p for p in c.permits if p.related]


def test_the_notice_gives_related_matters_their_own_section(new_store: Composition) -> None:
    html = render_html("notice", new_store)
    permits, related = html.split('<h3 id="h-related">关联事项</h3>')
    assert "市场主体设立登记（营业执照）" not in permits.split('<h2 id="h-permits">')[1]
    assert "以下关联事项在本次一并办理：" in related
    assert "市场主体设立登记（营业执照）" in related.split("<h2")[0]
    assert "以下关联事项不在本次办理范围内，需另行办理：" in related
    told = "公章刻制备案（公安机关（治安管理部门），当场办结）：领取营业执照后，在公章刻制企业刻制，由其向公安机关备案。"
    assert f"<li>{told}</li>" in related


def test_a_related_matter_left_out_of_the_bundle_must_say_where_it_is_done() -> None:
    from pydantic import ValidationError

    from rules.model import Related

    with pytest.raises(ValidationError, match="须写明另行办理之处"):
        Related(bundled=False, source="inferred")


def _related(c: Composition) -> str:
    return render_html("notice", c).split('<h3 id="h-related">关联事项</h3>')[1].split("<h2")[0]


def test_a_site_next_to_a_heritage_site_gets_the_report_form_approval_instead_of_the_registration() -> None:
    plain = composed("hunan", "supermarket", HUNAN_SUPERMARKET)
    assert "建设项目环境影响登记表备案" in _related(plain)
    beside = composed("hunan", "supermarket", {**HUNAN_SUPERMARKET, "near_heritage_site": True})
    [report] = [p for p in beside.permits if p.id == "env_impact_report_approval"]
    assert report.related
    assert not report.commitment.eligible
    assert "环境影响登记表" not in _related(beside)
    assert "建设项目环境影响报告表审批" in _related(beside)


def test_a_fit_out_of_a_special_construction_project_adds_the_fire_design_review_to_the_bundle() -> None:
    big = {**HUNAN_SUPERMARKET, "area_m2": 10001, "renovation": True, "investment_wan": 800}
    c = composed("hunan", "supermarket", big)
    [review] = [p for p in c.permits if p.id == "fire_design_review"]
    assert review.related
    assert not review.commitment.eligible
    assert review.department_name == "住房和城乡建设主管部门"
    assert "特殊建设工程消防设计审查" in _related(c)
    at_bound = composed("hunan", "supermarket", {**big, "area_m2": 10000})
    assert "fire_design_review" not in {p.id for p in at_bound.permits}
    assert "construction_fire_acceptance" in {p.id for p in at_bound.permits}


def test_dongcheng_tells_business_registration_as_done_before_and_never_asks_for_it() -> None:
    """Beijing's bundle takes a registered business only (朝阳's 受理条件 “已办理企业登记”): the licence is
    told as done elsewhere, first, and no question asks whether it is held."""
    store = composed("beijing-dongcheng", "convenience_store", STORE)
    assert [e.permit for e in store.elsewhere] == ["business_registration"]
    [registration] = store.elsewhere
    assert registration.name == "市场主体设立登记（营业执照）"
    assert registration.elsewhere.startswith("申请前在市场监督管理部门办理市场主体设立登记")
    assert "business_registration" not in {p.id for p in store.permits}
    assert "has_business_license" not in composer("beijing-dongcheng").pack.questions
    html = render_html("notice", store)
    assert "以下关联事项不在本次办理范围内，需另行办理：" in html
    assert "市场主体设立登记（营业执照）" in html.split('<h3 id="h-related">关联事项</h3>')[1]
