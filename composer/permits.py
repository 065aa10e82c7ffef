"""The permits a case needs, in the order they can be decided, and why each applies."""

from __future__ import annotations

from datetime import date
from typing import Any

from composer import explanations, reasons
from composer.case import Case, Rulebook
from composer.memo import memoised
from composer.model import Commitment, Dependency, ElsewhereOut, Locale, PermitOut, Reason, ScopeNote
from composer.reasons import permit_name, step
from composer.terms import time_limit_notes, version
from composer.words import join, say
from composer.workdays import limit
from rules.compile import AS_OF
from rules.conditions import Conjunction, Literal_
from rules.model import DayUnit, Permit

Required = tuple[tuple[Permit, int], ...]
"""The required permits in order, each with its stage."""

Applicable = tuple[tuple[str, str, str], ...]
"""A permit's applicable elements as (id, kind, text)."""


def required(case: Case) -> Required:
    """Required permits with their stage: 1, or one more than the permits whose result they use."""
    # The order reads only which permits are required, not which of their branches holds.
    return _order(case.rules, tuple(pid for pid in case.branches if _bundled(case.rules, pid)))


def _bundled(rules: Rulebook, pid: str) -> bool:
    related = rules.pack.permits[pid].related
    return related is None or related.bundled


def elsewhere(case: Case) -> list[ElsewhereOut]:
    """Related matters the case needs that this jurisdiction's bundle does not handle: told, not applied for."""
    permits = case.rules.pack.permits
    outside = [pid for pid in permits if pid in case.branches and not _bundled(case.rules, pid)]
    outside.sort(key=lambda pid: permits[pid].order)
    return [_elsewhere(case.rules, pid, case.locale) for pid in outside]


@memoised
def _elsewhere(rules: Rulebook, pid: str, locale: Locale) -> ElsewhereOut:
    p = rules.pack.permits[pid]
    assert p.related is not None
    assert p.related.elsewhere is not None
    return ElsewhereOut(
        permit=pid,
        name=permit_name(rules, pid, locale),
        department_name=rules.pack.departments[p.department].name.in_(locale),
        statutory_limit=limit(p.time_limit.statutory, None, locale),
        elsewhere=p.related.elsewhere.in_(locale),
        legal_basis=list(p.legal_basis),
    )


@memoised
def _order(rules: Rulebook, ids: tuple[str, ...]) -> Required:
    pack = rules.pack
    needed = {pid: pack.permits[pid] for pid in ids}
    stages: dict[str, int] = {}

    def stage(pid: str) -> int:
        if pid not in stages:
            deps = [d.permit for d in needed[pid].depends_on if d.permit in needed]
            stages[pid] = 1 + max((stage(d) for d in deps), default=0)
        return stages[pid]

    position = {pid: i for i, pid in enumerate(pack.permits)}
    ordered = sorted(needed.values(), key=lambda p: (stage(p.id), p.order, position[p.id]))
    return tuple((p, stages[p.id]) for p in ordered)


Told = dict[str, tuple[Literal_, ...]]
"""The fewest facts that make each required permit apply (``told_required``), by permit."""


def why_required(case: Case, permits: Required, told: Told) -> list[Reason]:
    """For each required permit, the first branch of its condition that holds, as a reason, told
    in the fewest facts that make it apply."""
    found = []
    for p, _ in permits:
        branch = case.branches[p.id][0]
        conj = case.rules.compiled.permit_dnf[p.id][branch]
        facts = told[p.id]
        found.append(_permit_reason(case.rules, p.id, branch, case.locale, case.facts(conj), facts, case.facts(facts)))
    return found


def told_required(case: Case, pid: str) -> tuple[Literal_, ...]:
    """The fewest facts that make a required permit apply: its shortest branch that holds (the
    business the applicant chose by industry before scope items ticked alone), the date unsaid."""
    undated, held = _undated(case.rules, pid), case.branches[pid]
    if len(held) == 1:
        return undated[held[0]]
    scope_from = case.situation.scope_from
    return min(
        (undated[i] for i in held),
        key=lambda conj: (len(conj), sum(lit.kind == "scope" and not scope_from.get(lit.key) for lit in conj)),
    )


@memoised
def _undated(rules: Rulebook, pid: str) -> tuple[tuple[Literal_, ...], ...]:
    """A permit's branches without their effective-period tests."""
    return tuple(tuple(lit for lit in conj if lit.key != AS_OF) for conj in rules.compiled.permit_dnf[pid])


