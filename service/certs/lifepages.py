"""Pages for the certificate's life after issue: the holder's 凭证办理 page and the five application forms, the
window's 发证/换发, and a department's 已发许可 list where it ends its own permits.

Every handler goes through ``service/certs/life.py`` (and so ``may()``); problems come back beside their fields.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session, col, select
from starlette.datastructures import FormData

from certificates.face import CertificateFace
from certificates.status import ItemState
from composer import Composer
from rules.model import LifecycleKind
from service.certs import holdings, life
from service.certs.lifecycle import current
from service.certs.models import Certificate, LifecycleRequest
from service.compose import today
from service.deps import CsrfProtected, CurrentUser, RegistryDep, SessionDep
from service.models import User
from service.pages.formdata import text
from service.pages.templating import render
from service.pages.window.applications import PAGE, POST
from service.pages.window.desk import (
    FileStoreDep,
    field_errors,
    forbidden,
    refused,
    render_form_page,
    uploads,
    version,
    with_form,
    works_at,
)
from service.registry import PackRegistry
from service.workflow.errors import Invalid, NotFound, WorkflowError, problem
from service.workflow.models import Application
from service.workflow.roles import Action, may
from service.workflow.states import APPLICATION_LABELS
from service.workflow.storage import LocalFileStore

router = APIRouter(tags=["pages"])


def _certificate(session: Session, user: User, certificate_id: uuid.UUID) -> Certificate:
    certificate = session.get(Certificate, certificate_id)
    if certificate is None or not may(user, Action.view_certificate, certificate):
        raise NotFound([problem("not_found", "没有找到这份凭证", "certificate_id", str(certificate_id))])
    return certificate


def _composer(registry: PackRegistry, session: Session, certificate: Certificate) -> Composer:
    origin = session.get(Application, certificate.application_id)
    composer = registry.get(origin.pack_id) if origin is not None else None
    if composer is None:
        raise NotFound(
            [problem("pack_unavailable", "这份凭证所用的规则包暂不可用，请稍后再试", "certificate_id", str(certificate.id))]
        )
    return composer


@router.get("/certificates/{certificate_id}/services", response_class=Response, responses=PAGE)
def services_page(request: Request, session: SessionDep, user: CurrentUser, certificate_id: uuid.UUID) -> Response:
    """凭证办理: the certificate's live state, and where its holder applies for a change, extension, suspension, cancellation."""
    try:
        certificate = _certificate(session, user, certificate_id)
    except WorkflowError as exc:
        return refused(request, exc)
    on = today()
    newest = current(session, certificate.application_id)
    record = holdings.live(session, certificate.application_id, on)
    status = record.status(certificate, newest, on)
    face = CertificateFace.model_validate(certificate.face)
    states = {i.permit: i.label for i in status.items}
    requests = session.exec(
        select(LifecycleRequest, Application)
        .join(Application, col(Application.id) == col(LifecycleRequest.application_id))
        .where(LifecycleRequest.origin_id == certificate.application_id)
        .order_by(col(Application.submitted_at))
    ).all()
    context = {
        "certificate": certificate,
        "face": face,
        "status": status,
        "newest": newest,
        "items": [{"p": p, "state": states[p.permit], "valid_to": record.terms.get(p.permit, p.valid_to)} for p in face.permits],
        "kinds": life.KIND_LABELS,
        "suspended": any(i.state is ItemState.suspended for i in status.items),
        "may_apply": may(user, Action.submit, certificate) or may(user, Action.register_at_counter, certificate),
        "requests": [
            {"r": r, "a": a, "kind": life.KIND_LABELS[LifecycleKind(r.kind)], "status": APPLICATION_LABELS[a.status]}
            for r, a in requests
        ],
    }
    return render(request, "certificate_services.html", context)


