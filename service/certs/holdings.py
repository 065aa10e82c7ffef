"""Held permits (持有的许可) after the certificate is issued: each one's live state and term, read from the records.

A permit's holding is made the first time something happens to it after issue (``HoldingFlow``, through
``audit.transition``); until then its task's decision and the certificate's face are its record. An extension
under way shows as 延续中, a suspension's period over counts as resumed, and a term past its end as 已过期 —
all derived at read time, so no job lag shows a stale state. A department ends its own permit here (撤销
行政许可法 Art. 69, 吊销 as a penalty, 注销 Art. 70): the certificate is void at once and its recovery recorded.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy import Connection
from sqlmodel import Session, col, select

from certificates.face import CertificateFace
from certificates.status import ItemState, Status, derive
from rules.model import LifecycleKind
from service.certs.lifecycle import (
    GRANTED,
    beijing_date,
    current,
    record_recovery,
    recorded_states,
    tasks_by_application,
    tasks_of,
)
from service.certs.models import Certificate, LifecycleRequest, PermitHolding
from service.models import User
from service.workflow import audit
from service.workflow.errors import Conflict, Forbidden, Invalid, NotFound, problem
from service.workflow.models import LISTED, NUMBER_LENGTH, Application, PermitTask
from service.workflow.queues import PAGE_SIZE, applicant_matching, search_problems
from service.workflow.roles import Action, may
from service.workflow.rows import atomic, committing
from service.workflow.states import HoldingFlow, initial_status

OPEN = ("submitted", "correction_requested", "resubmitted", "accepted", "in_approval")
"""An application in one of these states is still being handled."""

HELD: Mapping[str, ItemState] = {
    "valid": ItemState.valid,
    "changed": ItemState.changed,
    "suspended": ItemState.suspended,
    "cancelled": ItemState.cancelled,
    "withdrawn": ItemState.withdrawn,
    "revoked": ItemState.revoked,
}

ENDINGS = {"cancel": "注销", "withdraw": "撤销", "revoke": "吊销"}
"""What a department may do to its own permit from its desk."""


@dataclass(frozen=True)
class Live:
    """Every sub-permit's recorded state and term as of a day, read from the records (no job involved)."""

    states: dict[str, ItemState]
    terms: dict[str, date | None]

    def status(self, certificate: Certificate, newest: Certificate | None, today: date) -> Status:
        face = CertificateFace.model_validate(certificate.face)
        superseded = newest is not None and newest.id != certificate.id
        return derive(face, self.states, superseded=superseded, today=today, terms=self.terms)


class Held(NamedTuple):
    """A holding's record as the scan reads it: its state and live term."""

    status: str
    valid_to: date | None
    suspended_until: date | None


def live(session: Session, application_id: uuid.UUID, today: date) -> Live:
    """The live record of the application's sub-permits: held state, suspension ended, extension under way, term."""
    return lives(session, [application_id], today)[application_id]


def lives(session: Session, application_ids: Collection[uuid.UUID], today: date) -> dict[uuid.UUID, Live]:
    """``live`` for many applications, read in three queries whatever their number."""
    ids = list(application_ids)
    held: dict[uuid.UUID, dict[str, Held]] = {i: {} for i in ids}
    for h in session.exec(select(PermitHolding).where(col(PermitHolding.application_id).in_(ids))):
        held[h.application_id][h.permit] = Held(h.status, h.valid_to, h.suspended_until)
    tasks = tasks_by_application(session, ids)
    extending = _renewing(session, ids)
    return {i: live_from(with_added(recorded_states(tasks[i]), held[i]), held[i], extending[i], today) for i in ids}


def with_added(recorded: Mapping[str, ItemState], held: Mapping[str, Held]) -> dict[str, ItemState]:
    """The decisions' states, and a granted one for each permit a change added (its holding is its only record)."""
    return {**dict.fromkeys(held, ItemState.valid), **recorded}


