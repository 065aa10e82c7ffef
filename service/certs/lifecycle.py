"""Issue (一证准营), re-issue and recovery of the comprehensive certificate, each with its audit event.

The window issues once every permit task of the application has its department's decision: the
granted permits on the face, the refused or undecided ones as 未许可事项. Issuing again after the
face has changed (a refused item granted, a new name or address) makes version n+1 under the same
number, and version n is 已换发. A change application may add a permit (its department granted it in that
application) or take one off the face (its 注销 on request takes effect with the new version, ``life.reissue``);
a permit its department refused to add is printed among the 未许可事项, as on the first issue, and a change that
only asked for additions or removals, all refused, ends with no new version (``outcome``).
A sub-permit that ends voids the certificate at once — that is
derived on read (``certificates.status``) — and its recovery (收回) is recorded here.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from certificates.face import PRINTED_BEFORE, CertificateFace, NotLicensed, SubPermit, Title
from certificates.numbers import new_number, permit_number
from certificates.status import ItemState
from composer import Composer
from rules.model import NATIONAL_WORDING, LifecycleKind
from service.certs import publish
from service.certs.keys import signing_ring
from service.certs.models import Certificate, LifecycleRequest
from service.compose import TIMEZONE
from service.compose import today as beijing_today
from service.models import User, utcnow
from service.workflow import audit
from service.workflow.clock import Clock
from service.workflow.errors import Conflict, Invalid, problem
from service.workflow.models import LISTED, Application, PermitTask
from service.workflow.roles import Action
from service.workflow.rows import atomic, committing, load
from service.workflow.states import TASK_DECIDED, TASK_LABELS

GRANTED = frozenset({"approved", "approved_on_commitment", "verified"})
"""Task states in which the permit is held."""

RECORDED: Mapping[str, ItemState] = {
    "approved": ItemState.valid,
    "approved_on_commitment": ItemState.valid,
    "verified": ItemState.valid,
    "revoked": ItemState.withdrawn,  # 行政许可法 Art. 69: a permit granted on a failed commitment is 撤销
}
"""A granted permit's recorded state, from its task's state; anything else means it no longer stands."""


def tasks_of(session: Session, application_id: uuid.UUID) -> list[PermitTask]:
    return list(session.exec(select(PermitTask).where(PermitTask.application_id == application_id)))


def tasks_by_application(session: Session, application_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, list[PermitTask]]:
    """``tasks_of`` each of ``application_ids``, in one query."""
    found: dict[uuid.UUID, list[PermitTask]] = {i: [] for i in application_ids}
    for task in session.exec(select(PermitTask).where(col(PermitTask.application_id).in_(list(found)))):
        found[task.application_id].append(task)
    return found


def current(session: Session, application_id: uuid.UUID) -> Certificate | None:
    """The newest version of an application's certificate."""
    query = select(Certificate).where(Certificate.application_id == application_id).order_by(col(Certificate.version).desc())
    return session.exec(query.limit(1)).first()


