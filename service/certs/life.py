"""The certificate's life after issue (全生命周期): change, extension, suspension, resumption and cancellation.

Each is an application through the same window and the same workflow: the holder applies from the
certificate, the window checks and accepts it, each department decides its own permit's part, and the
decision takes effect on the permit (``HoldingFlow``, through ``audit.transition``). The action plan's rules:
a change that leaves the face alone (an extension moves a term) shows on the next scan with no new
certificate; a face change (name, address, legal representative) is re-issued as version n+1 and the
old one is 已换发; a cancellation voids the certificate at once and its recovery (收回) is recorded.

A change may also add a permit or take one off the face (the action plan counts "a permit added or removed"
among face changes). An added permit asks what it asks of any applicant, composed from the pack over the
holder's case, and its department decides it like any task; it is on the face from the re-issue. A permit
taken off is its department's 注销 on request (行政许可法 Art. 70), and it takes effect in the re-issue's
transaction: the void rule (东城区行动方案 二(六), research/workflow.md §4: any sub-permit 注销、撤销、吊销、失效 →
the certificate 同时作废) is about a certificate that still lists the ended permit, and the version issued
without it lists no ended permit, so a requested removal is a re-issue, never a void. 复业 (resumption) ends a
歇业 before its period does (登记条例 Art. 30); a period that ends without one counts as resumed
(``service/certs/deemed.py`` records it). The permits' live states and a department ending its own permit are in
``service/certs/holdings.py``.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select
from stdnum.cn import uscc as stdnum_uscc
from stdnum.exceptions import ValidationError

from certificates.face import CertificateFace
from certificates.status import CertificateState, ItemState
from composer import Composer
from composer.lifecycle import LifecycleAsks, NoLifecycle, asks, with_added
from composer.model import ComposeRequest
from rules.errors import InputError, Problem
from rules.model import FieldType, LifecycleKind
from service.certs import terms
from service.certs.holdings import Live, holding, live, new_holding, open_requests
from service.certs.lifecycle import GRANTED, Outcome, beijing_date, current, issue, outcome, record_recovery, tasks_of, term_end
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
    LifecycleKind.resumption: "复业",
    LifecycleKind.cancellation: "注销",
}

DEEMED = "逾期未作决定，视为准予延续（《中华人民共和国行政许可法》第五十条）"

MAX_SUSPENSION_YEARS = 3
"""市场主体登记管理条例 Art. 30: 歇业的期限最长不得超过3年."""

UNCHANGED = "所申请增加或减少的许可事项均未获准予，证面没有变化：本次变更已办结，凭证不换发"

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
    add: Sequence[str] = ()
    """a change: permits to add to the certificate."""
    remove: Sequence[str] = ()
    """a change: permits to take off it (注销 on request)."""


def what_it_asks(
    certificate: Certificate,
    composer: Composer,
    kind: LifecycleKind,
    permits: Sequence[str] | None = None,
    adding: Sequence[str] = (),
    origin: Application | None = None,
) -> LifecycleAsks:
    """The fields and materials the pack asks for this kind of application about these permits of the certificate,
    and what each permit ``adding`` asks of the holder's case (``origin``'s scope and answers)."""
    held = [p["permit"] for p in certificate.face["permits"]]
    try:
        needs = asks(composer.pack, kind, [p for p in held if permits is None or p in permits])
    except NoLifecycle as exc:
        raise Invalid([problem("lifecycle_unknown", str(exc), "kind", kind.value)]) from exc
    if not adding or origin is None:
        return needs
    composed = origin.composition
    case = ComposeRequest(
        pack=origin.pack_id,
        industries=composed.get("industries", []),
        scope=composed.get("scope", []),
        answers=composed.get("answers", {}),
    )
    try:
        form, materials = composer.needs(case, [p for p in adding if p in composer.pack.permits], beijing_today())
    except InputError as exc:  # the holder's case no longer reads under today's pack (a question withdrawn, say)
        raise Invalid([problem("case_unreadable", "按现行规则无法列出所增加事项的要求，请到窗口咨询", "add")]) from exc
    return with_added(needs, form, materials)


def addable(origin: Application, held: Sequence[str]) -> dict[str, str]:
    """The permits a change may add: those the holder's case left out, each with why it was not needed then."""
    return {
        r["id"]: r["summary"]
        for r in origin.composition.get("reasons", [])
        if r.get("kind") == "permit" and not r.get("included") and r["id"] not in held
    }


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
    added, removed, found = _added_removed(asked, face, origin, composer)
    problems += found
    if asked.kind is LifecycleKind.change:
        permits = _touched(asked, permits, added, removed, face_values(origin, face))
    kept = [p for p in permits if p not in added and p not in removed]  # a permit taken off asks nothing of its own
    needs = what_it_asks(certificate, composer, asked.kind, kept, added, origin)
    values, found = _values(asked, needs, origin, face, bool(added or removed))
    problems += found
    if asked.kind is LifecycleKind.suspension:
        problems += _period(asked, on, suspended_days(session, origin.id, asked.suspend_from or on))
    required = {m.key: m.name for m in needs.materials if m.status == "submit"}
    wanted = set(required)
    if asked.kind is LifecycleKind.change:  # the form lists what a face change asks of each permit: given anyway, kept
        wider = what_it_asks(certificate, composer, asked.kind, None, added, origin)
        wanted |= {m.key for m in wider.materials if m.status == "submit"}
    checked, found = check_all(uploads, wanted, ("material_unexpected", "本次申请不需要提交这项材料"), max_bytes)
    problems += found
    given = {u.material for u in uploads}
    problems += [problem("material_missing", f"请上传“{n}”", f"materials.{k}", k) for k, n in required.items() if k not in given]
    if problems:
        raise Invalid(problems)
    counter = actor.role != Role.applicant
    entries = _entries(composer, face, origin, permits)
    with committing(session, origin.id):
        application = Application(
            number=next_number(session, on),
            owner_id=origin.owner_id,
            channel="counter" if counter else "online",
            registered_by=actor.id if counter else None,
            pack_id=origin.pack_id,
            pack_version=origin.pack_version,
            composition_id=origin.composition_id,
            composition=_composition(needs, entries, origin),
            form_values={**values, "reason": asked.reason.strip()},
            departments=sorted({e["department"] for e in entries}),
            applicant_name=face.holder,
            uscc=face.uscc,
            status=initial_status(ApplicationFlow),
        )
        session.add(application)
        session.flush()
        if asked.kind is LifecycleKind.extension:
            for permit in permits:
                holding(session, origin, permit)  # its term is the record a late application is read against
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
                added=added,
                removed=removed,
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
            data={
                "number": application.number,
                "kind": asked.kind.value,
                "certificate": face.number,
                "permits": permits,
                "added": added,
                "removed": removed,
            },
        )
    return application


