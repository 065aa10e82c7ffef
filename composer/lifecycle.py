"""What an application about an issued certificate asks for (变更, 延续, 歇业, 注销), composed from the pack.

The pack's ``lifecycle`` entry gives the fields and materials the kind asks of every holder; each permit
the application touches adds what its department asks (``permits``). A material is listed once, with the
permits needing it, and is exempt when the government already holds it. A change that adds a permit also
asks what that permit asks of a new applicant (``with_added``), composed from the pack over the holder's case.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict

from composer.model import Form, FormSection, MaterialOut, Sheet
from rules.model import FieldType, LifecycleKind
from rules.packs import Pack


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AskedField(_Out):
    id: str
    label: str
    type: FieldType
    max_length: int | None
    permits: list[str]
    """empty: asked for every permit."""


class AskedMaterial(_Out):
    key: str
    name: str
    status: str
    """submit, or exempt (the government already holds it)."""
    permits: list[str]


class LifecycleAsks(_Out):
    kind: LifecycleKind
    name: str
    legal_basis: list[str]
    working_days: int
    fields: list[AskedField]
    materials: list[AskedMaterial]


class NoLifecycle(LookupError):
    """The pack does not say what this kind of application asks for."""


def asks(pack: Pack, kind: LifecycleKind, permits: Sequence[str], locale: str = "zh") -> LifecycleAsks:
    """The fields and materials an application of ``kind`` about ``permits`` asks for, each once."""
    entry = pack.lifecycle.get(kind.value)
    if entry is None:
        raise NoLifecycle(f"规则包 {pack.id} 没有规定“{kind.value}”申请需要什么")
    fields: dict[str, list[str]] = {f: [] for f in entry.fields}
    materials: dict[str, list[str]] = {m.material: [] for m in entry.materials}
    for permit in permits:
        extra = entry.permits.get(permit)
        if extra is None:
            continue
        for f in extra.fields:
            _needed_by(fields, f, permit)
        for ref in extra.materials:
            _needed_by(materials, ref.material, permit)
    return LifecycleAsks(
        kind=kind,
        name=entry.name.in_(locale),
        legal_basis=list(entry.legal_basis),
        working_days=entry.time_limit.days,
        fields=[
            AskedField(
                id=f,
                label=pack.fields[f].label.in_(locale),
                type=pack.fields[f].type,
                max_length=pack.fields[f].max_length,
                permits=needed,
            )
            for f, needed in fields.items()
        ],
        materials=[
            AskedMaterial(
                key=key,
                name=pack.materials[key].name.in_(locale),
                status="exempt" if pack.materials[key].government_holds else "submit",
                permits=needed,
            )
            for key, needed in materials.items()
        ],
    )


def _needed_by(needs: dict[str, list[str]], key: str, permit: str) -> None:
    """Note that ``permit`` needs ``key`` (an empty list already means every permit does)."""
    if key not in needs:
        needs[key] = [permit]
    elif needs[key] and permit not in needs[key]:
        needs[key].append(permit)


def with_added(needs: LifecycleAsks, form: Form, materials: Sequence[MaterialOut]) -> LifecycleAsks:
    """``needs`` and what added permits ask (their composed form and materials), each field and material once."""
    fields = {f.id: f for f in needs.fields}
    parts: list[FormSection | Sheet] = [*form.sections, *form.sheets]
    for field in (f for part in parts for f in part.fields):
        if field.id not in fields:
            fields[field.id] = AskedField(
                id=field.id, label=field.label, type=FieldType(field.type), max_length=field.max_length, permits=field.permits
            )
    listed = {m.key: m for m in needs.materials}
    for material in materials:
        if material.key not in listed:
            status = "exempt" if material.status in ("exempt", "internal") else "submit"
            listed[material.key] = AskedMaterial(key=material.key, name=material.name, status=status, permits=material.permits)
    return needs.model_copy(update={"fields": list(fields.values()), "materials": list(listed.values())})
