"""What a change, an extension, a suspension or a cancellation asks for is composed from the pack's lifecycle entries."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from composer.lifecycle import NoLifecycle, asks
from rules import packs
from rules.errors import PackError
from rules.model import LifecycleKind

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "packs"


def test_the_default_pack_says_what_every_kind_of_application_after_issue_asks_for() -> None:
    pack = packs.load("beijing-dongcheng")
    assert set(pack.lifecycle) == {k.value for k in LifecycleKind}
    change = asks(pack, LifecycleKind.change, ["food_business", "tobacco_retail"])
    assert change.name == "变更"
    assert change.legal_basis == ["《中华人民共和国行政许可法》第四十九条"]
    assert [f.id for f in change.fields] == ["applicant_name", "legal_rep_name", "registered_address", "premises_address"]
    by_key = {m.key: m for m in change.materials}
    assert by_key["business_license"].status == "exempt"  # the government holds it: nobody uploads it again
    assert by_key["legal_rep_id"].status == "exempt"
    assert by_key["legal_rep_id"].permits == []
    assert by_key["premises_use_proof"].status == "submit"
    assert by_key["premises_use_proof"].permits == ["food_business"]  # the food department's own addition


def test_a_permits_addition_is_asked_only_when_that_permit_is_in_the_application() -> None:
    pack = packs.load("mini", FIXTURES)
    with_food = asks(pack, LifecycleKind.extension, ["food_business", "fire_check"])
    without = asks(pack, LifecycleKind.extension, ["fire_check"])
    assert [(f.id, f.permits) for f in with_food.fields] == [("food_safety_manager", ["food_business"])]
    assert without.fields == []
    assert without.working_days == 20
    assert asks(pack, LifecycleKind.change, ["hotel_trade"], locale="en").name == "Change"


def test_a_pack_without_the_entry_says_so_and_an_entry_naming_what_the_pack_lacks_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "packs"
    shutil.copytree(FIXTURES / "mini", root / "mini")
    (root / "mini" / "lifecycle.yaml").unlink()
    with pytest.raises(NoLifecycle, match="没有规定"):
        asks(packs.load("mini", root), LifecycleKind.change, [])
    (root / "mini" / "lifecycle.yaml").write_text(
        "lifecycle:\n"
        "  - id: change\n"
        "    name: {zh: 变更}\n"
        "    legal_basis: [x]\n"
        "    source: inferred\n"
        "    fields: [no_such_field]\n"
        "    permits: {no_such_permit: {}}\n"
        "    time_limit: {days: 20}\n",
        encoding="utf-8",
    )
    with pytest.raises(PackError) as refused:
        packs.load("mini", root)
    found = {(p.code, p.subject) for p in refused.value.problems}
    assert {("dangling_reference", "no_such_field"), ("dangling_reference", "no_such_permit")} <= found
    assert all("lifecycle.yaml" in p.where for p in refused.value.problems)
