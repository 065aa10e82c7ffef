"""JSON Schema (draft 2020-12) of a composed one form.

One property per field, whether it sits in a section or on a separate sheet; a field shared by
a section and a sheet is one property (asked once). Each property carries ``title``, the
constraints the server checks, ``enum`` for choices and the annotations ``x-section`` (or
``x-sheet`` for a sheet's own field), ``x-permits``, ``x-field-type`` and ``x-unit``; the
top level lists the sections and sheets in order under ``x-sections`` and ``x-sheets``.

The schema describes the *clean* values ``forms.validation.validate`` returns (codes compacted,
phone numbers as ``13800138000`` / ``010-12345678``, dates ISO), so a stored draft can be
checked against it by any JSON Schema validator; the server accepts looser input.
"""

from __future__ import annotations

from typing import Any

from composer.model import FieldOut, Form

DIALECT = "https://json-schema.org/draft/2020-12/schema"

USCC_PATTERN = r"^[0-9]{8}[0-9A-HJ-NPQRTUWXY]{9}[0-9A-HJ-NPQRTUWXY]$"
ID_NUMBER_PATTERN = r"^[0-9]{17}[0-9X]$"
PHONE_PATTERN = r"^(1[3-9][0-9]{9}|0(10|2[0-9])-[0-9]{8}(-[0-9]{1,6})?|0[3-9][0-9]{2}-[0-9]{7,8}(-[0-9]{1,6})?)$"


def field_schema(f: FieldOut) -> dict[str, Any]:
    """The schema of one field's clean value, with its annotations."""
    prop: dict[str, Any] = {"title": f.label}
    if f.help:
        prop["description"] = f.help
    match f.type:
        case "number":
            prop["type"] = "number"
            if f.min is not None:
                prop["minimum"] = _num(f.min)
            if f.max is not None:
                prop["maximum"] = _num(f.max)
        case "boolean":
            prop["type"] = "boolean"
        case "date":
            prop.update(type="string", format="date")
        case "choice":
            prop.update(type="string", enum=[value for value, _ in f.options])
            prop["x-options"] = [{"const": value, "title": label} for value, label in f.options]
        case "uscc":
            prop.update(type="string", minLength=18, maxLength=18, pattern=USCC_PATTERN)
        case "id_number":
            prop.update(type="string", minLength=18, maxLength=18, pattern=ID_NUMBER_PATTERN)
        case "phone":
            prop.update(type="string", pattern=PHONE_PATTERN)
        case "email":
            prop.update(type="string", format="email", maxLength=254)
        case _:
            prop["type"] = "string"
            if f.required:
                prop["minLength"] = 1
            if f.max_length is not None:
                prop["maxLength"] = f.max_length
    if f.prefill is not None:
        prop["default"] = f.prefill
    prop["x-field-type"] = f.type
    if f.unit:
        prop["x-unit"] = f.unit
    prop["x-permits"] = list(f.permits)
    return prop


def json_schema(form: Form) -> dict[str, Any]:
    """The draft 2020-12 schema of the whole one form, sections and sheets together."""
    properties: dict[str, dict[str, Any]] = {}
    required: list[str] = []

    def add(f: FieldOut, where: dict[str, str]) -> None:
        if f.id in properties:  # asked once: the first place it appears wins, permits are merged
            known = properties[f.id]["x-permits"]
            known.extend(p for p in f.permits if p not in known)
            if f.required and f.id not in required:
                required.append(f.id)
            return
        properties[f.id] = field_schema(f) | where
        if f.required:
            required.append(f.id)

    for section in form.sections:
        for f in section.fields:
            add(f, {"x-section": section.id})
    for sheet in form.sheets:
        for f in sheet.fields:
            add(f, {"x-sheet": sheet.permit})

    return {
        "$schema": DIALECT,
        "title": form.title,
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
        "x-sections": [{"id": s.id, "title": s.title, "fields": [f.id for f in s.fields]} for s in form.sections],
        "x-sheets": [{"permit": s.permit, "title": s.title, "fields": [f.id for f in s.fields]} for s in form.sheets],
    }


def _num(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value
