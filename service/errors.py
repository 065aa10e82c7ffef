"""Every error the service sends has one shape: ``{"errors": [{code, message, where, subject}]}``.

Bad input is never a 500: the composer's ``InputError`` is a 422, unknown ids are 404s, request
validation failures are 422s listing each field in Chinese, oversized bodies are 413s, too many
requests 429. Whatever else goes wrong is a 500 in the same shape, with the request id.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from asgi_correlation_id import correlation_id
from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from rules.errors import InputError, Problem


def examples(*examples: dict[str, Any]) -> ConfigDict:
    """A model's config that shows these examples in the OpenAPI schema."""
    return ConfigDict(json_schema_extra={"examples": list(examples)})


class ErrorItem(BaseModel):
    """One thing wrong with a request."""

    model_config = examples(
        {"code": "out_of_range", "message": "经营场所面积须在 1 到 100000 之间", "where": "answers.area_m2", "subject": "area_m2"}
    )

    code: str = Field(description="a stable machine code, e.g. unknown_industry, bad_answer, missing")
    message: str = Field(description="what is wrong, for people (Chinese)")
    where: str = Field(default="", description="the input field, e.g. answers.area_m2 or query.q")
    subject: str = Field(default="", description="the id or value concerned")


def _example(code: str, message: str, where: str = "", subject: str = "") -> dict[str, Any]:
    return {"errors": [{"code": code, "message": message, "where": where, "subject": subject}]}


class ErrorResponse(BaseModel):
    """The body of every error response, 4xx and 5xx."""

    model_config = examples(_example("unknown_industry", "没有编号为“noodle_bar”的行业", "industries[0]", "noodle_bar"))

    errors: list[ErrorItem]


def error_response(description: str, *examples: tuple[str, dict[str, Any]]) -> dict[str, Any]:
    """An OpenAPI ``responses=`` entry with named examples."""
    content: dict[str, Any] = {"application/json": {}}
    if examples:
        content["application/json"]["examples"] = {name: {"value": value} for name, value in examples}
    return {"model": ErrorResponse, "description": description, "content": content}


def one_error(description: str, code: str, message: str, where: str = "") -> dict[str, Any]:
    """An OpenAPI ``responses=`` entry whose one example is one error, named for its code."""
    return error_response(description, (code, _example(code, message, where)))


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
        ("rate_limited", _example("rate_limited", "请求过于频繁，请 12 秒后重试", "", "ip:203.0.113.9")),
    ),
    "headers": {"Retry-After": {"description": "seconds to wait", "schema": {"type": "integer"}}},
}
FORBIDDEN_CSRF = error_response(
    "The form's CSRF token is missing or wrong; nothing was written",
    ("csrf", _example("csrf_failed", "表单已失效，请刷新页面后重新提交", "csrf_token")),
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
            [Problem("rate_limited", f"请求过于频繁，请 {retry_after} 秒后重试", "", client)],
            headers={"Retry-After": str(retry_after)},
        )


class CsrfFailed(ApiError):
    def __init__(self) -> None:
        super().__init__(403, [Problem("csrf_failed", "表单已失效，请刷新页面后重新提交", "csrf_token")])


def body(problems: Sequence[Problem]) -> dict[str, Any]:
    return {"errors": [p.as_dict() for p in problems]}


class ErrorJSONResponse(JSONResponse):
    """Errors echo the input; a lone surrogate in it must not turn a 4xx into a 500."""

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "replace")


def json_error(status_code: int, problems: Sequence[Problem], headers: dict[str, str] | None = None) -> JSONResponse:
    return ErrorJSONResponse(body(problems), status_code=status_code, headers=headers)


_DATE = "应为日期，如 2026-11-26"
_VALIDATION_MESSAGES = {
    "missing": "缺少必填项",
    "extra_forbidden": "不认识的字段",
    "json_invalid": "请求体不是合法的 JSON",
    "json_type": "应为 JSON 文本",
    "model_type": "应为 JSON 对象",
    "model_attributes_type": "应为 JSON 对象",
    "dict_type": "应为 JSON 对象",
    "list_type": "应为列表",
    "string_type": "应为字符串",
    "string_unicode": "应为合法的 Unicode 字符串",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_parsing_size": "整数超出范围",
    "int_from_float": "应为整数，不能有小数",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "finite_number": "应为有限的数字",
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
    "date_type": _DATE,
    "date_parsing": _DATE,
    "date_from_datetime_parsing": _DATE,
    "date_from_datetime_inexact": _DATE,
    "datetime_type": "应为日期时间，如 2026-11-26T09:30:00+08:00",
    "datetime_parsing": "应为日期时间，如 2026-11-26T09:30:00+08:00",
    "datetime_from_date_parsing": "应为日期时间，如 2026-11-26T09:30:00+08:00",
    "literal_error": "应为 {expected} 之一",
    "enum": "应为 {expected} 之一",
    "string_too_long": "最多 {max_length} 个字符",
    "string_too_short": "至少 {min_length} 个字符",
    "too_long": "最多 {max_length} 项",
    "too_short": "至少 {min_length} 项",
    "greater_than": "应大于 {gt}",
    "greater_than_equal": "应不小于 {ge}",
    "less_than": "应小于 {lt}",
    "less_than_equal": "应不大于 {le}",
    "string_pattern_mismatch": "格式不对",
    "uuid_type": "应为 UUID",
    "uuid_parsing": "应为 UUID",
    "uuid_version": "应为 UUID",
    "url_parsing": "应为网址",
    "url_type": "应为网址",
    "value_error": "取值不对",
    "assertion_error": "取值不对",
}
"""Chinese for every pydantic error type a request can meet here; ``{…}`` is filled from the error's context."""