@atomic
def issue(
    session: Session,
    *,
    actor: User,
    application_id: uuid.UUID,
    composer: Composer,
    keys_dir: Path,
    form_values: Mapping[str, Any] | None = None,
    today: date | None = None,
    then: Callable[[Certificate], None] | None = None,
) -> Certificate:
    """Issue the application's certificate, or its next version when the face has changed.

    ``form_values`` are the holder's details as changed at the window (a change of name or address);
    by default the application's own. ``then`` runs in the same transaction once the version is made.
    """
    application = load(session, Application, application_id, actor, Action.issue_certificate)
    tasks = tasks_of(session, application.id)
    if application.status != "decided":
        raise Conflict([problem("not_decided", "各部门尚未全部作出审批决定，暂不能发证", "status", application.status)])
    if not any(t.status in GRANTED for t in tasks):
        raise Invalid([problem("nothing_granted", "本申请没有准予许可的事项，不能发证", "application_id", str(application.id))])
    on = today or beijing_today()
    previous = current(session, application.id)
    changed = changes(session, application.id)
    values = {**application.form_values, **changed.values, **(form_values or {})}
    face = _face(application, tasks, composer, values, previous, on, changed)
    if previous is not None and CertificateFace.model_validate(previous.face).same_face(face):
        message = f"证面未变化，无需换发（现为第 {previous.version} 版）"
        raise Conflict([problem("face_unchanged", message, "version", previous.number)])
    ring = signing_ring(session, keys_dir)
    with committing(session, application.id):
        certificate = Certificate(
            id=face.certificate_id,
            number=face.number,
            version=face.version,
            application_id=application.id,
            owner_id=application.owner_id,
            face=face.model_dump(mode="json"),
            key_id=ring.signing_key_id,
            issued_by=actor.id,
        )
        session.add(certificate)
        publish.issued(session, certificate)
        if previous is not None:
            previous.superseded_at = utcnow()
            session.add(previous)
            publish.changed(session, previous)
            _record(session, actor, previous, "supersede", ("issued", "superseded"), {"by_version": face.version})
        issued = {
            "application": application.number,
            "permits": [p.permit for p in face.permits],
            "not_licensed": [n.permit for n in face.not_licensed],
            "key_id": certificate.key_id,
        }
        _record(session, actor, certificate, "issue" if previous is None else "reissue", (None, "issued"), issued)
        if then is not None:
            then(certificate)
    return certificate


def record_recovery(session: Session, *, actor: User | None, application_id: uuid.UUID, permit: str, reason: str) -> None:
    """收回: a sub-permit of the application ended, so its certificate is void; note it in the caller's transaction."""
    certificate = current(session, application_id)
    if certificate is None or certificate.recovered_at is not None:
        return
    if permit not in {p["permit"] for p in certificate.face["permits"]}:
        return
    certificate.recovered_at = utcnow()
    certificate.recovery_reason = reason[:300]
    session.add(certificate)
    publish.changed(session, certificate)
    _record(session, actor, certificate, "recover", ("issued", "void"), {"permit": permit}, reason)


def _record(
    session: Session,
    actor: User | None,
    certificate: Certificate,
    action: str,
    change: tuple[str | None, str],
    data: dict[str, Any],
    reason: str = "",
) -> None:
    """One audit event about ``certificate``, moving it ``change`` = (from, to); its data names the number and version."""
    from_state, to_state = change
    facts = {"number": certificate.number, "version": certificate.version} | data
    audit.record(
        session,
        actor=actor,
        subject_kind="certificate",
        subject_id=certificate.id,
        action=action,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        data=facts,
    )


@dataclass
class Changes:
    """What the certificate's decided change applications did to its face, in the order decided."""

    values: dict[str, Any] = field(default_factory=dict)
    """the face details given anew, later ones last."""
    added: dict[str, tuple[PermitTask, Mapping[str, Any]]] = field(default_factory=dict)
    """permit → its granting task and its entry in the change's composition."""
    removed: set[str] = field(default_factory=set)
    refused: dict[str, tuple[PermitTask, Mapping[str, Any]]] = field(default_factory=dict)
    """permit a change asked to add and its department refused → its task and entry: printed as 未许可事项."""


class Outcome(StrEnum):
    """What a decided change application does to the certificate's face."""

    reissue = "reissue"
    """something on the face changes: the next version is issued."""
    permits_only = "permits_only"
    """a department refused to record the new details, but a permit added or taken off was granted: the next version
    is issued with the details as they were."""
    refused = "refused"
    """a department refused to record the new details and nothing else was granted: the face stays as it is."""
    unchanged = "unchanged"
    """every permit it asked to add or take off was refused: the change ends with no new version."""

    @property
    def reissued(self) -> bool:
        return self in (Outcome.reissue, Outcome.permits_only)


