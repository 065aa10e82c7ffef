"""Shared output fragments must never change what a composition says."""

from __future__ import annotations

from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from composer import Composer, ComposeRequest
from composer.compose import Fragments
from rules.errors import InputError
from rules.model import QuestionType

TODAY = date(2026, 11, 26)
WARM = Composer.load()
PACK = WARM.pack


def _answer(question_id: str) -> st.SearchStrategy[object]:
    q = PACK.questions[question_id]
    if q.type is QuestionType.boolean:
        return st.booleans()
    if q.type is QuestionType.choice:
        return st.sampled_from([o.value for o in q.options])
    return st.sampled_from([10, 50, 60, 120, 150, 151, 300, 600])


requests = st.builds(
    ComposeRequest,
    industries=st.lists(st.sampled_from(sorted(PACK.industries)), min_size=1, max_size=3, unique=True),
    answers=st.fixed_dictionaries({}, optional={q: _answer(q) for q in PACK.questions}),
    locale=st.sampled_from(["zh", "en"]),
)


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
