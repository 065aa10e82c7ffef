"""The one form (一表申请): every required permit's fields merged, each asked once, in sections;
permits not ready for merging ride along as separate sheets."""

from __future__ import annotations

from typing import Any, NamedTuple

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

Users = tuple[tuple[str, tuple[str, ...]], ...]
"""Fields, each with the permits that use it, in the order the form asks them."""


class Layout(NamedTuple):
    """Where each field of a form goes, and why it is asked: all of the form but the answers it is prefilled from."""

    sections: tuple[tuple[Section, Users], ...]
    sheets: tuple[tuple[str, Users], ...]
    prefilled: tuple[str, ...]
    """The questions the form's fields are prefilled from."""
    why: tuple[Reason, ...]


def merged(case: Case, shape: Shape) -> tuple[Form, tuple[Reason, ...]]:
    """The form and the reason for each merged field."""
    # The form reads the case only through the permits and elements that apply, the fields in
    # effect on the day, and the answers its fields are prefilled from. Where each field goes and
    # why it is asked is shared by every applicant whose permits ask it; the filled form is theirs.
    effective = case.in_effect("fields")
    layout = _layout(case.rules, case.locale, shape, effective)
    answers = case.situation.answers
    prefills = tuple((qid, typed(answers.get(qid))) for qid in layout.prefilled)
    return _form(case.rules, case.locale, shape, effective, prefills), layout.why


@memoised
def _field_ids(rules: Rulebook, pid: str, applicable: tuple[str, ...], effective: tuple[bool, ...]) -> tuple[str, ...]:
    """A permit's fields in effect, its own then those of its applicable elements."""
    p = rules.pack.permits[pid]
    in_force = dict(zip(dated(rules, "fields"), effective, strict=True))
    field_ids = dict.fromkeys([*p.fields, *(f for e in p.elements if e.id in applicable for f in e.fields)])
    return tuple(f for f in field_ids if in_force.get(f, True))


@memoised
def _layout(rules: Rulebook, locale: Locale, shape: Shape, effective: tuple[bool, ...]) -> Layout:
    pack = rules.pack
    merged: dict[str, list[str]] = {}
    sheets: list[tuple[str, Users]] = []
    for pid, applicable in shape:
        field_ids = _field_ids(rules, pid, applicable, effective)
        if pack.permits[pid].mergeable:
            for fid in field_ids:
                merged.setdefault(fid, []).append(pid)
        else:
            sheets.append((pid, tuple((fid, (pid,)) for fid in field_ids)))
    in_sections: dict[Section, list[tuple[str, tuple[str, ...]]]] = {}
    for fid in sorted(merged, key=_places(rules).__getitem__):
        in_sections.setdefault(pack.fields[fid].section, []).append((fid, tuple(merged[fid])))
    asked = list(merged) + [fid for _, users in sheets for fid, _ in users]
    return Layout(
        sections=tuple((section, tuple(users)) for section, users in in_sections.items()),
        sheets=tuple(sheets),
        prefilled=tuple(dict.fromkeys(q for q in (pack.fields[fid].prefill_from for fid in asked) if q)),
        why=tuple(_field_reason(rules, fid, tuple(users), locale) for fid, users in merged.items()),
    )


@memoised
def _form(rules: Rulebook, locale: Locale, shape: Shape, effective: tuple[bool, ...], prefills: Prefills) -> Form:
    layout = _layout(rules, locale, shape, effective)
    prefill = dict(prefills)
    sections = [
        FormSection(id=s.value, title=say(SECTION_TITLES[s.value], locale), fields=_fields(rules, locale, users, prefill))
        for s, users in layout.sections
    ]
    sheets = [
        Sheet(permit=pid, title=permit_name(rules, pid, locale), fields=_fields(rules, locale, users, prefill))
        for pid, users in layout.sheets
    ]
    reform = rules.pack.meta.wording.reform
    title = say("%(reform)s 统一申请表", locale, reform=reform.in_(locale) if reform else "")
    return Form(title=title, sections=sections, sheets=sheets)


def _fields(rules: Rulebook, locale: Locale, users: Users, prefill: dict[str, tuple[type, Any]]) -> list[FieldOut]:
    fields = rules.pack.fields
    return [
        _field(rules, fid, locale, permits, prefill[question] if (question := fields[fid].prefill_from) else typed(None))
        for fid, permits in users
    ]


@memoised
def _places(rules: Rulebook) -> dict[str, tuple[int, int, int]]:
    """Where each field goes on the form: its section, then its order there, then the dictionary's order."""
    sections = {section: i for i, section in enumerate(Section)}
    return {fid: (sections[f.section], f.order, i) for i, (fid, f) in enumerate(rules.pack.fields.items())}


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
