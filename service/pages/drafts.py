"""An applicant's own drafts. Someone else's draft is a 404, exactly like one that does not exist."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from composer.model import Composition
from service import crud
from service.compose import TIMEZONE
from service.deps import ComposeServiceDep, CurrentUser, LangDep, OwnDraft, RegistryDep, SessionDep
from service.models import Draft, StoredComposition
from service.pages import responses as pages
from service.pages.apply import compose_draft, draft_request, missing_required
from service.pages.conflict import updated_at
from service.pages.templating import render
from service.policy import notice_changes

router = APIRouter(tags=["pages"])

_SIGN_IN: dict[int | str, dict[str, Any]] = {303: pages.TO_SIGN_IN}


def _industry_names(draft: Draft, registry: RegistryDep, lang: str) -> str:
    composer = registry.get(draft.pack_id)
    names = []
    for industry_id in draft.industries:
        industry = composer.pack.industries.get(industry_id) if composer else None
        names.append(industry.name.in_(lang) if industry else industry_id)
    return "、".join(names) if names else "—"


def _title(draft: Draft, registry: RegistryDep, lang: str) -> str:
    """A draft's name as a list shows it: its industries, its premises address if given, the day it was started."""
    address = str(draft.form_values.get("premises_address") or "").strip()
    started = draft.created_at if draft.created_at.tzinfo else draft.created_at.replace(tzinfo=UTC)
    parts = [_industry_names(draft, registry, lang), address[:60], started.astimezone(TIMEZONE).strftime("%Y-%m-%d")]
    return " · ".join(part for part in parts if part)


def _scope_names(draft: Draft, composition: Composition | None, registry: RegistryDep, lang: str) -> str:
    """The business scope the draft stands for: its industries' with any items chosen besides, as composed."""
    composer = registry.get(draft.pack_id)
    items = composer.pack.scope_items if composer else {}
    return "、".join(items[s].name.in_(lang) if s in items else s for s in (composition.scope if composition else draft.scope))


def _pack_name(draft: Draft, registry: RegistryDep, lang: str) -> str:
    composer = registry.get(draft.pack_id)
    return composer.pack.meta.name.in_(lang) if composer else draft.pack_id


@router.get("/drafts", response_class=Response, responses={200: pages.PAGE, **_SIGN_IN})
def list_drafts(request: Request, session: SessionDep, user: CurrentUser, registry: RegistryDep, lang: LangDep) -> Response:
    """List my drafts."""
    drafts = [
        {"id": d.id, "title": _title(d, registry, lang), "updated": updated_at(d)}
        for d in crud.list_drafts(session=session, owner=user)
    ]
    return render(request, "drafts.html", {"drafts": drafts})


@router.get(
    "/drafts/{draft_id}",
    response_class=Response,
    responses={200: pages.PAGE, 404: pages.NOT_FOUND, 422: pages.INVALID, **_SIGN_IN},
)
def read_draft(
    request: Request, session: SessionDep, draft: OwnDraft, registry: RegistryDep, service: ComposeServiceDep, lang: LangDep
) -> Response:
    """Show one of my drafts: what it is, what is still missing, continue it, its PDFs."""
    composed = compose_draft(service, session, draft, lang)
    composition = composed.composition if composed else None
    context = {
        "composition": composition,
        "missing": missing_required(composition.form, draft.form_values) if composition else [],
        "saved": request.query_params.get("saved") == "1",
        "draft": draft,
        "title": _title(draft, registry, lang),
        "industries": _industry_names(draft, registry, lang) if draft.industries else "",
        "scope": _scope_names(draft, composition, registry, lang),
        "pack_name": _pack_name(draft, registry, lang),
        "updated": updated_at(draft),
        **_rules_changed(session, service, draft, composition, lang),
    }
    return render(request, "draft.html", context)


def _rules_changed(
    session: SessionDep, service: ComposeServiceDep, draft: Draft, composition: Composition | None, lang: str
) -> dict[str, Any]:
    """Whether the draft was composed under an earlier version of its pack than the one served now, and what changed.

    ``notice_changes`` is None when the earlier version is not in the packs' repository (it can then only say that
    the rules changed), else the changes by kind (empty: nothing this draft shows changed).
    """
    stored = session.get(StoredComposition, draft.composition_id) if draft.composition_id else None
    composer = service.registry.get(draft.pack_id)
    if stored is None or composer is None or stored.pack_version == composer.pack.version:
        return {"rules_changed": False}
    request = draft_request(session, draft, lang)
    found = notice_changes.changes(service.registry.root, draft.pack_id, stored.pack_version, request, composition)
    return {"rules_changed": True, "notice_changes": found}


@router.get(
    "/drafts/{draft_id}/delete",
    response_class=Response,
    responses={200: pages.PAGE, 404: pages.NOT_FOUND, 422: pages.INVALID, **_SIGN_IN},
)
def confirm_delete_draft(request: Request, draft: OwnDraft, registry: RegistryDep, lang: LangDep) -> Response:
    """Ask before deleting: a deleted draft cannot be brought back."""
    return render(request, "draft_delete.html", {"draft": draft, "title": _title(draft, registry, lang)})


@router.post(
    "/drafts/{draft_id}/delete", **pages.form_post("Deleted: back to my drafts", {404: pages.NOT_FOUND, 422: pages.INVALID})
)
def delete_draft(session: SessionDep, draft: OwnDraft) -> Response:
    """Delete one of my drafts (and the composition stored with it)."""
    crud.delete_draft(session=session, draft=draft)
    return RedirectResponse("/drafts", status_code=303)
