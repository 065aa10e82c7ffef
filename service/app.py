"""The app factory: ``create_app(settings) -> FastAPI``; run with ``yiye serve``.

Per worker process the lifespan opens the database engine and compiles every rule pack once
into the registry; requests only read them. Routers: the JSON API under /api/v1 and the
applicant pages at the root (``service/pages``; add page routers in ``service/pages/__init__``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import version
from typing import Any
from urllib.parse import quote

from asgi_correlation_id import CorrelationIdMiddleware, correlation_id
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from fastapi.utils import generate_unique_id
from starlette.exceptions import HTTPException as StarletteHTTPException

from composer import workdays
from rules.errors import InputError
from service import errors, health, logs, openapi
from service.api import api_router
from service.certs import documents
from service.certs import pages as certificate_pages
from service.certs.verify import Scanner, scans_engine
from service.compose import ComposeService, today
from service.db import make_engine
from service.deps import Redirect, SignInRequired
from service.i18n import negotiate, translations
from service.middleware import BodySizeLimit, SecurityHeaders, UnexpectedErrors, sane_request_id, security_headers
from service.pages import pages_router
from service.pages.templating import STATIC_DIR, render
from service.pages.window import UPLOAD_PATHS
from service.policy import repo
from service.policy.live import ReleaseWatch
from service.ratelimit import RateLimiter, RateLimitHeaders
from service.registry import PackRegistry
from service.sessions import ServerSessionMiddleware
from service.settings import Environment, Settings

log = logging.getLogger("yiye.app")

DESCRIPTION = """\
yiye 一业一证 (one industry, one license): compose the tailored notice (告知单), the one merged form and the
deduplicated materials list for a business, and browse the rule packs behind them.

* Every answer names the pack **version** it was composed with (body and `X-Pack-Version` header);
  the same request and version always give the same bytes (`X-Output-SHA256`).
* Errors always have the shape `{"errors": [{"code", "message", "where", "subject"}]}`, messages in Chinese,
  `where` spelled like `answers.area_m2` or `industries[0]`.
* Every response carries `X-Request-ID`: yours if you send a plain token (letters, digits, `._:-`), else
  one of ours. An unexpected error is a 500 in the same shape, naming it; quote it when you report one.
