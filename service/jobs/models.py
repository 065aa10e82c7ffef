"""The outbox (work owed, written with the change it follows) and the notifications it delivers."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from service.models import JSONColumn, utcnow


class OutboxRow(SQLModel, table=True):
    """One piece of work owed to someone: committed with the state change it follows, delivered by ``yiye worker``."""

    __tablename__ = "outbox"
    __table_args__ = (sa.Index("ix_outbox_pending", "delivered_at", "failed_at", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=200, unique=True, description="dedupe key: writing the same work twice makes one row")
    topic: str = Field(max_length=20, description="state (an audit event), reminder, or email")
    payload: dict[str, Any] = Field(sa_type=JSONColumn)
    created_at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True), nullable=False)
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True), nullable=False)
    claimed_until: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True), nullable=True)
    delivered_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True), nullable=True)
    failed_at: datetime | None = Field(
        default=None, sa_type=sa.DateTime(timezone=True), nullable=True, description="parked after the last allowed attempt"
    )
    last_error: str = ""


class Notification(SQLModel, table=True):
    """A message to one user, shown on the 通知 page in the reader's language (and e-mailed in both when the user has an
    address). One written before English was kept has none, and shows in Chinese."""

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    key: str = Field(max_length=250, unique=True, description="the outbox row's key and the user: one per row and user")
    user_id: uuid.UUID = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    title: str = Field(max_length=200)
    body: str = ""
    title_en: str = Field(default="", max_length=200, sa_column_kwargs={"server_default": ""})
    body_en: str = Field(default="", sa_column_kwargs={"server_default": ""})
    created_at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True), nullable=False)
