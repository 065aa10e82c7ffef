"""A pack's catalogue as policy staff browse it: every entity with its Chinese name and where it is written, searchable;
and a permit resolved through its overlays, each field with the pack file and line it comes from."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from rules import packs, yamlsource
from rules.model import Effective
from rules.packs import Pack
from service.policy import conditions
from service.workflow.errors import NotFound, problem

KINDS = {
    "industries": "行业",
    "scope_items": "经营范围",
    "questions": "情形问题",
    "permits": "许可事项",
    "materials": "材料",
    "fields": "表单字段",
}
ELEMENT_KINDS = {"premises": "场所", "equipment": "设备", "capital": "资金", "personnel": "人员", "management": "管理制度"}
QUESTION_TYPES = {"boolean": "是非题", "number": "数值题", "choice": "单选题", "multi_choice": "多选题"}
SECTIONS = {**ELEMENT_KINDS, "applicant": "申请人", "other": "其他"}
FIELD_WORDS = {
    "id": "编号",
    "name": "名称",
    "zh": "中文",
    "en": "英文",
    "kind": "类别",
    "department": "部门",
    "legal_basis": "法律依据",
    "applies_when": "适用条件",
    "time_limit": "办理时限",
    "statutory": "法定",
    "committed": "承诺",
    "days": "天数",
    "unit": "单位",
    "validity_years": "有效期（年）",
    "fee_yuan": "收费（元）",
    "inspection": "现场核查",
    "mergeable": "并入一表",
    "depends_on": "前置许可",
    "permit": "许可事项",
    "uses": "使用其结果",
    "notify_commit": "告知承诺",
    "available": "可告知承诺",
    "mode": "方式",
    "when": "条件",
    "reason": "不适用理由",
    "letter": "承诺书",
    "follow_up": "事后核查",
    "within": "期限",
    "deferred_materials": "容后补交材料",
    "replaces_materials": "以承诺代替的材料",
    "risk_categories": "风险类别",
    "fields": "表单字段",
    "materials": "材料",
    "material": "材料",
    "variant": "版本",
    "note": "说明",
    "elements": "要素",
    "text": "内容",
    "refusals": "不予许可情形",
    "outcome": "结果",
    "valid_from": "生效日期",
    "valid_to": "失效日期",
    "source": "来源",
    "order": "排序",
    "extension": "延长",
    "approval": "批准",
    "basis": "依据",
    "not_counted": "不计入时限",
    "not_counted_basis": "不计入时限的依据",
    "excluded": "不适用告知承诺的类别",
    "category": "类别",
    "validity_source": "有效期来源",
    "fee_basis": "收费依据",
    "related": "关联事项",
    "bundled": "在本地套餐中办理",
    "elsewhere": "另行办理之处",
    "versions": "分时段版本",
    "formerly": "曾用编号",
    **conditions.COMBINATORS,
    "not": "不满足",
    "scope": "经营范围包含",
    "answer": "回答",
    **conditions.OPERATORS,
}


@dataclass(frozen=True)
class Entry:
    """One entity of the catalogue: kind, id, Chinese name, a line about it, and ``pack/file.yaml:line``."""

    kind: str
    id: str
    name: str
    detail: str
    where: str
    parts: tuple[str, ...] = ()
    """for a permit, its requirement elements (kind: text)"""
    period: str = ""
    """when it enters or leaves the catalogue, said against today (尚未生效 / 已失效)"""


@dataclass(frozen=True)
class Provenance:
    """One field of a resolved permit: its path in plain words, its value, and the pack file and line it comes from."""

    path: str
    label: str
    value: str
    where: str
    pack: str


def entries(pack: Pack, today: date) -> list[Entry]:
    """Every industry, scope item, question, permit (with its elements), material and form field of ``pack``."""
    departments = {d.id: d.name.zh for d in pack.departments.values()}
    scope = {s.id: s.name.zh for s in pack.scope_items.values()}
    at = pack.location
    found = [
        Entry("industries", i.id, i.name.zh, "、".join(scope.get(s, s) for s in i.scope), at("industries", i.id), i.keywords)
        for i in pack.industries.values()
    ]
    found += [Entry("scope_items", s.id, s.name.zh, "", at("scope_items", s.id), s.keywords) for s in pack.scope_items.values()]
    found += [Entry("questions", q.id, q.text.zh, QUESTION_TYPES[q.type], at("questions", q.id)) for q in pack.questions.values()]
    found += [
        Entry(
            "permits", p.id, p.name.zh, departments.get(p.department, p.department), at("permits", p.id),
            tuple(f"{ELEMENT_KINDS[e.kind]}：{e.text.zh}" for e in p.elements),
        )
        for p in pack.permits.values()
    ]  # fmt: skip
    found += [
        Entry("materials", m.key, m.name.zh, "、".join(v.name.zh for v in m.variants), at("materials", m.key))
        for m in pack.materials.values()
    ]
    found += [Entry("fields", f.id, f.label.zh, SECTIONS[f.section], at("fields", f.id)) for f in pack.fields.values()]
    return [replace(e, period=_period(getattr(pack, e.kind)[e.id], today)) for e in found]


def search(pack: Pack, query: str, today: date) -> list[Entry]:
    """The entries whose id, Chinese name, English name, keywords or elements contain every word of ``query``."""
    words = [w.casefold() for w in re.split(r"[\s，、,]+", query) if w]
    english = _english(pack)
    found = []
    for entry in entries(pack, today):
        text = " ".join((entry.id, entry.name, english.get((entry.kind, entry.id), ""), *entry.parts)).casefold()
        if all(word in text for word in words):
            found.append(entry)
    return found


def resolved_permit(pack_id: str, permit_id: str, root: Path) -> list[Provenance]:
    """Every field of ``permit_id`` as ``pack_id`` has it after its parents and overlays, with where each comes from."""
    resolved, merged = packs.resolve(pack_id, root)
    raw = merged["permits"].get(permit_id)
    if raw is None:
        raise NotFound([problem("unknown_permit", f"规则包“{pack_id}”中没有许可事项“{permit_id}”", "permit", permit_id)])
    rows = []
    for path, value, file, line in yamlsource.leaves(raw.data):
        where = Path(file)
        shown = where.relative_to(root).as_posix() if where.is_relative_to(root) else where.name
        rows.append(Provenance(path, field_label(path), as_yaml(value), f"{shown}:{line}", shown.split("/")[0]))
    return rows


def as_yaml(value: Any) -> str:
    """A resolved value as its YAML reads: text as it is, anything else as JSON (``true``, ``null``, ``30``)."""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _period(entity: Effective, today: date) -> str:
    start, end = entity.valid_from, entity.valid_to
    if start is None and end is None:
        return ""
    span = "，".join(part for part in (start and f"{start.isoformat()} 起", end and f"{end.isoformat()} 止") if part)
    if start and start > today:
        return f"尚未生效（{span}）"
    if end and end < today:
        return f"已失效（{span}）"
    return f"有效（{span}）"


def field_label(dotted: str) -> str:
    """``time_limit.statutory.days`` → 办理时限 › 法定 › 天数; list items by their position."""
    parts = re.findall(r"[^.\[\]]+|\[\d+\]", dotted)
    return " › ".join(f"第{int(p[1:-1]) + 1}项" if p.startswith("[") else FIELD_WORDS.get(p, p) for p in parts)


def _english(pack: Pack) -> dict[tuple[str, str], str]:
    names: dict[tuple[str, str], str] = {}
    for kind in ("industries", "scope_items", "permits", "materials"):
        for id_, entity in getattr(pack, kind).items():
            names[(kind, id_)] = entity.name.en or ""
    return names
