"""Requirement elements and commitment options that depend on answers say the fewest facts that decide them."""

from __future__ import annotations

from datetime import date

from hypothesis import HealthCheck, given, settings

from composer import ComposeRequest
from composer.deciding import decides
from composer.explanations import told
from composer.reasons import dnf_of
from rules.compile import AS_OF
from rules.errors import InputError
from tests.composer.random_requests import WARM, requests

TODAY = date(2026, 11, 26)


def _explained(request: ComposeRequest) -> dict[str, str | None]:
    out = WARM.compose(request, today=TODAY)
    return {f"{r.kind}:{r.id}": r.explanation for r in out.reasons if r.kind in ("element", "commitment")}


def test_an_element_that_applies_says_the_facts_that_made_it_apply() -> None:
    said = _explained(ComposeRequest(industries=["restaurant", "hotel"], answers={"area_m2": 400, "rooms": 30}))
    assert said["element:food_business.dining"] == "您经营饭店/餐馆，并且设有供顾客就餐的堂食区域。"
    assert said["element:food_business.process"] == "您经营饭店/餐馆。"


def test_an_element_left_out_says_the_one_fact_that_removed_it_or_the_question_it_waits_on() -> None:
    said = _explained(ComposeRequest(industries=["convenience_store"], answers={"area_m2": 80, "food_prep_onsite": True}))
    assert said["element:food_business.dining"] == "您未选择经营范围“餐饮服务”，此条件不适用。"
    assert said["element:food_business.vending"] == "是否适用，取决于您对“是否利用自动售货设备经营食品？”的回答。"


def test_an_unconditional_element_needs_no_explanation() -> None:
    out = WARM.compose(ComposeRequest(industries=["restaurant"], answers={"area_m2": 200}), today=TODAY)
    conditional = {e.id for p in WARM.pack.permits.values() for e in p.elements if e.when is not None}
    for reason in out.reasons:
        if reason.kind == "element" and reason.id.split(".")[1] not in conditional:
            assert reason.explanation is None, reason.id


def test_a_commitment_option_says_why_it_is_open_or_closed() -> None:
    small = _explained(ComposeRequest(industries=["convenience_store"], answers={"area_m2": 80, "food_prep_onsite": True}))
    assert small["commitment:food_business"] == "经营场所使用面积 80㎡，不超过 150㎡，可以选择告知承诺。"
    large = _explained(ComposeRequest(industries=["restaurant"], answers={"area_m2": 400}))
    assert large["commitment:food_business"] == "您经营饭店/餐馆，并且经营场所使用面积 400㎡，超过 150㎡，不适用告知承诺。"


def test_in_english_too() -> None:
    said = _explained(
        ComposeRequest(industries=["convenience_store"], answers={"area_m2": 80, "food_prep_onsite": True}, locale="en")
    )
    assert (said["commitment:food_business"] or "").endswith(", so you may choose to apply on a signed commitment.")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(requests)
def test_each_explained_fact_is_needed_to_decide(request: ComposeRequest) -> None:
    """The property of the issue: removing any literal from an explanation no longer decides the condition."""
    try:
        case = WARM._case(request, TODAY)
        out = WARM.compose(request, today=TODAY)
    except InputError:
        return
    rules = WARM.rules
    for reason in out.reasons:
        if reason.kind not in ("element", "commitment") or reason.explanation is None:
            continue
        condition = ("commit", reason.id) if reason.kind == "commitment" else ("element", *reason.id.split("."))
        literals = told(case, condition)
        if literals is None:  # still open: the explanation names the questions it waits on
            continue
        assert literals, reason
        dnf = dnf_of(rules, condition)
        dated = {lit: bool(case.truth[lit]) for c in dnf for lit in c if lit.key == AS_OF}
        facts = {lit: bool(case.truth[lit]) for lit in literals}
        assert decides(dnf, {**dated, **facts}) is reason.included
        for dropped in literals:
            rest = {lit: value for lit, value in facts.items() if lit != dropped}
            assert decides(dnf, {**dated, **rest}) is None, (reason.id, dropped)
