"""Random requests to the default pack, for property tests of the composer's output."""

from __future__ import annotations

from datetime import date

from hypothesis import strategies as st

from composer import Composer, ComposeRequest
from rules.model import QuestionType

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

on_any_day = st.builds(
    lambda request, on: request.model_copy(update={"as_of": on}), requests, st.dates(date(2018, 1, 1), date(2030, 12, 31))
)
