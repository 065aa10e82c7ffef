"""Step 5: the one form (一表申请), validated on the server and saved as the applicant's draft.

The composed fields are shown in their sections, then each permit that is not merged as its own
sheet (a field it shares with the sections is asked once, above). ``forms.validation`` checks the
post: any value that is wrong (a bad unified social credit code, ID number, phone, area, date…)
shows the page again with a Chinese error summary and every value kept, and nothing is saved.
Required fields left blank do not stop a *draft* from being saved — it is work in progress; the
draft page lists what is still missing.

Saving needs an applicant: someone not signed in is sent to sign in (or sign up) and comes back
to the form, the values kept in the session meanwhile when they fit. A draft stores the
composition it was built on (``crud.create_draft(composed=...)``); ``POST /drafts/{id}/resume``
carries a saved draft back into the journey.

No lost updates: the form carries the version of the draft it was read at, and a save based on
an older version (another window or device saved in between) writes nothing and shows both
versions to choose from (``service/pages/conflict.py``).
"""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session
from starlette.datastructures import FormData

from composer.model import ComposeRequest, FieldOut, Form
from forms.validation import form_fields, validate
from rules.errors import InputError
from service import crud
from service.compose import Composed, ComposeService
from service.deps import LangDep, OptionalUser, OwnDraft, SessionDep
from service.i18n import translations
from service.models import Draft, DraftCreate, DraftUpdate, StoredComposition, User
from service.pages import responses as pages
from service.pages.conflict import render_conflict
from service.pages.formdata import FormDataDep, display_values, text
from service.pages.journey import CompleteJourney, Journey
from service.pages.templating import render

router = APIRouter(tags=["pages"])

MAX_VALUE = 2000
VERSION_FIELD = "draft_version"
NOT_FIELDS = frozenset({"csrf_token", VERSION_FIELD})
"""Posted names that are not the form's own fields."""


def _given(f: FieldOut, posted: dict[str, str]) -> bool:
    if posted.get(f.id, "").strip():
        return True
    return f.type == "date" and any(posted.get(f"{f.id}-{part}", "").strip() for part in ("year", "month", "day"))


def missing_required(form: Form, values: dict[str, Any]) -> list[FieldOut]:
    """Required fields a saved draft still lacks (a prefill counts as filled)."""
    return [f for f in form_fields(form) if f.required and values.get(f.id) in (None, "") and f.prefill is None]


def _sheet_fields(form: Form) -> list[dict[str, Any]]:
    """Each sheet with the fields it asks itself and the ones already asked in the sections."""
    in_sections = {f.id for s in form.sections for f in s.fields}
    return [
        {
            "sheet": sheet,
            "own": [f for f in sheet.fields if f.id not in in_sections],
            "shared": [f for f in sheet.fields if f.id in in_sections],
        }
        for sheet in form.sheets
    ]


def _render_form(
    request: Request,
    journey: Journey,
    composed: Composed,
    user: User | None,
    lang: str,
    values: dict[str, str],
    *,
    field_errors: dict[str, str] | None = None,
    extra_errors: list[dict[str, str]] | None = None,
    status_code: int = 200,
    draft_version: int | None = None,
) -> Response:
    composition = composed.composition
    field_errors = field_errors or {}
    errors = [{"field": fid, "message": message} for fid, message in field_errors.items()]
    errors += extra_errors or []
    context = {
        "c": composition,
        "form": composition.form,
        "sheets": _sheet_fields(composition.form),
        "permit_names": {p.id: p.name for p in composition.permits},
        "values": values,
        "field_errors": field_errors,
        "errors": errors,
        "stashed": bool(journey.stash) and user is not None,
        "draft_id": journey.draft,
        "draft_version": draft_version,
        "sign_in_url": f"/sign-in?next={quote('/form')}",
        "sign_up_url": f"/sign-up?next={quote('/form')}",
    }
    return render(request, "apply_form.html", context, status_code=status_code)


def _own_draft(session: Session, user: User | None, draft_id: str | None) -> Draft | None:
    if user is None or not draft_id:
        return None
    return crud.get_draft(session=session, owner=user, draft_id=uuid.UUID(draft_id))


@router.get("/form", response_class=Response, responses={200: pages.PAGE, 303: pages.TO_START})
def form_page(request: Request, user: OptionalUser, session: SessionDep, lang: LangDep, ready: CompleteJourney) -> Response:
    """The one form, filled with what the applicant saved or typed before signing in."""
    journey, composed = ready.journey, ready.composed
    draft = _own_draft(session, user, journey.draft)
    saved: dict[str, Any] = journey.stash if journey.stash is not None else (draft.form_values if draft else {})
    values = display_values(composed.composition.form, saved)
    return _render_form(request, journey, composed, user, lang, values, draft_version=draft.version if draft else 0)