def added_held(db: Connection | Session, origin_id: uuid.UUID, permits: Collection[str]) -> dict[str, Held]:
    """The holdings of ``permits`` (added by a change, so with no task on the certificate's own application)."""
    table = sa.inspect(PermitHolding).local_table
    query = sa.select(table.c.permit, table.c.status, table.c.valid_to, table.c.suspended_until).where(
        table.c.application_id == origin_id, table.c.permit.in_(sorted(permits))
    )
    return {row.permit: Held(row.status, row.valid_to, row.suspended_until) for row in db.execute(query)}


APPLY_BEFORE = timedelta(days=30)
"""行政许可法 Art. 50: 届满三十日前. Counted in calendar days: Art. 82's working days are the agency's limits, and the
applicant's side is not said (research/workflow.md §1 h, j) [I]."""


def in_time(applied_on: date, valid_to: date) -> bool:
    """An extension applied for at least thirty days before the term ends: decided before it ends, or deemed granted."""
    return applied_on <= valid_to - APPLY_BEFORE


def live_from(recorded: Mapping[str, ItemState], held: Mapping[str, Held], renewing: Mapping[str, date], today: date) -> Live:
    """Each sub-permit's state and term from its decision, its holding and any extension under way, as of ``today``.

    ``renewing`` gives the day each permit's open extension was applied for: one applied for late keeps the permit
    延续中 only until its term ends (Art. 50 deems only a timely one granted), then it expires like any other.
    """
    states: dict[str, ItemState] = {}
    terms: dict[str, date | None] = {}
    for permit, state in recorded.items():
        holding = held.get(permit)
        if state is ItemState.valid and holding is not None:
            state = HELD[holding.status]
            terms[permit] = holding.valid_to
            if state is ItemState.suspended and holding.suspended_until is not None and today > holding.suspended_until:
                state = ItemState.valid  # the period over, the business counts as resumed (登记条例 Art. 30)
        if state in (ItemState.valid, ItemState.changed) and permit in renewing:
            term = holding.valid_to if holding is not None else None
            if term is None or today <= term or in_time(renewing[permit], term):
                state = ItemState.renewing
        states[permit] = state
    return Live(states, terms)


def renewing(session: Session, origin_id: uuid.UUID) -> dict[str, date]:
    """The permits an open extension application names, each with the day (in Beijing) it was applied for."""
    return _renewing(session, [origin_id])[origin_id]


def _renewing(session: Session, origin_ids: list[uuid.UUID]) -> dict[uuid.UUID, dict[str, date]]:
    """``renewing`` for each of ``origin_ids``, in one query."""
    query = (
        select(LifecycleRequest.origin_id, LifecycleRequest.permits, Application.submitted_at)
        .join(Application, col(Application.id) == col(LifecycleRequest.application_id))
        .where(
            col(LifecycleRequest.origin_id).in_(origin_ids),
            LifecycleRequest.kind == LifecycleKind.extension.value,
            col(Application.status).in_(OPEN),
        )
    )
    found: dict[uuid.UUID, dict[str, date]] = {i: {} for i in origin_ids}
    for origin, permits, submitted in session.exec(query):
        found[origin].update(dict.fromkeys(permits, beijing_date(submitted)))
    return found


def open_requests(session: Session, origin_id: uuid.UUID) -> list[LifecycleRequest]:
    """The applications about the certificate still being handled."""
    query = (
        select(LifecycleRequest)
        .join(Application, col(Application.id) == col(LifecycleRequest.application_id))
        .where(LifecycleRequest.origin_id == origin_id, col(Application.status).in_(OPEN))
    )
    return list(session.exec(query))


def holding(session: Session, origin: Application, permit: str) -> PermitHolding:
    """The permit's holding, made from its grant and the certificate's face the first time it is needed."""
    found = session.exec(
        select(PermitHolding).where(PermitHolding.application_id == origin.id, PermitHolding.permit == permit)
    ).first()
    if found is not None:
        return found
    task = next((t for t in tasks_of(session, origin.id) if t.permit == permit and t.status in GRANTED), None)
    certificate = current(session, origin.id)
    printed = {p["permit"]: p for p in certificate.face["permits"]} if certificate is not None else {}
    if task is None or permit not in printed:
        raise Conflict([problem("permit_not_held", "这项许可未获准予或不在凭证上", "permit", permit)])
    return new_holding(session, origin, task, printed[permit].get("valid_to"))


