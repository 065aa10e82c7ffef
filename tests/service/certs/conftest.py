"""The workflow tests' case (tests/service/workflow/wfcase.py) decided by every department, staff, keys in a temporary folder.

The certificate tables are emptied after each test, before the service's fixture empties the rest.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session

from composer import Composer
from service.certs.lifecycle import issue
from service.certs.models import Certificate
from service.models import Draft
from service.workflow.models import Application
from service.workflow.storage import LocalFileStore
from service.workflow.submit import submit
from service.workflow.window import accept
from tests.service.certs.certcase import MONDAY, SIGNED, Staff, decide_each, uploads


@pytest.fixture(autouse=True)
def _empty_certificates(db_url: str, engine: Engine) -> Iterator[None]:
    yield
    with Session(engine) as cleaning:
        for table in ("lifecycle_request", "permit_holding", "certificate", "certificate_key"):
            cleaning.execute(text(f"DELETE FROM {table}"))
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
        decide_each(session, staff, application, ("fire_check", "food_business", "hotel_trade"), refuse=reject)
        session.refresh(application)
        assert application.status == "decided"
        return application

    return make


@pytest.fixture
def issue_for(session: Session, staff: Staff, composer: Composer, keys_dir: Path) -> Callable[..., Certificate]:
    """Issue (or re-issue) an application's certificate at the window on MONDAY; keywords go on to ``issue``."""

    def make(application: Application, **kw: Any) -> Certificate:
        return issue(
            session, actor=staff.clerk, application_id=application.id, composer=composer, keys_dir=keys_dir, today=MONDAY, **kw
        )

    return make


@pytest.fixture
def issued(issue_for: Callable[..., Certificate], decide_all: Callable[..., Application]) -> Certificate:
    """The case's certificate, issued by the window on a Monday."""
    return issue_for(decide_all())
