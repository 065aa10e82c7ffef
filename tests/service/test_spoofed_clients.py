"""Spoofed clients: X-Forwarded-For believed only from configured proxies, limits shared by every worker
through Redis, sign-in locked per account whatever the address — against a running ``yiye serve
--workers 2`` and the Redis at 127.0.0.1:6379."""

from __future__ import annotations

import os
import re
import time
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
import httpx2
import pytest
import redis
from fastapi.testclient import TestClient

from service.app import create_app
from tests.service.svcutil import CSRF_INPUT, FIXTURE_PACKS, free_port, make_settings, serving

REDIS_URL = os.environ.get("YIYE_TEST_REDIS", "redis://127.0.0.1:6379/0")
LIMIT = 10


@pytest.fixture
def redis_env() -> Iterator[dict[str, str]]:
    """Settings for the Redis here, under a key prefix of this test's own (its keys deleted after)."""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"Redis not reachable at {REDIS_URL}: {exc}")
    prefix = f"yiye-test-{uuid.uuid4().hex[:10]}"
    yield {"YIYE_REDIS_URL": REDIS_URL, "YIYE_REDIS_PREFIX": prefix}
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)
    client.close()


def _env(tmp_path: Path, redis_env: dict[str, str] | None, trusted: str = "") -> dict[str, str]:
    return {
        "YIYE_DATABASE_URL": f"sqlite:///{tmp_path / 'served.db'}",
        "YIYE_PACKS_DIR": str(FIXTURE_PACKS),
        "YIYE_DEFAULT_PACK": "mini",
        "YIYE_LOG_LEVEL": "WARNING",
        "YIYE_RATE_LIMIT_API": f"{LIMIT}/minute",
        "YIYE_REDIS_URL": "",
        "YIYE_TRUSTED_PROXIES": trusted,
        **(redis_env or {}),
    }


def _statuses(base: str, path: str = "/api/v1/packs", n: int = 3 * LIMIT, forwarded: str | None = None) -> list[int]:
    """``n`` requests, each on a new connection (so the kernel spreads them over the workers)."""
    statuses = []
    for i in range(n):
        headers = {"X-Forwarded-For": forwarded or f"203.0.113.{i % 250 + 1}"} if forwarded != "" else {}
        statuses.append(httpx.get(f"{base}{path}", headers=headers, timeout=10).status_code)
    return statuses


def test_rotating_x_forwarded_for_does_not_escape_the_limit(tmp_path: Path, redis_env: dict[str, str]) -> None:
    with serving(["--workers", "2"], _env(tmp_path, redis_env), "/sign-in") as base:
        statuses = _statuses(base)
        assert statuses.count(200) == LIMIT
        assert statuses.count(429) == 2 * LIMIT
        refused = httpx.get(f"{base}/api/v1/packs", headers={"X-Forwarded-For": "198.51.100.7"})
        assert refused.json()["errors"][0]["subject"] == "ip:127.0.0.1"  # the peer, not what it claimed


def test_x_forwarded_for_from_a_trusted_proxy_names_the_client(tmp_path: Path, redis_env: dict[str, str]) -> None:
    env = _env(tmp_path, redis_env, trusted="127.0.0.1/32, 10.0.0.0/8")
    with serving(["--workers", "2"], env, "/sign-in") as base:
        assert _statuses(base).count(200) == 3 * LIMIT  # thirty clients behind the proxy, one request each
        one_client = _statuses(base, n=LIMIT + 3, forwarded="198.51.100.7")
        assert one_client == [200] * LIMIT + [429] * 3
        refused = httpx.get(f"{base}/api/v1/packs", headers={"X-Forwarded-For": "198.51.100.7"})
        assert refused.json()["errors"][0]["subject"] == "ip:198.51.100.7"


def test_two_workers_share_one_limit_through_redis(tmp_path: Path, redis_env: dict[str, str]) -> None:
    with serving(["--workers", "2"], _env(tmp_path, redis_env), "/sign-in") as base:
        assert _statuses(base, forwarded="").count(200) == LIMIT


def test_without_redis_each_worker_counts_on_its_own(tmp_path: Path) -> None:
    """What ``YIYE_REDIS_URL`` is for: unset, each of two workers lets its own allowance through."""
    with serving(["--workers", "2"], _env(tmp_path, None), "/sign-in") as base:
        passed = _statuses(base, n=4 * LIMIT, forwarded="").count(200)
        assert LIMIT < passed <= 2 * LIMIT


