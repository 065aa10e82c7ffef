"""The certificate's life after issue (全生命周期): change, extension, suspension and cancellation.

Each is an application through the same window and the same workflow: the holder applies from the
certificate, the window checks and accepts it, each department decides its own permit's part, and the
decision takes effect on the permit (``HoldingFlow``, through ``audit.transition``). The action plan's rules:
a change that leaves the face alone (an extension moves a term) shows on the next scan with no new
certificate; a face change (name, address, legal representative) is re-issued as version n+1 and the
old one is 已换发; a cancellation voids the certificate at once and its recovery (收回) is recorded. The
permits' live states and a department ending its own permit are in ``service/certs/holdings.py``.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlmodel import Session
from stdnum.cn import uscc as stdnum_uscc
from stdnum.exceptions import ValidationError

from certificates.face import CertificateFace
from certificates.status import CertificateState
from composer import Composer
from composer.lifecycle import LifecycleAsks, NoLifecycle, asks
from rules.errors import Problem
from rules.model import FieldType, LifecycleKind
from service.certs import terms
from service.certs.holdings import Live, holding, live, open_requests
from service.certs.lifecycle import current, issue, record_recovery, tasks_of, term_end
from service.certs.models import Certificate, LifecycleRequest
from service.compose import today as beijing_today
from service.models import User
from service.workflow import audit
from service.workflow.errors import Conflict, Forbidden, Invalid, NotFound, problem
from service.workflow.models import Application, PermitTask
from service.workflow.roles import Action, Role, may
from service.workflow.rows import atomic, committing
from service.workflow.states import ApplicationFlow, initial_status
from service.workflow.storage import MAX_BYTES, FileStore, Upload, check_all
from service.workflow.submit import material_file, next_number

KIND_LABELS = {
    LifecycleKind.change: "变更",
    LifecycleKind.extension: "延续",
    LifecycleKind.suspension: "歇业",
    LifecycleKind.cancellation: "注销",
}

MAX_SUSPENSION_YEARS = 3
"""市场主体登记管理条例 Art. 30: 歇业的期限最长不得超过3年."""

FACE_FIELDS = ("applicant_name", "uscc", "legal_rep_name", "premises_address", "registered_address")
"""Form fields the certificate's face prints: a change of one of them is re-issued."""


def request_of(session: Session, application_id: uuid.UUID) -> LifecycleRequest | None:
    return session.get(LifecycleRequest, application_id)


@dataclass(frozen=True)
class Asked:
    """What the holder gives with an application about their certificate."""

    kind: LifecycleKind
    values: Mapping[str, str]
    permits: Sequence[str] = ()
    """extension and cancellation: the permits it is for (empty: every one on the certificate)."""
    suspend_from: date | None = None
    suspend_to: date | None = None
    reason: str = ""


def what_it_asks(certificate: Certificate, composer: Composer, kind: LifecycleKind, permits: Sequence[str] = ()) -> LifecycleAsks:
    """The fields and materials the pack asks for this kind of application about these permits of the certificate."""
    held = [p["permit"] for p in certificate.face["permits"]]
    try:
        return asks(composer.pack, kind, [p for p in held if not permits or p in permits])
    except NoLifecycle as exc:
        raise Invalid([problem("lifecycle_unknown", str(exc), "kind", kind.value)]) from exc


