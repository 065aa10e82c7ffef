"""A page's posted form as Starlette ``FormData``, for forms whose fields the rules decide.

The question pages and the one form post fields named by the rule pack (a question id, the
composed form's field ids), so they cannot be declared as a pydantic model; the route reads them
here and checks every one itself (through the composer, or ``forms.validation``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import FormData


async def form_data(request: Request) -> FormData:
    return await request.form()


FormDataDep = Annotated[FormData, Depends(form_data)]


def text(form: FormData, name: str, limit: int = 1000) -> str:
    """One posted text value (a file upload or a missing field is empty), cut to ``limit``."""
    value = form.get(name)
    return value[:limit] if isinstance(value, str) else ""
