"""The coverage table: every published item of the research catalogue, and the pack entity that models it or why none does.

The catalogue (``catalog-draft.yaml`` in the shared research) lists permits, materials and industry bundles as
published; ``rules/packs/coverage.yaml`` names the pack ids where they differ and the reason where an item is
absent. An item found in no pack and given no reason is an unexplained gap: the table says so.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from rules import packs

EXPLANATIONS = packs.PACKS_DIR / "coverage.yaml"
UNEXPLAINED = "未说明"
"""What the table says for an item no pack models and no reason explains."""

_SECTIONS = (("permits", "许可事项", "id"), ("materials", "材料", "dedupe_key"), ("industries", "行业", "id"))


def table(catalogue: Path, root: Path = packs.PACKS_DIR, explanations: Path = EXPLANATIONS) -> str:
    """COVERAGE.md: one row per published permit, material, industry and bundle item."""
    draft = yaml.safe_load(catalogue.read_text(encoding="utf-8"))
    notes = yaml.safe_load(explanations.read_text(encoding="utf-8"))
    loaded = [packs.load(pack_id, root) for pack_id in packs.available(root)]
    where = {kind: _holders(loaded, kind) for kind, _, _ in _SECTIONS}
    lines = [
        "# 覆盖表（COVERAGE）",
        "",
        f"由 `yiye rules coverage` 生成：研究目录 {catalogue.name} 中每个已公布的事项、材料和行业套餐，"
        "对应到规则包中的实体（规则包: id），或说明为什么没有。",
        "",
    ]
    gaps = 0
    for kind, title, key in _SECTIONS:
        lines += [f"## {title}", "", "| 公布的条目 | 名称 | 规则包中的实体或缺少的原因 |", "|---|---|---|"]
        for item in draft.get(kind, []):
            cell = _cell(kind, item[key], where, notes)
            gaps += cell == UNEXPLAINED
            lines.append(f"| {item[key]} | {item.get('name_zh', '')} | {cell} |")
        lines.append("")
    lines += ["## 行业套餐中的事项", "", "| 行业 | 公布的事项 | 规则包中的实体或缺少的原因 |", "|---|---|---|"]
    for industry in draft.get("industries", []):
        for entry in industry.get("permits", []):
            cell = _cell("permits", entry["permit"], where, notes)
            gaps += cell == UNEXPLAINED
            lines.append(f"| {industry['id']} | {entry['permit']}（{entry.get('when', '')}） | {cell} |")
    lines += ["", f"未说明的缺口：{gaps}", ""]
    return "\n".join(lines)


def _holders(loaded: Iterable[packs.Pack], kind: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for pack in loaded:
        for entity_id in getattr(pack, kind):
            found.setdefault(entity_id, []).append(pack.id)
    return found


def _cell(kind: str, draft_id: str, where: dict[str, dict[str, list[str]]], notes: dict[str, Any]) -> str:
    ids = (notes.get("aliases", {}).get(kind) or {}).get(draft_id, [draft_id])
    modelled = [f"{', '.join(where[kind][i])}: {i}" for i in ids if i in where[kind]]
    if modelled:
        return "；".join(modelled)
    return str((notes.get("absent", {}).get(kind) or {}).get(draft_id, UNEXPLAINED))
