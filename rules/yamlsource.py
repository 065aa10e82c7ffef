"""YAML reading that remembers line numbers, so a rule author is told ``file:line`` for each problem."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, cast

import yaml
from yaml.events import (
    AliasEvent,
    DocumentEndEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
    StreamStartEvent,
)
from yaml.nodes import MappingNode, ScalarNode, SequenceNode


class LineMap(dict[Any, Any]):
    """A mapping that knows the file it was read from and the line of each of its keys."""

    file: str = ""
    line: int = 0
    lines: dict[Any, int]
    files: dict[Any, str] | None = None
    """Per key, when the keys came from more than one file (an entity amended by an overlay)."""

    def where(self, key: Any) -> tuple[str, int]:
        """The file and line of ``key``."""
        file = self.files.get(key, self.file) if self.files else self.file
        return file, self.lines.get(key, self.line)


class LineList(list[Any]):
    file: str = ""
    line: int = 0
    lines: list[int]


class EncodingError(yaml.MarkedYAMLError):
    """A rule file that is not UTF-8 (e.g. saved as GBK by a Windows editor)."""


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]  # libyaml's parser, in C, where installed
    file = ""

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> LineMap:
        result = LineMap()
        result.file = self.file
        result.line = node.start_mark.line + 1
        result.lines = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            if key in result:
                raise yaml.MarkedYAMLError(problem=f"duplicate key '{key}'", problem_mark=key_node.start_mark)
            result[key] = self.construct_object(value_node, deep=True)
            result.lines[key] = key_node.start_mark.line + 1
        return result

    def construct_sequence(self, node: SequenceNode, deep: bool = False) -> LineList:
        result = LineList(self.construct_object(child, deep=True) for child in node.value)
        result.file = self.file
        result.line = node.start_mark.line + 1
        result.lines = [child.start_mark.line + 1 for child in node.value]
        return result


_Loader.add_constructor("tag:yaml.org,2002:map", _Loader.construct_mapping)
_Loader.add_constructor("tag:yaml.org,2002:seq", _Loader.construct_sequence)
# Dates stay strings until pydantic parses them, so '2025-13-01' is reported as a bad date.
_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


_RESOLVED: dict[tuple[str, tuple[bool, bool]], str] = {}
_resolve_plainly = cast(Callable[[Any, type, str, tuple[bool, bool]], str], yaml.SafeLoader.resolve)  # PyYAML leaves it untyped


def _resolve(self: _Loader, kind: type, value: str, implicit: tuple[bool, bool]) -> str:
    # Rule packs repeat the same scalars (ids, 'inferred', true) thousands of times; resolving
    # each one against every implicit-type pattern was most of the load time of a large pack.
    if kind is not yaml.ScalarNode:
        return _resolve_plainly(self, kind, value, implicit)
    key = (value, implicit)
    tag = _RESOLVED.get(key)
    if tag is None:
        if len(_RESOLVED) > 200_000:
            _RESOLVED.clear()
        tag = _RESOLVED[key] = _resolve_plainly(self, kind, value, implicit)
    return tag


_Loader.resolve = _resolve


def load(path: Path) -> Any:
    """Parse one YAML file; syntax and encoding errors raise ``yaml.YAMLError`` carrying the position.

    Raises OSError when the file cannot be read (e.g. deleted meanwhile).
    """
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line, column = before.count(b"\n"), exc.start - (before.rfind(b"\n") + 1)
        mark = yaml.Mark(str(path), exc.start, line, column, None, None)  # type: ignore[arg-type]  # no snippet of bytes
        problem = f"不是 UTF-8 编码（第 {line + 1} 行第 {column + 1} 字节 0x{raw[exc.start]:02x}）；请另存为 UTF-8"
        raise EncodingError(problem=problem, problem_mark=mark) from exc
    if _CParser is not None:
        try:
            return _from_events(text, str(path))
        except (_Unusual, yaml.YAMLError):
            pass  # read again below, so the result or the error is exactly the node loader's
    loader = _Loader(text)
    loader.file = str(path)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


# --- the fast path: objects straight from libyaml's events ---------------------------------------
#
# Building PyYAML nodes (two marks each, a resolver call per scalar) and then constructing objects
# from them was nearly all the load time of a large pack. Plain rule files (mappings, sequences,
# implicitly typed scalars, anchors) are built here in one pass over the parser's events, with the
# same resolver, constructors and line numbers; anything else is handed back to ``_Loader``.

try:
    from yaml._yaml import CParser as _CParser
except ImportError:  # PyYAML built without libyaml: the node loader does it all
    _CParser = None  # type: ignore[assignment,misc]


class _Unusual(Exception):
    """A document the fast path does not build (explicit tags, merge keys, duplicate keys …)."""


_SCALARS: dict[tuple[str, tuple[bool, bool]], Any] = {}
_PLAIN_TAGS = frozenset(f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null"))
_CONSTRUCTOR = _Loader.__new__(_Loader)
"""Only its resolver and scalar constructors are used, and they read nothing but the node."""


def _scalar(value: str, implicit: tuple[bool, bool]) -> Any:
    """A plain scalar's value, kept for the next time the same text comes (ids, true, 5 …)."""
    tag = _resolve(_CONSTRUCTOR, ScalarNode, value, implicit)
    if tag not in _PLAIN_TAGS:
        raise _Unusual(tag)
    result = _Loader.yaml_constructors[tag](_CONSTRUCTOR, ScalarNode(tag, value))
    if len(_SCALARS) > 200_000:
        _SCALARS.clear()
    _SCALARS[value, implicit] = result
    return result


