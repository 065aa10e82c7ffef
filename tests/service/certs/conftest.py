"""The workflow tests' case (tests/service/workflow/wfcase.py) decided by every department, staff, keys in a temporary folder.

The certificate tables are emptied after each test, before the service's fixture empties the rest.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session
from svcutil import FIXTURE_PACKS

from certs.certcase import CASE, FORM, MONDAY, SIGNED, Staff, task, uploads
from composer import Composer
from composer.model import ComposeRequest
from service.db import make_engine
from service.models import Draft, StoredComposition, User
from service.workflow.models import Application
from service.workflow.review import Decision, decide
from service.workflow.roles import Role
from service.workflow.storage import LocalFileStore
from service.workflow.submit import submit
from service.workflow.window import accept


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


@pytest.fixture(autouse=True)
def _empty_certificates(db_url: str, engine: object) -> Iterator[None]:
    yield
    with Session(engine) as cleaning:  # type: ignore[arg-type]
        for table in ("certificate", "certificate_key"):
            cleaning.exec(text(f"DELETE FROM {table}"))  # type: ignore[call-overload]
        cleaning.commit()


@pytest.fixture
def keys_dir(tmp_path: Path) -> Path:
    return tmp_path / "keys"


@pytest.fixture
def decide_all(
    session: Session, staff: Staff, make_draft: Callable[..., Draft], composer: Composer, store: LocalFileStore
) -> Callable[..., Application]:
    """An application decided by every department: each permit approved unless named in ``reject``."""

    def make(reject: tuple[str, ...] = ()) -> Application:
        draft = make_draft(staff.applicant)
        application = submit(
            session, actor=staff.applicant, draft_id=draft.id, composer=composer, store=store, uploads=uploads(), signed=SIGNED
        ).application
        accept(session, actor=staff.clerk, application_id=application.id, version=application.version, today=MONDAY)
        reviewers = {"fire_check": staff.fire, "food_business": staff.market, "hotel_trade": staff.police}
        for permit in ("fire_check", "food_business", "hotel_trade"):
            current = task(session, application, permit)
            refused = permit in reject
            decide(
                session,
                actor=reviewers[permit],
                task_id=current.id,
                decision=Decision.reject if refused else Decision.approve,
                version=current.version,
                reasons=["不符合条件"] if refused else [],
                legal_basis=["《旅馆业治安管理办法》第四条"] if refused else [],
                today=MONDAY,
            )
        session.refresh(application)
        assert application.status == "decided"
        return application

    return make
