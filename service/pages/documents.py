"""Step 6: the notice, the one form and the commitment letter as PDF (``forms.render.render_pdf``), and the
样表 of each form the applicant fills in (``/documents/samples/{kind}.pdf`` or ``.html``, ``forms.samples``).

``/documents/{kind}.pdf`` prints the journey in the session (the form filled with the journey's
draft, or blank for handwriting when there is none); ``/drafts/{id}/documents/{kind}.pdf`` prints
one of the applicant's own drafts, composed again from the exact input stored with it. Someone
else's draft is a 404 like a missing one. The filename names the document, the business and the
as-of date, in Chinese with an ASCII fallback.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any, Literal, TypeGuard
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from composer.model import Composition
from composer.words import N_
from forms.render import SAMPLES_AT, Printing, render_pdf
from forms.samples import offered, sample_html, sample_pdf
from service import crud
from service.compose import ComposeService
from service.deps import ComposeServiceDep, LangDep, OptionalUser, OwnDraft, SessionDep
from service.i18n import translations
from service.pages import responses as pages
from service.pages.apply import compose_draft
from service.pages.journey import CompleteJourney
from service.pages.templating import own_styles, render

router = APIRouter(tags=["pages"])

Kind = Literal["notice", "form", "commitment", "authorization"]

PDF: dict[int | str, dict[str, Any]] = {
    200: pages.pdf("The PDF (A4), as an attachment"),
    404: pages.NOT_FOUND,
    422: pages.INVALID,
}


TITLES = {"notice": N_("一次告知单"), "form": N_("综合申请表"), "commitment": N_("告知承诺书"), "authorization": N_("授权委托书")}
ASCII = {"notice": "notice", "form": "application-form", "commitment": "commitment-letter", "authorization": "authorization"}
SAMPLE_TITLE = N_("%(document)s（样表）")


def content_disposition(kind: str, composition: Composition, lang: str, business: str) -> str:
    """``attachment`` with an ASCII ``filename`` and the full name as RFC 6266 ``filename*``."""
    as_of: date = composition.pack.as_of
    title = translations(lang).gettext(TITLES[kind])
    name = f"{title}-{business}-{as_of:%Y%m%d}.pdf" if business else f"{title}-{as_of:%Y%m%d}.pdf"
    name = name.replace("/", "-").replace("\\", "-")
    fallback = f"yiye-{ASCII[kind]}-{as_of:%Y%m%d}.pdf"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def _known(kind: str) -> TypeGuard[Kind]:
    return kind in TITLES


def _pdf(kind: Kind, composition: Composition, values: dict[str, Any], lang: str, business: str, samples_at: str) -> Response:
    body = render_pdf(kind, composition, values if kind == "form" else None, lang, Printing(samples_at=samples_at))
    return Response(
        body,
        media_type="application/pdf",
        headers={
            "Content-Disposition": content_disposition(kind, composition, lang, business),
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


def _no_commitments(request: Request, lang: str) -> Response:
    gettext = translations(lang).gettext
    context = {
        "title": gettext("没有告知承诺书"),
        "messages": [gettext("您没有选择以告知承诺方式办理的事项。可以在告知单的“告知承诺”部分选择。")],
    }
    return render(request, "error.html", context, status_code=404)


def _unknown_kind(request: Request, lang: str) -> Response:
    gettext = translations(lang).gettext
    return render(
        request, "error.html", {"title": gettext("页面不存在"), "messages": [gettext("请检查地址是否正确。")]}, status_code=404
    )


@router.get("/documents/{kind}.pdf", response_class=Response, responses={**PDF, 303: pages.TO_START})
def journey_pdf(
    request: Request,
    kind: str,
    user: OptionalUser,
    session: SessionDep,
    service: ComposeServiceDep,
    lang: LangDep,
    ready: CompleteJourney,
) -> Response:
    """A PDF of the journey in the session: ``notice``, ``form`` or ``commitment``."""
    if not _known(kind):
        return _unknown_kind(request, lang)
    journey, composition = ready.journey, ready.composition
    if kind == "commitment" and not composition.commitments:
        return _no_commitments(request, lang)
    if kind == "authorization" and kind not in offered(composition):
        return _unknown_kind(request, lang)  # a blank 授权委托书 only where the notice asks for one
    values: dict[str, Any] = {}
    if journey.stash is not None:
        values = journey.stash
    elif journey.draft and user is not None:
        draft = crud.get_draft(session=session, owner=user, draft_id=uuid.UUID(journey.draft))
        values = draft.form_values if draft else {}
    business = _industry_names(composition, lang, service, journey.pack)
    return _pdf(kind, composition, values, lang, business, _site(request) + SAMPLES_AT)


def _industry_names(composition: Composition, lang: str, service: ComposeService, pack_id: str) -> str:
    """The business for the filename: its first three industries."""
    composer = service.registry.get(pack_id)
    if composer is None:
        return ""
    industries = composer.pack.industries
    names = [industries[i].name.in_(lang) for i in composition.industries if i in industries]
    return ("、" if lang == "zh" else ", ").join(names[:3])


@router.get("/drafts/{draft_id}/documents/{kind}.pdf", response_class=Response, responses={**PDF, 303: pages.TO_SIGN_IN})
def draft_pdf(
    request: Request, draft: OwnDraft, kind: str, session: SessionDep, service: ComposeServiceDep, lang: LangDep
) -> Response:
    """A PDF of one of my drafts, composed from the input stored with it."""
    if not _known(kind):
        return _unknown_kind(request, lang)
    composed = compose_draft(service, session, draft, lang)
    if composed is None:
        gettext = translations(lang).gettext
        context = {"title": gettext("无法生成文件"), "messages": [gettext("这份草稿依据的规则已经变化，请继续填写后重新保存。")]}
        return render(request, "error.html", context, status_code=409)
    composition = composed.composition
    if kind == "commitment" and not composition.commitments:
        return _no_commitments(request, lang)
    if kind == "authorization" and kind not in offered(composition):
        return _unknown_kind(request, lang)  # a blank 授权委托书 only where the notice asks for one
    business = _industry_names(composition, lang, service, composition.pack.id)
    samples_at = f"{_site(request)}/drafts/{draft.id}{SAMPLES_AT}"
    return _pdf(kind, composition, draft.form_values, lang, business, samples_at)


SAMPLE_RESPONSES: dict[int | str, dict[str, Any]] = {
    **PDF,
    200: {"description": "The 样表 as a PDF (A4) or an HTML page", "content": {"application/pdf": {}, "text/html": {}}},
}


def _site(request: Request) -> str:
    """The site's public address, so a link printed in a PDF opens from wherever the PDF is read; not the request's
    Host header, which a client may write as it likes."""
    public_url: str = request.app.state.settings.public_url
    return public_url.rstrip("/")


@router.get("/documents/samples/{kind}.{ext}", response_class=Response, responses={**SAMPLE_RESPONSES, 303: pages.TO_START})
def journey_sample(request: Request, kind: str, ext: str, lang: LangDep, ready: CompleteJourney) -> Response:
    """A 样表 of a form the journey's notice asks for, filled in as an example: ``form``, ``commitment`` or
    ``authorization``, as ``pdf`` or ``html``."""
    return _sample(request, kind, ext, ready.composition, lang)


@router.get(
    "/drafts/{draft_id}/documents/samples/{kind}.{ext}",
    response_class=Response,
    responses={**SAMPLE_RESPONSES, 303: pages.TO_SIGN_IN},
)
def draft_sample(
    request: Request, draft: OwnDraft, kind: str, ext: str, session: SessionDep, service: ComposeServiceDep, lang: LangDep
) -> Response:
    """A 样表 of a form the notice of one of my drafts asks for."""
    composed = compose_draft(service, session, draft, lang)
    if composed is None:
        return _unknown_kind(request, lang)
    return _sample(request, kind, ext, composed.composition, lang)


def _sample(request: Request, kind: str, ext: str, composition: Composition, lang: str) -> Response:
    """The 样表 if this notice offers it (a 404 page otherwise), inline: it is for reading."""
    found = next((k for k in offered(composition) if k == kind), None)
    if found is None or ext not in ("pdf", "html"):
        return _unknown_kind(request, lang)
    if ext == "html":
        html = sample_html(found, composition, lang)
        return HTMLResponse(html, headers=own_styles(request, html))
    gettext = translations(lang).gettext
    name = f"{gettext(SAMPLE_TITLE) % {'document': gettext(TITLES[found])}}-{composition.pack.as_of:%Y%m%d}.pdf"
    fallback = f"yiye-sample-{ASCII[found]}-{composition.pack.as_of:%Y%m%d}.pdf"
    return Response(
        sample_pdf(found, composition, lang),
        media_type="application/pdf",
        headers={
            "Content-Disposition": f"inline; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}",
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )
