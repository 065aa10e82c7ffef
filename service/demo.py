"""Demo data: one applicant account and one draft, so a first visitor can look around.

Idempotent: running it again changes nothing. Seeded by ``yiye serve --demo`` (and ``yiye db demo``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlmodel import Session

from composer.model import ComposeRequest
from rules.errors import InputError
from service import crud
from service.compose import ComposeService
from service.db import make_engine
from service.models import DraftCreate, UserCreate
from service.registry import PackRegistry
from service.settings import Settings

log = logging.getLogger("yiye.demo")

DEMO_EMAIL = "demo@example.com"
DEMO_PHONE = "13800138000"
DEMO_PASSWORD = "yiye-demo-2026"
DEMO_INDUSTRY = "convenience_store"
DEMO_ANSWERS: dict[str, bool | int | float | str] = {"sells_tobacco": True}
"""The demo draft: a convenience store that sells tobacco (the default pack's first industry otherwise)."""


@dataclass(frozen=True)
class Seeded:
    email: str
    phone: str
    password: str
    drafts: int


def seed(settings: Settings) -> Seeded:
    """Create the demo applicant and a draft for the default pack's first industry, if missing."""
    engine = make_engine(settings.database_url)
    try:
        with Session(engine, expire_on_commit=False) as session:
            user = crud.get_user_by_login(session=session, login=DEMO_EMAIL)
            if user is None:
                user = crud.create_user(
                    session=session,
                    user_create=UserCreate(email=DEMO_EMAIL, phone=DEMO_PHONE, display_name="演示用户", password=DEMO_PASSWORD),
                )
            if crud.count_drafts(session=session, owner=user) == 0:
                _seed_draft(session, user, settings)
            drafts = crud.count_drafts(session=session, owner=user)
    finally:
        engine.dispose()
    log.info("demo data ready", extra={"drafts": drafts})
    return Seeded(DEMO_EMAIL, DEMO_PHONE, DEMO_PASSWORD, drafts)


def _seed_draft(session: Session, user: object, settings: Settings) -> None:
    registry = PackRegistry(settings.packs_dir, settings.pack_cache)
    registry.load_all()
    composer = registry.get(settings.default_pack)
    if composer is None:
        log.warning("no demo draft: default pack not loaded", extra={"pack_id": settings.default_pack})
        return
    pack = composer.pack
    if DEMO_INDUSTRY in pack.industries:
        industries, answers = [DEMO_INDUSTRY], {q: v for q, v in DEMO_ANSWERS.items() if q in pack.questions}
    else:
        industries, answers = list(pack.industries)[:1], {}
    request = ComposeRequest(pack=settings.default_pack, industries=industries, answers=answers)
    try:
        composed = ComposeService(registry, cache_bytes=0).compose(request, source="demo")
    except InputError:
        composed = None
    crud.create_draft(
        session=session,
        owner=user,  # type: ignore[arg-type]
        draft_create=DraftCreate(pack_id=settings.default_pack, industries=industries, answers=dict(answers)),
        composed=composed,
    )
