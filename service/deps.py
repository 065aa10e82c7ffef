"""Dependencies as ``Annotated`` aliases: ``def route(session: SessionDep, user: CurrentUser)``.

The cheap ones are ``async def``: FastAPI runs every sync dependency in the thread pool, a hop that
costs more than the dependency itself (on /compose, five hops were most of a cached answer's time).
Anything that blocks stays sync or is handed to the pool explicitly.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request, Response
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from composer import Composer
from rules.model import Department
from service import crud
from service.compose import ComposeService, PackUnavailable
from service.errors import CsrfFailed, NotFound
from service.i18n import Lang, negotiate, translations
from service.models import Draft, User
from service.policy.live import ReleaseWatch
from service.registry import PackRegistry
from service.security import CSRF_FIELD, CSRF_HEADER, csrf_valid
from service.settings import Settings


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_settings)]


async def get_registry(request: Request, settings: SettingsDep) -> PackRegistry:
    registry: PackRegistry = request.app.state.registry
    if registry.poll_due(settings.pack_poll_seconds):  # reads the pack files: in the pool
        await run_in_threadpool(registry.poll, settings.pack_poll_seconds)
    releases: ReleaseWatch = request.app.state.releases
    if releases.due():  # reads the database: in the pool
        await run_in_threadpool(releases.check, request.app.state.engine, registry)
    return registry


RegistryDep = Annotated[PackRegistry, Depends(get_registry)]


def district_departments(registry: RegistryDep, settings: SettingsDep) -> Mapping[str, Department]:
    """The district's departments, by id: those of its pack, which staff belong to and tasks go to."""
    return registry.departments(settings.default_pack)


Departments = Annotated[Mapping[str, Department], Depends(district_departments)]


async def get_compose_service(request: Request) -> ComposeService:
    # The registry and settings are read here, not taken as dependencies: each level of dependency
    # costs FastAPI more than the little this does, and /compose is the hot path.
    await get_registry(request, request.app.state.settings)
    service: ComposeService = request.app.state.compose
    return service


ComposeServiceDep = Annotated[ComposeService, Depends(get_compose_service)]


def get_pack(pack_id: str, registry: RegistryDep, response: Response) -> Composer:
    """The Composer of the pack named in the path; 404 when there is none, 503 when it cannot be served. Echoes its version."""
    composer = registry.get(pack_id)
    if composer is None and registry.unavailable(pack_id):
        raise PackUnavailable(pack_id, "path.pack_id")
    if composer is None:
        raise NotFound("unknown_pack", f"没有名为 '{pack_id[:64]}' 的规则包", "path.pack_id", pack_id[:64])
    response.headers["X-Pack-Version"] = composer.pack.version
    return composer


PackDep = Annotated[Composer, Depends(get_pack)]


def get_db(request: Request) -> Iterator[Session]:
    with Session(request.app.state.engine, expire_on_commit=False) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_db)]


def get_lang(request: Request, settings: SettingsDep) -> Lang:
    return negotiate(request, settings.lang_cookie)


LangDep = Annotated[Lang, Depends(get_lang)]


def get_gettext(lang: LangDep) -> Callable[[str], str]:
    """The visitor's language's ``gettext``, for the messages a handler writes itself (``_: Gettext``)."""
    return translations(lang).gettext


Gettext = Annotated[Callable[[str], str], Depends(get_gettext)]


@dataclass(frozen=True)
class Visitor:
    """Who the page layout says is signed in: a copy, not the row, so that a page rendered after a
    rolled-back change (a refusal) never has to reload it, on the event loop, from the database."""

    id: uuid.UUID
    role: str


def get_optional_user(request: Request, session: SessionDep) -> User | None:
    raw = request.session.get("user_id")
    if not raw:
        return None
    try:
        user_id = uuid.UUID(str(raw))
    except ValueError:
        request.session.clear()
        return None
    user = session.get(User, user_id)
    if user is not None and user.disabled_at is not None:
        user = None  # disabled since signing in: the sessions were ended, this one too
    if user is None:
        request.session.clear()
    request.state.visitor = None if user is None else Visitor(user.id, user.role)
    return user


OptionalUser = Annotated[User | None, Depends(get_optional_user)]


class Redirect(Exception):
    """Raised by a page's dependency that sends the visitor to another step; the app answers 303."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.url = url


class SignInRequired(Exception):
    """Raised for pages that need an applicant; handled by redirecting to the sign-in page."""

    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.next_url = next_url


def get_current_user(request: Request, user: OptionalUser) -> User:
    if user is None:
        raise SignInRequired(request.url.path)
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]


async def check_csrf(request: Request) -> None:
    """Every form POST carries the session's token (form field ``csrf_token`` or ``X-CSRF-Token``)."""
    sent = request.headers.get(CSRF_HEADER)
    if not sent:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get(CSRF_FIELD)
            sent = value if isinstance(value, str) else None
    if not csrf_valid(request.session, sent):
        raise CsrfFailed()


CsrfProtected = Depends(check_csrf)


def own_draft(session: Session, user: User, draft_id: uuid.UUID) -> Draft:
    """The applicant's draft with this id; someone else's is a 404 exactly like a missing one."""
    draft = crud.get_draft(session=session, owner=user, draft_id=draft_id)
    if draft is None:
        raise NotFound("unknown_draft", "没有找到这份草稿", "path.draft_id", str(draft_id))
    return draft


def get_own_draft(draft_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> Draft:
    return own_draft(session, user, draft_id)


OwnDraft = Annotated[Draft, Depends(get_own_draft)]
"""The signed-in applicant's draft named in the path (pages: not signed in goes to sign in)."""
