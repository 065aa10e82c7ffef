"""Compose and the questionnaire, for other systems."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request
from fastapi.responses import Response
from sqlalchemy import Engine
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from composer.model import ComposeRequest, Composition
from service import crud
from service.api.repeats import ComposedResponse, RepeatsRoute
from service.api.schemas import COMPOSE_EXAMPLE, PackAsOf, QuestionsResponse
from service.api.strict_json import StrictJSONRoute
from service.compose import Composed
from service.deps import ComposeServiceDep
from service.errors import TOO_LARGE, error_response

router = APIRouter(tags=["compose"], route_class=StrictJSONRoute)

_BAD_INPUT = error_response(
    "The request is well-formed but cannot be composed as asked; every problem is listed. "
    "Codes: unknown_pack, unknown_industry, unknown_scope, unknown_question, bad_answer, out_of_range, "
    "contradiction, not_eligible_for_commitment — or a schema code (missing, extra_forbidden, …)",
    (
        "unknown industry",
        {
            "errors": [
                {
                    "code": "unknown_industry",
                    "message": "没有编号为“noodle_bar”的行业",
                    "where": "industries[0]",
                    "subject": "noodle_bar",
                }
            ]
        },
    ),
    (
        "out of range",
        {
            "errors": [
                {
                    "code": "out_of_range",
                    "message": "“经营场所使用面积是多少平方米？”不能小于 1㎡，收到 -5",
                    "where": "answers.area_m2",
                    "subject": "area_m2",
                }
            ]
        },
    ),
    (
        "unknown pack",
        {"errors": [{"code": "unknown_pack", "message": "没有名为 'nowhere' 的规则包", "where": "pack", "subject": "nowhere"}]},
    ),
    (
        "schema",
        {
            "errors": [
                {
                    "code": "extra_forbidden",
                    "message": "不认识的字段",
                    "where": "colour",
                    "subject": "red",
                }
            ]
        },
    ),
)
_RESPONSES: dict[int | str, dict[str, Any]] = {413: TOO_LARGE, 422: _BAD_INPUT}

_BODY_EXAMPLES: dict[str, Any] = {"convenience store": {"summary": "便利店，卖烟", "value": COMPOSE_EXAMPLE}}
ComposeBody = Annotated[ComposeRequest, Body(openapi_examples=_BODY_EXAMPLES)]
_STORE = "store the input, pack version and output hash; the id comes back in X-Composition-Id"


async def compose(
    request: ComposeBody,
    service: ComposeServiceDep,
    http: Request,
    store: Annotated[bool, Query(description=_STORE)] = False,
) -> Response:
    """Compose one notice, one form and one materials list for a situation."""
    # Composed right here on the event loop, not in a worker thread: composing is pure CPU and holds
    # the GIL throughout (durable-rules never releases it), so no other request would run meanwhile
    # anyway, and handing each compose to a thread and back only added CPU time to every request.
    # A cached composition costs a dictionary lookup. Storing writes to the database: thread pool.
    composed = service.compose(request, source="api")
    response = ComposedResponse(composed.output, cached=composed.cached, composed=composed)
    if store:
        stored = await run_in_threadpool(_store, http.app.state.engine, composed)
        response.headers["X-Composition-Id"] = str(stored)
    return response


router.add_api_route(
    "/compose",
    compose,
    methods=["POST"],
    response_model=Composition,
    responses={
        200: {
            "description": "The composition. Headers: X-Pack-Version, X-Output-SHA256 (sha256 of this body), "
            "X-Composition-Id when stored.",
        },
        **_RESPONSES,
    },
    route_class_override=RepeatsRoute,  # an exact repeat is answered before its body is read
)


def _store(engine: Engine, composed: Composed) -> uuid.UUID:
    with Session(engine, expire_on_commit=False) as session:
        return crud.store_composition(session=session, composed=composed).id


@router.post("/questions", response_model=QuestionsResponse, responses=_RESPONSES)
async def questions(request: ComposeBody, service: ComposeServiceDep, response: Response) -> QuestionsResponse:
    """List the questions still open for a situation, most decisive first."""
    composed = service.compose(request, source="api.questions")  # on the event loop, as compose() explains
    composition = composed.composition
    response.headers["X-Pack-Version"] = composed.output.pack_version
    return QuestionsResponse(
        pack=PackAsOf(id=composed.output.pack_id, version=composed.output.pack_version, as_of=composed.output.as_of),
        permits=[p.id for p in composition.permits],
        questions=composition.questions,
        complete=composition.complete,
    )
