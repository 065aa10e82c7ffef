"""The workflow's case and staff (tests/service/workflow), a real SMTP server, and an outbox emptied around each test."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import text
from sqlmodel import Session
from svcutil import free_port

from service.db import make_engine

sys.path.append(str(Path(__file__).resolve().parent.parent / "workflow"))  # for wfcase, which its conftest imports

from jobcase import Mailbox  # noqa: E402

from tests.service.workflow.conftest import (  # noqa: E402, F401
    composer,
    engine,
    make_draft,
    make_submitted,
    session,
    staff,
    store,
    submit_draft,
)


@pytest.fixture(autouse=True)
def _empty_outbox(db_url: str) -> Iterator[None]:
    """Other tests leave the outbox rows their state changes owed; each test here starts and ends without any."""

    def empty() -> None:
        database = make_engine(db_url)
        with Session(database) as s:
            s.exec(text("DELETE FROM notification"))  # type: ignore[call-overload]
            s.exec(text("DELETE FROM outbox"))  # type: ignore[call-overload]
            s.commit()
        database.dispose()

    empty()
    yield
    empty()


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    """A real SMTP server on a free local port: (what it received, its port)."""
    box = Mailbox()
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield box, port
    finally:
        controller.stop()
