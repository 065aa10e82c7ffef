"""The workflow's case and staff (tests/service/conftest.py), a real SMTP server, and an outbox emptied around each test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlmodel import Session

from service.db import make_engine
from tests.service.jobs.jobcase import Mailbox, smtp_server


@pytest.fixture(autouse=True)
def _empty_outbox(db_url: str) -> Iterator[None]:
    """Other tests leave the outbox rows their state changes owed; each test here starts and ends without any."""

    def empty() -> None:
        database = make_engine(db_url)
        with Session(database) as s:
            s.execute(text("DELETE FROM notification"))
            s.execute(text("DELETE FROM outbox"))
            s.commit()
        database.dispose()

    empty()
    yield
    empty()


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    """A real SMTP server on a free local port: (what it received, its port)."""
    with smtp_server() as found:
        yield found
