"""The cheap paths of POST /api/v1/compose: a repeat is never composed again, and its bytes never change."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest
from fastapi.testclient import TestClient
from svcutil import make_settings

from composer.model import ComposeRequest, Composition
from service.app import create_app
from service.compose import LRUCache, Output

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


# --- the cache is bounded by bytes ---------------------------------------------------------------


def _output(size: int) -> Output:
    body = b"x" * size
    return Output(body, hashlib.sha256(body).hexdigest(), "mini", "v1", date(2026, 11, 26), 1, True)


def test_the_cache_holds_no_more_bytes_than_its_budget_and_drops_the_least_recently_used() -> None:
    cache = LRUCache(max_bytes=250)
    for name in "abc":
        cache.put((name,), _output(100))
    assert (len(cache), cache.bytes) == (2, 200)
    assert cache.get(("a",)) is None
    assert cache.get(("b",)) is not None  # b is now the most recently used: c goes first
    cache.put(("d",), _output(100))
    assert [k for k in ("b", "c", "d") if cache.get((k,))] == ["b", "d"]
    cache.put(("d",), _output(200))  # a key put again counts once, at its new size
    assert (len(cache), cache.bytes) == (1, 200)


def test_a_composition_larger_than_the_budget_is_not_kept() -> None:
    cache = LRUCache(max_bytes=100)
    cache.put(("small",), _output(60))
    cache.put(("big",), _output(101))
    assert cache.get(("big",)) is None
    assert cache.get(("small",)) is not None
    assert LRUCache(max_bytes=0).bytes == 0


def test_a_cache_of_zero_megabytes_composes_every_time(sqlite_url: str) -> None:
    with TestClient(create_app(make_settings(sqlite_url, compose_cache_mb=0))) as client:
        answers = [client.post("/api/v1/compose", json=SHOP) for _ in range(2)]
    assert [a.headers["X-Cache"] for a in answers] == ["miss", "miss"]
    assert answers[0].content == answers[1].content
