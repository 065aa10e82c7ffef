"""The database engine, sessions, and schema upgrades through Alembic (never ``create_all``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import CursorResult, Engine, Result, event
from sqlalchemy.engine import make_url
from sqlmodel import Session, create_engine

ALEMBIC_INI = Path(__file__).parent / "alembic.ini"


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """An engine for SQLite (file made on first use, foreign keys on) or PostgreSQL."""
    if make_sqlite_directory(url):
        engine = create_engine(url, echo=echo, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, echo=echo, pool_pre_ping=True)


def make_sqlite_directory(url: str) -> bool:
    """Whether ``url`` is SQLite; if it names a file, its directory is made (a fresh clone has no var/)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return False
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    return True


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def alembic_config(url: str) -> Config:
    config = Config(str(ALEMBIC_INI))
    # Passed as an attribute, not a main option: configparser would choke on '%' in a URL.
    config.attributes["url"] = url
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at ``url`` to ``revision`` (creating a SQLite file if needed, see env.py)."""
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    command.downgrade(alembic_config(url), revision)


def touched(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE changed (its result is a cursor's, which counts them)."""
    assert isinstance(result, CursorResult)
    return result.rowcount


def session_scope(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session
