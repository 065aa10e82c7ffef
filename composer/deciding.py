"""The fewest facts that already decide a condition: what a person is told, not every test it makes.

A condition is decided by a set of facts when it is true (or false) whatever the other literals
turn out to be. The explanation a citizen reads is a smallest such set: for a condition that holds,
the shortest branch whose literals all hold; for one that does not, the fewest failed literals that
leave every branch with one of them (a smallest hitting set, searched by size, since conditions
are small). Removing any literal from it leaves the condition undecided.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence

from rules.conditions import Conjunction, Literal_

Facts = Mapping[Literal_, bool]

EXHAUSTIVE_UP_TO = 4
"""Hitting sets up to this size are searched exhaustively; larger ones are pruned greedily."""


def decides(dnf: Sequence[Conjunction], facts: Facts) -> bool | None:
    """The condition's value when only ``facts`` are known: True, False, or None (undecided)."""
    result: bool | None = False
    for conj in dnf:
        open_ = False
        for lit in conj:
            value = facts.get(lit)
            if value is False:
                break  # scope items come first, so a branch is usually ruled out at its first literal
            if value is None:
                open_ = True
        else:
            if not open_:
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
    all of them do; None when they leave it undecided. ``given`` facts (the as-of date) go unsaid.

    Among the smallest sets the cheapest is told, and among equally cheap ones the first in the
    order of ``known`` (answers before scope items)."""
    facts = {**given, **known}
    value = decides(dnf, facts)
    if value is None:
        return None
    if value:
        branches = [tuple(lit for lit in conj if lit not in given) for conj in dnf if decides((conj,), facts)]
        return min(branches, key=lambda found: (len(found), sum(map(cost, found))))
    failed = sorted((lit for lit, truth in known.items() if truth is False), key=cost)
    # A set of failed literals (bit i: failed[i]) rules the condition out when it meets every
    # branch that no given fact rules out already.
    bit = {lit: 1 << i for i, lit in enumerate(failed)}
    standing = [_bits(conj, bit) for conj in dnf if not given or not any(given.get(lit) is False for lit in conj)]
    for size in range(EXHAUSTIVE_UP_TO + 1):
        found = set(_hitting(standing, size, 0))
        if found:
            costs = [cost(lit) for lit in failed]
            best = min(found, key=lambda chosen: (sum(costs[i] for i in _indexes(chosen)), list(_indexes(chosen))))
            return tuple(failed[i] for i in _indexes(best))
    return _pruned(failed, standing)


def _bits(conj: Conjunction, bit: Mapping[Literal_, int]) -> int:
    found = 0
    for lit in conj:
        found |= bit.get(lit, 0)
    return found


def _indexes(chosen: int) -> Iterator[int]:
    """The positions of a set's bits, lowest first."""
    i = 0
    while chosen:
        if chosen & 1:
            yield i
        chosen >>= 1
        i += 1


def _hitting(branches: list[int], size: int, chosen: int) -> Iterator[int]:
    """Every set of ``size`` more bits added to ``chosen`` that meets each branch, none smaller
    assumed to exist: each must take one bit of the first branch it does not meet yet."""
    missed = next((b for b in branches if not b & chosen), None)
    if missed is None:
        if size == 0:
            yield chosen
        return
    if size == 0:
        return
    while missed:
        low = missed & -missed
        yield from _hitting(branches, size - 1, chosen | low)
        missed ^= low


def _pruned(failed: list[Literal_], branches: list[int]) -> tuple[Literal_, ...]:
    """All failed literals, then each dropped (costliest first) while the rest still decide. Fewer
    facts never decide more, so no literal left can be dropped afterwards either."""
    kept = (1 << len(failed)) - 1
    for i in reversed(range(len(failed))):
        rest = kept & ~(1 << i)
        if all(b & rest for b in branches):
            kept = rest
    return tuple(failed[i] for i in _indexes(kept))
