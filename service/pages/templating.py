"""Rendering server-side pages: one Jinja environment, gettext per request, CSRF token, language cookie.

Page routers call ``render(request, "page.html", {...})``. Every page gets ``_`` (gettext in the
request's language), ``lang``, ``csrf_token``, ``current_user`` and ``switch_lang_url``.

There is one Environment per language: forms/ installs its gettext, filters and globals on an
Environment (``forms.render.configure``), which the applicant pages need to reuse the notice macros
as ``{% import "forms/macros.html" as forms %}``. The service's own templates take ``_`` from the
context, so they are unaffected.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Mapping
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlencode

from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PrefixLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from composer import Composer
from forms import render as forms_render
from rules.model import Department, Permit, Text
from service.compose import beijing_minute
from service.i18n import LANGS, negotiate, parse_lang, translations
from service.middleware import csp_hash, security_headers
from service.security import csrf_token
from service.settings import Environment as Stage

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"


def _make_env(lang: str) -> Environment:
    env = Environment(
        loader=ChoiceLoader(
            [
                FileSystemLoader([str(TEMPLATES_DIR)]),
                PrefixLoader({"forms": FileSystemLoader(str(forms_render.TEMPLATES_DIR))}),
            ]
        ),
        autoescape=select_autoescape(["html", "xml"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    forms_render.configure(env, lang)
    env.filters["beijing"] = beijing_minute
    return env


_templates = {lang: Jinja2Templates(env=_make_env(lang)) for lang in LANGS}
templates = _templates["zh"]
_env = templates.env

LANG_COOKIE_AGE = 365 * 24 * 3600

K = TypeVar("K", bound=Hashable)

PAGE_HEADERS = {"Cache-Control": "no-store"}  # pages carry a CSRF token and personal data
"""What a page adds to the site's security headers (``SecurityHeaders``, whose policy admits no inline style or script)."""

_STYLE = re.compile(r"<style>(.*?)</style>", re.S)


def own_styles(request: Request, html: str) -> dict[str, str]:
    """A standalone document's headers (a 样表, the certificate's HTML view): a page's, and the site's policy admitting
    the document's own inline stylesheets by their hashes."""
    hashes = tuple(csp_hash(css.encode()) for css in _STYLE.findall(html))
    production = request.app.state.settings.env is Stage.production
    policy = security_headers(production=production, style_hashes=hashes)["Content-Security-Policy"]
    return PAGE_HEADERS | {"Content-Security-Policy": policy}


def add_template_dir(path: Path) -> None:
    """Let another package's templates be found too."""
    for t in _templates.values():
        loader = t.env.loader
        assert isinstance(loader, ChoiceLoader)
        first = loader.loaders[0]
        assert isinstance(first, FileSystemLoader)
        if str(path) not in first.searchpath:
            first.searchpath.append(str(path))


def _switch_url(request: Request, lang: str) -> str:
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    params.append(("lang", "en" if lang == "zh" else "zh"))
    return f"{request.url.path}?{urlencode(params)}"


def _department_names(departments: Mapping[str, Department], lang: str) -> Callable[[str | None], str]:
    """A department's id as pages name it: by the district's pack, in the page's language (an unknown id as it is)."""

    def name(department: str | None) -> str:
        found = departments.get(department) if department else None
        return found.name.in_(lang) if found else department or ""

    return name


def _requirement(permits: Mapping[str, Permit]) -> Callable[[tuple[str, str]], Text | None]:
    """A requirement element's text by (permit, element) id."""

    def text(key: tuple[str, str]) -> Text | None:
        permit, element = key
        found = permits.get(permit)
        return next((e.text for e in found.elements if e.id == element), None) if found else None

    return text


def _in_language(texts: Callable[[K], Text | None], lang: str) -> Callable[[K, str], str]:
    """A permit's name, a field's label or a requirement's text as pages show it: as the application stored it (in
    Chinese), or in another language by the district pack, where ``texts`` finds the id there."""

    def shown(key: K, stored: str) -> str:
        found = texts(key) if lang != "zh" else None
        return found.in_(lang) if found else stored

    return shown


def render(request: Request, name: str, context: dict[str, Any] | None = None, *, status_code: int = 200) -> HTMLResponse:
    settings = request.app.state.settings
    lang = negotiate(request, settings.lang_cookie)
    t = translations(lang)
    district: Composer | None = request.app.state.registry.get(settings.default_pack)
    permits = district.pack.permits if district else {}
    fields = district.pack.fields if district else {}
    ctx: dict[str, Any] = {
        "lang": lang,
        "html_lang": "zh-CN" if lang == "zh" else "en",
        "_": t.gettext,
        "gettext": t.gettext,
        "ngettext": t.ngettext,
        "csrf_token": csrf_token(request.session),
        "current_user": getattr(request.state, "visitor", None),
        "switch_lang_url": _switch_url(request, lang),
        "demo": settings.demo,
        "department_name": _department_names(request.app.state.registry.departments(settings.default_pack), lang),
        "permit_name": _in_language(lambda p: permits[p].name if p in permits else None, lang),
        "field_label": _in_language(lambda f: fields[f].label if f in fields else None, lang),
        "requirement_text": _in_language(_requirement(permits), lang),
        **(context or {}),
    }
    response = _templates[lang].TemplateResponse(request, name, ctx, status_code=status_code)
    response.headers.update(PAGE_HEADERS)
    asked = parse_lang(request.query_params.get("lang"))
    if asked and request.cookies.get(settings.lang_cookie) != asked:
        response.set_cookie(
            settings.lang_cookie,
            asked,
            max_age=LANG_COOKIE_AGE,
            httponly=True,
            secure=settings.cookie_secure,
            samesite=settings.cookie_samesite,
        )
    return response
