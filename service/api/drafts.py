"""The signed-in applicant's own drafts as JSON: read with an ``ETag``, written with ``If-Match``.

Authenticated by the pages' session cookie (an applicant, not an integrator's key); someone else's
draft is a 404 exactly like a missing one. The ETag is the draft's version, the same one the one
form's page carries, so a write from here and a save on a page cannot erase each other: ``PUT``
needs ``If-Match`` with the ETag last read — 428 without it, 412 when the draft has been saved
since (the current ETag comes back, to read again). Nothing is written on any error.

``PUT`` replaces the draft's content and checks it as the one form's page does: the businesses,
answers and commitments through the composer, each form value by ``forms.validation``; blank
required fields are allowed, a draft is work in progress. A cross-site page cannot write: no HTML
form sends ``PUT`` or ``If-Match``, and the browser's preflight for them finds no CORS allowed.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Response
from pydantic import BaseModel, ConfigDict, Field

from composer.model import ComposeRequest, Form
from forms.validation import form_fields, validate
from rules.conditions import Value
from rules.errors import Problem
from service import crud
from service.api.strict_json import StrictJSONRoute
from service.deps import ComposeServiceDep, OptionalUser, SessionDep, own_draft
from service.errors import VALIDATION, ApiError, error_response
from service.models import Draft, DraftUpdate, User

router = APIRouter(prefix="/drafts", tags=["drafts"], route_class=StrictJSONRoute)

FieldValue = str | int | float | bool | None


class DraftContent(BaseModel):
    """What ``PUT`` replaces: the choices composed from and the one form's values."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "industries": ["convenience_store"],
                    "scope": [],
                    "answers": {"area_m2": 80, "sells_tobacco": True},
                    "commit": [],
                    "form_values": {"applicant_name": "北京东城好邻居便利店有限公司"},
                }
            ]
        },
    )

    industries: list[str] = Field(default=[], max_length=20, description="industry ids (行业)")
    scope: list[str] = Field(default=[], max_length=50, description="business-scope item ids (经营范围)")
    answers: dict[str, Value | None] = Field(default={}, max_length=200, description="question id → answer")
    commit: list[str] = Field(default=[], max_length=50, description="permits taken on notify-and-commit")
    form_values: dict[str, FieldValue] = Field(default={}, max_length=200, description="the one form: field id → value")


class DraftOut(BaseModel):
    """A draft and its version (also its ``ETag``)."""

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": "0b6f3f5e-6c1a-4a55-9d0c-3f0b1b7a2c11",
                    "version": 3,
                    "pack_id": "beijing-dongcheng",
                    "industries": ["convenience_store"],
                    "scope": [],
                    "answers": {"area_m2": 80, "sells_tobacco": True},
                    "commit": [],
                    "form_values": {"applicant_name": "北京东城好邻居便利店有限公司"},
                    "composition_id": "5d1c2a9e-1f7b-4e0a-8f43-2b9e6c7d8a90",
                    "status": "draft",
                    "created_at": "2026-12-01T08:00:00Z",
                    "updated_at": "2026-12-05T03:51:00Z",
                }
            ]
        },
    )

    id: uuid.UUID
    version: int
    pack_id: str
    industries: list[str]
    scope: list[str]
    answers: dict[str, Any]
    commit: list[str]
    form_values: dict[str, Any]
    composition_id: uuid.UUID | None = Field(description="the stored composition the draft was last composed from")
    status: str = Field(description="draft: not yet submitted")
    created_at: datetime
    updated_at: datetime


def _example(code: str, message: str, where: str, subject: str = "") -> dict[str, Any]:
    return {"errors": [{"code": code, "message": message, "where": where, "subject": subject}]}


