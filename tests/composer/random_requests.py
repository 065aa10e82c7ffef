"""Random requests to the default pack, for property tests of the composer's output.

Answers stay inside each question's range and leave alone what the chosen industries already
imply, so nearly every request is one the composer composes rather than refuses.
"""

from __future__ import annotations

from datetime import date

from hypothesis import strategies as st

from composer import Composer, ComposeRequest
from rules.model import Question, QuestionType

WARM = Composer.load()
PACK = WARM.pack

COMPOSED_SHARE = 0.95
"""The share of drawn requests a property test must see composed, not refused, to count as run."""

NUMBERS = (0, 1, 10, 50, 60, 120, 150, 151, 300, 600, 5000, 200_000)
"""Round figures and the thresholds the pack's conditions compare against."""


def _answer(q: Question) -> st.SearchStrategy[object]:
    if q.allow_unknown:
        return st.just("unknown") | _known(q)
    return _known(q)


def _known(q: Question) -> st.SearchStrategy[object]:
    if q.type is QuestionType.boolean:
        return st.booleans()
    if q.type is QuestionType.choice:
        return st.sampled_from([o.value for o in q.options])
    if q.type is QuestionType.multi_choice:
        return st.lists(st.sampled_from([o.value for o in q.options]), unique=True)
    inside = [n for n in NUMBERS if (q.min is None or n >= q.min) and (q.max is None or n <= q.max)]
    return st.sampled_from(inside)


def _implied(industries: list[str]) -> set[str]:
    """Questions the chosen industries answer by themselves (directly or through their scope items)."""
    implied: set[str] = set()
    for industry in (PACK.industries[i] for i in industries):
        implied.update(industry.implies)
        for scope in industry.scope:
            implied.update(PACK.scope_items[scope].implies)
    return implied


@st.composite
def _requests(draw: st.DrawFn) -> ComposeRequest:
    industries = draw(st.lists(st.sampled_from(sorted(PACK.industries)), min_size=1, max_size=3, unique=True))
    free = {q: _answer(PACK.questions[q]) for q in PACK.questions if q not in _implied(industries)}
    answers = draw(st.fixed_dictionaries({}, optional=free))
    return ComposeRequest(industries=industries, answers=answers, locale=draw(st.sampled_from(["zh", "en"])))


requests = _requests()

on_any_day = st.builds(
    lambda request, on: request.model_copy(update={"as_of": on}), requests, st.dates(date(2018, 1, 1), date(2030, 12, 31))
)
