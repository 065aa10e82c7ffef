"""Shared output fragments must never change what a composition says."""

from __future__ import annotations

from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from composer import ComposeRequest
from composer.memo import Fragments
from rules.errors import InputError
from tests.composer.random_requests import WARM, on_any_day, requests

TODAY = date(2026, 11, 26)


def _warm_says_what_fresh_says(request: ComposeRequest) -> None:
    try:
        _, warm = WARM.compose_json(request, today=TODAY)  # its fragments' JSON as first serialised
    except InputError:
        return  # contradictory industries or answers: refused either way
    WARM.fragments, kept = Fragments(), WARM.fragments
    try:
        fresh = WARM.compose(request, today=TODAY)
    finally:
        WARM.fragments = kept
    assert warm == fresh.model_dump_json().encode()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(requests, min_size=2, max_size=6))
def test_a_warm_composer_says_exactly_what_a_fresh_one_says(batch: list[ComposeRequest]) -> None:
    for request in batch:
        _warm_says_what_fresh_says(request)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(on_any_day, min_size=2, max_size=6), st.data())
def test_the_same_holds_on_any_day_and_with_commitments_chosen(batch: list[ComposeRequest], data: st.DataObject) -> None:
    # Memo keys read the date and the commitments only where the output does: periods, calendar
    # days, reasons that cite the date, materials and limits that change with a commitment.
    for request in batch:
        try:
            eligible = [p.id for p in WARM.compose(request, today=TODAY).permits if p.commitment.eligible]
        except InputError:
            continue
        commit = data.draw(st.lists(st.sampled_from(eligible), unique=True)) if eligible else []
        _warm_says_what_fresh_says(request.model_copy(update={"commit": commit}))


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