def test_two_hundred_wrong_passwords_from_rotating_addresses_lock_the_account(tmp_path: Path, redis_env: dict[str, str]) -> None:
    env = _env(tmp_path, redis_env, trusted="127.0.0.1/32")
    with serving(["--workers", "2", "--demo"], env, "/sign-in") as base:
        page = httpx.get(f"{base}/sign-in")
        token = CSRF_INPUT.search(page.text).group(1)  # type: ignore[union-attr]
        cookies = {"yiye_session": page.cookies["yiye_session"]}
        form = {"csrf_token": token, "login": "demo@example.com"}
        statuses = []
        for i in range(200):
            address = f"198.51.{i // 250}.{i % 250 + 1}"  # a new address each time, believed: a trusted proxy
            response = httpx.post(
                f"{base}/sign-in",
                data={**form, "password": f"guess-{i:03d}-x"},
                cookies=cookies,
                headers={"X-Forwarded-For": address},
            )
            statuses.append(response.status_code)
        assert statuses[:4] == [400] * 4  # wrong passwords are checked and refused
        assert set(statuses[4:]) == {429}  # the fifth locks the account, on both workers

        right = httpx.post(
            f"{base}/sign-in",
            data={**form, "password": "yiye-demo-2026"},
            cookies=cookies,
            headers={"X-Forwarded-For": "192.0.2.200"},
            follow_redirects=False,
        )
        assert right.status_code == 429
        assert "该账户已暂时锁定" in right.text
        minutes = re.search(r"请在 (\d+) 分钟后（北京时间 (\d\d:\d\d) 以后）再试", right.text)
        assert minutes
        assert minutes.group(1) == "1"
        beijing = datetime.now(timezone(timedelta(hours=8)))
        assert minutes.group(2) in {(beijing + timedelta(seconds=s)).strftime("%H:%M") for s in (0, 30, 60)}
        assert 1 <= int(right.headers["Retry-After"]) <= 60
        assert httpx.get(f"{base}/drafts", cookies=cookies, follow_redirects=False).status_code == 303  # not signed in


# --- in process: headers, the lock-out's schedule, Redis unreachable ---------------------------


@pytest.fixture
def limited(sqlite_url: str) -> Iterator[TestClient]:
    settings = make_settings(sqlite_url, rate_limit_enabled=True, rate_limit_api="3/minute", rate_limit_auth="5/minute")
    with TestClient(create_app(settings)) as client:
        yield client


def test_limited_routes_say_how_much_is_left(limited: TestClient) -> None:
    first = limited.get("/api/v1/packs")
    assert first.status_code == 200
    assert first.headers["X-RateLimit-Limit"] == "3"
    assert first.headers["X-RateLimit-Remaining"] == "2"
    assert 0 < int(first.headers["X-RateLimit-Reset"]) - time.time() <= 61
    assert first.headers["RateLimit-Policy"] == '"api";q=3;w=60'
    assert re.fullmatch(r'"api";r=2;t=(\d+)', first.headers["RateLimit"])
    limited.get("/api/v1/packs")
    limited.get("/api/v1/packs")
    refused = limited.get("/api/v1/packs")
    assert refused.status_code == 429
    assert refused.headers["X-RateLimit-Remaining"] == "0"
    assert refused.headers["RateLimit-Policy"] == '"api";q=3;w=60'
    assert refused.headers["Retry-After"]

    page = limited.get("/sign-in")
    assert "X-RateLimit-Limit" not in page.headers  # pages are not limited
    token = CSRF_INPUT.search(page.text).group(1)  # type: ignore[union-attr]
    post = limited.post("/sign-in", data={"csrf_token": token, "login": "x@example.com", "password": "wrong-wrong"})
    assert post.headers["RateLimit-Policy"] == '"auth";q=5;w=60'
    assert post.headers["X-RateLimit-Remaining"] == "4"


def test_the_lock_out_comes_after_five_failures_and_a_success_clears_the_count(db_client: TestClient) -> None:
    from tests.service.svcutil import sign_up

    sign_up(db_client, "lock@example.com")

    def attempt(password: str) -> httpx2.Response:
        db_client.cookies.clear()
        page = db_client.get("/sign-in")
        token = CSRF_INPUT.search(page.text).group(1)  # type: ignore[union-attr]
        data = {"csrf_token": token, "login": "LOCK@example.com ", "password": password}
        return db_client.post("/sign-in", data=data, follow_redirects=False)

    assert [attempt("wrong-wrong").status_code for _ in range(4)] == [400] * 4
    assert attempt("correct-horse-9").status_code == 303  # a success forgets the four failures
    assert [attempt("wrong-wrong").status_code for _ in range(5)] == [400] * 4 + [429]
    locked = attempt("correct-horse-9")
    assert locked.status_code == 429
    assert "请在 1 分钟后" in locked.text
    assert 'value="lock@example.com"' in locked.text


def test_an_unreachable_redis_still_limits_and_never_answers_500(sqlite_url: str) -> None:
    settings = make_settings(
        sqlite_url, rate_limit_enabled=True, rate_limit_api="3/minute", redis_url=f"redis://127.0.0.1:{free_port()}/0"
    )
    with TestClient(create_app(settings)) as client:
        assert [client.get("/api/v1/packs").status_code for _ in range(4)] == [200, 200, 200, 429]
