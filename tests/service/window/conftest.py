"""The desks' pages on the mini pack, on both databases: one client per person, each with its own cookies."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from service.app import create_app
from service.workflow.roles import Role
from tests.service.svcutil import make_settings
from tests.service.wfcase import every_role
from tests.service.window.deskutil import Account, People, account, sign_in


@pytest.fixture
def desk_app(db_url: str, tmp_path: Path) -> FastAPI:
    return create_app(make_settings(db_url, files_dir=tmp_path / "files"))


@pytest.fixture
def people(session: Session) -> People:
    """Everyone the desks need; the inspector is market's, for the on-site food check."""
    staff = every_role(functools.partial(account, session), inspector_department="market")
    return People(**staff, admin=account(session, Role.admin))


@pytest.fixture
def browser_of(desk_app: FastAPI) -> Iterator[Callable[[Account], TestClient]]:
    """A signed-in client for a person, with cookies of their own (the app started once for all of them)."""
    with TestClient(desk_app):

        def open_for(person: Account) -> TestClient:
            client = TestClient(desk_app)
            response = sign_in(client, person.login)
            assert response.status_code == 303, response.text
            return client

        yield open_for
