"""The workflow tests' case (tests/service/workflow/wfcase.py) decided by every department, staff, keys in a temporary folder.

The certificate tables are emptied after each test, before the service's fixture empties the rest.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session

from certs.certcase import MONDAY, SIGNED, Staff, task, uploads
from composer import Composer
from service.certs.lifecycle import issue
from service.certs.models import Certificate
from service.models import Draft
from service.workflow.models import Application
from service.workflow.review import Decision, decide
from service.workflow.storage import LocalFileStore
from service.workflow.submit import submit
from service.workflow.window import accept


@pytest.fixture(autouse=True)
def _empty_certificates(db_url: str, engine: Engine) -> Iterator[None]:
    yield
    with Session(engine) as cleaning:
        for table in ("certificate", "certificate_key"):
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


@pytest.fixture
def issue_for(session: Session, staff: Staff, composer: Composer, keys_dir: Path) -> Callable[..., Certificate]:
    """The window issues ``application``'s certificate on Monday; ``form_values`` are the holder's changed details."""

    def go(application: Application, form_values: dict[str, str] | None = None) -> Certificate:
        return issue(
            session,
            actor=staff.clerk,
            application_id=application.id,
            composer=composer,
            keys_dir=keys_dir,
            form_values=form_values,
            today=MONDAY,
        )

    return go
