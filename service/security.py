"""Passwords (pwdlib, argon2) and CSRF tokens kept in the server-side session."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Mapping, MutableMapping
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


def csrf_token(session: MutableMapping[str, Any]) -> str:
    """The session's CSRF token (synchroniser pattern), made on first use.

    The session lives on the server (service/sessions.py), so a token a page reads from it cannot
    be forged, and a cross-site form cannot read it.
    """
    token = session.get(CSRF_SESSION_KEY)
    if not isinstance(token, str) or len(token) < 32:
        token = secrets.token_urlsafe(32)
        session[CSRF_SESSION_KEY] = token
    return token


def csrf_valid(session: Mapping[str, Any], sent: str | None) -> bool:
    expected = session.get(CSRF_SESSION_KEY)
    if not isinstance(expected, str) or not sent:
        return False
    return hmac.compare_digest(expected.encode(), sent.encode())
