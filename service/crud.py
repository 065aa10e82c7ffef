"""The only place that writes to the database. Plain functions, keyword arguments."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import delete, exists, func
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, col, select

from service.compose import Composed
from service.models import Draft, DraftCreate, DraftUpdate, StoredComposition, User, UserCreate, utcnow
from service.security import hash_password, verify_password
from service.workflow.models import Application, IntegratorKey
from service.workflow.roles import Role


def normalise_login(login: str) -> str:
    """E-mail addresses compare case-insensitively; phone numbers lose spaces and hyphens."""
    login = login.strip()
    if "@" in login:
        return login.lower()
    return login.replace(" ", "").replace("-", "")


def email_address(text: str) -> str | None:
    """An e-mail address as accounts store it (normalised, lower-case), or None when ``text`` is no address."""
    try:
        return validate_email(text.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        return None


def create_user(*, session: Session, user_create: UserCreate) -> User:
    user = User.model_validate(
        user_create,
        update={
            "email": user_create.email.lower() if user_create.email else None,
            "password_hash": hash_password(user_create.password),
        },
    )
    session.add(user)
    session.commit()
    session.refresh(user)
    return user


def get_user_by_login(*, session: Session, login: str) -> User | None:
    login = normalise_login(login)
    column = User.email if "@" in login else User.phone
    return session.exec(select(User).where(column == login)).first()


def authenticate(*, session: Session, login: str, password: str) -> User | None:
    user = get_user_by_login(session=session, login=login)
    if not verify_password(password, user.password_hash if user else None):
        return None
    return user


def integrator_by_key(*, session: Session, key: str) -> User | None:
    """The department system whose API key this is: an integrator account, and not disabled; else None."""
    held = col(IntegratorKey.key_sha256) == hashlib.sha256(key.encode()).hexdigest()
    active = (col(User.role) == Role.integrator) & col(User.disabled_at).is_(None)
    return session.exec(select(User).join(IntegratorKey, col(IntegratorKey.user_id) == User.id).where(held, active)).first()


def store_composition(*, session: Session, composed: Composed) -> StoredComposition:
    """Keep the exact input, pack version and output hash, so the composition can be replayed."""
    stored = _stored(composed)
    session.add(stored)
    session.commit()
    session.refresh(stored)
    return stored


def _stored(composed: Composed) -> StoredComposition:
    return StoredComposition(
        pack_id=composed.output.pack_id,
        pack_version=composed.output.pack_version,
        as_of=composed.output.as_of,
        input=composed.request.model_dump(mode="json"),
        output_sha256=composed.output.sha256,
    )


def _same(stored: StoredComposition, composed: Composed) -> bool:
    """The stored row already records this composition: same pack version, input and output."""
    return (
        stored.pack_id == composed.output.pack_id
        and stored.pack_version == composed.output.pack_version
        and stored.output_sha256 == composed.output.sha256
        and stored.input == composed.request.model_dump(mode="json")
    )


def create_draft(*, session: Session, owner: User, draft_create: DraftCreate, composed: Composed | None = None) -> Draft:
    draft = Draft.model_validate(draft_create, update={"owner_id": owner.id})
    if composed is not None:
        stored = _stored(composed)
        session.add(stored)
        session.flush()
        draft.composition_id = stored.id
    session.add(draft)
    session.commit()
    session.refresh(draft)
    return draft


def get_draft(*, session: Session, owner: User, draft_id: uuid.UUID) -> Draft | None:
    """The owner's draft with this id; someone else's draft is None, exactly like a missing one."""
    return session.exec(select(Draft).where(Draft.id == draft_id, Draft.owner_id == owner.id)).first()


def list_drafts(*, session: Session, owner: User) -> list[Draft]:
    statement = select(Draft).where(Draft.owner_id == owner.id).order_by(col(Draft.updated_at).desc(), col(Draft.id))
    return list(session.exec(statement).all())


def count_drafts(*, session: Session, owner: User) -> int:
    return session.exec(select(func.count()).select_from(Draft).where(Draft.owner_id == owner.id)).one()


class DraftConflict(Exception):
    """The draft was saved by someone else since it was read; nothing was written."""


def update_draft(
    *,
    session: Session,
    draft: Draft,
    draft_update: DraftUpdate,
    composed: Composed | None = None,
    read_version: int | None = None,
) -> Draft:
    """Save changes to a draft read at ``read_version`` (default: as loaded), in one transaction.

    Raises ``DraftConflict`` when the draft has a newer version, whether that was saved before
    this call or between its read and its write (the UPDATE names the version it replaces). A new
    composition replaces the one the draft referenced, which is deleted; the same one is kept.
    """
    if read_version is not None and read_version != draft.version:
        raise DraftConflict(draft.id)
    previous = draft.composition_id
    try:
        if composed is not None:
            current = session.get(StoredComposition, previous) if previous else None
            if current is None or not _same(current, composed):
                stored = _stored(composed)
                session.add(stored)
                session.flush()
                draft.composition_id = stored.id
        draft.sqlmodel_update(draft_update.model_dump(exclude_unset=True))
        draft.updated_at = utcnow()
        session.add(draft)
        session.flush()
        if previous is not None and draft.composition_id != previous:
            _delete_unreferenced(session, previous)
        session.commit()
    except StaleDataError as exc:
        session.rollback()
        raise DraftConflict(draft.id) from exc
    session.refresh(draft)
    return draft


def delete_draft(*, session: Session, draft: Draft) -> None:
    """Delete the draft and the composition it was built on, in one transaction."""
    composition_id = draft.composition_id
    session.delete(draft)
    session.flush()
    if composition_id is not None:
        _delete_unreferenced(session, composition_id)
    session.commit()


def _unreferenced() -> Any:
    """Neither a draft nor a submitted application is built on it: an application keeps its composition for good."""
    by_draft = exists().where(col(Draft.composition_id) == col(StoredComposition.id))
    by_application = exists().where(col(Application.composition_id) == col(StoredComposition.id))
    return ~by_draft & ~by_application


def _delete_unreferenced(session: Session, composition_id: uuid.UUID) -> None:
    statement = delete(StoredComposition).where(col(StoredComposition.id) == composition_id, _unreferenced())
    session.exec(statement)


def prune_compositions(*, session: Session, dry_run: bool = False) -> int:
    """Delete every stored composition no draft or application references (what draft saves left behind); how many."""
    if dry_run:
        return session.exec(select(func.count()).select_from(StoredComposition).where(_unreferenced())).one()
    result = session.exec(delete(StoredComposition).where(_unreferenced()))
    session.commit()
    return int(result.rowcount)
