"""The outbox: work owed, written in the transaction of the change it follows, delivered by ``yiye worker``.

A row's ``key`` makes writing the same work twice harmless. A worker claims a row for a lease before
delivering it, so two workers never deliver one row at once and the row of a worker killed mid-delivery
is taken up again when its lease runs out. A failed delivery is retried after a wait that doubles each
time; after ``outbox_max_attempts`` failures the row is parked as failed, logged, and listed by
``yiye outbox status`` until someone retries it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, func, inspect, or_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, SQLModel, col, select

from service.db import touched
from service.jobs.models import OutboxRow
from service.models import utcnow
from service.settings import Settings
from service.workflow.models import AuditEvent

log = logging.getLogger("yiye.outbox")

Deliver = Callable[[Session, OutboxRow], None]
"""Does a row's work; raises when it could not. Database writes it makes commit with the row's delivery."""


def insert_once(session: Session, model: type[SQLModel], values: dict[str, Any]) -> bool:
    """Insert a row unless one with its ``key`` exists; whether it was inserted."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(model).values(**values).on_conflict_do_nothing(index_elements=["key"])
    # RETURNING, not rowcount: PostgreSQL's driver reports no count for this statement
    return session.execute(statement.returning(inspect(model).local_table.c.key)).first() is not None


def add(session: Session, *, topic: str, key: str, payload: dict[str, Any]) -> bool:
    """Owe a piece of work, in the caller's transaction; whether it was new (an existing ``key`` is left alone)."""
    now = utcnow()
    values = {"key": key, "topic": topic, "payload": payload, "created_at": now, "next_attempt_at": now}
    return insert_once(session, OutboxRow, values | {"attempts": 0, "last_error": ""})


def follow(session: Session, event: AuditEvent) -> None:
    """Owe the notifications of a state change, in the transaction that records it (called by ``audit.record``)."""
    if event.to_state is None:
        return
    add(session, topic="state", key=f"audit:{event.hash}", payload=event.change())


def _pending() -> Any:
    return (col(OutboxRow.delivered_at).is_(None)) & (col(OutboxRow.failed_at).is_(None))


def _free(now: datetime) -> Any:
    return or_(col(OutboxRow.claimed_until).is_(None), col(OutboxRow.claimed_until) < now)


def claim(session: Session, settings: Settings, now: datetime) -> list[int]:
    """Claim up to a batch of due rows for this worker's lease; the ids claimed, oldest first (none: nothing is due)."""
    lease = now + timedelta(seconds=settings.outbox_lease_seconds)
    while True:
        candidates = session.exec(
            select(OutboxRow.id)
            .where(_pending(), col(OutboxRow.next_attempt_at) <= now, _free(now))
            .order_by(col(OutboxRow.id))
            .limit(settings.outbox_batch)
        ).all()
        if not candidates:
            session.commit()
            return []
        # Re-checked in the UPDATE: of two workers that saw the same rows, the second finds them taken.
        claimed = session.execute(
            update(OutboxRow)
            .where(col(OutboxRow.id).in_(candidates), _pending(), _free(now))
            .values(claimed_until=lease)
            .returning(col(OutboxRow.id))
            .execution_options(synchronize_session=False)
        ).scalars()
        ids = sorted(row_id for row_id in claimed if row_id is not None)
        session.commit()
        if ids:
            return ids
        # Another worker took every one of them first: look again past them.


@dataclass
class Pass:
    """What one relay pass did."""

    delivered: int = 0
    retrying: int = 0
    failed: list[int] = field(default_factory=list)


def relay(engine: Engine, settings: Settings, deliver: Deliver) -> Pass:
    """Deliver every due row, a batch at a time, until none is left; each row in a transaction of its own."""
    done = Pass()
    with Session(engine, expire_on_commit=False) as session:
        while claimed := claim(session, settings, utcnow()):
            for row_id in claimed:
                _deliver_one(session, settings, deliver, row_id, done)
    return done


def _deliver_one(session: Session, settings: Settings, deliver: Deliver, row_id: int, done: Pass) -> None:
    row = session.get(OutboxRow, row_id, populate_existing=True)
    if row is None or row.delivered_at is not None:
        return
    try:
        deliver(session, row)
        session.execute(
            update(OutboxRow)
            .where(col(OutboxRow.id) == row_id, col(OutboxRow.delivered_at).is_(None))
            .values(delivered_at=utcnow(), claimed_until=None, last_error="")
            .execution_options(synchronize_session=False)
        )
        session.commit()
        done.delivered += 1
    except Exception as exc:  # any failure of a delivery is retried; the reason is kept on the row
        session.rollback()
        _fail(session, settings, row_id, f"{type(exc).__name__}: {exc}"[:2000], done)


def backoff(settings: Settings, attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failure: doubling from the first, never longer than the maximum."""
    seconds = settings.outbox_backoff_seconds * 2 ** min(attempts - 1, 30)
    return timedelta(seconds=min(seconds, settings.outbox_backoff_max_seconds))


def _fail(session: Session, settings: Settings, row_id: int, error: str, done: Pass) -> None:
    row = session.get(OutboxRow, row_id, populate_existing=True)
    if row is None:
        return
    row.attempts += 1
    row.last_error = error
    row.claimed_until = None
    now = utcnow()
    context = {"outbox_id": row_id, "topic": row.topic, "attempts": row.attempts, "error": error}
    if row.attempts >= settings.outbox_max_attempts:
        row.failed_at = now
        log.error("outbox row failed for good; see yiye outbox status", extra=context)
        done.failed.append(row_id)
    else:
        row.next_attempt_at = now + backoff(settings, row.attempts)
        log.warning("outbox delivery failed, will retry", extra=context | {"retry_at": row.next_attempt_at.isoformat()})
        done.retrying += 1
    session.add(row)
    session.commit()


def next_due(session: Session, now: datetime) -> datetime | None:
    """When the earliest row still owed can next be tried (its backoff over, or a dead worker's lease run out)."""
    waiting = session.exec(select(func.min(OutboxRow.next_attempt_at)).where(_pending(), _free(now))).one()
    leased = session.exec(select(func.min(OutboxRow.claimed_until)).where(_pending(), col(OutboxRow.claimed_until) >= now)).one()
    times = [_aware(t) for t in (waiting, leased) if t is not None]
    return min(times) if times else None


def _aware(when: datetime) -> datetime:
    return when if when.tzinfo else when.replace(tzinfo=utcnow().tzinfo)  # SQLite hands timestamps back naive


@dataclass(frozen=True)
class Status:
    pending: int
    delivered: int
    failed: list[OutboxRow]


def status(session: Session) -> Status:
    """How many rows are owed and delivered, and every row parked as failed."""
    pending = session.exec(select(func.count()).select_from(OutboxRow).where(_pending())).one()
    delivered = session.exec(select(func.count()).select_from(OutboxRow).where(col(OutboxRow.delivered_at).is_not(None))).one()
    failed = session.exec(select(OutboxRow).where(col(OutboxRow.failed_at).is_not(None)).order_by(col(OutboxRow.id))).all()
    return Status(pending, delivered, list(failed))


def retry(session: Session, row_ids: list[int]) -> int:
    """Un-park failed rows so the worker tries them again from the first attempt; how many were parked."""
    result = session.execute(
        update(OutboxRow)
        .where(col(OutboxRow.id).in_(row_ids), col(OutboxRow.failed_at).is_not(None))
        .values(failed_at=None, attempts=0, next_attempt_at=utcnow(), last_error="")
    )
    session.commit()
    return touched(result)
