"""Helpers for the service tests (imported by conftest and by test modules)."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

from service.settings import Settings

FIXTURE_PACKS = Path(__file__).resolve().parent.parent / "fixtures" / "packs"


def make_settings(database_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "env": "testing",
        "database_url": database_url,
        "packs_dir": FIXTURE_PACKS,
        "default_pack": "mini",
        "rate_limit_enabled": False,
        "log_json": True,
        "secret_key": "test-secret-key-0123456789",
        **overrides,
    }
    return Settings(**values)  # type: ignore[arg-type]


CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(client: TestClient, path: str = "/sign-in") -> str:
    """The CSRF token a page hands out to this client's session."""
    page = client.get(path)
    assert page.status_code == 200, page.text
    found = CSRF_INPUT.search(page.text)
    assert found, "page has no CSRF field"
    return found.group(1)


def sign_up(client: TestClient, login: str, password: str = "correct-horse-9") -> None:
    token = csrf_from(client, "/sign-up")
    response = client.post(
        "/sign-up",
        data={"csrf_token": token, "login": login, "password": password, "password_confirm": password},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
