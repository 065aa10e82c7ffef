"""The cheap paths of POST /api/v1/compose: a repeat is never composed again, and its bytes never change."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient

from composer.model import ComposeRequest, Composition

SHOP = {"pack": "mini", "as_of": "2026-11-26", "industries": ["shop"], "answers": {"sells_tobacco": True}}


def test_the_answer_is_the_compositions_json_byte_for_byte(client: TestClient) -> None:
    composer = client.app.state.registry.get("mini")  # type: ignore[attr-defined]
    for locale in ("zh", "en"):
        answered = client.post("/api/v1/compose", json={**SHOP, "locale": locale})
        composition = composer.compose(ComposeRequest.model_validate({**SHOP, "locale": locale}))
        assert answered.content == composition.model_dump_json().encode()


def test_a_repeat_is_answered_from_the_cache_with_the_same_bytes(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    composer = client.app.state.registry.get("mini")  # type: ignore[attr-defined]
    composes: list[ComposeRequest] = []
    real = composer.compose_json

    def counted(request: ComposeRequest, today: date | None = None) -> tuple[Composition, bytes]:
        composes.append(request)
        return real(request, today)

    monkeypatch.setattr(composer, "compose_json", counted)
    first = client.post("/api/v1/compose", json=SHOP)
    second = client.post("/api/v1/compose", json=SHOP)
    assert (first.headers["X-Cache"], second.headers["X-Cache"], len(composes)) == ("miss", "hit", 1)
    assert second.content == first.content
    assert second.headers["X-Output-SHA256"] == first.headers["X-Output-SHA256"]
    questions = client.post("/api/v1/questions", json=SHOP)  # the same situation: the same composition
    assert questions.status_code == 200
    assert len(composes) == 1


def test_refused_input_is_refused_the_same_way_on_the_fast_path(client: TestClient) -> None:
    unknown_pack = client.post("/api/v1/compose", json={**SHOP, "pack": "nowhere"})
    assert unknown_pack.status_code == 422
    assert unknown_pack.json()["errors"][0]["code"] == "unknown_pack"
    unknown_industry = client.post("/api/v1/compose", json={**SHOP, "industries": ["noodle_bar"]})
    assert unknown_industry.status_code == 422
    assert unknown_industry.json()["errors"][0]["code"] == "unknown_industry"
