"""Shared output fragments must never change what a composition says."""

from __future__ import annotations

from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from composer import ComposeRequest
from composer.compose import Fragments
from rules.errors import InputError
from tests.composer.random_requests import WARM, requests

TODAY = date(2026, 11, 26)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(requests, min_size=2, max_size=6))
def test_a_warm_composer_says_exactly_what_a_fresh_one_says(batch: list[ComposeRequest]) -> None:
    for request in batch:
        try:
            warm = WARM.compose(request, today=TODAY)
        except InputError:
            continue  # contradictory industries or answers: refused either way
        WARM.fragments, kept = Fragments(), WARM.fragments
        try:
            fresh = WARM.compose(request, today=TODAY)
        finally:
            WARM.fragments = kept
        assert warm.model_dump_json() == fresh.model_dump_json()
