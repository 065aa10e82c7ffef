"""Passwords (pwdlib, argon2) and CSRF tokens bound to the signed session cookie."""

from __future__ import annotations

import hmac
import secrets
from typing import Any

from pwdlib import PasswordHash

password_hash = PasswordHash.recommended()

# A hash to verify against when no such user exists, so sign-in takes the same time either way.
_DUMMY_HASH = password_hash.hash("no such user: timing equaliser")

CSRF_SESSION_KEY = "csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"


def hash_password(password: str) -> str:
    return password_hash.hash(password)


def verify_password(password: str, hashed: str | None) -> bool:
    if hashed is None:
        password_hash.verify(password, _DUMMY_HASH)
        return False
    return password_hash.verify(password, hashed)


def csrf_token(session: dict[str, Any]) -> str:
    """The session's CSRF token (synchroniser pattern), made on first use.

    The session lives in a cookie signed with the secret key, so a token a page reads from it
    cannot be forged, and a cross-site form cannot read it.
    """
    token = session.get(CSRF_SESSION_KEY)
    if not isinstance(token, str) or len(token) < 32:
        token = secrets.token_urlsafe(32)
        session[CSRF_SESSION_KEY] = token
    return token


def csrf_valid(session: dict[str, Any], sent: str | None) -> bool:
    expected = session.get(CSRF_SESSION_KEY)
    if not isinstance(expected, str) or not sent:
        return False
    return hmac.compare_digest(expected.encode(), sent.encode())


def rotate_session(session: dict[str, Any], keep: tuple[str, ...] = ()) -> None:
    """Forget everything in the session and start a new CSRF token (on sign-in and sign-out).

    The language and the keys in ``keep`` survive: signing in half-way through the applicant's
    journey keeps the business chosen and the answers given (``keep=("journey",)``); signing out
    keeps nothing else, so the next person at a shared computer sees none of it.
    """
    kept = {key: session[key] for key in ("lang", *keep) if session.get(key)}
    session.clear()
    session.update(kept)
    csrf_token(session)
