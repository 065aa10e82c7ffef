"""The one materials list: one entry per dedupe key, its variants merged, the permits it serves, and
whether it is submitted, held by the government already, passed on internally or replaced by a commitment."""

from __future__ import annotations

from typing import Literal

from composer.case import Case, Hit, Rulebook, dated
from composer.elements import Shape
from composer.memo import memoised
from composer.model import Locale, MaterialOut, Reason, SampleOut
from composer.reasons import permit_name, step
from composer.savings import material_refs
from composer.words import join, say, say_n
from rules.model import DayUnit, Material, MaterialRef

Status = Literal["submit", "exempt", "internal", "commitment", "deferred"]


def listed(case: Case, shape: Shape, taken: tuple[str, ...]) -> tuple[tuple[MaterialOut, ...], tuple[Reason, ...]]:
    """The list and the reason for each entry."""
    # The list reads the case only through the permits and elements that apply, which of their
    # material rules fired, the commitments taken and the materials in effect on the day.
    hits = frozenset(hit for hit in case.hits if hit[0] in ("material", "element_material"))
    effective = case.in_effect("materials")
    return _materials(case.rules, case.locale, shape, hits, taken, effective)


@memoised
def _refs(rules: Rulebook, pid: str, applicable: tuple[str, ...]) -> tuple[tuple[MaterialRef, Hit | None], ...]:
    """A permit's material references, each with the rule that must fire to list it (none when unconditional)."""
    dnfs = rules.compiled.material_dnf
    return tuple(
        (ref, None if dnfs[(pid, target)] == ((),) else (kind, pid, target))
        for ref, target, kind in material_refs(rules.pack.permits[pid], applicable)
    )


@memoised
def _materials(
    rules: Rulebook, locale: Locale, shape: Shape, hits: frozenset[Hit], taken: tuple[str, ...], effective: tuple[bool, ...]
) -> tuple[tuple[MaterialOut, ...], tuple[Reason, ...]]:
    pack = rules.pack
    in_force = dict(zip(dated(rules, "materials"), effective, strict=True))
    required = {pid for pid, _ in shape}
    needed: dict[str, dict[str, list[str]]] = {}  # key -> permit -> variants
    for pid, applicable in shape:
        for ref, rule in _refs(rules, pid, applicable):
            if rule is not None and rule not in hits:
                continue
            if not in_force.get(ref.material, True):
                continue
            variants = needed.setdefault(ref.material, {}).setdefault(pid, [])
            if ref.variant and ref.variant not in variants:
                variants.append(ref.variant)
        for dep in pack.permits[pid].depends_on:
            if dep.uses and dep.permit in required:
                needed.setdefault(dep.uses, {}).setdefault(pid, [])

    replaced: dict[str, set[str]] = {}
    deferred: dict[str, set[str]] = {}
    for pid in taken:
        nc = pack.permits[pid].notify_commit
        by_commitment = replaced if nc.mode == "materials" else deferred
        for key in [*nc.replaces_materials, *nc.deferred_materials]:
            by_commitment.setdefault(key, set()).add(pid)

    entries, why = [], []
    for key in sorted(needed, key=_registry_order(rules).__getitem__):
        material = pack.materials[key]
        users = needed[key]
        permit_ids = tuple(pid for pid, _ in shape if pid in users)
        named = {variant for variants in users.values() for variant in variants}
        variant_ids = tuple(v.id for v in material.variants if v.id in named)
        status: Status = "submit"
        note = None
        if material.produced_by and material.produced_by in required:
            status = "internal"
            producer = permit_name(rules, material.produced_by, locale)
            note = say("由“%(permit)s”的结果内部流转，无需提交", locale, permit=producer)
        elif material.government_holds:
            status, note = "exempt", _exempt_note(material, locale)
        elif set(permit_ids) <= replaced.get(key, set()):
            status, note = "commitment", say("以告知承诺书代替", locale)
        elif set(permit_ids) <= replaced.get(key, set()) | deferred.get(key, set()):
            status, note = "deferred", _deferred_note(rules, deferred.get(key, set()), locale)
        entry, reason = _entry(rules, key, permit_ids, variant_ids, status, note, locale)
        entries.append(entry)
        why.append(reason)
    return tuple(entries), tuple(why)


