"""Fixtures for the applicant pages: the app on the real default pack (beijing-dongcheng)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from rules.packs import DEFAULT_PACK, PACKS_DIR
from tests.service.svcutil import make_settings, migrated_sqlite, started


@pytest.fixture(scope="module")
def pages_sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database of the page tests' own (the shared one is expected empty by other tests)."""
    return migrated_sqlite(tmp_path_factory, "pages-db")


@pytest.fixture(scope="module")
def dc_app(pages_sqlite_url: str) -> FastAPI:
    return create(pages_sqlite_url)


@pytest.fixture(scope="module")
def _dc_client(dc_app: FastAPI) -> Iterator[TestClient]:
    yield from started(dc_app)  # the lifespan (packs compiled) once per module


def create(url: str) -> FastAPI:
    from service.app import create_app

    return create_app(make_settings(url, packs_dir=PACKS_DIR, default_pack=DEFAULT_PACK))


@pytest.fixture
def dc(_dc_client: TestClient) -> TestClient:
    """A new visitor (no cookies, no account) on the default pack, SQLite."""
    _dc_client.cookies.clear()
    return _dc_client


@pytest.fixture
def other(dc_app: FastAPI, _dc_client: TestClient) -> TestClient:
    """A second visitor on the same app, with cookies of their own."""
    return TestClient(dc_app)


@pytest.fixture
def dc_db_app(db_url: str) -> FastAPI:
    return create(db_url)


@pytest.fixture
def dc_db(dc_db_app: FastAPI) -> Iterator[TestClient]:
    """A visitor on the default pack, once on SQLite and once on PostgreSQL."""
    yield from started(dc_db_app)


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """Debian's chromium for the module's browser tests."""
    pytest.importorskip("playwright.sync_api")
    from tests.service.svcutil import chromium_browser

    with chromium_browser() as browser:
        yield browser
