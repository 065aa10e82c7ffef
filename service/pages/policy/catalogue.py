"""A pack's catalogue for policy staff (/policy/packs/{id}): browse and search every entity; a permit resolved through
its overlays with the file and line each field comes from."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from service.compose import today
from service.deps import CurrentUser
from service.pages.policy.change_sets import packs_root, staff
from service.pages.templating import render
from service.pages.window.applications import PAGE
from service.pages.window.desk import forbidden, refused
from service.policy import catalogue
from service.workflow.errors import NotFound, WorkflowError, problem

router = APIRouter(tags=["pages"])


@router.get("/policy/packs/{pack_id}", response_class=Response, responses=PAGE)
def catalogue_page(request: Request, user: CurrentUser, pack_id: str, q: str = "") -> Response:
    """The pack's industries, scope items, questions, permits with their elements, materials and form fields; or those
    matching the search."""
    if not staff(user):
        return forbidden(request)
    composer = request.app.state.registry.get(pack_id)
    if composer is None:
        return refused(request, NotFound([problem("unknown_pack", f"没有规则包“{pack_id}”", "pack_id", pack_id)]))
    query = q.strip()[:100]
    found = catalogue.search(composer.pack, query, today()) if query else catalogue.entries(composer.pack, today())
    groups = [(kind, label, [e for e in found if e.kind == kind]) for kind, label in catalogue.KINDS.items()]
    context = {"pack": composer.pack, "q": query, "groups": groups, "count": len(found)}
    return render(request, "policy_catalogue.html", context)


@router.get("/policy/packs/{pack_id}/permits/{permit_id}", response_class=Response, responses=PAGE)
def permit_page(request: Request, user: CurrentUser, pack_id: str, permit_id: str) -> Response:
    """A permit as the pack serves it, every field with the pack file and line it comes from."""
    if not staff(user):
        return forbidden(request)
    composer = request.app.state.registry.get(pack_id)
    try:
        if composer is None or permit_id not in composer.pack.permits:
            raise NotFound([problem("unknown_permit", f"规则包“{pack_id}”中没有许可事项“{permit_id}”", "permit", permit_id)])
        rows = catalogue.resolved_permit(pack_id, permit_id, packs_root(request))
    except WorkflowError as exc:
        return refused(request, exc)
    context = {"pack": composer.pack, "permit": composer.pack.permits[permit_id], "rows": rows}
    return render(request, "policy_permit.html", context)
