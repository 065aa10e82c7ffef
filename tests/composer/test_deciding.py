"""Minimal explanations: the facts told are few, decide the condition, and none of them can go."""

from __future__ import annotations

from itertools import combinations

from hypothesis import event, given, settings
from hypothesis import strategies as st

from composer.deciding import EXHAUSTIVE_UP_TO, decides, deciding, scope_last
from rules.conditions import Conjunction, Literal_

POOL = [Literal_("scope", s, "has") for s in "abc"] + [Literal_("answer", q, "eq", True) for q in "xyz"]
POOL += [lit.negated() for lit in POOL]

conjunctions = st.lists(st.sampled_from(POOL), min_size=1, max_size=4, unique=True).map(tuple)
conditions = st.lists(conjunctions, min_size=1, max_size=6)
assignments = st.fixed_dictionaries({lit: st.sampled_from([True, False, None]) for lit in POOL[:6]})


def facts_of(assignment: dict[Literal_, bool | None]) -> dict[Literal_, bool]:
    """The truth of every literal of the pool whose test is known, a literal and its negation opposite."""
    known = {lit: value for lit, value in assignment.items() if value is not None}
    return {**known, **{lit.negated(): not value for lit, value in known.items()}}


@settings(max_examples=400, deadline=None)
@given(dnf=conditions, assignment=assignments)
def test_an_explanation_decides_the_condition_and_no_fact_of_it_can_be_left_out(
    dnf: list[Conjunction], assignment: dict[Literal_, bool | None]
) -> None:
    known = facts_of(assignment)
    value = decides(dnf, known)
    found = deciding(dnf, known, {})
    if value is None:
        event("undecided: no explanation")
        assert found is None
        return
    assert found is not None
    event(f"{'holds' if value else 'ruled out'}: {len(found)} of {len(set(known) & {lit for c in dnf for lit in c})} facts told")
    told = {lit: known[lit] for lit in found}
    assert decides(dnf, told) is value
    for lit in found:
        assert decides(dnf, {other: known[other] for other in found if other != lit}) is None


@settings(max_examples=200, deadline=None)
@given(dnf=conditions, assignment=assignments)
def test_no_smaller_set_of_facts_decides_the_condition(dnf: list[Conjunction], assignment: dict[Literal_, bool | None]) -> None:
    known = facts_of(assignment)
    found = deciding(dnf, known, {})
    if found is None:
        return
    value = decides(dnf, known)
    smaller = (
        [
            subset
            for subset in combinations(sorted(known), len(found) - 1)
            if decides(dnf, {lit: known[lit] for lit in subset}) is value
        ]
        if found
        else []
    )
    event(f"explanation of {len(found)}")
    assert smaller == []


def test_a_given_fact_decides_unsaid() -> None:
    after = Literal_("answer", "_as_of", "gte", 20210429)
    tobacco = Literal_("answer", "sells_tobacco", "eq", True)
    dnf = [(tobacco, after)]
    assert deciding(dnf, {tobacco: True}, {after: True}) == (tobacco,)
    assert deciding(dnf, {tobacco: True}, {after: False}) == ()


def test_an_answer_is_told_before_an_equally_deciding_scope_item() -> None:
    food = Literal_("scope", "food_sales", "has")
    bulk = Literal_("answer", "sells_bulk_food", "eq", False)
    assert deciding([(food, bulk)], {food: False, bulk: False}, {}) == (bulk,)


def every_subset_in_order(
    dnf: list[Conjunction], known: dict[Literal_, bool], given: dict[Literal_, bool]
) -> tuple[Literal_, ...] | None:
    """What ``deciding`` tells for a condition that is ruled out, by its definition: every subset of the
    failed facts (answers first) tried in order of size, the cheapest of the first size that decides."""
    failed = sorted((lit for lit, truth in known.items() if truth is False), key=scope_last)
    for size in range(min(len(failed), EXHAUSTIVE_UP_TO) + 1):
        found = [s for s in combinations(failed, size) if decides(dnf, {**given, **dict.fromkeys(s, False)}) is False]
        if found:
            return min(found, key=lambda subset: sum(map(scope_last, subset)))
    kept = list(failed)
    for lit in reversed(failed):
        rest = [other for other in kept if other != lit]
        if decides(dnf, {**given, **dict.fromkeys(rest, False)}) is False:
            kept = rest
    return tuple(kept)


WIDE = [Literal_("scope", s, "has") for s in "abcdefg"] + [Literal_("answer", q, "eq", True) for q in "pqrstuvw"]
WIDE += [lit.negated() for lit in WIDE]
DATED = [Literal_("answer", "_as_of", "gte", 20210429), Literal_("answer", "_as_of", "lt", 20210429)]


@settings(max_examples=300, deadline=None)
@given(
    assignment=st.fixed_dictionaries({lit: st.sampled_from([True, False, None]) for lit in WIDE[:15]}),
    after=st.sampled_from([True, False, None]),
    data=st.data(),
)
def test_a_ruled_out_condition_tells_exactly_what_trying_every_subset_in_order_tells(
    assignment: dict[Literal_, bool | None], after: bool | None, data: st.DataObject
) -> None:
    known = facts_of(assignment)
    given = {} if after is None else {DATED[0]: after, DATED[1]: not after}
    failed = sorted(lit for lit, truth in {**given, **known}.items() if truth is False)
    # Every branch holds a failed literal, so the condition is ruled out and there is something to tell.
    branch = st.tuples(st.sampled_from(failed), st.lists(st.sampled_from(WIDE + DATED), max_size=3))
    dnf = [tuple(dict.fromkeys([first, *rest])) for first, rest in data.draw(st.lists(branch, min_size=1, max_size=12))]
    expected = every_subset_in_order(dnf, known, given)
    assert expected is not None
    event(f"ruled out by {len(expected)} facts" if len(expected) <= EXHAUSTIVE_UP_TO else "ruled out: pruned")
    assert deciding(dnf, known, given) == expected
