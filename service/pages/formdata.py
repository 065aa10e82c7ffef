"""A page's posted form as Starlette ``FormData``, for forms whose fields the rules decide; stored values as shown.

The question pages and the one form post fields named by the rule pack (a question id, the
composed form's field ids), so they cannot be declared as a pydantic model; the route reads them
here and checks every one itself (through the composer, or ``forms.validation``).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from starlette.datastructures import FormData

from composer.model import Form
from forms.validation import form_fields


async def form_data(request: Request) -> FormData:
    return await request.form()


FormDataDep = Annotated[FormData, Depends(form_data)]


def text(form: FormData, name: str, limit: int = 1000) -> str:
    """One posted text value (a file upload or a missing field is empty), cut to ``limit``."""
    value = form.get(name)
    return value[:limit] if isinstance(value, str) else ""


def display_values(form: Form, values: dict[str, Any]) -> dict[str, str]:
    """Stored (clean) values, or the prefill, as the inputs show them."""
    shown: dict[str, str] = {}
    for f in form_fields(form):
        value = values.get(f.id)
        if value is None or value == "":
            value = f.prefill
        if value is None:
            continue
        if isinstance(value, bool):
            shown[f.id] = "true" if value else "false"
        elif isinstance(value, float) and value.is_integer():
            shown[f.id] = str(int(value))
        else:
            shown[f.id] = str(value)
    return shown
