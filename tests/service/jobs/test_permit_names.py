"""A notification names a permit in English as its rule pack does, and as recorded when the pack cannot say."""

from __future__ import annotations

import shutil
from pathlib import Path

from service.jobs.notifications import PermitNames, Said
from tests.service.svcutil import FIXTURE_PACKS


def test_a_permit_is_named_in_english_by_its_pack_and_as_recorded_when_the_pack_is_broken_or_silent(tmp_path: Path) -> None:
    shutil.copytree(FIXTURE_PACKS / "mini", tmp_path / "mini")
    names = PermitNames(tmp_path)
    assert names("mini", "fire_check", "公众聚集场所消防安全检查") == Said("公众聚集场所消防安全检查", "Fire-safety inspection")
    assert names("mini", "withdrawn_permit", "已取消的许可") == Said("已取消的许可", "已取消的许可")  # no longer in the pack

    shutil.copytree(FIXTURE_PACKS / "mini", tmp_path / "broken")
    (tmp_path / "broken" / "permits.yaml").write_text("permits: [unclosed", encoding="utf-8")
    assert names("broken", "fire_check", "消防") == Said("消防", "消防")
    assert names("nowhere", "fire_check", "消防") == Said("消防", "消防")


def test_a_permit_renamed_by_a_publication_is_named_anew_and_not_before(tmp_path: Path) -> None:
    shutil.copytree(FIXTURE_PACKS / "mini", tmp_path / "mini")
    names = PermitNames(tmp_path)
    names.since("first")
    assert names("mini", "fire_check", "消防").en == "Fire-safety inspection"
    permits = tmp_path / "mini" / "permits.yaml"
    permits.write_text(permits.read_text(encoding="utf-8").replace("Fire-safety inspection", "Fire check"), encoding="utf-8")
    names.since("first")  # the files changed, nothing published: the name read stands
    assert names("mini", "fire_check", "消防").en == "Fire-safety inspection"
    names.since("second")
    assert names("mini", "fire_check", "消防").en == "Fire check"
