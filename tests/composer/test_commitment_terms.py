"""A commitment chosen knowingly: its terms before ticking, its deferred materials due after."""

from __future__ import annotations

from composer import Composer, ComposeRequest
from rules.packs import DEFAULT_PACK


def test_an_eligible_permit_carries_the_terms_of_its_commitment() -> None:
    out = Composer.load(DEFAULT_PACK).compose(
        ComposeRequest(industries=["restaurant"], answers={"area_m2": 200, "discharges_sewage": True})
    )
    fire = next(p for p in out.permits if p.id == "fire_safety_check").commitment
    assert fire.eligible
    assert fire.time_limit is not None
    assert fire.time_limit.text == "1个工作日"
    assert fire.letter is not None
    assert fire.letter.startswith("本单位承诺")
    assert fire.consequences == "承诺不实的，依法撤销许可，虚假承诺记入信用记录并实施信用惩戒。"
    assert fire.follow_up_within is not None
    assert fire.follow_up_within.text == "20个工作日"


def test_a_deferred_material_says_when_it_is_due() -> None:
    out = Composer.load(DEFAULT_PACK).compose(
        # a gym without high-risk sports: the fire check is the only permit that asks for the floor plan
        ComposeRequest(industries=["gym"], answers={"area_m2": 200, "high_risk_sport": []}, commit=["fire_safety_check"])
    )
    plan = next(m for m in out.materials if m.key == "floor_plan")
    assert plan.status == "deferred"
    assert plan.note == "承诺后补交：作出决定后20个工作日内，在事后核查时提交"