def _apply_page(
    request: Request,
    certificate: Certificate,
    composer: Composer,
    kind: LifecycleKind,
    origin: Application,
    form: FormData | None = None,
    problems: Any = (),
    status: int = 200,
    adding: list[str] | None = None,
) -> Response:
    face = CertificateFace.model_validate(certificate.face)
    addable = life.addable(origin, [p.permit for p in face.permits]) if kind is LifecycleKind.change else {}
    adding = [p for p in (adding or []) if p in addable]
    needs = life.what_it_asks(certificate, composer, kind, None, adding, origin)
    before = life.face_values(origin, face)
    shown = {k: before.get(k, "") for k in life.FACE_FIELDS}
    if form is not None:
        shown |= {f.id: text(form, f"field.{f.id}") for f in needs.fields}
    by_field, summary = field_errors(request, list(problems))
    context = {
        "certificate": certificate,
        "face": face,
        "kind": kind.value,
        "label": life.KIND_LABELS[kind],
        "needs": needs,
        "shown": shown,
        "never_given": life.never_given(origin, face) if kind is LifecycleKind.change else set(),
        "chosen": form.getlist("permit") if form is not None else [],
        "addable": addable,
        "adding": adding,
        "names": {p: composer.pack.permits[p].name.zh for p in addable if p in composer.pack.permits},
        "removing": form.getlist("remove") if form is not None else [],
        "reason": text(form, "reason") if form is not None else "",
        "period": {"from": text(form, "suspend_from"), "to": text(form, "suspend_to")} if form is not None else {},
        "today": today().isoformat(),
        "field_errors": by_field,
        "errors": summary,
    }
    return render(request, "certificate_apply.html", context, status_code=status)


def _kind(raw: str) -> LifecycleKind:
    try:
        return LifecycleKind(raw)
    except ValueError as exc:
        raise NotFound([problem("not_found", "没有这种申请", "kind", raw[:20])]) from exc


@router.get("/certificates/{certificate_id}/apply/{kind}", response_class=Response, responses=PAGE)
def apply_page(
    request: Request, session: SessionDep, user: CurrentUser, registry: RegistryDep, certificate_id: uuid.UUID, kind: str
) -> Response:
    """The form for a change, extension, suspension or cancellation: what the pack asks for, filled from the certificate."""
    try:
        certificate = _certificate(session, user, certificate_id)
        composer = _composer(registry, session, certificate)
        adding = [p[:64] for p in request.query_params.getlist("add")[:20]]
        return _apply_page(request, certificate, composer, _kind(kind), _origin(session, certificate), adding=adding)
    except WorkflowError as exc:
        return refused(request, exc)


@router.post("/certificates/{certificate_id}/apply/{kind}", response_class=Response, responses=POST, dependencies=[CsrfProtected])
async def apply_for(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    registry: RegistryDep,
    store: FileStoreDep,
    certificate_id: uuid.UUID,
    kind: str,
) -> Response:
    """Apply: every problem is shown beside its field and nothing is written; done, on to the application's page."""
    return await with_form(request, _apply_for, request, session, user, registry, store, certificate_id, kind)


def _apply_for(
    request: Request,
    session: Session,
    user: User,
    registry: PackRegistry,
    store: LocalFileStore,
    certificate_id: uuid.UUID,
    raw_kind: str,
    form: FormData,
) -> Response:
    try:
        certificate = _certificate(session, user, certificate_id)
        composer = _composer(registry, session, certificate)
        kind = _kind(raw_kind)
    except WorkflowError as exc:
        return refused(request, exc)
    origin = _origin(session, certificate)
    adding = _chosen(form, "add")
    needs = life.what_it_asks(certificate, composer, kind, None, adding, origin)
    asked = life.Asked(
        kind=kind,
        values={f.id: text(form, f"field.{f.id}") for f in needs.fields},
        permits=[p for p in form.getlist("permit") if isinstance(p, str)],
        suspend_from=_day(form, "suspend_from"),
        suspend_to=_day(form, "suspend_to"),
        reason=text(form, "reason", 500),
        add=adding,
        remove=_chosen(form, "remove"),
    )
    try:
        application = life.apply(
            session, actor=user, certificate_id=certificate.id, asked=asked, composer=composer, store=store, uploads=uploads(form)
        )
    except Invalid as exc:
        return _apply_page(request, certificate, composer, kind, origin, form, exc.problems, status=400, adding=adding)
    except WorkflowError as exc:
        return refused(request, exc)
    return RedirectResponse(f"/applications/{application.id}", status_code=303)


