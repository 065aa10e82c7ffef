"""Compile a resolved pack into rules: one rule per branch of every condition, named by its meaning.

Rule names read ``kind|permit|target|branch``:

- ``permit|food_business||0``: branch 0 of the permit's ``applies_when`` holds, so it is required;
- ``element|food_business|process|0``: the permit's element ``process`` applies;
- ``material|food_business|2|0``: the permit's third material reference applies;
- ``element_material|food_business|process.0|0``: a material of an element applies;
- ``commit|food_business||0``: the permit may be taken on notify-and-commit;
- ``refusal|internet_cafe_license|near_school|0``: the permit's refusal ``near_school`` holds.

Permit rules test the applicant's input fact; the others also join on the ``permit`` fact the
engine asserts once a permit is found (forward chaining), so they never fire for a permit that
is not required. An effective period becomes two more literals on the as-of day, so one
compiled pack serves every date in which the same dated versions of permits are in force (the
composer compiles the pack once more for each other such period it is asked about). Elements
and material references without a condition or period need no rule: they come with their permit.

The same compiled conditions drive the durable-rules engine and the plain-Python oracle.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from rules.conditions import Condition, Conjunction, Literal_, normal_form
from rules.model import Effective
from rules.packs import Pack

AS_OF = "_as_of"
"""The answer key the as-of day (an int like 20261126) travels under; ids cannot start with '_'."""


def day(on: date) -> int:
    return on.year * 10000 + on.month * 100 + on.day


@dataclass(frozen=True)
class Rule:
    name: str
    kind: str
    permit: str
    target: str
    branch: int
    conjunction: Conjunction

    @property
    def joins_permit(self) -> bool:
        return self.kind != "permit"


@dataclass(frozen=True)
class Compiled:
    """A pack's rules with the normal forms the composer and the oracle read."""

    pack: Pack
    rules: tuple[Rule, ...]
    permit_dnf: dict[str, tuple[Conjunction, ...]]
    commit_dnf: dict[str, tuple[Conjunction, ...]]
    element_dnf: dict[tuple[str, str], tuple[Conjunction, ...]]
    material_dnf: dict[tuple[str, str], tuple[Conjunction, ...]]
    refusal_dnf: dict[tuple[str, str], tuple[Conjunction, ...]]
    relevance_dnf: dict[str, tuple[Conjunction, ...]]
    permits_by_scope: dict[str, tuple[str, ...]]
    follow_ups: dict[str, tuple[tuple[Conjunction, ...], ...]]
    """Per permit, the conditions of its elements and materials: what to ask once it is required."""
    asks: dict[str, frozenset[str]]
    """Per permit, the questions its ``applies_when`` reads."""
    follow_up_asks: dict[str, frozenset[str]]
    """Per permit, the questions its follow-ups and notify-and-commit condition read: once all are
    answered, none of them can be open (most complete cases)."""
    literals: dict[tuple[str, ...], tuple[Literal_, ...]]
    """The distinct literals of each permit, element and notify-and-commit condition, named
    ``("permit", permit)``, ``("element", permit, element)`` or ``("commit", permit)``."""

    @property
    def version(self) -> str:
        return self.pack.version


