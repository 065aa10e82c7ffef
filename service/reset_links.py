"""Password-reset links: signed, time-limited, and bound to the password they replace, so each works once.

The token is ``<user id>.<expiry>.<HMAC-SHA256>`` keyed by the service's secret over the user id, the
expiry and the account's current password hash. Nothing is stored: setting a new password changes the
hash (argon2 salts every hash afresh), and with it every link issued before dies — the one just used,
and any other the owner asked for. A leaked database row cannot be turned into a link either, as there is
no row; a leaked secret could, as it could forge a session.
"""

from __future__ import annotations

import hashlib
import hmac
import time
import uuid

from sqlmodel import Session

from service.models import User

RESET_MINUTES = 30
FIRST_PASSWORD_HOURS = 72
"""A link an administrator has mailed to a new colleague (or one locked out) works this long: three days, for
someone who reads work mail only on working days."""
PURPOSE = b"yiye password reset\x00"


def _signature(secret: str, user: User, expires: int) -> str:
    message = PURPOSE + f"{user.id}.{expires}.".encode() + user.password_hash.encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def issue(secret: str, user: User, *, minutes: int = RESET_MINUTES, now: float | None = None) -> str:
    """A reset token for ``user``, good for ``minutes`` and until the password changes."""
    expires = int(now if now is not None else time.time()) + minutes * 60
    return f"{user.id}.{expires}.{_signature(secret, user, expires)}"


def redeem(secret: str, session: Session, token: str, *, now: float | None = None) -> User | None:
    """The account a token resets, or None when it is malformed, expired, forged or already used."""
    parts = token.split(".")
    if len(parts) != 3 or not parts[1].isdigit():
        return None
    user_id, expires_text, signature = parts
    try:
        user = session.get(User, uuid.UUID(user_id))
    except ValueError:
        return None
    expires = int(expires_text)
    if user is None or expires < (now if now is not None else time.time()):
        return None
    return user if hmac.compare_digest(signature.encode(), _signature(secret, user, expires).encode()) else None