def _permits(asked: Asked, face: CertificateFace, record: Live, on: date) -> tuple[list[str], list[Problem]]:
    """The permits the application is about: every one for a change or a suspension, the chosen ones otherwise."""
    held = [p.permit for p in face.permits]
    if asked.kind in (LifecycleKind.change, LifecycleKind.suspension, LifecycleKind.resumption) or not asked.permits:
        chosen = held
    else:
        chosen = [p for p in held if p in asked.permits]
    problems = [
        problem("permit_not_held", "这份凭证上没有这项许可", f"permits[{i}]", p)
        for i, p in enumerate(asked.permits)
        if p not in held
    ]
    if asked.kind is LifecycleKind.resumption:
        chosen = [p for p in held if record.states.get(p) is ItemState.suspended]
        if not chosen:
            problems.append(problem("not_suspended", "这份凭证上没有歇业中的许可，无需申请复业", "permits"))
    if asked.kind is LifecycleKind.extension:
        terms = {p.permit: record.terms.get(p.permit, p.valid_to) for p in face.permits}
        for permit in chosen:
            if terms[permit] is None:
                problems.append(problem("no_term", "这项许可长期有效，无需延续", "permits", permit))
    return chosen, problems


def _added_removed(
    asked: Asked, face: CertificateFace, origin: Application, composer: Composer
) -> tuple[list[str], list[str], list[Problem]]:
    """A change's permits to add (left out of the holder's case, in the pack) and to take off (held, not all of them)."""
    if asked.kind is not LifecycleKind.change:
        return [], [], []
    held = [p.permit for p in face.permits]
    candidates = addable(origin, held)
    problems = [
        problem("permit_not_addable", "这项许可不能通过变更增加（已持有或不属于本行业）", f"add[{i}]", p)
        for i, p in enumerate(asked.add)
        if p not in candidates or p not in composer.pack.permits
    ]
    problems += [
        problem("permit_not_held", "这份凭证上没有这项许可", f"remove[{i}]", p)
        for i, p in enumerate(asked.remove)
        if p not in held
    ]
    added = [p for p in dict.fromkeys(asked.add) if p in candidates and p in composer.pack.permits]
    removed = [p for p in dict.fromkeys(asked.remove) if p in held]
    if removed and len(removed) == len(held) and not added:
        problems.append(problem("removes_all", "不能减少全部许可事项：不再经营请申请注销", "remove"))
    return added, removed, problems