def new_holding(session: Session, origin: Application, task: PermitTask, valid_to: str | None) -> PermitHolding:
    """The holding of the permit ``task`` granted, on the certificate of ``origin``, to the term printed (ISO date)."""
    made = PermitHolding(
        application_id=origin.id,
        owner_id=origin.owner_id,
        permit=task.permit,
        permit_name=task.permit_name,
        department=task.department,
        status=initial_status(HoldingFlow),
        valid_to=date.fromisoformat(valid_to) if valid_to else None,
    )
    session.add(made)
    session.flush()
    return made


@atomic
def end_permit(
    session: Session, *, actor: User, application_id: uuid.UUID, permit: str, how: str, reason: str, version: int | None = None
) -> PermitHolding:
    """A department ends its own permit (注销, 撤销 or 吊销): the certificate is void at once and its recovery recorded."""
    if how not in ENDINGS:
        raise Invalid([problem("ending_unknown", "只能注销、撤销或吊销", "how", how)])
    if not reason.strip():
        raise Invalid([problem("reason_required", f"{ENDINGS[how]}许可须写明事实、理由与依据", "reason")])
    origin = session.get(Application, application_id)
    if origin is None:
        raise NotFound([problem("not_found", "没有这件申请", "application_id", str(application_id))])
    held = holding(session, origin, permit)
    if not may(actor, Action.decide_task, held):
        raise Forbidden([problem("forbidden", "只有作出该许可的部门可以注销、撤销或吊销它", "permit", permit)])
    if version is not None and held.version != version:
        raise Conflict([problem("version_conflict", "该许可已被他人更新，请刷新后重试", "version", str(held.id))])
    with committing(session, held.id):
        audit.transition(session, actor=actor, row=held, event=how, reason=reason.strip())
        record_recovery(
            session,
            actor=actor,
            application_id=origin.id,
            permit=permit,
            reason=f"{held.permit_name}已{ENDINGS[how]}：{reason.strip()}",
        )
    return held


HeldRow = tuple[Application, Certificate, str, str, ItemState]
"""One permit on the list: the application it was granted on, its current certificate, its id, name and live state."""


@dataclass(frozen=True)
class HeldPage:
    rows: list[HeldRow]
    next_after: str | None
    """the application number the next page starts after; None on the last page"""


def held_by(
    session: Session, department: str, today: date, *, search: str = "", after: str | None = None, size: int = PAGE_SIZE
) -> HeldPage:
    """A page of the permits a department granted that stand on a current certificate, by application number, searched
    by the holder's name or USCC; raises Invalid for a search or a cursor no page can answer."""
    search = search.strip()
    problems = search_problems(search)
    if after is not None and len(after) > NUMBER_LENGTH:
        problems.append(problem("bad_cursor", "翻页参数无效，请回到第一页", "after", after[:60]))
    if problems:
        raise Invalid(problems)
    granted = select(PermitTask.application_id).where(PermitTask.department == department, col(PermitTask.status).in_(GRANTED))
    added = select(PermitHolding.application_id).where(PermitHolding.department == department)
    query = select(Application).where(
        col(Application.id).in_(granted.union(added)), col(Application.id).in_(select(Certificate.application_id))
    )
    if after:
        query = query.where(col(Application.number) > after)
    if search:
        query = query.where(applicant_matching(search, col(Application.applicant_name), col(Application.uscc)))
    origins = list(session.exec(query.order_by(col(Application.number)).limit(size + 1).options(*LISTED)))
    shown = origins[:size]
    newest: dict[uuid.UUID, Certificate] = {}
    versions = select(Certificate).where(col(Certificate.application_id).in_([o.id for o in shown]))
    for certificate in session.exec(versions.order_by(col(Certificate.version).desc())):
        newest.setdefault(certificate.application_id, certificate)
    states = lives(session, [o.id for o in shown], today)
    rows = [
        (origin, newest[origin.id], p["permit"], p["name"], states[origin.id].states.get(p["permit"], ItemState.withdrawn))
        for origin in shown
        for p in newest[origin.id].face["permits"]
        if p["department"] == department
    ]
    return HeldPage(rows, shown[-1].number if len(origins) > size else None)
