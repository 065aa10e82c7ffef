"""The workflow's tables: applications, their files, correction notices, permit tasks, and the audit chain.

``Application`` and ``PermitTask`` are versioned rows (SQLAlchemy's ``version_id_col``): an update
names the version it read, so of two people acting on the same row at once exactly one wins. Their
``status`` is written only by the state machines in ``service/workflow/states.py``.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import defer
from sqlmodel import Field, SQLModel

from service.models import JSONColumn, utcnow


def _timestamp(**kwargs: Any) -> Any:
    return Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True), nullable=False, **kwargs)


def _when() -> Any:
    return Field(default=None, sa_type=sa.DateTime(timezone=True), nullable=True)


_application_version = sa.Column("version", sa.Integer, nullable=False)
OPEN = sa.text("status IN ('waiting_dependency', 'pending', 'rectification_needed')")
"""An open task (``states.TASK_OPEN``), as the partial indexes of migration 0007_queues spell it."""
_task_version = sa.Column("version", sa.Integer, nullable=False)


NUMBER_LENGTH = 20
"""The longest application number (受理编号)."""


class Application(SQLModel, table=True):
    """An application as submitted: the pack version, composition, form values, commitments it was made with."""

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    number: str = Field(max_length=NUMBER_LENGTH, unique=True, description="受理编号，例如 DC-20261205-00042")
    owner_id: uuid.UUID = Field(foreign_key="user.id", index=True)
    draft_id: uuid.UUID | None = Field(default=None, foreign_key="draft.id", unique=True, ondelete="SET NULL")
    channel: str = Field(max_length=10, description="online, or counter (registered by a clerk)")
    registered_by: uuid.UUID | None = Field(default=None, foreign_key="user.id")
    walk_in: dict[str, Any] | None = Field(
        default=None, sa_type=JSONColumn, description="at the counter: the applicant's name, ID number and phone"
    )
    pack_id: str = Field(max_length=64)
    pack_version: str = Field(max_length=64)
    composition_id: uuid.UUID = Field(foreign_key="stored_composition.id")
    composition: dict[str, Any] = Field(sa_type=JSONColumn, description="the Composition the applicant was shown")
    form_values: dict[str, Any] = Field(sa_type=JSONColumn)
    commitments: list[dict[str, Any]] = Field(
        default_factory=list, sa_type=JSONColumn, description="signed letters: permit, letter text, accepted_at"
    )
    departments: list[str] = Field(default_factory=list, sa_type=JSONColumn)
    applicant_name: str = Field(default="", max_length=200, index=True)
    uscc: str = Field(default="", max_length=18, index=True)
    status: str = Field(max_length=30, index=True)
    version: int = Field(default=1, sa_column=_application_version)
    refusal: dict[str, Any] | None = Field(default=None, sa_type=JSONColumn)
    submitted_at: datetime = _timestamp()
    accepted_at: datetime | None = _when()
    joint_due_on: date | None = Field(
        default=None, index=True, description="联合办理期限: the day by which every department must have decided (joint.py)"
    )
    joint_extended_days: int = Field(
        default=0,
        sa_column_kwargs={"server_default": "0"},
        description="working days added by the one extension the district government's head approved (Art. 42(2))",
    )
    joint_paused_since: date | None = Field(
        default=None, description="since when a department's Art. 45 procedure stops the joint handling's clock (pauses.py)"
    )
    decided_at: datetime | None = _when()

    __mapper_args__ = {"version_id_col": _application_version}
    __table_args__ = (
        # Part of a name: trigrams (pg_trgm) find it anywhere in the name; PostgreSQL only.
        sa.Index(
            "ix_application_applicant_name_trgm",
            "applicant_name",
            postgresql_using="gin",
            postgresql_ops={"applicant_name": "gin_trgm_ops"},
        ).ddl_if(dialect="postgresql"),
    )


LISTED = (defer(Application.composition, raiseload=True), defer(Application.form_values, raiseload=True))  # type: ignore[arg-type]
"""Load options for a list of applications: each one's composition and form (tens of KiB of JSON) stay in the
database, and a list that reads them after all raises rather than loading them one row at a time."""


class MaterialFile(SQLModel, table=True):
    """One uploaded file for one material; its bytes live in the file store under their sha256."""

    __tablename__ = "material_file"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    application_id: uuid.UUID = Field(foreign_key="application.id", index=True, ondelete="CASCADE")
    material: str = Field(max_length=64)
    sha256: str = Field(max_length=64)
    size: int
    media_type: str = Field(max_length=50)
    filename: str = Field(max_length=255, description="shown to people only; never used as a path")
    round: int = Field(default=0, description="0 with the submission, n with the n-th correction")
    uploaded_at: datetime = _timestamp()


class CorrectionNotice(SQLModel, table=True):
    """一次性补正告知书: every material's finding at once."""

    __tablename__ = "correction_notice"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    application_id: uuid.UUID = Field(foreign_key="application.id", index=True, ondelete="CASCADE")
    items: list[dict[str, Any]] = Field(sa_type=JSONColumn, description="material, name, status, reason")
    issued_by: uuid.UUID = Field(foreign_key="user.id")
    issued_at: datetime = _timestamp()
    resolved_at: datetime | None = _when()


