"""The audit chain: every state change appended in the same transaction, each event hashing the one before.

An event's hash is sha256 over its canonical JSON (sorted keys, no spaces, UTC timestamps), which
includes the previous event's hash; ``audit_head`` holds the last sequence number and hash and is
locked by each append, so appends are serialised and a deleted tail shows. ``verify`` walks the
chain and reports every edited, inserted or deleted event.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select
from statemachine import StateMachine

from service.certs.models import PermitHolding
from service.db import touched
from service.jobs import outbox
from service.models import utcnow
from service.workflow.models import Application, AuditEvent, AuditHead, Inspection, PermitTask
from service.workflow.roles import Actor
from service.workflow.states import ApplicationFlow, HoldingFlow, InspectionFlow, TaskFlow, fire

GENESIS = "0" * 64


def canonical(event: AuditEvent) -> bytes:
    """The bytes an event's hash is computed over."""
    at = event.at if event.at.tzinfo else event.at.replace(tzinfo=UTC)  # SQLite hands timestamps back naive
    body = event.change() | {
        "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor_id": str(event.actor_id) if event.actor_id else None,
        "actor_role": event.actor_role,
        "data": event.data,
        "prev_hash": event.prev_hash,
    }
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def digest(event: AuditEvent) -> str:
    return hashlib.sha256(canonical(event)).hexdigest()


# What each kind of row is called in the log, the machine that moves it, and its name in a refusal.
SUBJECTS: dict[type[Any], tuple[str, type[StateMachine], str]] = {
    Application: ("application", ApplicationFlow, "申请"),
    PermitTask: ("task", TaskFlow, "审批事项"),
    Inspection: ("inspection", InspectionFlow, "联合踏勘"),
    PermitHolding: ("holding", HoldingFlow, "许可"),
}


Subject = Application | PermitTask | Inspection | PermitHolding
"""A row with a state machine, whose changes the audit trail records."""

def transition(
    session: Session,
    *,
    actor: Actor | None,
    row: Subject,
    event: str,
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Send ``event`` to ``row``'s machine and record the change, named for the event, in the same transaction."""
    _, machine, label = SUBJECTS[type(row)]
    before, after = fire(machine, row, event, label)
    return noted(session, actor=actor, row=row, action=event, from_state=before, to_state=after, reason=reason, data=data)


def created(
    session: Session,
    *,
    actor: Actor | None,
    row: Subject,
    action: str,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Record a new row in the state its machine starts it in."""
    return noted(session, actor=actor, row=row, action=action, to_state=row.status, data=data)


def noted(
    session: Session, *, actor: Actor | None, row: Subject, action: str, **change: Any
) -> AuditEvent:
    """Record ``action`` on a workflow row, named for its kind; ``change`` holds ``record``'s states, reason and data."""
    return record(session, actor=actor, subject_kind=SUBJECTS[type(row)][0], subject_id=row.id, action=action, **change)


def record(
    session: Session,
    *,
    actor: Actor | None,
    subject_kind: str,
    subject_id: uuid.UUID,
    action: str,
    from_state: str | None = None,
    to_state: str | None = None,
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event in the caller's transaction (the caller commits it with the change it records)."""
    session.flush()  # the state change goes first, so a lost optimistic-lock race fails before the head is locked
    head = _lock_head(session)
    event = AuditEvent(
        seq=head.seq + 1,
        at=utcnow(),
        actor_id=actor.id if actor else None,
        actor_role=str(actor.role) if actor else "system",
        subject_kind=subject_kind,
        subject_id=subject_id,
        action=action,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        data=data or {},
        prev_hash=head.hash,
        hash="",
    )
    event.hash = digest(event)
    session.add(event)
    session.execute(update(AuditHead).where(col(AuditHead.id) == 1).values(seq=event.seq, hash=event.hash))
    outbox.follow(session, event)  # the notifications it owes commit with it, or not at all
    session.flush()
    return event


def _lock_head(session: Session) -> AuditHead:
    """The head row, locked until commit: an UPDATE takes the lock on PostgreSQL and the write lock on SQLite."""
    rows_touched = touched(session.execute(update(AuditHead).where(col(AuditHead.id) == 1).values(seq=AuditHead.seq)))
    if rows_touched == 0:
        # The migration seeds the row; only an emptied table (the tests empty it) starts over here.
        head = AuditHead(id=1, seq=0, hash=GENESIS)
        session.add(head)
        session.flush()
        return head
    return session.exec(select(AuditHead).where(AuditHead.id == 1).execution_options(populate_existing=True)).one()


def history(session: Session, subject_id: uuid.UUID) -> list[AuditEvent]:
    """A subject's events in order."""
    return list(session.exec(select(AuditEvent).where(AuditEvent.subject_id == subject_id).order_by(col(AuditEvent.seq))))


@dataclass(frozen=True)
class Break:
    seq: int
    message: str


def verify(session: Session, batch: int = 1000) -> tuple[int, list[Break]]:
    """Walk the whole chain: (events checked, every break found)."""
    breaks: list[Break] = []
    expected_seq, prev_hash, checked = 1, GENESIS, 0
    last = 0
    while True:
        rows = session.exec(select(AuditEvent).where(AuditEvent.seq > last).order_by(col(AuditEvent.seq)).limit(batch)).all()
        if not rows:
            break
        for event in rows:
            checked += 1
            if event.seq != expected_seq:
                breaks.append(Break(event.seq, f"第 {expected_seq}–{event.seq - 1} 条记录缺失(被删除)"))
            if event.prev_hash != prev_hash:
                breaks.append(Break(event.seq, "前一条记录的哈希不符：其前的记录被删除、插入或改动"))
            if digest(event) != event.hash:
                breaks.append(Break(event.seq, "记录内容与其哈希不符：记录被改动"))
            expected_seq, prev_hash, last = event.seq + 1, event.hash, event.seq
    head = session.get(AuditHead, 1)
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS)
    if head_seq != expected_seq - 1 or head_hash != prev_hash:
        breaks.append(Break(head_seq, f"链尾应为第 {head_seq} 条记录，实际为第 {expected_seq - 1} 条：末尾记录被删除或追加"))
    return checked, breaks
