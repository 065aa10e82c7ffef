"""A shop-and-hotel case on the mini pack, staff of every role, and sessions on both databases.

The case: three permits in three departments — food (market, taken on commitment), fire (fire) and the
hotel special-trade permit (police), which waits for the fire inspection's result; two materials to upload.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session
from svcutil import FIXTURE_PACKS
from wfcase import CASE, FORM, SIGNED, Staff, uploads

from composer import Composer
from composer.model import ComposeRequest
from service.db import make_engine
from service.models import Draft, StoredComposition, User
from service.workflow.models import Application
from service.workflow.roles import Role
from service.workflow.storage import LocalFileStore, Upload
from service.workflow.submit import Submitted, submit
from service.workflow.window import resubmit


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


def _user(session: Session, role: Role, department: str | None = None) -> User:
    user = User(email=f"{role}-{uuid.uuid4().hex[:8]}@example.com", password_hash="x", role=role, department=department)
    session.add(user)
    session.commit()
    return user


@pytest.fixture
def staff(session: Session) -> Staff:
    return Staff(
        applicant=_user(session, Role.applicant),
        other_applicant=_user(session, Role.applicant),
        clerk=_user(session, Role.clerk),
        market=_user(session, Role.reviewer, "market"),
        fire=_user(session, Role.reviewer, "fire"),
        police=_user(session, Role.reviewer, "police"),
        inspector=_user(session, Role.inspector, "fire"),
        supervisor=_user(session, Role.supervisor),
    )


@pytest.fixture
def make_draft(session: Session, composer: Composer) -> Callable[..., Draft]:
    """A draft as the questionnaire pages leave it: a stored composition and the form values."""

    def make(owner: User, request: ComposeRequest = CASE, form: dict[str, str] | None = None) -> Draft:
        _, body = composer.compose_json(request)
        stored = StoredComposition(
            pack_id=composer.pack.id,
            pack_version=composer.pack.version,
            as_of=request.as_of or date.today(),
            input=request.model_dump(mode="json"),
            output_sha256=hashlib.sha256(body).hexdigest(),
        )
        session.add(stored)
        session.flush()  # no relationship orders the inserts
        draft = Draft(
            owner_id=owner.id,
            pack_id="mini",
            scope=list(request.scope),
            answers=dict(request.answers),
            commit=list(request.commit),
            form_values=dict(FORM if form is None else form),
            composition_id=stored.id,
        )
        session.add(draft)
        session.commit()
        return draft

    return make


@pytest.fixture
def submit_draft(session: Session, staff: Staff, composer: Composer, store: LocalFileStore) -> Callable[..., Submitted]:
    """Submit a draft as the applicant, both materials uploaded and the food commitment signed; keywords override any of it."""

    def go(draft: Draft, **overrides: Any) -> Submitted:
        args = {
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