def _touched(
    asked: Asked, held: Sequence[str], added: Sequence[str], removed: Sequence[str], before: Mapping[str, str]
) -> list[str]:
    """A change's permits: every held one when a face detail changes (each department records it), and those added
    and taken off (only their departments decide when nothing else changes)."""
    retold = any(str(asked.values.get(k, "")).strip() not in ("", before.get(k)) for k in FACE_FIELDS)
    if not retold and (added or removed):
        return [*added, *removed]
    return [*held, *added]


def _entries(composer: Composer, face: CertificateFace, origin: Application, permits: Sequence[str]) -> list[dict[str, Any]]:
    """Each permit the application touches as its department sees it: from the face if held, else from the pack."""
    printed = {p.permit: p for p in face.permits}
    granted = {p["id"]: p for p in origin.composition["permits"]}
    pack = composer.pack
    entries = []
    for permit in permits:
        entry: dict[str, Any] = {"id": permit}
        if permit in printed:
            p = printed[permit]
            entry |= {"name": p.name, "department": p.department, "department_name": p.department_name}
            entry["validity_years"] = granted.get(permit, {}).get("validity_years", _years(pack, permit))
        else:
            q = pack.permits[permit]
            entry |= {"name": q.name.zh, "department": q.department, "validity_years": _years(pack, permit)}
            entry["department_name"] = pack.departments[q.department].name.zh
        entries.append(entry)
    return entries


def _years(pack: Any, permit: str) -> int | None:
    return pack.permits[permit].validity_years if permit in pack.permits else None


def _values(
    asked: Asked, needs: LifecycleAsks, origin: Application, face: CertificateFace, adds_or_removes: bool = False
) -> tuple[dict[str, str], list[Problem]]:
    """The asked fields' values, each checked; a change must change something the face prints."""
    problems: list[Problem] = []
    values: dict[str, str] = {}
    before = face_values(origin, face)
    optional = never_given(origin, face) if asked.kind is LifecycleKind.change else set()
    for f in needs.fields:
        value = str(asked.values.get(f.id, "")).strip()
        where = f"form_values.{f.id}"
        if not value and f.id in optional:
            continue
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
    if asked.kind is LifecycleKind.change and not problems and not adds_or_removes:
        if all(before.get(k, "") == v for k, v in values.items() if k in FACE_FIELDS):
            problems.append(
                problem("nothing_changed", "证面内容没有变化：请填写变更后的内容，或选择增加、减少的许可事项", "form_values")
            )
    return values, problems


def never_given(origin: Application, face: CertificateFace) -> set[str]:
    """The face fields the holder never gave: a change may leave them empty, there being nothing printed to change."""
    before = face_values(origin, face)
    return {k for k in FACE_FIELDS if not before.get(k, "").strip()}


def face_values(origin: Application, face: CertificateFace) -> dict[str, str]:
    """The form values the face was printed from."""
    return {
        **{k: str(v) for k, v in origin.form_values.items()},
        "applicant_name": face.holder,
        "uscc": face.uscc,
        "legal_rep_name": face.legal_representative,
        "premises_address": face.address,
    }


