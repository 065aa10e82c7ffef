"""The workflow's case taken to acceptance, the outbox read back, and a mailbox for a local SMTP server, for the job tests."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from email import message_from_bytes
from email.header import decode_header, make_header
from email.message import Message

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope
from aiosmtpd.smtp import Session as SMTPSession
from sqlmodel import Session, col, select

from service.jobs.models import Notification, OutboxRow
from service.models import User
from service.workflow.models import Application, PermitTask
from service.workflow.window import accept
from tests.service.svcutil import free_port
from tests.service.wfcase import Staff

MONDAY = date(2026, 12, 7)


def accepted(
    session: Session, staff: Staff, make_submitted: Callable[[], Application]
) -> tuple[Application, dict[str, PermitTask]]:
    """The shop-and-hotel case submitted and accepted on a Monday: food and fire tasks pending, police waiting."""
    application = make_submitted()
    tasks = accept(session, actor=staff.clerk, application_id=application.id, version=application.version, today=MONDAY)
    return application, {t.permit: t for t in tasks}


def rows(session: Session) -> list[OutboxRow]:
    session.expire_all()
    return list(session.exec(select(OutboxRow).order_by(col(OutboxRow.id))))


def titles(session: Session, user: User) -> list[str]:
    session.expire_all()
    found = session.exec(select(Notification).where(Notification.user_id == user.id).order_by(col(Notification.title)))
    return [n.title for n in found]


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


@contextmanager
def smtp_server() -> Iterator[tuple[Mailbox, int]]:
    """A real SMTP server on a free local port while inside: (what it received, its port)."""
    box, port = Mailbox(), free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield box, port
    finally:
        controller.stop()