@atomic
def apply(
    session: Session,
    *,
    actor: User,
    certificate_id: uuid.UUID,
    asked: Asked,
    composer: Composer,
    store: FileStore,
    uploads: Sequence[Upload],
    today: date | None = None,
    max_bytes: int = MAX_BYTES,
) -> Application:
    """The holder's (or the counter's) application about a certificate: checked whole, then one application at the window."""
    certificate = session.get(Certificate, certificate_id)
    if certificate is None or (actor.role == Role.applicant and certificate.owner_id != actor.id):
        raise NotFound([problem("not_found", "没有这份凭证", "certificate_id", str(certificate_id))])
    if not may(actor, Action.register_at_counter if actor.role != Role.applicant else Action.submit, certificate):
        raise Forbidden([problem("forbidden", "您无权为这份凭证提出申请", "certificate_id", str(certificate_id))])
    on = today or beijing_today()
    origin = session.get(Application, certificate.application_id)
    assert origin is not None
    newest = current(session, origin.id)
    record = live(session, origin.id, on)
    status = record.status(certificate, newest, on)
    if status.state is CertificateState.superseded:
        raise Conflict([problem("superseded", "这一版凭证已换发，请从最新版凭证提出申请", "certificate_id", str(certificate.id))])
    if status.state is CertificateState.void:
        raise Conflict([problem("void", "凭证已作废，不能再申请变更、延续或歇业", "certificate_id", certificate.number)])
    if any(r.kind == asked.kind for r in open_requests(session, origin.id)):
        label = KIND_LABELS[asked.kind]
        raise Conflict([problem("already_applied", f"这份凭证已有一件{label}申请正在办理", "kind", asked.kind.value)])
    face = CertificateFace.model_validate(certificate.face)
    permits, problems = _permits(asked, face, record, on)
    needs = what_it_asks(certificate, composer, asked.kind, permits)
    values, found = _values(asked, needs, origin, face)
    problems += found + _period(asked, on)
    required = {m.key: m.name for m in needs.materials if m.status == "submit"}
    checked, found = check_all(uploads, required, ("material_unexpected", "本次申请不需要提交这项材料"), max_bytes)
    problems += found
    given = {u.material for u in uploads}
    problems += [problem("material_missing", f"请上传“{n}”", f"materials.{k}", k) for k, n in required.items() if k not in given]
    if problems:
        raise Invalid(problems)
    counter = actor.role != Role.applicant
    granted = {p["id"]: p for p in origin.composition["permits"]}
    names = {p.permit: p for p in face.permits}
    with committing(session, origin.id):
        application = Application(
            number=next_number(session, on),
            owner_id=origin.owner_id,
            channel="counter" if counter else "online",
            registered_by=actor.id if counter else None,
            pack_id=origin.pack_id,
            pack_version=origin.pack_version,
            composition_id=origin.composition_id,
            composition=_composition(needs, [names[p] for p in permits], granted, origin),
            form_values={**values, "reason": asked.reason.strip()},
            departments=sorted({names[p].department for p in permits}),
            applicant_name=face.holder,
            uscc=face.uscc,
            status=initial_status(ApplicationFlow),
        )
        session.add(application)
        session.flush()
        for item in checked:
            store.put(item.sha256, item.upload.data)
            session.add(material_file(application.id, item))
        session.add(
            LifecycleRequest(
                application_id=application.id,
                kind=asked.kind.value,
                origin_id=origin.id,
                certificate_id=certificate.id,
                permits=permits,
                values=values,
                suspend_from=asked.suspend_from,
                suspend_to=asked.suspend_to,
                reason=asked.reason.strip()[:500],
            )
        )
        audit.created(
            session,
            actor=actor,
            row=application,
            action="submit",
            data={"number": application.number, "kind": asked.kind.value, "certificate": face.number, "permits": permits},
        )
    return application


def _permits(asked: Asked, face: CertificateFace, record: Live, on: date) -> tuple[list[str], list[Problem]]:
    """The permits the application is about: every one for a change or a suspension, the chosen ones otherwise."""
    held = [p.permit for p in face.permits]
    if asked.kind in (LifecycleKind.change, LifecycleKind.suspension) or not asked.permits:
        chosen = held
    else:
        chosen = [p for p in held if p in asked.permits]
    problems = [
        problem("permit_not_held", "这份凭证上没有这项许可", f"permits[{i}]", p)
        for i, p in enumerate(asked.permits)
        if p not in held
    ]
    if asked.kind is LifecycleKind.extension:
        terms = {p.permit: record.terms.get(p.permit, p.valid_to) for p in face.permits}
        for permit in chosen:
            if terms[permit] is None:
                problems.append(problem("no_term", "这项许可长期有效，无需延续", "permits", permit))
    return chosen, problems


def _values(
    asked: Asked, needs: LifecycleAsks, origin: Application, face: CertificateFace
) -> tuple[dict[str, str], list[Problem]]:
    """The asked fields' values, each checked; a change must change something the face prints."""
    problems: list[Problem] = []
    values: dict[str, str] = {}
    for f in needs.fields:
        value = str(asked.values.get(f.id, "")).strip()
        where = f"form_values.{f.id}"
        if not value:
            problems.append(problem("field_required", f"请填写“{f.label}”", where, f.id))
            continue
        if f.max_length is not None and len(value) > f.max_length:
            problems.append(problem("field_too_long", f"“{f.label}”不能超过 {f.max_length} 个字", where, f.id))
        if f.type is FieldType.uscc:
            try:
                value = str(stdnum_uscc.validate(value))
            except ValidationError:
                problems.append(problem("field_invalid", f"“{f.label}”不是有效的统一社会信用代码", where, f.id))
        values[f.id] = value
    if asked.kind is LifecycleKind.change and not problems:
        before = face_values(origin, face)
        if all(before.get(k, "") == v for k, v in values.items() if k in FACE_FIELDS):
            problems.append(problem("nothing_changed", "证面内容没有变化：请填写变更后的内容", "form_values"))
    return values, problems


