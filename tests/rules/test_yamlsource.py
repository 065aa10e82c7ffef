"""The event reader builds exactly what the node loader builds: values, types, files and lines."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from bench import generated_pack
from rules import packs, yamlsource


def _by_nodes(path: Path) -> Any:
    loader = yamlsource._Loader(path.read_text(encoding="utf-8"))
    loader.file = str(path)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def _same(fast: Any, slow: Any, where: str = "") -> None:
    assert type(fast) is type(slow), where
    if isinstance(slow, yamlsource.LineMap):
        assert (fast.file, fast.line, fast.lines, fast.files) == (slow.file, slow.line, slow.lines, slow.files), where
        assert list(fast) == list(slow), where
        for key in slow:
            _same(fast[key], slow[key], f"{where}.{key}")
    elif isinstance(slow, yamlsource.LineList):
        assert (fast.file, fast.line, fast.lines, len(fast)) == (slow.file, slow.line, slow.lines, len(slow)), where
        for index, (a, b) in enumerate(zip(fast, slow, strict=True)):
            _same(a, b, f"{where}[{index}]")
    else:
        assert fast == slow or (fast != fast and slow != slow), where  # NaN is not equal to itself


def _pack_files(tmp_path: Path) -> list[Path]:
    generated_pack.write(tmp_path, permits=300)
    return sorted(packs.PACKS_DIR.rglob("*.yaml")) + sorted(tmp_path.rglob("*.yaml"))


def test_every_pack_file_reads_the_same_through_events(tmp_path: Path) -> None:
    files = _pack_files(tmp_path)
    assert len(files) > 10
    for path in files:
        _same(yamlsource._from_events(path.read_text(encoding="utf-8"), str(path)), _by_nodes(path), str(path))


SAME = {
    "scalars": "a: 1\nb: 0x1F\nc: 1_000\nd: 017\ne: 1.5e3\nf: .nan\ng: -.inf\nh: yes\ni: ~\nj: ''\nk: '12'\nl: 2025-13-01\n"
    "m: 2025-01-01\nn: !!str 5\n",
    "anchors": "base: &b {x: 1, y: [1, 2]}\nuse: *b\nlist: [&s one, *s]\n*s : 3\n",
    "flow and blocks": "x: {a: [1, {b: c}], d: 'e'}\ny:\n  - - 1\n    - 2\n  - |\n    text\n  - >\n    folded\n",
    "empty": "",
    "null document": "~\n",
    "explicit map tag": "!!map {a: 1}\n",
    "set": "!!set {a, b}\n",
    "binary": "a: !!binary aGVsbG8=\n",
}
FAILS = {
    "merge key": "a: &a {x: 1}\nb:\n  <<: *a\n  y: 2\n",
    "duplicate key": "a: 1\nb: 2\na: 3\n",
    "two documents": "a: 1\n---\nb: 2\n",
    "undefined alias": "a: *nowhere\n",
    "syntax": "a: [1, 2\nb: 3\n",
    "unknown tag": "a: !thing 1\n",
    "unhashable key": "? [1, 2]\n: 3\n",
    "recursive": "a: &r [*r]\n",
    "bad int": "a: !!int x\n",
}


@pytest.mark.parametrize("name", SAME)
def test_load_builds_what_the_node_loader_builds(tmp_path: Path, name: str) -> None:
    path = tmp_path / "f.yaml"
    path.write_text(SAME[name], encoding="utf-8")
    _same(yamlsource.load(path), _by_nodes(path))


@pytest.mark.parametrize("name", FAILS)
def test_load_fails_as_the_node_loader_fails(tmp_path: Path, name: str) -> None:
    path = tmp_path / "f.yaml"
    path.write_text(FAILS[name], encoding="utf-8")
    with pytest.raises((yaml.YAMLError, TypeError, ValueError)) as slow:
        _by_nodes(path)
    with pytest.raises(type(slow.value)) as fast:
        yamlsource.load(path)
    assert str(fast.value) == str(slow.value)


def test_scalars_keep_their_yaml_types(tmp_path: Path) -> None:
    path = tmp_path / "f.yaml"
    path.write_text("a: 1\nb: '1'\nc: true\nd: 1.0\ne: null\nf: 2025-01-01\n", encoding="utf-8")
    assert yamlsource.load(path) == {"a": 1, "b": "1", "c": True, "d": 1.0, "e": None, "f": "2025-01-01"}
    assert yamlsource.load(path).lines == {"a": 1, "b": 2, "c": 3, "d": 4, "e": 5, "f": 6}


def test_the_event_reader_takes_plain_files_itself(tmp_path: Path) -> None:
    path = tmp_path / "f.yaml"
    path.write_text("permits:\n  - id: a\n    days: 5\n", encoding="utf-8")
    assert yamlsource._from_events(path.read_text(encoding="utf-8"), str(path)) == {"permits": [{"id": "a", "days": 5}]}
    with pytest.raises(yamlsource._Unusual):
        yamlsource._from_events("a: !!binary aGVsbG8=\n", str(path))
    assert yaml.__with_libyaml__  # else every file takes the node loader
