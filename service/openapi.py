"""The OpenAPI document, with examples on every model.

The Composition family's examples are not written by hand: they are one real composition of the
default pack, made when the document is first asked for, so they can never drift from the code.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel

from composer.model import ComposeRequest, Composition
from rules.errors import InputError
from service.api.schemas import COMPOSE_EXAMPLE

log = logging.getLogger("yiye.openapi")


def install(app: FastAPI) -> None:
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
