"""Exclusions from 告知承诺: each names one of the eight categories of 国办发〔2020〕42号 and its basis."""

from __future__ import annotations

import pytest

from rules.model import RiskCategory
from tests.composer.cases import composed, composer

CAFE = {
    "entity_type": "llc",
    "area_m2": 300,
    "sells_food": False,
    "renovation": False,
    "outdoor_ad": False,
    "uses_agent": False,
    "school_distance_m": 500,
}


def test_the_eight_categories_of_the_plan() -> None:
    assert len(RiskCategory) == 8
    assert {"state_secrets", "personal_health", "life_property_safety", "foreign_affairs"} <= set(RiskCategory)


def test_every_excluded_permit_names_its_category_and_basis() -> None:
    permits = composer("beijing-dongcheng").pack.permits
    excluded = {pid: p.notify_commit.excluded for pid, p in permits.items() if p.notify_commit.excluded}
    assert {"drug_retail_license", "internet_cafe_license", "hotel_special_trade", "high_risk_sports"} <= set(excluded)
    for pid, exclusions in excluded.items():
        for e in exclusions:
            assert e.known is not None, pid
            assert any("国办发〔2020〕42号" in b for b in e.basis), pid


SAID = [("zh", "涉及公共安全，按改革方案不实行告知承诺（依据："), ("en", "it touches public safety")]


@pytest.mark.parametrize(("locale", "said"), SAID)
def test_the_notice_says_the_category_and_its_basis(locale: str, said: str) -> None:
    c = composed("beijing-dongcheng", "internet_cafe", CAFE, locale=locale)
    [cafe] = [p for p in c.permits if p.id == "internet_cafe_license"]
    assert cafe.commitment.reason is not None
    assert said in cafe.commitment.reason
    assert "《互联网上网服务营业场所管理条例》" in cafe.commitment.reason
