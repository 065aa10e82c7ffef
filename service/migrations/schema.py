"""What every migration writes the same way: the JSON column type, sized text, timestamps, per-column indexes."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def text(length: int | None = None) -> sqlmodel.sql.sqltypes.AutoString:
    """The models' ``str`` column type, as autogenerate writes it."""
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def timestamp(name: str, nullable: bool = False) -> sa.Column[Any]:
    """A time-zone-aware timestamp column."""
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


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