def face_values(origin: Application, face: CertificateFace) -> dict[str, str]:
    """The form values the face was printed from."""
    return {
        **{k: str(v) for k, v in origin.form_values.items()},
        "applicant_name": face.holder,
        "uscc": face.uscc,
        "legal_rep_name": face.legal_representative,
        "premises_address": face.address,
    }


def _period(asked: Asked, on: date) -> list[Problem]:
    """A suspension's period: from today or later, to a later day, at most three years."""
    if asked.kind is not LifecycleKind.suspension:
        return []
    start, end = asked.suspend_from, asked.suspend_to
    if start is None or end is None:
        return [problem("period_required", "请填写歇业的起止日期", "suspend_from" if start is None else "suspend_to")]
    if start < on:
        return [problem("period_past", "歇业开始日期不能早于今天", "suspend_from", start.isoformat())]
    if end <= start:
        return [problem("period_order", "歇业结束日期应晚于开始日期", "suspend_to", end.isoformat())]
    longest = term_end(start, MAX_SUSPENSION_YEARS)
    if longest is not None and end > longest:
        return [
            problem(
                "period_too_long", "歇业期限最长不得超过三年（《市场主体登记管理条例》第三十条）", "suspend_to", end.isoformat()
            )
        ]
    return []


def _composition(
    needs: LifecycleAsks, permits: Sequence[Any], granted: Mapping[str, Mapping[str, Any]], origin: Application
) -> dict[str, Any]:
    """What the window and the departments work from: the permits touched, the materials asked, nothing on commitment."""
    return {
        "lifecycle": needs.model_dump(mode="json"),
        "industries": origin.composition.get("industries", []),
        "scope": origin.composition.get("scope", []),
        "permits": [
            {
                "id": p.permit,
                "name": p.name,
                "department": p.department,
                "department_name": p.department_name,
                "validity_years": granted.get(p.permit, {}).get("validity_years"),
                "effective_limit": {"working_days": needs.working_days},
                "depends_on": [],
                "commitment": {"chosen": False},
            }
            for p in permits
        ],
        "materials": [m.model_dump(mode="json") for m in needs.materials],
        "commitments": [],
    }


def decided(session: Session, actor: User, task: PermitTask) -> None:
    """A department's decision on its part of an application about a certificate takes effect on its permit."""
    request = request_of(session, task.application_id)
    if request is None or task.status != "approved":
        return
    origin = session.get(Application, request.origin_id)
    assert origin is not None
    held = holding(session, origin, task.permit)
    kind = LifecycleKind(request.kind)
    if kind is LifecycleKind.extension:
        years = next((p.get("validity_years") for p in origin.composition["permits"] if p["id"] == task.permit), None)
        start = (held.valid_to or beijing_today()) + timedelta(days=1)
        before, held.valid_to = held.valid_to, term_end(start, years)
        data = {"valid_to": [before.isoformat() if before else None, held.valid_to.isoformat() if held.valid_to else None]}
        audit.transition(session, actor=actor, row=held, event="extend", data=data | {"application": str(task.application_id)})
        if (certificate := current(session, origin.id)) is not None:
            terms.keep(session, certificate)
    elif kind is LifecycleKind.suspension:
        if held.status == "suspended":  # an earlier period is over: the business resumed before this one
            audit.transition(session, actor=actor, row=held, event="resume", data={"until": str(held.suspended_until)})
        held.suspended_until = request.suspend_to
        period = {"from": str(request.suspend_from), "to": str(request.suspend_to)}
        audit.transition(session, actor=actor, row=held, event="suspend", reason=request.reason, data=period)
    elif kind is LifecycleKind.cancellation:
        audit.transition(session, actor=actor, row=held, event="cancel", reason=request.reason or "持证主体申请注销")
        record_recovery(session, actor=actor, application_id=origin.id, permit=task.permit, reason=f"{task.permit_name}已注销")
    else:
        audit.transition(session, actor=actor, row=held, event="record_change", data={"values": request.values})


@atomic
def reissue(session: Session, *, actor: User, application_id: uuid.UUID, composer: Composer, keys_dir: Path) -> Certificate:
    """A change application every department approved: the window issues the next version with the new face."""
    request = request_of(session, application_id)
    application = session.get(Application, application_id)
    if request is None or application is None or request.kind != LifecycleKind.change:
        raise NotFound([problem("not_found", "没有这件变更申请", "application_id", str(application_id))])
    if application.status != "decided":
        raise Conflict([problem("not_decided", "各部门尚未全部作出变更决定，暂不能换发", "status", application.status)])
    if any(t.status != "approved" for t in tasks_of(session, application.id)):
        raise Invalid([problem("change_refused", "有部门未准予变更，凭证不换发", "application_id", application.number)])
    return issue(
        session, actor=actor, application_id=request.origin_id, composer=composer, keys_dir=keys_dir, form_values=request.values
    )
