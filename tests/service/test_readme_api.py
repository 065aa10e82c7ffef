"""The README's API loop runs as written: questions until complete, then compose."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from rules.packs import DEFAULT_PACK, PACKS_DIR
from service.app import create_app
from tests.service.svcutil import make_settings

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_loop_asks_until_complete_then_composes(sqlite_url: str) -> None:
    block = re.search(r"The real loop:.*?```python\n(.*?)```", README.read_text(), re.S)
    assert block, "the README's API section lost its loop"
    namespace: dict[str, Any] = {}
    exec(compile(block.group(1), str(README), "exec"), namespace)  # noqa: S102 — our own README, run as documented
    asked: list[str] = []

    def answer(question: dict[str, Any]) -> object:
        asked.append(question["id"])
        return {"area_m2": 80, "sells_tobacco": True}.get(question["id"], 80 if question["type"] == "number" else False)

    with TestClient(create_app(make_settings(sqlite_url, packs_dir=PACKS_DIR, default_pack=DEFAULT_PACK))) as client:
        notice = namespace["notice_for"](client, ["convenience_store"], answer)
    assert notice["complete"] is True
    assert {"area_m2", "sells_tobacco"} <= set(asked)
    assert "tobacco_retail" in [p["id"] for p in notice["permits"]]