def outcome(request: LifecycleRequest, tasks: list[PermitTask]) -> Outcome:
    """A decided change's effect. New details need every department on the face to record them; each permit added or
    taken off stands on its own department's decision (谁审批、谁负责), as the first issue lists a refused item."""
    moving = {*request.added, *request.removed}
    moved = any(t.status in GRANTED for t in tasks if t.permit in moving)
    retelling = [t for t in tasks if t.permit not in moving]  # a held permit is asked only when a detail is retold
    if retelling and not all(t.status in GRANTED for t in retelling):
        return Outcome.permits_only if moved else Outcome.refused
    return Outcome.reissue if retelling or moved else Outcome.unchanged


ISSUE_DAYS = 10
"""行政许可法 Art. 44: the licence is issued and delivered within ten days of the decision (working days, Art. 82)."""


def issue_clock(application: Application) -> Clock:
    """The window's time to issue a decided application's certificate, from the day its last decision was made."""
    return Clock(beijing_date(application.decided_at or application.submitted_at), ISSUE_DAYS)


def to_issue(session: Session) -> list[tuple[Application, LifecycleRequest | None]]:
    """What the window has still to issue, oldest decision first: each decided application with a permit granted and no
    certificate yet, and each decided change whose next version is due (the version it applied from still current)."""
    granted = select(PermitTask.application_id).where(col(PermitTask.status).in_(GRANTED))
    first = session.exec(
        select(Application)
        .where(
            Application.status == "decided",
            col(Application.id).in_(granted),
            col(Application.id).not_in(select(Certificate.application_id)),
            col(Application.id).not_in(select(LifecycleRequest.application_id)),
        )
        .options(*LISTED)
    )
    changing = session.exec(
        select(Application, LifecycleRequest)
        .join(LifecycleRequest, col(LifecycleRequest.application_id) == Application.id)
        .join(Certificate, col(Certificate.id) == LifecycleRequest.certificate_id)
        .where(Application.status == "decided", LifecycleRequest.kind == LifecycleKind.change)
        .where(col(Certificate.superseded_at).is_(None))
        .options(*LISTED)
    )
    changes = list(changing)
    tasks = tasks_by_application(session, [a.id for a, _ in changes])
    due = [(a, r) for a, r in changes if outcome(r, tasks[a.id]).reissued]
    found: list[tuple[Application, LifecycleRequest | None]] = [*((a, None) for a in first), *due]
    return sorted(found, key=lambda pair: pair[0].decided_at or pair[0].submitted_at)


def changes(session: Session, origin_id: uuid.UUID) -> Changes:
    """Every change application of the certificate that changed its face, applied in order."""
    query = (
        select(LifecycleRequest, Application)
        .join(Application, col(Application.id) == col(LifecycleRequest.application_id))
        .where(LifecycleRequest.origin_id == origin_id, LifecycleRequest.kind == "change", Application.status == "decided")
        .order_by(col(Application.decided_at))
    )
    found = Changes()
    for request, change in session.exec(query):
        tasks = tasks_of(session, change.id)
        decided_as = outcome(request, tasks)
        if not decided_as.reissued:
            continue
        if decided_as is Outcome.reissue:
            found.values |= request.values
        entries = {p["id"]: p for p in change.composition["permits"]}
        for task in tasks:
            granted = task.status in GRANTED
            if task.permit in request.added:
                (found.added if granted else found.refused)[task.permit] = (task, entries.get(task.permit, {}))
                (found.refused if granted else found.added).pop(task.permit, None)
                found.removed.discard(task.permit)
            elif task.permit in request.removed and granted:
                found.removed.add(task.permit)
                found.added.pop(task.permit, None)
                found.refused.pop(task.permit, None)
    return found


def recorded_states(tasks: list[PermitTask]) -> dict[str, ItemState]:
    return {t.permit: RECORDED.get(t.status, ItemState.withdrawn) for t in tasks}


