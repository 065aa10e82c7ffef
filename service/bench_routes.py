"""Routes for load tests only: a bare endpoint beside the real ones, in the same app.

Mounted only when ``YIYE_BENCH_ROUTES=true`` (off by default) and never in the OpenAPI schema, so
production never exposes it. ``bench/compose_http.py`` measures ``POST /api/v1/compose`` against it, on the
same server with the same settings in the same run: the ratio is what composing costs over the
framework, the middleware and the bytes on the wire.

``/_bench/bare`` (GET or POST, any body, which it does not read; a sync endpoint, as the issue's
reference figure was) and ``/_bench/bare-async`` (the same, async) answer with precomputed bytes of a
real composition, with the same content type as ``/compose``: the file ``YIYE_BENCH_BARE_BODY`` names
(bench/compose_http.py writes there a composition of median size from its own random cases), else the
composition of the OpenAPI example's industries and answers, made once per worker at the first call.
"""

from __future__ import annotations

import threading
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from composer.model import ComposeRequest
from service.api.schemas import COMPOSE_EXAMPLE
from service.compose import ComposeService

PREFIX = "/_bench"


def make_router(body_file: Path | None = None) -> APIRouter:
    router = APIRouter(prefix=PREFIX, include_in_schema=False)
    body: list[bytes] = [body_file.read_bytes()] if body_file is not None else []
    lock = threading.Lock()

    def precomputed(request: Request) -> bytes:
        if not body:
            with lock:
                if not body:
                    service: ComposeService = request.app.state.compose
                    example = ComposeRequest(industries=COMPOSE_EXAMPLE["industries"], answers=COMPOSE_EXAMPLE["answers"])
                    body.append(service.compose(example, source="bench").output.body)
        return body[0]

    @router.api_route("/bare", methods=["GET", "POST"])
    def bare(request: Request) -> Response:
        """The precomputed bytes, nothing else, from a sync endpoint (a thread-pool hop per request)."""
        return Response(content=precomputed(request), media_type="application/json")

    @router.api_route("/bare-async", methods=["GET", "POST"])
    async def bare_async(request: Request) -> Response:
        """The same from an async endpoint: the framework's floor, without the thread-pool hop."""
        content = body[0] if body else await run_in_threadpool(precomputed, request)
        return Response(content=content, media_type="application/json")

    return router
