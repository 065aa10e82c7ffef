"""Fixtures for the service: databases built by ``alembic upgrade head``, apps on the mini packs, clients.

Persistence runs on both SQLite (a file per session) and the PostgreSQL at 127.0.0.1:5432 (a
fresh schema per session, dropped at the end). Tests that touch the database take ``db_url``
(or ``db_client``) and so run once per backend.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import Session
from svcutil import FIXTURE_PACKS, make_settings

from service import db
from service.app import create_app
from service.db import make_engine

PG_ADMIN = os.environ.get("YIYE_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


def _pg_url(schema: str) -> str:
    base = PG_ADMIN.replace("postgresql://", "postgresql+psycopg://", 1)
    joiner = "&" if "?" in base else "?"
    return f"{base}{joiner}options=-csearch_path%3D{schema}"


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'yiye.db'}"
    db.upgrade(url)
    return url


@pytest.fixture(scope="session")
def postgresql_url() -> Iterator[str]:
    schema = f"yiye_test_{uuid.uuid4().hex[:10]}"
    try:
        admin = psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"PostgreSQL not reachable at {PG_ADMIN}: {exc}")
    with admin:
        admin.execute(f'CREATE SCHEMA "{schema}"')
        try:
            url = _pg_url(schema)
            db.upgrade(url)
            yield url
        finally:
            admin.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A migrated database, emptied after each test."""
    url: str = request.getfixturevalue(f"{request.param}_url")
    yield url
    engine = make_engine(url)
    with Session(engine) as session:
        workflow = ("audit_event", "audit_head", "idempotency_key", "integrator_key", "application_counter", "permit_task")
        workflow += ("inspection_finding", "inspection", "correction_notice", "material_file", "application")
        for table in (*workflow, "web_session", "draft", "stored_composition", '"user"'):
            session.exec(text(f"DELETE FROM {table}"))  # type: ignore[call-overload]
        session.commit()
    engine.dispose()


@pytest.fixture
def app(sqlite_url: str) -> FastAPI:
    return create_app(make_settings(sqlite_url))


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


@pytest.fixture
def db_app(db_url: str) -> FastAPI:
    return create_app(make_settings(db_url))


@pytest.fixture
def db_client(db_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(db_app) as c:
        yield c


@pytest.fixture
def packs_copy(tmp_path: Path) -> Path:
    """A writable copy of the fixture packs, for tests that edit or break a pack."""
    target = tmp_path / "packs"
    shutil.copytree(FIXTURE_PACKS, target)
    return target
