"""Shared output fragments must never change what a composition says."""

from __future__ import annotations

from collections import Counter
from datetime import date

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from composer import ComposeRequest
from composer.memo import Fragments
from rules.errors import InputError
from tests.composer.random_requests import COMPOSED_SHARE, WARM, on_any_day, requests

TODAY = date(2026, 11, 26)


def _warm_says_what_fresh_says(request: ComposeRequest, outcomes: Counter[str]) -> None:
    try:
        _, warm = WARM.compose_json(request, today=TODAY)  # its fragments' JSON as first serialised
    except InputError:
        _count(outcomes, "refused")  # contradictory industries: refused either way
        return
    WARM.fragments, kept = Fragments(), WARM.fragments
    try:
        fresh = WARM.compose(request, today=TODAY)
    finally:
        WARM.fragments = kept
    assert warm == fresh.model_dump_json().encode()
    _count(outcomes, "composed")


def _count(outcomes: Counter[str], outcome: str) -> None:
    event(outcome)
    outcomes[outcome] += 1


def test_a_warm_composer_says_exactly_what_a_fresh_one_says() -> None:
    outcomes: Counter[str] = Counter()

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(requests, min_size=2, max_size=6))
    def compare(batch: list[ComposeRequest]) -> None:
        for request in batch:
            _warm_says_what_fresh_says(request, outcomes)

    compare()
    assert outcomes["composed"] >= COMPOSED_SHARE * outcomes.total(), outcomes


def test_the_same_holds_on_any_day_and_with_commitments_chosen() -> None:
    # Memo keys read the date and the commitments only where the output does: periods, calendar
    # days, reasons that cite the date, materials and limits that change with a commitment.
    outcomes: Counter[str] = Counter()

    @settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(on_any_day, min_size=2, max_size=6), st.data())
    def compare(batch: list[ComposeRequest], data: st.DataObject) -> None:
        for request in batch:
            try:
                permits = WARM.compose(request, today=TODAY).permits
            except InputError:
                _count(outcomes, "refused")
                continue
            eligible = [p.id for p in permits if p.commitment.eligible]
            commit = data.draw(st.lists(st.sampled_from(eligible), unique=True)) if eligible else []
            if commit:
                _count(outcomes, "commitments chosen")
            _warm_says_what_fresh_says(request.model_copy(update={"commit": commit}), outcomes)

    compare()
    assert outcomes["composed"] >= COMPOSED_SHARE * (outcomes["composed"] + outcomes["refused"]), outcomes
    assert outcomes["commitments chosen"] > 0, outcomes


def test_a_shared_reason_still_shows_each_applicants_own_answer() -> None:
    # Both areas rule the same permits out the same way, so their verdicts are one memo entry;
    # the text built from it must still quote each applicant's own number.
    for area in (80, 90, 80):
        request = ComposeRequest(
            industries=["convenience_store"], answers={"area_m2": area, "food_prep_onsite": False, "sells_tobacco": False}
        )
        left_out = {r.id: r.summary for r in WARM.compose(request, today=TODAY).reasons if not r.included}
        assert f"“{area}㎡”" in left_out["small_grocery_filing"]
        assert f"“{area}㎡”" in left_out["construction_fire_acceptance"]


def test_pieces_in_use_survive_when_the_memo_turns_a_generation() -> None:
    fragments = Fragments()
    fragments.LIMIT = 3
    builds: list[str] = []

    def build(key: str) -> str:
        builds.append(key)
        return key.upper()

    for key in ["hot", "a", "b", "hot", "c", "d", "hot", "e", "f", "hot", "a"]:
        assert fragments.get((key,), build, key) == key.upper()
    assert builds.count("hot") == 1  # asked for in every generation: built once
    assert builds.count("a") == 2  # not asked for during two turns: dropped, built again
    assert len(fragments) <= 2 * fragments.LIMIT
