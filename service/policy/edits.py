"""A permit's fields that matter most, read from and written into its YAML file with comments and key order kept.

The desk's structured form edits time limits, the numeric thresholds in the permit's applicability condition
and its effective dates; everything else goes through the YAML view. Edits are made with ruamel.yaml's
round trip, so the lines an edit does not touch come back byte for byte.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from service.workflow.errors import Invalid, NotFound, problem

Path = tuple[str | int, ...]

LABELS: dict[Path, str] = {
    ("time_limit", "statutory", "days"): "法定办理时限（工作日）",
    ("time_limit", "committed", "days"): "承诺办理时限（工作日）",
    ("valid_from",): "生效日期",
    ("valid_to",): "失效日期",
}
THRESHOLD_OPS = {"lt": "小于", "lte": "小于等于", "gt": "大于", "gte": "大于等于"}
WORDS = {"applies_when": "适用条件", "materials": "材料"}


@dataclass(frozen=True)
class FormField:
    """One field of the structured form: its key (a dotted path in the permit), Chinese label, value and line."""

    key: str
    label: str
    value: str
    line: int | None


def _yaml() -> YAML:
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap a long line the author wrote on one
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def key_of(path: Path) -> str:
    return ".".join(str(part) for part in path)


def path_of(key: str) -> Path:
    return tuple(int(part) if part.isdigit() else part for part in key.split("."))


def defines(text: str, permit_id: str) -> bool:
    """Whether this file's ``permits`` list holds ``permit_id``."""
    try:
        _permit(_yaml().load(text), permit_id)
    except NotFound:
        return False
    return True


def permit_fields(text: str, permit_id: str) -> list[FormField]:
    """The structured form of ``permit_id`` as this file holds it: time limits, effective dates, thresholds."""
    permit = _permit(_yaml().load(text), permit_id)
    fields = []
    for path, label in {**LABELS, **_thresholds(permit)}.items():
        value, line = _get(permit, path)
        fields.append(FormField(key_of(path), label, "" if value is None else str(value), line))
    return fields


MATERIAL_LABELS: dict[Path, str] = {
    ("name", "zh"): "名称（中文）",
    ("name", "en"): "名称（英文）",
    ("government_holds",): "政府已持有，免于提交",
    ("commit_substitutable",): "可以承诺代替",
}
SWITCHES = (("government_holds",), ("commit_substitutable",))


def defines_material(text: str, key: str) -> bool:
    """Whether this file's ``materials`` registry holds ``key``."""
    return _material(_yaml().load(text), key) is not None


def material_fields(text: str, key: str) -> list[FormField]:
    """The registry entry of material ``key`` as a form: its names and whether it is exempt or replaceable by a commitment."""
    material = _material(_yaml().load(text), key)
    fields = []
    for path, label in MATERIAL_LABELS.items():
        value, line = _get(material, path)
        shown = ("1" if value else "") if path in SWITCHES else ("" if value is None else str(value))
        fields.append(FormField(key_of(path), label, shown, line))
    return fields


def apply_material(text: str, key: str, changes: dict[str, str]) -> str:
    """``text`` with material ``key``'s fields set as typed (a switch: "1" on, anything else off); every other byte kept."""
    for dotted, raw in changes.items():
        path = path_of(dotted)
        if path not in MATERIAL_LABELS:
            raise Invalid([problem("unknown_field", f"材料没有可在此编辑的字段“{dotted}”", dotted, key)])
        value: Any = raw == "1" if path in SWITCHES else raw.strip() or None
        if path == ("name", "zh") and value is None:
            raise Invalid([problem("required", "请填写材料的中文名称", dotted, key)])
        material = _material(_yaml().load(text), key)
        current = _get(material, path)[0]
        if value != current and not (path in SWITCHES and not value and current is None):
            try:
                text = _write(text, material, path, value)
            except ValueError as exc:
                raise Invalid([problem("not_editable", f"“{MATERIAL_LABELS[path]}”{exc}", dotted, key)]) from None
    return text


def _material(doc: Any, key: str) -> Any:
    entries = doc.get("materials", []) if isinstance(doc, dict) else []
    return next((e for e in entries if isinstance(e, CommentedMap) and e.get("key") == key), None)


