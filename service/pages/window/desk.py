"""What every desk page shares: the signed-in staff member's desk, refusals as pages, problems beside their fields."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from composer.words import N_
from rules.errors import Problem
from service.deps import CurrentUser, SettingsDep
from service.i18n import negotiate, translations
from service.models import User
from service.pages import responses as pages
from service.pages.templating import render
from service.workflow.errors import WorkflowError
from service.workflow.roles import Action, Role, may
from service.workflow.rows import ONCE, fingerprint, once, replayed, settle
from service.workflow.storage import LocalFileStore, Upload

DESKS = {
    Role.applicant: "/applications",
    Role.clerk: "/window",
    Role.reviewer: "/review",
    Role.inspector: "/inspection",
    Role.supervisor: "/supervision",
    Role.policy_author: "/policy",
    Role.policy_approver: "/policy",
    Role.admin: "/accounts",
}
"""Where each role lands after signing in."""

TITLES = {403: "无权操作", 404: "页面不存在", 409: "操作未生效", 422: "请求有误"}


@dataclass(frozen=True)
class _Desk:
    """The subject a desk is about: the user's own affairs, in the user's department."""

    owner_id: uuid.UUID
    department: str | None

    @property
    def departments(self) -> list[str]:
        return [self.department] if self.department else []


def works_at(user: User, action: Action) -> bool:
    """Whether the user's role takes ``action`` at all, within its scope (own, department or any)."""
    return may(user, action, _Desk(user.id, user.department))


def desk_url(user: User) -> str | None:
    """The desk of ``user``'s role, or None for roles that work elsewhere (the API, the CLI)."""
    return DESKS.get(Role(user.role)) if user.role in Role.__members__ else None


def file_store(settings: SettingsDep) -> LocalFileStore:
    return LocalFileStore(settings.files_dir)


FileStoreDep = Annotated[LocalFileStore, Depends(file_store)]


def refused(request: Request, exc: WorkflowError) -> HTMLResponse:
    """A refusal (403, 404, 409) as a page in the visitor's language, each reason on its own line."""
    gettext = _gettext(request)
    messages = [shown(request, p) for p in exc.problems]
    return render(
        request,
        "error.html",
        {"title": gettext(TITLES.get(exc.status, "出现问题")), "messages": messages},
        status_code=exc.status,
    )


class DeskRoute(APIRoute):
    """A desk page's route: a refusal the workflow raises (403, 404, 409) is answered with the refusal page."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def refusing(request: Request) -> Response:
            try:
                return await handle(request)
            except WorkflowError as exc:
                return refused(request, exc)

        return refusing


def desk_router() -> APIRouter:
    """A router for desk pages, whose handlers let the workflow's refusals rise."""
    return APIRouter(tags=["pages"], route_class=DeskRoute)


def forbidden(request: Request) -> HTMLResponse:
    """The 403 page for a desk the user's role does not work at."""
    gettext = _gettext(request)
    message = gettext("您的账户没有使用这个工作台的权限。")
    return render(request, "error.html", {"title": gettext("无权操作"), "messages": [message]}, status_code=403)


def field_id(where: str) -> str:
    """A problem's ``where`` (``materials.floor_plan[0]``) as the id of the field it is about."""
    return where.split("[")[0].replace(".", "-")


def field_errors(
    request: Request, problems: Sequence[Problem], per_subject: tuple[str, str] | None = None
) -> tuple[dict[str, str], list[dict[str, str]]]:
    """Messages by field id (shown beside the field) and the summary list (linking to them), in the visitor's language.

    With ``per_subject=(where, prefix)``, a problem under ``where`` about one subject (a material, an element)
    is shown beside that subject's group, ``prefix-<subject>``.
    """
    by_field: dict[str, str] = {}
    summary = []
    for p in problems:
        if per_subject and p.where.startswith(per_subject[0]) and p.subject:
            field = f"{per_subject[1]}-{p.subject}"
        else:
            field = field_id(p.where) if p.where else ""
        message = shown(request, p)
        by_field.setdefault(field, message)
        summary.append({"field": field, "message": message})
    return by_field, summary


def render_form_page(
    request: Request,
    name: str,
    context: dict[str, Any],
    problems: Sequence[Problem] = (),
    status: int = 200,
    per_subject: tuple[str, str] | None = None,
) -> HTMLResponse:
    """A desk's page with its forms: each problem beside its field and, linked, in the summary at the top; each form
    carries a fresh Idempotency-Key (``new_key()``)."""
    by_field, summary = field_errors(request, problems, per_subject)
    form_parts = {"field_errors": by_field, "errors": summary, "new_key": new_key}
    return render(request, name, context | form_parts, status_code=status)


@dataclass(frozen=True)
class FormPage:
    """A desk page with forms, shown as ``context`` fills its template, or again with the problems a post found."""

    template: str
    context: Callable[..., dict[str, Any]]
    per_subject: tuple[str, str] | None = None

    def show(self, request: Request, *args: Any, problems: Sequence[Problem] = ()) -> HTMLResponse:
        """The page for ``args``; with ``problems``, a 400 with each beside its field."""
        return render_form_page(request, self.template, self.context(*args), problems, 400 if problems else 200, self.per_subject)


