"""Refusals (不予许可/不得经营) as outcomes: returned with reason and legal basis, and said first on the notice."""

from __future__ import annotations

from datetime import date

import pytest

from composer import Composer, ComposeRequest, Composition
from forms.render import render_html
from rules.engine import OracleEngine
from tests.composer.cases import STORE

TODAY = date(2026, 3, 1)
CAFE = {"entity_type": "llc", "area_m2": 300, "sells_food": False, "renovation": False, "outdoor_ad": False, "uses_agent": False}


@pytest.fixture(scope="module")
def dongcheng() -> Composer:
    return Composer.load("beijing-dongcheng")


def compose(composer: Composer, industry: str, answers: dict[str, object], locale: str = "zh") -> Composition:
    request = ComposeRequest(pack=composer.pack.id, industries=[industry], answers=answers, locale=locale)
    return composer.compose(request, today=TODAY)


def test_internet_cafe_near_a_school_is_prohibited_with_its_legal_basis(dongcheng: Composer) -> None:
    c = compose(dongcheng, "internet_cafe", {**CAFE, "school_distance_m": 150})
    [refusal] = c.refusals
    assert (refusal.permit, refusal.id, refusal.outcome) == ("internet_cafe_license", "near_school", "prohibit")
    assert refusal.legal_basis == ["《互联网上网服务营业场所管理条例》第九条"]
    assert "200米" in refusal.reason
    assert "150米" in refusal.because
    assert ".yaml:" in refusal.rule  # the permit as last written (an overlay may amend it)
    assert c.notice.refusals[0].startswith("不得经营：“互联网上网服务营业场所经营许可”")
    assert "依据：《互联网上网服务营业场所管理条例》第九条" in c.notice.refusals[0]


@pytest.mark.parametrize("distance", [200, 1500])
def test_internet_cafe_at_or_beyond_the_distance_is_not_refused(dongcheng: Composer, distance: int) -> None:
    c = compose(dongcheng, "internet_cafe", {**CAFE, "school_distance_m": distance})
    assert c.refusals == []
    assert c.notice.refusals == []
    assert c.complete


def test_the_distance_is_asked_before_the_cafe_is_judged(dongcheng: Composer) -> None:
    c = compose(dongcheng, "internet_cafe", CAFE)
    assert c.refusals == []
    assert "school_distance_m" in [q.id for q in c.questions]
    assert not c.complete


def test_beijing_tobacco_spacing_refuses_only_the_tobacco_permit(dongcheng: Composer) -> None:
    c = compose(dongcheng, "convenience_store", {**STORE, "school_distance_m": 100})
    assert [(r.permit, r.outcome) for r in c.refusals] == [("tobacco_retail", "refuse")]
    assert [p.id for p in c.permits] == ["food_prepackaged_filing", "tobacco_retail"]
    assert not compose(dongcheng, "convenience_store", {**STORE, "school_distance_m": 101}).refusals


def test_refusal_in_english(dongcheng: Composer) -> None:
    c = compose(dongcheng, "internet_cafe", {**CAFE, "school_distance_m": 150}, locale="en")
    assert c.refusals[0].reason.startswith("No internet café may be set up within 200 m")
    assert c.notice.refusals[0].startswith("Not permitted here: ")
    assert "Legal basis: 《互联网上网服务营业场所管理条例》第九条" in c.notice.refusals[0]


def test_refusal_travels_in_the_json_and_the_oracle_agrees(dongcheng: Composer) -> None:
    request = ComposeRequest(pack="beijing-dongcheng", industries=["internet_cafe"], answers={**CAFE, "school_distance_m": 10})
    composition, data = dongcheng.compose_json(request, today=TODAY)
    assert data == composition.model_dump_json().encode()
    assert b'"refusals":[{"permit":"internet_cafe_license"' in data
    oracle = Composer(dongcheng.pack, OracleEngine)
    assert oracle.fired_rules(request, today=TODAY) == dongcheng.fired_rules(request, today=TODAY)
    assert "refusal|internet_cafe_license|near_school|0" in dongcheng.fired_rules(request, today=TODAY)


def test_notice_shows_the_refusal_before_the_permits(dongcheng: Composer) -> None:
    c = compose(dongcheng, "internet_cafe", {**CAFE, "school_distance_m": 150})
    html = render_html("notice", c)
    box = html.index('class="callout refusal" role="alert"')
    assert box < html.index(c.notice.intro) < html.index('id="h-permits"')
    assert "按现行规定不能办理：" in html
    assert "《互联网上网服务营业场所管理条例》第九条" in html[box:]
    far = compose(dongcheng, "internet_cafe", {**CAFE, "school_distance_m": 900})
    assert 'class="callout refusal"' not in render_html("notice", far)


def test_an_individual_business_may_not_run_an_internet_cafe(dongcheng: Composer) -> None:
    c = compose(dongcheng, "internet_cafe", {**CAFE, "school_distance_m": 900, "entity_type": "individual"})
    assert [(r.id, r.legal_basis) for r in c.refusals] == [("not_an_enterprise", ["《互联网上网服务营业场所管理条例》第八条"])]
    assert "“申请人是哪一类市场主体？”为“个体工商户”" in c.refusals[0].because


@pytest.mark.parametrize(
    ("entity", "organisation"),
    [
        ("llc", {"articles_of_association"}),
        ("branch", {"articles_of_association"}),
        ("partnership", {"partnership_agreement"}),
        ("sole_proprietorship", set()),
        ("individual", set()),
    ],
)
def test_the_entity_type_decides_which_founding_document_is_asked_for(
    dongcheng: Composer, entity: str, organisation: set[str]
) -> None:
    c = compose(
        dongcheng,
        "ktv",
        {
            "area_m2": 500,
            "central_ac": False,
            "sells_food": False,
            "renovation": False,
            "outdoor_ad": False,
            "uses_agent": False,
            "entity_type": entity,
        },
    )
    keys = {m.key for m in c.materials}
    assert keys & {"articles_of_association", "partnership_agreement"} == organisation
    assert c.complete
