"""Multi-choice answers: one question, several values, conditions over the set (a gym with a pool and a climbing wall)."""

from __future__ import annotations

from datetime import date

import pytest

from composer import Composer, ComposeRequest, Composition
from rules.engine import OracleEngine
from rules.errors import InputError

TODAY = date(2026, 3, 1)
GYM = {"area_m2": 800, "central_ac": False, "sells_food": False, "renovation": False, "outdoor_ad": False, "uses_agent": False}


@pytest.fixture(scope="module")
def dongcheng() -> Composer:
    return Composer.load("beijing-dongcheng")


def compose(composer: Composer, industry: str, sports: object, locale: str = "zh") -> Composition:
    answers = {**GYM, "high_risk_sport": sports}
    request = ComposeRequest(pack="beijing-dongcheng", industries=[industry], answers=answers, locale=locale)
    return composer.compose(request, today=TODAY)


def problems(composer: Composer, industry: str, sports: object) -> list[tuple[str, str]]:
    with pytest.raises(InputError) as caught:
        compose(composer, industry, sports)
    return [(p.code, p.where) for p in caught.value.problems]


@pytest.mark.parametrize(
    ("sports", "permits"),
    [
        ([], ["fire_safety_check"]),
        (["climbing"], ["fire_safety_check", "high_risk_sports"]),
        (["swimming"], ["fire_safety_check", "high_risk_sports", "public_hygiene"]),
        (["climbing", "swimming"], ["fire_safety_check", "high_risk_sports", "public_hygiene"]),
    ],
)
def test_the_set_of_sports_decides_the_permits(dongcheng: Composer, sports: list[str], permits: list[str]) -> None:
    c = compose(dongcheng, "gym", sports)
    assert sorted(p.id for p in c.permits) == sorted(permits)
    assert c.complete


def test_the_answer_is_kept_once_each_in_the_questions_order(dongcheng: Composer) -> None:
    c = compose(dongcheng, "gym", ["swimming", "climbing", "swimming"])
    assert c.answers["high_risk_sport"] == ("swimming", "climbing")
    hygiene = next(r for r in c.reasons if r.kind == "permit" and r.id == "public_hygiene" and r.included)
    assert "“经营哪些高危险性体育项目？（可多选，都不经营的不选）”为“游泳、攀岩”" in hygiene.summary


def test_a_form_sends_the_options_as_one_comma_separated_text(dongcheng: Composer) -> None:
    assert compose(dongcheng, "gym", "climbing, swimming").answers["high_risk_sport"] == ("swimming", "climbing")


def test_an_unknown_option_is_refused_naming_it(dongcheng: Composer) -> None:
    assert problems(dongcheng, "gym", ["climbing", "bungee"]) == [("bad_answer", "answers.high_risk_sport")]


def test_several_values_for_a_single_answer_question_are_refused(dongcheng: Composer) -> None:
    request = ComposeRequest(pack="beijing-dongcheng", industries=["gym"], answers={**GYM, "central_ac": ["yes", "no"]})
    with pytest.raises(InputError) as caught:
        dongcheng.compose(request, today=TODAY)
    [problem] = caught.value.problems
    assert (problem.code, problem.where) == ("bad_answer", "answers.central_ac")
    assert "只能选一个回答" in problem.message


def test_a_pool_implies_swimming_and_may_add_climbing_but_not_drop_swimming(dongcheng: Composer) -> None:
    pool = compose(dongcheng, "swimming_pool", ["climbing", "swimming"])
    assert pool.answers["high_risk_sport"] == ("swimming", "climbing")
    assert problems(dongcheng, "swimming_pool", ["climbing"]) == [("contradiction", "answers.high_risk_sport")]


def test_english_lists_the_options_chosen(dongcheng: Composer) -> None:
    c = compose(dongcheng, "gym", ["swimming", "climbing"], locale="en")
    hygiene = next(r for r in c.reasons if r.kind == "permit" and r.id == "public_hygiene" and r.included)
    assert "is 'Swimming, Climbing'" in hygiene.summary


@pytest.mark.parametrize("sports", [[], ["diving"], ["swimming", "skiing"], ["climbing", "diving", "skiing", "swimming"]])
def test_the_rules_engine_and_the_oracle_agree_on_sets(dongcheng: Composer, sports: list[str]) -> None:
    request = ComposeRequest(pack="beijing-dongcheng", industries=["gym"], answers={**GYM, "high_risk_sport": sports})
    oracle = Composer(dongcheng.pack, OracleEngine)
    assert dongcheng.fired_rules(request, today=TODAY) == oracle.fired_rules(request, today=TODAY)
