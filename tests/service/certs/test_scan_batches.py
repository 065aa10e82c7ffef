"""Scans that arrive together are answered together: their records read in one statement, each with its own answer."""

from __future__ import annotations

import asyncio
import contextvars
import threading
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy.pool import QueuePool
from sqlmodel import Session

from certificates.tokens import KeyRing
from service.certs.keys import signing_ring
from service.certs.models import Certificate
from service.certs.verify import SCAN_TIMEOUT, Asked, Scanner, Shown, Unverifiable, records, records_of, scans_engine
from service.db import make_engine
from service.workflow.models import Application
from tests.service.certs.certcase import MONDAY
from tests.service.svcutil import until_set


@pytest.fixture
def two(
    session: Session, keys_dir: Path, decide_all: Callable[..., Application], issue_for: Callable[..., Certificate]
) -> list[tuple[Certificate, str]]:
    """Two certificates of two applications, each with its token."""
    certificates = [issue_for(decide_all()) for _ in range(2)]
    ring = signing_ring(session, keys_dir)
    return [(c, ring.sign(c.id, c.version)) for c in certificates]


def _fields(rows: list[Any]) -> list[dict[str, Any]]:
    return [{k: v for k, v in row._asdict().items() if k != "n"} for row in rows]


def test_records_of_answers_each_pair_asked_as_records_does(db_url: str, two: list[tuple[Certificate, str]]) -> None:
    (first, _), (second, _) = two
    kid = first.key_id
    asked = [(kid, first.id), (kid, second.id), ("0badc0de", first.id), (kid, uuid.uuid4()), (kid, first.id)]
    engine = scans_engine(db_url)
    with engine.connect() as db:
        each = records_of(db, asked)
        alone = [records(db, key_id, certificate_id) for key_id, certificate_id in asked]
    engine.dispose()
    assert [_fields(rows) for rows in each] == [_fields(rows) for rows in alone]
    # a row per permit; none for an unknown key; an unknown certificate its key's alone
    assert [len(rows) for rows in each] == [3, 3, 0, 1, 3]
    assert {row.application_id for row in each[0]} == {first.application_id}
    assert {row.application_id for row in each[1]} == {second.application_id}
    assert each[3][0].face is None


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_scan_connections_plan_once_give_up_on_a_stuck_statement_and_keep_the_urls_own_options(db_url: str) -> None:
    scans, plain = scans_engine(db_url), make_engine(db_url)
    with scans.connect() as connection, plain.connect() as other:
        assert connection.exec_driver_sql("SHOW plan_cache_mode").scalar_one() == "force_generic_plan"
        assert connection.exec_driver_sql("SHOW statement_timeout").scalar_one() == SCAN_TIMEOUT
        schema = other.exec_driver_sql("SHOW search_path").scalar_one()
        assert schema.startswith("yiye_test_")  # the test's own schema, named in the URL's options
        assert connection.exec_driver_sql("SHOW search_path").scalar_one() == schema
    scans.dispose()
    plain.dispose()


def test_scan_all_answers_each_token_with_its_own_certificate_or_why_it_proves_nothing(
    db_url: str, two: list[tuple[Certificate, str]]
) -> None:
    (first, one), (second, other) = two
    stranger = KeyRing(Ed25519PrivateKey.generate()).sign(first.id, first.version)
    scanner = Scanner(scans_engine(db_url), 0)
    answers = scanner.scan_all([(one, MONDAY), (other, MONDAY), ("not-a-token", MONDAY), (stranger, MONDAY), (one, MONDAY)])
    scanner.close()
    shown = [a.out.number if isinstance(a, Shown) else a.code for a in answers]
    assert shown == [first.number, second.number, "token_malformed", "token_unknown_key", first.number]


def test_a_batch_of_malformed_tokens_is_refused_without_a_connection(db_url: str) -> None:
    scanner = Scanner(scans_engine(db_url), 0)
    answers = scanner.scan_all([("not-a-token", MONDAY), ("A" * 500, MONDAY)])
    assert [a.code for a in answers if isinstance(a, Unverifiable)] == ["token_malformed"] * 2
    pool = scanner.engine.pool
    assert isinstance(pool, QueuePool)
    assert pool.checkedin() == 0  # none was ever opened
    scanner.close()


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)  # scans read PostgreSQL through psycopg itself
def test_a_dropped_connection_fails_the_scans_read_with_it_and_the_next_scan_is_answered(
    db_url: str, two: list[tuple[Certificate, str]]
) -> None:
    scanner = Scanner(scans_engine(db_url), 0)
    (_, token), _ = two
    assert scanner.scan(token, MONDAY).out.state == "valid"  # the pool's one connection
    with scanner.engine.connect() as connection:
        pid = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
    admin = make_engine(db_url)
    with admin.connect() as connection:
        connection.exec_driver_sql(f"SELECT pg_terminate_backend({int(pid)})")
    admin.dispose()
    with pytest.raises(psycopg.OperationalError):
        scanner.scan_all([(token, MONDAY)] * 3)
    assert scanner.scan(token, MONDAY).out.state == "valid"
    scanner.close()


ASKER: contextvars.ContextVar[str] = contextvars.ContextVar("asker")


def test_scans_that_arrive_while_the_scan_thread_is_busy_are_answered_as_one_batch_each_in_its_own_request(
    db_url: str, two: list[tuple[Certificate, str]]
) -> None:
    scanner = Scanner(scans_engine(db_url), 0, threads=1)
    busy, taken = threading.Event(), threading.Event()
    events: list[str] = []

    def admit(n: int) -> None:
        if n == 0:
            taken.set()
            busy.wait(10)  # the thread is busy with the first scan while the others arrive
        if n == 3:
            raise PermissionError("rate limited")
        events.append(f"admit {ASKER.get()}")

    def reply(n: int, scanned: Shown | Unverifiable) -> str:
        events.append(f"reply {ASKER.get()}")
        return scanned.out.number if isinstance(scanned, Shown) else scanned.code

    async def ask(n: int, token: str) -> str:
        ASKER.set(f"#{n}")
        try:
            return await scanner.answer(Asked(token, MONDAY, lambda: admit(n), lambda scanned: reply(n, scanned)))
        except PermissionError as exc:
            return str(exc)

    tokens = [token for _, token in two] * 3

    async def crowd() -> list[str]:
        first = asyncio.create_task(ask(0, tokens[0]))
        await until_set(taken)
        rest = [asyncio.create_task(ask(n, tokens[n])) for n in range(1, 6)]
        await asyncio.sleep(0.05)
        busy.set()
        return [await first, *[await task for task in rest]]

    answers = asyncio.run(crowd())
    scanner.close()
    numbers = [c.number for c, _ in two] * 3
    assert answers == [*numbers[:3], "rate limited", *numbers[4:]]
    # the first alone; then the five that waited, each admitted (but #3), scanned together, and each replied to
    waited = ["#1", "#2", "#4", "#5"]
    assert events == ["admit #0", "reply #0", *[f"admit {n}" for n in waited], *[f"reply {n}" for n in waited]]
