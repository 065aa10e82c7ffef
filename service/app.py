"""The app factory: ``create_app(settings) -> FastAPI``; run with ``yiye serve``.

Per worker process the lifespan opens the database engine and compiles every rule pack once
into the registry; requests only read them. Routers: the JSON API under /api/v1 and the
applicant pages at the root (``service/pages``; add page routers in ``service/pages/__init__``).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from rules.errors import InputError
from service import errors, logs, openapi
from service.api import api_router
from service.compose import ComposeService
from service.db import make_engine
from service.deps import SignInRequired
from service.i18n import negotiate, translations
from service.middleware import BodySizeLimit
from service.pages import pages_router
from service.pages.templating import STATIC_DIR, render
from service.ratelimit import RateLimiter
from service.registry import PackRegistry
from service.settings import Settings

log = logging.getLogger("yiye.app")

DESCRIPTION = """\
一业一证 (one industry, one license): compose the tailored notice (告知单), the one merged form and the
deduplicated materials list for a business, and browse the rule packs behind them.

* Every answer names the pack **version** it was composed with (body and `X-Pack-Version` header);
  the same request and version always give the same bytes (`X-Output-SHA256`).
* Errors always have the shape `{"errors": [{"code", "message", "where", "subject"}]}`.
* Requests are rate limited per client: by `X-API-Key` for known integrators, else by IP (429 with `Retry-After`).
"""


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    app.state.engine = make_engine(settings.database_url, echo=settings.database_echo)
    registry = PackRegistry(settings.packs_dir)
    registry.load_all()
    app.state.registry = registry
    app.state.compose = ComposeService(registry, settings.compose_cache_mb * 2**20, settings.default_pack)
    if settings.default_pack not in registry:
        log.warning("default pack not loaded", extra={"pack_id": settings.default_pack, "packs_dir": str(settings.packs_dir)})
    log.info("service started", extra={"packs": registry.versions(), "env": settings.env.value})
    yield
    app.state.engine.dispose()


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    logs.configure(settings.log_level, json_lines=settings.log_json)
    app = FastAPI(
        title="yiye 一业一证",
        version="1",
        description=DESCRIPTION,
        lifespan=lifespan,
        openapi_tags=[
            {"name": "compose", "description": "Compose a situation into one notice, one form, one materials list"},
            {"name": "catalogue", "description": "Read-only rule packs: industries, business scope, permits, materials"},
            {"name": "pages", "description": "Applicant web pages (HTML)"},
        ],
    )
    app.state.settings = settings
    app.state.rate_limiter = RateLimiter(
        settings.rate_limit_storage, enabled=settings.rate_limit_enabled, api_keys=frozenset(settings.api_keys)
    )

    # Middleware: the last added runs first. The size cap sees the request before anything reads it.
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key,
        session_cookie=settings.session_cookie,
        max_age=settings.session_max_age,
        same_site=settings.cookie_samesite,
        https_only=settings.cookie_secure,
    )
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)

    for exc_class, handler in errors.HANDLERS.items():
        app.add_exception_handler(exc_class, _negotiated(handler))
    app.add_exception_handler(SignInRequired, _to_sign_in)

    app.include_router(api_router)
    if settings.bench_routes:
        from service import bench_routes

        app.include_router(bench_routes.make_router(settings.bench_bare_body))
    app.include_router(pages_router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    openapi.install(app)
    return app


# --- errors on pages are pages ---------------------------------------------------------------


def _wants_html(request: Request) -> bool:
    """Errors on page paths are pages; the API, the docs and static files answer in JSON."""
    return not request.url.path.startswith(("/api/", "/docs", "/openapi", "/redoc", "/static/"))


_TITLES = {
    400: "请求有误",
    403: "无法提交",
    404: "页面不存在",
    405: "请求方法不对",
    413: "提交的内容太大",
    422: "请求有误",
    429: "请求过于频繁",
}


def _negotiated(handler: Any) -> Any:
    """Wrap a JSON error handler: on page paths, render the same error as a page."""

    async def handle(request: Request, exc: Exception) -> Response:
        response: Response = await handler(request, exc)
        if not _wants_html(request):
            return response
        _ = translations(negotiate(request, request.app.state.settings.lang_cookie)).gettext
        if isinstance(exc, InputError | RequestValidationError):
            messages = [_("提交的内容有误，请返回上一页检查后重新提交。")]
        else:
            problems = [] if isinstance(exc, StarletteHTTPException) else getattr(exc, "problems", [])
            messages = [_(p.message) for p in problems] or [_("请检查地址是否正确。")]
        status = response.status_code
        context = {"title": _(_TITLES.get(status, "出现问题")), "messages": messages}
        page = render(request, "error.html", context, status_code=status)
        for name, value in response.headers.items():
            if name.lower() not in ("content-type", "content-length"):
                page.headers[name] = value
        return page

    return handle


async def _to_sign_in(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SignInRequired)
    return RedirectResponse(f"/sign-in?next={quote(exc.next_url)}", status_code=303)
