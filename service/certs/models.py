"""The certificate tables: one row per version of a certificate, and the public halves of the signing keys.

Private keys never enter the database: they are files in ``YIYE_KEYS_DIR`` (``service/certs/keys.py``).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from service.models import JSONColumn, utcnow


class Certificate(SQLModel, table=True):
    """One version of an application's comprehensive certificate: its face as printed, and what became of it."""

    __tablename__ = "certificate"
    __table_args__ = (sa.UniqueConstraint("application_id", "version", name="uq_certificate_application_id_version"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True, description="random: the token names it")
    number: str = Field(max_length=40, index=True, description="the same for every version of one certificate")
    version: int
    application_id: uuid.UUID = Field(foreign_key="application.id", index=True)
    owner_id: uuid.UUID = Field(foreign_key="user.id", description="the holder's account, for permission checks")
    face: dict[str, Any] = Field(sa_type=JSONColumn, description="the CertificateFace as printed")
    key_id: str = Field(max_length=8, description="the key that signed this version's token")
    issued_by: uuid.UUID = Field(foreign_key="user.id")
    issued_at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True), nullable=False)
    superseded_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True), nullable=True)
    recovered_at: datetime | None = Field(
        default=None, sa_type=sa.DateTime(timezone=True), nullable=True, description="收回: recorded when a sub-permit ended it"
    )
    recovery_reason: str = Field(default="", max_length=300)
    list_index: int | None = Field(
        default=None, unique=True, index=True, description="its bit in the status list (statuslist.py)"
    )
    expires_on: date | None = Field(default=None, description="the earliest sub-permit's last day: void after it")

    @property
    def revision(self) -> int:
        """How many recorded facts the version has had: issued, then superseded and recovered, each at most once."""
        return 1 + (self.superseded_at is not None) + (self.recovered_at is not None)

    @property
    def departments(self) -> list[str]:
        return [str(p["department"]) for p in self.face.get("permits", [])]


class CertificateKey(SQLModel, table=True):
    """The public half of a signing key, by key id; a retired key verifies nothing any more."""

    __tablename__ = "certificate_key"

    key_id: str = Field(max_length=8, primary_key=True)
    public_key: str = Field(max_length=64, description="the raw Ed25519 public key, hex")
    created_at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True), nullable=False)
    retired_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True), nullable=True)


class StatusList(SQLModel, table=True):
    """The certificates' status list: the next free index, and the latest signed list (one row)."""

    __tablename__ = "status_list"

    id: int = Field(default=1, primary_key=True, sa_column_kwargs={"autoincrement": False})
    next_index: int = 0
    jws: str = Field(default="", sa_type=sa.Text, description="the signed BitstringStatusListCredential, compact JWS")
    generated_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True), nullable=True)
