"""The audit chain: appended with the change it records, and ``yiye audit verify`` finds any tampering."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from service.cli import app
from service.models import User
from service.workflow import audit
from service.workflow.models import AuditEvent
from service.workflow.roles import Role

runner = CliRunner()


def _chain(session: Session, n: int = 5) -> list[AuditEvent]:
    clerk = User(email=f"clerk-{uuid.uuid4().hex[:6]}@example.com", password_hash="x", role=Role.clerk)
    session.add(clerk)
    session.commit()
    subject = uuid.uuid4()
    for i in range(n):
        audit.record(
            session,
            actor=clerk,
            subject_kind="application",
            subject_id=subject,
            action=f"step{i}",
            reason=f"第{i}步",
            data={"i": i},
        )
    session.commit()
    return list(session.exec(select(AuditEvent).order_by(col(AuditEvent.seq))))


def _verify(db_url: str) -> tuple[int, str]:
    result = runner.invoke(app, ["audit", "verify", "--database-url", db_url])
    return result.exit_code, result.output


def _broken(db_url: str) -> str:
    """What ``yiye audit verify`` prints about a chain it finds broken (it exits 1)."""
    code, out = _verify(db_url)
    assert code == 1
    return out


def test_an_untouched_chain_verifies(db_url: str, session: Session) -> None:
    events = _chain(session)
    assert [e.seq for e in events] == [1, 2, 3, 4, 5]
    assert events[0].prev_hash == audit.GENESIS
    assert all(b.prev_hash == a.hash for a, b in zip(events, events[1:], strict=False))
    assert _verify(db_url) == (0, "审计记录完整：5 条记录，哈希链无断裂\n")


@pytest.mark.parametrize(
    ("tampering", "found"),
    [
        ("UPDATE audit_event SET reason = '改过了' WHERE seq = 3", "第 3 条：记录内容与其哈希不符：记录被改动"),
        ("DELETE FROM audit_event WHERE seq = 2", "第 3 条：第 2–2 条记录缺失（被删除）"),
        ("DELETE FROM audit_event WHERE seq = 5", "末尾记录被删除"),
    ],
    ids=["an_edited_event", "a_deleted_event", "a_deleted_last_event"],
)
def test_a_row_changed_in_the_database_is_found(db_url: str, session: Session, tampering: str, found: str) -> None:
    _chain(session)
    session.execute(text(tampering))
    session.commit()
    assert found in _broken(db_url)


def test_an_edit_that_recomputes_its_own_hash_breaks_the_next_link(db_url: str, session: Session) -> None:
    _chain(session)
    event = session.get(AuditEvent, 3)
    assert event is not None
    event.reason = "改过了"
    event.hash = audit.digest(event)
    session.add(event)
    session.commit()
    assert "第 4 条：前一条记录的哈希不符" in _broken(db_url)


def test_an_inserted_event_is_found_even_with_a_well_formed_hash(db_url: str, session: Session) -> None:
    events = _chain(session)
    for seq in (5, 4):  # make room after the third event, one row at a time
        session.execute(text(f"UPDATE audit_event SET seq = {seq + 1} WHERE seq = {seq}"))
    session.expunge_all()
    forged = AuditEvent.model_validate(events[2].model_dump() | {"seq": 4, "reason": "补记", "prev_hash": events[2].hash})
    forged.hash = audit.digest(forged)
    session.add(forged)
    session.commit()
    assert "第 5 条：前一条记录的哈希不符" in _broken(db_url)


def test_an_event_is_written_with_its_change_or_not_at_all(db_url: str, session: Session) -> None:
    _chain(session, 1)
    clerk = session.exec(select(User)).one()
    audit.record(session, actor=clerk, subject_kind="application", subject_id=uuid.uuid4(), action="lost")
    session.rollback()
    assert [e.action for e in session.exec(select(AuditEvent))] == ["step0"]
    assert _verify(db_url)[0] == 0
