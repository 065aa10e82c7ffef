"""The OpenAPI document, with examples on every model, and the Swagger UI page that shows it at /docs.

The Composition family's examples are not written by hand: they are one real composition of the
default pack, made when the document is first asked for, so they can never drift from the code.

Swagger UI is served from this service (the files fastapi-offline ships), not from a CDN: a
district's network may not reach one, and the Content-Security-Policy admits our own scripts only.
Its URLs are relative, so the page is the same bytes behind any path prefix and its one inline
script is admitted by hash (``DOCS_SCRIPT_HASH``).
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

import fastapi_offline
from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel

from composer.model import ComposeRequest, Composition
from rules.errors import InputError
from service.api.schemas import COMPOSE_EXAMPLE
from service.middleware import csp_hash

log = logging.getLogger("yiye.openapi")


DOCS_ASSETS = Path(fastapi_offline.__file__).parent / "static"
_DOCS_PAGE = get_swagger_ui_html(
    openapi_url="openapi.json",
    title="yiye 一业一证 - API",
    swagger_js_url="static/docs/swagger-ui-bundle.js",
    swagger_css_url="static/docs/swagger-ui.css",
    swagger_favicon_url="static/docs/favicon.png",
    oauth2_redirect_url=None,
).body
_INLINE_SCRIPT = re.search(rb"<script>(.*?)</script>", _DOCS_PAGE, re.DOTALL)
if _INLINE_SCRIPT is None:
    raise RuntimeError("Swagger UI's page has no inline script to admit")
DOCS_SCRIPT_HASH = csp_hash(_INLINE_SCRIPT[1])
"""The CSP source that admits the docs page's inline script (Swagger UI's settings)."""


def install(app: FastAPI) -> None:
    """The document at /openapi.json and Swagger UI at /docs; before any mount at /static."""
    app.mount("/static/docs", StaticFiles(directory=DOCS_ASSETS), name="docs")

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return HTMLResponse(_DOCS_PAGE)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes, tags=app.openapi_tags
        )
        components = schema.get("components", {}).get("schemas", {})
        for example in _example_compositions(app):
            _attach(example, components)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def _example_compositions(app: FastAPI) -> list[Composition]:
    registry = getattr(app.state, "registry", None)
    settings = app.state.settings
    composer = registry.get(settings.default_pack) if registry is not None else None
    if composer is None:
        return []
    pack = composer.pack
    candidates = [ComposeRequest.model_validate({**COMPOSE_EXAMPLE, "pack": pack.id})]
    candidates += [ComposeRequest(pack=pack.id, industries=[i]) for i in list(pack.industries)[:200]]
    found: list[Composition] = []
    for request in candidates:
        try:
            composition = composer.compose(request)
        except InputError:
            continue
        eligible = [p.id for p in composition.permits if p.commitment.eligible]
        if eligible and not request.commit:
            try:
                composition = composer.compose(request.model_copy(update={"commit": eligible}))
            except InputError:
                pass
        found.append(composition)
    return sorted(found, key=_richness, reverse=True)


def _richness(c: Composition) -> int:
    return len(c.permits) + len(c.commitments) + len(c.questions) + len(c.form.sheets) + len(c.materials)


def _attach(value: Any, components: dict[str, Any]) -> None:
    """Give each model's component without one the first instance of it found in ``value`` as its example."""
    if isinstance(value, BaseModel):
        name = type(value).__name__
        component = components.get(name)
        if component is not None and "examples" not in component:
            component["examples"] = [value.model_dump(mode="json")]
        for field in type(value).model_fields:
            _attach(getattr(value, field), components)
    elif isinstance(value, list | tuple):
        for item in value:
            _attach(item, components)
    elif isinstance(value, dict):
        for item in value.values():
            _attach(item, components)
