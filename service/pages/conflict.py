"""The conflict page: this session's save was refused because the draft was saved elsewhere meanwhile.

Nothing was written. The page lists the one form field by field — what this session typed and
what was saved — marking the fields that differ, and offers both ways on: keep mine (posts my
values again, now against the saved version, so it replaces it knowingly) or keep the saved one
(carries the draft back into this journey, as "continue" on the draft page does).
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response

from forms.validation import form_fields
from service.compose import beijing_minute
from service.models import Draft
from service.pages.formdata import display_values
from service.pages.journey import ComposedJourney
from service.pages.templating import render


def updated_at(draft: Draft) -> str:
    """When the draft was last saved, in Beijing time."""
    return beijing_minute(draft.updated_at)


def render_conflict(
    request: Request, ready: ComposedJourney, saved: Draft, mine: dict[str, Any], posted: dict[str, str], lang: str
) -> Response:
    """The 409 page: both versions of every field either one has filled, and the two choices."""
    form = ready.composition.form
    shown_mine, shown_saved = display_values(form, mine), display_values(form, saved.form_values)
    rows = [
        {
            "label": f.label,
            "mine": shown_mine.get(f.id, ""),
            "saved": shown_saved.get(f.id, ""),
            "differs": shown_mine.get(f.id, "") != shown_saved.get(f.id, ""),
        }
        for f in form_fields(form)
        if shown_mine.get(f.id) or shown_saved.get(f.id)
    ]
    journey = ready.journey
    context = {
        "rows": rows,
        "differing": sum(1 for row in rows if row["differs"]),
        "choices_differ": (saved.industries, saved.scope, saved.answers, saved.commit)
        != (journey.industries, journey.scope, dict(journey.answers), journey.commit),
        "draft": saved,
        "saved_at": updated_at(saved),
        "keep_mine": {**posted, "draft_version": str(saved.version)},
    }
    return render(request, "draft_conflict.html", context, status_code=409)
