"""The desks' pages on the mini pack, on both databases: one client per person, each with its own cookies."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from deskutil import Account, People, account, sign_in
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session
from svcutil import make_settings

from service.app import create_app
from service.workflow.roles import Role


@pytest.fixture
def desk_app(db_url: str, tmp_path: Path) -> FastAPI:
    return create_app(make_settings(db_url, files_dir=tmp_path / "files"))


@pytest.fixture
def people(session: Session) -> People:
    return People(
        applicant=account(session, Role.applicant),
        other_applicant=account(session, Role.applicant),
        clerk=account(session, Role.clerk),
        market=account(session, Role.reviewer, "market"),
        fire=account(session, Role.reviewer, "fire"),
        police=account(session, Role.reviewer, "police"),
        inspector=account(session, Role.inspector, "market"),
        supervisor=account(session, Role.supervisor),
        admin=account(session, Role.admin),
    )


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
