"""One case as the composer reads it: the request resolved, the rules it fired, the truth of each literal."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType
from typing import Any

from composer.inputs import Situation
from composer.memo import memoised, typed
from composer.model import Locale
from rules.compile import Compiled
from rules.conditions import Conjunction, Truth
from rules.model import Effective
from rules.packs import Pack


@dataclass(frozen=True, eq=False)
class Rulebook:
    """One loaded pack with its compiled conditions. A memo key holds it by identity: a builder
    may read all of it, as it never changes while it is loaded."""

    pack: Pack
    compiled: Compiled


Hit = tuple[str, str, str]
"""A fired rule other than a permit's: (kind, permit, target)."""


@dataclass(frozen=True)
class Case:
    """Everything one composition reads of its request, and nothing else."""

    rules: Rulebook
    situation: Situation
    truth: Truth
    locale: Locale
    commit: tuple[str, ...]
    """The permits the applicant chose to take on commitment, as asked."""
    branches: Mapping[str, tuple[int, ...]]
    """The required permits, in the order their rules fired, each with the branches that hold."""
    hits: frozenset[Hit]
    """The element, material and notify-and-commit rules that fired."""

    @classmethod
    def of(
        cls, rules: Rulebook, situation: Situation, truth: Truth, fired: frozenset[str], locale: Locale, commit: tuple[str, ...]
    ) -> Case:
        required, hits = _read(fired)
        return cls(rules, situation, truth, locale, commit, required, hits)

    @property
    def pack(self) -> Pack:
        return self.rules.pack

    @property
    def as_of(self) -> date:
        return self.situation.as_of

    def facts(self, conj: Conjunction) -> tuple[Any, ...]:
        """What a reason built from this branch reads, literal by literal: the industry behind a
        scope item, the answer to a question."""
        scope_from, answers = self.situation.scope_from, self.situation.answers
        return tuple(scope_from.get(lit.key) if lit.kind == "scope" else typed(answers.get(lit.key)) for lit in conj)

    def in_effect(self, registry_name: str) -> tuple[bool, ...]:
        """Which of a registry's dated entries are in effect on the as-of day (most have no dates)."""
        registry: Mapping[str, Effective] = getattr(self.pack, registry_name)
        return tuple(registry[key].in_effect(self.as_of) for key in dated(self.rules, registry_name))


@memoised
def _read(fired: frozenset[str]) -> tuple[Mapping[str, tuple[int, ...]], frozenset[Hit]]:
    """The fired rules' names read: the permits' branches that hold, in the order of their names, and the other rules."""
    branches: dict[str, list[int]] = {}
    hits: set[Hit] = set()
    for name in sorted(fired):
        kind, permit, target, branch = name.split("|")
        if kind == "permit":
            branches.setdefault(permit, []).append(int(branch))
        else:
            hits.add((kind, permit, target))
    return MappingProxyType({pid: tuple(found) for pid, found in branches.items()}), frozenset(hits)


@memoised
def dated(rules: Rulebook, registry_name: str) -> tuple[str, ...]:
    """The entries of a registry (``materials``, ``fields``) with an effective period."""
    registry: Mapping[str, Effective] = getattr(rules.pack, registry_name)
    return tuple(key for key, item in registry.items() if item.valid_from is not None or item.valid_to is not None)
