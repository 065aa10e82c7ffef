"""What every migration writes the same way: column types, named keys, tables with their per-column indexes.

Migrations already applied run these again on a fresh database, so a change here must leave the schema
they build as it is (tests/service/test_persistence.py compares it with the models).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql
from sqlmodel.sql.sqltypes import AutoString

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def text(length: int | None = None) -> AutoString:
    """The models' ``str`` column type, as autogenerate writes it."""
    return AutoString(length=length)


def timestamp(name: str, nullable: bool = False) -> sa.Column[Any]:
    """A time-zone-aware timestamp column."""
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def string(name: str, length: int | None = None, nullable: bool = False) -> sa.Column[Any]:
    """A ``str`` column, at most ``length`` characters."""
    return sa.Column(name, text(length), nullable=nullable)


def uuid(name: str, nullable: bool = False) -> sa.Column[Any]:
    """A UUID column: an id, or a reference to one."""
    return sa.Column(name, sa.Uuid(), nullable=nullable)


def integer(name: str, nullable: bool = False) -> sa.Column[Any]:
    """An integer column."""
    return sa.Column(name, sa.Integer(), nullable=nullable)


def day(name: str, nullable: bool = False) -> sa.Column[Any]:
    """A calendar-date column."""
    return sa.Column(name, sa.Date(), nullable=nullable)


def json(name: str, nullable: bool = False) -> sa.Column[Any]:
    """A JSON column (JSONB on PostgreSQL)."""
    return sa.Column(name, JSON, nullable=nullable)


def permit_of_application() -> list[sa.Column[Any]]:
    """The leading columns of a row about one permit of one application: a permit task's, a held permit's."""
    return [
        uuid("id"),
        uuid("application_id"),
        uuid("owner_id"),
        string("permit", 64),
        string("permit_name", 200),
        string("department", 64),
    ]


class Ref(NamedTuple):
    """A foreign key from ``column`` to the id of ``table``."""

    column: str
    table: str
    ondelete: str | None = None


class Unique(NamedTuple):
    """A unique constraint over several columns, under the name its model gives it."""

    name: str
    columns: tuple[str, ...]


def create_table(
    name: str,
    *columns: sa.Column[Any],
    key: Sequence[str] = ("id",),
    refs: Sequence[Ref] = (),
    unique: Sequence[str | Unique] = (),
    indexes: Sequence[str] = (),
) -> sa.Table:
    """Create a table with its keys named as the models' naming convention names them, then index ``indexes``.

    A column name in ``unique`` is a one-column unique constraint, named by the convention too.
    """
    foreign = [
        sa.ForeignKeyConstraint([r.column], [f"{r.table}.id"], name=op.f(f"fk_{name}_{r.column}_{r.table}"), ondelete=r.ondelete)
        for r in refs
    ]
    unique_keys = [
        sa.UniqueConstraint(*u.columns, name=u.name)
        if isinstance(u, Unique)
        else sa.UniqueConstraint(u, name=op.f(f"uq_{name}_{u}"))
        for u in unique
    ]
    # Foreign keys, primary key, unique keys: the order autogenerate writes them, which SQLite keeps in the table's DDL.
    keys = [*foreign, sa.PrimaryKeyConstraint(*key, name=op.f(f"pk_{name}")), *unique_keys]
    table = op.create_table(name, *columns, *keys)
    if indexes:
        create_indexes(name, *indexes)
    return table


def drop_table(name: str, *indexes: str) -> None:
    """Drop a table and the indexes ``create_table`` made on it."""
    if indexes:
        drop_indexes(name, *indexes)
    op.drop_table(name)


def create_indexes(table: str, *columns: str, unique: bool = False) -> None:
    """One index per column, named ``ix_<table>_<column>`` by the naming convention."""
    with op.batch_alter_table(table, schema=None) as batch_op:
        for column in columns:
            batch_op.create_index(batch_op.f(f"ix_{table}_{column}"), [column], unique=unique)


def drop_indexes(table: str, *columns: str) -> None:
    """Drop the indexes ``create_indexes`` made."""
    with op.batch_alter_table(table, schema=None) as batch_op:
        for column in columns:
            batch_op.drop_index(batch_op.f(f"ix_{table}_{column}"))
