"""The savings of one case: applying for each permit separately vs one form and parallel approval."""

from __future__ import annotations

from collections.abc import Collection
from typing import NamedTuple

from composer.case import Case, Rulebook
from composer.memo import memoised
from composer.model import Form, Locale, MaterialOut, PermitOut, PublishedOut, PublishedTally, Savings, Tally
from composer.words import N_, say
from rules.model import MaterialRef, Permit

METHOD = N_(
    "计算方法：分别办理按各事项自己的办事指南计，每项一张申请表、一套材料（同一材料在不同事项中各计一次）、"
    "各自的填表要素，法定时限依次相加；一业一证按一张申请表、去重后的材料、各部门同时审批（有前置关系的依次）计。"
)
"""How the computed figures are counted: before as the separate guides did (each permit's own list), as 压减 figures count."""


def savings(case: Case, outs: list[PermitOut], materials: list[MaterialOut], form: Form) -> Savings:
    """The case's savings; ``outs`` are its required permits in order."""
    before, after = tally([_alone(case.rules, out.id) for out in outs], outs, materials, form)
    return _savings(case.rules, case.locale, before, after, case.situation.industries)


class Counts(NamedTuple):
    """A ``Tally``'s figures, hashable so the savings built from them are memoised."""

    permits: int
    forms: int
    materials: int
    form_fields: int
    working_days: int


@memoised
def _savings(rules: Rulebook, locale: Locale, before: Counts, after: Counts, industries: tuple[str, ...]) -> Savings:
    published = [p for industry_id in industries for p in _published(rules, industry_id, locale)]
    return Savings(
        before=Tally(**before._asdict()),
        after=Tally(**after._asdict()),
        method=say(METHOD, locale),
        published=published,
    )


def _published(rules: Rulebook, industry_id: str, locale: Locale) -> tuple[PublishedOut, ...]:
    industry = rules.pack.industries[industry_id]
    return tuple(
        PublishedOut(
            industry=industry.name.in_(locale),
            before=PublishedTally(**p.before.model_dump()),
            after=PublishedTally(**p.after.model_dump()),
            source=p.source,
            note=p.note.in_(locale) if p.note else None,
        )
        for p in industry.published
    )


def tally(alone: list[tuple[int, int]], outs: list[PermitOut], materials: list[MaterialOut], form: Form) -> tuple[Counts, Counts]:
    """Before: one application, form and set of materials per permit, decided one after another.
    After: one form, each material once, the departments deciding in parallel (a permit that needs
    another's result waits for it). ``alone`` is ``on_its_own`` of each permit, in ``outs`` order."""
    finish: dict[str, int] = {}
    for out in outs:  # ordered by stage, so dependencies come first
        start = max((finish[d.permit] for d in out.depends_on), default=0)
        finish[out.id] = start + out.effective_limit.working_days
    form_fields = sum(len(s.fields) for s in form.sections) + sum(len(s.fields) for s in form.sheets)
    before = Counts(
        permits=len(outs),
        forms=len(outs),
        materials=sum(n for n, _ in alone),
        form_fields=sum(n for _, n in alone),
        working_days=sum(o.statutory_limit.working_days for o in outs),
    )
    after = Counts(
        permits=1 if outs else 0,
        forms=(1 if form.sections else 0) + len(form.sheets),
        materials=sum(1 for m in materials if m.status in ("submit", "deferred")),
        form_fields=form_fields,
        working_days=max(finish.values(), default=0),
    )
    return before, after


@memoised
def _alone(rules: Rulebook, pid: str) -> tuple[int, int]:
    return on_its_own(rules.pack.permits[pid])


def on_its_own(p: Permit) -> tuple[int, int]:
    """How many materials and form fields a permit asks for when applied for on its own."""
    materials = {ref.material for ref, _, _ in material_refs(p, {e.id for e in p.elements})}
    fields = {*p.fields, *(f for e in p.elements for f in e.fields)}
    return len(materials | {d.uses for d in p.depends_on if d.uses}), len(fields)


def material_refs(p: Permit, applicable: Collection[str]) -> tuple[tuple[MaterialRef, str, str], ...]:
    """A permit's material references with their rule target, own and from applicable elements."""
    refs = [(ref, str(i), "material") for i, ref in enumerate(p.materials)]
    for e in p.elements:
        if e.id in applicable:
            refs.extend((ref, f"{e.id}.{i}", "element_material") for i, ref in enumerate(e.materials))
    return tuple(refs)
