"""The permits the chosen business could need that its answers ruled out, or still leave open."""

from __future__ import annotations

from typing import Any

from composer import explanations, reasons
from composer.case import Case, Rulebook
from composer.memo import memoised
from composer.model import Locale, Reason
from composer.reasons import Verdict, permit_name, step
from composer.words import join, say
from rules.conditions import Conjunction, Literal_


def permits(case: Case) -> tuple[list[Reason], dict[str, tuple[str, ...]]]:
    """Permits the chosen business could need that the answers ruled out (or leave open): the
    reason for each, and the questions that decide those still open."""
    found, undecided = [], {}
    for pid in _candidates(case.rules, case.situation.scope):
        # A permit not in force on the as-of day (not yet, or no more) is nothing to tell.
        if pid in case.branches or not case.pack.permits[pid].in_effect(case.as_of):
            continue
        judged = reasons.verdict(case, ("permit", pid))
        if judged.open is not None:
            undecided[pid] = judged.open
        told = explanations.told(case, ("permit", pid))
        found.append(
            _left_out_reason(case.rules, pid, case.locale, judged, reasons.shown(case, judged), told, case.facts(told or ()))
        )
    return found, undecided


@memoised
def _candidates(rules: Rulebook, scope: frozenset[str]) -> tuple[str, ...]:
    """The permits of the chosen business's catalogue, in scope order: those with a branch whose
    scope items the choice meets, so only answers can still rule them out."""
    by_scope, dnfs = rules.compiled.permits_by_scope, rules.compiled.permit_dnf
    reached = dict.fromkeys(pid for scope_id in sorted(scope) for pid in by_scope.get(scope_id, ()))
    return tuple(pid for pid in reached if any(_meets(conj, scope) for conj in dnfs[pid]))


def _meets(conj: Conjunction, scope: frozenset[str]) -> bool:
    return all((lit.key in scope) == (lit.op == "has") for lit in conj if lit.kind == "scope")


@memoised
def _left_out_reason(
    rules: Rulebook,
    pid: str,
    locale: Locale,
    judged: Verdict,
    seen: tuple[Any, ...],
    told: tuple[Literal_, ...] | None,
    told_facts: tuple[Any, ...],
) -> Reason:
    name = permit_name(rules, pid, locale)
    if judged.open is not None:
        questions = reasons.question_list(rules, judged.open, locale)
        summary = say("是否需办理“%(permit)s”取决于：%(questions)s", locale, permit=name, questions=questions)
        explanation = say("是否需要办理，取决于您对%(questions)s的回答。", locale, questions=questions)
        steps = reasons.open_steps(rules, judged.open, locale)
    else:
        steps = reasons.ruled_out(rules, judged, seen, locale)
        because = join([s.label for s in steps], locale) if steps else reasons.in_force(seen, locale)
        summary = say("无需办理“%(permit)s”：%(because)s", locale, permit=name, because=because)
        facts = explanations.facts_text(rules, told, False, told_facts, locale) if told else because
        explanation = say("%(facts)s，无需办理。", locale, facts=facts)
    steps.append(step("permit", pid, name))
    return Reason(kind="permit", id=pid, included=False, chain=steps, summary=summary, explanation=explanation)
