"""Time-limit extensions (延长, 行政许可法第四十二条), periods not counted (第四十五条), fees and validity with their basis."""

from __future__ import annotations

import pytest

from composer import Composition
from forms.render import render_html
from tests.composer.cases import composed

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
