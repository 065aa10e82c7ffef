"""A change set to the rule packs, and the releases published from them."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from service.models import JSONColumn, _timestamp


class ChangeSetStatus(StrEnum):
    draft = "draft"
    """being edited by its author; a change set sent back returns here with the approver's comments"""
    submitted = "submitted"
    approved = "approved"
    published = "published"


class ChangeSet(SQLModel, table=True):
    __tablename__ = "policy_change_set"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    title: str = Field(max_length=200)
    reason: str = Field(max_length=2000)
    pack_id: str = Field(max_length=64)
    author_id: uuid.UUID = Field(foreign_key="user.id", index=True)
    approver_id: uuid.UUID | None = Field(default=None, foreign_key="user.id")
    status: ChangeSetStatus = Field(default=ChangeSetStatus.draft, sa_type=sa.String(20), index=True)
    base_commit: str = Field(max_length=40, description="the packs' commit the edits were made on")
    files: dict[str, Any] = Field(default_factory=dict, sa_type=JSONColumn, description="path under the packs → new text")
    problems: list[Any] = Field(default_factory=list, sa_type=JSONColumn, description="the last check's problems")
    comments: str = Field(default="", max_length=2000, description="the approver's, when sent back")
    effective_date: date | None = None
    published_commit: str | None = Field(default=None, max_length=40)
    created_at: datetime = _timestamp()
    updated_at: datetime = _timestamp()


class PackRelease(SQLModel, table=True):
    """One published commit of the packs; every worker serves the newest within seconds."""

    __tablename__ = "pack_release"

    id: int | None = Field(default=None, primary_key=True)
    commit: str = Field(max_length=40, unique=True)
    change_set_id: uuid.UUID = Field(foreign_key="policy_change_set.id")
    published_at: datetime = _timestamp()
