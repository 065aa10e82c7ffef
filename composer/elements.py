"""The requirement elements (场所, 设备, 资金, 人员, 管理制度) of each required permit that apply to the case."""

from __future__ import annotations

from typing import Any, NamedTuple

from composer import explanations, reasons
from composer.case import Case, Rulebook
from composer.memo import memoised
from composer.model import ElementOut, Locale, Reason
from composer.permits import Applicable, Required
from composer.reasons import Verdict, permit_name, step
from composer.words import join, say
from rules.conditions import Conjunction, evaluate


class Applies(NamedTuple):
    """All a conditional element that applies reads of the case: the branch that applies it
    first, the facts a reason built from that branch reads, and the fewest facts that decide it."""

    branch: Conjunction
    facts: tuple[Any, ...]
    told: explanations.Told


class LeftOut(NamedTuple):
    """All a conditional element that does not apply reads of the case."""

    verdict: Verdict
    shown: tuple[Any, ...]
    told: explanations.Told


class Elements(NamedTuple):
    """One permit's elements for one case."""

    applicable: Applicable
    entries: tuple[ElementOut, ...]
    reasons: tuple[Reason, ...]
    """Why each of its elements is listed or not."""


Shape = tuple[tuple[str, tuple[str, ...]], ...]
"""The required permits in order, each with the ids of its applicable elements: most of what the
materials and the form read of a case."""


def applicable(case: Case, permits: Required) -> dict[str, Elements]:
    """For each required permit, its elements that apply, and the reasons for all of them."""
    found = {}
    for p, _ in permits:
        # Most elements apply unconditionally: a permit's elements and their reasons read the
        # case only through the outcomes of its conditional ones, so are built once per outcome.
        outcomes = tuple(_outcome(case, p.id, e_id, dnf) for e_id, dnf in _conditional(case.rules, p.id))
        found[p.id] = _elements(case.rules, p.id, case.locale, outcomes)
    return found


def shape(permits: Required, found: dict[str, Elements]) -> Shape:
    return tuple((p.id, tuple(e_id for e_id, _, _ in found[p.id].applicable)) for p, _ in permits)


@memoised
def _conditional(rules: Rulebook, pid: str) -> tuple[tuple[str, tuple[Conjunction, ...]], ...]:
    dnfs = ((e.id, rules.compiled.element_dnf[(pid, e.id)]) for e in rules.pack.permits[pid].elements)
    return tuple((e_id, dnf) for e_id, dnf in dnfs if dnf != ((),))


def _outcome(case: Case, pid: str, element_id: str, dnf: tuple[Conjunction, ...]) -> Applies | LeftOut:
    decided = explanations.decided(case, ("element", pid, element_id))
    if ("element", pid, element_id) in case.hits:
        branch = next(c for c in dnf if evaluate((c,), case.truth))
        return Applies(branch, case.facts(branch), decided)
    judged = reasons.verdict(case, ("element", pid, element_id))
    return LeftOut(judged, reasons.shown(case, judged), decided)


@memoised
def _elements(rules: Rulebook, pid: str, locale: Locale, outcomes: tuple[Applies | LeftOut, ...]) -> Elements:
    p = rules.pack.permits[pid]
    outcome_of = {e_id: outcome for (e_id, _), outcome in zip(_conditional(rules, pid), outcomes, strict=True)}
    applicable, why = [], []
    for e in p.elements:
        text = e.text.in_(locale)
        outcome = outcome_of.get(e.id)
        if isinstance(outcome, LeftOut):
            why.append(_left_out(rules, pid, e.id, text, outcome, locale))
        else:
            applicable.append((e.id, e.kind.value, text))
            basis = e.legal_basis or p.legal_basis
            why.append(_reason(rules, pid, e.id, text, tuple(basis), outcome, locale))
    entries = tuple(ElementOut(id=e_id, permit=pid, kind=kind, text=text) for e_id, kind, text in applicable)
    return Elements(tuple(applicable), entries, tuple(why))


def _left_out(rules: Rulebook, pid: str, element_id: str, text: str, outcome: LeftOut, locale: Locale) -> Reason:
    judged, seen, decided = outcome
    name = permit_name(rules, pid, locale)
    steps = [step("permit", pid, name)]
    explanation = None
    if judged.open is not None:
        steps.extend(reasons.open_steps(rules, judged.open, locale))
        questions = reasons.question_list(rules, judged.open, locale)
        because = say("取决于%(questions)s", locale, questions=questions)
        explanation = say("是否适用，取决于您对%(questions)s的回答。", locale, questions=questions)
    else:
        failed = reasons.ruled_out(rules, judged, seen, locale)
        steps.extend(failed)
        because = join([s.label for s in failed], locale) or reasons.in_force(seen, locale)
        facts = decided.said(rules, False, locale)
        explanation = say("%(facts)s，此条件不适用。", locale, facts=facts) if facts else None
    steps.append(step("element", f"{pid}.{element_id}", text))
    summary = say("“%(permit)s”的条件“%(element)s”未列入：%(because)s", locale, permit=name, element=text, because=because)
    return Reason(kind="element", id=f"{pid}.{element_id}", included=False, chain=steps, summary=summary, explanation=explanation)


def _reason(
    rules: Rulebook, pid: str, element_id: str, text: str, basis: tuple[str, ...], outcome: Applies | None, locale: Locale
) -> Reason:
    name = permit_name(rules, pid, locale)
    steps = [step("permit", pid, name)]
    because = ""
    explanation = None
    if outcome is not None:
        steps.extend(reasons.because_steps(rules, outcome.branch, outcome.facts, locale))
        steps.append(step("rule", f"element|{pid}|{element_id}", rules.pack.location("permits", pid)))
        because = say("（%(text)s）", locale, text=reasons.because_text(rules, outcome.branch, outcome.facts, locale))
        facts = outcome.told.said(rules, True, locale)
        explanation = say("%(facts)s。", locale, facts=facts) if facts else None
    steps.append(step("element", f"{pid}.{element_id}", text))
    steps.extend(step("legal_basis", str(i), b) for i, b in enumerate(basis))
    summary = say("“%(permit)s”的条件：%(element)s%(because)s", locale, permit=name, element=text, because=because)
    return Reason(kind="element", id=f"{pid}.{element_id}", included=True, chain=steps, summary=summary, explanation=explanation)
