"""Certificate pages: the public verify page a QR opens (no sign-in), and the certificate itself as HTML and PDF.

``/v/{token}`` answers a genuine token with the certificate and every sub-permit's live state, and
anything else — forged, unknown or retired key, tampered, random, too long — with a calm 「无法验证」
page (400). It is rate-limited per client. ``/V/…`` is the same page: the QR carries the URL in upper
case, the symbol's compact alphanumeric mode. The page opens no session: a scan writes nothing, so a
crowd of scanners costs the database reads only.
Both verify routes hand the scan and its answer to the threads the ``Scanner`` keeps for scans (the event loop only
carries bytes): a crowd of scanners is answered in batches on a few threads rather than filling the pool.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import cache
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Template, nodes
from jinja2.visitor import NodeTransformer
from markupsafe import escape

from certificates.face import CertificateFace
from certificates.render import render_html
from certificates.statuslist import MEDIA_TYPE, jwk
from service.certs.documents import signed_pdf, verify_url
from service.certs.keys import listing
from service.certs.lifecycle import issue
from service.certs.models import Certificate
from service.certs.statuslist import PATH, current
from service.certs.verify import Asked, Scanner, Shown, Unverifiable, VerifyOut
from service.compose import in_beijing, today
from service.deps import CsrfProtected, CurrentUser, RegistryDep, SessionDep
from service.errors import NotFound
from service.i18n import Lang, negotiate, translations
from service.models import utcnow
from service.pages import responses as pages
from service.pages.templating import PAGE_HEADERS, own_styles, render, templates
from service.ratelimit import VERIFY_LIMIT
from service.settings import Environment
from service.workflow.errors import WorkflowError
from service.workflow.models import Application
from service.workflow.roles import Action, may

router = APIRouter(tags=["certificates"])

PDF: dict[int | str, dict[str, Any]] = {
    200: pages.pdf("The certificate, A4"),
    303: pages.TO_SIGN_IN,
    404: pages.NOT_FOUND,
    422: pages.INVALID,
}


@router.get(
    "/v/{token}",
    response_class=HTMLResponse,
    responses={
        400: pages.html("The token proves nothing: a calm 无法验证 page"),
        422: pages.INVALID,
        429: pages.RATE_LIMITED,
    },
)
async def verify_page(request: Request, token: str) -> HTMLResponse:
    """扫码核验: the certificate's authenticity, its state and every sub-permit's live state."""
    scanner: Scanner = request.app.state.scanner
    return await scanner.answer(Asked(token, today(), lambda: VERIFY_LIMIT.check(request), lambda s: _page(request, s)))


def _page(request: Request, scanned: Shown | Unverifiable) -> HTMLResponse:
    if isinstance(scanned, Unverifiable):
        return HTMLResponse(_public(request, "certificate_unverifiable.html", {"reason": scanned.message}), 400, PAGE_HEADERS)
    lang = negotiate(request, request.app.state.settings.lang_cookie)
    path = request.url.path
    page = scanned.pages.get((path, lang))
    if page is None:
        page = scanned.pages[(path, lang)] = _verify_page(path, lang, request.app.state.settings.demo, scanned.out)
    return HTMLResponse(f"{page[0]}{in_beijing(utcnow()):%Y-%m-%d %H:%M:%S}{page[1]}", headers=PAGE_HEADERS)


CHECKED_AT = "\x00checked-at\x00"
PATH_AT = "\x00path\x00"
CONTENT_AT = "\x00content\x00"


def _verify_page(path: str, lang: Lang, demo: bool, shown: VerifyOut) -> tuple[str, str]:
    """The page for ``shown`` at ``path``, split where the time of the check goes: only its content block rendered."""
    template, before_path, before_content, after_content = _frame(lang, demo)
    # shared: the content reads only these, so the environment's globals are not copied into every scan's context
    context = template.new_context({**public_context(lang, demo, path), "shown": shown, "checked_at": CHECKED_AT}, shared=True)
    head, _, tail = "".join(template.blocks["content"](context)).partition(CHECKED_AT)
    return f"{before_path}{escape(path)}{before_content}{head}", f"{tail}{after_content}"


@cache
def _frame(lang: Lang, demo: bool) -> tuple[Template, str, str, str]:
    """The verify template and its page around the content block, rendered once per language: the text before the
    path (in the language switch's link), before the content and after it. A scan renders the content alone."""
    template = _translated("certificate_verify.html", lang)
    context = template.new_context(public_context(lang, demo, PATH_AT))
    context.blocks["content"] = [lambda _: iter((CONTENT_AT,))]
    before_path, _, rest = "".join(template.root_render_func(context)).partition(PATH_AT)
    before_content, _, after_content = rest.partition(CONTENT_AT)
    return template, before_path, before_content, after_content


def _translated(name: str, lang: Lang) -> Template:
    """The template with each ``_("…")`` of a literal compiled as its translation in ``lang``: the page renders the
    same, without a call to gettext and an escape of its answer for every fixed phrase on every scan."""
    env = templates.env
    source, filename, _ = env.loader.get_source(env, name)  # type: ignore[union-attr]
    tree = _Translations(translations(lang).gettext).visit(env.parse(source, name, filename))
    return env.template_class.from_code(env, env.compile(tree, name, filename), env.make_globals(None))


class _Translations(NodeTransformer):
    """A template's tree with each gettext of a literal replaced by its translation."""

    def __init__(self, gettext: Callable[[str], str]) -> None:
        self.gettext = gettext

    def visit_Call(self, node: nodes.Call) -> nodes.Node:
        """``_("literal")`` as the constant it translates to; any other call as it is."""
        self.generic_visit(node)
        plain = len(node.args) == 1 and not node.kwargs and node.dyn_args is None and node.dyn_kwargs is None
        only = node.args[0] if plain else None
        gettext = isinstance(node.node, nodes.Name) and node.node.name == "_"
        if gettext and isinstance(only, nodes.Const) and isinstance(only.value, str):
            return nodes.Const(self.gettext(only.value), lineno=node.lineno)
        return node


def _public(request: Request, name: str, context: dict[str, Any]) -> str:
    """A page for anyone, without the session (and so without the CSRF token) other pages carry."""
    settings = request.app.state.settings
    lang = negotiate(request, settings.lang_cookie)
    return templates.get_template(name).render({**public_context(lang, settings.demo, request.url.path), **context})


def public_context(lang: Lang, demo: bool, path: str) -> dict[str, Any]:
    """What the page layout reads on a page for anyone: no session, so no user and no CSRF token."""
    gettext = translations(lang).gettext
    return {
        "lang": lang,
        "html_lang": "zh-CN" if lang == "zh" else "en",
        "_": gettext,
        "gettext": gettext,
        "current_user": None,
        "demo": demo,
        "switch_lang_url": f"{path}?lang={'en' if lang == 'zh' else 'zh'}",
    }


router.add_api_route("/V/{token}", verify_page, methods=["GET"], response_class=HTMLResponse, include_in_schema=False)


@router.post(
    "/applications/{application_id}/certificate",
    dependencies=[CsrfProtected],
    response_class=HTMLResponse,
    responses={
        303: {"description": "Issued: on to the certificate"},
        400: pages.html("Nothing granted: a page saying so; nothing was written"),
        403: pages.CSRF,
        404: pages.NOT_FOUND,
        413: pages.TOO_LARGE,
        422: pages.INVALID,
        409: pages.html("Not all decided yet, or the face has not changed: a page saying so; nothing was written"),
    },
)
def issue_certificate(
    request: Request, application_id: uuid.UUID, session: SessionDep, user: CurrentUser, registry: RegistryDep
) -> Response:
    """一证准营: the window issues the certificate (or its next version) once every department has decided."""
    application = session.get(Application, application_id)
    composer = registry.get(application.pack_id) if application is not None else None
    if application is None or composer is None:
        raise NotFound("unknown_application", "没有找到这件申请", "path.application_id", str(application_id))
    keys_dir = request.app.state.settings.keys_dir
    try:
        certificate = issue(session, actor=user, application_id=application_id, composer=composer, keys_dir=keys_dir)
    except WorkflowError as exc:
        status = 400 if exc.status == 422 else exc.status
        title = "无法发证"
        return render(request, "error.html", {"title": title, "messages": [p.message for p in exc.problems]}, status_code=status)
    return RedirectResponse(f"/certificates/{certificate.id}/services", status_code=303)  # as a re-issue leads


def _own(session: SessionDep, user: CurrentUser, certificate_id: uuid.UUID) -> Certificate:
    certificate = session.get(Certificate, certificate_id)
    if certificate is None or not may(user, Action.view_certificate, certificate):
        raise NotFound("unknown_certificate", "没有找到这份凭证", "path.certificate_id", str(certificate_id))
    return certificate


@router.get(
    "/certificates/{certificate_id}",
    response_class=HTMLResponse,
    responses={303: pages.TO_SIGN_IN, 404: pages.NOT_FOUND, 422: pages.INVALID},
)
def certificate_page(request: Request, certificate_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> HTMLResponse:
    """The certificate as printed, with its QR (its holder, the window, the departments it names)."""
    certificate = _own(session, user, certificate_id)
    settings = request.app.state.settings
    url = verify_url(session, settings.keys_dir, settings.public_url, certificate)
    page = render_html(CertificateFace.model_validate(certificate.face), url)
    return HTMLResponse(page, headers=own_styles(request, page))


@router.get("/certificates/{certificate_id}/certificate.pdf", response_class=Response, responses=PDF)
def certificate_pdf(request: Request, certificate_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> Response:
    """The certificate as an A4 PDF, its QR on it, signed by the bureau (PAdES)."""
    certificate = _own(session, user, certificate_id)
    face = CertificateFace.model_validate(certificate.face)
    settings = request.app.state.settings
    test_ca = settings.env is not Environment.production
    pdf = signed_pdf(
        session, settings.keys_dir, settings.public_url, certificate, location=settings.issuer_location, test_ca=test_ca
    )
    name = f"{face.title.zh}-{face.number}-第{face.version}版.pdf"
    disposition = f"attachment; filename=\"certificate-{face.number}-v{face.version}.pdf\"; filename*=UTF-8''{quote(name)}"
    return Response(pdf, media_type="application/pdf", headers={"Content-Disposition": disposition, "Cache-Control": "no-store"})


STATUS_LIST: dict[int | str, dict[str, Any]] = {
    200: {"description": "The signed BitstringStatusListCredential", "content": {MEDIA_TYPE: {"schema": {"type": "string"}}}}
}


@router.get(PATH, response_class=Response, responses=STATUS_LIST)
def status_list(request: Request, session: SessionDep) -> Response:
    """证照状态列表: every certificate version's bit (set: no longer in force), signed, for checkers offline."""
    settings = request.app.state.settings
    jws = current(session, settings.keys_dir, settings.public_url)
    return Response(jws, media_type=MEDIA_TYPE, headers={"Cache-Control": "public, max-age=60"})


@router.get("/status/keys", responses={200: {"description": "JWKS: the public keys that sign tokens and the status list"}})
def status_keys(session: SessionDep) -> dict[str, list[dict[str, str]]]:
    """签名公钥 (JWKS): every key in use, by ``kid``, to check the status list and the QR tokens."""
    return {"keys": [jwk(row.key_id, bytes.fromhex(row.public_key)) for row in listing(session) if row.retired_at is None]}
