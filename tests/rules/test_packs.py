"""Loading packs: the whole chain of parents, unreadable files as problems, and the last good version kept on disk."""

from __future__ import annotations

import gc
import shutil
from pathlib import Path

import pytest

from rules import packs
from rules.errors import PackError, Problem
from rules.model import Days

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "packs"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    for pack in ("mini", "mini-child"):
        shutil.copytree(FIXTURES / pack, tmp_path / "packs" / pack)
    return tmp_path / "packs"


def _break(root: Path) -> None:
    permits = root / "mini" / "permits.yaml"
    permits.write_text(permits.read_text(encoding="utf-8").replace("validity_years: 5", "validity_years: five"), encoding="utf-8")


def test_the_last_good_version_of_each_pack_survives_its_files_breaking(root: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    good = {pack_id: packs.load(pack_id, root, cache) for pack_id in ("mini", "mini-child")}
    _break(root)
    for pack_id, pack in good.items():
        with pytest.raises(PackError):
            packs.load(pack_id, root, cache)
        kept = packs.load_last_good(pack_id, root, cache)
        assert kept is not None
        assert (kept.version, kept.chain, kept.permits) == (pack.version, pack.chain, pack.permits)
        assert kept.location("permits", "food_business") == pack.location("permits", "food_business")
    # Another folder of packs with the same ids has a last good version of its own: none yet.
    other = tmp_path / "other"
    shutil.copytree(root, other)
    assert packs.load_last_good("mini", other, cache) is None
    assert packs.load_last_good("mini", root, None) is None


def test_a_parsed_pack_read_back_from_the_cache_is_the_pack_parsed(root: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    parsed = packs.load("mini-child", root, cache)
    assert list(cache.glob(f"mini-child-{parsed.version}.*json"))
    cached = packs.load("mini-child", root, cache)
    assert cached == parsed


def test_a_parent_that_does_not_load_refuses_its_child_with_the_parents_own_problems(root: Path) -> None:
    _break(root)
    with pytest.raises(PackError) as refused:
        packs.load("mini-child", root)
    codes = [(p.code, p.where) for p in refused.value.problems]
    line = next(n for n, text in enumerate((root / "mini" / "permits.yaml").read_text().splitlines(), 1) if "five" in text)
    assert codes == [
        ("schema", f"{root / 'mini' / 'permits.yaml'}:{line}"),
        ("parent_broken", f"{root / 'mini-child' / 'pack.yaml'}:3"),
    ]


def test_a_file_deleted_not_utf8_or_nested_too_deep_is_a_problem_at_its_path(root: Path) -> None:
    (root / "mini" / "scenarios.yaml").write_bytes("scenarios: []  # 东城\n".encode("gbk"))
    with pytest.raises(PackError) as refused:
        packs.load("mini", root)
    assert [(p.code, p.where) for p in refused.value.problems] == [("not_utf8", f"{root / 'mini' / 'scenarios.yaml'}:1")]
    (root / "mini" / "scenarios.yaml").write_text("scenarios: " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    with pytest.raises(PackError) as deep:
        packs.load("mini", root)
    assert [(p.code, p.where) for p in deep.value.problems] == [("too_deep", f"{root / 'mini' / 'scenarios.yaml'}:1")]
    (root / "mini" / "pack.yaml").unlink()
    with pytest.raises(PackError) as gone:
        packs.load("mini-child", root)
    assert [(p.code, p.subject) for p in gone.value.problems] == [("unknown_pack", "mini")]


def _amend(root: Path, patch: str) -> Path:
    meta = root / "mini-child" / "pack.yaml"
    text = meta.read_text(encoding="utf-8")
    old = "      time_limit: {statutory: {days: 10}, source: inferred}\n"
    assert old in text
    meta.write_text(text.replace(old, patch), encoding="utf-8")
    return meta


def test_an_amend_changes_only_the_keys_it_names(root: Path) -> None:
    _amend(root, "      time_limit: {committed: {days: 3}}\n      name: {en: Food licence}\n")
    parent, child = packs.load("mini", root).permits["food_business"], packs.load("mini-child", root).permits["food_business"]
    assert child.time_limit.committed == Days(days=3)
    assert (child.time_limit.statutory, child.time_limit.source) == (parent.time_limit.statutory, parent.time_limit.source)
    assert (child.name.zh, child.name.en) == (parent.name.zh, "Food licence")


def test_null_clears_and_a_condition_or_a_list_is_replaced_whole(root: Path) -> None:
    _amend(root, "      time_limit: {committed: null}\n      applies_when: {answer: food_prep, is: true}\n      fields: [uscc]\n")
    child = packs.load("mini-child", root).permits["food_business"]
    assert child.time_limit.committed is None
    assert child.fields == ("uscc",)
    assert child.applies_when.model_dump(exclude_defaults=True, by_alias=True) == {"answer": "food_prep", "is": True}


def test_an_amend_restating_the_parents_value_is_a_warning_at_its_line(root: Path) -> None:
    meta = _amend(root, "      time_limit: {statutory: {days: 20}, committed: {days: 5}, source: inferred}\n")
    warnings: list[Problem] = []
    packs.resolve("mini-child", root, warnings)
    line = next(n for n, text in enumerate(meta.read_text().splitlines(), 1) if "committed: {days: 5}" in text)
    assert [(w.code, w.where) for w in warnings] == [("amend_unchanged", f"{meta}:{line}")] * 2
    assert "time_limit.statutory.days" in warnings[0].message
    assert "time_limit.source" in warnings[1].message


def test_a_parent_that_is_not_a_pack_id_is_refused_before_any_folder_is_read(root: Path) -> None:
    meta = root / "mini-child" / "pack.yaml"
    meta.write_text(meta.read_text(encoding="utf-8").replace("parent: mini", "parent: ../packs/mini"), encoding="utf-8")
    with pytest.raises(PackError) as refused:
        packs.load("mini-child", root)
    assert [(p.code, p.where) for p in refused.value.problems] == [("bad_parent", f"{meta}:3")]


def test_a_load_leaves_the_garbage_collector_as_it_found_it(root: Path) -> None:
    """The collector is held during a build; a worker left without it would never free its cycles."""
    assert gc.isenabled()
    packs.load("mini-child", root)
    assert gc.isenabled()
    _break(root)
    with pytest.raises(PackError):
        packs.load("mini-child", root)
    assert gc.isenabled()
    gc.disable()
    try:
        with pytest.raises(PackError):
            packs.load("mini-child", root)
        assert not gc.isenabled()  # an outer hold (the registry compiling) is not released early
    finally:
        gc.enable()
