"""OpenAPI ``responses=`` entries for pages: errors on pages are pages (HTML), in the visitor's language.

Only 413 stays JSON: the body cap answers before any page code runs.
"""

from __future__ import annotations

from typing import Any

from fastapi.responses import Response

from service.deps import CsrfProtected
from service.errors import TOO_LARGE


def html(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"text/html": {"schema": {"type": "string"}}}}


def pdf(description: str) -> dict[str, Any]:
    """A PDF answer's entry in ``responses=``."""
    return {"description": description, "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}}


PAGE = html("The page")
FORM_ERRORS = html("The page again, with an error summary at the top and the values kept")
CSRF = html("The form's CSRF token is missing or wrong: a page saying so; nothing was written")
CONFLICT = html("The draft was saved elsewhere since this form was read: both versions, to choose from; nothing was written")
NOT_FOUND = html("Not found (someone else's draft looks exactly like a missing one)")
INVALID = html("A malformed path or field: an error page")
RATE_LIMITED = {
    **html("Too many attempts from this address: an error page"),
    "headers": {"Retry-After": {"description": "seconds to wait", "schema": {"type": "integer"}}},
}
TO_SIGN_IN = {"description": "Not signed in: on to the sign-in page"}
TO_START = {"description": "No business chosen yet (or open questions first): on to that step"}


def form_post(done: str, answers: dict[int | str, dict[str, Any]], *dependencies: Any) -> dict[str, Any]:
    """``router.post`` keywords for a page's form: CSRF-checked, a 303 on to ``done``, 403 and 413, and ``answers``."""
    return {
        "status_code": 303,
        "response_class": Response,
        "responses": {303: {"description": done}, 403: CSRF, 413: TOO_LARGE, **answers},
        "dependencies": [CsrfProtected, *dependencies],
    }


__all__ = [
    "CONFLICT",
    "CSRF",
    "FORM_ERRORS",
    "INVALID",
    "NOT_FOUND",
    "PAGE",
    "RATE_LIMITED",
    "TOO_LARGE",
    "TO_SIGN_IN",
    "TO_START",
    "form_post",
    "html",
]
