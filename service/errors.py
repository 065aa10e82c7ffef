"""Every error the service sends has one shape: ``{"errors": [{code, message, where, subject}]}``.

Bad input is never a 500: the composer's ``InputError`` is a 422, unknown ids are 404s, request
validation failures are 422s listing each field, oversized bodies are 413s, too many requests 429.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from rules.errors import InputError, Problem


class ErrorItem(BaseModel):
    """One thing wrong with a request."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "code": "out_of_range",
                    "message": "经营场所面积须在 1 到 100000 之间",
                    "where": "answers.area_m2",
                    "subject": "area_m2",
                }
            ]
        }
    )

    code: str = Field(description="a stable machine code, e.g. unknown_industry, bad_answer, missing")
    message: str = Field(description="what is wrong, for people (Chinese)")
    where: str = Field(default="", description="the input field, e.g. answers.area_m2 or query.q")
    subject: str = Field(default="", description="the id or value concerned")


class ErrorResponse(BaseModel):
    """The body of every 4xx response."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "errors": [
                        {
                            "code": "unknown_industry",
                            "message": "没有编号为“noodle_bar”的行业",
                            "where": "industries[0]",
                            "subject": "noodle_bar",
                        }
                    ]
                }
            ]
        }
    )

    errors: list[ErrorItem]


def _example(code: str, message: str, where: str = "", subject: str = "") -> dict[str, Any]:
    return {"errors": [{"code": code, "message": message, "where": where, "subject": subject}]}


def error_response(description: str, *examples: tuple[str, dict[str, Any]]) -> dict[str, Any]:
    """An OpenAPI ``responses=`` entry with named examples."""
    content: dict[str, Any] = {"application/json": {}}
    if examples:
        content["application/json"]["examples"] = {name: {"value": value} for name, value in examples}
    return {"model": ErrorResponse, "description": description, "content": content}


NOT_FOUND_PACK = error_response(
    "No rule pack with this id",
    ("unknown_pack", _example("unknown_pack", "没有名为 'nowhere' 的规则包", "path.pack_id", "nowhere")),
)
VALIDATION = error_response(
    "The request does not fit the schema: every field at fault is listed",
    ("missing", _example("missing", "缺少必填项", "industries", "")),
    ("wrong type", _example("int_parsing", "应为整数", "query.limit", "abc")),
)
TOO_LARGE = error_response(
    "The request body is larger than the limit", ("too_large", _example("too_large", "请求体超过 65536 字节上限", "body"))
)
RATE_LIMITED = {
    **error_response(
        "Too many requests from this client; retry after the given seconds",
        ("rate_limited", _example("rate_limited", "请求过于频繁, 请 12 秒后重试", "", "ip:203.0.113.9")),
    ),
    "headers": {"Retry-After": {"description": "seconds to wait", "schema": {"type": "integer"}}},
}
FORBIDDEN_CSRF = error_response(
    "The form's CSRF token is missing or wrong; nothing was written",
    ("csrf", _example("csrf_failed", "表单已失效, 请刷新页面后重新提交", "csrf_token")),
)
"""``responses=`` entries shared by routes."""


class ApiError(Exception):
    """An error with a status code and problems, rendered as an ``ErrorResponse``."""

    def __init__(self, status_code: int, problems: Sequence[Problem], headers: dict[str, str] | None = None) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.status_code = status_code
        self.problems = list(problems)
        self.headers = headers


class NotFound(ApiError):
    def __init__(self, code: str, message: str, where: str = "", subject: str = "") -> None:
        super().__init__(404, [Problem(code, message, where, subject)])


class RateLimited(ApiError):
    def __init__(self, retry_after: int, client: str) -> None:
        super().__init__(
            429,
            [Problem("rate_limited", f"请求过于频繁, 请 {retry_after} 秒后重试", "", client)],
            headers={"Retry-After": str(retry_after)},
        )


class CsrfFailed(ApiError):
    def __init__(self) -> None:
        super().__init__(403, [Problem("csrf_failed", "表单已失效, 请刷新页面后重新提交", "csrf_token")])


def body(problems: Sequence[Problem]) -> dict[str, Any]:
    return {"errors": [p.as_dict() for p in problems]}


class ErrorJSONResponse(JSONResponse):
    """Errors echo the input; a lone surrogate in it must not turn a 4xx into a 500."""

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "replace")


def json_error(status_code: int, problems: Sequence[Problem], headers: dict[str, str] | None = None) -> JSONResponse:
    return ErrorJSONResponse(body(problems), status_code=status_code, headers=headers)


_VALIDATION_MESSAGES = {
    "missing": "缺少必填项",
    "extra_forbidden": "不认识的字段",
    "json_invalid": "请求体不是合法的 JSON",
    "model_attributes_type": "应为 JSON 对象",
    "dict_type": "应为 JSON 对象",
    "list_type": "应为列表",
    "string_type": "应为字符串",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
    "date_from_datetime_parsing": "应为日期, 如 2026-11-26",
    "date_parsing": "应为日期, 如 2026-11-26",
    "date_type": "应为日期, 如 2026-11-26",
    "literal_error": "不是允许的取值",
    "enum": "不是允许的取值",
    "string_too_long": "太长",
    "string_too_short": "太短",
    "too_long": "条目太多",
    "too_short": "条目太少",
    "greater_than_equal": "太小",
    "less_than_equal": "太大",
    "string_pattern_mismatch": "格式不对",
    "uuid_parsing": "应为 UUID",
}


def validation_problems(errors: Sequence[Any]) -> list[Problem]:
    """pydantic error dicts → problems; ``where`` is the dotted field (``query.`` / ``path.`` prefixed)."""
    problems = []
    for error in errors:
        loc = [str(part) for part in error.get("loc", ())]
        if loc and loc[0] == "body":
            loc = loc[1:]
        where = ".".join(loc)
        kind = str(error.get("type", "invalid"))
        message = _VALIDATION_MESSAGES.get(kind, "取值不对")
        detail = error.get("msg")
        if detail:
            message = f"{message} ({detail})"
        bad = error.get("input")
        subject = "" if bad is None or isinstance(bad, dict | list) else str(bad)[:100]
        problems.append(Problem(kind, message, where or "body", subject))
    return problems


# --- handlers ----------------------------------------------------------------------------------


async def _api_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return json_error(exc.status_code, exc.problems, exc.headers)


async def _input_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, InputError)
    return json_error(422, exc.problems)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return json_error(422, validation_problems(exc.errors()))


_HTTP_CODES = {
    413: "too_large",
    404: "not_found",
    405: "method_not_allowed",
    401: "unauthorized",
    403: "forbidden",
    400: "bad_request",
}
_HTTP_MESSAGES = {
    413: "请求体超过上限",
    404: "没有这个地址",
    405: "此地址不支持该请求方法",
    401: "需要登录",
    403: "没有权限",
    400: "请求有误",
}


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    status = exc.status_code
    headers = dict(exc.headers or {})
    if status == 400:
        # FastAPI's "error parsing the body" (e.g. bytes that are not UTF-8): bad input like any other.
        return json_error(422, [Problem("body_invalid", "请求体无法解析(应为 UTF-8 编码的 JSON 或表单)", "body")])
    if status == 405:
        headers["Allow"] = ", ".join(allowed_methods(request))
    message = _HTTP_MESSAGES.get(status, str(exc.detail))
    return json_error(status, [Problem(_HTTP_CODES.get(status, f"http_{status}"), message, request.url.path)], headers or None)


def allowed_methods(request: Request) -> list[str]:
    """Every method some route serves at this path (Starlette's own Allow names only the first route's)."""
    scope = {**request.scope, "type": "http"}
    methods: set[str] = set()
    for route in request.app.router.routes:
        route_methods = getattr(route, "methods", None)
        if route_methods and route.matches(scope)[0] is not Match.NONE:
            methods |= set(route_methods)
    return sorted(methods)


HANDLERS: dict[Any, Any] = {
    ApiError: _api_error,
    InputError: _input_error,
    RequestValidationError: _validation_error,
    StarletteHTTPException: _http_error,
}
