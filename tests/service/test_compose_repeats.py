"""An exact repeat of a compose request is answered before it is parsed: same bytes and headers as a
cache hit, rate limited, and never another request's answer (another answer, locale, date or pack version)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from composer import Composer
from composer.model import ComposeRequest
from service import compose as compose_service
from service.app import create_app
from service.compose import ComposeService, today
from tests.service.svcutil import make_settings

SHOP = {"pack": "mini", "as_of": "2026-11-26", "industries": ["shop"], "answers": {"sells_tobacco": True}}
JSON = {"Content-Type": "application/json"}


def post(client: TestClient, body: bytes, headers: dict[str, str] = JSON, query: str = "") -> Any:
    return client.post(f"/api/v1/compose{query}", content=body, headers=headers)


def expected(client: TestClient, request: dict[str, Any], on: date) -> bytes:
    """The composition of ``request`` made afresh, as of ``on`` when it names no date."""
    composer: Composer = client.app.state.registry.get(request.get("pack", "mini"))  # type: ignore[attr-defined]
    return composer.compose(ComposeRequest.model_validate(request), today=on).model_dump_json().encode()


def count_parsed(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The sources of the requests the app's service parses from now on (to compose, or to find by their parsed form)."""
    service: ComposeService = client.app.state.compose  # type: ignore[attr-defined]
    real, parsed = service.compose, []

    def counted(request: ComposeRequest, *, source: str = "api") -> compose_service.Composed:
        parsed.append(source)
        return real(request, source=source)

    monkeypatch.setattr(service, "compose", counted)
    return parsed


@pytest.fixture
def composes(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    return count_parsed(client, monkeypatch)


def test_a_repeat_is_answered_unparsed_with_the_bytes_and_headers_of_a_cache_hit(client: TestClient, composes: list[str]) -> None:
    body = json.dumps(SHOP).encode()
    first, second, third = (post(client, body) for _ in range(3))
    assert len(composes) == 1  # the repeats never reached the parser
    assert first.content == second.content == third.content == expected(client, SHOP, today())
    assert [r.headers["X-Cache"] for r in (first, second, third)] == ["miss", "hit", "hit"]
    same = ("content-type", "content-length", "x-pack-version", "x-output-sha256", "content-security-policy")
    assert all(second.headers[name] == first.headers[name] for name in same)
    assert second.headers["X-Request-ID"] != first.headers["X-Request-ID"]


def test_a_query_string_always_takes_the_usual_way(client: TestClient, composes: list[str]) -> None:
    body = json.dumps(SHOP).encode()
    post(client, body)
    stored = post(client, body, query="?store=true")
    assert stored.status_code == 200
    assert "X-Composition-Id" in stored.headers
    assert post(client, body, query="?store=maybe").status_code == 422
    assert len(composes) == 2


def test_the_same_bytes_on_another_day_are_composed_as_of_that_day(
    client: TestClient, composes: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    undated = {k: v for k, v in SHOP.items() if k != "as_of"}
    body = json.dumps(undated).encode()
    post(client, body)
    assert post(client, body).headers["X-Cache"] == "hit"
    tomorrow = today() + timedelta(days=1)
    monkeypatch.setattr(compose_service, "today", lambda: tomorrow)
    later = post(client, body)
    assert later.headers["X-Cache"] == "miss"
    assert later.json()["pack"]["as_of"] == tomorrow.isoformat()
    assert later.content == expected(client, undated, tomorrow)
    assert post(client, body).headers["X-Cache"] == "hit"
    assert len(composes) == 2


# Requests over the mini pack that differ in one thing or several: the answers, the locale, the date
# (or none), the industries, a commitment, the spacing of the JSON. Drawn from a small set, so that
# a run mixes repeats (answered unparsed) with requests that differ from an earlier one by a byte.
REQUESTS = st.fixed_dictionaries(
    {"pack": st.just("mini"), "industries": st.sampled_from([["shop"], ["hotel"], ["shop", "hotel"]])},
    optional={
        "as_of": st.sampled_from(["2026-11-26", "2027-03-01"]),
        "answers": st.fixed_dictionaries(
            {}, optional={"sells_tobacco": st.booleans(), "area_m2": st.sampled_from([60, 500]), "food_prep": st.booleans()}
        ),
        "locale": st.sampled_from(["zh", "en"]),
        "commit": st.sampled_from([[], ["food_business"]]),
    },
)
SPACING = st.sampled_from([(", ", ": "), (",", ":")])


@pytest.fixture(scope="module")
def shared(sqlite_url: str) -> Iterator[tuple[TestClient, list[str]]]:
    """One app for every example, so that its cache holds what earlier examples composed; and what it parsed."""
    with TestClient(create_app(make_settings(sqlite_url))) as client, pytest.MonkeyPatch.context() as monkeypatch:
        yield client, count_parsed(client, monkeypatch)


@given(requests=st.lists(st.tuples(REQUESTS, SPACING), min_size=2, max_size=6))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_no_request_is_ever_answered_with_another_requests_bytes(
    shared: tuple[TestClient, list[str]], requests: list[tuple[dict[str, Any], tuple[str, str]]]
) -> None:
    client, parsed = shared
    for request, spacing in requests:
        before = len(parsed)
        answer = post(client, json.dumps(request, separators=spacing).encode())
        if answer.status_code != 200:  # e.g. a commitment the case cannot take: refused, as afresh
            event("refused")
            continue
        event("an exact repeat, unparsed" if len(parsed) == before else f"parsed, X-Cache: {answer.headers['X-Cache']}")
        assert answer.content == expected(client, request, today())


REFUSED = [
    (json.dumps(SHOP).encode(), {"Content-Type": "text/plain"}),  # the cached request's bytes, another type
    (json.dumps(SHOP).encode(), {}),
    (json.dumps({**SHOP, "colour": "red"}).encode(), JSON),
    (json.dumps({**SHOP, "locale": "fr"}).encode(), JSON),
    (json.dumps({**SHOP, "industries": ["noodle_bar"]}).encode(), JSON),
    (json.dumps(SHOP).encode()[:-1], JSON),
    (b"", JSON),
]


@pytest.mark.parametrize(("body", "headers"), REFUSED)
def test_what_a_fresh_app_refuses_is_refused_alike_after_repeats(
    client: TestClient, sqlite_url: str, body: bytes, headers: dict[str, str]
) -> None:
    for _ in range(2):
        assert post(client, json.dumps(SHOP).encode()).status_code == 200
    with TestClient(create_app(make_settings(sqlite_url, compose_cache_mb=0))) as fresh:
        afresh = post(fresh, body, headers)
    again = post(client, body, headers)
    assert (again.status_code, again.content) == (afresh.status_code, afresh.content)


def test_repeats_count_against_the_rate_limit(sqlite_url: str) -> None:
    settings = make_settings(sqlite_url, rate_limit_enabled=True, rate_limit_api="3/minute")
    with TestClient(create_app(settings)) as limited:
        answers = [post(limited, json.dumps(SHOP).encode()) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert [a.headers.get("X-Cache") for a in answers[:3]] == ["miss", "hit", "hit"]
    assert [a.headers["X-RateLimit-Remaining"] for a in answers] == ["2", "1", "0", "0"]
