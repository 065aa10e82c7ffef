"""Time-limit extensions (延长, 行政许可法第四十二条), periods not counted (第四十五条), fees and validity with their basis."""

from __future__ import annotations

import pytest

from composer import Composition
from forms.render import render_html
from tests.composer.cases import STORE, TODAY, composed, composer

HOTEL = {"area_m2": 400, "rooms": 30}


@pytest.fixture(scope="module")
def hotel() -> Composition:
    return composed("beijing-dongcheng", "hotel", HOTEL)


def test_an_extension_needs_approval_and_names_its_basis(hotel: Composition) -> None:
    [trade] = [p for p in hotel.permits if p.id == "hotel_special_trade"]
    assert trade.time_limit_notes == [
        "经本行政机关负责人批准，可延长10个工作日（《中华人民共和国行政许可法》第四十二条）",
        "听证所需时间不计入办理时限（《中华人民共和国行政许可法》第四十五条）",
    ]


def test_periods_not_counted_are_listed_in_the_laws_words(hotel: Composition) -> None:
    [hygiene] = [p for p in hotel.permits if p.id == "public_hygiene"]
    assert "听证、检测所需时间不计入办理时限（《中华人民共和国行政许可法》第四十五条）" in hygiene.time_limit_notes


def test_fee_and_validity_carry_their_basis(hotel: Composition) -> None:
    [hygiene] = [p for p in hotel.permits if p.id == "public_hygiene"]
    assert (hygiene.fee_yuan, hygiene.fee_basis) == (0, "《中华人民共和国行政许可法》第五十八条")
    assert hygiene.validity_years == 4
    assert hygiene.validity_source is not None
    assert "实施细则》第二十三条" in hygiene.validity_source


def test_a_permit_without_them_says_nothing(hotel: Composition) -> None:
    [fire] = [p for p in hotel.permits if p.id == "fire_safety_check"]
    assert fire.time_limit_notes == []


def test_the_notice_shows_them(hotel: Composition) -> None:
    html = render_html("notice", hotel)
    assert "办理时限的延长和不计入时限的期间：" in html
    [trade] = [p for p in hotel.permits if p.id == "hotel_special_trade"]
    extension = "经本行政机关负责人批准，可延长10个工作日（《中华人民共和国行政许可法》第四十二条）"
    assert f"<li>{trade.name}：{extension}；听证所需" in html


def test_english() -> None:
    c = composed("beijing-dongcheng", "hotel", HOTEL, locale="en")
    [trade] = [p for p in c.permits if p.id == "hotel_special_trade"]
    assert trade.time_limit_notes[0].startswith("may be extended by 10 working days with the approval of the head of")
    assert trade.time_limit_notes[1].startswith("time needed for a hearing is not counted")


ART_42 = "经本行政机关负责人批准，可延长10个工作日（《中华人民共和国行政许可法》第四十二条）"


@pytest.mark.parametrize("pack_id", ["cn", "beijing", "beijing-dongcheng", "shanghai-pudong", "hunan"])
def test_every_licence_on_the_licensing_laws_twenty_days_may_be_extended_by_ten(pack_id: str) -> None:
    """第四十二条: twenty days, ten more with the head's approval, unless another law sets its own limit
    (the 30-day sports and guarantee licences, the 60-day ICP licence keep theirs)."""
    pack = composer(pack_id).pack
    default = [p for p in pack.permits.values() if p.kind.value == "license" and p.time_limit.statutory.days == 20]
    assert len(default) >= 8
    for permit in default:
        limit = permit.read_on(TODAY).time_limit
        assert limit.extension is not None, permit.id
        assert limit.extension.days.days == 10
        assert "hearing" in limit.not_counted, permit.id
    assert all(p.time_limit.extension is None for p in pack.permits.values() if p.time_limit.statutory.days in (30, 60))


def test_a_ktv_is_told_its_entertainment_licence_may_be_extended() -> None:
    ktv = composed("beijing-dongcheng", "ktv", {"area_m2": 300})
    [venue] = [p for p in ktv.permits if p.id == "entertainment_venue"]
    assert venue.time_limit_notes == [ART_42, "听证所需时间不计入办理时限（《中华人民共和国行政许可法》第四十五条）"]
    assert f"<li>{venue.name}：{ART_42}；听证所需" in render_html("notice", ktv)


def test_fees_and_validity_name_the_research_sources() -> None:
    store = composed("beijing-dongcheng", "convenience_store", STORE)
    [tobacco] = [p for p in store.permits if p.id == "tobacco_retail"]
    assert tobacco.fee_basis is not None
    assert "dacheng.gov.cn" in tobacco.fee_basis
    assert tobacco.fee_basis.startswith("《中华人民共和国行政许可法》第五十八条（不收费")
    pack = composer("beijing-dongcheng").pack
    assert "zhongmu.gov.cn" in pack.permits["drainage_permit"].fee_basis
    fire = pack.permits["fire_safety_check"]
    assert fire.validity_years is None
    assert (fire.validity_source or "").startswith("一次性")
    assert "dzyyw.com" in (pack.permits["entertainment_venue"].validity_source or "")