def _from_events(text: str, file: str) -> Any:
    """The document in ``text`` as ``_Loader`` would build it; raises _Unusual or YAMLError when it cannot."""
    parser = _CParser(text)
    try:
        get: Callable[[], Any] = parser.get_event
        if type(get()) is not StreamStartEvent:
            raise _Unusual("stream")
        event = get()
        if type(event) is StreamEndEvent:
            return None
        if type(event) is not DocumentStartEvent:
            raise _Unusual("document")
        anchors: dict[str, tuple[Any, int]] = {}
        scalars = _SCALARS
        # Each open collection: [object, its lines, anchor, key (or _NO_KEY), line of the key].
        stack: list[list[Any]] = []
        top: list[Any] = [None, None, None, _NO_KEY, 0]  # the document itself, a list of one
        while True:
            event = get()
            kind = type(event)
            if kind is ScalarEvent:
                tag = event.tag
                if tag is not None and tag != "!":
                    raise _Unusual(tag)
                value: Any = scalars.get((event.value, event.implicit), _NO_KEY)
                if value is _NO_KEY:
                    value = _scalar(event.value, event.implicit)
                line = event.start_mark.line + 1
                if event.anchor is not None:
                    _anchor(anchors, event.anchor, value, line)
            elif kind is MappingStartEvent or kind is SequenceStartEvent:
                tag = event.tag
                if tag is not None and tag != "!":
                    raise _Unusual(tag)
                opened: LineMap | LineList
                if kind is MappingStartEvent:
                    opened = LineMap()
                    opened.lines = {}
                else:
                    opened = LineList()
                    opened.lines = []
                opened.file, opened.line = file, event.start_mark.line + 1
                stack.append(top)
                if len(stack) > _DEEPEST:
                    raise _Unusual("depth")  # the node loader's recursion limit decides what is too deep
                top = [opened, opened.lines, event.anchor, _NO_KEY, 0]
                continue
            elif kind is MappingEndEvent or kind is SequenceEndEvent:
                value, _, anchor, _, _ = top
                top = stack.pop()
                line = value.line
                if anchor is not None:
                    _anchor(anchors, anchor, value, line)
            elif kind is AliasEvent:
                if event.anchor not in anchors:
                    raise _Unusual("alias")  # undefined, or inside what it names
                value, line = anchors[event.anchor]
            elif kind is DocumentEndEvent:
                if stack or type(get()) is not StreamEndEvent:
                    raise _Unusual("documents")
                return top[3]
            else:
                raise _Unusual(kind.__name__)
            into = top[0]
            if type(into) is LineList:
                into.append(value)
                top[1].append(line)
            elif into is None:
                top[3] = value  # the document's one node
            elif top[3] is _NO_KEY:
                if type(value) is LineMap or type(value) is LineList or value in into:
                    raise _Unusual("key")
                top[3], top[4] = value, line
            else:
                into[top[3]] = value
                top[1][top[3]] = top[4]
                top[3] = _NO_KEY
    finally:
        parser.dispose()


_NO_KEY: Any = object()
_DEEPEST = 100


def _anchor(anchors: dict[str, tuple[Any, int]], name: str, value: Any, line: int) -> None:
    if name in anchors:
        raise _Unusual("anchor")
    anchors[name] = (value, line)


def line_of(data: Any, path: Sequence[str | int]) -> int:
    """The line of the deepest part of ``path`` found in ``data`` (pydantic error locations)."""
    return origin_of(data, path)[1]


def origin_of(data: Any, path: Sequence[str | int]) -> tuple[str, int]:
    """The file and line of the deepest part of ``path`` found in ``data``."""
    file, line = getattr(data, "file", ""), getattr(data, "line", 0)
    node = data
    for part in path:
        if isinstance(node, LineMap) and part in node:
            file, line = node.where(part)
            node = node[part]
        elif isinstance(node, LineList) and isinstance(part, int) and 0 <= part < len(node):
            file, line = node.file, node.lines[part]
            node = node[part]
        # Other parts are pydantic's own (union tags like 'All'): skip them.
    return file, line


def leaves(data: Any, prefix: str = "") -> Iterator[tuple[str, Any, str, int]]:
    """Every scalar under ``data`` as (dotted path, value, file, line), in document order."""
    if isinstance(data, LineMap):
        for key, value in data.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            if isinstance(value, LineMap | LineList) and value:
                yield from leaves(value, path)
            else:
                yield (path, value, *data.where(key))
    elif isinstance(data, LineList):
        for index, value in enumerate(data):
            path = f"{prefix}[{index}]"
            if isinstance(value, LineMap | LineList) and value:
                yield from leaves(value, path)
            else:
                yield path, value, data.file, data.lines[index]
