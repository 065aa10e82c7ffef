"""The cheap paths of POST /api/v1/compose: a repeat is never composed again, and its bytes never change."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient

from composer import Composer
from composer.model import ComposeRequest, Composition
from service.app import create_app
from service.cache import SegmentedLRU
from tests.service.svcutil import make_settings

SHOP = {"pack": "mini", "as_of": "2026-11-26", "industries": ["shop"], "answers": {"sells_tobacco": True}}


def test_the_answer_is_the_compositions_json_byte_for_byte(client: TestClient) -> None:
    composer: Composer = client.app.state.registry.get("mini")  # type: ignore[attr-defined]
    for locale in ("zh", "en"):
        answered = client.post("/api/v1/compose", json={**SHOP, "locale": locale})
        composition = composer.compose(ComposeRequest.model_validate({**SHOP, "locale": locale}))
        assert answered.content == composition.model_dump_json().encode()


def test_a_repeat_is_answered_from_the_cache_with_the_same_bytes(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    composer: Composer = client.app.state.registry.get("mini")  # type: ignore[attr-defined]
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


# --- the cache: bounded by bytes, and a flood of one-off cases cannot push out the popular ones ---


@dataclass(frozen=True)
class Blob:
    size: int


def test_the_cache_never_holds_more_bytes_than_its_budget() -> None:
    cache: SegmentedLRU[int, Blob] = SegmentedLRU(max_bytes=1000)  # 200 on probation, 800 protected
    for key in range(50):
        cache.put(key, Blob(70))
        if key % 3 == 0:
            cache.get(key)
        assert cache.bytes <= 1000
    assert 0 < len(cache) <= 1000 // 70


def test_a_case_asked_for_again_survives_a_flood_of_one_off_cases() -> None:
    cache: SegmentedLRU[str, Blob] = SegmentedLRU(max_bytes=1000)
    for popular in ("store", "restaurant"):
        cache.put(popular, Blob(100))
        assert cache.get(popular) == Blob(100)  # asked for again: protected
    for n in range(100):  # ten times the whole budget, each case once
        cache.put(f"one-off {n}", Blob(100))
    assert "store" in cache
    assert "restaurant" in cache
    assert "one-off 0" not in cache
    assert "one-off 99" in cache


def test_a_full_protected_segment_puts_its_least_recent_back_on_probation() -> None:
    cache: SegmentedLRU[str, Blob] = SegmentedLRU(max_bytes=500)  # 100 on probation, 400 protected
    for key in "abcde":
        cache.put(key, Blob(100))
        cache.get(key)
    assert "a" in cache  # demoted, not dropped: one more chance on probation
    assert cache.bytes == 500
    cache.put("f", Blob(100))
    assert "a" not in cache
    assert all(k in cache for k in "bcdef")


def test_a_value_larger_than_probation_is_not_kept_and_a_zero_budget_keeps_nothing() -> None:
    cache: SegmentedLRU[str, Blob] = SegmentedLRU(max_bytes=500)
    cache.put("big", Blob(101))
    cache.put("small", Blob(100))
    assert ("big" in cache, "small" in cache) == (False, True)
    nothing: SegmentedLRU[str, Blob] = SegmentedLRU(max_bytes=0)
    nothing.put("x", Blob(1))
    assert len(nothing) == 0


def test_through_the_api_a_repeated_case_stays_cached_while_one_off_cases_stream_past(sqlite_url: str) -> None:
    with TestClient(create_app(make_settings(sqlite_url, compose_cache_mb=1))) as client:
        assert [client.post("/api/v1/compose", json=SHOP).headers["X-Cache"] for _ in range(2)] == ["miss", "hit"]
        size = len(client.post("/api/v1/compose", json=SHOP).content)
        flood = 2 * 2**20 // size + 1  # twice the whole budget in distinct cases (one per as-of day)
        for day in range(flood):
            one_off = {**SHOP, "as_of": (date(2027, 1, 1) + timedelta(days=day)).isoformat()}
            assert client.post("/api/v1/compose", json=one_off).headers["X-Cache"] == "miss"
        assert client.post("/api/v1/compose", json=SHOP).headers["X-Cache"] == "hit"


def test_a_cache_of_zero_megabytes_composes_every_time(sqlite_url: str) -> None:
    with TestClient(create_app(make_settings(sqlite_url, compose_cache_mb=0))) as client:
        answers = [client.post("/api/v1/compose", json=SHOP) for _ in range(2)]
    assert [a.headers["X-Cache"] for a in answers] == ["miss", "miss"]
    assert answers[0].content == answers[1].content
