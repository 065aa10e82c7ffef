"""Database tables and the wire shapes around them, one model family per entity.

``XBase`` holds shared properties, ``X`` (``table=True``) is the row, ``XCreate``/``XUpdate`` are what
callers send, ``XPublic`` is what goes back out. JSON columns hold the compose input exactly as the
applicant gave it, so every stored composition can be replayed.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from pydantic import EmailStr
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from service.workflow.roles import Role

SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
"""Named constraints, so Alembic's batch mode can alter them on SQLite."""

JSONColumn = sa.JSON().with_variant(JSONB(), "postgresql")


def utcnow() -> datetime:
    return datetime.now(UTC)


def _timestamp(**kwargs: Any) -> Any:
    return Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True), nullable=False, **kwargs)


# --- User: an applicant account ---------------------------------------------------------------


class UserBase(SQLModel):
    email: EmailStr | None = Field(default=None, max_length=254, unique=True, index=True)
    phone: str | None = Field(default=None, max_length=11, unique=True, index=True, regex=r"^1[3-9]\d{9}$")
    display_name: str = Field(default="", max_length=100)


class UserCreate(UserBase):
    password: str = Field(min_length=8, max_length=128)


class User(UserBase, table=True):
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    password_hash: str = Field(max_length=255)
    # Not on UserBase: nobody chooses their own role by signing up; an administrator gives it (the accounts desk, the CLI).
    role: Role = Field(default=Role.applicant, sa_type=sa.String(20), sa_column_kwargs={"server_default": Role.applicant.value})
    department: str | None = Field(default=None, max_length=64, description="the department a reviewer or inspector acts for")
    created_at: datetime = _timestamp()
    disabled_at: datetime | None = Field(
        default=None, sa_type=sa.DateTime(timezone=True), description="set by an administrator: the account signs in nowhere"
    )


class UserPublic(UserBase):
    id: uuid.UUID
    created_at: datetime


# --- StoredComposition: the exact input a draft was composed from -----------------------------


class StoredCompositionBase(SQLModel):
    pack_id: str = Field(max_length=64, index=True)
    pack_version: str = Field(max_length=64)
    as_of: date
    input: dict[str, Any] = Field(sa_type=JSONColumn, description="the ComposeRequest, as_of filled in")
    output_sha256: str = Field(max_length=64, description="sha256 of the canonical Composition JSON")


class StoredComposition(StoredCompositionBase, table=True):
    __tablename__ = "stored_composition"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    created_at: datetime = _timestamp()


class StoredCompositionPublic(StoredCompositionBase):
    id: uuid.UUID
    created_at: datetime


# --- Draft: an applicant's application before it is submitted ---------------------------------


class DraftStatus(StrEnum):
    draft = "draft"


class DraftBase(SQLModel):
    pack_id: str = Field(max_length=64)
    industries: list[str] = Field(default_factory=list, sa_type=JSONColumn)
    scope: list[str] = Field(default_factory=list, sa_type=JSONColumn)
    answers: dict[str, Any] = Field(default_factory=dict, sa_type=JSONColumn)
    commit: list[str] = Field(default_factory=list, sa_type=JSONColumn)
    form_values: dict[str, Any] = Field(default_factory=dict, sa_type=JSONColumn)


class DraftCreate(DraftBase):
    pass


class DraftUpdate(SQLModel):
    industries: list[str] | None = None
    scope: list[str] | None = None
    answers: dict[str, Any] | None = None
    commit: list[str] | None = None
    form_values: dict[str, Any] | None = None


_DRAFT_VERSION = sa.Column("version", sa.Integer, nullable=False, server_default="1")


class Draft(DraftBase, table=True):
    # Optimistic locking: every UPDATE says ``WHERE version = <the version read>`` and counts up,
    # so of two writers that read the same version only the first succeeds (StaleDataError).
    __mapper_args__ = {"version_id_col": _DRAFT_VERSION}

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    version: int = Field(default=1, sa_column=_DRAFT_VERSION)
    owner_id: uuid.UUID = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    composition_id: uuid.UUID | None = Field(default=None, foreign_key="stored_composition.id")
    status: DraftStatus = Field(default=DraftStatus.draft, sa_type=sa.String(20))
    created_at: datetime = _timestamp()
    updated_at: datetime = _timestamp()


class DraftPublic(DraftBase):
    id: uuid.UUID
    composition_id: uuid.UUID | None
    status: DraftStatus
    created_at: datetime
    updated_at: datetime


# --- WebSession: a browser's server-side session ----------------------------------------------


class WebSession(SQLModel, table=True):
    """What a browser's session cookie stands for; the cookie holds only the random id hashed here."""

    __tablename__ = "web_session"

    id_hash: str = Field(primary_key=True, max_length=64, description="sha256 of the id in the cookie")
    user_id: uuid.UUID | None = Field(default=None, foreign_key="user.id", index=True, ondelete="CASCADE")
    data: dict[str, Any] = Field(default_factory=dict, sa_type=JSONColumn)
    created_at: datetime = _timestamp()
    idle_expires_at: datetime = Field(sa_type=sa.DateTime(timezone=True), nullable=False, index=True)
    expires_at: datetime = Field(sa_type=sa.DateTime(timezone=True), nullable=False, index=True)
