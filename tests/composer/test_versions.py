"""Versions inside a permit: a dated change of law is the same permit read as of the case's day, never a second id."""

from __future__ import annotations

from datetime import date

from composer import Composition
from forms.render import render_html
from tests.composer.cases import HUNAN_SUPERMARKET, STORE, composed, composer

BOOKSTORE: dict[str, object] = {
    "area_m2": 150,
    "central_ac": True,
    "near_heritage_site": False,
    "sells_food": False,
    "renovation": False,
    "outdoor_ad": False,
    "uses_agent": False,
}


# A Hunan supermarket under 500㎡ (no licence of its own there) that also sells books.
HUNAN_BOOKSHOP = {**HUNAN_SUPERMARKET, "sells_publications": True}


def compose(industry: str, answers: dict[str, object], on: date, **extra: object) -> Composition:
    return composed("beijing-dongcheng", industry, answers, on, **extra)


def test_hygiene_licence_before_2025_is_the_same_permit_in_its_earlier_version() -> None:
    before = compose("bookstore", BOOKSTORE, date(2024, 6, 1))
    [hygiene] = [p for p in before.permits if p.name == "公共场所卫生许可"]
    assert hygiene.id == "public_hygiene"
    assert hygiene.version is not None
    assert hygiene.version.id == "pre2025"
    assert hygiene.version.valid_to == date(2025, 1, 19)
    assert hygiene.department == "health"  # the licensing authority before the 2025 revision
    assert "2019修订" in hygiene.legal_basis[0]
    assert before.notice.versions == ["“公共场所卫生许可”按2025年1月19日前施行的规定办理。"]
    assert len({p.id for p in before.permits}) == len(before.permits)
    assert all("公共场所卫生许可" not in r.summary for r in before.reasons if not r.included)


def test_the_same_bookstore_today_files_instead_and_the_licence_is_not_read_in_a_version() -> None:
    after = compose("bookstore", BOOKSTORE, date(2026, 3, 1))
    assert "public_hygiene" not in {p.id for p in after.permits}
    assert "public_hygiene_filing" in {p.id for p in after.permits}
    assert after.notice.versions == []


def test_a_hotel_today_reads_the_current_text_with_the_disease_control_authority() -> None:
    c = compose("hotel", {"area_m2": 400, "rooms": 30}, date(2026, 3, 1))
    [hygiene] = [p for p in c.permits if p.id == "public_hygiene"]
    assert hygiene.version is None
    assert hygiene.department == "disease_control"


def test_prepackaged_food_before_2021_is_the_filing_read_as_the_licence_it_was() -> None:
    old = compose("convenience_store", {**STORE, "sells_tobacco": False}, date(2020, 6, 1))
    new = compose("convenience_store", {**STORE, "sells_tobacco": False}, date(2026, 3, 1))
    [then] = [p for p in old.permits if p.id == "food_prepackaged_filing"]
    [now] = [p for p in new.permits if p.id == "food_prepackaged_filing"]
    assert (then.kind, then.validity_years, then.inspection) == ("license", 5, True)
    assert then.name == "食品经营许可（仅销售预包装食品）"
    assert then.commitment.eligible
    assert not now.commitment.eligible
    assert (now.kind, now.name, now.version) == ("filing", "仅销售预包装食品备案", None)
    assert then.version is not None
    assert then.version.text == "按2021年4月28日前施行的规定办理"


def test_a_stored_choice_naming_a_former_id_still_composes() -> None:
    c = compose("bookstore", BOOKSTORE, date(2024, 6, 1), commit=["public_hygiene_pre2025"])
    assert [x.permit for x in c.commitments if x.permit == "public_hygiene"] == ["public_hygiene"]


def test_the_notice_page_says_which_rules_apply() -> None:
    html = render_html("notice", compose("bookstore", BOOKSTORE, date(2024, 6, 1)))
    assert "以下事项按您选择的日期施行的规定办理，与现行规定不同：" in html
    assert "与现行规定不同：</strong>“公共场所卫生许可”按2025年1月19日前施行的规定办理。</p>" in html
    assert html.count('<h3 id="permit-public_hygiene-title">公共场所卫生许可') == 1  # one card, one id


def test_english_says_the_period_too() -> None:
    c = compose("bookstore", BOOKSTORE, date(2024, 6, 1), locale="en")
    assert c.notice.versions == ["“Public-place hygiene license”: under the rules in force up to 2025-01-19."]


def test_the_questions_are_read_as_of_the_cases_day_like_the_rest_of_it() -> None:
    """In Hunan a shop selling books before 2025-01-20 is asked about central air-conditioning partly because it
    decides its hygiene licence (the province's reading); today that answer decides no licence (bookstores file
    whatever their air-conditioning). In Beijing the licence was due either way (条例 第二条（六）)."""
    shop = {k: v for k, v in HUNAN_BOOKSHOP.items() if k != "central_ac"}
    before = composed("hunan", "supermarket", shop, date(2024, 6, 1), scope=["publication_retail"])
    after = composed("hunan", "supermarket", shop, date(2026, 3, 1), scope=["publication_retail"])
    [then] = [q for q in before.questions if q.id == "central_ac"]
    [now] = [q for q in after.questions if q.id == "central_ac"]
    assert "public_hygiene" in then.affects
    assert "public_hygiene" not in now.affects
    hunan = composer("hunan")
    assert hunan.decided_by(before, "central_ac", then.affects) == ["env_impact_filing", "public_hygiene"]
    assert hunan.decided_by(after, "central_ac", now.affects) == ["env_impact_filing"]
    beijing_shop = compose("bookstore", {k: v for k, v in BOOKSTORE.items() if k != "central_ac"}, date(2024, 6, 1))
    [asked] = [q for q in beijing_shop.questions if q.id == "central_ac"]
    assert composer("beijing-dongcheng").decided_by(beijing_shop, "central_ac", asked.affects) == ["env_impact_filing"]


def test_beijings_fire_check_limit_is_seven_working_days_from_the_2025_fire_regulation() -> None:
    """《北京市消防条例》 (2025-05-01): 7 working days from acceptance; before it, the national 10 + 3."""
    diner: dict[str, object] = {
        "area_m2": 200,
        "is_chain": True,
        "dine_in": True,
        "cold_food": False,
        "discharges_sewage": False,
        "sells_tobacco": False,
        "uses_vending": False,
        "renovation": False,
        "outdoor_ad": False,
        "uses_agent": False,
    }
    [now] = [p for p in compose("restaurant", diner, date(2026, 3, 1)).permits if p.id == "fire_safety_check"]
    [then] = [p for p in compose("restaurant", diner, date(2025, 4, 15)).permits if p.id == "fire_safety_check"]
    assert (now.effective_limit.working_days, now.version) == (7, None)
    assert then.effective_limit.working_days == 13
    assert then.version is not None
    assert then.version.valid_to == date(2025, 4, 30)
