"""Per-client rate limits: by known API key, else by IP; 429 with Retry-After, in the error shape."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from tests.service.svcutil import csrf_from, make_settings


@pytest.fixture
def limited(sqlite_url: str) -> Iterator[TestClient]:
    settings = make_settings(
        sqlite_url,
        rate_limit_enabled=True,
        rate_limit_api="3/minute",
        rate_limit_auth="2/minute",
        api_keys=["integrator-key-1", "integrator-key-2"],
    )
    with TestClient(create_app(settings)) as client:
        yield client


def test_over_the_limit_is_429_with_retry_after(limited: TestClient) -> None:
    statuses = [limited.get("/api/v1/packs").status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    response = limited.get("/api/v1/packs")
    assert response.status_code == 429
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    (error,) = response.json()["errors"]
    assert error["code"] == "rate_limited"
    assert error["subject"] == "ip:testclient"


def test_the_limit_covers_every_api_route_together(limited: TestClient) -> None:
    limited.get("/api/v1/packs")
    limited.get("/api/v1/packs/mini/industries")
    limited.post("/api/v1/compose", json={"pack": "mini", "industries": ["shop"]})
    assert limited.post("/api/v1/questions", json={"pack": "mini", "industries": ["shop"]}).status_code == 429


def test_each_known_api_key_has_its_own_allowance(limited: TestClient) -> None:
    for _ in range(3):
        limited.get("/api/v1/packs")
    assert limited.get("/api/v1/packs").status_code == 429
    one = {"X-API-Key": "integrator-key-1"}
    assert [limited.get("/api/v1/packs", headers=one).status_code for _ in range(3)] == [200, 200, 200]
    assert limited.get("/api/v1/packs", headers=one).status_code == 429
    assert limited.get("/api/v1/packs", headers={"X-API-Key": "integrator-key-2"}).status_code == 200


def test_an_unknown_api_key_counts_as_its_ip(limited: TestClient) -> None:
    for i in range(3):
        assert limited.get("/api/v1/packs", headers={"X-API-Key": f"made-up-{i}"}).status_code == 200
    response = limited.get("/api/v1/packs", headers={"X-API-Key": "made-up-again"})
    assert response.status_code == 429


def test_sign_in_attempts_are_limited_per_ip(limited: TestClient) -> None:
    token = csrf_from(limited)
    form = {"csrf_token": token, "login": "nobody@example.com", "password": "guess-guess-1"}
    assert [limited.post("/sign-in", data=form).status_code for _ in range(2)] == [400, 400]
    response = limited.post("/sign-in", data=form)
    assert response.status_code == 429
    assert "Retry-After" in response.headers
    assert "请求过于频繁" in response.text


def test_pages_are_not_limited_like_the_api(limited: TestClient) -> None:
    assert [limited.get("/sign-in").status_code for _ in range(6)] == [200] * 6


def test_limits_can_be_turned_off(sqlite_url: str) -> None:
    with TestClient(create_app(make_settings(sqlite_url, rate_limit_enabled=False, rate_limit_api="1/minute"))) as client:
        assert [client.get("/api/v1/packs").status_code for _ in range(5)] == [200] * 5