def _period(asked: Asked, on: date, used: int) -> list[Problem]:
    """A suspension's period: from today or later, to a later day, at most three years with the ``used`` days before."""
    start, end = asked.suspend_from, asked.suspend_to
    if start is None or end is None:
        return [problem("period_required", "请填写歇业的起止日期", "suspend_from" if start is None else "suspend_to")]
    if start < on:
        return [problem("period_past", "歇业开始日期不能早于今天", "suspend_from", start.isoformat())]
    if end <= start:
        return [problem("period_order", "歇业结束日期应晚于开始日期", "suspend_to", end.isoformat())]
    longest = term_end(start - timedelta(days=used), MAX_SUSPENSION_YEARS)
    if longest is not None and end > longest:
        if used:
            why = (
                "歇业期限累计最长不得超过三年（《市场主体登记管理条例》第三十条、实施细则第四十二条）："
                f"此前已歇业 {used} 天，本次最晚至 {longest.isoformat()}"
            )
        else:
            why = "歇业期限最长不得超过三年（《市场主体登记管理条例》第三十条）"
        return [problem("period_too_long", why, "suspend_to", end.isoformat())]
    return []


def suspended_days(session: Session, origin_id: uuid.UUID, before: date) -> int:
    """The days of 歇业 granted on the certificate before ``before``: each approved period, cut short by the next period
    or by an approved 复业. 市场主体登记管理条例实施细则 Art. 42: after three years of 歇业 in all, business counts as
    resumed, so a new period or a longer one from ``before`` (Art. 41) may only take the total to three years."""
    query = (
        select(LifecycleRequest, Application)
        .join(Application, col(Application.id) == col(LifecycleRequest.application_id))
        .where(
            LifecycleRequest.origin_id == origin_id,
            col(LifecycleRequest.kind).in_((LifecycleKind.suspension.value, LifecycleKind.resumption.value)),
            Application.status == "decided",
        )
        .order_by(col(Application.decided_at))
    )
    periods: list[tuple[date, date]] = []
    for request, application in session.exec(query):
        if not all(t.status == "approved" for t in tasks_of(session, application.id)):
            continue
        if request.kind == LifecycleKind.resumption and periods and application.decided_at is not None:
            start, end = periods[-1]
            periods[-1] = (start, min(end, max(start, beijing_date(application.decided_at)) - timedelta(days=1)))
        elif request.kind == LifecycleKind.suspension and request.suspend_from and request.suspend_to:
            if periods:  # a period granted while one runs replaces its rest (decided: the earlier one resumes)
                start, end = periods[-1]
                periods[-1] = (start, min(end, request.suspend_from - timedelta(days=1)))
            periods.append((request.suspend_from, request.suspend_to))
    return sum(max(0, (min(end, before - timedelta(days=1)) - start).days + 1) for start, end in periods)


def _composition(needs: LifecycleAsks, entries: Sequence[Mapping[str, Any]], origin: Application) -> dict[str, Any]:
    """What the window and the departments work from: the permits touched, the materials asked, nothing on commitment."""
    return {
        "lifecycle": needs.model_dump(mode="json"),
        "industries": origin.composition.get("industries", []),
        "scope": origin.composition.get("scope", []),
        "permits": [
            {
                **entry,
                "effective_limit": {"working_days": needs.working_days},
                "depends_on": [],
                "commitment": {"chosen": False},
            }
            for entry in entries
        ],
        "materials": [m.model_dump(mode="json") for m in needs.materials],
        "commitments": [],
    }


