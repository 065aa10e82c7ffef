"""Compositions are byte for byte the same whichever way the pack's YAML was read."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bench import generated_pack
from composer import Composer, ComposeRequest
from rules import packs, yamlsource

TODAY = date(2026, 11, 26)


def _compositions(pack_id: str, root: Path) -> list[bytes]:
    composer = Composer(packs.load(pack_id, root))
    industries = sorted(composer.pack.industries)
    requests = [
        ComposeRequest(pack=pack_id, industries=industries[i : i + 3], answers={}, locale=locale)
        for i in range(0, min(len(industries), 30), 3)
        for locale in ("zh", "en")
    ]
    return [composer.compose_json(request, today=TODAY)[1] for request in requests]


@pytest.mark.parametrize("pack_id", ["generated", packs.DEFAULT_PACK])
def test_the_event_reader_and_the_node_loader_compose_the_same_bytes(
    pack_id: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path if pack_id == "generated" else packs.PACKS_DIR
    if pack_id == "generated":
        generated_pack.write(tmp_path, permits=300)
    by_events = _compositions(pack_id, root)
    monkeypatch.setattr(yamlsource, "_CParser", None)
    by_nodes = _compositions(pack_id, root)
    assert len(by_events) >= 4
    assert by_events == by_nodes