SIGN_IN_REQUIRED = error_response(
    "Not signed in: the drafts API reads the applicant's session cookie",
    ("sign_in_required", _example("sign_in_required", "需要登录后才能读写草稿", "cookie")),
)
NOT_FOUND = error_response(
    "No draft of yours with this id (someone else's draft looks exactly like a missing one)",
    ("unknown_draft", _example("unknown_draft", "没有找到这份草稿", "path.draft_id")),
)
ETAG = {"ETag": {"description": "the draft's version; send it back as If-Match", "schema": {"type": "string"}}}
STALE = {
    **error_response(
        "The draft has been saved since the version in If-Match; nothing was written",
        ("draft_changed", _example("draft_changed", "草稿已被修改：请重新读取后再写入", "header.If-Match", '"3"')),
    ),
    "headers": ETAG,
}
PRECONDITION_REQUIRED = error_response(
    "If-Match is missing: send the ETag of the version this write is based on",
    ("if_match_required", _example("if_match_required", "缺少 If-Match：请带上读取草稿时得到的 ETag", "header.If-Match")),
)


def signed_in(user: OptionalUser) -> User:
    if user is None:
        raise ApiError(401, [Problem("sign_in_required", "需要登录后才能读写草稿", "cookie", "")])
    return user


SignedIn = Annotated[User, Depends(signed_in)]


def get_own_draft(draft_id: uuid.UUID, session: SessionDep, user: SignedIn) -> Draft:
    return own_draft(session, user, draft_id)


OwnDraft = Annotated[Draft, Depends(get_own_draft)]


def etag(draft: Draft) -> str:
    return f'"{draft.version}"'


def _out(draft: Draft, response: Response) -> DraftOut:
    response.headers["ETag"] = etag(draft)
    response.headers["Cache-Control"] = "no-store"
    return DraftOut.model_validate(draft)


@router.get("/{draft_id}", responses={200: {"headers": ETAG}, 401: SIGN_IN_REQUIRED, 404: NOT_FOUND, 422: VALIDATION})
def read_draft(draft: OwnDraft, response: Response) -> DraftOut:
    """One of my drafts, with its version as the ETag."""
    return _out(draft, response)


@router.put(
    "/{draft_id}",
    responses={
        200: {"headers": ETAG},
        401: SIGN_IN_REQUIRED,
        404: NOT_FOUND,
        412: STALE,
        422: VALIDATION,
        428: PRECONDITION_REQUIRED,
    },
)
def write_draft(
    draft: OwnDraft,
    content: DraftContent,
    session: SessionDep,
    service: ComposeServiceDep,
    response: Response,
    if_match: Annotated[str | None, Header(description="the ETag this write is based on, or *")] = None,
) -> DraftOut:
    """Replace my draft's content, if it is still the version named in ``If-Match``."""
    if not if_match:
        raise ApiError(428, [Problem("if_match_required", "缺少 If-Match：请带上读取草稿时得到的 ETag", "header.If-Match", "")])
    tags = [tag.strip() for tag in if_match.split(",")]
    if "*" not in tags and etag(draft) not in tags:
        raise _stale(draft, if_match)
    choices = content.model_dump(exclude={"form_values"})
    composed = service.compose(ComposeRequest(pack=draft.pack_id, **choices), source="api")
    values = _checked_values(composed.composition.form, content.form_values)
    update = DraftUpdate(**choices, form_values=values)
    try:
        saved = crud.update_draft(
            session=session, draft=draft, draft_update=update, composed=composed, read_version=draft.version
        )
    except crud.DraftConflict:
        current = session.get(Draft, draft.id, populate_existing=True)
        raise _stale(current or draft, if_match) from None
    return _out(saved, response)


def _stale(draft: Draft, sent: str) -> ApiError:
    message = "草稿已被修改：请重新读取后再写入"
    return ApiError(412, [Problem("draft_changed", message, "header.If-Match", sent[:100])], headers={"ETag": etag(draft)})


def _checked_values(form: Form, sent: dict[str, FieldValue]) -> dict[str, Any]:
    """The form values, clean; every unknown field and every value given but wrong is a 422 problem."""
    known = {f.id for f in form_fields(form)}
    problems = [
        Problem("unknown_field", f"申请表中没有“{key[:64]}”这一项", f"form_values.{key[:64]}", key[:64])
        for key in sent
        if key not in known
    ]
    clean, errors = validate(form, sent, "zh")
    given = {key for key, value in sent.items() if value is not None and value != ""}
    problems += [Problem("bad_value", message, f"form_values.{fid}", fid) for fid, message in errors.items() if fid in given]
    if problems:
        raise ApiError(422, problems)
    return clean
