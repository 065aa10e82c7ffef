"""The audit chain: every state change appended in the same transaction, each event hashing the one before.

An event's hash is sha256 over its canonical JSON (sorted keys, no spaces, UTC timestamps), which
includes the previous event's hash; ``audit_head`` holds the last sequence number and hash, so a
deleted tail shows. A transaction's events wait in the session until it commits; right before COMMIT
they are numbered, hashed, stamped and appended under the head's lock, which is held only for that
append, so writers are serialised for the append alone and not for their whole transaction, and the
chain runs in the order of the commits. ``verify`` walks the
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
from sqlalchemy.event import listens_for
from sqlalchemy.orm import SessionTransaction
from sqlmodel import Session, col, select
from statemachine import StateMachine

from service.certs.models import PermitHolding
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


def noted(session: Session, *, actor: Actor | None, row: Subject, action: str, **change: Any) -> AuditEvent:
    """Record ``action`` on a workflow row, named for its kind; ``change`` holds ``record``'s states, reason and data."""
    return record(session, actor=actor, subject_kind=SUBJECTS[type(row)][0], subject_id=row.id, action=action, **change)


PENDING = "yiye.audit_pending"
"""``session.info`` key of the events recorded in the open transaction, in the order they were recorded."""


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
    """Record one event in the caller's transaction; it is numbered and chained when that transaction commits."""
    if not session.in_transaction():
        session.begin()  # the event belongs to this transaction: its end, committed or not, settles the event
    event = AuditEvent(
        seq=0,
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
        prev_hash="",
        hash="",
    )
    session.info.setdefault(PENDING, []).append(event)
    return event


@listens_for(Session, "before_commit")
def _append(session: Session) -> None:
    """Chain the committing transaction's events: lock the head, number and hash them in order, move the head."""
    if session.in_nested_transaction() or not (events := session.info.pop(PENDING, None)):
        return  # a savepoint's release is not the commit; the events wait for the transaction's own
    session.flush()  # the changes go first, so a lost optimistic-lock race fails before the head is locked
    seq, prev_hash = _lock_head(session)
    for pending in events:
        seq += 1
        pending.seq, pending.at, pending.prev_hash = seq, utcnow(), prev_hash
        pending.hash = prev_hash = digest(pending)
    session.add_all(events)  # all added before the outbox's first statement flushes them, so they go in one INSERT
    for pending in events:
        outbox.follow(session, pending)  # the notifications it owes commit with it, or not at all
    session.execute(update(AuditHead).where(col(AuditHead.id) == 1).values(seq=seq, hash=prev_hash))


@listens_for(Session, "after_transaction_end")
def _forget(session: Session, transaction: SessionTransaction) -> None:
    """A transaction ended without committing (rolled back or closed): its events go with it."""
    if transaction.parent is None:
        session.info.pop(PENDING, None)


def _lock_head(session: Session) -> tuple[int, str]:
    """The head's (seq, hash), locked until commit: an UPDATE takes the lock on PostgreSQL and the write lock on SQLite."""
    touch = update(AuditHead).where(col(AuditHead.id) == 1).values(seq=AuditHead.seq)
    head = session.execute(touch.returning(col(AuditHead.seq), col(AuditHead.hash))).first()
    if head is None:
        # The migration seeds the row; only an emptied table (the tests empty it) starts over here.
        session.add(AuditHead(id=1, seq=0, hash=GENESIS))
        session.flush()
        return 0, GENESIS
    return head.seq, head.hash


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
                breaks.append(Break(event.seq, f"第 {expected_seq}–{event.seq - 1} 条记录缺失（被删除）"))
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
