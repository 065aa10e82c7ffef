"""The only place that writes to the database. Plain functions, keyword arguments."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from service.compose import Composed
from service.models import Draft, DraftCreate, DraftUpdate, StoredComposition, User, UserCreate, utcnow
from service.security import hash_password, verify_password


def normalise_login(login: str) -> str:
    """E-mail addresses compare case-insensitively; phone numbers lose spaces and hyphens."""
    login = login.strip()
    if "@" in login:
        return login.lower()
    return login.replace(" ", "").replace("-", "")


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


def store_composition(*, session: Session, composed: Composed) -> StoredComposition:
    """Keep the exact input, pack version and output hash, so the composition can be replayed."""
    stored = StoredComposition(
        pack_id=composed.output.pack_id,
        pack_version=composed.output.pack_version,
        as_of=composed.output.as_of,
        input=composed.request.model_dump(mode="json"),
        output_sha256=composed.output.sha256,
    )
    session.add(stored)
    session.commit()
    session.refresh(stored)
    return stored


def create_draft(*, session: Session, owner: User, draft_create: DraftCreate, composed: Composed | None = None) -> Draft:
    draft = Draft.model_validate(draft_create, update={"owner_id": owner.id})
    if composed is not None:
        draft.composition_id = store_composition(session=session, composed=composed).id
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


def update_draft(*, session: Session, draft: Draft, draft_update: DraftUpdate, composed: Composed | None = None) -> Draft:
    data: dict[str, Any] = draft_update.model_dump(exclude_unset=True)
    draft.sqlmodel_update(data)
    if composed is not None:
        draft.composition_id = store_composition(session=session, composed=composed).id
    draft.updated_at = utcnow()
    session.add(draft)
    session.commit()
    session.refresh(draft)
    return draft


def delete_draft(*, session: Session, draft: Draft) -> None:
    session.delete(draft)
    session.commit()
