"""JSON bodies read as this API accepts them: UTF-8, Unicode throughout, nested at most 200 deep, numbers a double holds.

FastAPI parses a body with ``json.loads``, which passes lone surrogates (``"\\ud800"``) into strings
that cannot be encoded again, integers of any length that no arithmetic on floats survives, and
nests until Python's recursion limit. pydantic-core's parser (jiter) refuses the first and the
third itself; numbers beyond a double's range (RFC 8259 §6: not interoperable) are refused here.
Every refusal is a ``json.JSONDecodeError`` with a Chinese message, so FastAPI answers it as it
answers any malformed JSON: a 422 ``json_invalid``, before the route runs.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute
from pydantic_core import from_json

from service.errors import where_of

_REASONS = (
    ("surrogate", "含有无法表示的字符（孤立的代理码位）"),
    ("hex escape", "含有无效的字符转义（孤立的代理码位或不完整的 \\u 转义）"),
    ("recursion limit", "嵌套层数超过 200 层"),
    ("number out of range", "数字超出范围"),
    ("invalid number", "数字格式不对"),
    ("EOF", "内容不完整"),
    ("control character", "字符串中有未转义的控制字符"),
    ("invalid escape", "字符串中有无效的转义"),
    ("trailing comma", "多了结尾的逗号"),
    ("trailing characters", "在 JSON 之后还有多余的内容"),
    ("key must be a string", "对象的键应为字符串"),
)
_POSITION = re.compile(r" at line (\d+) column (\d+)$")
_DOUBLE_MAX = sys.float_info.max


def loads(body: bytes) -> Any:
    """``body`` as JSON; raises ``json.JSONDecodeError`` with a Chinese message saying where."""
    try:
        data = from_json(body, allow_inf_nan=False)
    except ValueError as exc:
        reason = str(exc)
        found = _POSITION.search(reason)
        line, column = (int(found[1]), int(found[2])) if found else (1, 0)
        said = next((zh for en, zh in _REASONS if en in reason), "不是合法的 JSON")
        text = body.decode("utf-8", "replace")
        raise json.JSONDecodeError(f"请求体{said}（第 {line} 行第 {column} 列）", text, _offset(text, line, column)) from None
    place = _out_of_range(data)
    if place is not None:
        said = f"请求体中 {where_of(place)} 的数字超出范围" if place else "请求体的数字超出范围"
        raise json.JSONDecodeError(said, body.decode("utf-8", "replace"), 0)
    return data


def _offset(text: str, line: int, column: int) -> int:
    """The character offset of a 1-based line and column."""
    start = 0
    for _ in range(line - 1):
        start = text.find("\n", start) + 1
    return min(start + max(column - 1, 0), len(text))


def _out_of_range(value: Any) -> list[str | int] | None:
    """The place of the first number a double cannot hold, as keys and indexes, if there is one."""
    if isinstance(value, dict):
        items: Any = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return [] if type(value) in (int, float) and not -_DOUBLE_MAX <= value <= _DOUBLE_MAX else None
    for key, item in items:
        found = _out_of_range(item)
        if found is not None:
            return [key, *found]
    return None


class StrictJSONRequest(Request):
    """A request whose ``json()`` is ``loads``."""

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = loads(await self.body())
        return self._json


class StrictJSONRoute(APIRoute):
    """A route whose JSON body is read by ``loads``."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def strict(request: Request) -> Response:
            if not isinstance(request, StrictJSONRequest):
                request = StrictJSONRequest(request.scope, request.receive)
            return await handle(request)

        return strict
