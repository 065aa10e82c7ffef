"""A compose request that repeats an earlier one byte for byte, answered before it is parsed.

Popular cases come back again and again, byte for byte. For them reading the JSON and validating
it cost more than the answer, which is already cached, so ``/compose`` looks the exact request up
first (``ComposeService.repeat``: the same bytes, content type and day, from the pack version still
loaded) and answers as a cache hit does, with the same headers and the same rate limit. Anything
else takes the usual way — so a body that is refused is refused exactly as before — and a request
composed that way is remembered for its repeats. A query string (``?store=true``) always does.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response

from service.api.strict_json import StrictJSONRequest, StrictJSONRoute
from service.compose import Composed, Output
from service.deps import get_compose_service
from service.ratelimit import API_LIMIT


class ComposedResponse(Response):
    """A composition's bytes with its pack version, hash and cache outcome in the headers."""

    def __init__(self, output: Output, *, cached: bool, composed: Composed | None = None) -> None:
        headers = {
            "X-Pack-Version": output.pack_version,
            "X-Output-SHA256": output.sha256,
            "X-Cache": "hit" if cached else "miss",
        }
        super().__init__(content=output.body, media_type="application/json", headers=headers)
        self.composed = composed
        """The composition behind a response composed for this request (none for a repeat)."""


class RepeatsRoute(StrictJSONRoute):
    """A compose route that answers exact repeats from the cache before its body is parsed."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def answer(request: Request) -> Response:
            request = StrictJSONRequest(request.scope, request.receive)
            if request.scope["query_string"]:
                return await handle(request)
            service = await get_compose_service(request)
            body, content_type = await request.body(), request.headers.get("content-type", "")
            output = service.repeat(body, content_type)
            if output is not None:
                await API_LIMIT(request)
                return ComposedResponse(output, cached=True)
            response = await handle(request)
            if isinstance(response, ComposedResponse) and response.composed is not None:
                service.remember(body, content_type, response.composed)
            return response

        return answer