@router.post(
    "/form", **pages.form_post("Saved: on to the draft (or to sign in first)", {400: pages.FORM_ERRORS, 409: pages.CONFLICT})
)
def save_form(
    request: Request,
    user: OptionalUser,
    session: SessionDep,
    lang: LangDep,
    ready: CompleteJourney,
    form: FormDataDep,
) -> Response:
    """Validate the one form; save it as the applicant's draft (signing in first if need be).

    The form carries the version of the draft it was read at (``draft_version``, 0 before there
    was a draft); if the draft has been saved since, nothing is written and the conflict page
    shows both versions.
    """
    _ = translations(lang).gettext
    journey, composed = ready.journey, ready.composed
    composition = composed.composition
    posted = {k: v[:MAX_VALUE] for k, v in form.multi_items() if isinstance(v, str) and k not in NOT_FIELDS}
    clean, errors = validate(composition.form, posted, lang)
    blocking = {f.id: errors[f.id] for f in form_fields(composition.form) if f.id in errors and _given(f, posted)}
    if blocking:
        return _render_form(
            request,
            journey,
            composed,
            user,
            lang,
            posted,
            field_errors=blocking,
            status_code=400,
            draft_version=_read_version(form, journey),
        )

    if user is None:
        journey.keep_stash(clean)
        journey.save(request)
        return RedirectResponse(f"/sign-in?next={quote('/form')}", status_code=303)

    content: dict[str, Any] = {
        "industries": journey.industries,
        "scope": journey.scope,
        "answers": dict(journey.answers),
        "commit": journey.commit,
        "form_values": clean,
    }
    draft = _own_draft(session, user, journey.draft)
    if draft is not None:
        try:
            draft = crud.update_draft(
                session=session,
                draft=draft,
                draft_update=DraftUpdate(**content),
                composed=composed,
                read_version=_read_version(form, journey),
            )
        except crud.DraftConflict:
            saved = _own_draft(session, user, journey.draft)
            if saved is not None:
                return render_conflict(request, ready, saved, clean, posted, lang)
            draft = None  # deleted meanwhile: this save makes it again
    if draft is None:
        create = DraftCreate(pack_id=composition.pack.id, **content)
        draft = crud.create_draft(session=session, owner=user, draft_create=create, composed=composed)
    journey.draft, journey.draft_version = str(draft.id), draft.version
    journey.stash = None
    journey.save(request)
    return RedirectResponse(f"/drafts/{draft.id}?saved=1", status_code=303)


def _read_version(form: FormData, journey: Journey) -> int | None:
    """The draft version the posted form was read at; else the one this session last read or saved."""
    posted = text(form, VERSION_FIELD, 12)
    return int(posted) if posted.isdecimal() else journey.draft_version


@router.post(
    "/drafts/{draft_id}/resume",
    **pages.form_post("The draft is the journey again: on to its form", {404: pages.NOT_FOUND, 422: pages.INVALID}),
)
def resume_draft(request: Request, draft: OwnDraft) -> Response:
    """Carry one of my drafts back into the journey and continue its form."""
    answers = {k: v for k, v in draft.answers.items() if isinstance(v, bool | int | float | str)}
    journey = Journey(
        pack=draft.pack_id,
        industries=list(draft.industries),
        scope=list(draft.scope),
        answers=answers,
        commit=list(draft.commit),
        history=list(answers),
        draft=str(draft.id),
        draft_version=draft.version,
    )
    journey.save(request)
    return RedirectResponse("/form", status_code=303)


# --- a saved draft, composed again ------------------------------------------------------------


def draft_request(session: Session, draft: Draft, lang: str) -> ComposeRequest:
    """The exact request the draft was last composed from (its stored input, as-of date included)."""
    stored = session.get(StoredComposition, draft.composition_id) if draft.composition_id else None
    if stored is not None:
        try:
            return ComposeRequest.model_validate({**stored.input, "locale": "en" if lang == "en" else "zh"})
        except ValueError:
            pass
    journey = Journey(
        pack=draft.pack_id,
        industries=list(draft.industries),
        scope=list(draft.scope),
        answers={k: v for k, v in draft.answers.items() if isinstance(v, bool | int | float | str)},
        commit=list(draft.commit),
    )
    return journey.request(lang)


def compose_draft(service: ComposeService, session: Session, draft: Draft, lang: str) -> Composed | None:
    try:
        return service.compose(draft_request(session, draft, lang), source="pages")
    except InputError:
        return None
