"""Fixtures for the service: databases built by ``alembic upgrade head``, apps on the mini packs, clients.

Persistence runs on both SQLite (a file per session) and the PostgreSQL at 127.0.0.1:5432 (a
fresh schema per session, dropped at the end). Tests that touch the database take ``db_url``
(or ``db_client``) and so run once per backend. Below them, the workflow's case (``wfcase``: three
permits in three departments, the hotel permit waiting on the fire check) with staff of every role, a
composer, a session and a file store, for the workflow, window, jobs and certificate tests.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import os
import shutil
import sys
import traceback
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType
from typing import Any

import psycopg
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, text
from sqlmodel import Session

from composer import Composer
from service import db
from service.app import create_app, lifespan
from service.db import make_engine
from service.models import Draft
from service.workflow.models import Application
from service.workflow.storage import LocalFileStore, Upload
from service.workflow.submit import Submitted, submit
from service.workflow.window import resubmit
from tests.service.svcutil import FIXTURE_PACKS, make_settings, migrated_sqlite, started
from tests.service.wfcase import SIGNED, Staff, add_user, every_role, stored_draft, uploads

_LIFESPAN = inspect.unwrap(lifespan).__code__


def _starting_up(frame: FrameType | None) -> bool:
    """Whether the app's lifespan is running: it sets up before the worker serves anyone."""
    while frame is not None:
        if frame.f_code is _LIFESPAN:
            return True
        frame = frame.f_back
    return False


@pytest.fixture(autouse=True)
def no_database_on_the_event_loop() -> Iterator[None]:
    """No statement runs on a worker's event loop: it would stall every request of that worker, and
    when the pool is spent it waits for connections that only the stalled loop can give back."""
    stalled: list[str] = []

    def on_the_loop(*args: Any) -> None:
        try:
            task = asyncio.current_task()
        except RuntimeError:
            return  # a pool thread: where a sync handler's statements belong
        if task is None or _starting_up(sys._getframe()):
            return
        stalled.append("".join(traceback.format_stack(limit=40)))

    event.listen(Engine, "before_cursor_execute", on_the_loop)
    yield
    event.remove(Engine, "before_cursor_execute", on_the_loop)
    assert not stalled, stalled[0]


PG_ADMIN = os.environ.get("YIYE_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


def _pg_url(schema: str) -> str:
    base = PG_ADMIN.replace("postgresql://", "postgresql+psycopg://", 1)
    joiner = "&" if "?" in base else "?"
    return f"{base}{joiner}options=-csearch_path%3D{schema}"


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return migrated_sqlite(tmp_path_factory, "db")


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
        workflow: tuple[str, ...] = ("audit_event", "audit_head", "idempotency_key", "integrator_key", "application_counter")
        workflow += ("permit_task",)
        workflow += ("decision_tally",)
        workflow += ("inspection_finding", "inspection", "correction_notice", "material_file", "application")
        for table in (*workflow, "pack_release", "policy_change_set", "web_session", "draft", "stored_composition", '"user"'):
            session.execute(text(f"DELETE FROM {table}"))
        session.commit()
    engine.dispose()


@pytest.fixture
def app(sqlite_url: str) -> FastAPI:
    return create_app(make_settings(sqlite_url))


@pytest.fixture
def db_app(db_url: str) -> FastAPI:
    return create_app(make_settings(db_url))


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    yield from started(app)


@pytest.fixture
def db_client(db_app: FastAPI) -> Iterator[TestClient]:
    yield from started(db_app)


@pytest.fixture
def packs_copy(tmp_path: Path) -> Path:
    """A writable copy of the fixture packs, for tests that edit or break a pack."""
    target = tmp_path / "packs"
    shutil.copytree(FIXTURE_PACKS, target)
    return target


# --- the workflow's case (wfcase): shared by the workflow, window, jobs and certificate tests ---


@pytest.fixture(scope="session")
def composer() -> Composer:
    return Composer.load("mini", FIXTURE_PACKS)


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture
def store(tmp_path: Path) -> LocalFileStore:
    return LocalFileStore(tmp_path / "files")


@pytest.fixture
def staff(session: Session) -> Staff:
    return Staff(**every_role(lambda role, department: add_user(session, role, department)[0], inspector_department="fire"))


@pytest.fixture
def make_draft(session: Session, composer: Composer) -> Callable[..., Draft]:
    """A draft as the questionnaire pages leave it: a stored composition and the form values."""
    return functools.partial(stored_draft, session, composer)


@pytest.fixture
def submit_draft(session: Session, staff: Staff, composer: Composer, store: LocalFileStore) -> Callable[..., Submitted]:
    """Submit a draft as the applicant, both materials uploaded and the food commitment signed; keywords override any of it."""

    def go(draft: Draft, **overrides: Any) -> Submitted:
        args: dict[str, Any] = {
            "actor": staff.applicant,
            "composer": composer,
            "store": store,
            "uploads": uploads(),
            "signed": SIGNED,
        }
        args |= overrides
        return submit(args.pop("session", session), draft_id=draft.id, **args)

    return go


@pytest.fixture
def make_submitted(
    staff: Staff, make_draft: Callable[..., Draft], submit_draft: Callable[..., Submitted]
) -> Callable[[], Application]:
    """A fresh draft of the applicant's, submitted."""
    return lambda: submit_draft(make_draft(staff.applicant)).application


@pytest.fixture
def resubmit_files(session: Session, staff: Staff, store: LocalFileStore) -> Callable[[Application, list[Upload]], Application]:
    """Send the applicant's corrected files for ``application``, at its current version."""

    def go(application: Application, uploads: list[Upload]) -> Application:
        return resubmit(
            session,
            actor=staff.applicant,
            application_id=application.id,
            version=application.version,
            store=store,
            uploads=uploads,
        )

    return go
