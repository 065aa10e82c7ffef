"""The savings of one case: applying for each permit separately vs one form and parallel approval."""

from __future__ import annotations

from collections.abc import Collection

from composer.case import Case, Rulebook
from composer.memo import memoised
from composer.model import Form, MaterialOut, PermitOut, Savings, Tally
from rules.model import MaterialRef, Permit


def savings(case: Case, outs: list[PermitOut], materials: list[MaterialOut], form: Form) -> Savings:
    """The case's savings; ``outs`` are its required permits in order."""
    return tally([_alone(case.rules, out.id) for out in outs], outs, materials, form)


def tally(alone: list[tuple[int, int]], outs: list[PermitOut], materials: list[MaterialOut], form: Form) -> Savings:
    """Before: one application, form and set of materials per permit, decided one after another.
    After: one form, each material once, the departments deciding in parallel (a permit that needs
    another's result waits for it). ``alone`` is ``on_its_own`` of each permit, in ``outs`` order."""
    finish: dict[str, int] = {}
    for out in outs:  # ordered by stage, so dependencies come first
        start = max((finish[d.permit] for d in out.depends_on), default=0)
        finish[out.id] = start + out.effective_limit.working_days
    form_fields = sum(len(s.fields) for s in form.sections) + sum(len(s.fields) for s in form.sheets)
    return Savings(
        before=Tally(
            permits=len(outs),
            forms=len(outs),
            materials=sum(n for n, _ in alone),
            form_fields=sum(n for _, n in alone),
            working_days=sum(o.statutory_limit.working_days for o in outs),
        ),
        after=Tally(
            permits=1 if outs else 0,
            forms=(1 if form.sections else 0) + len(form.sheets),
            materials=sum(1 for m in materials if m.status in ("submit", "deferred")),
            form_fields=form_fields,
            working_days=max(finish.values(), default=0),
        ),
    )


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
