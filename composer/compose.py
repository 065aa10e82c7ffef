"""compose(): from business scope and answers to one notice, one form, one materials list, with reasons.

The rules engine decides what applies (permits, conditional elements and materials, and
notify-and-commit eligibility). Everything here is assembly: plain lookups into the pack,
deduplication, ordering, time limits, savings and the reason behind each line.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any, Generic, NamedTuple, TypeVar

from pydantic import BaseModel

from composer import wording
from composer.fragments import Fragments
from composer.inputs import Situation, resolve, shown
from composer.serialise import array_json, array_pieces, composition_json, fragment_json
from composer.model import (
    Commitment,
    CommitmentOut,
    ComposeRequest,
    Composition,
    Dependency,
    ElementOut,
    FieldOut,
    Form,
    FormSection,
    Locale,
    MaterialOut,
    PackRef,
    PermitOut,
    Reason,
    Sheet,
    Span,
    Step,
)
from composer.notice import notice
from composer.questionnaire import open_questions
from composer.savings import material_refs, on_its_own, tally
from composer.workdays import working_days_within
from rules import packs
from rules.compile import AS_OF, Compiled, compile_pack, day
from rules.conditions import Conjunction, Literal_, Truth, blocking, evaluate, open_keys
from rules.engine import DurableEngine, Engine, Facts
from rules.errors import InputError, Problem
from rules.model import Days, DayUnit, Effective, FormField, Material, Permit, Section
from rules.packs import Pack


class _Verdict(NamedTuple):
    """Why a condition does not hold: a function of its literals' truth values alone."""

    open: tuple[str, ...] | None
    """The questions whose answers decide it, when it is undecided."""
    failed: tuple[Literal_, ...]
    """Otherwise the literals that ruled it out; none when only its effective period did."""


class _Decision(NamedTuple):
    """All a permit's notify-and-commit entry and its reason read of the case."""

    eligible: bool
    chosen: bool
    verdict: _Verdict | None
    """Why the permit's condition for it did not hold, when that is why it is not eligible."""
    shown: tuple[Any, ...]
    """What the verdict's text reads of the case besides the verdict."""


class _Applies(NamedTuple):
    """All a conditional element that applies reads of the case: the branch that applies it first,
    and what a reason built from that branch reads."""

    branch: Conjunction
    facts: tuple[Any, ...]


class _LeftOut(NamedTuple):
    """All a conditional element that does not apply reads of the case."""

    verdict: _Verdict
    shown: tuple[Any, ...]


_Required = tuple[tuple[Permit, int], ...]
"""The required permits in order, each with its stage."""

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)


class _Noted(NamedTuple, Generic[T]):
    """An output fragment and its JSON: fragments are shared across compositions, so each is
    serialised once, when it is built, and spliced into the JSON of every composition it is in."""

    fragment: T
    json: bytes


def _note(fragment: M) -> _Noted[M]:
    return _Noted(fragment, fragment_json(fragment))


def _noted(build: Callable[..., M], *args: Any, **kwargs: Any) -> _Noted[M]:
    return _note(build(*args, **kwargs))


def _fragments(noted: Iterable[_Noted[T]]) -> list[T]:
    return [n.fragment for n in noted]


def _array(noted: Iterable[_Noted[Any]]) -> list[bytes]:
    return array_pieces([n.json for n in noted])


class Composer:
    """One pack, compiled once, composing many requests. Swap in a new one to reload."""

    def __init__(self, pack: Pack, engine: type[Engine] = DurableEngine) -> None:
        self.pack = pack
        self.compiled = compile_pack(pack)
        self.engine: Engine = engine(self.compiled)  # type: ignore[call-arg]
        self.fragments = Fragments()

    @classmethod
    def load(cls, pack_id: str = packs.DEFAULT_PACK, root: Path = packs.PACKS_DIR) -> Composer:
        """Load and compile a pack; raises PackError, and nothing changes, when it is broken."""
        return cls(packs.load(pack_id, root))

    def compose(self, request: ComposeRequest, today: date | None = None) -> Composition:
        """The Composition for one request. Raises InputError listing every problem in it."""
        composition, _ = self._assembly(request, today).build()
        return composition

    def compose_json(self, request: ComposeRequest, today: date | None = None) -> tuple[Composition, bytes]:
        """The Composition and its JSON, ``model_dump_json().encode()`` byte for byte: its shared
        fragments, most of the bytes, are spliced in as serialised once when each was first built."""
        composition, spliced = self._assembly(request, today).build()
        return composition, composition_json(composition, spliced)

    def _assembly(self, request: ComposeRequest, today: date | None) -> _Assembly:
        situation, facts, fired = self._fire(request, today)
        return _Assembly(self.compiled, situation, facts, fired, request, self.fragments)

    def fired_rules(self, request: ComposeRequest, today: date | None = None) -> frozenset[str]:
        """The names of the rules a request fires (for rule coverage)."""
        return self._fire(request, today)[2]

    def _fire(self, request: ComposeRequest, today: date | None) -> tuple[Situation, Facts, frozenset[str]]:
        situation = resolve(self.compiled, request, today or date.today())
        facts = Facts(situation.scope, situation.answers, day(situation.as_of))
        return situation, facts, self.engine.fire(facts)


