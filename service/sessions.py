"""Server-side sessions: the cookie holds only a random id; what it stands for is a ``web_session`` row.

The id is 256 random bits; the table keys rows by its SHA-256, so the table holds no usable cookie.
A session ends when unused for ``YIYE_SESSION_IDLE_SECONDS`` or ``YIYE_SESSION_MAX_AGE`` after it
began, at sign-out, and — all of a user's sessions at once — when the password changes; a cookie
copied before then stands for nothing afterwards. Anonymous work in progress (the journey, a form
kept while signing in) lives in the row, never in the cookie. Expired rows are deleted when seen and
by each worker in passing.

Lazy: ``request.session`` reads the store on first use, so a request that never looks (the JSON API,
static files) costs nothing. Page requests that carry the cookie have it read in the thread pool
before the route runs, so async code never waits on the database on the event loop.
"""

from __future__ import annotations

import hashlib
import secrets
import time
import uuid
from collections.abc import Iterator, MutableMapping
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, delete, or_, update
from sqlmodel import Session, col
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection, cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.db import touched
from service.models import WebSession
from service.security import csrf_token
from service.settings import Settings

TOUCH_AFTER = 60
"""Seconds of use before the idle deadline is pushed back again: not a write on every page view."""

PURGE_EVERY = 300
"""Seconds between a worker's sweeps of expired rows (or the idle timeout, when shorter)."""

WITHOUT_SESSION = ("/api/", "/static/", "/docs", "/openapi", "/redoc")
"""Paths whose routes never read the session: not read ahead for them, even when a cookie comes along."""


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; every one stored here is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def server_session(request: HTTPConnection) -> ServerSession:
    """``request.session``, as what ``ServerSessionMiddleware`` put there."""
    session = request.session
    assert isinstance(session, ServerSession), "ServerSessionMiddleware is not installed"
    return session


def restart(session: ServerSession, keep: tuple[str, ...] = ()) -> None:
    """Start the session afresh under a new id, keeping only the language and ``keep``; a new CSRF token.

    On sign-in (against session fixation) and sign-out. Signing in half-way through the applicant's
    journey keeps the business chosen and the answers given (``keep=("journey",)``); signing out keeps
    nothing else, so the next person at a shared computer sees none of it.
    """
    kept = {key: session[key] for key in ("lang", *keep) if session.get(key)}
    session.rotate()
    session.clear()
    session.update(kept)
    csrf_token(session)


class SessionStore:
    """The ``web_session`` table: load a live session, save one, end them."""

    def __init__(self, engine: Engine, settings: Settings) -> None:
        self.engine = engine
        self.idle = timedelta(seconds=settings.session_idle_seconds)
        self.max_age = timedelta(seconds=settings.session_max_age)
        self._purged = 0.0

    def load(self, token: str) -> WebSession | None:
        """The live session the cookie names; an expired one is deleted on sight."""
        with Session(self.engine) as db:
            row = db.get(WebSession, _hash(token))
            if row is None:
                return None
            now = _now()
            if _aware(row.idle_expires_at) <= now or _aware(row.expires_at) <= now:
                db.delete(row)
                db.commit()
                return None
            db.expunge(row)
            return row

    def create(self, data: dict[str, Any]) -> str:
        """A new session holding ``data``; its id for the cookie."""
        token = secrets.token_urlsafe(32)
        now = _now()
        row = WebSession(
            id_hash=_hash(token),
            user_id=_user_id(data),
            data=data,
            created_at=now,
            idle_expires_at=now + self.idle,
            expires_at=now + self.max_age,
        )
        with Session(self.engine) as db:
            db.add(row)
            db.commit()
        self._purge_now_and_then()
        return token

    def save(self, token: str, data: dict[str, Any] | None) -> None:
        """Write ``data`` (or only push back the idle deadline) — never bringing back an ended session."""
        values: dict[str, Any] = {"idle_expires_at": _now() + self.idle}
        if data is not None:
            values |= {"data": data, "user_id": _user_id(data)}
        with Session(self.engine) as db:
            db.execute(update(WebSession).where(col(WebSession.id_hash) == _hash(token)).values(**values))
            db.commit()

    def end(self, token: str) -> None:
        with Session(self.engine) as db:
            db.execute(delete(WebSession).where(col(WebSession.id_hash) == _hash(token)))
            db.commit()

    def end_all(self, user_id: uuid.UUID) -> int:
        """End every session of one user (after a password change); how many there were."""
        with Session(self.engine) as db:
            result = db.execute(delete(WebSession).where(col(WebSession.user_id) == user_id))
            db.commit()
        return touched(result)

    def purge(self) -> int:
        """Delete every expired session; how many."""
        now = _now()
        expired = or_(col(WebSession.idle_expires_at) <= now, col(WebSession.expires_at) <= now)
        with Session(self.engine) as db:
            result = db.execute(delete(WebSession).where(expired))
            db.commit()
        self._purged = time.monotonic()
        return touched(result)

    def _purge_now_and_then(self) -> None:
        if time.monotonic() - self._purged >= min(PURGE_EVERY, self.idle.total_seconds()):
            self.purge()