def decided(session: Session, actor: User | None, task: PermitTask) -> None:
    """A department's decision on its part of an application about a certificate takes effect on its permit.

    A permit a change adds or takes off changes with the re-issue (``reissue``), not before.
    """
    request = request_of(session, task.application_id)
    if request is None or task.status != "approved" or task.permit in (*request.added, *request.removed):
        return
    origin = session.get(Application, request.origin_id)
    assert origin is not None
    held = holding(session, origin, task.permit)
    kind = LifecycleKind(request.kind)
    if kind is LifecycleKind.extension:
        years = next((p.get("validity_years") for p in request_composition(session, request) if p["id"] == task.permit), None)
        start = (held.valid_to or beijing_today()) + timedelta(days=1)
        before, held.valid_to = held.valid_to, term_end(start, years)
        data: dict[str, Any] = {
            "valid_to": [before.isoformat() if before else None, held.valid_to.isoformat() if held.valid_to else None]
        }
        reason = DEEMED if task.decided_by is None else ""
        data |= {"application": str(task.application_id), "deemed": task.decided_by is None}
        audit.transition(session, actor=actor, row=held, event="extend", reason=reason, data=data)
        if (certificate := current(session, origin.id)) is not None:
            terms.keep(session, certificate)
    elif kind is LifecycleKind.suspension:
        if held.status == "suspended":  # an earlier period is over: the business resumed before this one
            audit.transition(session, actor=actor, row=held, event="resume", data={"until": str(held.suspended_until)})
        held.suspended_until = request.suspend_to
        period = {"from": str(request.suspend_from), "to": str(request.suspend_to)}
        audit.transition(session, actor=actor, row=held, event="suspend", reason=request.reason, data=period)
    elif kind is LifecycleKind.resumption:
        if held.status == "suspended":  # else the period ended first and it counts as resumed already
            data = {"until": str(held.suspended_until), "application": str(task.application_id)}
            why = request.reason or "持证主体申请复业"
            audit.transition(session, actor=actor, row=held, event="resume", reason=why, data=data)
    elif kind is LifecycleKind.cancellation:
        audit.transition(session, actor=actor, row=held, event="cancel", reason=request.reason or "持证主体申请注销")
        record_recovery(session, actor=actor, application_id=origin.id, permit=task.permit, reason=f"{task.permit_name}已注销")
    else:
        audit.transition(session, actor=actor, row=held, event="record_change", data={"values": request.values})


def request_composition(session: Session, request: LifecycleRequest) -> list[dict[str, Any]]:
    """The permits as the application about the certificate lists them."""
    application = session.get(Application, request.application_id)
    return list(application.composition["permits"]) if application is not None else []


@atomic
def reissue(session: Session, *, actor: User, application_id: uuid.UUID, composer: Composer, keys_dir: Path) -> Certificate:
    """A decided change application: the window issues the next version with what its departments approved on the
    face, and a permit it asked to add that was refused among the 未许可事项."""
    request = request_of(session, application_id)
    application = session.get(Application, application_id)
    if request is None or application is None or request.kind != LifecycleKind.change:
        raise NotFound([problem("not_found", "没有这件变更申请", "application_id", str(application_id))])
    if application.status != "decided":
        raise Conflict([problem("not_decided", "各部门尚未全部作出变更决定，暂不能换发", "status", application.status)])
    tasks = tasks_of(session, application.id)
    decided_as = outcome(request, tasks)
    if decided_as is Outcome.refused:
        raise Invalid([problem("change_refused", "有部门未准予变更，凭证不换发", "application_id", application.number)])
    if decided_as is Outcome.unchanged:
        raise Conflict([problem("change_unchanged", UNCHANGED, "application_id", application.number)])
    granted = {t.permit for t in tasks if t.status in GRANTED}
    added = [p for p in request.added if p in granted]
    removed = [p for p in request.removed if p in granted]
    origin = session.get(Application, request.origin_id)
    assert origin is not None
    for permit in removed:
        holding(session, origin, permit)  # made from the version that still prints it

    def added_and_removed(certificate: Certificate) -> None:
        """Added permits are held from this version; a permit taken off is 注销 on request, with no recovery to record.
        A permit its department refused to add is on the face as 未许可事项 and held by no one."""
        printed = {p["permit"]: p for p in certificate.face["permits"]}
        for permit in added:
            task = next(t for t in tasks if t.permit == permit)
            made = new_holding(session, origin, task, printed[permit].get("valid_to"))
            audit.created(session, actor=actor, row=made, action="add", data={"application": application.number})
        for permit in removed:
            held = holding(session, origin, permit)
            why = request.reason or "持证主体申请减少该许可事项"
            data = {"application": application.number, "version": certificate.version}
            audit.transition(session, actor=actor, row=held, event="cancel", reason=f"{why}（随变更换发注销）", data=data)

    return issue(
        session,
        actor=actor,
        application_id=request.origin_id,
        composer=composer,
        keys_dir=keys_dir,
        form_values=request.values if decided_as is Outcome.reissue else {},
        then=added_and_removed,
    )