def _origin(session: Session, certificate: Certificate) -> Application:
    origin = session.get(Application, certificate.application_id)
    if origin is None:
        raise NotFound([problem("not_found", "没有找到这份凭证", "certificate_id", str(certificate.id))])
    return origin


def _chosen(form: FormData, name: str) -> list[str]:
    """The permit ids ticked under ``name`` (a permit id is at most 64 characters; at most 20 of them)."""
    return [p[:64] for p in form.getlist(name)[:20] if isinstance(p, str)]


def _day(form: FormData, name: str) -> date | None:
    """A posted date, or None when missing or not a date (the check then names the field)."""
    try:
        return date.fromisoformat(text(form, name, 10))
    except ValueError:
        return None


@router.post(
    "/window/applications/{application_id}/reissue", response_class=Response, responses=POST, dependencies=[CsrfProtected]
)
def reissue_page(
    request: Request, session: SessionDep, user: CurrentUser, registry: RegistryDep, application_id: uuid.UUID
) -> Response:
    """换发: a change every department approved is issued as the certificate's next version; the old one is 已换发."""
    request_row = life.request_of(session, application_id)
    origin = session.get(Application, request_row.origin_id) if request_row is not None else None
    composer = registry.get(origin.pack_id) if origin is not None else None
    if composer is None:
        return refused(request, NotFound([problem("not_found", "没有这件变更申请", "application_id", str(application_id))]))
    try:
        certificate = life.reissue(
            session, actor=user, application_id=application_id, composer=composer, keys_dir=request.app.state.settings.keys_dir
        )
    except WorkflowError as exc:
        return refused(request, exc)
    return RedirectResponse(f"/certificates/{certificate.id}/services", status_code=303)


@router.get("/review/permits", response_class=Response, responses=PAGE)
def held_permits(request: Request, session: SessionDep, user: CurrentUser, q: str = "", after: str = "") -> Response:
    """已发许可: the permits the department granted that stand on a certificate, each with its live state, a page at a time,
    searched by the holder's name or USCC."""
    if not works_at(user, Action.decide_task) or user.department is None:
        return forbidden(request)
    context: dict[str, Any] = {"rows": [], "endings": holdings.ENDINGS, "department": user.department, "asked": {"q": q}}
    try:
        page = holdings.held_by(session, user.department, today(), search=q, after=after or None)
    except Invalid as exc:
        return render_form_page(request, "held_permits.html", context, exc.problems, 400)
    context["rows"] = [
        {
            "origin": o,
            "certificate": c,
            "title": CertificateFace.model_validate(c.face).title,
            "permit": p,
            "name": n,
            "state": s,
            "ended": s.value in ("cancelled", "withdrawn", "revoked"),
        }
        for o, c, p, n, s in page.rows
    ]
    context["next_url"] = f"/review/permits?{urlencode({'q': q, 'after': page.next_after})}" if page.next_after else None
    context["first_url"] = f"/review/permits?{urlencode({'q': q})}" if after else None
    return render_form_page(request, "held_permits.html", context)


@router.post(
    "/review/permits/{application_id}/{permit}/end", response_class=Response, responses=POST, dependencies=[CsrfProtected]
)
async def end_permit(
    request: Request, session: SessionDep, user: CurrentUser, application_id: uuid.UUID, permit: str
) -> Response:
    """注销、撤销 or 吊销 a permit of the department's: the certificate is void at once and its recovery recorded."""
    return await with_form(request, _end_permit, request, session, user, application_id, permit)


def _end_permit(
    request: Request, session: Session, user: User, application_id: uuid.UUID, permit: str, form: FormData
) -> Response:
    try:
        holdings.end_permit(
            session,
            actor=user,
            application_id=application_id,
            permit=permit[:64],
            how=text(form, "how", 20),
            reason=text(form, "reason", 500),
            version=version(form),
        )
    except WorkflowError as exc:
        return refused(request, exc)
    return RedirectResponse("/review/permits", status_code=303)
