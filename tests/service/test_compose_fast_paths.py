"""The cheap paths of POST /api/v1/compose: a cache hit never enters the thread pool, bytes never change."""

from __future__ import annotations

from typing import Any

import anyio.to_thread
import pytest
from fastapi.testclient import TestClient

from composer.model import ComposeRequest
from service.compose import serialise

SHOP = {"pack": "mini", "as_of": "2026-11-26", "industries": ["shop"], "answers": {"sells_tobacco": True}}


def test_serialise_is_model_dump_json_byte_for_byte(client: TestClient) -> None:
    composer = client.app.state.registry.get("mini")  # type: ignore[attr-defined]
    for locale in ("zh", "en"):
        composition = composer.compose(ComposeRequest.model_validate({**SHOP, "locale": locale}))
        assert serialise(composition) == composition.model_dump_json().encode()


def test_a_hit_is_answered_without_the_thread_pool(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    limiter = client.app.state.compose_limiter  # type: ignore[attr-defined]
    hops: list[Any] = []
    real = anyio.to_thread.run_sync

    async def counting(func: Any, *args: Any, **kwargs: Any) -> Any:
        if kwargs.get("limiter") is limiter:  # composes; other thread-pool work passes no limiter
            hops.append(limiter)
        return await real(func, *args, **kwargs)

    monkeypatch.setattr(anyio.to_thread, "run_sync", counting)
    assert limiter.total_tokens == 1
    first = client.post("/api/v1/compose", json=SHOP)
    assert (first.headers["X-Cache"], hops) == ("miss", [limiter])
    second = client.post("/api/v1/compose", json=SHOP)
    assert (second.headers["X-Cache"], hops) == ("hit", [limiter])
    assert second.content == first.content
    assert second.headers["X-Output-SHA256"] == first.headers["X-Output-SHA256"]


def test_refused_input_is_refused_the_same_way_on_the_fast_path(client: TestClient) -> None:
    unknown_pack = client.post("/api/v1/compose", json={**SHOP, "pack": "nowhere"})
    assert unknown_pack.status_code == 422
    assert unknown_pack.json()["errors"][0]["code"] == "unknown_pack"
    unknown_industry = client.post("/api/v1/compose", json={**SHOP, "industries": ["noodle_bar"]})
    assert unknown_industry.status_code == 422
    assert unknown_industry.json()["errors"][0]["code"] == "unknown_industry"
