"""A population of certificates in PostgreSQL for the benchmarks: a few issued for real, the rest cloned in SQL.

``multiply`` copies one issued certificate, its application (its composition left out: no scan reads it)
and its permit tasks with new random ids, each copy the next status-list index, until the certificate table
holds ``total`` rows, in one ``INSERT … SELECT`` per table over ``generate_series``, then analyses the tables.
The bench scripts (bench/verify.py, bench/statuslist.py) share it.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from sqlalchemy import Engine, Table, text

from service.certs.models import Certificate
from service.workflow.models import Application, PermitTask

PG_ADMIN = os.environ.get("YIYE_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


@contextmanager
def pg_schema(name: str, keep: bool) -> Iterator[str]:
    """A SQLAlchemy URL on a schema of its own in the PostgreSQL at ``YIYE_TEST_PG``, dropped afterwards unless ``keep``."""
    with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=5) as admin:
        admin.execute(f'CREATE SCHEMA IF NOT EXISTS "{name}"')
        try:
            base = PG_ADMIN.replace("postgresql://", "postgresql+psycopg://", 1)
            yield f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{name}"
        finally:
            if not keep:
                admin.execute(f'DROP SCHEMA "{name}" CASCADE')


def _copy(table: Table, overrides: dict[str, str], where: str) -> str:
    columns = [c.name for c in table.columns]
    chosen = ", ".join(overrides.get(c, f"t.{c}") for c in columns)
    quoted = ", ".join(f'"{c}"' for c in columns)
    return f'INSERT INTO "{table.name}" ({quoted}) SELECT {chosen} FROM "{table.name}" t, clone WHERE {where}'


def multiply(engine: Engine, template: uuid.UUID, total: int) -> int:
    """Clone certificate ``template`` until there are ``total`` certificates; how many were added."""
    with engine.begin() as connection:
        have = connection.execute(text("SELECT count(*) FROM certificate")).scalar_one()
        missing = max(total - have, 0)
        if not missing:
            return 0
        application_id = connection.execute(
            text("SELECT application_id FROM certificate WHERE id = :id"), {"id": template}
        ).scalar_one()
        connection.execute(
            text(
                "CREATE TEMP TABLE clone ON COMMIT DROP AS SELECT g, gen_random_uuid() AS application_id, "
                "gen_random_uuid() AS certificate_id FROM generate_series(1, :n) g"
            ),
            {"n": missing},
        )
        tables = {m: m.__table__ for m in (Application, PermitTask, Certificate)}  # type: ignore[attr-defined]
        number = f"'C{uuid.uuid4().hex[:6]}' || lpad(clone.g::text, 12, '0')"
        statements = [
            _copy(
                tables[Application],
                {"id": "clone.application_id", "number": number, "draft_id": "NULL", "composition": "'{}'::jsonb"},
                "t.id = :application",
            ),
            _copy(
                tables[PermitTask],
                {"id": "gen_random_uuid()", "application_id": "clone.application_id"},
                "t.application_id = :application",
            ),
            _copy(
                tables[Certificate],
                {
                    "id": "clone.certificate_id",
                    "application_id": "clone.application_id",
                    "number": number,
                    "list_index": "(SELECT next_index FROM status_list) + clone.g - 1",
                },
                "t.id = :certificate",
            ),
            "UPDATE status_list SET next_index = next_index + :n",
        ]
        for statement in statements:
            connection.execute(text(statement), {"application": application_id, "certificate": template, "n": missing})
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        for table in ("application", "permit_task", "certificate"):
            connection.execute(text(f"ANALYZE {table}"))
    return missing


def sample(engine: Engine, count: int) -> list[tuple[uuid.UUID, int]]:
    """``count`` certificates (id, version) drawn at random from the whole table."""
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT id, version FROM certificate ORDER BY random() LIMIT :n"), {"n": count}).all()
    return [(row.id, row.version) for row in rows]


def warm(engine: Engine, ids: list[uuid.UUID]) -> None:
    """Read the rows (and index entries) a scan of each of these certificates reads, so they are in memory."""
    with engine.connect() as connection:
        connection.execute(
            text(
                "SELECT count(t.permit), sum(length(c.face::text)), "
                "sum((SELECT max(l.version) FROM certificate l WHERE l.application_id = c.application_id)) "
                "FROM certificate c LEFT JOIN permit_task t ON t.application_id = c.application_id "
                "LEFT JOIN permit_holding h ON h.application_id = t.application_id AND h.permit = t.permit "
                "WHERE c.id = ANY(:ids)"
            ),
            {"ids": ids},
        ).one()
