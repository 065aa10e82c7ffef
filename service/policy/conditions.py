"""The condition builder: a permit's ``applies_when`` as rows a person fills in (全部满足 / 任一满足, each row 经营范围包含 or
回答 … with an operator, or a group of such rows under its own 全部满足 / 任一满足; any row optionally 不满足), read from
and written back to the YAML the packs use.

One level of groups fits the rows (``all``/``any`` over leaves and groups of leaves, each perhaps under ``not``); a
deeper condition is edited in the YAML view. Rows are checked against the pack before anything is written: a question or
scope item the pack lacks, an operator its question type does not take, a value of the wrong type — each named at its row's field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rules.errors import Problem
from rules.model import Question, QuestionType
from rules.packs import Pack
from service.workflow.errors import Invalid, problem

COMBINATORS = {"all": "全部满足", "any": "任一满足"}
OPERATORS = {
    "is": "等于",
    "is_not": "不等于",
    "lt": "小于",
    "lte": "小于等于",
    "gt": "大于",
    "gte": "大于等于",
    "in": "在…之中",
    "contains": "包含",
    "any_of": "包含任一",
}
COMPARISONS = ("lt", "lte", "gt", "gte")
LISTS = ("in", "any_of")
YES, NO = ("是", "true", "yes"), ("否", "false", "no")


@dataclass(frozen=True)
class Row:
    """One leaf (``scope:<id>`` or ``answer:<question>``, an operator for answers, a value as typed) or a group
    (``group:all`` / ``group:any`` and its rows), and 不满足."""

    subject: str
    op: str = "is"
    value: str = ""
    negated: bool = False
    group: Builder | None = None


@dataclass(frozen=True)
class Builder:
    combinator: str
    rows: tuple[Row, ...]


def builder_of(condition: Any) -> Builder | None:
    """The rows of a condition (as loaded from YAML); None when it nests deeper than the rows can show."""
    if isinstance(condition, Mapping) and len(condition) == 1 and next(iter(condition)) in COMBINATORS:
        group = _group(condition, nested=True)
        return group.group if group else None
    row = _row(condition, nested=True)
    return None if row is None else Builder("all", (row,))


def from_form(form: Mapping[str, str]) -> Builder:
    """The rows as posted (``combinator``; ``row-N-subject|op|value|not``, and a group's ``row-N-M-…``); a row without a
    subject is dropped."""
    return Builder(form.get("combinator", "all"), _rows_of(form, "row-", nested=True))


def _rows_of(form: Mapping[str, str], prefix: str, nested: bool) -> tuple[Row, ...]:
    slots = sorted({int(m.group(1)) for key in form if (m := re.fullmatch(rf"{prefix}(\d+)-subject", key))})
    rows = []
    for n in slots:
        subject, where = form.get(f"{prefix}{n}-subject", "").strip(), f"{prefix}{n}-"
        negated = bool(form.get(f"{where}not"))
        if subject.startswith("group:") and nested:
            group = Builder(subject.removeprefix("group:"), _rows_of(form, where, False))
            rows.append(Row(subject, negated=negated, group=group))
        elif subject:
            rows.append(Row(subject, form.get(f"{where}op", "is"), form.get(f"{where}value", "").strip(), negated))
    return tuple(rows)


def condition_of(builder: Builder, pack: Pack) -> dict[str, Any]:
    """The YAML value for ``builder``, checked against ``pack``; Invalid names each wrong row's field."""
    problems: list[Problem] = []
    if builder.combinator not in COMBINATORS:
        problems.append(problem("bad_combinator", "请选择“全部满足”或“任一满足”", "combinator", builder.combinator))
    if not builder.rows:
        problems.append(problem("required", "适用条件至少要有一条", "row-0-subject"))
    items = _items(builder.rows, pack, "row-", "", problems)
    if problems:
        raise Invalid(problems)
    if len(items) == 1 and not builder.rows[0].negated and builder.rows[0].group is None:
        return items[0]
    return {builder.combinator: items}


def _items(rows: tuple[Row, ...], pack: Pack, prefix: str, within: str, problems: list[Problem]) -> list[dict[str, Any]]:
    items = []
    for n, row in enumerate(rows):
        where, name = f"{prefix}{n}-", f"{within}第{n + 1}条"
        if row.group is not None:
            if row.group.combinator not in COMBINATORS:
                message = f"{name}：请选择“全部满足”或“任一满足”"
                problems.append(problem("bad_combinator", message, f"{where}subject", row.subject))
            if not row.group.rows:
                problems.append(problem("required", f"{name}：一组条件至少要有一条", f"{where}0-subject"))
            node = {row.group.combinator: _items(row.group.rows, pack, where, f"{name}中的", problems)}
        else:
            try:
                node = _leaf(row, pack)
            except ValueError as exc:
                field, message = exc.args
                problems.append(problem("bad_condition", f"{name}：{message}", f"{where}{field}", row.subject))
                continue
        items.append({"not": node} if row.negated else node)
    return items


def _group(node: Mapping[str, Any], nested: bool) -> Row | None:
    combinator, items = next(iter(node.items()))
    rows = [_row(item, nested) for item in items] if isinstance(items, list) else [None]
    if any(r is None for r in rows):
        return None
    return Row(f"group:{combinator}", group=Builder(combinator, tuple(r for r in rows if r)))


def _row(node: Any, nested: bool = False) -> Row | None:
    """A leaf, or (``nested``: at the top level) a group of leaves; either perhaps under ``not``."""
    negated = isinstance(node, Mapping) and set(node) == {"not"}
    leaf = node["not"] if negated else node
    if not isinstance(leaf, Mapping):
        return None
    if nested and len(leaf) == 1 and next(iter(leaf)) in COMBINATORS:
        group = _group(leaf, nested=False)
        return None if group is None else Row(group.subject, negated=negated, group=group.group)
    if set(leaf) == {"scope"}:
        return Row(f"scope:{leaf['scope']}", negated=negated)
    ops = [op for op in OPERATORS if op in leaf]
    if "answer" not in leaf or len(ops) != 1 or len(leaf) != 2:
        return None
    return Row(f"answer:{leaf['answer']}", ops[0], _typed_back(leaf[ops[0]]), negated)


def _typed_back(value: Any) -> str:
    if isinstance(value, bool):
        return YES[0] if value else NO[0]
    if isinstance(value, list):
        return "、".join(_typed_back(v) for v in value)
    return str(value)


def _leaf(row: Row, pack: Pack) -> dict[str, Any]:
    kind, _, name = row.subject.partition(":")
    if kind == "scope":
        if name not in pack.scope_items:
            raise ValueError("subject", f"规则包中没有经营范围“{name}”")
        return {"scope": name}
    question = pack.questions.get(name) if kind == "answer" else None
    if question is None:
        raise ValueError("subject", f"规则包中没有问题“{name}”")
    if row.op not in OPERATORS:
        raise ValueError("op", f"没有比较方式“{row.op}”")
    return {"answer": name, row.op: _value(question, row.op, row.value)}


def _value(question: Question, op: str, raw: str) -> Any:
    """The typed value of a row for ``question``; ValueError("value" or "op", why) in Chinese."""
    multi = question.type is QuestionType.multi_choice
    if multi != (op in ("contains", "any_of")):
        allowed = "“包含”或“包含任一”" if multi else "“包含”和“包含任一”以外的比较"
        raise ValueError("op", f"问题“{question.text.zh}”只能用{allowed}")
    if op in COMPARISONS and question.type is not QuestionType.number:
        raise ValueError("op", f"“{OPERATORS[op]}”只适用于数值问题，“{question.text.zh}”不是")
    if not raw:
        raise ValueError("value", "请填写取值")
    if op in LISTS:
        return [_one(question, part) for part in re.split(r"\s*[、,，]\s*", raw) if part]
    return _one(question, raw)


def _one(question: Question, raw: str) -> Any:
    if question.type is QuestionType.boolean:
        if raw.lower() in YES or raw.lower() in NO:
            return raw.lower() in YES
        raise ValueError("value", f"“{question.text.zh}”是是非题，取值须为“是”或“否”")
    if question.type is QuestionType.number:
        try:
            number = float(raw)
        except ValueError:
            raise ValueError("value", f"“{question.text.zh}”是数值问题，取值须为数字，不能是“{raw}”") from None
        return int(number) if number.is_integer() and re.fullmatch(r"-?\d+", raw) else number
    options = {o.value for o in question.options}
    if raw not in options:
        raise ValueError("value", f"“{raw}”不是问题“{question.text.zh}”的选项（可选：{'、'.join(sorted(options))}）")
    return raw
