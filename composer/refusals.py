"""Refusals (不予许可/不得经营): the permits that cannot be granted in this case, why, and on what law."""

from __future__ import annotations

from typing import Any

from composer import reasons
from composer.case import Case, Rulebook
from composer.memo import memoised
from composer.model import Locale, RefusalOut
from composer.permits import Required
from rules.conditions import matching


def refused(case: Case, required: Required) -> list[RefusalOut]:
    """The refusals that hold for the required permits, in the permits' order and each permit's own."""
    found = []
    for p, _ in required:
        for refusal in p.refusals:
            if ("refusal", p.id, refusal.id) not in case.hits:
                continue
            dnf = case.rules.compiled.refusal_dnf[(p.id, refusal.id)]
            branch = matching(dnf, case.truth)[0]
            found.append(_refusal(case.rules, p.id, refusal.id, branch, case.locale, case.facts(dnf[branch])))
    return found


@memoised
def _refusal(rules: Rulebook, pid: str, rid: str, branch: int, locale: Locale, facts: tuple[Any, ...]) -> RefusalOut:
    permit = rules.pack.permits[pid]
    refusal = next(r for r in permit.refusals if r.id == rid)
    conj = rules.compiled.refusal_dnf[(pid, rid)][branch]
    return RefusalOut(
        permit=pid,
        permit_name=reasons.permit_name(rules, pid, locale),
        id=rid,
        outcome=refusal.outcome.value,
        reason=refusal.text.in_(locale),
        because=reasons.because_text(rules, conj, facts, locale),
        legal_basis=list(refusal.legal_basis),
        rule=rules.pack.location("permits", pid),
    )
