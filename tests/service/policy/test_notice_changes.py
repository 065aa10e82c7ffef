"""A draft's notice under two versions compared: what is gained or lost is named, nothing else is reported."""

from __future__ import annotations

from composer import Composer
from composer.model import ComposeRequest
from service.policy.notice_changes import compare
from tests.service.svcutil import FIXTURE_PACKS

MINI = Composer.load("mini", FIXTURE_PACKS)
HOTEL = MINI.compose(ComposeRequest(pack="mini", industries=["hotel"], answers={"area_m2": 500}))
SHOP = MINI.compose(ComposeRequest(pack="mini", industries=["shop"], answers={"sells_tobacco": True, "area_m2": 60}))


def test_the_same_notice_has_no_changes() -> None:
    assert compare(HOTEL, HOTEL) == []


def test_permits_materials_and_commitment_options_gained_and_lost_are_named() -> None:
    found = {change.label: change.items for change in compare(SHOP, HOTEL)}
    assert found == {
        "新增许可事项": ("公众聚集场所消防安全检查", "特种行业许可证（旅馆业）"),
        "减少许可事项": ("食品经营许可", "烟草专卖零售许可"),
        "新增材料": ("消防安全制度",),  # the business licence both hand in is not reported
        "新增告知承诺选项": ("公众聚集场所消防安全检查",),
    }  # no permit in both: no working days compared


def test_a_notice_that_no_longer_composes_loses_every_permit() -> None:
    lost = compare(HOTEL, None)
    assert [change.kind for change in lost][0] == "permit_lost"
    assert set(lost[0].items) == {p.name for p in HOTEL.permits}