def _user_id(data: dict[str, Any]) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(data["user_id"])) if data.get("user_id") else None
    except ValueError:
        return None


class ServerSession(MutableMapping[str, Any]):
    """``request.session``: a dict-like view of the session row, read on first use."""

    def __init__(self, store: SessionStore, token: str | None) -> None:
        self.store = store
        self.token = token
        """The id the browser sent, if any."""
        self._data: dict[str, Any] | None = None
        self._live = False
        self._touch = False
        self.modified = False
        self.rotated = False

    def load(self) -> dict[str, Any]:
        if self._data is None:
            row = self.store.load(self.token) if self.token else None
            self._live = row is not None
            self._data = dict(row.data) if row is not None else {}
            if row is not None:
                used = self.store.idle - (_aware(row.idle_expires_at) - _now())
                self._touch = used.total_seconds() >= TOUCH_AFTER
        return self._data

    @property
    def pending(self) -> bool:
        """Read, and changed, due to have its idle deadline pushed back, or named by a stale cookie."""
        if self._data is None:
            return False
        return self.modified or self._touch or self.rotated or (self.token is not None and not self._live)

    def rotate(self) -> None:
        """Give the session a new id at the next save and end the old one (sign-in, sign-out, password change)."""
        self.load()
        self.rotated = self.modified = True

    def __getitem__(self, key: str) -> Any:
        return self.load()[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.load()[key] = value
        self.modified = True

    def __delitem__(self, key: str) -> None:
        del self.load()[key]
        self.modified = True

    def __iter__(self) -> Iterator[str]:
        return iter(self.load())

    def __len__(self) -> int:
        return len(self.load())

    def commit(self) -> str | None:
        """Write what changed; the new id when the browser must be given one, ``""`` to drop its cookie."""
        if self._data is None:
            return None
        if self._live and self.token and not self.rotated:
            if self.modified or self._touch:
                self.store.save(self.token, self._data if self.modified else None)
            return None
        if self.rotated and self._live and self.token:
            self.store.end(self.token)
        if not self.modified or not self._data:
            return "" if self.token else None
        return self.store.create(self._data)


class ServerSessionMiddleware:
    """Put a ``ServerSession`` in ``scope["session"]``; set or drop the cookie when the session changes."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        self._store: SessionStore | None = None

    def store(self, scope: Scope) -> SessionStore:
        engine = scope["app"].state.engine
        if self._store is None or self._store.engine is not engine:
            self._store = SessionStore(engine, self.settings)
        return self._store

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        token = self._token(scope)
        session = ServerSession(self.store(scope), token)
        scope["session"] = session
        if token and not scope["path"].startswith(WITHOUT_SESSION):
            await run_in_threadpool(session.load)

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                new_token = await run_in_threadpool(session.commit) if session.pending else None
                if new_token is not None:
                    MutableHeaders(scope=message).append("set-cookie", self._cookie(new_token))
            await send(message)

        await self.app(scope, receive, send_with_cookie)

    def _token(self, scope: Scope) -> str | None:
        for name, value in scope["headers"]:
            if name == b"cookie":
                return cookie_parser(value.decode("latin-1")).get(self.settings.session_cookie) or None
        return None

    def _cookie(self, token: str) -> str:
        settings = self.settings
        max_age = settings.session_max_age if token else 0
        parts = [f"{settings.session_cookie}={token}", "path=/", f"Max-Age={max_age}", "httponly"]
        parts.append(f"samesite={settings.cookie_samesite}")
        if settings.cookie_secure:
            parts.append("secure")
        return "; ".join(parts)
