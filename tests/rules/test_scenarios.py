"""Every pack's YAML scenarios run as tests, so a rule change that breaks one fails CI."""

from __future__ import annotations

from pathlib import Path

import pytest

from composer import Composer
from composer import scenarios as runner
from rules import packs

FIXTURES = Path(__file__).parents[1] / "fixtures" / "packs"

CASES = [
    pytest.param(root, pack_id, index, id=f"{pack_id}::{scenario.name}")
    for root in (packs.PACKS_DIR, FIXTURES)
    for pack_id in packs.available(root)
    for index, scenario in enumerate(packs.load(pack_id, root).scenarios)
]
_composers: dict[tuple[Path, str], Composer] = {}


@pytest.mark.parametrize(("root", "pack_id", "index"), CASES)
def test_scenario(root: Path, pack_id: str, index: int) -> None:
    composer = _composers.get((root, pack_id)) or _composers.setdefault((root, pack_id), Composer.load(pack_id, root))
    outcome = runner.run(composer, composer.pack.scenarios[index])
    assert outcome.passed, "\n".join(outcome.failures)


def test_every_real_pack_has_scenarios() -> None:
    for pack_id in packs.available():
        assert packs.load(pack_id).scenarios, f"{pack_id} has no scenarios"