class PermitTask(SQLModel, table=True):
    """One permit of an accepted application, decided by its department."""

    __tablename__ = "permit_task"
    __table_args__ = (
        sa.UniqueConstraint("application_id", "permit", name="uq_permit_task_application_id_permit"),
        # The queues and dashboards read open tasks only: a few thousand rows of a district's millions.
        sa.Index("ix_permit_task_open_queue", "department", "due_on", "id", postgresql_where=OPEN, sqlite_where=OPEN),
        sa.Index("ix_permit_task_open_district", "due_on", "id", postgresql_where=OPEN, sqlite_where=OPEN),
        sa.Index(
            "ix_permit_task_open_figures",
            *("department", "permit", "permit_name", "due_on", "due_soon_on", "paused_since"),
            postgresql_where=OPEN,
            sqlite_where=OPEN,
        ),
        # A search by part of a name among open tasks only: a common part (one name in sixty) would otherwise walk
        # the whole queue in due order testing each applicant's name. PostgreSQL only, like the application's.
        sa.Index(
            "ix_permit_task_open_name_trgm",
            "applicant_name",
            postgresql_using="gin",
            postgresql_ops={"applicant_name": "gin_trgm_ops"},
            postgresql_where=OPEN,
        ).ddl_if(dialect="postgresql"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    application_id: uuid.UUID = Field(foreign_key="application.id", index=True, ondelete="CASCADE")
    owner_id: uuid.UUID = Field(foreign_key="user.id", description="the applicant, copied for permission checks")
    applicant_name: str = Field(
        default="", max_length=200, sa_column_kwargs={"server_default": ""}, description="copied for the queue's search"
    )
    permit: str = Field(max_length=64)
    permit_name: str = Field(max_length=200)
    department: str = Field(max_length=64, index=True)
    depends_on: list[str] = Field(default_factory=list, sa_type=JSONColumn)
    on_commitment: bool = False
    on_site: bool = Field(
        default=False,
        sa_column_kwargs={"server_default": sa.false()},
        description="granted only after the joint visit's on-site check has passed it (inspection.approval_held)",
    )
    follow_up_days: int | None = Field(default=None, description="working days after the decision for the 核查")
    status: str = Field(max_length=30, index=True)
    version: int = Field(default=1, sa_column=_task_version)
    limit_days: int = Field(description="working days the department has, from acceptance")
    extended_days: int = Field(
        default=0,
        sa_column_kwargs={"server_default": "0"},
        description="working days added by the one extension its agency's head approved (行政许可法 Art. 42(1))",
    )
    clock_started_on: date
    paused_days: int = 0
    paused_since: date | None = None
    not_counted: dict[str, Any] | None = Field(
        default=None,
        sa_type=JSONColumn,
        description="the 行政许可法 Art. 45 procedure under way, which stopped the clock: kind, days needed, note, since",
    )
    due_on: date = Field(index=True)
    due_soon_on: date = Field(description="the working day 80 % of the limit is used; moves with due_on")
    decided_by: uuid.UUID | None = Field(default=None, foreign_key="user.id")
    decided_at: datetime | None = _when()
    reasons: list[str] = Field(default_factory=list, sa_type=JSONColumn)
    legal_basis: list[str] = Field(default_factory=list, sa_type=JSONColumn)
    verification_due: date | None = None

    __mapper_args__ = {"version_id_col": _task_version}

    @property
    def departments(self) -> list[str]:
        return [self.department]


_inspection_version = sa.Column("version", sa.Integer, nullable=False)


class Inspection(SQLModel, table=True):
    """联合踏勘: one visit for every permit of an application that needs an on-site check, one re-check."""

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    application_id: uuid.UUID = Field(foreign_key="application.id", unique=True, ondelete="CASCADE")
    owner_id: uuid.UUID = Field(foreign_key="user.id", description="the applicant, copied for permission checks")
    permits: list[str] = Field(sa_type=JSONColumn, description="the permits inspected")
    departments: list[str] = Field(sa_type=JSONColumn)
    visit_on: date = Field(description="a working day")
    status: str = Field(max_length=30)
    version: int = Field(default=1, sa_column=_inspection_version)
    scheduled_by: uuid.UUID = Field(foreign_key="user.id")
    recorded: list[str] = Field(default_factory=list, sa_type=JSONColumn, description="permits recorded in this round")
    rectification: list[dict[str, Any]] = Field(
        default_factory=list, sa_type=JSONColumn, description="整改意见一口告知: every failed item of every department"
    )
    reported_at: datetime | None = _when()
    created_at: datetime = _timestamp()

    __mapper_args__ = {"version_id_col": _inspection_version}


class InspectionFinding(SQLModel, table=True):
    """One requirement element of one permit, found met or not, at the visit (round 0) or the re-check (round 1)."""

    __tablename__ = "inspection_finding"
    __table_args__ = (
        sa.UniqueConstraint("inspection_id", "permit", "element", "round", name="uq_inspection_finding_inspection_id"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    inspection_id: uuid.UUID = Field(foreign_key="inspection.id", index=True, ondelete="CASCADE")
    permit: str = Field(max_length=64)
    element: str = Field(max_length=64)
    round: int
    passed: bool
    note: str = ""
    inspector_id: uuid.UUID = Field(foreign_key="user.id")
    recorded_at: datetime = _timestamp()


class AuditEvent(SQLModel, table=True):
    """One state change, chained to the one before by its hash; rows are only ever inserted."""

    __tablename__ = "audit_event"

    seq: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    at: datetime = _timestamp()
    actor_id: uuid.UUID | None = Field(default=None, description="no foreign key: the record outlives accounts")
    actor_role: str = Field(max_length=20)
    subject_kind: str = Field(max_length=20)
    subject_id: uuid.UUID = Field(index=True)
    action: str = Field(max_length=40)
    from_state: str | None = Field(default=None, max_length=30)
    to_state: str | None = Field(default=None, max_length=30)
    reason: str = ""
    data: dict[str, Any] = Field(default_factory=dict, sa_type=JSONColumn)
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)

    def change(self) -> dict[str, Any]:
        """What changed, as JSON: the part of the event its hash covers that the notifications it owes carry too."""
        return {
            "seq": self.seq,
            "subject_kind": self.subject_kind,
            "subject_id": str(self.subject_id),
            "action": self.action,
            "from_state": self.from_state,
            "to_state": self.to_state,
            "reason": self.reason,
        }


class AuditHead(SQLModel, table=True):
    """The chain's last sequence number and hash: one row, locked by every append, so the tail cannot vanish unseen."""

    __tablename__ = "audit_head"

    id: int = Field(default=1, primary_key=True, sa_column_kwargs={"autoincrement": False})
    seq: int
    hash: str = Field(max_length=64)


class DecisionTally(SQLModel, table=True):
    """Decisions per department and permit, with the working days they took: the dashboards' averages without a scan."""

    __tablename__ = "decision_tally"

    department: str = Field(max_length=64, primary_key=True)
    permit: str = Field(max_length=64, primary_key=True)
    permit_name: str = Field(default="", max_length=200)
    decided: int = 0
    days: int = Field(default=0, description="working days taken, summed over the decisions")
    limit_days: int = Field(default=0, description="statutory working days, summed over the decisions")


class ApplicationCounter(SQLModel, table=True):
    """The last application number handed out on a day (Beijing time)."""

    __tablename__ = "application_counter"

    day: date = Field(primary_key=True)
    last: int


class IdempotencyKey(SQLModel, table=True):
    """The first result of a request sent with an ``Idempotency-Key``, per user."""

    __tablename__ = "idempotency_key"

    user_id: uuid.UUID = Field(foreign_key="user.id", primary_key=True, ondelete="CASCADE")
    key: str = Field(max_length=100, primary_key=True)
    request_sha256: str = Field(max_length=64)
    result: dict[str, Any] = Field(sa_type=JSONColumn)
    created_at: datetime = _timestamp()


class IntegratorKey(SQLModel, table=True):
    """An API key of a department's own system: only its sha256 is kept; it acts as its integrator account."""

    __tablename__ = "integrator_key"

    key_sha256: str = Field(max_length=64, primary_key=True)
    user_id: uuid.UUID = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    created_at: datetime = _timestamp()
