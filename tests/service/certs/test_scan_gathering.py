"""Scans asked for while a statement runs are read together in the next, and each is answered with its own records."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlmodel import Session

from certs.certcase import MONDAY
from service.certs.keys import signing_ring
from service.certs.models import Certificate
from service.certs.verify import ScanFailed, Scanner, Shown, records, records_of, scans_engine
from service.db import make_engine
from service.workflow.models import Application

BOTH = pytest.mark.parametrize("db_url", ["sqlite", "postgresql"], indirect=True)


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


@BOTH
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
    assert [len(rows) for rows in each] == [
        3,
        3,
        0,
        1,
        3,
    ]  # a row per permit; an unknown key none; an unknown certificate its key's
    assert {row.application_id for row in each[0]} == {first.application_id}
    assert {row.application_id for row in each[1]} == {second.application_id}
    assert each[3][0].face is None


def _until(done: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 10
    while not done():
        assert time.monotonic() < deadline, "the scans never gathered"
        time.sleep(0.005)


def _crowd(scanner: Scanner, tokens: list[str]) -> tuple[dict[int, Shown | Exception], Any]:
    """``tokens`` scanned on a thread each while a statement runs; what each got, and the gathering that read them."""
    got: dict[int, Shown | Exception] = {}

    def scan(i: int) -> None:
        try:
            got[i] = scanner.scan(tokens[i], MONDAY)
        except Exception as exc:
            got[i] = exc

    threads = [threading.Thread(target=scan, args=(i,)) for i in range(len(tokens))]
    with scanner._reading:  # a statement in flight: the scans asked meanwhile gather for the next
        for thread in threads:
            thread.start()
        _until(lambda: scanner._gathering is not None and len(scanner._gathering.asked) == len(tokens))
        gathering = scanner._gathering
    for thread in threads:
        thread.join(10)
    return got, gathering


@BOTH
def test_scans_asked_while_a_statement_runs_are_read_in_one_and_each_gets_its_own_certificate(
    db_url: str, two: list[tuple[Certificate, str]]
) -> None:
    scanner = Scanner(scans_engine(db_url), 0)
    got, gathering = _crowd(scanner, [token for _, token in two] * 3)
    assert gathering.done.is_set()
    assert len(gathering.rows) == 6
    answers = [got[i] for i in range(6)]
    assert all(isinstance(a, Shown) for a in answers)
    assert [a.out.number for a in answers if isinstance(a, Shown)] == [c.number for c, _ in two] * 3
    assert {a.out.state for a in answers if isinstance(a, Shown)} == {"valid"}
    scanner.engine.dispose()


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
    got, _ = _crowd(scanner, [token] * 3)
    [led] = [e for e in got.values() if isinstance(e, psycopg.OperationalError)]  # the scan that ran the statement
    followed = [e for e in got.values() if isinstance(e, ScanFailed)]
    assert len(followed) == 2
    assert all(e.__cause__ is led for e in followed)
    assert scanner.scan(token, MONDAY).out.state == "valid"
    scanner.engine.dispose()
