"""The certificate tables: one row per version of a certificate, and the public halves of the signing keys.

Private keys never enter the database: they are files in ``YIYE_KEYS_DIR`` (``service/certs/keys.py``).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.event import listens_for
from sqlalchemy.orm import Session, UOWTransaction
from sqlmodel import Field, SQLModel

from service.models import JSONColumn, utcnow
from service.workflow.models import Application, PermitTask

IN_FORCE = sa.text("superseded_at IS NULL AND recovered_at IS NULL")
"""A version neither re-issued nor recovered: the extension reminders look among these by ``expires_on``."""


class Certificate(SQLModel, table=True):
    """One version of an application's comprehensive certificate: its face as printed, and what became of it."""

    __tablename__ = "certificate"
    __table_args__ = (
        sa.UniqueConstraint("application_id", "version", name="uq_certificate_application_id_version"),
        sa.Index("ix_certificate_in_force_expires_on", "expires_on", postgresql_where=IN_FORCE, sqlite_where=IN_FORCE),
    )

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
    expires_on: date | None = Field(
        default=None,
        description="the earliest live term end of its sub-permits (an extension moves it): void after it, "
        "and the extension reminders find it by this column (``terms.py``)",
    )
    status_revision: int = Field(
        default=0,
        sa_column_kwargs={"server_default": "0"},
        description="moved in the transaction of any change to what a scan of it shows (``_status_moved``)",
    )

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


_holding_version = sa.Column("version", sa.Integer, nullable=False)


class PermitHolding(SQLModel, table=True):
    """A granted sub-permit after its grant: its live state and term, moved only by ``HoldingFlow``.

    Made the first time something happens to the permit after issue; until then the permit task's
    decision and the certificate's face are its record.
    """

    __tablename__ = "permit_holding"
    __table_args__ = (sa.UniqueConstraint("application_id", "permit", name="uq_permit_holding_application_id_permit"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    application_id: uuid.UUID = Field(foreign_key="application.id", index=True)
    owner_id: uuid.UUID = Field(foreign_key="user.id", description="the holder, for permission checks")
    permit: str = Field(max_length=64)
    permit_name: str = Field(max_length=200)
    department: str = Field(max_length=64, index=True)
    status: str = Field(max_length=30)
    valid_to: date | None = Field(default=None, description="the live term: an extension moves it without a new certificate")
    suspended_until: date | None = None
    version: int = Field(default=1, sa_column=_holding_version)

    __mapper_args__ = {"version_id_col": _holding_version}

    @property
    def departments(self) -> list[str]:
        return [self.department]


class LifecycleRequest(SQLModel, table=True):
    """What makes an application one about an issued certificate: its kind, the certificate and the permits it touches."""

    __tablename__ = "lifecycle_request"

    application_id: uuid.UUID = Field(foreign_key="application.id", primary_key=True)
    kind: str = Field(max_length=20, description="change, extension, suspension, resumption or cancellation")
    origin_id: uuid.UUID = Field(
        foreign_key="application.id", index=True, description="the application the certificate was issued on"
    )
    certificate_id: uuid.UUID = Field(foreign_key="certificate.id", description="the version applied from")
    permits: list[str] = Field(sa_type=JSONColumn)
    added: list[str] = Field(default_factory=list, sa_type=JSONColumn, description="a change: permits it adds to the face")
    removed: list[str] = Field(
        default_factory=list, sa_type=JSONColumn, description="a change: permits it takes off the face (注销 on request)"
    )
    values: dict[str, Any] = Field(default_factory=dict, sa_type=JSONColumn, description="the face details asked for anew")
    suspend_from: date | None = None
    suspend_to: date | None = None
    reason: str = Field(default="", max_length=500)


@listens_for(Session, "before_flush")
def _status_moved(session: Session, _flush: UOWTransaction, _instances: object) -> None:
    """Move ``status_revision`` of every version of the certificates a flush touches, in the flush's own transaction.

    A scan remembers what it derived per revision (``verify.Scanner``), so whatever a scan reads — the tasks'
    decisions, the holdings, an extension application's status, a newer version — must move it when it
    changes; doing it here, for every ORM write of those rows, leaves no path that could forget.
    """
    origins: set[uuid.UUID] = set()
    applications: set[uuid.UUID] = set()
    for row in (*session.new, *session.dirty, *session.deleted):
        if row in session.dirty and not session.is_modified(row):
            continue
        if isinstance(row, PermitTask | PermitHolding | Certificate):
            origins.add(row.application_id)
        elif isinstance(row, LifecycleRequest):
            origins.add(row.origin_id)
        elif isinstance(row, Application):
            applications.add(row.id)
    connection = session.connection()
    certificate, request = Certificate.metadata.tables["certificate"], sa.inspect(LifecycleRequest).local_table
    if applications:
        # an application about a certificate (an extension under way shows as 延续中) moves its origin's
        of_requests = sa.select(request.c.origin_id).where(request.c.application_id.in_(applications))
        origins |= applications | set(connection.execute(of_requests).scalars())
    if origins:
        # two indexed statements: an OR of the two lookups in one would scan the whole certificate table
        moved = certificate.c.status_revision + 1
        connection.execute(sa.update(certificate).where(certificate.c.application_id.in_(origins)).values(status_revision=moved))
