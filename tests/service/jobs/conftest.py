"""The workflow's case and staff (tests/service/workflow), a real SMTP server, and an outbox emptied around each test."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.header import decode_header, make_header
from email.message import Message
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope
from aiosmtpd.smtp import Session as SMTPSession
from sqlalchemy import text
from sqlmodel import Session
from svcutil import free_port

from service.db import make_engine

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "workflow"))  # wfcase, imported by its conftest

from tests.service.workflow.conftest import composer, engine, make_draft, session, staff, store  # noqa: E402, F401


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


@dataclass
class Mailbox:
    """What a local SMTP server received; it refuses the first ``refuse`` messages with a temporary failure."""

    refuse: int = 0
    delay: float = 0.0
    refused: int = 0
    messages: list[Message] = field(default_factory=list)

    async def handle_DATA(self, server: SMTP, smtp_session: SMTPSession, envelope: Envelope) -> str:  # noqa: N802 (aiosmtpd's hook name)
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.refused < self.refuse:
            self.refused += 1
            return "451 4.3.0 暂时无法接收, 请稍后重试"
        assert isinstance(envelope.content, bytes)
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"

    def subjects(self) -> list[str]:
        return [str(make_header(decode_header(m["Subject"]))) for m in self.messages]

    def message_ids(self) -> list[str]:
        return [m["Message-ID"] for m in self.messages]


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
