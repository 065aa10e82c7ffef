"""ASGI middleware: request ids, unexpected errors answered in the error shape, security headers, a body size cap."""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import re
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Mapping

from secure import ContentSecurityPolicy, ReferrerPolicy, Secure, StrictTransportSecurity, XContentTypeOptions, XFrameOptions
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("yiye.errors")

_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")


def sane_request_id(value: str) -> bool:
    """A client's X-Request-ID is taken if it is a plain token (a UUID, a proxy's hex id), else one is made."""
    return _SANE_REQUEST_ID.fullmatch(value) is not None


class UnexpectedErrors:
    """Answer any exception a request raises with ``answer(request, exc)``, and log it with the request id.

    Starlette's ServerErrorMiddleware would answer a plain-text 500 and re-raise, and uvicorn then
    closes the connection, so the client's next request on it (keep-alive) is reset. Here the
    exception ends with the answer. Only when the response had already begun is it passed on.
    """

    def __init__(self, app: ASGIApp, answer: Callable[[Request, Exception], Awaitable[Response]]) -> None:
        self.app = app
        self.answer = answer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            log.error("unexpected error", exc_info=exc, extra={"method": scope["method"], "path": scope["path"]})
            if started:
                raise
            response = await self.answer(Request(scope), exc)
            await response(scope, receive, send)


class ResponseHeaders(ABC):
    """An HTTP middleware that edits each response's headers as it starts, whatever answered; other traffic passes."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    @abstractmethod
    def edit(self, scope: Scope, headers: MutableHeaders) -> None:
        """Change ``headers`` of the response to ``scope`` in place."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def editing(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = list(message.get("headers", ()))
                self.edit(scope, MutableHeaders(scope=message))
            await send(message)

        await self.app(scope, receive, editing)


class SecurityHeaders(ResponseHeaders):
    """Give every response the headers it does not set itself (pages send a CSP of their own).

    secure's own ASGI middleware replaces headers a response already has, and in doing so drops
    others (its saved positions go stale after the first removal: a page lost its Set-Cookie).
    """

    def __init__(self, app: ASGIApp, headers: Mapping[str, str]) -> None:
        super().__init__(app)
        self.headers = dict(headers)

    def edit(self, scope: Scope, headers: MutableHeaders) -> None:
        for name, value in self.headers.items():
            if name not in headers:
                headers.append(name, value)


def csp_hash(source: bytes) -> str:
    """The Content-Security-Policy source that admits one inline script or stylesheet by its SHA-256."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(source).digest()).decode() + "'"


def security_headers(
    *, production: bool, script_hashes: tuple[str, ...] = (), style_hashes: tuple[str, ...] = ()
) -> Mapping[str, str]:
    """The headers every response carries; ``script_hashes`` and ``style_hashes`` (``csp_hash``) admit the inline
    scripts and stylesheets of our own pages (the API docs, a 样表)."""
    policy = (
        ContentSecurityPolicy()
        .default_src("'self'")
        .script_src("'self'", *script_hashes)
        .style_src("'self'", *style_hashes)
        .img_src("'self'", "data:")
        .connect_src("'self'")
        .base_uri("'none'")  # no page sets a <base>: none may redirect its relative links
        .form_action("'self'")
        .frame_ancestors("'none'")
    )
    secure = Secure(
        csp=policy,
        xcto=XContentTypeOptions().nosniff(),
        xfo=XFrameOptions().deny(),  # frame-ancestors above, for browsers that predate it
        referrer=ReferrerPolicy().same_origin(),  # draft ids in our paths are nobody else's business
        # Only behind HTTPS, which production requires (YIYE_COOKIE_SECURE); on a laptop it would pin http://localhost.
        hsts=StrictTransportSecurity().max_age(2 * 365 * 24 * 3600).include_subdomains() if production else None,
    )
    return secure.headers


class BodyTooLarge(HTTPException):
    """Raised while reading a body past the limit; an HTTPException so FastAPI passes it through."""

    def __init__(self) -> None:
        super().__init__(413, "request body too large")


class BodySizeLimit:
    """Refuse bodies over ``max_bytes`` with 413: by Content-Length up front, else while streaming."""

    def __init__(self, app: ASGIApp, max_bytes: int, upload_bytes: int = 0, upload_paths: str = "") -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.upload_bytes = upload_bytes
        """the larger cap on the paths (a regular expression) whose forms carry files"""
        self.upload_paths = re.compile(upload_paths) if upload_paths else None

    def _limit(self, scope: Scope) -> int:
        if self.upload_paths is not None and self.upload_paths.fullmatch(scope.get("path", "")):
            return max(self.max_bytes, self.upload_bytes)
        return self.max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self._limit(scope)
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = -1
                if declared > limit or declared < 0:
                    await self._refuse(send, limit)
                    return

        received = 0
        response_started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if not response_started:
                await self._refuse(send, limit)

    async def _refuse(self, send: Send, limit: int) -> None:
        payload = json.dumps(
            {"errors": [{"code": "too_large", "message": f"请求体超过 {limit} 字节上限", "where": "body", "subject": ""}]},
            ensure_ascii=False,
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(payload)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": payload})
