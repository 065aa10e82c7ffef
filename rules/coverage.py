"""The coverage table: every published item of the research catalogue, and the pack entity that models it or why none does.

The catalogue (``catalog-draft.yaml`` in the shared research) lists permits, materials and industry bundles as
published; ``rules/packs/coverage.yaml`` names the pack ids where they differ and the reason where an item is
absent. The research notes beside it (``domain.md``) add each industry's bundle (§3) and each permit's published
material lists (§4), read item by item as written there. An item found in no pack and given no reason is an
unexplained gap: the table says so.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import yaml

from rules import packs

EXPLANATIONS = packs.PACKS_DIR / "coverage.yaml"
UNEXPLAINED = "未说明"
"""What the table says for an item no pack models and no reason explains."""

_SECTIONS = (("permits", "许可事项", "id"), ("materials", "材料", "dedupe_key"), ("industries", "行业", "id"))
BUNDLES = "行业套餐中的事项"
CONTACTS = "## 审批部门的联系方式"
DOMAIN_SECTIONS = (("domain.md §3 行业套餐中的事项", "bundles"), ("domain.md §4 公布的材料清单", "materials"))


Explain = Callable[[str, str], str]
"""What the table says for one item: ``explain(kind, item)``, kind one of permits, materials, industries, domain."""


def explainer(root: Path = packs.PACKS_DIR, explanations: Path = EXPLANATIONS) -> Explain:
    """The packs under ``root`` and the notes in ``explanations``, ready to explain item after item."""
    notes = yaml.safe_load(explanations.read_text(encoding="utf-8"))
    loaded = [packs.load(pack_id, root) for pack_id in packs.available(root)]
    where = {kind: _holders(loaded, kind) for kind, _, _ in _SECTIONS}

    def explain(kind: str, item: str) -> str:
        if kind == "domain":
            return _domain_cell((notes.get("domain") or {}).get(item), where)
        return _cell(kind, item, where, notes)

    return explain


def table(catalogue: Path, root: Path = packs.PACKS_DIR, explanations: Path = EXPLANATIONS) -> str:
    """COVERAGE.md: one row per published permit, material, industry and bundle item (and domain.md's, when beside it)."""
    draft = yaml.safe_load(catalogue.read_text(encoding="utf-8"))
    explain = explainer(root, explanations)
    lines = [
        "# 覆盖表（COVERAGE）",
        "",
        f"由 `yiye rules coverage` 生成：研究目录 {catalogue.name} 中每个已公布的事项、材料和行业套餐，"
        "对应到规则包中的实体（规则包：id），或说明为什么没有。",
        "",
    ]
    gaps = 0
    for kind, title, key in _SECTIONS:
        lines += [f"## {title}", "", "| 公布的条目 | 名称 | 规则包中的实体或缺少的原因 |", "|---|---|---|"]
        for item in draft.get(kind, []):
            cell = explain(kind, item[key])
            gaps += cell == UNEXPLAINED
            lines.append(f"| {item[key]} | {item.get('name_zh', '')} | {cell} |")
        lines.append("")
    lines += [f"## {BUNDLES}", "", "| 行业 | 公布的事项 | 规则包中的实体或缺少的原因 |", "|---|---|---|"]
    for industry in draft.get("industries", []):
        for entry in industry.get("permits", []):
            cell = explain("permits", entry["permit"])
            gaps += cell == UNEXPLAINED
            lines.append(f"| {industry['id']} | {entry['permit']}（{entry.get('when', '')}） | {cell} |")
    domain = catalogue.with_name("domain.md")
    if domain.is_file():
        published = domain_items(domain.read_text(encoding="utf-8"))
        for title, section in DOMAIN_SECTIONS:
            lines += ["", f"## {title}", "", "| 出处 | 公布的条目 | 规则包中的实体或缺少的原因 |", "|---|---|---|"]
            for where_from, item in published[section]:
                cell = explain("domain", item)
                gaps += cell == UNEXPLAINED
                lines.append(f"| {where_from} | {item} | {cell} |")
    lines += ["", *contacts(root)]
    lines += ["", f"未说明的缺口：{gaps}", ""]
    return "\n".join(lines)


CONTACT_MISSING = "未找到公布的地址、办公时间、咨询电话或网上入口：告知单请申请人向受理窗口咨询"


def contacts(root: Path = packs.PACKS_DIR) -> list[str]:
    """Each deciding department of a pack with a one window: its contact's source, or that none was found."""
    lines = [CONTACTS, "", "| 规则包 | 审批部门 | 联系方式的来源 |", "|---|---|---|"]
    for pack_id in packs.available(root):
        pack = packs.load(pack_id, root)
        deciding = {p.department for p in pack.permits.values()}
        for d in pack.departments.values():
            if d.id in deciding and d.window is not None:
                found = d.contact.source.replace("|", "／") if d.contact else CONTACT_MISSING
                lines.append(f"| {pack.id} | {d.id}（{d.name.zh}） | {found} |")
    return lines


def domain_items(text: str) -> dict[str, list[tuple[str, str]]]:
    """domain.md's published items: §3 each industry's bundle, §4 each permit's material lists, as (where, item)."""
    bundles = text.split("\n## 3.")[1].split("\n## 4.")[0]
    sheets = text.split("\n## 4.")[1].split("\n## 5.")[0]
    found: dict[str, list[tuple[str, str]]] = {"bundles": [], "materials": []}
    for line in bundles.splitlines():
        if line.startswith("| **"):
            cells = line.strip("|").split("|")
            industry = cells[0].replace("*", "").strip()
            found["bundles"] += [(industry, item) for item in _items(cells[1])]
    sheet = ""
    for line in sheets.splitlines():
        if line.startswith("### "):
            sheet = line.removeprefix("### ").split(" (")[0]
        elif line.startswith("| Materials"):
            found["materials"] += [(sheet, item) for item in _items(line.strip("|").split("|", 1)[1])]
        elif line.startswith("  - Materials:"):
            found["materials"] += [(sheet, item) for item in _items(line.split(":", 1)[1])]
    return {kind: list(dict.fromkeys(items)) for kind, items in found.items()}


def _items(cell: str) -> list[str]:
    """A cell's items: split at semicolons outside brackets, brackets (conditions, sources) and emphasis dropped."""
    parts, depth, current = [], 0, ""
    for char in cell:
        depth += char in "(（["
        depth -= char in ")）]"
        if char in ";；" and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    cleaned = (re.sub(r"\s*[(（\[].*?[)）\]]", "", part).replace("*", "").strip(" .") for part in parts)
    return [item for item in cleaned if item]


def _domain_cell(named: object, where: dict[str, dict[str, list[str]]]) -> str:
    """A reason (text), the ids that model the item (a list), or both: ``{model: [ids], note: what they leave out}``."""
    if isinstance(named, str):
        return named
    note = named.get("note") if isinstance(named, dict) else None
    ids = named.get("model", []) if isinstance(named, dict) else named if isinstance(named, list) else []
    modelled = [f"{', '.join(where[kind][i])}: {i}" for i in ids for kind in ("permits", "materials") if i in where[kind]]
    if not modelled:
        return UNEXPLAINED
    return "；".join([*modelled, *([str(note)] if note else [])])


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
