"""YAML reading that remembers line numbers, so a rule author is told ``file:line`` for each problem."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, cast

import yaml
from yaml.nodes import MappingNode, SequenceNode


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


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]  # libyaml parses ~10x faster
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
        problem = f"不是 UTF-8 编码(第 {line + 1} 行第 {column + 1} 字节 0x{raw[exc.start]:02x}); 请另存为 UTF-8"
        raise EncodingError(problem=problem, problem_mark=mark) from exc
    loader = _Loader(text)
    loader.file = str(path)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


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