def compile_pack(pack: Pack) -> Compiled:
    """Every condition of the pack in normal form, and one rule per branch."""
    rules: list[Rule] = []
    permit_dnf: dict[str, tuple[Conjunction, ...]] = {}
    commit_dnf: dict[str, tuple[Conjunction, ...]] = {}
    element_dnf: dict[tuple[str, str], tuple[Conjunction, ...]] = {}
    material_dnf: dict[tuple[str, str], tuple[Conjunction, ...]] = {}
    refusal_dnf: dict[tuple[str, str], tuple[Conjunction, ...]] = {}
    by_scope: dict[str, list[str]] = {}
    literals: dict[Literal_, Literal_] = {}

    def shared(dnf: tuple[Conjunction, ...]) -> tuple[Conjunction, ...]:
        # Equal literals become one object, so a case's Truth finds each by identity rather than
        # by comparing fields.
        return tuple(tuple(literals.setdefault(lit, lit) for lit in conj) for conj in dnf)

    def emit(kind: str, permit: str, target: str, dnf: tuple[Conjunction, ...]) -> None:
        for branch, conj in enumerate(dnf):
            rules.append(Rule(f"{kind}|{permit}|{target}|{branch}", kind, permit, target, branch, conj))

    for p in pack.permits.values():
        dnf = shared(_dated(normal_form(p.applies_when), p))
        permit_dnf[p.id] = dnf
        emit("permit", p.id, "", dnf)
        for scope_id in sorted({lit.key for conj in dnf for lit in conj if lit.kind == "scope" and lit.op == "has"}):
            by_scope.setdefault(scope_id, []).append(p.id)
        if p.notify_commit.available and not p.notify_commit.risk_categories:
            commit_dnf[p.id] = shared(_optional(p.notify_commit.when, Effective()))
            emit("commit", p.id, "", commit_dnf[p.id])
        for index, ref in enumerate(p.materials):
            dnf = shared(_optional(ref.when, Effective()))
            _material_rule(emit, material_dnf, p.id, str(index), dnf, "material")
        for element in p.elements:
            dnf = shared(_optional(element.when, element))
            element_dnf[(p.id, element.id)] = dnf
            if dnf != ((),):
                emit("element", p.id, element.id, dnf)
            for index, ref in enumerate(element.materials):
                dnf = shared(_optional(ref.when, Effective()))
                _material_rule(emit, material_dnf, p.id, f"{element.id}.{index}", dnf, "element_material")
        for refusal in p.refusals:
            refusal_dnf[(p.id, refusal.id)] = shared(_optional(refusal.when, refusal))
            emit("refusal", p.id, refusal.id, refusal_dnf[(p.id, refusal.id)])

    follow_ups: dict[str, list[tuple[Conjunction, ...]]] = {}
    # A refusal's questions are asked like an element's: once the permit is needed, before it is decided.
    for (permit, _), dnf in [*element_dnf.items(), *material_dnf.items(), *refusal_dnf.items()]:
        if dnf != ((),):
            follow_ups.setdefault(permit, []).append(dnf)
    relevance = {q.id: shared(normal_form(q.relevant_when)) for q in pack.questions.values() if q.relevant_when is not None}
    return Compiled(
        pack=pack,
        rules=tuple(rules),
        permit_dnf=permit_dnf,
        commit_dnf=commit_dnf,
        element_dnf=element_dnf,
        material_dnf=material_dnf,
        refusal_dnf=refusal_dnf,
        relevance_dnf=relevance,
        permits_by_scope={k: tuple(v) for k, v in by_scope.items()},
        follow_ups={k: tuple(v) for k, v in follow_ups.items()},
        asks={pid: _questions(dnf) for pid, dnf in permit_dnf.items()},
        follow_up_asks={pid: _questions(*follow_ups.get(pid, ()), commit_dnf.get(pid, ())) for pid in permit_dnf},
        literals={
            **{("permit", pid): _distinct(dnf) for pid, dnf in permit_dnf.items()},
            **{("element", *key): _distinct(dnf) for key, dnf in element_dnf.items()},
            **{("commit", pid): _distinct(dnf) for pid, dnf in commit_dnf.items()},
        },
    )


def _material_rule(
    emit: Any,
    table: dict[tuple[str, str], tuple[Conjunction, ...]],
    permit: str,
    target: str,
    dnf: tuple[Conjunction, ...],
    kind: str,
) -> None:
    table[(permit, target)] = dnf
    if dnf != ((),):
        emit(kind, permit, target, dnf)


def _questions(*dnfs: tuple[Conjunction, ...]) -> frozenset[str]:
    return frozenset(lit.key for dnf in dnfs for conj in dnf for lit in conj if lit.kind == "answer" and lit.key != AS_OF)


def _distinct(dnf: tuple[Conjunction, ...]) -> tuple[Literal_, ...]:
    return tuple(dict.fromkeys(lit for conj in dnf for lit in conj))


def _optional(condition: Condition | None, period: Effective) -> tuple[Conjunction, ...]:
    """A condition that may be absent: ``((),)`` (one empty branch) means "always"."""
    dnf = normal_form(condition) if condition is not None else ((),)
    return _dated(dnf, period)


def _dated(dnf: tuple[Conjunction, ...], period: Effective) -> tuple[Conjunction, ...]:
    extra: list[Literal_] = []
    if period.valid_from is not None:
        extra.append(Literal_("answer", AS_OF, "gte", day(period.valid_from)))
    if period.valid_to is not None:
        extra.append(Literal_("answer", AS_OF, "lte", day(period.valid_to)))
    if not extra:
        return dnf
    return tuple(tuple(sorted({*conj, *extra})) for conj in dnf)