def _face(
    application: Application,
    tasks: list[PermitTask],
    composer: Composer,
    values: Mapping[str, Any],
    previous: Certificate | None,
    on: date,
    changed: Changes,
) -> CertificateFace:
    permits = {p["id"]: p for p in application.composition["permits"]}
    number = previous.number if previous is not None else new_number(on)
    numbers = {p["permit"]: p["number"] for p in previous.face["permits"]} if previous is not None else {}
    last = max((int(n.rsplit("-", 1)[1]) for n in numbers.values()), default=0)
    granted: list[SubPermit] = []
    not_licensed: list[NotLicensed] = []
    ordered = sorted(tasks, key=lambda t: list(permits).index(t.permit) if t.permit in permits else len(permits))
    extra = {**changed.added, **changed.refused}
    kept = [t for t in ordered if t.permit not in changed.removed and t.permit not in extra]
    for task in kept + [t for t, _ in extra.values()]:
        permit = permits.get(task.permit) or extra[task.permit][1]
        department_name = str(permit.get("department_name") or task.department)
        if task.status in GRANTED:
            valid_from = beijing_date(task.decided_at) if task.decided_at else on
            granted.append(
                SubPermit(
                    permit=task.permit,
                    name=task.permit_name,
                    number=numbers.get(task.permit) or _next_number(number, last, numbers, granted),
                    department=task.department,
                    department_name=department_name,
                    valid_from=valid_from,
                    valid_to=term_end(valid_from, permit.get("validity_years")),
                    on_commitment=task.on_commitment,
                )
            )
        else:
            reason = TASK_LABELS[task.status] if task.status in TASK_DECIDED else "审批中"
            not_licensed.append(
                NotLicensed(permit=task.permit, name=task.permit_name, department_name=department_name, reason=reason)
            )
    return CertificateFace(
        certificate_id=uuid.uuid4(),
        number=number,
        version=previous.version + 1 if previous is not None else 1,
        holder=str(values.get("applicant_name") or application.applicant_name),
        uscc=str(values.get("uscc") or application.uscc),
        legal_representative=str(values.get("legal_rep_name") or ""),
        address=str(values.get("premises_address") or values.get("registered_address") or ""),
        industry=_industry(application, composer),
        issued_on=on,
        title=certificate_title(composer),
        permits=granted,
        not_licensed=not_licensed,
    )


def _next_number(number: str, last: int, numbers: Mapping[str, str], granted: list[SubPermit]) -> str:
    """A permit new on this version: numbered after every number printed before, so none is ever reused."""
    return permit_number(number, last + 1 + sum(g.permit not in numbers for g in granted))


def beijing_date(moment: datetime) -> date:
    """The day in Beijing (SQLite hands timestamps back without their UTC zone)."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(TIMEZONE).date()


def term_end(start: date, years: object) -> date | None:
    """The last day of a term of ``years`` from ``start`` (a term from 29 February ends on 28 February)."""
    if not isinstance(years, int):
        return None
    try:
        anniversary = start.replace(year=start.year + years)
    except ValueError:
        anniversary = start.replace(year=start.year + years, day=28)
    return anniversary - timedelta(days=1)


def certificate_title(composer: Composer) -> Title:
    """The certificate's name as the application's pack words it (浦东: 行业综合许可证; 北京: 综合许可凭证)."""
    words = composer.pack.meta.wording.certificate or NATIONAL_WORDING.certificate
    return Title(zh=words.zh, en=words.en) if words is not None else PRINTED_BEFORE


def _industry(application: Application, composer: Composer) -> str:
    """The industries applied for, by name, else the business-scope items."""
    pack = composer.pack
    composition = application.composition
    names = [pack.industries[i].name.zh for i in composition.get("industries", []) if i in pack.industries]
    names = names or [pack.scope_items[s].name.zh for s in composition.get("scope", []) if s in pack.scope_items]
    return "、".join(names) or "—"