def value_of(text: str, permit_id: str, key: str) -> Any:
    """The permit's ``key`` as this file holds it (a condition, a list), or None."""
    return _permit(_yaml().load(text), permit_id).get(key)


def apply(text: str, permit_id: str, changes: dict[str, str]) -> str:
    """``text`` with the permit's fields set to ``changes`` (key → value as typed; empty removes an optional one)."""
    problems = []
    for key, raw in changes.items():
        permit = _permit(_yaml().load(text), permit_id)
        allowed = {**LABELS, **_thresholds(permit)}
        path = path_of(key)
        if path not in allowed:
            problems.append(problem("unknown_field", f"许可事项“{permit_id}”没有可在此编辑的字段“{key}”", key, permit_id))
            continue
        try:
            value = _parse(path, raw.strip())
            if value != _get(permit, path)[0]:
                text = _write(text, permit, path, value)
        except ValueError as exc:
            problems.append(problem("bad_value", f"“{allowed[path]}”{exc}", key, permit_id))
    if problems:
        raise Invalid(problems)
    return text


def set_leaf(text: str, path: Path, value: Any) -> str:
    """``text`` with the scalar at ``path`` (from the document's root) replaced; every other byte kept."""
    return _write(text, _yaml().load(text), path, value)


def _write(text: str, root: Any, path: Path, value: Any) -> str:
    """Splice ``value`` into ``text`` where ruamel says the scalar at ``path`` (under ``root``) is.

    Only that scalar's characters change (a new top-level key is one new line; removing one drops its line):
    re-emitting the whole document would reflow flow lists and drop anchors the authors wrote.
    """
    lines = text.splitlines(keepends=True)
    parent, _ = _get(root, path[:-1])
    key = path[-1]
    present = isinstance(parent, CommentedMap) and key in parent
    if present and value is not None:
        row, col = parent.lc.value(key)
        match = _QUOTED.match(lines[row], col) or _PLAIN.match(lines[row], col)
        if match is None:
            raise ValueError("在文件中不是简单取值，请在 YAML 视图中修改")
        lines[row] = lines[row][:col] + flow(value) + lines[row][match.end() :]
        return "".join(lines)
    anchor = next((k for k in ("id", "key") if isinstance(root, CommentedMap) and k in root), None)
    if len(path) == 1 and anchor:
        row, col = root.lc.key(key) if present else root.lc.key(anchor)
        if value is None:
            del lines[row]
        else:
            lines.insert(row + 1, f"{' ' * col}{key}: {flow(value)}\n")
        return "".join(lines)
    if value is None:
        return text
    raise ValueError("在文件中尚未写出，请在 YAML 视图中添加")


def set_value(text: str, permit_id: str, key: str, value: Any) -> str:
    """``text`` with the permit's ``key`` (a condition, a list) set to ``value``, written on the key's line in flow style
    as the packs write conditions; the old value's lines go, every other line stays byte for byte."""
    doc = _yaml().load(text)
    permit = _permit(doc, permit_id)
    lines = text.splitlines(keepends=True)
    if permit.fa.flow_style() or key not in permit:
        raise Invalid(
            [problem("not_editable", f"“{WORDS.get(key, key)}”在文件中无法直接改写，请在 YAML 视图中修改", key, permit_id)]
        )
    row, col = permit.lc.key(key)
    end = _end(doc, permit, key, len(lines))
    while end - 1 > row and (not lines[end - 1].strip() or lines[end - 1].lstrip().startswith("#")):
        end -= 1  # blank lines and comments before the next key belong to it
    lines[row:end] = [f"{lines[row][:col]}{key}: {flow(value)}\n"]
    return "".join(lines)


