"""The fewest facts that already decide a condition: what a person is told, not every test it makes.

A condition is decided by a set of facts when it is true (or false) whatever the other literals
turn out to be. The explanation a citizen reads is a smallest such set: for a condition that holds,
the shortest branch whose literals all hold; for one that does not, the fewest failed literals that
leave every branch with one of them (a smallest hitting set, searched by size, since conditions
are small). Removing any literal from it leaves the condition undecided.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from itertools import combinations

from rules.conditions import Conjunction, Literal_

Facts = Mapping[Literal_, bool]

EXHAUSTIVE_UP_TO = 4
"""Hitting sets up to this size are searched exhaustively; larger ones are pruned greedily."""


def decides(dnf: Sequence[Conjunction], facts: Facts) -> bool | None:
    """The condition's value when only ``facts`` are known: True, False, or None (undecided)."""
    result: bool | None = False
    for conj in dnf:
        values = [facts.get(lit) for lit in conj]
        if any(value is False for value in values):
            continue
        if all(value is True for value in values):
            return True
        result = None
    return result


def scope_last(lit: Literal_) -> int:
    """Prefer answers to scope items among equally short explanations: the answer is what decided."""
    return int(lit.kind == "scope")


def deciding(
    dnf: Sequence[Conjunction], known: Facts, given: Facts, cost: Callable[[Literal_], int] = scope_last
) -> tuple[Literal_, ...] | None:
    """A smallest set of ``known`` literals that, with the ``given`` ones, decides the condition as
    all of them do; None when they leave it undecided. ``given`` facts (the as-of date) go unsaid."""
    value = decides(dnf, {**given, **known})
    if value is None:
        return None
    if value:
        branches = [tuple(lit for lit in conj if lit not in given) for conj in dnf if decides((conj,), {**given, **known})]
        return min(branches, key=lambda found: (len(found), sum(map(cost, found))))
    failed = sorted((lit for lit, truth in known.items() if truth is False), key=cost)
    for size in range(min(len(failed), EXHAUSTIVE_UP_TO) + 1):
        found = [
            subset for subset in combinations(failed, size) if decides(dnf, {**given, **dict.fromkeys(subset, False)}) is False
        ]
        if found:
            return min(found, key=lambda subset: sum(map(cost, subset)))
    return _pruned(dnf, failed, given)


def _pruned(dnf: Sequence[Conjunction], failed: list[Literal_], given: Facts) -> tuple[Literal_, ...]:
    """All failed literals, then each dropped (costliest first) while the rest still decide. Fewer
    facts never decide more, so no literal left can be dropped afterwards either."""
    kept = list(failed)
    for lit in reversed(failed):
        rest = [other for other in kept if other != lit]
        if decides(dnf, {**given, **dict.fromkeys(rest, False)}) is False:
            kept = rest
    return tuple(kept)