* Requests are rate limited per client: by `X-API-Key` for known integrators, else by IP (429 with `Retry-After`).
"""


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    app.state.engine = make_engine(settings.database_url, echo=settings.database_echo)
    app.state.scanner = Scanner(scans_engine(settings.database_url), settings.verify_cache_mb * 2**20, settings.verify_threads)
    app.state.releases = ReleaseWatch(settings.release_check_seconds)
    app.state.releases.start(app.state.engine)
    if settings.packs_repo is not None:
        repo.seed(settings.packs_dir, settings.packs_repo)
    registry = PackRegistry(settings.packs_root, settings.pack_cache)
    registry.load_all()
    app.state.registry = registry
    app.state.compose = ComposeService(registry, settings.compose_cache_mb * 2**20, settings.default_pack)
    if settings.default_pack not in registry:
        log.warning("default pack not loaded", extra={"pack_id": settings.default_pack, "packs_dir": str(settings.packs_root)})
    if (year := workdays.unannounced_ahead(today())) is not None:
        # time limits reaching into that year skip its statutory holidays only: upgrade chinesecalendar once it holds the year
        workdays.statutory_holidays(year)  # the lunar tables load now, not on an applicant's first request
        log.warning("holiday arrangement not held", extra={"year": year, "chinesecalendar": version("chinesecalendar")})
    # the first certificate PDF would load WeasyPrint and the print faces; a thread does it now, not the applicant
    threading.Thread(target=documents.warm, name="warm-certificate-pdf", daemon=True).start()
    log.info("service started", extra={"packs": registry.versions(), "env": settings.env.value})
    yield
    app.state.scanner.close()
    app.state.engine.dispose()


def operation_id(route: APIRoute) -> str:
    """An API operation's id is its handler's name (a generated client's method); the web pages,
    whose handlers' names repeat across routers, keep FastAPI's long unique ids."""
    return route.name if route.path.startswith("/api/") else generate_unique_id(route)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    logs.configure(settings.log_level, json_lines=settings.log_json)
    app = FastAPI(
        # A generated client is named after the title: "yiye" makes the package yiye-client (yiye_client);
        # the Chinese name leads the description instead.
        title="yiye",
        # Operation ids are the handlers' names (compose, list_industries, ...): a generated client's methods.
        generate_unique_id_function=operation_id,
        version="1",
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # service/openapi.py serves /docs without a CDN; ReDoc would need one
        redoc_url=None,
        openapi_tags=[
            {"name": "compose", "description": "Compose a situation into one notice, one form, one materials list"},
            {"name": "catalogue", "description": "Read-only rule packs: industries, business scope, permits, materials"},
            {"name": "pages", "description": "Applicant web pages (HTML)"},
        ],
    )
    app.state.settings = settings
    app.state.rate_limiter = RateLimiter(
        settings.redis_url,
        prefix=settings.redis_prefix,
        enabled=settings.rate_limit_enabled,
        api_keys=frozenset(settings.api_keys),
    )

    # Middleware: the last added runs first. The request id is set before anything logs; security
    # headers go on every response, an unexpected error's too; the size cap sees the request
    # before anything reads it.
    app.add_middleware(ServerSessionMiddleware, settings=settings)
    app.add_middleware(RateLimitHeaders)
    app.add_middleware(
        BodySizeLimit, max_bytes=settings.max_body_bytes, upload_bytes=settings.max_upload_bytes, upload_paths=UPLOAD_PATHS
    )
    app.add_middleware(UnexpectedErrors, answer=_negotiated(errors.server_error))
    production = settings.env is Environment.production
    headers = security_headers(production=production, script_hashes=(openapi.DOCS_SCRIPT_HASH,))
    app.add_middleware(SecurityHeaders, headers=headers)
    app.add_middleware(CorrelationIdMiddleware, validator=sane_request_id)

    for exc_class, handler in errors.HANDLERS.items():
        app.add_exception_handler(exc_class, _negotiated(handler))
    app.add_exception_handler(SignInRequired, _to_sign_in)
    app.add_exception_handler(Redirect, _redirect)

    app.include_router(health.router)
    # routes are matched in order, each router's in turn: the verify page a QR opens is the busiest, so it is first
    app.include_router(certificate_pages.router)
    app.include_router(api_router)
    if settings.bench_routes:
        from service import bench_routes

        app.include_router(bench_routes.make_router(settings.bench_bare_body))
    app.include_router(pages_router)
    openapi.install(app)
    app.add_api_route("/favicon.ico", _favicon, include_in_schema=False)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app


def _favicon() -> FileResponse:
    """The site's icon (证 on the header's red), where every browser asks for it: the pages, the documents and the verify page."""
    return FileResponse(STATIC_DIR / "favicon.ico", media_type="image/x-icon", headers={"Cache-Control": "public, max-age=86400"})


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
    500: "服务器内部出错",
}


def _negotiated(handler: Any) -> Any:
    """Wrap a JSON error handler: on page paths, render the same error as a page."""

    async def handle(request: Request, exc: Exception) -> Response:
        response: Response = await handler(request, exc)
        if not _wants_html(request):
            return response
        _ = translations(negotiate(request, request.app.state.settings.lang_cookie)).gettext
        status = response.status_code
        if status >= 500:
            messages = [_("服务器内部出错，请稍后重试。")]
        elif isinstance(exc, InputError | RequestValidationError):
            messages = [_("提交的内容有误，请返回上一页检查后重新提交。")]
        else:
            problems = [] if isinstance(exc, StarletteHTTPException) else getattr(exc, "problems", [])
            messages = [_(p.message) for p in problems] or [_("请检查地址是否正确。")]
        context: dict[str, Any] = {"title": _(_TITLES.get(status, "出现问题")), "messages": messages}
        if status >= 500:
            context["request_id"] = correlation_id.get()
        page = render(request, "error.html", context, status_code=status)
        for name, value in response.headers.items():
            if name.lower() not in ("content-type", "content-length"):
                page.headers[name] = value
        return page

    return handle


async def _to_sign_in(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SignInRequired)
    return RedirectResponse(f"/sign-in?next={quote(exc.next_url)}", status_code=303)


async def _redirect(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Redirect)
    return RedirectResponse(exc.url, status_code=303)
