"""Alembic environment: the URL comes from the caller (service.db.upgrade) or from the settings.

The settings read ``YIYE_DATABASE_URL`` and default to ``var/yiye.db`` in the checkout, whose
directory is made here, so ``alembic -c service/alembic.ini upgrade head`` works in a fresh clone.
Migrations connect without the service's SQLite pragmas: batch mode copies and drops tables, which
must not cascade with foreign keys on.
"""

from __future__ import annotations

from logging.config import fileConfig
from typing import Any

from alembic import context
from sqlalchemy import pool
from sqlmodel import SQLModel, create_engine

import service.certs.models  # noqa: F401
import service.jobs.models  # noqa: F401
import service.models  # noqa: F401  (registers every table on SQLModel.metadata)
import service.policy.models  # noqa: F401
import service.workflow.models  # noqa: F401
from service.db import make_sqlite_directory
from service.settings import Settings

config = context.config
if config.config_file_name is not None and not config.attributes.get("url"):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = SQLModel.metadata


def _url() -> str:
    return config.attributes.get("url") or config.get_main_option("sqlalchemy.url") or Settings().database_url


def _for_this_dialect(obj: object, _name: object, _type: object, _reflected: bool, _compare_to: object) -> bool:
    """Leave out of the comparison what the models create on one dialect only (``Index(...).ddl_if(dialect=...)``)."""
    only = getattr(getattr(obj, "_ddl_if", None), "dialect", None)
    return only is None or only == context.get_context().dialect.name


def _configure(**kwargs: Any) -> None:
    context.configure(
        target_metadata=target_metadata,
        include_object=_for_this_dialect,
        render_as_batch=True,  # SQLite cannot ALTER most things; batch mode copies the table
        compare_type=True,
        **kwargs,
    )


def run_migrations_offline() -> None:
    _configure(url=_url(), literal_binds=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection=connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    url = _url()
    make_sqlite_directory(url)
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        _configure(connection=connection)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
