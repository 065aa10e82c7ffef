"""The one form (一表申请): every required permit's fields merged, each asked once, in sections;
permits not ready for merging ride along as separate sheets."""

from __future__ import annotations

from typing import Any

from composer.case import Case, Rulebook, dated
from composer.elements import Shape
from composer.memo import memoised, typed
from composer.model import FieldOut, Form, FormSection, Locale, Reason, Sheet
from composer.reasons import permit_name, step
from composer.words import N_, join, say
from rules.model import Section

SECTION_TITLES = {
    "applicant": N_("申请人信息"),
    "premises": N_("经营场所"),
    "equipment": N_("设备设施"),
    "capital": N_("资金"),
    "personnel": N_("人员"),
    "management": N_("管理制度"),
    "other": N_("其他"),
}

Prefills = tuple[tuple[str, tuple[type, Any]], ...]
"""The answers the form's fields are prefilled from, by question."""


def merged(case: Case, shape: Shape) -> tuple[Form, tuple[Reason, ...]]:
    """The form and the reason for each merged field."""
    # The form reads the case only through the permits and elements that apply, the fields in
    # effect on the day, and the answers its fields are prefilled from.
    effective = case.in_effect("fields")
    answers = case.situation.answers
    prefills = tuple((qid, typed(answers.get(qid))) for qid in _prefilled(case.rules, shape, effective))
    return _form(case.rules, case.locale, shape, effective, prefills)


@memoised
def _prefilled(rules: Rulebook, shape: Shape, effective: tuple[bool, ...]) -> tuple[str, ...]:
    """The questions the form's fields are prefilled from."""
    fields = [rules.pack.fields[fid] for pid, applicable in shape for fid in _field_ids(rules, pid, applicable, effective)]
    return tuple(dict.fromkeys(f.prefill_from for f in fields if f.prefill_from))


@memoised
def _field_ids(rules: Rulebook, pid: str, applicable: tuple[str, ...], effective: tuple[bool, ...]) -> tuple[str, ...]:
    """A permit's fields in effect, its own then those of its applicable elements."""
    p = rules.pack.permits[pid]
    in_force = dict(zip(dated(rules, "fields"), effective, strict=True))
    field_ids = dict.fromkeys([*p.fields, *(f for e in p.elements if e.id in applicable for f in e.fields)])
    return tuple(f for f in field_ids if in_force.get(f, True))


@memoised
def _form(
    rules: Rulebook, locale: Locale, shape: Shape, effective: tuple[bool, ...], prefills: Prefills
) -> tuple[Form, tuple[Reason, ...]]:
    pack = rules.pack
    prefill = dict(prefills)
    merged: dict[str, list[str]] = {}
    sheets: list[Sheet] = []
    for pid, applicable in shape:
        field_ids = _field_ids(rules, pid, applicable, effective)
        if pack.permits[pid].mergeable:
            for fid in field_ids:
                merged.setdefault(fid, []).append(pid)
        else:
            fields = [_field(rules, f, locale, (pid,), _prefill(rules, f, prefill)) for f in field_ids]
            sheets.append(Sheet(permit=pid, title=permit_name(rules, pid, locale), fields=fields))
    in_sections: dict[Section, list[FieldOut]] = {}
    for fid in sorted(merged, key=_places(rules).__getitem__):
        field = _field(rules, fid, locale, tuple(merged[fid]), _prefill(rules, fid, prefill))
        in_sections.setdefault(pack.fields[fid].section, []).append(field)
    sections = [
        FormSection(id=section.value, title=say(SECTION_TITLES[section.value], locale), fields=fields)
        for section, fields in in_sections.items()
    ]
    why = tuple(_field_reason(rules, fid, tuple(users), locale) for fid, users in merged.items())
    reform = rules.pack.meta.wording.reform
    title = say("%(reform)s 统一申请表", locale, reform=reform.in_(locale) if reform else "")
    return Form(title=title, sections=sections, sheets=sheets), why


@memoised
def _places(rules: Rulebook) -> dict[str, tuple[int, int, int]]:
    """Where each field goes on the form: its section, then its order there, then the dictionary's order."""
    sections = {section: i for i, section in enumerate(Section)}
    return {fid: (sections[f.section], f.order, i) for i, (fid, f) in enumerate(rules.pack.fields.items())}


def _prefill(rules: Rulebook, fid: str, prefill: dict[str, tuple[type, Any]]) -> tuple[type, Any]:
    question = rules.pack.fields[fid].prefill_from
    return prefill[question] if question else typed(None)


@memoised
def _field_reason(rules: Rulebook, fid: str, users: tuple[str, ...], locale: Locale) -> Reason:
    names = [permit_name(rules, pid, locale) for pid in users]
    label = rules.pack.fields[fid].label.in_(locale)
    return Reason(
        kind="field",
        id=fid,
        included=True,
        chain=[step("permit", pid, name) for pid, name in zip(users, names, strict=True)],
        summary=say("“%(field)s”由 %(needs)s 使用，只填一次", locale, field=label, needs=join(names, locale)),
    )


@memoised
def _field(rules: Rulebook, fid: str, locale: Locale, permit_ids: tuple[str, ...], prefill: tuple[type, Any]) -> FieldOut:
    f = rules.pack.fields[fid]
    return FieldOut(
        id=fid,
        label=f.label.in_(locale),
        type=f.type.value,
        required=f.required,
        unit=f.unit,
        min=f.min,
        max=f.max,
        max_length=f.max_length,
        options=[(o.value, o.label.in_(locale)) for o in f.options],
        prefill=prefill[1],
        help=f.help.in_(locale) if f.help else None,
        permits=list(permit_ids),
    )
