"""Loading a workflow row for someone who wants to act on it, and committing what they did.

Every change names the version of the row it was made from; a row that moved on since (another clerk,
another reviewer) is a conflict, and so is a race lost at commit (``version_id_col``).
"""

from __future__ import annotations

import functools
import hashlib
import json
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Concatenate, ParamSpec, TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session

from service.workflow.errors import Conflict, Forbidden, Invalid, NotFound, problem
from service.workflow.models import Application, IdempotencyKey, Inspection, PermitTask
from service.workflow.roles import ROLE_NAMES, Action, Actor, Role, may

Row = TypeVar("Row", Application, PermitTask)
P = ParamSpec("P")
R = TypeVar("R")


def load(session: Session, kind: type[Row], row_id: uuid.UUID, actor: Actor, action: Action) -> Row:
    """The row, if ``actor`` may take ``action`` on it. An applicant is told another's row does not exist."""
    label = "申请" if kind is Application else "审批事项"
    row = session.get(kind, row_id)
    if row is None or (actor.role == Role.applicant and row.owner_id != actor.id):
        raise NotFound([problem("not_found", f"没有这件{label}", "id", str(row_id))])
    if not may(actor, action, row):
        who = ROLE_NAMES.get(actor.role, actor.role) + (f"，{actor.department}" if actor.department else "")
        whose = "、".join(row.departments) or "综合窗口"
        raise Forbidden([problem("forbidden", f"您（{who}）无权对这件{label}（{whose}）执行此操作", "id", str(row_id))])
    return row


def load_to_change(
    session: Session, kind: type[Row], row_id: uuid.UUID, actor: Actor, action: Action, version: int | None
) -> Row:
    """The row ``load`` gives, if it is still at the ``version`` the change was made from."""
    row = load(session, kind, row_id, actor, action)
    expect_version(row, version)
    return row


def expect_version(row: Application | PermitTask | Inspection, version: int | None) -> None:
    """Refuse a change made from an older copy of the row."""
    if version is not None and row.version != version:
        raise Conflict(
            [
                problem(
                    "version_conflict",
                    f"该记录已被他人更新（第 {row.version} 版，您看到的是第 {version} 版），请刷新后重试",
                    "version",
                    str(row.id),
                )
            ]
        )


def atomic(operation: Callable[Concatenate[Session, P], R]) -> Callable[Concatenate[Session, P], R]:
    """A workflow operation: whatever it raises, its transaction is rolled back and its locks let go."""

    @functools.wraps(operation)
    def run(session: Session, /, *args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return operation(session, *args, **kwargs)
        except BaseException:
            session.rollback()
            raise

    return run


ONCE = "yiye.idempotency_key"
"""``session.info`` key of (user id, Idempotency-Key, request fingerprint): the next change commits the key with it."""


def once(session: Session, user_id: uuid.UUID, key: str, request: str) -> dict[str, Any] | None:
    """The first result under ``key``; else None, and the key is kept in the transaction of the next change."""
    earlier = replayed(session, user_id, key, request)
    if earlier is None:
        session.info[ONCE] = (user_id, key, request)
    return earlier


def settle(session: Session, user_id: uuid.UUID, key: str, result: dict[str, Any]) -> None:
    """Write down what a change kept under ``key`` led to (where its page went), once it is committed."""
    record = session.get(IdempotencyKey, (user_id, key))
    if record is not None and not record.result:
        record.result = result
        session.commit()


@contextmanager
def committing(session: Session, subject: object = "") -> Iterator[None]:
    """Run a change and commit it whole; anything raised rolls it all back, a lost race becomes a conflict."""
    try:
        yield
        if (pending := session.info.pop(ONCE, None)) is not None:
            user_id, key, request = pending
            remember(session, user_id, key, request, {})
        session.commit()
    except (StaleDataError, IntegrityError) as exc:
        session.info.pop(ONCE, None)
        session.rollback()
        raise Conflict(
            [problem("concurrent_update", "该记录刚被他人更新，您的操作未生效，请刷新后重试", "version", str(subject))]
        ) from exc
    except BaseException:
        session.info.pop(ONCE, None)
        session.rollback()
        raise


def fingerprint(operation: str, request: dict[str, Any]) -> str:
    """What a request asked for, so a retry can be told from another request under the same key."""
    return hashlib.sha256(json.dumps([operation, request], sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def replayed(session: Session, user_id: uuid.UUID, key: str, request: str) -> dict[str, Any] | None:
    """The result first given under this ``Idempotency-Key``, or None; the key reused for another request is refused."""
    if not key or len(key) > 100:
        raise Invalid([problem("bad_idempotency_key", "Idempotency-Key 应为 1–100 个字符", "Idempotency-Key")])
    record = session.get(IdempotencyKey, (user_id, key))
    if record is None:
        return None
    if record.request_sha256 != request:
        raise Invalid(
            [problem("idempotency_key_reused", "这个 Idempotency-Key 已用于另一个不同的请求，请换一个", "Idempotency-Key", key)]
        )
    return record.result


def remember(session: Session, user_id: uuid.UUID, key: str, request: str, result: dict[str, Any]) -> None:
    """Keep the result under the key, in the transaction that produced it."""
    session.add(IdempotencyKey(user_id=user_id, key=key, request_sha256=request, result=result))
