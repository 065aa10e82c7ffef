"""The verify result as JSON for other systems and other districts (互认通用), with an API key.

A key is one of ``YIYE_API_KEYS`` or a department system's key (``yiye users key``). A token that
proves nothing is a structured 400 naming why; the route is rate-limited per client on top of the API's limit.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Request
from fastapi.responses import Response
from sqlalchemy import Engine
from sqlmodel import Session

from rules.errors import Problem
from service import crud
from service.certs.verify import Asked, Scanner, Shown, Unverifiable, VerifyOut
from service.compose import today
from service.errors import VALIDATION, ApiError, one_error
from service.models import utcnow
from service.ratelimit import VERIFY_LIMIT

router = APIRouter(prefix="/certificates", tags=["certificates"])


UNAUTHORIZED = one_error("No key, or an unknown one", "unauthorized", "需要 X-API-Key", "header.X-API-Key")
UNVERIFIABLE = one_error(
    "The token proves nothing (malformed, unknown or retired key, bad signature, unknown certificate)",
    "token_bad_signature",
    "凭证码的签名不符，可能被篡改",
    "path.token",
)


def require_key(request: Request, x_api_key: str | None) -> None:
    """An integrator's key: one of the configured API keys or a department system's (looked up in the database)."""
    if not x_api_key:
        raise ApiError(401, [Problem("unauthorized", "需要 X-API-Key", "header.X-API-Key")])
    if x_api_key not in request.app.state.settings.api_keys and not _integrator_key(request.app.state.engine, x_api_key):
        raise ApiError(401, [Problem("unauthorized", "X-API-Key 无效", "header.X-API-Key")])


def _integrator_key(engine: Engine, key: str) -> bool:
    with Session(engine) as session:
        return crud.integrator_by_key(session=session, key=key) is not None


@router.get(
    "/verify/{token}",
    response_model=VerifyOut,
    responses={400: UNVERIFIABLE, 401: UNAUTHORIZED, 422: VALIDATION},
)
async def verify_token(request: Request, token: str, x_api_key: Annotated[str | None, Header()] = None) -> Response:
    """核验凭证码: authenticity, the certificate's state and every sub-permit's live state, as the face shows them."""
    scanner: Scanner = request.app.state.scanner

    def admit() -> None:
        # the key and the limit checked on the scan's thread, rather than as dependencies: solving two more
        # dependencies cost a scan more CPU than the checks themselves (as the page's limit, service/certs/pages.py)
        require_key(request, x_api_key)
        VERIFY_LIMIT.check(request)

    return await scanner.answer(Asked(token, today(), admit, lambda scanned: _verified(token, scanned)))


def _verified(token: str, scanned: Shown | Unverifiable) -> Response:
    if isinstance(scanned, Unverifiable):
        raise ApiError(400, [Problem(scanned.code, scanned.message, "path.token", token[:64])])
    return Response(scanned.json(utcnow()), media_type="application/json")