@memoised
def _permit_reason(
    rules: Rulebook,
    pid: str,
    branch: int,
    locale: Locale,
    facts: tuple[Any, ...],
    told: tuple[Literal_, ...],
    told_facts: tuple[Any, ...],
) -> Reason:
    p = rules.pack.permits[pid]
    conj = rules.compiled.permit_dnf[pid][branch]
    name = permit_name(rules, pid, locale)
    steps = [*reasons.because_steps(rules, conj, facts, locale), step("permit", pid, name)]
    steps.append(step("rule", f"permit|{pid}||{branch}", rules.pack.location("permits", pid)))
    steps.extend(step("legal_basis", str(i), basis) for i, basis in enumerate(p.legal_basis))
    summary = say(
        "需办理“%(permit)s”：%(because)s。依据：%(basis)s",
        locale,
        permit=name,
        because=reasons.because_text(rules, conj, facts, locale),
        basis=join(list(p.legal_basis), locale),
    )
    if told:
        explanation = say("%(facts)s。", locale, facts=explanations.facts_text(rules, told, True, told_facts, locale))
    else:
        explanation = say("经营此类业务均需办理。", locale)
    return Reason(kind="permit", id=pid, included=True, chain=steps, summary=summary, explanation=explanation)


def entry(case: Case, p: Permit, stage: int, commitment: Commitment, applicable: Applicable) -> PermitOut:
    """The permit's line in the composition."""
    extension = p.time_limit.extension
    limits = [p.time_limit.statutory, p.time_limit.committed, p.notify_commit.time_limit, extension.days if extension else None]
    # Calendar days are counted in working days from the as-of date; working days are not.
    on = case.as_of if any(days and days.unit is DayUnit.calendar for days in limits) else None
    uses = tuple(d.permit in case.branches for d in p.depends_on)
    return _entry(case.rules, p.id, case.locale, stage, commitment, on, uses, applicable)


@memoised
def _entry(
    rules: Rulebook,
    pid: str,
    locale: Locale,
    stage: int,
    commitment: Commitment,
    on: date | None,
    uses: tuple[bool, ...],
    applicable: Applicable,
) -> PermitOut:
    pack = rules.pack
    p = pack.permits[pid]
    statutory = limit(p.time_limit.statutory, on, locale)
    committed = limit(p.time_limit.committed, on, locale) if p.time_limit.committed else None
    effective = committed or statutory
    if commitment.chosen and p.notify_commit.mode == "full" and p.notify_commit.time_limit:
        effective = limit(p.notify_commit.time_limit, on, locale)
    return PermitOut(
        id=pid,
        name=permit_name(rules, pid, locale),
        kind=p.kind.value,
        department=p.department,
        department_name=pack.departments[p.department].name.in_(locale),
        legal_basis=list(p.legal_basis),
        statutory_limit=statutory,
        committed_limit=committed,
        effective_limit=effective,
        validity_years=p.validity_years,
        validity_source=p.validity_source,
        fee_yuan=p.fee_yuan,
        fee_basis=p.fee_basis,
        time_limit_notes=time_limit_notes(p, on, locale),
        inspection=p.inspection,
        mergeable=p.mergeable,
        commitment=commitment,
        depends_on=[
            Dependency(
                permit=d.permit,
                name=permit_name(rules, d.permit, locale),
                uses=d.uses,
                uses_name=pack.materials[d.uses].name.in_(locale) if d.uses else None,
            )
            for d, used in zip(p.depends_on, uses, strict=True)
            if used
        ],
        stage=stage,
        conditions=[text for _, _, text in applicable],
        version=version(p, locale),
        related=p.related is not None,
    )


def scope_notes(case: Case, told: Told) -> list[ScopeNote]:
    """The scope items ticked alone (not through an industry) that no required permit needs them
    for: said, each with the required permits whose conditions name it, if any."""
    dnfs, scope_from = case.rules.compiled.permit_dnf, case.situation.scope_from
    # A related matter done elsewhere (营业执照 in Beijing) is not where this bundle handles a scope item.
    bundled = {pid: held for pid, held in case.branches.items() if _bundled(case.rules, pid)}
    needed = {lit.key for facts in told.values() for lit in facts if lit.kind == "scope"}
    notes = []
    for scope_id in sorted(case.situation.scope - needed):
        if scope_from.get(scope_id):
            continue
        covering = tuple(pid for pid, held in bundled.items() if any(_names(dnfs[pid][i], scope_id) for i in held))
        notes.append(_scope_note(case.rules, scope_id, covering, case.locale))
    return notes


def _names(conj: Conjunction, scope_id: str) -> bool:
    return any(lit.kind == "scope" and lit.key == scope_id and lit.op == "has" for lit in conj)


@memoised
def _scope_note(rules: Rulebook, scope_id: str, covering: tuple[str, ...], locale: Locale) -> ScopeNote:
    item = rules.pack.scope_items[scope_id]
    if covering:
        names = join([say("“%(permit)s”", locale, permit=permit_name(rules, pid, locale)) for pid in covering], locale)
        text = say("不需要单独办理许可，相关要求已在%(permits)s中一并办理。", locale, permits=names)
    else:
        text = say("不需要单独办理许可：本地规定中没有以它为条件的许可或备案事项。", locale)
    return ScopeNote(scope=scope_id, name=item.name.in_(locale), text=text, source=item.source)