def flow(value: Any) -> str:
    """``value`` as one line of flow-style YAML, every mapping in braces as the packs write them."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(flow(v) for v in value) + "]"
    if isinstance(value, str) and not (_BARE.fullmatch(value) and value.lower() not in _RESERVED):
        return json.dumps(value, ensure_ascii=False)  # a JSON string is a double-quoted YAML scalar
    return _scalar(value)


_BARE = re.compile(r"[A-Za-z_\u4e00-\u9fff][\w\u4e00-\u9fff.-]*")
_RESERVED = {"true", "false", "yes", "no", "on", "off", "null", "y", "n"}


def _end(doc: CommentedMap, permit: CommentedMap, key: str, length: int) -> int:
    """The line after the value of the permit's ``key``: the next key's, the next permit's, the next top-level key's."""
    keys = list(permit)
    if keys.index(key) + 1 < len(keys):
        return int(permit.lc.key(keys[keys.index(key) + 1])[0])
    permits, top = doc["permits"], list(doc)
    index = next(i for i, entry in enumerate(permits) if entry is permit)
    if index + 1 < len(permits):
        return int(permits.lc.item(index + 1)[0])
    if top.index("permits") + 1 < len(top):
        return int(doc.lc.key(top[top.index("permits") + 1])[0])
    return length


_QUOTED = re.compile(r'"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\n]|\'\')*\'')
_PLAIN = re.compile(r"[^\s,\]\}#][^,\]\}#\n]*?(?=\s*(?:[,\]\}]|\s#|$))")


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value.isoformat() if isinstance(value, date) else str(value)


def leaves(text: str) -> dict[Path, Any]:
    """Every scalar in the document by its path; list items are keyed by their ``id`` (a material by its ``key``)."""
    found: dict[Path, Any] = {}

    def walk(node: Any, path: Path) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, (*path, str(k)))
        elif isinstance(node, list):
            for i, v in enumerate(node):
                named = next((v[k] for k in ("id", "key") if isinstance(v, dict) and isinstance(v.get(k), str)), None)
                walk(v, (*path, named if named is not None else i))
        else:
            found[path] = node

    walk(_yaml().load(text), ())
    return found


def _permit(doc: Any, permit_id: str) -> CommentedMap:
    for entry in doc.get("permits", []) if isinstance(doc, dict) else []:
        if isinstance(entry, CommentedMap) and entry.get("id") == permit_id:
            return entry
    raise NotFound([problem("unknown_permit", f"文件中没有许可事项“{permit_id}”", "permit", permit_id)])


def _thresholds(permit: CommentedMap) -> dict[Path, str]:
    """The numeric comparisons in the permit's applicability condition, labelled with the question they test."""
    found: dict[Path, str] = {}

    def walk(node: Any, path: Path) -> None:
        if isinstance(node, CommentedMap):
            for op, word in THRESHOLD_OPS.items():
                if op in node and "answer" in node and isinstance(node[op], int | float):
                    found[(*path, op)] = f"适用条件：回答“{node['answer']}”{word}"
            for k, v in node.items():
                walk(v, (*path, k))
        elif isinstance(node, CommentedSeq):
            for i, v in enumerate(node):
                walk(v, (*path, i))

    walk(permit.get("applies_when"), ("applies_when",))
    return found


def _parse(path: Path, raw: str) -> Any:
    """The typed value of a field as typed on the form; ValueError says what is wrong, in Chinese."""
    if path[-1] in ("valid_from", "valid_to"):
        if not raw:
            return None
        try:
            return date.fromisoformat(raw)
        except ValueError:
            raise ValueError("须为日期，如 2027-01-01") from None
    if path[-1] == "days":
        if not raw and path[1] == "committed":
            return None
        if not raw.isdigit() or int(raw) < 1:
            raise ValueError("须为正整数")
        return int(raw)
    try:
        return int(raw)
    except ValueError:
        try:
            return float(raw)
        except ValueError:
            raise ValueError("须为数字") from None


def _get(node: Any, path: Path) -> tuple[Any, int | None]:
    """The value at ``path`` and the (1-based) line its key is on; (None, None) when absent."""
    line = None
    for part in path:
        if isinstance(node, CommentedMap) and part in node:
            position = node.lc.key(part)
            line = position[0] + 1 if position else line
            node = node[part]
        elif isinstance(node, CommentedSeq) and _index(node, part) is not None:
            node = node[_index(node, part)]
        else:
            return None, None
    return node, line


def _index(seq: CommentedSeq, part: str | int) -> int | None:
    """A list item by position, or (as :func:`leaves` names them) by its ``id`` or ``key``."""
    if isinstance(part, int):
        return part if part < len(seq) else None
    return next((i for i, item in enumerate(seq) if isinstance(item, dict) and part in (item.get("id"), item.get("key"))), None)