@memoised
def _registry_order(rules: Rulebook) -> dict[str, int]:
    return {key: i for i, key in enumerate(rules.pack.materials)}


def _need(status: Status, tolerated: bool) -> Literal["required", "tolerated", "deferred"] | None:
    """是否必需 for what is handed in: 必要, 容缺 or 承诺后补交; nothing for what is not handed in at all."""
    if status == "submit":
        return "tolerated" if tolerated else "required"
    return "deferred" if status == "deferred" else None


def _sample(material: Material, locale: Locale) -> SampleOut | None:
    sample = material.sample
    if sample is None:
        return None
    return SampleOut(name=sample.name.in_(locale), document=sample.document, url=sample.url)


def _exempt_note(material: Material, locale: Locale) -> str:
    """Not to be submitted, and, where the pack says, which system or department the window fetches it from."""
    if material.held_by is None:
        return say("政府部门已持有，免于提交", locale)
    return say("政府部门已持有，免于提交；持有部门或系统：%(holder)s", locale, holder=material.held_by.name.in_(locale))


def _deferred_note(rules: Rulebook, by: set[str], locale: Locale) -> str:
    """When a material deferred by a commitment is due: at the soonest follow-up check of the permits deferring it."""
    checks = [rules.pack.permits[pid].notify_commit.follow_up for pid in sorted(by)]
    within = min((check.within for check in checks if check is not None), key=lambda days: days.days, default=None)
    if within is None:
        return say("承诺后于核查时提交", locale)
    if within.unit is DayUnit.working:
        days = say_n("%(n)s个工作日", locale, within.days)
    else:
        days = say_n("%(n)s日（自然日）", locale, within.days)
    return say("承诺后补交：作出决定后%(within)s内，在事后核查时提交", locale, within=days)


@memoised
def _entry(
    rules: Rulebook,
    key: str,
    permit_ids: tuple[str, ...],
    variant_ids: tuple[str, ...],
    status: Status,
    note: str | None,
    locale: Locale,
) -> tuple[MaterialOut, Reason]:
    material = rules.pack.materials[key]
    name = material.name.in_(locale)
    variant_names = [v.name.in_(locale) for v in material.variants if v.id in variant_ids]
    from_government = material.government_holds or material.produced_by is not None or material.issued_by is not None
    entry = MaterialOut(
        key=key,
        name=name,
        variants=variant_names,
        permits=list(permit_ids),
        status=status,
        note=note,
        copy_kind=material.copy_kind,
        copies=material.copies,
        medium=material.medium,
        issuer="government" if from_government else "applicant",
        issued_by=material.issued_by.in_(locale) if material.issued_by else None,
        held_by=material.held_by.name.in_(locale) if material.held_by and status == "exempt" else None,
        need=_need(status, material.tolerated),
        instructions=material.instructions.in_(locale) if material.instructions else None,
        sample=_sample(material, locale),
    )
    names = [permit_name(rules, pid, locale) for pid in permit_ids]
    steps = [*(step("permit", pid, n) for pid, n in zip(permit_ids, names, strict=True)), step("material", key, name)]
    needs, then = join(names, locale), say("；%(note)s", locale, note=note) if note else ""
    if len(permit_ids) == 1:
        summary = say("“%(material)s”：%(needs)s需要%(status)s", locale, material=name, needs=needs, status=then)
    else:
        summary = say("“%(material)s”：%(needs)s共用一份%(status)s", locale, material=name, needs=needs, status=then)
    return entry, Reason(kind="material", id=key, included=True, chain=steps, summary=summary)