_KINDS = {"bool": "true/false", "int": "整数", "float": "数字", "str": "字符串", "tuple[str, ...]": "字符串列表", "none": "null"}
"""Union members as pydantic names them at the end of an error's place, in Chinese."""
_LIST_MEMBER = "tuple[str, ...]"
"""The union member of a multi-choice answer: its errors name an item inside it, cut back to the member."""


def where_of(loc: Sequence[Any]) -> str:
    """An error's place as the API spells it: ``answers.area_m2``, ``industries[0]``, ``query.limit``."""
    parts = list(loc[1:] if loc and loc[0] == "body" else loc)
    where = ""
    for part in parts:
        where += f"[{part}]" if isinstance(part, int) else (f".{part}" if where else str(part))
    return where or "body"


def validation_problems(errors: Sequence[Any]) -> list[Problem]:
    """pydantic error dicts → problems in Chinese; a value that fits no member of a union is one problem."""
    kinds: dict[tuple[Any, ...], list[str]] = {}
    for error in errors:
        loc = _member_loc(error)
        if _union_member(error, loc) and _KINDS[loc[-1]] not in kinds.get(loc[:-1], []):
            kinds.setdefault(loc[:-1], []).append(_KINDS[loc[-1]])
    problems: list[Problem] = []
    for error in errors:
        loc = _member_loc(error)
        if not _union_member(error, loc):
            problems.append(_problem(error))
        elif loc[:-1] in kinds:
            *first, last = kinds.pop(loc[:-1])
            listed = f"{'、'.join(first)}或{last}" if first else last
            message = f"应为 {listed}" if listed[0].isascii() else f"应为{listed}"
            problems.append(Problem("wrong_type", message, where_of(loc[:-1]), _subject(error)))
    return problems


def _member_loc(error: dict[str, Any]) -> tuple[Any, ...]:
    loc = tuple(error.get("loc", ()))
    return loc[: loc.index(_LIST_MEMBER) + 1] if _LIST_MEMBER in loc else loc


def _union_member(error: dict[str, Any], loc: tuple[Any, ...]) -> bool:
    return len(loc) > 1 and loc[-1] in _KINDS and str(error.get("type", "")).endswith("_type")


def _problem(error: dict[str, Any]) -> Problem:
    kind = str(error.get("type", "invalid"))
    context = error.get("ctx") or {}
    if kind == "json_invalid":
        said = str(context.get("error", ""))
        # service/api/strict_json.py says what and where in Chinese; json.loads' English is not passed on
        return Problem(kind, said if _has_chinese(said) else _VALIDATION_MESSAGES[kind], "body", "")
    template = _VALIDATION_MESSAGES.get(kind, "取值不对")
    try:
        message = template.format_map({k: str(v).replace(" or ", " 或 ") for k, v in context.items()})
    except (KeyError, IndexError):
        message = "取值不对"
    return Problem(kind, message, where_of(error.get("loc", ())), _subject(error))


def _subject(error: dict[str, Any]) -> str:
    bad = error.get("input")
    return "" if bad is None or isinstance(bad, dict | list) else str(bad)[:100]


def _has_chinese(text: str) -> bool:
    return any("\u4e00" <= c <= "\u9fff" for c in text)


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
        return json_error(422, [Problem("body_invalid", "请求体无法解析（应为 UTF-8 编码的 JSON 或表单）", "body")])
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


async def server_error(request: Request, exc: Exception) -> JSONResponse:
    """Anything unexpected: a 500 in the error shape, naming the request id the log line carries too."""
    request_id = correlation_id.get() or ""
    message = f"服务器内部出错，请稍后重试；如需报告，请提供请求编号 {request_id}"
    return json_error(500, [Problem("internal_error", message, "", request_id)])


HANDLERS: dict[Any, Any] = {
    ApiError: _api_error,
    InputError: _input_error,
    RequestValidationError: _validation_error,
    StarletteHTTPException: _http_error,
}