GENERAL = {
    "forbidden": N_("您无权执行此操作"),
    "not_found": N_("没有找到这一项"),
    "already_submitted": N_("这份草稿已经提交过"),
    "commitment_unsigned": N_("请阅读并签署告知承诺书"),
    "element_twice": N_("同一要素记录了两次"),
    "element_unchecked": N_("请记录每一个要素的核查结果"),
    "material_missing": N_("还缺少材料"),
    "material_twice": N_("同一材料出现了两次"),
    "material_unchecked": N_("请核对每一项材料：补正告知须一次列明全部材料"),
    "question_open": N_("还有问题未回答"),
    "state_conflict": N_("当前状态不允许这项操作"),
    "version_conflict": N_("该记录已被他人更新，请刷新后重试"),
    "file_too_large": N_("文件太大，请压缩后再上传"),
    "file_type": N_("文件须为 PDF、JPEG 或 PNG"),
    "unknown_role": N_("没有这个角色"),
    "department_missing": N_("这个角色须指定所属部门"),
    "unknown_department": N_("没有这个部门"),
    "department_not_needed": N_("这个角色不属于某一部门，请不要指定部门"),
    "account_exists": N_("已有以这个邮箱登录的账户：请在账户管理中查找它并修改角色"),
    "past_due": N_("办理期限已经届满，不能再延长"),
    "correction_too_late": N_("答复期限已过，本申请依法已视为受理，不能再告知补正"),
    "days_out_of_range": N_("所需时间超出可填写的范围"),
    "stop_past_due": N_("办理期限已经届满，不能再暂停计时"),
    "procedure_under_way": N_("不计时的程序尚未结束：请先记录其结束、恢复计时，再作出决定"),
    "beyond_joint_limit": N_("延长后将超过本申请的联合办理期限：须先由综合窗口报区人民政府负责人批准延长联合办理期限"),
}
"""A problem whose message names things (a permit, a file, a role) and so has no msgid of its own: in another
language, what kind of problem it is. Chinese pages show the message as written."""


def shown(request: Request, problem: Problem) -> str:
    """A problem's message in the visitor's language."""
    lang = negotiate(request, request.app.state.settings.lang_cookie)
    gettext = translations(lang).gettext
    translated: str = gettext(problem.message)
    if lang != "zh" and translated == problem.message and problem.code in GENERAL:
        return str(gettext(GENERAL[problem.code]))
    return translated


def new_key() -> str:
    """A fresh Idempotency-Key for one form on a page (templates: ``{{ new_key() }}``)."""
    return str(uuid.uuid4())


async def with_form_once(request: Request, session: Session, user: User, handle: Callable[..., Response], *args: Any) -> Response:
    """``with_form`` for a desk's change: the same form sent again (its ``idempotency_key``) changes nothing more
    and lands where the first did; the key is committed with the change it made."""
    return await with_form(request, _once, request, session, user, handle, args)


def _once(request: Request, session: Session, user: User, handle: Callable[..., Response], args: Any, form: FormData) -> Response:
    key = form.get("idempotency_key")
    if not isinstance(key, str) or not key:
        return handle(*args, form)
    fields = sorted(
        [name, value if isinstance(value, str) else f"file:{value.filename}"]
        for name, value in form.multi_items()
        if name not in ("csrf_token", "idempotency_key")
    )
    asked = fingerprint(request.url.path, {"form": fields})
    try:
        earlier = once(session, user.id, key, asked)
        if earlier is None:
            response = handle(*args, form)
            if response.status_code == 303:
                settle(session, user.id, key, {"location": response.headers["location"]})
            if response.status_code != 409:
                return response
            earlier = replayed(session, user.id, key, asked)  # its twin, sent a moment earlier, may have won
            if earlier is None:
                return response
    except WorkflowError as exc:
        return refused(request, exc)
    finally:
        session.info.pop(ONCE, None)
    return RedirectResponse(earlier.get("location") or desk_url(user) or "/", status_code=303)


async def with_form(request: Request, handle: Callable[..., Response], *args: Any) -> Response:
    """Read the posted form, run ``handle(*args, form)`` in the thread pool (it talks to the database), close the files."""
    form = await request.form()
    try:
        return await run_in_threadpool(handle, *args, form)
    finally:
        await form.close()


def version(form: FormData) -> int | None:
    """The row version the form was read at (optimistic locking); None when missing or not a number."""
    raw = form.get("version")
    return int(raw) if isinstance(raw, str) and raw.isdigit() else None


def uploads(form: FormData, prefix: str = "material.") -> list[Upload]:
    """Every non-empty file field named ``material.<key>`` as an upload for that material."""
    found = []
    for name, value in form.multi_items():
        if isinstance(value, UploadFile) and name.startswith(prefix) and value.filename:
            found.append(Upload(name.removeprefix(prefix), value.filename, value.file.read()))
    return found


def texts(form: FormData, name: str) -> list[str]:
    """A textarea's lines, or several fields of one name, stripped of empty ones."""
    lines: list[str] = []
    for value in form.getlist(name):
        if isinstance(value, str):
            lines += [line.strip() for line in value.splitlines() if line.strip()]
    return lines


def parse_id(raw: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(raw)
    except ValueError:
        return None


def _gettext(request: Request) -> Any:
    return translations(negotiate(request, request.app.state.settings.lang_cookie)).gettext


router = APIRouter(tags=["pages"])


@router.get(
    "/desk",
    response_class=Response,
    responses={
        303: {"description": "On to the desk of the user's role (or to sign in)"},
        403: pages.html("No desk for this role"),
    },
)
def my_desk(request: Request, user: CurrentUser) -> Response:
    """After signing in: each role's own desk."""
    url = desk_url(user)
    return RedirectResponse(url, status_code=303) if url else forbidden(request)
