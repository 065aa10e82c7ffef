"""A permit's materials as rows a person edits (材料, 版本), checked against the pack and written back to its YAML.

A row kept keeps what else its entry says (``when``, ``note``); a new row is a plain reference. Refused, each at its row:
a material or version the registry lacks, the same material and version twice, and removing the last request for a
material — a material no permit needs (材料目录中无人需要的材料) is an error of the pack, so it is refused here, before saving.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rules.packs import Pack
from service.workflow.errors import Invalid, problem


@dataclass(frozen=True)
class Row:
    """One material the permit asks for: its key, its version (variant) if any, and its place in the old list."""

    material: str
    variant: str = ""
    origin: int | None = None
    slot: int = 0
    """its place on the page (a row emptied there stays, so a refusal can be shown beside it)"""


def rows_of(refs: Any) -> list[Row]:
    """The rows of a permit's ``materials`` list as its YAML holds it."""
    return [
        Row(str(ref.get("material", "")), str(ref.get("variant") or ""), i, i)
        for i, ref in enumerate(refs or [])
        if isinstance(ref, Mapping)
    ]


def from_form(form: Mapping[str, str]) -> list[Row]:
    """The rows as posted (``mat-N-material``, ``mat-N-variant``, ``mat-N-origin``); a row without a material is to go."""
    rows = []
    for n in range(int(form.get("materials", "0") or 0) + 1):
        material, origin = form.get(f"mat-{n}-material", "").strip(), form.get(f"mat-{n}-origin", "")
        if material or origin.isdigit():
            rows.append(Row(material, form.get(f"mat-{n}-variant", "").strip(), int(origin) if origin.isdigit() else None, n))
    return rows


def refs_of(rows: Sequence[Row], old: Sequence[Any], pack: Pack, permit_id: str) -> list[dict[str, Any]]:
    """The new ``materials`` list for ``rows``, checked against ``pack``; Invalid names each wrong row's field."""
    problems, refs, seen = [], [], set()
    for row in rows:
        if not row.material:
            continue
        n = row.slot
        material = pack.materials.get(row.material)
        if material is None:
            problems.append(
                problem("unknown_material", f"规则包的材料目录中没有“{row.material}”", f"mat-{n}-material", row.material)
            )
            continue
        if row.variant and row.variant not in {v.id for v in material.variants}:
            message = f"材料“{material.name.zh}”没有版本“{row.variant}”"
            problems.append(problem("unknown_variant", message, f"mat-{n}-variant", row.variant))
            continue
        if (row.material, row.variant) in seen:
            problems.append(problem("duplicate", f"材料“{material.name.zh}”已在上面列出", f"mat-{n}-material", row.material))
            continue
        seen.add((row.material, row.variant))
        kept = dict(old[row.origin]) if row.origin is not None and row.origin < len(old) else {}
        entry = {"material": row.material, **{k: v for k, v in kept.items() if k not in ("material", "variant")}}
        refs.append({**entry, "variant": row.variant} if row.variant else entry)
    still = {ref["material"] for ref in refs} | _asked_elsewhere(pack, permit_id)
    for index, ref in enumerate(old):
        key = ref.get("material") if isinstance(ref, Mapping) else None
        if key in pack.materials and key not in still:
            name = pack.materials[key].name.zh
            message = f"删去后，材料“{name}”不再被任何许可事项需要；请保留它，或先在 YAML 视图中把它移出材料目录"
            slot = next((row.slot for row in rows if row.origin == index), 0)
            problems.append(problem("material_unneeded", message, f"mat-{slot}-material", key))
            still.add(key)
    if problems:
        raise Invalid(problems)
    return refs


def _asked_elsewhere(pack: Pack, permit_id: str) -> set[str]:
    """Materials asked for by other permits, by any permit's elements, or used as another permit's result."""
    asked = {ref.material for p in pack.permits.values() if p.id != permit_id for ref in p.materials}
    asked |= {ref.material for p in pack.permits.values() for e in p.elements for ref in e.materials}
    return asked | {dep.uses for p in pack.permits.values() for dep in p.depends_on if dep.uses}