@dataclass
class _Assembly:
    compiled: Compiled
    situation: Situation
    facts: Facts
    fired: frozenset[str]
    request: ComposeRequest
    fragments: Fragments
    locale: Locale = "zh"
    reasons: list[_Noted[Reason]] = field(default_factory=list)
    element_outs: list[_Noted[ElementOut]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.locale = self.request.locale
        self.pack: Pack = self.compiled.pack
        self.truth = Truth(self.situation.scope, self.facts.known())
        self.branches: dict[str, list[int]] = {}
        self.rule_hits: set[tuple[str, str, str]] = set()
        # The permits left out that answers could still bring in, with the questions that decide them.
        self.undecided: dict[str, tuple[str, ...]] = {}
        for name in sorted(self.fired):
            kind, permit, target, branch = name.split("|")
            if kind == "permit":
                self.branches.setdefault(permit, []).append(int(branch))
            else:
                self.rule_hits.add((kind, permit, target))

    # --- the whole -----------------------------------------------------------------------

    def build(self) -> tuple[Composition, dict[str, list[bytes]]]:
        """The composition, and the pieces of JSON of the fields composer.json splices into its own."""
        permits = self._ordered_permits()
        chosen = self._chosen_commitments(permits)
        elements = self._elements(permits)
        # The permits with their applicable elements: most of what the materials and form read.
        shape = tuple((p.id, tuple(e_id for e_id, _, _ in elements[p.id])) for p, _ in permits)
        noted_permits = [self._permit_out(p, stage, chosen, elements) for p, stage in permits]
        self._left_out_permits({p.id for p, _ in permits})
        noted_materials = self._materials(permits, elements, chosen, shape)
        noted_form = self._form(permits, elements, shape)
        permit_outs, materials, form = _fragments(noted_permits), list(noted_materials.fragment), noted_form.fragment
        commitments = [self._commitment_out(self.pack.permits[pid]) for pid in chosen]
        alone = [self.fragments.get(("on_its_own", p.id), on_its_own, p) for p, _ in permits]
        savings = tally(alone, permit_outs, materials, form)
        questions = open_questions(
            self.compiled, self.situation, self.truth, self.undecided, {p.id for p, _ in permits}, self.rule_hits, self.locale
        )
        as_of = self.situation.as_of
        composition = Composition(
            pack=PackRef(
                id=self.pack.id,
                name=self.pack.meta.name.in_(self.locale),
                version=self.pack.version,
                as_of=as_of,
                chain=list(self.pack.chain),
            ),
            industries=list(self.situation.industries),
            scope=sorted(self.situation.scope),
            answers={
                **dict(sorted(self.situation.answers.items())),
                **dict.fromkeys(sorted(self.situation.unknown)),
            },
            permits=permit_outs,
            elements=_fragments(self.element_outs),
            form=form,
            materials=materials,
            commitments=commitments,
            notice=notice(
                self.pack,
                self.situation.industries,
                self.situation.scope,
                self.situation.as_of,
                self.locale,
                permit_outs,
                materials,
                commitments,
                savings,
            ),
            savings=savings,
            reasons=_fragments(self.reasons),
            questions=questions,
            complete=not questions,
        )
        spliced = {
            "permits": _array(noted_permits),
            "elements": _array(self.element_outs),
            "form": [noted_form.json],
            "materials": [noted_materials.json],
            "reasons": _array(self.reasons),
        }
        return composition, spliced

    # --- permits -------------------------------------------------------------------------

    def _ordered_permits(self) -> _Required:
        """Required permits with their stage: 1, or one more than the permits whose result they use."""
        # The order reads only which permits are required, not which of their branches holds.
        ordered = self.fragments.get(("ordered", *self.branches), self._order)
        for p, _ in ordered:
            self._permit_reason(p)
        return ordered

    def _order(self) -> _Required:
        required = {pid: self.pack.permits[pid] for pid in self.branches}
        stages: dict[str, int] = {}

        def stage(pid: str) -> int:
            if pid not in stages:
                deps = [d.permit for d in required[pid].depends_on if d.permit in required]
                stages[pid] = 1 + max((stage(d) for d in deps), default=0)
            return stages[pid]

        position = {pid: i for i, pid in enumerate(self.pack.permits)}
        ordered = sorted(required.values(), key=lambda p: (stage(p.id), p.order, position[p.id]))
        return tuple((p, stages[p.id]) for p in ordered)

    def _permit_out(
        self, p: Permit, stage: int, chosen: list[str], elements: dict[str, list[tuple[str, str, str]]]
    ) -> _Noted[PermitOut]:
        decision = self._commitment_decision(p, chosen)
        commitment = self._commitment(p, decision)
        limits = [p.time_limit.statutory, p.time_limit.committed, p.notify_commit.time_limit]
        key = (
            "permit_out",
            p.id,
            self.locale,
            stage,
            decision,
            # Calendar days are counted in working days from the as-of date; working days are not.
            self.situation.as_of if any(days and days.unit is DayUnit.calendar for days in limits) else None,
            tuple(d.permit in self.branches for d in p.depends_on),
            tuple(e_id for e_id, _, _ in elements[p.id]),
        )
        return self.fragments.get(key, _noted, self._build_permit_out, p, stage, commitment, elements)

    def _build_permit_out(
        self, p: Permit, stage: int, commitment: Commitment, elements: dict[str, list[tuple[str, str, str]]]
    ) -> PermitOut:
        department = self.pack.departments[p.department]
        statutory = self._span(p.time_limit.statutory)
        committed = self._span(p.time_limit.committed) if p.time_limit.committed else None
        effective = committed or statutory
        if commitment.chosen and p.notify_commit.mode == "full" and p.notify_commit.time_limit:
            effective = self._span(p.notify_commit.time_limit)
        return PermitOut(
            id=p.id,
            name=self._name(p),
            kind=p.kind.value,
            department=p.department,
            department_name=department.name.in_(self.locale),
            legal_basis=list(p.legal_basis),
            statutory_limit=statutory,
            committed_limit=committed,
            effective_limit=effective,
            validity_years=p.validity_years,
            fee_yuan=p.fee_yuan,
            inspection=p.inspection,
            mergeable=p.mergeable,
            commitment=commitment,
            depends_on=[
                Dependency(
                    permit=d.permit,
                    name=self._name(self.pack.permits[d.permit]),
                    uses=d.uses,
                    uses_name=self.pack.materials[d.uses].name.in_(self.locale) if d.uses else None,
                )
                for d in p.depends_on
                if d.permit in self.branches
            ],
            stage=stage,
            conditions=[text for _, _, text in elements[p.id]],
        )

    def _permit_reason(self, p: Permit) -> None:
        branch = self.branches[p.id][0]
        conj = self.compiled.permit_dnf[p.id][branch]
        key = ("permit_reason", p.id, branch, self.locale, *self._branch_facts(conj))
        self.reasons.append(self.fragments.get(key, _noted, self._build_permit_reason, p, conj, branch))

    def _branch_facts(self, conj: Conjunction) -> tuple[Any, ...]:
        """The inputs a reason built from this branch reads: the industries behind its scope items, its answers."""
        return tuple(
            self.situation.scope_from.get(lit.key) if lit.kind == "scope" else self.situation.answers.get(lit.key) for lit in conj
        )

    def _build_permit_reason(self, p: Permit, conj: Conjunction, branch: int) -> Reason:
        steps = [*self._because_steps(conj), self._step(kind="permit", id=p.id, label=self._name(p))]
        steps.append(self._step(kind="rule", id=f"permit|{p.id}||{branch}", label=self.pack.location("permits", p.id)))
        steps.extend(self._step(kind="legal_basis", id=str(i), label=basis) for i, basis in enumerate(p.legal_basis))
        summary = wording.say(
            "why_permit",
            self.locale,
            permit=self._name(p),
            because=self._because_text(conj),
            basis=wording.join(p.legal_basis, self.locale),
        )
        return Reason(kind="permit", id=p.id, included=True, chain=steps, summary=summary)

    def _left_out_permits(self, required: set[str]) -> None:
        """Permits reachable from the chosen scope that the answers ruled out (or leave open)."""
        for pid in self.fragments.get(("candidates", self.situation.scope), self._candidates):
            if pid in required:
                continue
            verdict = self._verdict(("permit", pid), self.compiled.permit_dnf[pid])
            if verdict.open is not None:
                self.undecided[pid] = verdict.open
            key = ("left_out", pid, self.locale, verdict, self._shown(verdict))
            self.reasons.append(self.fragments.get(key, _noted, self._left_out_reason, self.pack.permits[pid], verdict))

    def _candidates(self) -> tuple[str, ...]:
        """The permits the chosen scope can reach, in scope order."""
        by_scope = self.compiled.permits_by_scope
        return tuple(dict.fromkeys(pid for scope_id in sorted(self.situation.scope) for pid in by_scope.get(scope_id, ())))

    def _left_out_reason(self, p: Permit, verdict: _Verdict) -> Reason:
        if verdict.open is not None:
            keys = verdict.open
            summary = wording.say("why_open_permit", self.locale, permit=self._name(p), questions=self._question_list(keys))
            steps = [self._step(kind="answer", id=k, label=self._question_text(k)) for k in keys]
        else:
            steps = [self._step(kind=lit.kind, id=lit.key, label=self._literal_text(lit)) for lit in verdict.failed]
            because = (
                wording.join([s.label for s in steps], self.locale)
                if steps
                else wording.say("because_period", self.locale, date=self.situation.as_of.isoformat())
            )
            summary = wording.say("why_not_permit", self.locale, permit=self._name(p), because=because)
        steps.append(self._step(kind="permit", id=p.id, label=self._name(p)))
        return Reason(kind="permit", id=p.id, included=False, chain=steps, summary=summary)

    # --- elements ------------------------------------------------------------------------

    def _elements(self, permits: _Required) -> dict[str, list[tuple[str, str, str]]]:
        """For each permit, its applicable elements as (id, kind, text); their entries are noted in
        element_outs, and the reasons for every element in reasons."""
        result: dict[str, list[tuple[str, str, str]]] = {}
        for p, _ in permits:
            # Most elements apply unconditionally: a permit's elements and their reasons read the
            # case only through the outcomes of its conditional ones, so are built once per outcome.
            conditional = self.fragments.get(("conditional_elements", p.id), self._conditional_elements, p)
            outcomes = tuple(self._element_outcome(p, e_id, dnf) for e_id, dnf in conditional)
            key = ("elements", p.id, self.locale, outcomes)
            result[p.id], outs, reasons = self.fragments.get(key, self._build_elements, p, conditional, outcomes)
            self.element_outs.extend(outs)
            self.reasons.extend(reasons)
        return result

    def _conditional_elements(self, p: Permit) -> tuple[tuple[str, tuple[Conjunction, ...]], ...]:
        dnfs = ((e.id, self.compiled.element_dnf[(p.id, e.id)]) for e in p.elements)
        return tuple((e_id, dnf) for e_id, dnf in dnfs if dnf != ((),))

    def _element_outcome(self, p: Permit, element_id: str, dnf: tuple[Conjunction, ...]) -> _Applies | _LeftOut:
        if ("element", p.id, element_id) in self.rule_hits:
            branch = next(c for c in dnf if evaluate((c,), self.truth))
            return _Applies(branch, self._branch_facts(branch))
        verdict = self._verdict(("element", p.id, element_id), dnf)
        return _LeftOut(verdict, self._shown(verdict))

    def _build_elements(
        self,
        p: Permit,
        conditional: tuple[tuple[str, tuple[Conjunction, ...]], ...],
        outcomes: tuple[_Applies | _LeftOut, ...],
    ) -> tuple[list[tuple[str, str, str]], tuple[_Noted[ElementOut], ...], tuple[_Noted[Reason], ...]]:
        """The permit's applicable elements as (id, kind, text), their entries, and the reasons for all."""
        outcome_of = {e_id: outcome for (e_id, _), outcome in zip(conditional, outcomes, strict=True)}
        applicable, reasons = [], []
        for e in p.elements:
            text = e.text.in_(self.locale)
            outcome = outcome_of.get(e.id)
            if isinstance(outcome, _LeftOut):
                reasons.append(_noted(self._element_left_out, p, e.id, text, outcome.verdict))
            else:
                applicable.append((e.id, e.kind.value, text))
                branch = outcome.branch if outcome else None
                reasons.append(_noted(self._element_reason, p, e.id, text, e.legal_basis or p.legal_basis, branch))
        outs = tuple(_noted(ElementOut, id=e_id, permit=p.id, kind=kind, text=text) for e_id, kind, text in applicable)
        return applicable, outs, tuple(reasons)

    def _element_left_out(self, p: Permit, element_id: str, text: str, verdict: _Verdict) -> Reason:
        steps = [self._step(kind="permit", id=p.id, label=self._name(p))]
        if verdict.open is not None:
            steps.extend(self._step(kind="answer", id=k, label=self._question_text(k)) for k in verdict.open)
            because = wording.say("depends_on", self.locale, questions=self._question_list(verdict.open))
        else:
            steps.extend(self._step(kind=lit.kind, id=lit.key, label=self._literal_text(lit)) for lit in verdict.failed)
            because = wording.join([self._literal_text(lit) for lit in verdict.failed], self.locale) or wording.say(
                "because_period", self.locale, date=self.situation.as_of.isoformat()
            )
        steps.append(self._step(kind="element", id=f"{p.id}.{element_id}", label=text))
        summary = wording.say("why_not_element", self.locale, permit=self._name(p), element=text, because=because)
        return Reason(kind="element", id=f"{p.id}.{element_id}", included=False, chain=steps, summary=summary)

    def _element_reason(self, p: Permit, element_id: str, text: str, basis: tuple[str, ...], conj: Conjunction | None) -> Reason:
        steps = [self._step(kind="permit", id=p.id, label=self._name(p))]
        because = ""
        if conj is not None:
            steps.extend(self._because_steps(conj))
            steps.append(self._step(kind="rule", id=f"element|{p.id}|{element_id}", label=self.pack.location("permits", p.id)))
            because = wording.say("parenthesised", self.locale, text=self._because_text(conj))
        steps.append(self._step(kind="element", id=f"{p.id}.{element_id}", label=text))
        steps.extend(self._step(kind="legal_basis", id=str(i), label=b) for i, b in enumerate(basis))
        summary = wording.say("why_element", self.locale, permit=self._name(p), element=text, because=because)
        return Reason(kind="element", id=f"{p.id}.{element_id}", included=True, chain=steps, summary=summary)

    # --- commitments ---------------------------------------------------------------------

    def _chosen_commitments(self, permits: _Required) -> list[str]:
        required = {p.id for p, _ in permits}
        problems = []
        for index, pid in enumerate(self.request.commit):
            where = f"commit[{index}]"
            p = self.pack.permits.get(pid)
            if p is None:
                message = wording.say("commit_unknown_permit", "zh", permit=pid)
            elif pid not in required:
                message = wording.say("commit_not_in_case", "zh", permit=p.name.zh)
            elif not self._eligible(p):
                message = self._ineligible_reason(p, "zh")
            else:
                continue
            problems.append(Problem("not_eligible_for_commitment", message, where, pid))
        if problems:
            raise InputError(problems)
        order = [p.id for p, _ in permits]
        return sorted(dict.fromkeys(self.request.commit), key=order.index)

    def _eligible(self, p: Permit) -> bool:
        return ("commit", p.id, "") in self.rule_hits

    def _commitment_decision(self, p: Permit, chosen: list[str]) -> _Decision:
        eligible = self._eligible(p)
        dnf = self.compiled.commit_dnf.get(p.id)
        # Only a condition that did not hold is explained, and only then does the reason read the case.
        verdict = self._verdict(("commit", p.id), dnf) if dnf is not None and not eligible else None
        return _Decision(eligible, p.id in chosen, verdict, self._shown(verdict) if verdict else ())

    def _commitment(self, p: Permit, decision: _Decision) -> Commitment:
        key = ("commitment", p.id, self.locale, decision)
        commitment, reason = self.fragments.get(key, self._build_commitment, p, decision.eligible, decision.chosen)
        self.reasons.append(reason)
        return commitment

    def _build_commitment(self, p: Permit, eligible: bool, chosen: bool) -> tuple[Commitment, _Noted[Reason]]:
        if eligible:
            summary = wording.say("why_commit", self.locale, permit=self._name(p))
        else:
            summary = self._ineligible_reason(p, self.locale)
        steps = [
            self._step(kind="permit", id=p.id, label=self._name(p)),
            self._step(kind="commitment", id=p.id, label=wording.say("commit_yes" if eligible else "commit_no", self.locale)),
        ]
        reason = _note(Reason(kind="commitment", id=p.id, included=eligible, chain=steps, summary=summary))
        if eligible:
            return Commitment(eligible=True, chosen=chosen, mode=p.notify_commit.mode), reason
        return Commitment(eligible=False, reason=summary), reason

    def _ineligible_reason(self, p: Permit, locale: Locale) -> str:
        nc = p.notify_commit
        if nc.risk_categories:
            names = wording.join([_RISK[c.value][locale == "en"] for c in nc.risk_categories], locale)
            return wording.say("commit_risk", locale, categories=names)
        if not nc.available:
            return wording.say("commit_not_available", locale, reason=nc.reason.in_(locale) if nc.reason else "")
        verdict = self._verdict(("commit", p.id), self.compiled.commit_dnf[p.id])
        if verdict.open is not None:
            return wording.say("commit_undecided", locale, questions=self._question_list(verdict.open, locale))
        because = wording.join([self._literal_text(lit, locale) for lit in verdict.failed], locale)
        return wording.say("commit_condition", locale, because=because)

    def _commitment_out(self, p: Permit) -> CommitmentOut:
        nc = p.notify_commit
        assert nc.letter is not None
        assert nc.follow_up is not None
        within = self._span(nc.follow_up.within)
        return CommitmentOut(
            permit=p.id,
            permit_name=self._name(p),
            mode=nc.mode,
            letter=nc.letter.in_(self.locale),
            follow_up=nc.follow_up.text.in_(self.locale),
            follow_up_within=within,
            replaces=list(nc.replaces_materials),
            deferred=list(nc.deferred_materials),
        )

    # --- materials -----------------------------------------------------------------------

    def _materials(
        self,
        permits: _Required,
        elements: dict[str, list[tuple[str, str, str]]],
        chosen: list[str],
        shape: tuple[tuple[str, tuple[str, ...]], ...],
    ) -> _Noted[tuple[MaterialOut, ...]]:
        """One entry per dedupe key: its variants merged, the permits it serves, and its status."""
        # The list reads the case only through the permits and elements that apply, which of their
        # material rules fired, the commitments chosen and the materials in effect on the day.
        hits = frozenset(hit for hit in self.rule_hits if hit[0] in ("material", "element_material"))
        key = ("materials", self.locale, shape, hits, tuple(chosen), self._in_effect("materials", self.pack.materials))
        entries, reasons = self.fragments.get(key, self._build_materials, permits, elements, chosen)
        self.reasons.extend(reasons)
        return entries

    def _build_materials(
        self, permits: _Required, elements: dict[str, list[tuple[str, str, str]]], chosen: list[str]
    ) -> tuple[_Noted[tuple[MaterialOut, ...]], tuple[_Noted[Reason], ...]]:
        needed: dict[str, dict[str, list[str]]] = {}  # key -> permit -> variants
        for p, _ in permits:
            applicable = tuple(e_id for e_id, _, _ in elements[p.id])
            for ref, target, kind in self.fragments.get(("material_refs", p.id, applicable), material_refs, p, applicable):
                dnf = self.compiled.material_dnf[(p.id, target)]
                if dnf != ((),) and (kind, p.id, target) not in self.rule_hits:
                    continue
                material = self.pack.materials[ref.material]
                if not material.in_effect(self.situation.as_of):
                    continue
                variants = needed.setdefault(ref.material, {}).setdefault(p.id, [])
                if ref.variant and ref.variant not in variants:
                    variants.append(ref.variant)
            for dep in p.depends_on:
                if dep.uses and dep.permit in self.branches:
                    needed.setdefault(dep.uses, {}).setdefault(p.id, [])

        replaced: dict[str, set[str]] = {}
        deferred: dict[str, set[str]] = {}
        for pid in chosen:
            nc = self.pack.permits[pid].notify_commit
            by_commitment = replaced if nc.mode == "materials" else deferred
            for key in [*nc.replaces_materials, *nc.deferred_materials]:
                by_commitment.setdefault(key, set()).add(pid)

        registry_order = {key: i for i, key in enumerate(self.pack.materials)}
        out, reasons = [], []
        for key in sorted(needed, key=registry_order.__getitem__):
            material = self.pack.materials[key]
            users = needed[key]
            permit_ids = [p.id for p, _ in permits if p.id in users]
            variant_ids = [v.id for v in material.variants if any(v.id in vs for vs in users.values())]
            status, note = "submit", None
            if material.produced_by and material.produced_by in self.branches:
                status = "internal"
                note = wording.say("status_internal", self.locale, permit=self._name(self.pack.permits[material.produced_by]))
            elif material.government_holds:
                status, note = "exempt", wording.say("status_exempt", self.locale)
            elif set(permit_ids) <= replaced.get(key, set()):
                status, note = "commitment", wording.say("status_commitment", self.locale)
            elif set(permit_ids) <= replaced.get(key, set()) | deferred.get(key, set()):
                status, note = "deferred", wording.say("status_deferred", self.locale)
            entry, reason = self.fragments.get(
                ("material", key, tuple(permit_ids), tuple(variant_ids), status, note, self.locale),
                self._material_out,
                material,
                permit_ids,
                variant_ids,
                status,
                note,
            )
            out.append(entry)
            reasons.append(reason)
        return _Noted(tuple(_fragments(out)), array_json(n.json for n in out)), tuple(reasons)

    def _material_out(
        self, material: Material, permit_ids: list[str], variant_ids: list[str], status: str, note: str | None
    ) -> tuple[_Noted[MaterialOut], _Noted[Reason]]:
        name = material.name.in_(self.locale)
        variant_names = [v.name.in_(self.locale) for v in material.variants if v.id in variant_ids]
        entry = MaterialOut(key=material.key, name=name, variants=variant_names, permits=permit_ids, status=status, note=note)
        needs = wording.join([self._name(self.pack.permits[pid]) for pid in permit_ids], self.locale)
        steps = [self._step(kind="permit", id=pid, label=self._name(self.pack.permits[pid])) for pid in permit_ids]
        steps.append(self._step(kind="material", id=material.key, label=name))
        reason = Reason(
            kind="material",
            id=material.key,
            included=True,
            chain=steps,
            summary=wording.say(
                "why_material" if len(permit_ids) == 1 else "why_material_shared",
                self.locale,
                material=name,
                needs=needs,
                status=wording.say("then_note", self.locale, note=note) if note else "",
            ),
        )
        return _note(entry), _note(reason)

    # --- the one form --------------------------------------------------------------------

    def _form(
        self,
        permits: _Required,
        elements: dict[str, list[tuple[str, str, str]]],
        shape: tuple[tuple[str, tuple[str, ...]], ...],
    ) -> _Noted[Form]:
        # The form reads the case only through the permits and elements that apply, the fields in
        # effect on the day, and the answers its fields are prefilled from.
        layout = (self.locale, shape, self._fields_in_effect)
        prefilled = self.fragments.get(("prefilled", *layout), self._prefilled, permits, elements)
        prefills = tuple(_typed(self.situation.answers.get(qid)) for qid in prefilled)
        form, reasons = self.fragments.get(("form", *layout, prefills), self._build_form, permits, elements)
        self.reasons.extend(reasons)
        return form

    def _prefilled(self, permits: _Required, elements: dict[str, list[tuple[str, str, str]]]) -> tuple[str, ...]:
        """The questions the form's fields are prefilled from."""
        fields = [self.pack.fields[fid] for p, _ in permits for fid in self._field_ids(p, elements)]
        return tuple(dict.fromkeys(f.prefill_from for f in fields if f.prefill_from))

    def _field_ids(self, p: Permit, elements: dict[str, list[tuple[str, str, str]]]) -> tuple[str, ...]:
        """A permit's fields in effect, its own then those of its applicable elements."""
        applicable = tuple(e_id for e_id, _, _ in elements[p.id])
        key = ("field_ids", p.id, applicable, self._fields_in_effect)
        return self.fragments.get(key, self._permit_field_ids, p, applicable)

    def _permit_field_ids(self, p: Permit, applicable: tuple[str, ...]) -> tuple[str, ...]:
        field_ids = dict.fromkeys([*p.fields, *(f for e in p.elements if e.id in applicable for f in e.fields)])
        return tuple(f for f in field_ids if self.pack.fields[f].in_effect(self.situation.as_of))

    @cached_property
    def _fields_in_effect(self) -> tuple[bool, ...]:
        return self._in_effect("fields", self.pack.fields)

    def _build_form(
        self, permits: _Required, elements: dict[str, list[tuple[str, str, str]]]
    ) -> tuple[_Noted[Form], tuple[_Noted[Reason], ...]]:
        merged: dict[str, list[str]] = {}
        sheets: list[Sheet] = []
        for p, _ in permits:
            field_ids = self._field_ids(p, elements)
            if p.mergeable:
                for fid in field_ids:
                    merged.setdefault(fid, []).append(p.id)
            else:
                sheets.append(
                    Sheet(
                        permit=p.id,
                        title=self._name(p),
                        fields=[self._field_out(self.pack.fields[f], [p.id]) for f in field_ids],
                    )
                )
        position = {fid: i for i, fid in enumerate(self.pack.fields)}
        sections = []
        for section in Section:
            ids = sorted(
                (fid for fid in merged if self.pack.fields[fid].section is section),
                key=lambda fid: (self.pack.fields[fid].order, position[fid]),
            )
            if ids:
                sections.append(
                    FormSection(
                        id=section.value,
                        title=_SECTION_TITLES[section.value][self.locale == "en"],
                        fields=[self._field_out(self.pack.fields[fid], merged[fid]) for fid in ids],
                    )
                )
        reasons = tuple(
            self.fragments.get(("field_reason", fid, tuple(users), self.locale), _noted, self._field_reason, fid, users)
            for fid, users in merged.items()
        )
        return _note(Form(title=wording.say("form_title", self.locale), sections=sections, sheets=sheets)), reasons

    def _field_reason(self, fid: str, users: list[str]) -> Reason:
        f = self.pack.fields[fid]
        needs = wording.join([self._name(self.pack.permits[pid]) for pid in users], self.locale)
        return Reason(
            kind="field",
            id=fid,
            included=True,
            chain=[self._step(kind="permit", id=pid, label=self._name(self.pack.permits[pid])) for pid in users],
            summary=wording.say("why_field", self.locale, field=f.label.in_(self.locale), needs=needs),
        )

    def _field_out(self, f: FormField, permit_ids: list[str]) -> FieldOut:
        prefill = self.situation.answers.get(f.prefill_from) if f.prefill_from else None
        key = ("field", f.id, self.locale, tuple(permit_ids), _typed(prefill))
        return self.fragments.get(key, self._build_field, f, permit_ids, prefill)

    def _build_field(self, f: FormField, permit_ids: list[str], prefill: Any) -> FieldOut:
        return FieldOut(
            id=f.id,
            label=f.label.in_(self.locale),
            type=f.type.value,
            required=f.required,
            unit=f.unit,
            min=f.min,
            max=f.max,
            max_length=f.max_length,
            options=[(o.value, o.label.in_(self.locale)) for o in f.options],
            prefill=prefill,
            help=f.help.in_(self.locale) if f.help else None,
            permits=permit_ids,
        )

    # --- savings and notice --------------------------------------------------------------

    # --- words ---------------------------------------------------------------------------

    def _name(self, p: Permit) -> str:
        return self.fragments.get(("name", p.id, self.locale), p.name.in_, self.locale)

    def _step(self, kind: str, id: str, label: str) -> Step:
        return self.fragments.get(("step", kind, id, label), Step, kind=kind, id=id, label=label)

    def _span(self, days: Days) -> Span:
        on = self.situation.as_of if days.unit is DayUnit.calendar else None
        return self.fragments.get(("span", days.days, days.unit, on, self.locale), self._build_span, days)

    def _build_span(self, days: Days) -> Span:
        if days.unit is DayUnit.working:
            working = days.days
            text = (
                wording.say("on_the_spot", self.locale)
                if days.days == 0
                else wording.say("days_working", self.locale, n=days.days)
            )
        else:
            working = working_days_within(self.situation.as_of, days.days)
            text = wording.say("days_calendar", self.locale, n=days.days)
        return Span(days=days.days, unit=days.unit.value, working_days=working, text=text)

    def _because_steps(self, conj: Conjunction) -> list[Step]:
        steps = []
        for lit in _scope_first(conj):
            if lit.kind == "scope" and lit.op == "has":
                industry = self.situation.scope_from.get(lit.key)
                if industry:
                    steps.append(
                        self._step(kind="industry", id=industry, label=self.pack.industries[industry].name.in_(self.locale))
                    )
                steps.append(self._step(kind="scope", id=lit.key, label=self.pack.scope_items[lit.key].name.in_(self.locale)))
            elif lit.kind == "answer" and lit.key != AS_OF:
                steps.append(self._step(kind="answer", id=lit.key, label=self._literal_text(lit)))
        return steps

    def _because_text(self, conj: Conjunction) -> str:
        parts = []
        for lit in _scope_first(conj):
            if lit.kind == "scope" and lit.op == "has":
                industry = self.situation.scope_from.get(lit.key)
                scope = self.pack.scope_items[lit.key].name.in_(self.locale)
                if industry:
                    parts.append(
                        wording.say(
                            "because_scope_from",
                            self.locale,
                            scope=scope,
                            industry=self.pack.industries[industry].name.in_(self.locale),
                        )
                    )
                else:
                    parts.append(wording.say("because_scope", self.locale, scope=scope))
            elif lit.kind == "answer" and lit.key != AS_OF:
                parts.append(self._literal_text(lit))
        return wording.say("and", self.locale).join(parts) or wording.say("because_always", self.locale)

    def _verdict(self, condition: tuple[str, ...], dnf: tuple[Conjunction, ...]) -> _Verdict:
        """Why the condition named ``condition`` does not hold. Keyed by its literals' truth values,
        not the answers behind them: random numbers still rule a condition out in few ways."""
        truths = tuple(map(self.truth.__getitem__, self.compiled.literals[condition]))
        return self.fragments.get(("verdict", *condition, truths), self._judge, dnf)

    def _judge(self, dnf: tuple[Conjunction, ...]) -> _Verdict:
        if evaluate(dnf, self.truth) is None:
            return _Verdict(open=tuple(sorted(open_keys(dnf, self.truth))), failed=())
        return _Verdict(open=None, failed=tuple(self._failed(dnf)))

    def _shown(self, verdict: _Verdict) -> tuple[Any, ...]:
        """What a text explaining a verdict reads of the case besides the verdict itself: the
        answers that ruled the condition out, or the as-of date when only its period did."""
        if verdict.open is not None:
            return ()
        if not verdict.failed:
            return (self.situation.as_of,)
        return tuple(_typed(self.situation.answers.get(lit.key)) for lit in verdict.failed if lit.kind == "answer")

    def _in_effect(self, registry_name: str, registry: Mapping[str, Effective]) -> tuple[bool, ...]:
        """Which of a registry's dated entries are in effect on the as-of day (most have no dates)."""
        dated = self.fragments.get(("dated", registry_name), _dated, registry)
        return tuple(registry[key].in_effect(self.situation.as_of) for key in dated)

    def _failed(self, dnf: tuple[Conjunction, ...]) -> list[Literal_]:
        """What ruled a condition out: the answers that failed the branches whose business was
        chosen, else the scope items that were (or were not) chosen."""
        truth = self.truth
        answers: dict[Literal_, None] = {}
        for conj in dnf:
            if all(truth[lit] is not False for lit in conj if lit.kind == "scope"):
                answers.update((lit, None) for lit in conj if lit.key != AS_OF and truth[lit] is False)
        if answers:
            return list(answers)
        return [lit for lit in blocking(dnf, truth) if lit.key != AS_OF]

    def _literal_text(self, lit: Literal_, locale: Locale | None = None) -> str:
        locale = locale or self.locale
        if lit.kind == "scope":
            name = self.pack.scope_items[lit.key].name.in_(locale)
            return wording.say("because_scope_chosen" if lit.op == "lacks" else "because_scope_missing", locale, scope=name)
        question = self.pack.questions[lit.key]
        value = self.situation.answers.get(lit.key)
        return wording.say(
            "because_answer",
            locale,
            question=question.text.in_(locale),
            value=shown(question, value, locale) if value is not None else wording.say("unknown", locale),
        )

    def _question_text(self, qid: str, locale: Locale | None = None) -> str:
        return self.pack.questions[qid].text.in_(locale or self.locale)

    def _question_list(self, keys: Iterable[str], locale: Locale | None = None) -> str:
        locale = locale or self.locale
        return wording.join([wording.say("quoted", locale, text=self._question_text(k, locale)) for k in keys], locale)


def _typed(value: Any) -> tuple[type, Any]:
    """A value as a memo key: an answer of 1 must not find the text written for True (1 == True)."""
    return type(value), value


def _dated(registry: Mapping[str, Effective]) -> tuple[str, ...]:
    return tuple(key for key, item in registry.items() if item.valid_from is not None or item.valid_to is not None)


def _scope_first(conj: Conjunction) -> list[Literal_]:
    """A branch read as a reason: the business first, then the answers."""
    return sorted(conj, key=lambda lit: lit.kind != "scope")


_SECTION_TITLES = {
    "applicant": ("申请人信息", "Applicant"),
    "premises": ("经营场所", "Premises"),
    "equipment": ("设备设施", "Equipment and facilities"),
    "capital": ("资金", "Capital"),
    "personnel": ("人员", "Personnel"),
    "management": ("管理制度", "Management systems"),
    "other": ("其他", "Other"),
}

_RISK = {
    "national_security": ("国家安全", "national security"),
    "public_safety": ("公共安全", "public safety"),
    "financial_prudential": ("金融审慎监管", "prudential financial supervision"),
    "ecological": ("生态环境保护", "ecological protection"),
    "health_life_property": ("直接关系人身健康、生命财产安全", "direct risk to health, life or property"),
    "foreign_affairs": ("重大涉外事项", "major foreign affairs"),
}
